"""Help me decide: a year of study simulated at several desired retentions, and the choice."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import db
from services.retention import (
    DESIRED_RETENTION_RANGE,
    RetentionChoiceError,
    retention_advice,
    set_desired_retention,
)
from srs.retention import SIMULATED_DAYS

bp = Blueprint("retention", __name__)


def _retention(value: float) -> str:
    return format_decimal(value, format="0.00")


@bp.get("/settings/retention")
@login_required
def decide() -> str:
    """Reviews, minutes and cards known after a year at each desired retention."""
    advice = retention_advice(db.session, current_user)
    charts = {
        "minutes": [(_retention(o.retention), round(o.minutes_per_day, 1)) for o in advice.options],
        "memorized": [(_retention(o.retention), round(o.memorized)) for o in advice.options],
    }
    return render_template(
        "settings/retention.html",
        advice=advice,
        charts=charts,
        recommended=_retention(advice.recommended),
        days=SIMULATED_DAYS,
        current=current_user.desired_retention,
        label=_retention,
    )


@bp.post("/settings/retention")
@login_required
def choose() -> Response:
    """Use the desired retention chosen on the page (``desired_retention``)."""
    sent = request.form.get("desired_retention", "")
    try:
        chosen = set_desired_retention(current_user, sent)
    except RetentionChoiceError:
        low, high = DESIRED_RETENTION_RANGE
        flash(
            _(
                "'%(value)s' is not a desired retention: choose a number from %(low)s to "
                "%(high)s, in hundredths.",
                value=sent[:20],
                low=_retention(float(low)),
                high=_retention(float(high)),
            ),
            "error",
        )
        return redirect(url_for("retention.decide"))
    db.session.commit()
    flash(_("Desired retention set to %(value)s.", value=_retention(chosen)), "success")
    return redirect(url_for("retention.decide"))

"""Help me decide: a year of study simulated at several desired retentions, and the choice."""

from __future__ import annotations

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from extensions import limiter
from models import db
from services.retention import (
    DESIRED_RETENTION_RANGE,
    RetentionChoiceError,
    retention_advice,
    set_desired_retention,
)
from srs.retention import SIMULATED_DAYS

bp = Blueprint("retention", __name__)

# One simulation takes the server a second or so (srs/retention.py bounds it); a learner who
# changes a setting and looks again needs a few a minute. Only simulations count (advice
# kept from before costs nothing), for the page and the API together, per learner, in the
# app's shared rate-limit storage so that every worker counts alike.
SIMULATION_LIMIT = "5 per minute; 60 per hour"


def _learner() -> str:
    return f"learner/{current_user.id}"


def _simulated(_response: Response) -> bool:
    return bool(g.get("simulated"))


def mark_simulated() -> None:
    """Count this request against :data:`SIMULATION_LIMIT` (the simulation ran)."""
    g.simulated = True


def _too_many() -> str:
    return _(
        "Help me decide has simulated your year several times in the last minutes; it takes "
        "the server a while each time. Wait a minute and try again."
    )


# Signed-in only: the decorator goes under login_required, so the key always has a learner.
simulation_limit = limiter.shared_limit(
    SIMULATION_LIMIT,
    scope="retention-simulation",
    key_func=_learner,
    deduct_when=_simulated,
    error_message=_too_many,
)


def _retention(value: float) -> str:
    return format_decimal(value, format="0.00")


@bp.get("/settings/retention")
@login_required
@simulation_limit
def decide() -> str:
    """Reviews, minutes and cards known after a year at each desired retention."""
    advice = retention_advice(db.session, current_user, mark_simulated)
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
        at_lowest=advice.at_lowest,
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

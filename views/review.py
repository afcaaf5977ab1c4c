"""Today's study: what is due per bank, and the review page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.exceptions import BadRequest

from config import VERSION
from models import Bank, Section, db
from models.types import now_utc
from services.accounts import account_defaults
from services.context import Study
from services.practice import FORGOTTEN_DAYS, Practice
from services.queue import (
    bank_counts_many,
    done_today,
    has_left_banks,
    learning_comes_back,
    studied_bank,
    study_banks,
)
from services.reschedule import piled_up
from srs.study import LEARN_AHEAD

bp = Blueprint("review", __name__)


@bp.get("/")
@login_required
def today() -> str:
    """Each bank the learner studies, with what is left today."""
    now = now_utc()
    banks = study_banks(db.session, current_user)
    study = Study.at(db.session, current_user, now)
    ids = [bank.id for bank in banks]
    counts = bank_counts_many(study, ids)
    comes_back = learning_comes_back(study, ids)
    # A bank with nothing left but learning cards due later today is done *for now*: the
    # review page would say so too, and when they come back.
    later = {
        bank_id: due
        for bank_id, due in comes_back.items()
        if not counts[bank_id].new and not counts[bank_id].review and due > now + LEARN_AHEAD
    }
    rows = [(bank, counts[bank.id], later.get(bank.id)) for bank in banks]
    # A learner still on the server's zone may never have chosen one: static/js/zone.js
    # offers the browser's when it differs.
    on_default_zone = current_user.timezone == account_defaults(current_app.config)["timezone"]
    return render_template(
        "review/today.html",
        rows=rows,
        offer_zone=on_default_zone,
        piled=piled_up(study),
        # Nothing studied: after leaving every bank the page says so, not "no bank yet".
        left_banks=not rows and has_left_banks(db.session, current_user),
    )


def _asked() -> str | None:
    """The ``practice`` value of the API that ``?section=``, ``?tag=`` or ``?forgotten=``
    ask for, or ``None``."""
    for kind in ("section", "tag", "forgotten"):
        if value := request.args.get(kind):
            return f"{kind}:{value}"
    return None


def _practice(bank_id: str) -> tuple[str | None, str | None]:
    """An extra study session asked for by ``?section=``, ``?tag=`` or ``?forgotten=``.

    Returns the API's ``practice`` value and what to call the session, or two ``None``.
    """
    asked = _asked()
    if asked is None:
        return None, None
    try:
        practice = Practice.parse(asked)
    except ValueError:
        low, high = FORGOTTEN_DAYS  # only the number of days can be wrong
        raise BadRequest(
            _(
                "'%(name)s' must be a whole number from %(low)d to %(high)d",
                name="forgotten",
                low=low,
                high=high,
            )
        ) from None
    if practice.section is not None:
        title = db.session.scalar(
            select(Section.title).where(Section.bank_id == bank_id, Section.key == practice.section)
        )
        if title is None:
            abort(
                404,
                description=_(
                    "There is no section '%(section)s' in this bank.", section=practice.section
                ),
            )
        return asked, _("the section %(title)s", title=title)
    if practice.tag is not None:
        return asked, _("the tag %(tag)s", tag=practice.tag)
    days = practice.forgotten_days
    return asked, _("cards forgotten in the last %(days)s days", days=days)


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker that keeps the review page for a reload offline (static/js/sw.js).

    Served from the root, not /static/js/, so that its scope takes in /review/; with the
    app's version written in, so that a deploy is a new worker whose cache replaces the old.
    """
    path = Path(current_app.static_folder or "static") / "js" / "sw.js"
    # The paths it needs come from the app, as every script's do (the API's, to leave alone).
    api = url_for("api.openapi").rsplit("/", 1)[0] + "/"
    script = (
        path.read_text(encoding="utf-8")
        .replace("__WENGU_VERSION__", VERSION)
        .replace("__WENGU_API__", api)
    )
    response = Response(script, mimetype="text/javascript")
    # The browser checks for a new worker on each visit: never an old copy from a cache.
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/review/<bank_id>")
@login_required
def review(bank_id: str) -> str:
    """The review page: cards come from the API, one at a time, without reloading.

    With ``?section=``, ``?tag=`` or ``?forgotten=DAYS`` it is an extra study session
    outside the schedule: answers change nothing unless the learner asks them to count.
    """
    bank = studied_bank_or_404(bank_id)
    practice, practice_name = _practice(bank_id)
    # Today's progress counts what was done before this visit too; a practice, only itself.
    done = 0 if practice else done_today(Study.at(db.session, current_user, now_utc()), bank.id)
    return render_template(
        "review/review.html",
        bank=bank,
        practice=practice,
        practice_name=practice_name,
        done_today=done,
    )


def studied_bank_or_404(bank_id: str) -> Bank:
    """The bank the signed-in learner studies by this id; a 404 that says so otherwise."""
    bank = studied_bank(db.session, current_user, bank_id)
    if bank is None:
        abort(404, description=_("You study no bank '%(bank)s'.", bank=bank_id))
    return bank

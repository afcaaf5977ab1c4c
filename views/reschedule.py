"""Postpone, advance and breaks: the page ``/reschedule`` and its JSON API.

The page's forms ask by GET for a preview (nothing changes); the preview's button posts
the same values, which are planned again and applied in one transaction. The API routes
join the ``/api/v1`` blueprint, with its authentication and error handling.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from models import db
from models.types import now_utc
from services.conflict import committed
from services.context import Study
from services.reschedule import (
    AskError,
    Landing,
    Past,
    RescheduleNotFoundError,
    apply,
    ask_from,
    landing_days,
    message,
    overdue_count,
    past_reschedules,
    piled_up,
    plan,
    undo,
)
from srs.numbers import parse_whole_number
from srs.reschedule import KINDS, MAX_CARDS, RescheduleError
from views import api

bp = Blueprint("reschedule", __name__)

# The fields each kind's form sends, in the order the page shows them.
FIELDS = {
    "postpone": ("count", "days"),
    "advance": ("first_day", "last_day", "days", "count"),
    "break": ("first_day", "last_day", "days_before", "days_after"),
}


def _defaults(study: Study, due: int) -> dict[str, dict[str, str]]:
    """What each form holds before the learner types: a week ahead, and for postpone the
    count the Today page sent (``?count=``), else what is due beyond today's limits, bank
    by bank (or all that is due, if none is)."""
    tomorrow = study.day.date + timedelta(days=1)
    week = (tomorrow.isoformat(), (tomorrow + timedelta(days=6)).isoformat())
    sent = request.args.get("count", "") if "kind" not in request.args else ""
    try:
        count = str(parse_whole_number(sent, 1, MAX_CARDS))
    except ValueError:  # none sent, or not a count: what the Today page would have sent
        count = str(max(1, piled_up(study) or due))
    return {
        "postpone": {"count": count, "days": "7"},
        "advance": {"first_day": week[0], "last_day": week[1], "days": "1", "count": ""},
        "break": {
            "first_day": week[0],
            "last_day": week[1],
            "days_before": "0",
            "days_after": "7",
        },
    }


@bp.get("/reschedule")
@login_required
def page() -> str:
    """The three reschedules, a preview of the one asked for, and the past ones."""
    study = Study.at(db.session, current_user, now_utc())
    due = overdue_count(study)
    values = _defaults(study, due)
    kind = request.args.get("kind")
    preview = error = None
    landing: list[Landing] = []
    if kind in KINDS:
        values[kind] = {name: request.args.get(name, "") for name in FIELDS[kind]}
        try:
            preview = plan(study, ask_from({"kind": kind, **values[kind]}))
            landing = landing_days(study, preview)
        except RescheduleError as refused:
            error = message(refused, _)
    return render_template(
        "reschedule/reschedule.html",
        due=due,
        today=study.day.date,
        values=values,
        kind=kind if kind in KINDS else None,
        preview=preview,
        landing=landing,
        limit=current_user.reviews_per_day,
        error=error,
        past=past_reschedules(db.session, current_user),
    )


@bp.post("/reschedule")
@login_required
def confirm() -> Response:
    """Move the cards the preview showed, planned again on the cards as they now are."""
    try:
        ask = ask_from(request.form)
        # An answer to one of the cards at the same moment wins; the cards are read again.
        count = committed(
            db.session,
            lambda: len(apply(Study.at(db.session, current_user, now_utc()), ask).cards),
        )
    except RescheduleError as refused:
        db.session.rollback()
        flash(message(refused, _), "error")
        return redirect(url_for("reschedule.page"))
    flash(ngettext("%(num)d card moved.", "%(num)d cards moved.", count), "success")
    return redirect(url_for("reschedule.page"))


@bp.post("/reschedule/<int:reschedule_id>/undo")
@login_required
def undo_page(reschedule_id: int) -> Response:
    """Put back the cards of one past reschedule."""
    try:
        undone = committed(
            db.session, lambda: undo(db.session, current_user, reschedule_id, now_utc())
        )
    except RescheduleNotFoundError:
        abort(404)
    except RescheduleError as refused:
        flash(message(refused, _), "error")
        return redirect(url_for("reschedule.page"))
    text = ngettext("%(num)d card put back.", "%(num)d cards put back.", undone.restored)
    if undone.kept:
        text += " " + ngettext(
            "%(num)d was answered since and keeps its new due.",
            "%(num)d were answered since and keep their new due.",
            undone.kept,
        )
    flash(text, "success")
    return redirect(url_for("reschedule.page"))


# -- the API ------------------------------------------------------------------------------


def _past_payload(past: Past) -> dict[str, Any]:
    return {
        "id": past.id,
        "kind": past.kind,
        "created_at": past.created_at.isoformat(),
        "first_day": past.first_day.isoformat() if past.first_day else None,
        "last_day": past.last_day.isoformat() if past.last_day else None,
        "cards": past.cards,
        "undone_at": past.undone_at.isoformat() if past.undone_at else None,
    }


def _refusal(refused: RescheduleError) -> api.ApiError:
    return api.ApiError(400 if isinstance(refused, AskError) else 422, message(refused))


@api.bp.post("/reschedule")
def reschedule_cards() -> tuple[Response, int]:
    """Postpone, advance or a break; ``"preview": true`` plans it without moving a card."""
    body = api._body()
    user = api._user()
    preview = body.get("preview", False)
    if not isinstance(preview, bool):
        raise api.ApiError(400, "'preview' must be true or false")
    try:
        ask = ask_from(body, text=False)
        if preview:
            study = Study.at(db.session, user, now_utc())
            chosen = plan(study, ask)
            days = [
                {
                    "day": day.day.isoformat(),
                    "already": day.already,
                    "moved": day.moved,
                    "today": day.today,
                    "over_limit": day.over_limit,
                }
                for day in landing_days(study, chosen)
            ]
            return jsonify(kind=chosen.kind, cards=len(chosen.moves), days=days), 200

        def made() -> dict[str, Any]:
            done = apply(Study.at(db.session, user, now_utc()), ask)
            return _past_payload(
                Past(done.id, done.kind, done.created_at, done.first_day, done.last_day,
                     len(done.cards), None)
            )  # fmt: skip

        payload = committed(db.session, made)
    except RescheduleError as refused:
        db.session.rollback()
        raise _refusal(refused) from None
    return jsonify(payload), 201


@api.bp.get("/reschedules")
def reschedules() -> Response:
    """The caller's latest reschedules, newest first."""
    return jsonify([_past_payload(p) for p in past_reschedules(db.session, api._user())])


@api.bp.post("/reschedule/<int:reschedule_id>/undo")
def reschedule_undo(reschedule_id: int) -> Response:
    """Put back the due of the cards a reschedule moved, where nothing moved them since."""
    user = api._user()
    try:
        undone = committed(db.session, lambda: undo(db.session, user, reschedule_id, now_utc()))
    except RescheduleNotFoundError:
        raise api.ApiError(404, f"no reschedule {reschedule_id}") from None
    except RescheduleError as refused:
        raise api.ApiError(409, message(refused)) from None
    return jsonify(restored=undone.restored, kept=undone.kept)

"""Postpone, advance and breaks: a learner's review cards moved to other study days, and
taken back.

Only ``cards.due`` changes; a moved card lands at the start of its new study day (the
learner's rollover hour in their zone). Every reschedule is stored with each card's due
before and after, so that undo puts back exactly what it moved. The running counts of
``bank_progress`` are about answers and introduced cards, never due times, so a
reschedule leaves them as they are: today's due count is read from the cards themselves.

Undo restores the cards still where the reschedule put them and leaves the others: a card
answered since (its due is then the answer's) or moved again keeps its newer due, and the
result says how many were left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.card import Card
from models.reschedule import Reschedule, RescheduledCard
from models.user import User
from services.context import Study
from services.queue import study_bank_ids
from srs.numbers import parse_whole_number
from srs.reschedule import (
    KINDS,
    MAX_CARDS,
    MAX_DAYS,
    Movable,
    Plan,
    RescheduleError,
    plan_advance,
    plan_break,
    plan_postpone,
)
from srs.scheduler import REVIEW, retrievabilities
from srs.study import study_day, usable_zone

__all__ = [
    "FIELDS",
    "MESSAGES",
    "Ask",
    "AskError",
    "Past",
    "RescheduleNotFoundError",
    "Undone",
    "apply",
    "ask_from",
    "day_start",
    "message",
    "overdue_count",
    "past_reschedules",
    "piled_up",
    "plan",
    "undo",
]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# How far ahead a range may end: ten years.
MAX_AHEAD = 3660


def N_(text: str) -> str:  # noqa: N802 (gettext's name for a text marked, not translated)
    return text


class AskError(RescheduleError):
    """A request that does not say a reschedule: a field missing or not of its kind."""


# The texts of every RescheduleError, by code: English for the API, translated on pages.
MESSAGES = {
    "bounds": N_("%(field)s must be a whole number from %(low)d to %(high)d."),
    "required": N_("%(field)s is required."),
    "date": N_("%(field)s must be a date as YYYY-MM-DD."),
    "kind": N_("Choose postpone, advance or break."),
    "past": N_("The first day, %(day)s, is in the past."),
    "reversed": N_("The last day comes before the first day."),
    "too_far": N_("The last day is more than %(days)d days away."),
    "starts_today": N_("The days start today: no day is left before them."),
    "no_side": N_("Choose days before the break, after it, or both."),
    "no_days": N_("There is no day to move the cards to."),
    "nothing": N_("No card is due on those days: nothing to move."),
    "undone": N_("This reschedule was undone already."),
}
# What the learner calls each field on the page.
FIELDS = {
    "count": N_("Cards"),
    "days": N_("Days"),
    "days_before": N_("Days before"),
    "days_after": N_("Days after"),
    "first_day": N_("First day"),
    "last_day": N_("Last day"),
    "length": N_("The length of the range in days"),
}


def message(error: RescheduleError, gettext: Callable[[str], str] | None = None) -> str:
    """What ``error`` says: in English with the API's field names, or through ``gettext``
    with the page's."""
    params = dict(error.params)
    if "field" in params:
        field = str(params["field"])
        params["field"] = gettext(FIELDS[field]) if gettext else f"'{field}'"
    text = gettext(MESSAGES[error.code]) if gettext else MESSAGES[error.code]
    return text % params


class RescheduleNotFoundError(LookupError):
    """No reschedule of this id belongs to the learner."""


@dataclass(frozen=True, slots=True)
class Ask:
    """What the learner asked for; the fields a kind does not use stay ``None``."""

    kind: str
    count: int | None = None
    days: int | None = None
    first_day: date | None = None
    last_day: date | None = None
    days_before: int | None = None
    days_after: int | None = None


def _number(values: Mapping[str, object], name: str, low: int, high: int) -> int | None:
    value = values.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return parse_whole_number(value.strip(), low, high)
        except ValueError as error:
            raise AskError("bounds", field=name, low=low, high=high) from error
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AskError("bounds", field=name, low=low, high=high)
    return value


def _date(values: Mapping[str, object], name: str) -> date:
    value = values.get(name)
    if not isinstance(value, str) or not value:
        raise AskError("date", field=name)
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise AskError("date", field=name) from None


def _required(value: int | None, name: str) -> int:
    if value is None:
        raise AskError("required", field=name)
    return value


def ask_from(values: Mapping[str, object]) -> Ask:
    """The reschedule a form or a JSON body asks for (numbers as text or integers).

    Raises:
        AskError: the kind is unknown, or a field it needs is missing or malformed.
    """
    kind = values.get("kind")
    if kind not in KINDS:
        raise AskError("kind")
    if kind == "postpone":
        return Ask(
            kind,
            count=_required(_number(values, "count", 0, MAX_CARDS), "count"),
            days=_required(_number(values, "days", 0, MAX_DAYS), "days"),
        )
    first_day, last_day = _date(values, "first_day"), _date(values, "last_day")
    if kind == "advance":
        return Ask(
            kind,
            count=_number(values, "count", 0, MAX_CARDS),
            days=_required(_number(values, "days", 0, MAX_DAYS), "days"),
            first_day=first_day,
            last_day=last_day,
        )
    return Ask(
        kind,
        first_day=first_day,
        last_day=last_day,
        days_before=_number(values, "days_before", 0, MAX_DAYS) or 0,
        days_after=_number(values, "days_after", 0, MAX_DAYS) or 0,
    )


def day_start(user: User, on: date) -> datetime:
    """When the study day ``on`` of ``user`` starts, in UTC."""
    zone = ZoneInfo(usable_zone(user.timezone))
    return datetime.combine(on, time(user.rollover_hour), zone).astimezone(timezone.utc)


def _movable(study: Study, before: datetime) -> list[Movable]:
    """The learner's review cards in the banks they study, due before ``before``, free to
    show (not suspended, not retired)."""
    user = study.user
    cards = list(
        study.session.scalars(
            select(Card).where(
                Card.user_id == user.id,
                Card.bank_id.in_(study_bank_ids(study.session, user)),
                Card.state == REVIEW,
                Card.suspended.is_(False),
                Card.retired.is_(False),
                Card.due < before,
            )
        )
    )
    recalls = retrievabilities(user.study_settings(), [c.schedule() for c in cards], study.now)
    return [
        Movable(
            card.id,
            study_day(card.due, user.timezone, user.rollover_hour).date,
            recall,
            card.stability or 0.0,
        )
        for card, recall in zip(cards, recalls, strict=True)
    ]


def overdue_count(study: Study) -> int:
    """How many review cards are due by the end of today: what a postpone chooses from."""
    return len(_movable(study, study.day.end))


def piled_up(study: Study) -> int:
    """How many more review cards are due by the end of today than a day's reviews: what
    the Today page offers to postpone (0 when today fits)."""
    user = study.user
    due = study.session.scalar(
        select(func.count()).where(
            Card.user_id == user.id,
            Card.bank_id.in_(study_bank_ids(study.session, user)),
            Card.state == REVIEW,
            Card.suspended.is_(False),
            Card.retired.is_(False),
            Card.due < study.day.end,
        )
    )
    return max(0, (due or 0) - user.reviews_per_day)


def plan(study: Study, ask: Ask) -> Plan:
    """What ``ask`` would do now, changing nothing.

    Raises:
        RescheduleError: the reschedule cannot be made as asked (the message says why).
    """
    today = study.day.date
    if ask.kind == "postpone":
        cards = _movable(study, study.day.end)
        return plan_postpone(cards, today, ask.count or 0, ask.days or 0)
    if ask.first_day is None or ask.last_day is None:
        raise AskError("date", field="first_day")
    if ask.last_day > today + timedelta(days=MAX_AHEAD):
        raise RescheduleError("too_far", days=MAX_AHEAD)
    cards = _movable(study, day_start(study.user, ask.last_day + timedelta(days=1)))
    if ask.kind == "advance":
        return plan_advance(cards, today, ask.first_day, ask.last_day, ask.days or 0, ask.count)
    return plan_break(
        cards, today, ask.first_day, ask.last_day, ask.days_before or 0, ask.days_after or 0
    )


def apply(study: Study, ask: Ask) -> Reschedule:
    """Plan ``ask`` and move its cards, logged as one reschedule; the caller commits.

    Raises:
        RescheduleError: as :func:`plan`.
    """
    chosen = plan(study, ask)
    if not chosen.moves:
        raise RescheduleError("nothing")
    user = study.user
    reschedule = Reschedule(
        user_id=user.id,
        kind=chosen.kind,
        created_at=study.now,
        first_day=chosen.first_day,
        last_day=chosen.last_day,
    )
    study.session.add(reschedule)
    to_day = {move.card_id: move.to_day for move in chosen.moves}
    starts: dict[date, datetime] = {}
    for card in study.session.scalars(select(Card).where(Card.id.in_(list(to_day)))):
        day = to_day[card.id]
        due = starts.setdefault(day, day_start(user, day))
        reschedule.cards.append(
            RescheduledCard(card_id=card.id, due_before=card.due, due_after=due)
        )
        card.due = due
    study.session.flush()
    return reschedule


@dataclass(frozen=True, slots=True)
class Undone:
    """What an undo did: the cards put back, and those left as they now are."""

    restored: int
    kept: int


def undo(session: Session, user: User, reschedule_id: int, now: datetime) -> Undone:
    """Put back the due of every card ``reschedule_id`` moved that is still where it put
    it; the caller commits.

    Raises:
        RescheduleNotFoundError: the learner has no such reschedule.
        RescheduleError: it was undone already.
    """
    reschedule = session.get(Reschedule, reschedule_id)
    if reschedule is None or reschedule.user_id != user.id:
        raise RescheduleNotFoundError(reschedule_id)
    if reschedule.undone_at is not None:
        raise RescheduleError("undone")
    moved = {row.card_id: row for row in reschedule.cards}
    restored = 0
    for card in session.scalars(select(Card).where(Card.id.in_(list(moved)))):
        row = moved[card.id]
        answered = card.last_review is not None and card.last_review >= reschedule.created_at
        if card.due == row.due_after and not answered:
            card.due = row.due_before
            restored += 1
    reschedule.undone_at = now
    session.flush()
    return Undone(restored, len(moved) - restored)


@dataclass(frozen=True, slots=True)
class Past:
    """One past reschedule as the list shows it."""

    id: int
    kind: str
    created_at: datetime
    first_day: date | None
    last_day: date | None
    cards: int
    undone_at: datetime | None


def past_reschedules(session: Session, user: User, limit: int = 50) -> list[Past]:
    """The learner's latest reschedules, newest first, with how many cards each moved."""
    moved = (
        select(RescheduledCard.reschedule_id, func.count().label("cards"))
        .group_by(RescheduledCard.reschedule_id)
        .subquery()
    )
    found = session.execute(
        select(Reschedule, func.coalesce(moved.c.cards, 0))
        .outerjoin(moved, moved.c.reschedule_id == Reschedule.id)
        .where(Reschedule.user_id == user.id)
        .order_by(Reschedule.created_at.desc(), Reschedule.id.desc())
        .limit(limit)
    )
    return [
        Past(r.id, r.kind, r.created_at, r.first_day, r.last_day, cards, r.undone_at)
        for r, cards in found
    ]

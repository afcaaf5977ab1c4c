"""Postpone, advance and breaks: a learner's review cards moved to other study days, and
taken back.

Only ``cards.due`` changes; a moved card lands at the start of its new study day (the
learner's rollover hour in their zone). Every reschedule is stored with each card's due
before and after, so that undo puts back exactly what it moved. The running counts of
``bank_progress`` are about answers and introduced cards, never due times, so a
reschedule leaves them as they are: today's due count is read from the cards themselves.

The moved cards are spread over the learner's easy days and the cards already due on each
day, in every bank (``srs.reschedule.spread``). Each card is written only if it is still as
it was read (its review count and due unchanged): a card answered, or moved by another
reschedule, between the read and the write keeps what that wrote and is left out.

Undo restores the cards still where the reschedule put them and leaves the others: a card
answered since (its due is then the answer's) keeps its newer due, and the result says how
many were left. A reschedule whose cards a later one, not undone, moved again cannot be
undone before that one: its cards could then never go back. Of two undos at once, one
wins: ``undone_at`` is set only where it is still empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from models.card import Card
from models.reschedule import Reschedule, RescheduledCard
from models.user import User
from services.conflict import rows_changed
from services.context import Study
from services.load import due_on_days
from services.queue import bank_counts_many, study_bank_ids
from services.reschedule_ask import FIELDS, MESSAGES, Ask, AskError, ask_from, message
from srs.reschedule import (
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
    "Landing",
    "Past",
    "RescheduleNotFoundError",
    "Undone",
    "apply",
    "ask_from",
    "day_start",
    "landing_days",
    "message",
    "overdue_count",
    "past_reschedules",
    "piled_up",
    "plan",
    "undo",
]

# How far ahead a range may end: ten years.
MAX_AHEAD = 3660


class RescheduleNotFoundError(LookupError):
    """No reschedule of this id belongs to the learner."""


def day_start(user: User, on: date) -> datetime:
    """When the study day ``on`` of ``user`` starts, in UTC."""
    zone = ZoneInfo(usable_zone(user.timezone))
    return datetime.combine(on, time(user.rollover_hour), zone).astimezone(timezone.utc)


# What a card was when read: its review count and due; it is moved only if still so.
_Read = dict[int, tuple[int, datetime]]


def _movable(study: Study, before: datetime, read: _Read | None = None) -> list[Movable]:
    """The learner's review cards in the banks they study, due before ``before``, free to
    show (not suspended, not retired); each one's review count and due go into ``read``."""
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
    if read is not None:
        read.update((card.id, (card.reps, card.due)) for card in cards)
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
    """How many review cards are due by the end of today beyond today's limits, bank by
    bank (the review limit is each bank's): what the Today page offers to postpone (0
    when every bank's fit)."""
    user = study.user
    banks = study_bank_ids(study.session, user)
    due: dict[str, int] = dict(
        study.session.execute(
            select(Card.bank_id, func.count())
            .where(
                Card.user_id == user.id,
                Card.bank_id.in_(banks),
                Card.state == REVIEW,
                Card.suspended.is_(False),
                Card.retired.is_(False),
                Card.due < study.day.end,
            )
            .group_by(Card.bank_id)
        )
        .tuples()
        .all()
    )
    left = bank_counts_many(study, [bank for bank in banks if due.get(bank)])
    return sum(max(0, due[bank] - counts.review) for bank, counts in left.items())


def plan(study: Study, ask: Ask, read: _Read | None = None) -> Plan:
    """What ``ask`` would do now, changing nothing; ``read`` gets the review count and due
    of each card the plan saw.

    Raises:
        RescheduleError: the reschedule cannot be made as asked (the message says why).
    """
    today = study.day.date
    easy_days = study.user.study_settings().easy_days
    if ask.kind == "postpone":
        cards = _movable(study, study.day.end, read)
        days = ask.days or 0
        load = _load(study, today + timedelta(days=min(days, MAX_DAYS)))
        return plan_postpone(cards, today, ask.count or 0, days, load=load, easy_days=easy_days)
    if ask.first_day is None or ask.last_day is None:
        raise AskError("date", field="first_day")
    if ask.last_day > today + timedelta(days=MAX_AHEAD):
        raise RescheduleError("too_far", days=MAX_AHEAD)
    cards = _movable(study, day_start(study.user, ask.last_day + timedelta(days=1)), read)
    if ask.kind == "advance":
        load = _load(study, ask.first_day)
        return plan_advance(
            cards,
            today,
            ask.first_day,
            ask.last_day,
            ask.days or 0,
            ask.count,
            load=load,
            easy_days=easy_days,
        )
    after = min(ask.days_after or 0, MAX_DAYS)
    load = _load(study, ask.last_day + timedelta(days=after))
    return plan_break(
        cards,
        today,
        ask.first_day,
        ask.last_day,
        ask.days_before or 0,
        ask.days_after or 0,
        load=load,
        easy_days=easy_days,
    )


def _load(study: Study, last: date) -> dict[date, int]:
    """The cards already due on each day from today to ``last``, in all the learner's
    banks (none read for a range in the past, which the plan refuses)."""
    if last < study.day.date:
        return {}
    return due_on_days(study.session, study.user, study.now, last)


def apply(study: Study, ask: Ask) -> Reschedule:
    """Plan ``ask`` and move its cards, logged as one reschedule; the caller commits.

    Each card is moved by a conditional ``UPDATE``: only if its review count and due are
    still those the plan read. A card answered or moved by another request in between
    keeps what that request wrote and is left out of the reschedule, so two identical
    reschedules at once do not both move (and log) the same cards.

    Raises:
        RescheduleError: as :func:`plan`, or ``nothing`` when no card is left to move.
    """
    session, user = study.session, study.user
    read: _Read = {}
    chosen = plan(study, ask, read)
    if not chosen.moves:
        raise RescheduleError("nothing")
    reschedule = Reschedule(
        user_id=user.id,
        kind=chosen.kind,
        created_at=study.now,
        first_day=chosen.first_day,
        last_day=chosen.last_day,
    )
    starts: dict[date, datetime] = {}
    for move in chosen.moves:
        card_id, day = move.card_id, move.to_day
        reps, due_before = read[card_id]
        due = starts.setdefault(day, day_start(user, day))
        written = session.execute(
            update(Card)
            .where(Card.id == card_id, Card.reps == reps, Card.due == due_before)
            .values(due=due)
            .execution_options(synchronize_session=False)
        )
        if rows_changed(written):
            reschedule.cards.append(
                RescheduledCard(card_id=card_id, due_before=due_before, due_after=due)
            )
    if not reschedule.cards:
        raise RescheduleError("nothing")
    session.add(reschedule)
    session.flush()
    return reschedule


@dataclass(frozen=True, slots=True)
class Landing:
    """One day a plan moves cards to: those already due there, those moved there, whether
    it is today, and whether the total passes the learner's reviews a day."""

    day: date
    already: int
    moved: int
    today: bool
    over_limit: bool


def landing_days(study: Study, chosen: Plan) -> list[Landing]:
    """The days ``chosen`` moves cards to, in order, with what each will hold: a pile-up
    (today, or more than a day's reviews) shows before it is made."""
    limit = study.user.reviews_per_day
    return [
        Landing(day, already, moved, day == study.day.date, already + moved > limit)
        for day, already, moved in chosen.days()
    ]


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
        RescheduleError: it was undone already (``undone``, by another request too), or
            a later reschedule, not undone, moved some of its cards again (``later``).
    """
    # reschedules.id is an INTEGER: a larger number names none (and PostgreSQL refuses it).
    reschedule = session.get(Reschedule, reschedule_id) if 0 < reschedule_id < 2**31 else None
    if reschedule is None or reschedule.user_id != user.id:
        raise RescheduleNotFoundError(reschedule_id)
    if reschedule.undone_at is not None:
        raise RescheduleError("undone")
    moved = {row.card_id: row for row in reschedule.cards}
    again = RescheduledCard.__table__.alias("again")
    later = session.scalar(
        select(func.count())
        .select_from(Reschedule)
        .join(again, again.c.reschedule_id == Reschedule.id)
        .where(
            Reschedule.user_id == user.id,
            Reschedule.id > reschedule.id,  # made later
            Reschedule.undone_at.is_(None),
            again.c.card_id.in_(
                select(RescheduledCard.card_id).where(
                    RescheduledCard.reschedule_id == reschedule.id
                )
            ),
        )
    )
    if later:
        raise RescheduleError("later")
    # Only one of two undos at once sets the time; the other finds it set.
    marked = session.execute(
        update(Reschedule)
        .where(Reschedule.id == reschedule.id, Reschedule.undone_at.is_(None))
        .values(undone_at=now)
        .execution_options(synchronize_session=False)
    )
    if not rows_changed(marked):
        raise RescheduleError("undone")
    restored = 0
    for row in moved.values():
        put_back = session.execute(
            update(Card)
            .where(
                Card.id == row.card_id,
                Card.due == row.due_after,
                Card.last_review.is_(None) | (Card.last_review < reschedule.created_at),
            )
            .values(due=row.due_before)
            .execution_options(synchronize_session=False)
        )
        restored += rows_changed(put_back)
    session.expire(reschedule)
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

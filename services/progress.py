"""A learner's progress in each bank, kept so that the queue need not count every card.

``bank_progress`` holds, per learner and bank, the cards introduced, the position from which
questions may lack cards, and the answers of the last study day. Answers and suspensions add
to it (:func:`add_progress`); :func:`read_progress` reads it; when many cards change at once
(an import, a new time zone, an optimization) it is counted afresh from the cards and the
log (:func:`recount_bank`, :func:`recount_learner`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, bindparam, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.bank import Bank, Question
from models.card import BankProgress, Card, Review
from models.user import User
from services.context import rows, today
from services.driver import DriverStatement
from services.load import forget_load
from srs.scheduler import NEW, REVIEW
from srs.study import StudyDay

__all__ = [
    "Progress",
    "add_progress",
    "cards_of",
    "done_on",
    "read_progress",
    "recount_bank",
    "recount_learner",
    "set_study_day",
    "taken",
]


def taken(state: int, suspended: bool, retired: bool) -> int:
    """1 if a card counts in ``BankProgress.introduced``: kept from the new ones waiting."""
    return int(not retired and (state != NEW or suspended))


@dataclass(frozen=True, slots=True)
class Progress:
    """A bank's card count and the learner's kept counts in it (zeros before any)."""

    cards: int
    introduced: int = 0
    next_position: int = 0
    day: date | None = None
    new_done: int = 0
    reviews_done: int = 0


# A bank's card count and the learner's kept counts in it, as :class:`Progress` takes them.
PROGRESS_COLUMNS = (
    Bank.card_count,
    BankProgress.introduced,
    BankProgress.next_position,
    BankProgress.day,
    BankProgress.new_done,
    BankProgress.reviews_done,
)

_PROGRESS = (
    select(Bank.id, *PROGRESS_COLUMNS)
    .outerjoin(
        BankProgress,
        and_(BankProgress.bank_id == Bank.id, BankProgress.user_id == bindparam("user")),
    )
    .where(Bank.id.in_(bindparam("banks", expanding=True)))
)


def read_progress(session: Session, user_id: int, bank_ids: list[str]) -> dict[str, Progress]:
    found = {}
    for bank_id, cards, *kept in rows(session).execute(
        _PROGRESS, {"user": user_id, "banks": bank_ids}
    ):
        found[bank_id] = Progress(cards or 0) if kept[0] is None else Progress(cards, *kept)
    return found


def _upsert(session: Session) -> Any:
    """``INSERT … ON CONFLICT`` into ``bank_progress`` in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(BankProgress)
    return sqlite.insert(BankProgress)


@lru_cache(maxsize=8)
def _add_statement(answered: bool, placed: bool) -> DriverStatement:
    """The upsert of :func:`add_progress` for one kind of change, in the SQL that SQLite and
    PostgreSQL share (written out: the dialects' own upsert constructs are compiled anew
    at every execution)."""
    changes = ["introduced = bank_progress.introduced + :introduced"]
    if answered:
        later = "bank_progress.day IS NULL OR bank_progress.day < :day"
        for column, param in (("new_done", "new"), ("reviews_done", "review")):
            changes.append(
                f"{column} = CASE WHEN bank_progress.day = :day THEN bank_progress.{column} + "
                f":{param} WHEN {later} THEN :{param} ELSE bank_progress.{column} END"
            )
        changes.append(f"day = CASE WHEN {later} THEN :day ELSE bank_progress.day END")
    if placed:
        changes.append("next_position = :position")
    return DriverStatement(
        text(
            "INSERT INTO bank_progress"  # noqa: S608 (the text is made of constants)
            " (user_id, bank_id, introduced, next_position, day, new_done, reviews_done)"
            " VALUES (:user, :bank, :introduced, :position, :day, :new, :review)"
            " ON CONFLICT (user_id, bank_id) DO UPDATE SET " + ", ".join(changes)
        ).bindparams(bindparam("day", type_=Date()))
    )


def add_progress(
    session: Session,
    user_id: int,
    bank_id: str,
    *,
    introduced: int = 0,
    day: date | None = None,
    new: int = 0,
    review: int = 0,
    next_position: int | None = None,
) -> None:
    """Add to a learner's kept counts in a bank, making the row if it is the first.

    ``new`` and ``review`` count answers on study day ``day``: a later day starts the
    counts again, an earlier one (a clock set back) leaves them as they are.
    """
    _add_statement(day is not None, next_position is not None).written(
        session.connection(),
        {
            "user": user_id,
            "bank": bank_id,
            "introduced": introduced,
            "position": next_position or 0,
            "day": day,
            "new": new,
            "review": review,
        },
    )


_DONE_ON = (
    select(Review.bank_id, Review.state_before, func.count())
    .where(
        Review.user_id == bindparam("user"),
        Review.reviewed_at >= bindparam("start"),
        Review.reviewed_at < bindparam("end"),
        Review.bank_id.in_(bindparam("banks", expanding=True)),
        Review.state_before.in_((NEW, REVIEW)),
    )
    .group_by(Review.bank_id, Review.state_before)
)


def done_on(
    session: Session, user_id: int, bank_ids: list[str], day: StudyDay
) -> dict[tuple[str, int], int]:
    """Answers on ``day`` per bank to cards that were new and that were in review, counted."""
    values = {"user": user_id, "start": day.start, "end": day.end, "banks": bank_ids}
    return {
        (bank_id, state): count for bank_id, state, count in rows(session).execute(_DONE_ON, values)
    }


def _recount(session: Session, which: ColumnElement[bool]) -> None:
    """``introduced`` and ``next_position`` of the ``which`` progress rows, counted afresh."""
    kept = BankProgress.__table__.c
    introduced = (
        select(func.count())
        .select_from(Card)
        .where(
            Card.user_id == kept.user_id,
            Card.bank_id == kept.bank_id,
            Card.retired.is_(False),
            or_(Card.state != NEW, Card.suspended.is_(True)),
        )
        .scalar_subquery()
    )
    lacking = (
        select(func.min(Question.position))
        .where(
            Question.bank_id == kept.bank_id,
            Question.retired.is_(False),
            cards_of(kept.user_id) < Question.card_count,
        )
        .scalar_subquery()
    )
    end = (
        select(func.coalesce(func.max(Question.position) + 1, 0))
        .where(Question.bank_id == kept.bank_id, Question.retired.is_(False))
        .scalar_subquery()
    )
    session.execute(
        update(BankProgress)
        .where(which)
        .values(introduced=introduced, next_position=func.coalesce(lacking, end))
    )


def cards_of(user_id: Any) -> Any:
    """How many cards, not retired, ``user_id`` has of the question in the enclosing query."""
    return (
        select(func.count())
        .select_from(Card)
        .where(Card.user_id == user_id, Card.question_id == Question.id, Card.retired.is_(False))
        .correlate_except(Card)
        .scalar_subquery()
    )


def recount_bank(session: Session, bank_id: str) -> None:
    """Count every learner's progress in ``bank_id`` afresh, after an import changed its
    questions, their cards or their order."""
    _recount(session, BankProgress.bank_id == bank_id)


def recount_learner(session: Session, user: User, now: datetime) -> None:
    """Count ``user``'s progress in every bank afresh: after their study day moved (a new
    time zone or rollover hour), or anything else that changed many cards at once."""
    forget_load(session, user.id)
    pairs = select(Card.user_id, Card.bank_id).where(Card.user_id == user.id).distinct()
    session.execute(
        _upsert(session)
        .from_select(["user_id", "bank_id"], pairs)
        .on_conflict_do_nothing(index_elements=["user_id", "bank_id"])
    )
    _recount(session, BankProgress.user_id == user.id)
    # The day kept is today, or the day of the newest answer if the clock went back since.
    day = today(user, now)
    newest = session.scalar(select(func.max(Review.reviewed_at)).where(Review.user_id == user.id))
    if newest is not None and today(user, newest).date > day.date:
        day = today(user, newest)
    banks = list(
        session.scalars(select(BankProgress.bank_id).where(BankProgress.user_id == user.id))
    )
    done = done_on(session, user.id, banks, day)
    for bank_id in banks:
        session.execute(
            update(BankProgress)
            .where(BankProgress.user_id == user.id, BankProgress.bank_id == bank_id)
            .values(
                day=day.date,
                new_done=done.get((bank_id, NEW), 0),
                reviews_done=done.get((bank_id, REVIEW), 0),
            )
        )


def set_study_day(
    session: Session, user: User, timezone: str, rollover_hour: int, now: datetime
) -> bool:
    """Set the zone and hour at which ``user``'s study days start.

    When either changes, the bounds of today move and the answers kept for it may fall on
    another day, so the learner's progress is recounted.

    Returns:
        Whether the study day moved.
    """
    moved = (user.timezone, user.rollover_hour) != (timezone, rollover_hour)
    user.timezone = timezone
    user.rollover_hour = rollover_hour
    if moved:
        recount_learner(session, user, now)
    return moved

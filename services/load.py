"""A learner's cards due on each study day ahead: what load balancing spreads reviews over.

The answer (``services.answers``) and the grade buttons (``views.cards``) both fuzz a review
interval over this load, so both read it here, the same way: the interval a button shows is
the one the answer gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from models.card import Card
from models.user import User
from services.context import rows, today
from services.stats_sql import EPOCH, day_number, dialect_of, positions
from srs.balance import LOAD_DAYS
from srs.scheduler import NEW
from srs.study import day_spans, usable_zone

__all__ = ["DueLoad", "due_by_day", "due_on_days"]


class DueLoad(Mapping[date, int]):
    """The learner's cards due on each study date from tomorrow on, for :data:`LOAD_DAYS`
    days: in every bank, not new, not suspended, not retired, and not answered today.

    Cards answered today are left out so that the load stays what it was when the day began:
    the grade buttons of a card fetched ahead show the days its answer gets, whatever the
    cards answered in between. The day's answers are still spread, each by its own draw.

    Read in one grouped query over ``ix_cards_user_due`` on first use, so an answer that is
    not fuzzed (learning steps, short intervals) costs nothing. A date out of the window
    counts 0.
    """

    def __init__(self, session: Session, user: User, now: datetime) -> None:
        self._session, self._user, self._now = session, user, now
        self._counts: dict[date, int] | None = None

    def _read(self) -> dict[date, int]:
        if self._counts is None:
            self._counts = due_by_day(self._session, self._user, self._now)
        return self._counts

    def __getitem__(self, on: date) -> int:
        return self._read()[on]

    def get(self, on: date, default: int | None = None) -> int | None:  # type: ignore[override]
        return self._read().get(on, default)

    def __iter__(self) -> Iterator[date]:
        return iter(self._read())

    def __len__(self) -> int:
        return len(self._read())


def due_by_day(session: Session, user: User, now: datetime) -> dict[date, int]:
    """The counts :class:`DueLoad` holds, read now."""
    day = today(user, now)
    start = day.end  # tomorrow's start: today's cards are today's work, not balanced over
    end = day.end + timedelta(days=LOAD_DAYS + 1)
    return _counts(session, user, start, end, Card.last_review < day.start)


def due_on_days(session: Session, user: User, now: datetime, last: date) -> dict[date, int]:
    """The learner's cards due on each study day from today to ``last``, in every bank,
    not new, not suspended, not retired: what a reschedule spreads its cards over. Today
    counts the overdue cards too, since they are today's work."""
    day = today(user, now)
    # The start of the day after ``last``, on the zone's clock (a day may be 23 or 25 hours).
    after = max(last, day.date) + timedelta(days=1)
    zone = ZoneInfo(usable_zone(user.timezone))
    end = datetime.combine(after, time(user.rollover_hour), zone).astimezone(timezone.utc)
    counts = _counts(session, user, day.start, end)
    overdue = rows(session).scalar(
        select(func.count()).where(*_studied(user), Card.due < day.start)
    )
    if overdue:
        counts[day.date] = counts.get(day.date, 0) + overdue
    return counts


def _studied(user: User) -> tuple[ColumnElement[bool], ...]:
    return (
        Card.user_id == user.id,
        Card.state != NEW,
        Card.suspended.is_(False),
        Card.retired.is_(False),
    )


def _counts(
    session: Session, user: User, start: datetime, end: datetime, *more: ColumnElement[bool]
) -> dict[date, int]:
    """The learner's studied cards due in ``[start, end)``, counted by study date."""
    spans = day_spans(user.timezone, user.rollover_hour, start, end)
    number = day_number(dialect_of(session), Card.due, spans)
    counts: dict[date, int] = {}
    for days, count in rows(session).execute(
        select(number, func.count())
        .where(*_studied(user), Card.due >= start, Card.due < end, *more)
        .group_by(*positions(1))
    ):
        counts[EPOCH + timedelta(days=int(days))] = count
    return counts

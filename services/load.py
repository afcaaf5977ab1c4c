"""A learner's cards due on each study day ahead: what load balancing spreads reviews over.

The answer (``services.answers``) and the grade buttons (``views.cards``) both fuzz a review
interval over this load, so both read it here, the same way: the interval a button shows is
the one the answer gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, select
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

    Read where it is asked, over ``ix_cards_user_due``: the scheduler asks for a fuzz
    range's days together (:meth:`counts_on`), and a date asked alone is read with the days
    after it that a fuzz range around it can reach (about a quarter of its distance). So an
    answer reads the few days its interval may land on, not the whole window (with the
    learner's cards due over months, that whole window was most of an answer's time), and
    one that is not fuzzed (learning steps, short intervals) reads nothing. A date out of
    the window counts 0.
    """

    def __init__(self, session: Session, user: User, now: datetime) -> None:
        self._session, self._user = session, user
        self._day = today(user, now)
        self._first = self._day.date + timedelta(days=1)  # today's cards are today's work
        self._last = self._first + timedelta(days=LOAD_DAYS)
        self._counts: dict[date, int] = {}
        self._known: set[date] = set()

    def _read(self, first: date, last: date) -> None:
        """Read the dates ``first`` to ``last`` (inclusive, inside the window)."""
        zone = ZoneInfo(usable_zone(self._user.timezone))
        hour = time(self._user.rollover_hour)

        def start(on: date) -> datetime:
            return datetime.combine(on, hour, zone).astimezone(timezone.utc)

        days = (last - first).days + 1
        starts = [start(first + timedelta(days=n)) for n in range(days + 1)]
        counts = _counts_by_start(
            self._session, self._user, starts, Card.last_review < self._day.start
        )
        for n, count in enumerate(counts):
            on = first + timedelta(days=n)
            self._known.add(on)
            self._counts[on] = count

    def __getitem__(self, on: date) -> int:
        if on < self._first or on > self._last:
            raise KeyError(on)
        if on not in self._known:
            # A fuzz range (srs.scheduler.fuzz_range) spans under a quarter of its
            # interval and three days, so one block usually holds all of it.
            ahead = max(_BLOCK, (on - self._day.date).days // 4 + 3)
            last = min(on + timedelta(days=ahead - 1), self._last)
            while last in self._known:  # stop short of what an earlier block read
                last -= timedelta(days=1)
            self._read(on, last)
        return self._counts[on]

    def counts_on(self, dates: Sequence[date]) -> list[int]:
        """The count of each of ``dates`` (0 out of the window), the days not yet read
        read together: a fuzz range's days, as :mod:`srs.scheduler` asks for them."""
        unread = [on for on in dates if self._first <= on <= self._last and on not in self._known]
        if unread:
            self._read(min(unread), max(unread))
        return [self._counts.get(on, 0) for on in dates]

    def get(self, on: date, default: int | None = None) -> int | None:  # type: ignore[override]
        try:
            return self[on]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[date]:
        unread = [on for on in self._window() if on not in self._known]
        if unread:
            self._read(unread[0], unread[-1])
        return iter(self._window())

    def __len__(self) -> int:
        return LOAD_DAYS + 1

    def _window(self) -> list[date]:
        return [self._first + timedelta(days=n) for n in range(LOAD_DAYS + 1)]


# The fewest days one read of the load covers.
_BLOCK = 7


def due_by_day(session: Session, user: User, now: datetime) -> dict[date, int]:
    """The counts :class:`DueLoad` holds, read now in one query."""
    return dict(DueLoad(session, user, now).items())


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


def _counts_by_start(
    session: Session, user: User, starts: list[datetime], *more: ColumnElement[bool]
) -> list[int]:
    """The learner's studied cards due in each ``[starts[n], starts[n + 1])``: a few days'
    bounds compared in the database, cheaper than each card's study date worked out there."""
    last = len(starts) - 2
    whens = [(Card.due < bound, n) for n, bound in enumerate(starts[1:-1])]
    day = case(*whens, else_=last) if whens else literal(last)
    counts = [0] * (len(starts) - 1)
    for n, count in rows(session).execute(
        select(day, func.count())
        .where(*_studied(user), Card.due >= starts[0], Card.due < starts[-1], *more)
        .group_by(*positions(1))
    ):
        counts[n] = count
    return counts


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

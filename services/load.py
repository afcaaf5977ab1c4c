"""A learner's cards due on each study day ahead: what load balancing spreads reviews over.

The answer (``services.answers``) and the grade buttons (``views.cards``) both fuzz a review
interval over this load, so both read it here, the same way: the interval a button shows is
the one the answer gives.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, bindparam, exists, func, null, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.card import Card, KeptLoad
from models.user import User
from services.context import rows, today
from services.stats_sql import EPOCH, day_number, dialect_of, positions
from srs.balance import LOAD_DAYS
from srs.scheduler import NEW
from srs.study import StudyDay, day_spans, usable_zone

__all__ = [
    "KEPT_LOAD_COLUMNS",
    "DueLoad",
    "KeptLoadRow",
    "due_by_day",
    "due_on_days",
    "forget_load",
]


class DueLoad(Mapping[date, int]):
    """The learner's cards due on each study date from tomorrow on, for :data:`LOAD_DAYS`
    days: in every bank, not new, not suspended, not retired, and not answered today.

    Cards answered today are left out so that the load stays what it was when the day began:
    the grade buttons of a card fetched ahead show the days its answer gets, whatever the
    cards answered in between. The day's answers are still spread, each by its own draw.

    Counted once a study day and kept (``kept_loads``, :class:`models.card.KeptLoad`): the
    first request that needs it reads it, one row; a learner's first of the day, or the first
    after a change of their cards that moves it (see migration 0019), counts it over
    ``ix_cards_user_due`` and keeps it. Nothing is read until a date is asked for: an answer
    that is not fuzzed (learning steps, short intervals) reads nothing. A date out of the
    window counts 0.
    """

    def __init__(
        self, session: Session, user: User, now: datetime, kept: KeptLoadRow | None = None
    ) -> None:
        """``kept``: the learner's ``kept_loads`` row (:data:`KEPT_LOAD_COLUMNS`) as another
        statement of the transaction read it, before any change of the learner's cards that
        moves the load (new cards made do not); read here if not given."""
        self._session, self._user = session, user
        self._day = today(user, now)
        self._first = self._day.date + timedelta(days=1)  # today's cards are today's work
        self._now = now
        self._given = kept
        self._counts: list[int] | None = None  # by day from the first

    def read(self) -> DueLoad:
        """The load read now, and kept if it had to be counted: for a caller that commits
        before asking for a date."""
        self._read()
        return self

    def _read(self) -> list[int]:
        if self._counts is None:
            self._counts = _kept(
                self._session, self._user, self._day, self._first, self._now, self._given
            )
        return self._counts

    def __getitem__(self, on: date) -> int:
        offset = (on - self._first).days
        if not 0 <= offset <= LOAD_DAYS:
            raise KeyError(on)
        return self._read()[offset]

    def counts_on(self, dates: Sequence[date]) -> list[int]:
        """The count of each of ``dates`` (0 out of the window): a fuzz range's days, as
        :mod:`srs.scheduler` asks for them."""
        counts, first = self._read(), self._first
        return [
            counts[offset] if 0 <= (offset := (on - first).days) <= LOAD_DAYS else 0 for on in dates
        ]

    def get(self, on: date, default: int | None = None) -> int | None:  # type: ignore[override]
        try:
            return self[on]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[date]:
        return iter(self._first + timedelta(days=n) for n in range(LOAD_DAYS + 1))

    def __len__(self) -> int:
        return LOAD_DAYS + 1


class KeptLoadRow(NamedTuple):
    """A learner's ``kept_loads`` row as read (``stamp`` ``None``: the learner has none)."""

    stamp: int | None = None
    day_start: datetime | None = None
    window_start: datetime | None = None
    counts: list[int] | None = None

    @classmethod
    def ending(cls, row: Sequence[Any]) -> KeptLoadRow:
        """The row read as the last columns of a statement's row (:data:`KEPT_LOAD_COLUMNS`)."""
        return cls(*row[-len(KEPT_LOAD_COLUMNS) :])


# The row's columns, for statements that read it beside their own (an answer's card read).
KEPT_LOAD_COLUMNS = (KeptLoad.stamp, KeptLoad.day_start, KeptLoad.window_start, KeptLoad.counts)
_KEPT = select(*KEPT_LOAD_COLUMNS).where(KeptLoad.user_id == bindparam("user"))
# Kept only if no change of the learner's cards was committed since the stamp was read, and
# the learner's study day is still the one counted by (a new time zone or rollover hour may
# start the day at the same instant, yet put a later due on another date).
_KEEP = (
    update(KeptLoad)
    .where(KeptLoad.user_id == bindparam("user"), KeptLoad.stamp == bindparam("read_stamp"))
    .where(
        exists().where(
            User.id == KeptLoad.user_id,
            User.timezone == bindparam("read_timezone"),
            User.rollover_hour == bindparam("read_rollover_hour"),
        )
    )
    .values(
        day_start=bindparam("read_day_start"),
        window_start=bindparam("read_window_start"),
        counts=bindparam("read_counts"),
    )
)
_FORGET = (
    update(KeptLoad)
    .where(KeptLoad.user_id == bindparam("user"))
    .values(stamp=KeptLoad.stamp + 1, counts=null())  # SQL's NULL, as the triggers write
)


# How long after a study day starts its load is counted but not kept: an answer made before
# the day began, still on its way to the database, moves the new day's load, and the
# triggers, which read the row kept for the day before, would not see that it does.
SETTLING = timedelta(minutes=2)


def _kept(
    session: Session,
    user: User,
    day: StudyDay,
    first: date,
    now: datetime,
    given: KeptLoadRow | None = None,
) -> list[int]:
    """The load of ``day``'s window from ``first``, by day: kept (the row ``given``, or
    read), or counted and kept.

    The row's stamp is read before the cards are counted, and the counts are kept only if
    the stamp is still the same when they are written: a change of the learner's cards
    committed in between raised it (its trigger), so counts that may have missed the change
    are never kept. Nor are counts made in the day's first :data:`SETTLING`.
    """
    window_start = _day_start(user, first)
    connection = rows(session)
    if given is None:
        read = connection.execute(_KEPT, {"user": user.id}).one_or_none()
        given = KeptLoadRow() if read is None else KeptLoadRow(*read)
    kept = None if given.stamp is None else given
    if (
        kept is not None
        and kept.counts is not None
        and kept.day_start == day.start
        and kept.window_start == window_start
        and len(kept.counts) == LOAD_DAYS + 1
    ):
        return kept.counts
    last = first + timedelta(days=LOAD_DAYS)
    by_date = _counts(
        session, user, window_start, _day_start(user, last + timedelta(days=1)),
        Card.last_review < day.start,
    )  # fmt: skip
    counts = [by_date.get(first + timedelta(days=n), 0) for n in range(LOAD_DAYS + 1)]
    if now - day.start >= SETTLING:
        _keep(connection, user, kept, day, window_start, counts)
    return counts


def _keep(
    connection: Connection,
    user: User,
    kept: KeptLoadRow | None,
    day: StudyDay,
    window_start: datetime,
    counts: list[int],
) -> None:
    """Keep ``counts``, counted after ``kept`` was read, if nothing has moved them since."""
    if kept is None:
        # A row lost (a table emptied by hand): made again, to keep counts from the next read.
        made = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(made(KeptLoad).values(user_id=user.id, stamp=0).on_conflict_do_nothing())
        return
    connection.execute(
        _KEEP,
        {
            "user": user.id,
            "read_stamp": kept.stamp,
            "read_day_start": day.start,
            "read_window_start": window_start,
            "read_counts": counts,
            "read_timezone": user.timezone,
            "read_rollover_hour": user.rollover_hour,
        },
    )


def forget_load(session: Session, user_id: int) -> None:
    """Clear ``user_id``'s kept load, after many changes of their cards at once (their
    triggers clear it too) or of their study day."""
    rows(session).execute(_FORGET, {"user": user_id})


def _day_start(user: User, on: date) -> datetime:
    """When study date ``on`` starts for ``user``, in UTC."""
    zone = ZoneInfo(usable_zone(user.timezone))
    return datetime.combine(on, time(user.rollover_hour), zone).astimezone(timezone.utc)


def due_by_day(session: Session, user: User, now: datetime) -> dict[date, int]:
    """The counts :class:`DueLoad` holds, read now in one query."""
    return dict(DueLoad(session, user, now).items())


def due_on_days(session: Session, user: User, now: datetime, last: date) -> dict[date, int]:
    """The learner's cards due on each study day from today to ``last``, in every bank,
    not new, not suspended, not retired: what a reschedule spreads its cards over. Today
    counts the overdue cards too, since they are today's work."""
    day = today(user, now)
    # The start of the day after ``last``, on the zone's clock (a day may be 23 or 25 hours).
    end = _day_start(user, max(last, day.date) + timedelta(days=1))
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

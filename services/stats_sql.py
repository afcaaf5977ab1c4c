"""The SQL the statistics group by, written for SQLite and PostgreSQL alike: study-day
numbers from timestamps, whole seconds and days, intervals, and the summed reviews per day.

Each function takes the dialect's name, so that one query builder serves both databases.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Integer,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    insert,
    literal,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql import ColumnElement

from models.card import Review
from models.stats import ReviewDay
from models.types import UTCDateTime
from models.user import User
from srs.scheduler import REVIEW, Rating
from srs.stats import MATURE_DAYS, DayTotals
from srs.study import DaySpan, day_spans

DAY_US = 86_400_000_000
# A column, or a mapped attribute that stands for one.
Column = ColumnElement[Any] | QueryableAttribute[Any]
EPOCH = date(1970, 1, 1)
JULIAN_1970 = 2440587.5  # SQLite's julianday('1970-01-01')


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def whole_seconds(dialect: str, column: Column) -> ColumnElement[int]:
    """Seconds from 1970 to the UTC time ``column``, its fraction dropped, exactly."""
    if dialect == "sqlite":  # stored as text: 'YYYY-MM-DD HH:MM:SS.ffffff'
        days = func.julianday(func.substr(column, 1, 19)) - JULIAN_1970
        return cast(func.round(days * 86400), Integer)
    return cast(func.floor(extract("epoch", column)), BigInteger)


def day_number(dialect: str, column: Column, spans: list[DaySpan]) -> ColumnElement[int]:
    """The study date of the UTC time ``column`` as days from 1970 (a time before the first
    span is shifted as the first span shifts)."""
    shifts = [int(span.shift.total_seconds()) for span in spans]
    shift = (
        case(
            *((column < span.end, n) for span, n in zip(spans, shifts, strict=False)),
            else_=shifts[-1],
        )
        if len(spans) > 1
        else literal(shifts[0])
    )
    return (whole_seconds(dialect, column) + shift) // 86400


def dates(numbers: str | None) -> Counter[date]:
    """Day numbers joined with commas (see :func:`joined`), counted by date."""
    if not numbers:
        return Counter()
    counts = Counter(numbers.split(","))
    return Counter({EPOCH + timedelta(days=int(n)): count for n, count in counts.items()})


def joined(dialect: str, value: Column, separator: str) -> ColumnElement[str]:
    """A group's values as one text, NULLs left out. Counting them in Python is cheaper than
    SQLite sorting every card by value for a GROUP BY."""
    if dialect == "sqlite":
        return func.group_concat(value, separator)
    return func.string_agg(cast(value, String), separator)


def micros(column: Column) -> ColumnElement[int]:
    """The microseconds of a time stored as SQLite text."""
    return cast(func.substr(column, 21, 6), Integer)


def interval_days(dialect: str, due: Column, last: Column) -> ColumnElement:
    """Whole days from a card's last review to its due time (not before it).

    On SQLite, through julianday's milliseconds: exact when the interval is whole days, as
    every interval FSRS gives is (the two times then round alike), or more than a
    millisecond off whole days. Exact to the microsecond costs SQLite twice as much here.
    """
    if dialect == "sqlite":
        millis = func.round((func.julianday(due) - func.julianday(last)) * 86_400_000)
        return cast(millis, Integer) // 86_400_000
    return cast(extract("day", due - last), Integer)


def whole_days_since(dialect: str, moment: datetime, column: Column) -> ColumnElement:
    """Whole days from the time ``column`` to ``moment`` (not before it), exactly as
    ``timedelta.days``; ``moment``'s part is worked out here rather than once per row.

    On SQLite the days come from julianday's milliseconds, within a millisecond of the
    truth; only when that is within a millisecond of whole days (rarely) are they counted
    to the microsecond.
    """
    utc = moment.astimezone(UTC)
    if dialect != "sqlite":
        return cast(extract("day", literal(utc, DateTime(timezone=True)) - column), Integer)
    whole = utc.replace(microsecond=0)
    now_millis = round(utc.timestamp() * 1000)  # as julianday rounds a time to milliseconds
    millis = cast(
        func.round((JULIAN_1970 + now_millis / 86_400_000 - func.julianday(column)) * 86_400_000),
        Integer,
    )
    seconds = int(whole.timestamp()) - whole_seconds(dialect, column)
    exact = (seconds * 1_000_000 + (utc.microsecond - micros(column))) // DAY_US
    return case(((millis + 1) % 86_400_000 > 2, millis // 86_400_000), else_=exact)


def at_least_days_apart(
    dialect: str, later: ColumnElement, earlier: ColumnElement, days: int
) -> ColumnElement[bool]:
    """``later - earlier >= days`` whole days, exactly."""
    if dialect == "sqlite":  # the later time moved back, as text in the stored form
        moved = func.datetime(func.substr(later, 1, 19), f"-{days} days").op("||")(
            func.substr(later, 20)
        )
        return earlier <= moved
    return later - earlier >= timedelta(days=days)


def floor(dialect: str, value: Column) -> ColumnElement:
    if dialect == "sqlite":  # CAST truncates, which is the floor for the values given here
        return cast(value, Integer)
    return cast(func.floor(value), Integer)


def plain(column: Column) -> ColumnElement:
    """A time column as the driver gives it (no result processing): for arithmetic."""
    return type_coerce(column, DateTime())


# -- reviews ---------------------------------------------------------------------------------


def _review_terms(
    session: Session, user: User, start: datetime | None, end: datetime | None
) -> (
    tuple[list[ColumnElement[bool]], ColumnElement, ColumnElement, ColumnElement, ColumnElement]
    | None
):
    """What :func:`summed_reviews` and :func:`keep_reviews` group by: the learner's window in
    ``[start, end)`` and, for each review, its study-day number, its kind (0 not a review
    card, 1 young, 2 mature), whether it passed, and its whole seconds. ``None`` for an
    empty window."""
    window = [Review.user_id == user.id]
    if start is not None:
        window.append(Review.reviewed_at >= start)
    if end is not None:
        window.append(Review.reviewed_at < end)

    def edge(column: Column) -> datetime | None:
        return session.scalar(select(Review.reviewed_at).where(*window).order_by(column).limit(1))

    first, last = edge(Review.reviewed_at), edge(Review.reviewed_at.desc())
    if first is None or last is None:
        return None
    dialect = dialect_of(session)
    spans = day_spans(user.timezone, user.rollover_hour, first, last + timedelta(seconds=1))
    day = day_number(dialect, Review.reviewed_at, spans)
    at, before = plain(Review.reviewed_at), plain(Review.last_review_before)
    kind = case(
        (Review.state_before != REVIEW, 0),
        (at_least_days_apart(dialect, at, before, MATURE_DAYS), 2),
        else_=1,
    )
    passed = case((Review.rating > int(Rating.AGAIN), 1), else_=0)
    elapsed = func.coalesce(Review.elapsed_ms, 0)
    # Whole seconds, floored as Python's // floors (SQL's integer division truncates).
    seconds = case((elapsed >= 0, elapsed // 1000), else_=-((999 - elapsed) // 1000))
    return window, day, kind, passed, seconds


def summed_reviews(
    session: Session, user: User, start: datetime | None, end: datetime | None
) -> dict[tuple[str, date], DayTotals]:
    """The learner's reviews in ``[start, end)`` (open where ``None``) by bank and study day."""
    terms = _review_terms(session, user, start, end)
    if terms is None:
        return {}
    window, day, kind, passed, seconds = terms
    sums: dict[tuple[str, date], list[int]] = {}
    for bank_id, number, review_kind, ok, count, spent in session.execute(
        select(Review.bank_id, day, kind, passed, func.count(), func.sum(seconds))
        .where(*window)
        .group_by(*positions(4))
    ):
        entry = sums.setdefault((bank_id, EPOCH + timedelta(days=number)), [0] * 6)
        entry[0] += count
        entry[1] += int(spent or 0)
        if review_kind:
            entry[2 + 2 * (review_kind == 2) + (not ok)] += count
    return {key: DayTotals(*entry) for key, entry in sums.items()}


def keep_reviews(session: Session, user: User, start: datetime | None, end: datetime) -> None:
    """The learner's reviews in ``[start, end)`` summed by bank and study day into
    ``review_days`` (counted before ``end``), in one statement: nothing passes through
    Python."""
    terms = _review_terms(session, user, start, end)
    if terms is None:
        return
    window, day, kind, passed, seconds = terms
    dialect = dialect_of(session)
    on: ColumnElement
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD', as SQLAlchemy writes a date
        on = func.date(day * 86400, "unixepoch")
    else:
        on = literal(EPOCH, Date()) + cast(day, Integer)  # date + bigint has no operator

    def counted(review_kind: int, ok: int) -> ColumnElement[int]:
        return func.count().filter(and_(kind == review_kind, passed == ok))

    summed = (
        select(
            literal(user.id),
            Review.bank_id,
            on,
            literal(end, UTCDateTime()),
            func.count(),
            func.coalesce(func.sum(seconds), 0),
            counted(1, 1),
            counted(1, 0),
            counted(2, 1),
            counted(2, 0),
        )
        .where(*window)
        .group_by(literal_column("2"), literal_column("3"))
    )
    session.execute(
        insert(ReviewDay).from_select(
            [
                "user_id",
                "bank_id",
                "day",
                "counted_before",
                "reviews",
                "seconds",
                "young_passed",
                "young_failed",
                "mature_passed",
                "mature_failed",
            ],
            summed,
        )
    )


def positions(count: int) -> list[ColumnElement]:
    """``GROUP BY 1, 2, ...``: an expression with bound values is not repeated (PostgreSQL
    would not see the repeat as the same expression)."""
    return [literal_column(str(n)) for n in range(1, count + 1)]

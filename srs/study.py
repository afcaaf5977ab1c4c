"""The study day and what comes next: day boundaries, daily limits, and queue order.

A learner's day starts at their rollover hour (04:00 by default) in their own time zone,
as in Anki. Within a day: learning cards that are due come first, then due reviews (up to
the reviews-a-day limit), then new cards in bank order (up to the new-cards-a-day limit);
when nothing else is left, a learning card due within :data:`LEARN_AHEAD` is shown early
rather than making the learner wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import pytz

__all__ = [
    "LEARN_AHEAD",
    "TIME_ZONES",
    "Counts",
    "DaySpan",
    "StudyDay",
    "day_spans",
    "limits_left",
    "next_kind",
    "study_dates",
    "study_day",
    "usable_zone",
]

LEARN_AHEAD = timedelta(minutes=20)

# The pages format dates through pytz (Flask-Babel) and the schedule through zoneinfo: a
# zone only one of them knows ('Factory', 'localtime') would break every page of its learner.
TIME_ZONES = frozenset(available_timezones() & pytz.all_timezones_set)


def usable_zone(zone: str | None) -> str:
    """``zone`` if both zoneinfo and pytz know it, else ``"UTC"``: a zone stored before it
    was checked must not break the pages of the learner who chose it."""
    return zone if zone is not None and zone in TIME_ZONES else "UTC"


@dataclass(frozen=True, slots=True)
class StudyDay:
    """One study day: its date in the learner's zone and its bounds in UTC."""

    date: date
    start: datetime
    end: datetime


def _date_of(local: datetime, rollover_hour: int) -> date:
    """The study date of a local time: the day before its calendar date before the rollover."""
    return local.date() if local.hour >= rollover_hour else local.date() - timedelta(days=1)


def study_day(now: datetime, zone: str, rollover_hour: int) -> StudyDay:
    """The study day that ``now`` falls in, for a learner in ``zone``."""
    tz = ZoneInfo(usable_zone(zone))
    day = _date_of(now.astimezone(tz), rollover_hour)

    def boundary(on: date) -> datetime:
        return datetime.combine(on, time(rollover_hour), tz).astimezone(timezone.utc)

    return StudyDay(date=day, start=boundary(day), end=boundary(day + timedelta(days=1)))


def study_dates(now: datetime, days: range, zone: str, rollover_hour: int) -> list[date]:
    """The study date of ``now`` plus each of ``days`` (whole days of 24 hours): that of
    :func:`study_day`, without the day's bounds, for the many a due date's fuzz range spans."""
    tz = ZoneInfo(usable_zone(zone))
    return [_date_of((now + timedelta(days=n)).astimezone(tz), rollover_hour) for n in days]


@dataclass(frozen=True, slots=True)
class DaySpan:
    """A stretch of time in which the learner's zone keeps one UTC offset.

    Within ``[start, end)`` the study date of an instant ``t`` is the UTC calendar date of
    ``t + shift``: the offset less the rollover hour. A database can group by that date
    without knowing time zones.
    """

    start: datetime
    end: datetime
    shift: timedelta

    def study_date(self, moment: datetime) -> date:
        return (moment.astimezone(timezone.utc) + self.shift).date()


def day_spans(zone: str, rollover_hour: int, start: datetime, end: datetime) -> list[DaySpan]:
    """``[start, end)`` cut where ``zone`` changes its UTC offset (daylight saving, law).

    The offset is sampled hourly and each change is found to the second (zones change on
    whole seconds), so two changes less than an hour apart, which no zone has made, would
    be missed. Whole UTC days are worked out once and kept, then cut to ``[start, end)``.
    """
    first = datetime.combine(start.astimezone(timezone.utc).date(), time(), timezone.utc)
    last = datetime.combine(end.astimezone(timezone.utc).date(), time(), timezone.utc)
    spans = _whole_day_spans(usable_zone(zone), rollover_hour, first, last + timedelta(days=1))
    return [
        DaySpan(max(span.start, start), min(span.end, end), span.shift)
        for span in spans
        if span.end > start and span.start < end
    ]


@lru_cache(maxsize=256)
def _whole_day_spans(
    zone: str, rollover_hour: int, start: datetime, end: datetime
) -> tuple[DaySpan, ...]:
    tz = ZoneInfo(zone)
    rollover = timedelta(hours=rollover_hour)

    def offset(second: int) -> timedelta:
        return datetime.fromtimestamp(second, tz).utcoffset() or timedelta(0)

    first, last = math.floor(start.timestamp()), math.ceil(end.timestamp())
    spans: list[DaySpan] = []
    begin, current = start.astimezone(timezone.utc), offset(first)
    probe = first
    while probe < last:
        step = min(probe + 3600, last)
        if offset(step) != current:
            low, high = probe, step  # the change is at a second in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (low, middle) if offset(middle) != current else (middle, high)
            change = datetime.fromtimestamp(high, timezone.utc)
            if change >= end:
                break
            spans.append(DaySpan(begin, change, current - rollover))
            begin, current = change, offset(high)
        probe = step
    spans.append(DaySpan(begin, end.astimezone(timezone.utc), current - rollover))
    return tuple(spans)


@dataclass(frozen=True, slots=True)
class Counts:
    """Cards left today, by kind."""

    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.new + other.new, self.learning + other.learning, self.review + other.review
        )

    def to_dict(self) -> dict[str, int]:
        return {"new": self.new, "learning": self.learning, "review": self.review}


def limits_left(
    new_per_day: int, reviews_per_day: int, new_done: int, reviews_done: int
) -> tuple[int, int]:
    """How many new cards and reviews may still be shown today."""
    return max(0, new_per_day - new_done), max(0, reviews_per_day - reviews_done)


def next_kind(
    *,
    learning_due: datetime | None,
    review_due: bool,
    new_available: bool,
    now: datetime,
) -> str | None:
    """Which kind of card to show next, or ``None`` when the day is done.

    Args:
        learning_due: when the earliest learning card is due, if any.
        review_due: a review is due today and the review limit allows it.
        new_available: a new card is waiting and the new-card limit allows it.
    """
    if learning_due is not None and learning_due <= now:
        return "learning"
    if review_due:
        return "review"
    if new_available:
        return "new"
    if learning_due is not None and learning_due <= now + LEARN_AHEAD:
        return "learning"
    return None

"""Offset spans: within each, a time's study date is its UTC date shifted, as the zone says."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from srs.study import day_spans

START = datetime(2025, 12, 31, 22, 0, 0, 123, tzinfo=timezone.utc)
END = datetime(2026, 12, 2, 5, 30, tzinfo=timezone.utc)


def study_date(moment: datetime, zone: str, rollover: int):
    return (moment.astimezone(ZoneInfo(zone)) - timedelta(hours=rollover)).date()


@pytest.mark.parametrize(
    ("zone", "rollover", "changes"),
    [
        ("UTC", 4, 0),
        ("America/New_York", 2, 2),
        ("Asia/Kathmandu", 23, 0),
        ("Australia/Lord_Howe", 4, 2),  # half-hour daylight saving
        ("America/Santiago", 0, 2),  # clocks go back from 24:00 to 23:00
    ],
)
def test_spans_give_each_time_its_study_date(zone: str, rollover: int, changes: int) -> None:
    spans = day_spans(zone, rollover, START, END)
    assert len(spans) == changes + 1
    assert spans[0].start == START and spans[-1].end == END
    assert all(a.end == b.start for a, b in pairwise(spans))
    rng = random.Random(5)
    length = (END - START).total_seconds()
    moments = [START + timedelta(seconds=rng.uniform(0, length)) for _ in range(3000)]
    for span in spans[1:]:  # either side of each change, to the microsecond
        moments += [span.start + timedelta(microseconds=d) for d in (-1, 0, 1)]
    for moment in moments:
        span = next(s for s in spans if s.start <= moment < s.end)
        assert span.study_date(moment) == study_date(moment, zone, rollover), moment


def test_spans_are_cut_to_the_range_asked() -> None:
    start = datetime(2026, 3, 8, 6, 59, 59, 999_999, tzinfo=timezone.utc)
    spans = day_spans("America/New_York", 4, start, start + timedelta(microseconds=2))
    assert [(s.start, s.end) for s in spans] == [
        (start, start + timedelta(microseconds=1)),
        (start + timedelta(microseconds=1), start + timedelta(microseconds=2)),
    ]
    assert [s.shift for s in spans] == [timedelta(hours=-9), timedelta(hours=-8)]

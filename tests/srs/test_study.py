"""Study days in the learner's time zone, daily limits, and the order cards come in."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from srs.study import Counts, limits_left, next_kind, study_dates, study_day

SHANGHAI = timezone(timedelta(hours=8))


def test_day_rolls_over_at_four_in_the_learners_zone() -> None:
    before = study_day(datetime(2026, 11, 27, 3, 59, tzinfo=SHANGHAI), "Asia/Shanghai", 4)
    after = study_day(datetime(2026, 11, 27, 4, 1, tzinfo=SHANGHAI), "Asia/Shanghai", 4)
    assert before.date == date(2026, 11, 26)
    assert after.date == date(2026, 11, 27)
    assert before.end == after.start == datetime(2026, 11, 26, 20, 0, tzinfo=timezone.utc)
    assert after.end - after.start == timedelta(days=1)


def test_same_moment_is_a_different_day_elsewhere() -> None:
    moment = datetime(2026, 11, 26, 21, 0, tzinfo=timezone.utc)  # 05:00 in Shanghai
    assert study_day(moment, "Asia/Shanghai", 4).date == date(2026, 11, 27)
    assert study_day(moment, "America/New_York", 4).date == date(2026, 11, 26)


def test_day_across_daylight_saving_has_its_real_length() -> None:
    day = study_day(datetime(2026, 3, 7, 12, 0, tzinfo=timezone.utc), "America/New_York", 4)
    assert day.end - day.start == timedelta(hours=23)


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe", "Nope/Zone"]
)
@pytest.mark.parametrize("rollover", [0, 2, 4, 23])
def test_the_dates_of_days_ahead_are_those_of_their_study_days(zone: str, rollover: int) -> None:
    """Across changes of the clocks (Lord Howe moves by half an hour; St John's is off by
    half an hour) and at every hour near the rollover, in a zone not known too."""
    days = range(-3, 120)
    for hour in range(0, 24 * 7, 5):
        now = datetime(2026, 3, 1, tzinfo=timezone.utc) + timedelta(hours=hour, minutes=29)
        expected = [study_day(now + timedelta(days=n), zone, rollover).date for n in days]
        assert study_dates(now, days, zone, rollover) == expected, (zone, rollover, now)


def test_rollover_at_midnight() -> None:
    day = study_day(datetime(2026, 11, 27, 0, 30, tzinfo=timezone.utc), "UTC", 0)
    assert day.date == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("done", "left"), [((0, 0), (20, 200)), ((5, 150), (15, 50)), ((25, 300), (0, 0))]
)
def test_limits_left(done: tuple[int, int], left: tuple[int, int]) -> None:
    assert limits_left(20, 200, *done) == left


NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def test_due_learning_comes_before_reviews_and_new() -> None:
    assert next_kind(learning_due=NOW, review_due=True, new_available=True, now=NOW) == "learning"


def test_reviews_come_before_new_cards() -> None:
    assert next_kind(learning_due=None, review_due=True, new_available=True, now=NOW) == "review"
    assert next_kind(learning_due=None, review_due=False, new_available=True, now=NOW) == "new"


def test_learning_not_yet_due_waits_for_the_rest() -> None:
    soon = NOW + timedelta(minutes=5)
    assert next_kind(learning_due=soon, review_due=True, new_available=False, now=NOW) == "review"


def test_learning_due_soon_is_shown_early_when_nothing_else_is_left() -> None:
    soon = NOW + timedelta(minutes=5)
    assert (
        next_kind(learning_due=soon, review_due=False, new_available=False, now=NOW) == "learning"
    )
    later = NOW + timedelta(minutes=21)
    assert next_kind(learning_due=later, review_due=False, new_available=False, now=NOW) is None


def test_counts_add_up() -> None:
    total = Counts(1, 2, 3) + Counts(10, 20, 30)
    assert total.to_dict() == {"new": 11, "learning": 22, "review": 33}
    assert total.total == 66

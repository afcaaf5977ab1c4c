"""Load balancing and easy days: a smoother forecast, within the fuzz range, easy days kept."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from srs.balance import MAX_BALANCED, balanced_days, easy_day_weights
from srs.scheduler import (
    NORMAL_WEEK,
    REVIEW,
    CardState,
    Rating,
    StudySettings,
    _fuzzed_days,
    answer_card,
    fuzz_range,
    preview_intervals,
)

START = date(2026, 3, 2)  # a Monday
DAYS, PER_DAY = 70, 40
WEEKEND = (5, 6)


def simulate(easy_days: tuple[float, ...], *, balance: bool) -> Counter[date]:
    """Cards due by date after ``DAYS`` days of answering ``PER_DAY`` reviews a day, each
    with an interval drawn (seeded) from 3 to 40 days, fuzzed plainly or balanced."""
    targets = random.Random(7)
    load: Counter[date] = Counter()
    for offset in range(DAYS):
        today = START + timedelta(days=offset)
        for n in range(PER_DAY):
            days, seed = targets.randint(3, 40), f"{offset}:{n}"
            low, high = fuzz_range(days, 36500)
            if balance:
                on = [today + timedelta(days=d) for d in range(low, high + 1)]
                counts = [load[d] for d in on]
                weekdays = [d.weekday() for d in on]
                picked = balanced_days(low, high, counts, weekdays, easy_days, seed)
                assert low <= picked <= high
            else:
                picked = _fuzzed_days(days, 36500, random.Random(seed).random())
            load[today + timedelta(days=picked)] += 1
    return load


def settled(load: Counter[date]) -> list[int]:
    """The counts of the days every interval could reach: from day 40 to the last day."""
    return [load[START + timedelta(days=d)] for d in range(40, DAYS)]


def test_balancing_flattens_the_forecast() -> None:
    plain, balanced = (
        settled(simulate(NORMAL_WEEK, balance=False)),
        settled(simulate(NORMAL_WEEK, balance=True)),
    )
    # The same cards in all, spread more evenly: a spread well under half the plain one.
    assert abs(statistics.mean(plain) - statistics.mean(balanced)) < 0.1 * statistics.mean(plain)
    assert statistics.pstdev(balanced) < 0.5 * statistics.pstdev(plain)
    assert max(balanced) / statistics.mean(balanced) < max(plain) / statistics.mean(plain)


def test_a_weekend_at_zero_gets_no_card_while_a_weekday_is_in_range() -> None:
    load = simulate((1, 1, 1, 1, 1, 0, 0), balance=True)
    assert not [day for day in load if day.weekday() in WEEKEND]


def test_a_weekend_at_half_gets_about_half_a_weekday() -> None:
    load = settled(simulate((1, 1, 1, 1, 1, 0.5, 0.5), balance=True))
    days = [START + timedelta(days=d) for d in range(40, DAYS)]
    weekend = [n for n, day in zip(load, days, strict=True) if day.weekday() in WEEKEND]
    weekdays = [n for n, day in zip(load, days, strict=True) if day.weekday() not in WEEKEND]
    assert 0 < statistics.mean(weekend) <= 0.6 * statistics.mean(weekdays)


def test_the_same_seed_and_load_give_the_same_day() -> None:
    counts, weekdays = [5, 0, 3, 9, 2], [0, 1, 2, 3, 4]
    picks = {balanced_days(10, 14, counts, weekdays, NORMAL_WEEK, "42:3") for _ in range(5)}
    assert len(picks) == 1
    # Over many cards, the empty day is the most taken and the fullest the least.
    taken = Counter(
        balanced_days(10, 14, counts, weekdays, NORMAL_WEEK, f"{n}:1") for n in range(500)
    )
    assert taken.most_common(1)[0][0] == 11 and taken[13] == min(taken[d] for d in range(10, 15))


def test_a_count_and_a_weekday_for_each_day() -> None:
    with pytest.raises(ValueError, match="5 days from 10 to 14"):
        balanced_days(10, 14, [1, 2], [0, 1], NORMAL_WEEK, "1:1")


def test_only_easy_days_in_range_balance_as_normal_days() -> None:
    weekend_off = (1,) * 5 + (0, 0)
    picks = Counter(
        balanced_days(3, 5, [4, 0, 4], [5, 6, 5], weekend_off, f"{n}") for n in range(200)
    )
    # All weekend: the days are open again, the empty one taken most, as with no easy days.
    assert picks[3] > 0 and picks.most_common(1)[0][0] == 4


def test_a_reduced_day_closes_once_it_holds_its_share() -> None:
    # Half a day's share: open while its count is at most half the others' average.
    assert easy_day_weights([1, 0.5, 1], [10, 5, 10]) == [1, 1, 1]
    assert easy_day_weights([1, 0.5, 1], [10, 6, 10]) == [1, 0, 1]
    assert easy_day_weights([1, 0, 1], [10, 0, 10]) == [1, 0, 1]


SETTINGS = StudySettings(easy_days=(1, 1, 1, 1, 1, 0, 0))
NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)  # a Wednesday


def review_card(stability: float) -> CardState:
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=round(stability)),
        reps=4,
    )


@pytest.mark.parametrize("stability", [3.0, 8.0, 20.0, 45.0, 80.0])
def test_balanced_answers_stay_in_thefuzz_range_and_match_the_preview(stability: float) -> None:
    # A heavy load on odd days from today: balancing moves intervals, within the range.
    load = {NOW.date() + timedelta(days=d): 50 * (d % 2) for d in range(1, 120)}
    card = review_card(stability)
    moved = 0
    for card_id in range(1, 60):
        plain = answer_card(SETTINGS, card, Rating.GOOD, NOW, card_id=card_id, fuzz=False)
        days = plain.interval.days
        balanced = answer_card(SETTINGS, card, Rating.GOOD, NOW, card_id=card_id, load=load)
        fuzzed = answer_card(SETTINGS, card, Rating.GOOD, NOW, card_id=card_id)
        # What plain fuzz allows: like fsrs, its rounding can reach one day past the range.
        low, high = (_fuzzed_days(days, SETTINGS.maximum_interval, d) for d in (0, 1 - 1e-9))
        assert low <= balanced.interval.days <= high
        shown = preview_intervals(SETTINGS, card, NOW, card_id=card_id, load=load)
        assert shown[Rating.GOOD] == balanced.interval
        if 3 <= days <= MAX_BALANCED:
            assert balanced.due.weekday() not in WEEKEND
            assert load[balanced.due.date()] == 0
            moved += balanced.due != fuzzed.due
        else:  # too short to fuzz, or far enough not to balance
            assert balanced.due == fuzzed.due
    assert moved > 0 or plain.interval.days > MAX_BALANCED

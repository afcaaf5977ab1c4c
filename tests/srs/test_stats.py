"""Statistics from plain values, each number worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.stats import (
    CardFact,
    ReviewFact,
    compute_stats,
    current_streak,
    heatmap_months,
    heatmap_weeks,
)

TODAY = date(2026, 11, 27)


def day(offset: int) -> date:
    return TODAY - timedelta(days=offset)


REVIEWS = [
    # today: a mature pass, a young fail, a new card (not counted in retention)
    ReviewFact(day(0), 3, REVIEW, 30, 4000),
    ReviewFact(day(0), 1, REVIEW, 5, 6000),
    ReviewFact(day(0), 3, NEW, None, 2000),
    # three days ago: two young passes
    ReviewFact(day(3), 2, REVIEW, 3, 1000),
    ReviewFact(day(3), 4, REVIEW, 10, 1000),
    # twenty days ago: a mature fail; forty days ago: a young pass; 400 days ago: outside the year
    ReviewFact(day(20), 1, REVIEW, 60, 1000),
    ReviewFact(day(40), 3, REVIEW, 8, 1000),
    ReviewFact(day(400), 3, REVIEW, 8, 1000),
]
CARDS = [
    CardFact(REVIEW, day(-1), 30, 5.5, 0.9, section="a"),  # due tomorrow
    CardFact(REVIEW, day(2), 10, 3.0, 0.8, section="a"),  # overdue: counted today
    CardFact(LEARNING, day(0), 0, 7.2, 0.95, section="b"),
    CardFact(RELEARNING, day(-3), 0, 9.9, 0.5, section="b", suspended=True),
    CardFact(NEW, None, None, None, None, section="b"),
    CardFact(REVIEW, day(-400), 400, 10.0, 0.99, section=None),
]


def stats():
    return compute_stats(
        REVIEWS, CARDS, TODAY, unstudied=7, sections=["a", "b", "c"],
        section_sizes={"a": 2, "b": 5, "c": 1},
    )  # fmt: skip


def test_heatmap_counts_the_past_year_only() -> None:
    assert stats().heatmap == {day(0): 3, day(3): 2, day(20): 1, day(40): 1}


def test_reviews_and_time_per_day() -> None:
    recent = stats().reviews_per_day
    assert len(recent) == 30 and recent[-1] == (TODAY, 3, 12) and recent[-4] == (day(3), 2, 2)
    assert recent[0] == (day(29), 0, 0)


def test_true_retention_by_period_young_and_mature() -> None:
    retention = stats().retention
    today, week, month, year = (retention[p] for p in ("today", "week", "month", "year"))
    assert (today["young"].passed, today["young"].failed) == (0, 1)
    assert (today["mature"].passed, today["mature"].failed) == (1, 0)
    assert today["total"].rate == 1 / 2
    assert (week["total"].passed, week["total"].failed) == (3, 1)
    assert (month["total"].passed, month["total"].failed) == (3, 2)
    assert (month["mature"].passed, month["mature"].failed) == (1, 1)
    assert (year["total"].passed, year["total"].failed) == (4, 2)


def test_forecast_counts_overdue_cards_today_and_skips_suspended_and_new() -> None:
    forecast = dict(stats().forecast)
    assert len(forecast) == 30
    assert forecast[TODAY] == 2  # the overdue review and the learning card
    assert forecast[TODAY + timedelta(days=1)] == 1
    assert forecast[TODAY + timedelta(days=3)] == 0  # suspended
    assert sum(forecast.values()) == 3  # the one due in 400 days is beyond the window


def test_card_counts_by_state() -> None:
    assert stats().states == {"new": 8, "learning": 1, "review": 3, "relearning": 0, "suspended": 1}


def test_interval_and_difficulty_distributions() -> None:
    result = stats()
    assert result.intervals == [
        ("0–1", 0),
        ("2–7", 0),
        ("8–21", 1),
        ("22–90", 1),
        ("91–365", 0),
        ("366+", 1),
    ]
    difficulties = dict(result.difficulties)
    assert (
        difficulties["3–4"],
        difficulties["5–6"],
        difficulties["7–8"],
        difficulties["9–10"],
    ) == (1, 1, 1, 2)
    assert sum(difficulties.values()) == 5


def test_mastery_is_mean_recall_over_studied_cards() -> None:
    mastery = stats().mastery
    assert mastery["a"] == (pytest.approx(0.85), 2, 2)
    recall, studied, total = mastery["b"]
    assert (round(recall, 6), studied, total) == (0.725, 2, 5)  # the new card is not counted
    assert mastery["c"] == (None, 0, 1)


def test_streak_counts_back_from_today_or_yesterday() -> None:
    assert current_streak({day(0), day(1), day(2), day(4)}, TODAY) == 3
    assert current_streak({day(1), day(2)}, TODAY) == 2
    assert current_streak({day(2)}, TODAY) == 0
    assert stats().streak == 1


def test_heatmap_weeks_cover_the_year_in_whole_weeks() -> None:
    weeks = heatmap_weeks({day(0): 5}, TODAY)
    assert all(len(week) == 7 for week in weeks)
    assert weeks[0][0][0].weekday() == 0 and weeks[0][0][0] <= day(364)
    assert weeks[-1][TODAY.weekday()] == (TODAY, 5)
    assert all(cell is None for cell in weeks[-1][TODAY.weekday() + 1 :])


def test_heatmap_months_name_each_month_once_over_its_first_week() -> None:
    weeks = heatmap_weeks({}, TODAY)  # from Monday 2025-11-24 to Friday 2026-11-27
    months = heatmap_months(weeks)
    # The first column's November has one week there: it is not named (it would overlap
    # December's name); every month after is, over the week of its first Monday.
    assert [monday.month for _, monday in months] == [12, *range(1, 12)]
    assert months[0] == (1, date(2025, 12, 1))
    assert all(weeks[column][0][0] == monday for column, monday in months)
    assert all(monday.day <= 7 for _, monday in months)

"""A learner's statistics from plain values: the numbers Anki's statistics show, and mastery.

Everything is computed from reviews and cards passed in, on the learner's study days (their
zone and rollover hour), so that each number can be worked out by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW, Rating

__all__ = [
    "DIFFICULTY_BUCKETS",
    "INTERVAL_BUCKETS",
    "MATURE_DAYS",
    "CardFact",
    "RetentionCell",
    "ReviewFact",
    "Stats",
    "compute_stats",
    "current_streak",
    "heatmap_weeks",
]

MATURE_DAYS = 21  # Anki's line between young and mature cards
INTERVAL_BUCKETS = ((0, 1), (2, 7), (8, 21), (22, 90), (91, 365), (366, None))
DIFFICULTY_BUCKETS = tuple((low, low + 1) for low in range(1, 10))


@dataclass(frozen=True, slots=True)
class ReviewFact:
    """One review: the study day it fell on, the card's state and interval before it."""

    day: date
    rating: int
    state_before: int
    interval_days: int | None
    elapsed_ms: int | None


@dataclass(frozen=True, slots=True)
class CardFact:
    """One card now: its state, due study day, interval, difficulty and predicted recall."""

    state: int
    due_day: date | None
    interval_days: int | None
    difficulty: float | None
    retrievability: float | None
    suspended: bool = False
    section: str | None = None


@dataclass(frozen=True, slots=True)
class RetentionCell:
    passed: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.passed + self.failed

    @property
    def rate(self) -> float | None:
        return self.passed / self.total if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "failed": self.failed, "retention": self.rate}


@dataclass(frozen=True, slots=True)
class Stats:
    today: date
    heatmap: dict[date, int] = field(default_factory=dict)
    reviews_per_day: list[tuple[date, int, int]] = field(default_factory=list)
    forecast: list[tuple[date, int]] = field(default_factory=list)
    retention: dict[str, dict[str, RetentionCell]] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    intervals: list[tuple[str, int]] = field(default_factory=list)
    difficulties: list[tuple[str, int]] = field(default_factory=list)
    streak: int = 0
    mastery: dict[str, tuple[float | None, int, int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "streak": self.streak,
            "heatmap": {day.isoformat(): count for day, count in sorted(self.heatmap.items())},
            "reviews_per_day": [
                {"day": d.isoformat(), "reviews": n, "seconds": s}
                for d, n, s in self.reviews_per_day
            ],
            "forecast": [{"day": d.isoformat(), "due": n} for d, n in self.forecast],
            "retention": {
                period: {kind: cell.to_dict() for kind, cell in cells.items()}
                for period, cells in self.retention.items()
            },
            "states": self.states,
            "intervals": [{"days": label, "cards": n} for label, n in self.intervals],
            "difficulties": [{"difficulty": label, "cards": n} for label, n in self.difficulties],
            "mastery": {
                section: {"recall": recall, "studied": studied, "cards": cards}
                for section, (recall, studied, cards) in self.mastery.items()
            },
        }


def current_streak(days: Iterable[date], today: date) -> int:
    """Study days in a row with a review, up to today (or yesterday while today has none)."""
    studied = set(days)
    day = today if today in studied else today - timedelta(days=1)
    count = 0
    while day in studied:
        count += 1
        day -= timedelta(days=1)
    return count


def heatmap_weeks(heatmap: dict[date, int], today: date) -> list[list[tuple[date, int] | None]]:
    """The past year as weeks (columns, Monday first) of days; days after today are ``None``."""
    start = today - timedelta(days=364)
    start -= timedelta(days=start.weekday())
    weeks: list[list[tuple[date, int] | None]] = []
    day = start
    while day <= today:
        week: list[tuple[date, int] | None] = []
        for _ in range(7):
            week.append((day, heatmap.get(day, 0)) if day <= today else None)
            day += timedelta(days=1)
        weeks.append(week)
    return weeks


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else (str(low) if low == high else f"{low}–{high}")


def _retention(reviews: Sequence[ReviewFact], since: date) -> dict[str, RetentionCell]:
    cells = {"young": Counter[str](), "mature": Counter[str](), "total": Counter[str]()}
    for review in reviews:
        if review.day < since or review.state_before != REVIEW:
            continue
        kind = "mature" if (review.interval_days or 0) >= MATURE_DAYS else "young"
        outcome = "passed" if review.rating > Rating.AGAIN else "failed"
        cells[kind][outcome] += 1
        cells["total"][outcome] += 1
    return {k: RetentionCell(v["passed"], v["failed"]) for k, v in cells.items()}


def compute_stats(
    reviews: Sequence[ReviewFact],
    cards: Sequence[CardFact],
    today: date,
    *,
    unstudied: int = 0,
    sections: Iterable[str] = (),
    section_sizes: dict[str, int] | None = None,
    forecast_days: int = 30,
    recent_days: int = 30,
) -> Stats:
    """Every number of the statistics page.

    Args:
        reviews: the learner's reviews of the past year (or more), any order.
        cards: the learner's cards that exist (studied or created).
        unstudied: cards of the banks never shown yet (no row), counted as new.
        sections: the section ids for the mastery map, in outline order.
        section_sizes: how many cards each section has in all, studied or not.
    """
    year_ago = today - timedelta(days=364)
    heatmap = Counter(review.day for review in reviews if review.day >= year_ago)

    per_day: dict[date, list[int]] = {}
    for review in reviews:
        if review.day > today - timedelta(days=recent_days):
            entry = per_day.setdefault(review.day, [0, 0])
            entry[0] += 1
            entry[1] += (review.elapsed_ms or 0) // 1000
    recent = [
        (day, *per_day.get(day, [0, 0]))
        for day in (today - timedelta(days=offset) for offset in range(recent_days - 1, -1, -1))
    ]

    due = Counter()
    for card in cards:
        if card.state == NEW or card.suspended or card.due_day is None:
            continue
        due[max(card.due_day, today)] += 1
    forecast = [
        (today + timedelta(days=i), due[today + timedelta(days=i)]) for i in range(forecast_days)
    ]

    retention = {
        "today": _retention(reviews, today),
        "week": _retention(reviews, today - timedelta(days=6)),
        "month": _retention(reviews, today - timedelta(days=29)),
        "year": _retention(reviews, year_ago),
    }

    names = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
    states = Counter(
        {"new": unstudied, "learning": 0, "review": 0, "relearning": 0, "suspended": 0}
    )
    for card in cards:
        states["suspended" if card.suspended else names[card.state]] += 1

    reviewing = [c for c in cards if c.state == REVIEW and c.interval_days is not None]
    intervals = [
        (
            _bucket_label(low, high),
            sum(
                1
                for c in reviewing
                if c.interval_days >= low and (high is None or c.interval_days <= high)
            ),
        )
        for low, high in INTERVAL_BUCKETS
    ]
    rated = [c.difficulty for c in cards if c.state != NEW and c.difficulty is not None]
    difficulties = [
        (f"{low}–{high}", sum(1 for d in rated if low <= d < high or (high == 10 and d == 10)))
        for low, high in DIFFICULTY_BUCKETS
    ]

    recall: dict[str, list[float]] = {}
    for card in cards:
        if card.section is not None and card.state != NEW and card.retrievability is not None:
            recall.setdefault(card.section, []).append(card.retrievability)
    sizes = section_sizes or {}
    mastery = {
        section: (
            sum(recall[section]) / len(recall[section]) if recall.get(section) else None,
            len(recall.get(section, [])),
            sizes.get(section, 0),
        )
        for section in sections
    }

    return Stats(
        today=today,
        heatmap=dict(heatmap),
        reviews_per_day=recent,
        forecast=forecast,
        retention=retention,
        states=dict(states),
        intervals=intervals,
        difficulties=difficulties,
        streak=current_streak(heatmap, today),
        mastery=mastery,
    )

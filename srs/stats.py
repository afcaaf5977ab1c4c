"""A learner's statistics from plain values: the numbers Anki's statistics show, and mastery.

Everything is computed on the learner's study days (their zone and rollover hour), so that
each number can be worked out by hand. The numbers come from totals: the reviews of each
study day (:class:`DayTotals`) and the learner's cards counted by state, due day, interval,
difficulty and section (:class:`CardTotals`). A database computes those totals with grouped
queries; :func:`tally_reviews` and :func:`tally_cards` say what they are, one review or card
at a time, and :func:`compute_stats` is the whole computation from single reviews and cards.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypedDict, Unpack

from srs.scheduler import NEW, REVIEW, STATE_NAMES, Rating

__all__ = [
    "DIFFICULTY_BUCKETS",
    "INTERVAL_BUCKETS",
    "MASTERED_RECALL",
    "MASTERY_DAYS",
    "MATURE_DAYS",
    "CardFact",
    "CardTotals",
    "DayTotals",
    "RetentionCell",
    "ReviewFact",
    "Stats",
    "StatsOptions",
    "compute_stats",
    "current_streak",
    "difficulty_bucket",
    "heatmap_months",
    "heatmap_weeks",
    "mastery_band",
    "retention_since",
    "stats_from_totals",
    "tally_cards",
    "tally_reviews",
]

MATURE_DAYS = 21  # Anki's line between young and mature cards
INTERVAL_BUCKETS = ((0, 1), (2, 7), (8, 21), (22, 90), (91, 365), (366, None))
DIFFICULTY_BUCKETS = tuple((low, low + 1) for low in range(1, 10))
# Mastery is recall a month ahead, not now: right after any review, even a failed one, FSRS
# predicts recall near 1, so recall now says nothing about what has been learnt. A card is
# mastered when it will still be recalled 9 times in 10 after a month without review, which
# takes a stability of about a month: no card answered Again has that.
MASTERY_DAYS = 30
MASTERED_RECALL = 0.9
_PARTLY_MASTERED = 0.75


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
    """One card now: its state, due study day, interval, difficulty, and predicted recall
    :data:`MASTERY_DAYS` days from now (``retrievability``)."""

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
    # Every review in the days given, however old (not shown: a version of the log).
    reviews: int = 0

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


def heatmap_months(weeks: list[list[tuple[date, int] | None]]) -> list[tuple[int, date]]:
    """Where each month starts over the columns of :func:`heatmap_weeks`: the first week
    whose Monday falls in it, and that Monday. The first column is labelled only when its
    month lasts three weeks or more there, so that two names never overlap."""
    mondays = [week[0][0] for week in weeks if week[0] is not None]
    starts = [
        (column, monday)
        for column, monday in enumerate(mondays)
        if column == 0 or monday.month != mondays[column - 1].month
    ]
    if len(starts) > 1 and starts[1][0] < 3:
        starts.pop(0)
    return starts


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else (str(low) if low == high else f"{low}–{high}")


@dataclass(frozen=True, slots=True)
class DayTotals:
    """The reviews of one study day: how many, the seconds they took, and the outcomes of
    review cards (passed: not Again), young (interval under :data:`MATURE_DAYS`) or mature.
    """

    reviews: int = 0
    seconds: int = 0
    young_passed: int = 0
    young_failed: int = 0
    mature_passed: int = 0
    mature_failed: int = 0

    def __add__(self, other: DayTotals) -> DayTotals:
        return DayTotals(
            self.reviews + other.reviews,
            self.seconds + other.seconds,
            self.young_passed + other.young_passed,
            self.young_failed + other.young_failed,
            self.mature_passed + other.mature_passed,
            self.mature_failed + other.mature_failed,
        )


@dataclass(slots=True)
class CardTotals:
    """A learner's cards counted the ways the statistics show them.

    ``states`` counts every card by state name (``"suspended"`` for suspended ones);
    ``due`` the studied, unsuspended cards by due study day (``date.min`` for any day long
    past); ``intervals`` review cards by interval in whole days; ``difficulties`` studied
    cards by :func:`difficulty_bucket`; ``recall`` the studied cards of each section as
    (sum of predicted recall :data:`MASTERY_DAYS` days ahead, cards).
    """

    states: Counter[str] = field(default_factory=Counter)
    due: Counter[date] = field(default_factory=Counter)
    intervals: Counter[int] = field(default_factory=Counter)
    difficulties: Counter[int] = field(default_factory=Counter)
    recall: dict[str, tuple[float, int]] = field(default_factory=dict)


def difficulty_bucket(difficulty: float) -> int | None:
    """The low end of the bucket of :data:`DIFFICULTY_BUCKETS` holding ``difficulty``
    (10 goes with 9–10), or ``None`` outside 1–10."""
    if 1 <= difficulty < 10:
        return int(difficulty)
    return 9 if difficulty == 10 else None


def mastery_band(recall: float | None) -> str:
    """The colour band of a section's mastery: ``high`` (green) from :data:`MASTERED_RECALL`,
    ``mid``, ``low``, or ``none`` for a section with no studied card."""
    if recall is None:
        return "none"
    if recall >= MASTERED_RECALL:
        return "high"
    return "mid" if recall >= _PARTLY_MASTERED else "low"


def tally_reviews(reviews: Iterable[ReviewFact]) -> dict[date, DayTotals]:
    """Single reviews summed into their study days."""
    days: dict[date, list[int]] = {}
    for review in reviews:
        entry = days.setdefault(review.day, [0] * 6)
        entry[0] += 1
        entry[1] += (review.elapsed_ms or 0) // 1000
        if review.state_before == REVIEW:
            mature = (review.interval_days or 0) >= MATURE_DAYS
            passed = review.rating > Rating.AGAIN
            entry[2 + 2 * mature + (not passed)] += 1
    return {day: DayTotals(*entry) for day, entry in days.items()}


def tally_cards(cards: Iterable[CardFact]) -> CardTotals:
    """Single cards counted into :class:`CardTotals`."""
    totals = CardTotals()
    recall: dict[str, list[float]] = {}
    for card in cards:
        totals.states["suspended" if card.suspended else STATE_NAMES[card.state]] += 1
        if card.state != NEW and not card.suspended and card.due_day is not None:
            totals.due[card.due_day] += 1
        if card.state == REVIEW and card.interval_days is not None:
            totals.intervals[card.interval_days] += 1
        if card.state != NEW and card.difficulty is not None:
            bucket = difficulty_bucket(card.difficulty)
            if bucket is not None:
                totals.difficulties[bucket] += 1
        if card.section is not None and card.state != NEW and card.retrievability is not None:
            recall.setdefault(card.section, []).append(card.retrievability)
    totals.recall = {section: (sum(values), len(values)) for section, values in recall.items()}
    return totals


def retention_since(days: Mapping[date, DayTotals], since: date) -> dict[str, RetentionCell]:
    """True retention from ``since`` on: answers to review cards that were not Again, of young
    cards, mature ones, and in all (``"total"``)."""
    young, mature = RetentionCell(), RetentionCell()
    for day, totals in days.items():
        if day >= since:
            young = RetentionCell(
                young.passed + totals.young_passed, young.failed + totals.young_failed
            )
            mature = RetentionCell(
                mature.passed + totals.mature_passed, mature.failed + totals.mature_failed
            )
    total = RetentionCell(young.passed + mature.passed, young.failed + mature.failed)
    return {"young": young, "mature": mature, "total": total}


def _recent(days: Mapping[date, DayTotals], today: date, count: int) -> list[tuple[date, int, int]]:
    """Reviews and seconds of each of the last ``count`` days, oldest first."""
    recent = []
    for offset in range(count - 1, -1, -1):
        day = today - timedelta(days=offset)
        totals = days.get(day, DayTotals())
        recent.append((day, totals.reviews, totals.seconds))
    return recent


def _forecast(cards: CardTotals, today: date, count: int) -> list[tuple[date, int]]:
    """Cards due on each of the next ``count`` days; overdue ones count as due today."""
    due = Counter[date]()
    for day, number in cards.due.items():
        due[max(day, today)] += number
    return [(today + timedelta(days=i), due[today + timedelta(days=i)]) for i in range(count)]


def _intervals(cards: CardTotals) -> list[tuple[str, int]]:
    return [
        (
            _bucket_label(low, high),
            sum(
                count
                for days_, count in cards.intervals.items()
                if days_ >= low and (high is None or days_ <= high)
            ),
        )
        for low, high in INTERVAL_BUCKETS
    ]


def stats_from_totals(
    days: Mapping[date, DayTotals],
    cards: CardTotals,
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
        days: the learner's reviews of the past year (or more: the streak counts back as far
            as they go) summed by study day.
        cards: the learner's cards that exist (studied or created), counted.
        unstudied: cards of the banks never shown yet (no row), counted as new.
        sections: the section ids for the mastery map, in outline order.
        section_sizes: how many cards each section has in all, studied or not.
    """
    year_ago = today - timedelta(days=364)
    heatmap = {day: t.reviews for day, t in days.items() if day >= year_ago and t.reviews}
    retention = {
        "today": retention_since(days, today),
        "week": retention_since(days, today - timedelta(days=6)),
        "month": retention_since(days, today - timedelta(days=29)),
        "year": retention_since(days, year_ago),
    }
    states = Counter(
        {"new": unstudied, "learning": 0, "review": 0, "relearning": 0, "suspended": 0}
    )
    states.update(cards.states)
    sizes = section_sizes or {}
    mastery = {}
    for section in sections:
        total, studied = cards.recall.get(section, (0.0, 0))
        mastery[section] = (total / studied if studied else None, studied, sizes.get(section, 0))
    return Stats(
        today=today,
        heatmap=heatmap,
        reviews_per_day=_recent(days, today, recent_days),
        forecast=_forecast(cards, today, forecast_days),
        retention=retention,
        states=dict(states),
        intervals=_intervals(cards),
        difficulties=[
            (f"{low}–{high}", cards.difficulties.get(low, 0)) for low, high in DIFFICULTY_BUCKETS
        ],
        streak=current_streak((day for day, t in days.items() if t.reviews), today),
        reviews=sum(t.reviews for t in days.values()),
        mastery=mastery,
    )


class StatsOptions(TypedDict, total=False):
    """The keyword arguments of :func:`stats_from_totals`, passed on by :func:`compute_stats`."""

    unstudied: int
    sections: Iterable[str]
    section_sizes: dict[str, int] | None
    forecast_days: int
    recent_days: int


def compute_stats(
    reviews: Sequence[ReviewFact],
    cards: Sequence[CardFact],
    today: date,
    **options: Unpack[StatsOptions],
) -> Stats:
    """:func:`stats_from_totals` from single reviews (any order) and cards."""
    return stats_from_totals(tally_reviews(reviews), tally_cards(cards), today, **options)

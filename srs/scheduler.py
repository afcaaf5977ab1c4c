"""Scheduling over the ``fsrs`` package (FSRS-6): a learner's settings, and one card's answer.

``fsrs`` does the memory model. Two things are added here:

* A card that was never studied (``NEW``) is an ``fsrs`` learning card at step 0 with no
  memory state yet, which is how ``fsrs`` itself starts a card.
* Fuzz is deterministic. ``fsrs`` draws its fuzz from the global ``random``, so the interval
  shown on a grade button could differ from the one the answer then gets, and a card could
  not be replayed from its log. Here the draw is seeded by the card and its review count (as
  Anki does), within exactly the range ``fsrs`` uses (``FUZZ_RANGES``; a test holds the two
  equal). Given the learner's cards due by day, the draw is weighted toward light days and
  away from the learner's easy days (:mod:`srs.balance`, as Anki's load balancer).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import IntEnum
from functools import lru_cache

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS, FUZZ_RANGES

from srs.balance import MAX_BALANCED, balanced_days
from srs.study import study_dates

__all__ = [
    "LEARNING",
    "MAX_STEP",
    "MAX_STEPS",
    "NEW",
    "NORMAL_WEEK",
    "RELEARNING",
    "REVIEW",
    "STATE_NAMES",
    "Answer",
    "CardState",
    "ForgettingCurve",
    "Rating",
    "StepLengthError",
    "StudySettings",
    "answer_card",
    "bounded_easy_days",
    "bounded_steps",
    "forgetting_curve",
    "format_steps",
    "fuzz_range",
    "parse_steps",
    "preview_intervals",
    "retrievabilities",
    "retrievability",
]

NEW, LEARNING, REVIEW, RELEARNING = 0, 1, 2, 3
STATE_NAMES = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}


NORMAL_WEEK = (1.0,) * 7


class Rating(IntEnum):
    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True, slots=True)
class StudySettings:
    """One learner's scheduling settings; steps are in seconds, the interval cap in days."""

    desired_retention: float = 0.90
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[int, ...] = (60, 600)
    relearning_steps: tuple[int, ...] = (600,)
    rollover_hour: int = 4
    timezone: str = "UTC"
    maximum_interval: int = 36500
    parameters: tuple[float, ...] | None = None
    # The share of a normal day's review each weekday takes, Monday first (Anki's easy days).
    easy_days: tuple[float, ...] = NORMAL_WEEK

    def scheduler(self) -> fsrs.Scheduler:
        return fsrs.Scheduler(
            parameters=self.parameters or DEFAULT_PARAMETERS,
            desired_retention=self.desired_retention,
            learning_steps=tuple(timedelta(seconds=s) for s in self.learning_steps),
            relearning_steps=tuple(timedelta(seconds=s) for s in self.relearning_steps),
            maximum_interval=self.maximum_interval,
            enable_fuzzing=False,
        )


@dataclass(frozen=True, slots=True)
class CardState:
    """A card's schedule: the fields ``fsrs.Card`` has, plus how often it was reviewed."""

    state: int = NEW
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = None
    last_review: datetime | None = None
    reps: int = 0
    lapses: int = 0


@dataclass(frozen=True, slots=True)
class Answer:
    """What one rating did: the card before and after, and the interval it got."""

    rating: Rating
    before: CardState
    after: CardState
    reviewed_at: datetime
    due: datetime

    @property
    def interval(self) -> timedelta:
        return self.due - self.reviewed_at


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware datetime")
    return moment.astimezone(timezone.utc)


def _to_fsrs(card: CardState, card_id: int, now: datetime) -> fsrs.Card:
    if card.state == NEW:
        return fsrs.Card(card_id=card_id, state=fsrs.State.Learning, step=0, due=now)
    return fsrs.Card(
        card_id=card_id,
        state=fsrs.State(card.state),
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=_utc(card.due) if card.due else now,
        last_review=_utc(card.last_review) if card.last_review else None,
    )


def fuzz_range(days: int, maximum: int) -> tuple[int, int]:
    """The days an interval of ``days`` (3 or more) may be moved to: ``fsrs``'s fuzz range."""
    delta = 1.0
    for fuzz_range in FUZZ_RANGES:
        delta += fuzz_range["factor"] * max(
            min(float(days), fuzz_range["end"]) - fuzz_range["start"], 0.0
        )
    low = max(2, round(days - delta))
    high = min(round(days + delta), maximum)
    return min(low, high), high


def _fuzzed_days(days: int, maximum: int, draw: float) -> int:
    """An interval of ``days`` moved within ``fsrs``'s fuzz range by ``draw`` (in [0, 1))."""
    if days < 2.5:
        return days
    low, high = fuzz_range(days, maximum)
    return min(round(draw * (high - low + 1) + low), maximum)


def _counts_on(load: Mapping[date, int], dates: Sequence[date]) -> list[int]:
    """The cards due on each of ``dates``. A load that reads from a database
    (``services.load.DueLoad``) is asked for the days together, as one read."""
    together = getattr(load, "counts_on", None)
    if together is not None:
        return list(together(dates))
    return [load.get(on, 0) for on in dates]


def _balanced(
    settings: StudySettings, low: int, high: int, now: datetime, seed: str, load: Mapping[date, int]
) -> int:
    """A day from ``low`` to ``high`` balanced over ``load`` (see :mod:`srs.balance`)."""
    # The study date each candidate due time falls on, as the load counts cards.
    dates = study_dates(now, range(low, high + 1), settings.timezone, settings.rollover_hour)
    return balanced_days(
        low,
        high,
        _counts_on(load, dates),
        [on.weekday() for on in dates],
        settings.easy_days,
        seed,
    )


@dataclass(frozen=True, slots=True)
class _Fuzz:
    """How an answer's interval is spread: on or off, its seed, and the load to balance over."""

    on: bool
    seed: str
    load: Mapping[date, int] | None


def _constrained(
    settings: StudySettings, days: int, minimum: int, now: datetime, fuzz: _Fuzz
) -> int:
    """``days`` fuzzed (balanced over the load where there is one), never below ``minimum``
    nor above the maximum interval: Anki's ``constrain_passing_interval``."""
    maximum = settings.maximum_interval
    minimum = min(max(minimum, 1), maximum)
    if not fuzz.on or days < 2.5:
        return min(max(days, minimum), maximum)
    low, high = fuzz_range(days, maximum)
    low = max(low, minimum)
    high = max(high, low)
    if fuzz.load is not None and days <= MAX_BALANCED:
        return _balanced(settings, low, high, now, fuzz.seed, fuzz.load)
    draw = random.Random(fuzz.seed).random()  # noqa: S311 (not security)
    return max(min(round(draw * (high - low + 1) + low), maximum), minimum)


def _passing_days(
    settings: StudySettings,
    card: CardState,
    rating: Rating,
    review: Callable[[Rating], fsrs.Card],
    now: datetime,
    fuzz: _Fuzz,
    steps: dict[Rating, tuple[int, int]],
) -> int:
    """The days ``rating`` gives a card it sends to review, each passing rating at least a day
    longer than the one below it that also does, and a review card's longer interval longer
    than its last: Anki's ``passing_fsrs_review_intervals`` and a learning card's Easy after
    Good, so that Hard, Good and Easy never show one day.

    ``steps`` keeps the days and the next rating's least days after each passing rating, the
    same whichever rating asks: the previews' three ratings work each one out once."""
    previous = None
    if card.state == REVIEW and card.due is not None and card.last_review is not None:
        previous = (card.due - card.last_review).days
    minimum, given = 1, 0
    for passing in (Rating.HARD, Rating.GOOD, Rating.EASY):
        if passing > rating:
            break
        if passing in steps:
            given, minimum = steps[passing]
            continue
        scheduled = review(passing)
        if scheduled.state == fsrs.State.Review:
            days = (scheduled.due - now).days
            floor = previous + 1 if previous is not None and days > previous else 1
            given = _constrained(settings, days, max(minimum, floor), now, fuzz)
            minimum = given + 1
        steps[passing] = (given, minimum)
    return given


def answer_card(
    settings: StudySettings,
    card: CardState,
    rating: Rating,
    now: datetime,
    *,
    card_id: int,
    fuzz: bool = True,
    load: Mapping[date, int] | None = None,
) -> Answer:
    """Schedule ``card`` after ``rating`` at ``now``; the input is not changed.

    Args:
        card_id: the card's id; with the review count it seeds the fuzz.
        fuzz: spread review intervals a little, as ``fsrs`` and Anki do.
        load: the learner's cards due on each study date ahead; with it the fuzz prefers
            light days and keeps to the learner's easy days (:mod:`srs.balance`). It is
            read only when the answer is fuzzed.
    """
    return _answers(settings, card, (rating,), now, card_id, fuzz, load)[rating]


def _answers(
    settings: StudySettings,
    card: CardState,
    ratings: Sequence[Rating],
    now: datetime,
    card_id: int,
    fuzz: bool,
    load: Mapping[date, int] | None,
) -> dict[Rating, Answer]:
    """:func:`answer_card` for each of ``ratings``, with one scheduler, and each rating's
    ``fsrs`` review made once however many of the answers need it."""
    now = _utc(now)
    scheduler = _scheduler(settings)
    before = _to_fsrs(card, card_id, now)
    reviewed: dict[Rating, fsrs.Card] = {}

    def review(passing: Rating) -> fsrs.Card:
        if passing not in reviewed:
            reviewed[passing] = scheduler.review_card(
                before, fsrs.Rating(int(passing)), review_datetime=now
            )[0]
        return reviewed[passing]

    spread = _Fuzz(fuzz, f"{card_id}:{card.reps}", load)
    steps: dict[Rating, tuple[int, int]] = {}
    answers = {}
    for rating in ratings:
        scheduled = review(rating)
        due = scheduled.due
        if scheduled.state == fsrs.State.Review and rating != Rating.AGAIN:
            due = now + timedelta(
                days=_passing_days(settings, card, rating, review, now, spread, steps)
            )
        elif scheduled.state == fsrs.State.Review:  # Again with no relearning steps
            due = now + timedelta(days=_constrained(settings, (due - now).days, 1, now, spread))
        lapsed = card.state == REVIEW and rating == Rating.AGAIN
        after = CardState(
            state=int(scheduled.state),
            step=scheduled.step,
            stability=scheduled.stability,
            difficulty=scheduled.difficulty,
            due=due,
            last_review=now,
            reps=card.reps + 1,
            lapses=card.lapses + (1 if lapsed else 0),
        )
        answers[rating] = Answer(rating=rating, before=card, after=after, reviewed_at=now, due=due)
    return answers


def _scheduler(settings: StudySettings) -> fsrs.Scheduler:
    """The ``fsrs`` scheduler of ``settings``, made once for settings that hash (it holds
    no state of its own); settings given lists instead of tuples get one each time."""
    try:
        hash(settings)
    except TypeError:
        return settings.scheduler()
    return _kept_scheduler(settings)


@lru_cache(maxsize=256)
def _kept_scheduler(settings: StudySettings) -> fsrs.Scheduler:
    return settings.scheduler()


def preview_intervals(
    settings: StudySettings,
    card: CardState,
    now: datetime,
    *,
    card_id: int,
    fuzz: bool = True,
    load: Mapping[date, int] | None = None,
) -> dict[Rating, timedelta]:
    """The interval each rating would give ``card`` at ``now``: what the grade buttons show.

    One call for the four: one scheduler, and each rating's ``fsrs`` review made once (the
    longer ratings' intervals are held apart from the shorter ones', which they read).
    Give the same ``load`` as the answer will get, or the buttons may show other days.
    """
    answers = _answers(settings, card, tuple(Rating), now, card_id, fuzz, load)
    return {rating: answers[rating].interval for rating in Rating}


def retrievability(settings: StudySettings, card: CardState, now: datetime) -> float:
    """The predicted chance of recalling ``card`` at ``now`` (0 for a card never studied)."""
    return retrievabilities(settings, [card], now)[0]


def retrievabilities(
    settings: StudySettings, cards: Sequence[CardState], now: datetime
) -> list[float]:
    """:func:`retrievability` for many cards, with one scheduler."""
    scheduler = settings.scheduler()
    now = _utc(now)
    return [
        0.0
        if card.state == NEW or card.stability is None
        else scheduler.get_card_retrievability(_to_fsrs(card, 0, now), current_datetime=now)
        for card in cards
    ]


@dataclass(frozen=True, slots=True)
class ForgettingCurve:
    """FSRS's forgetting curve as numbers, so that a database can compute recall too.

    Recall after ``days`` whole days at ``stability`` is
    ``(1 + factor * days / stability) ** decay``, the expression ``fsrs`` evaluates in
    ``Scheduler.get_card_retrievability``, in the same order, so the floats are the same.
    """

    factor: float
    decay: float


def forgetting_curve(settings: StudySettings) -> ForgettingCurve:
    """The curve ``settings``' scheduler uses (FSRS-6: the decay is the 21st parameter)."""
    decay = -settings.scheduler().parameters[20]
    return ForgettingCurve(factor=0.9 ** (1 / decay) - 1, decay=decay)


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_STEP = re.compile(r"([0-9]{1,6}(?:\.[0-9]{1,3})?)([smhd])", re.ASCII | re.IGNORECASE)
MAX_STEP = 365 * 86400  # a year: longer is no step, and far longer overflows a date
MAX_STEPS = 20


class StepLengthError(ValueError):
    """A learning or relearning step longer than :data:`MAX_STEP`."""


def parse_steps(text: str) -> tuple[int, ...]:
    """Read learning steps written as Anki writes them (``"1m 10m"``, ``"30s 1h 1d"``):
    at most :data:`MAX_STEPS`, each from a second to :data:`MAX_STEP`.

    Raises:
        StepLengthError: naming the step that is longer than a year.
        ValueError: naming the step that is not a number followed by s, m, h or d, or
            saying there are too many.
    """
    steps = []
    for word in text.split():
        found = _STEP.fullmatch(word)
        seconds = round(float(found[1]) * _UNITS[found[2].lower()]) if found else 0
        if seconds < 1:
            raise ValueError(f"'{word}' is not a step like 30s, 10m, 1h or 1d")
        if seconds > MAX_STEP:
            raise StepLengthError(f"'{word}' is longer than a step may be (365d)")
        steps.append(seconds)
    if len(steps) > MAX_STEPS:
        raise ValueError(f"{len(steps)} steps; at most {MAX_STEPS}")
    return tuple(steps)


def bounded_steps(steps: Sequence[object]) -> tuple[int, ...]:
    """Steps as stored, each held between a second and :data:`MAX_STEP`, at most
    :data:`MAX_STEPS`: what an older version let through must not break scheduling."""
    held = []
    for step in list(steps)[:MAX_STEPS]:
        try:
            seconds = int(step)  # type: ignore[call-overload]
        except (TypeError, ValueError, OverflowError):
            continue
        held.append(min(max(seconds, 1), MAX_STEP))
    return tuple(held)


def bounded_easy_days(days: object) -> tuple[float, ...]:
    """Easy days as stored, as seven fractions each from 0 to 1; anything else (None, a list
    of another length, a value that is not a number) is a normal week."""
    if not isinstance(days, (list, tuple)) or len(days) != 7:
        return NORMAL_WEEK
    held = []
    for share in days:
        if isinstance(share, bool) or not isinstance(share, (int, float)) or share != share:
            return NORMAL_WEEK
        held.append(min(max(float(share), 0.0), 1.0))
    return tuple(held)


def format_steps(steps: tuple[int, ...]) -> str:
    """The inverse of :func:`parse_steps`, in the largest whole unit."""
    words = []
    for seconds in steps:
        for unit in ("d", "h", "m", "s"):
            if seconds % _UNITS[unit] == 0:
                words.append(f"{seconds // _UNITS[unit]}{unit}")
                break
    return " ".join(words)

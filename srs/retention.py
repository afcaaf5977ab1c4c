"""Help me decide: a year of study simulated at several desired retentions.

A higher desired retention means more reviews for each card kept; a lower one, more cards
forgotten. ``fsrs-rs`` (through ``fsrs_rs_python``, the simulator behind Anki's FSRS
"Help me decide") studies a simulated collection day by day with a learner's parameters, so
the two can be weighed in their own numbers: reviews and minutes a day, and how many cards
they would know at the end.

The simulated collection is the learner's: as many cards (all starting new, as if they began
today), their limits, their steps and maximum interval, and, from their log, how long they
take to answer and how they rate. Where the log says little, Anki's figures (``fsrs-rs``'s
defaults) weigh in, so a new learner gets Anki's estimate and a seasoned one their own.

The simulator draws at random; a fixed seed makes the same collection give the same figures
(services/retention.py keeps each learner's last advice).

A simulation's cost grows with the reviews it plays: cards times reviews per card. Whatever
the settings, one stays near a second: the deck is at most :data:`MAX_CARDS`, fewer when a
short maximum interval brings every card back often (a collection in proportion, its limits
scaled with it and its figures scaled back), and steps count at most :data:`MAX_STEPS`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypedDict

import fsrs_rs_python
from fsrs.scheduler import DEFAULT_PARAMETERS

from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW, Rating

__all__ = [
    "MAX_CARDS",
    "MAX_STEPS",
    "OPTIONS",
    "RECOMMENDED_RANGE",
    "SEED",
    "SIMULATED_DAYS",
    "AnswerTally",
    "RetentionAdvice",
    "RetentionOption",
    "StudyPlan",
    "advise",
    "simulator_config",
]

SIMULATED_DAYS = 365
OPTIONS = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
# Anki clamps the optimum to this range (rslib/src/scheduler/fsrs/retention.rs,
# compute_optimal_retention: ``.clamp(0.7, 0.95)``).
RECOMMENDED_RANGE = (0.70, 0.95)
SEED = 2024
# A year of study at 20 new cards a day reaches 7300 cards; past this many the simulation
# takes longer than a request should (about 2 s for every option and the optimum), and the
# comparison between retentions, which is what the page is for, hardly changes.
MAX_CARDS = 5000
# 5000 cards learned at 20 a day spend 1.2 million days in the deck over the year; that
# takes about 2 s. All learned on the first day (9998 new a day) they spend half as many
# more; with a maximum interval of a day every card comes back daily (46 s before this bound).
CARD_DAYS = MAX_CARDS * (SIMULATED_DAYS - MAX_CARDS / 20 / 2)
MIN_CARDS = 100  # fewer, and chance would swamp the differences between retentions
# Twenty learning and twenty relearning steps at 9998 new cards a day took 2.6 s; past a few
# steps another one changes the minutes a little and the comparison not at all.
MAX_STEPS = 5
# How many answers of one kind a learner's own figure counts as much as the default: below
# it the default weighs more, above it their own.
_PRIOR_ANSWERS = 20
_MAX_SECONDS = 600  # an answer left open longer is a pause, not study


@dataclass(frozen=True, slots=True)
class AnswerTally:
    """The learner's answers of one kind: the card's state before, the rating, how many,
    and their mean time in seconds (None when no time was logged)."""

    state: int
    rating: int
    count: int
    seconds: float | None


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """What the simulation studies: the learner's collection, limits and habits.

    ``new_per_day`` and ``reviews_per_day`` are for the whole collection (a learner's
    per-bank limit times their banks). ``answers`` are the log's tallies (a tuple, so that
    a plan can be a cache key).
    """

    cards: int
    new_per_day: int
    reviews_per_day: int
    learning_steps: int = 2
    relearning_steps: int = 1
    maximum_interval: int = 36500
    parameters: tuple[float, ...] | None = None
    answers: tuple[AnswerTally, ...] = ()


class RetentionOptionDict(TypedDict):
    retention: float
    reviews_per_day: float
    minutes_per_day: float
    memorized: float


@dataclass(frozen=True, slots=True)
class RetentionOption:
    """A year at one desired retention: mean reviews and minutes a day (new cards' time
    included), and the cards known at the end (the sum of their recall probabilities)."""

    retention: float
    reviews_per_day: float
    minutes_per_day: float
    memorized: float

    def to_dict(self) -> RetentionOptionDict:
        return {
            "retention": self.retention,
            "reviews_per_day": round(self.reviews_per_day, 1),
            "minutes_per_day": round(self.minutes_per_day, 1),
            "memorized": round(self.memorized, 1),
        }


@dataclass(frozen=True, slots=True)
class RetentionAdvice:
    """The options, lowest retention first, and the one recommended (one of them)."""

    options: tuple[RetentionOption, ...]
    recommended: float

    @property
    def at_lowest(self) -> bool:
        """Whether the recommendation is the lowest retention offered: the least time per
        card remembered lies there or below, so it says only that a higher retention costs
        more, not how much a learner should remember."""
        return self.recommended <= min(OPTIONS)

    def to_dict(self) -> dict[str, object]:
        return {
            "options": [option.to_dict() for option in self.options],
            "recommended": self.recommended,
        }


def _blend(own: float, count: int, default: float) -> float:
    """The learner's own figure from ``count`` answers, weighed against the default."""
    return (own * count + default * _PRIOR_ANSWERS) / (count + _PRIOR_ANSWERS)


def _shares(counts: Sequence[int], defaults: Sequence[float]) -> list[float]:
    """How often each rating is chosen: the learner's counts with the defaults as a prior."""
    total = sum(counts)
    return [
        (count + share * _PRIOR_ANSWERS) / (total + _PRIOR_ANSWERS)
        for count, share in zip(counts, defaults, strict=True)
    ]


# The simulator's rows of answer times: learning, review, relearning.
_COST_ROWS = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}


def _answer_costs(
    answers: Iterable[AnswerTally], defaults: Sequence[Sequence[float]]
) -> list[list[float]]:
    """Seconds per answer by state and rating, the learner's own where logged."""
    sums = [[0.0] * 4 for _ in range(3)]
    counts = [[0] * 4 for _ in range(3)]
    for answer in answers:
        if answer.seconds is None or answer.count <= 0 or answer.state not in _COST_ROWS:
            continue
        row, column = _COST_ROWS[answer.state], answer.rating - 1
        sums[row][column] += min(answer.seconds, _MAX_SECONDS) * answer.count
        counts[row][column] += answer.count
    return [
        [
            _blend(sums[r][c] / counts[r][c], counts[r][c], defaults[r][c])
            if counts[r][c]
            else defaults[r][c]
            for c in range(4)
        ]
        for r in range(3)
    ]


def _scale(plan: StudyPlan) -> float:
    """The share of ``plan``'s year that is simulated (1 for most learners).

    The simulation's cost is about its card-days (each card from the day it is learned to the
    year's end) times how often a card comes back. Both are held to :data:`CARD_DAYS`, a
    year of 20 new cards a day from a deck of :data:`MAX_CARDS`, with a card back at least
    once a year; a shorter maximum interval brings cards back more often, so fewer are
    simulated (never under :data:`MIN_CARDS`). The days of intake are the same whatever the
    share, since the limits are scaled with the deck.
    """
    cards = max(1, min(plan.cards, plan.new_per_day * SIMULATED_DAYS))
    intake_days = min(cards / max(plan.new_per_day, 1), SIMULATED_DAYS)
    card_days = cards * (SIMULATED_DAYS - intake_days / 2)
    interval = min(max(plan.maximum_interval, 1), SIMULATED_DAYS)
    budget = CARD_DAYS * interval / SIMULATED_DAYS
    share = max(min(1.0, MAX_CARDS / cards, budget / card_days), min(1.0, MIN_CARDS / cards))
    return max(1, round(cards * share)) / cards  # a whole number of cards


def simulator_config(plan: StudyPlan) -> fsrs_rs_python.SimulatorConfig:
    """The simulator's settings for ``plan``: Anki's defaults where the learner has none.

    As in Anki (rslib/src/scheduler/fsrs/simulator.rs) a day has no time limit: the limits
    are the learner's counts of new cards and reviews, scaled with the deck when only part
    of it is simulated (:func:`_scale`).
    """
    scale = _scale(plan)
    config = fsrs_rs_python.default_simulator_config()
    first = [0] * 4  # ratings of a card's first answer
    recalled = [0] * 3  # hard, good, easy of reviews that were recalled
    for answer in plan.answers:
        if answer.state == NEW and Rating.AGAIN <= answer.rating <= Rating.EASY:
            first[answer.rating - 1] += answer.count
        elif answer.state == REVIEW and Rating.HARD <= answer.rating <= Rating.EASY:
            recalled[answer.rating - 2] += answer.count
    config.first_rating_prob = _shares(first, config.first_rating_prob)
    config.review_rating_prob = _shares(recalled, config.review_rating_prob)
    config.state_rating_costs = _answer_costs(plan.answers, config.state_rating_costs)
    # New cards past a year's intake are never reached: leaving them out changes nothing.
    cards = max(1, min(plan.cards, plan.new_per_day * SIMULATED_DAYS))
    config.deck_size = round(cards * scale)
    config.learn_span = SIMULATED_DAYS
    config.max_cost_perday = math.inf
    config.max_ivl = float(plan.maximum_interval)
    config.learn_limit = _scaled_limit(plan.new_per_day, scale)
    config.review_limit = _scaled_limit(plan.reviews_per_day, scale)
    config.learning_step_count = min(plan.learning_steps, MAX_STEPS)
    config.relearning_step_count = min(plan.relearning_steps, MAX_STEPS)
    return config


def _scaled_limit(limit: int, scale: float) -> int:
    """A daily limit for a deck ``scale`` times the size: at least one while there is one."""
    return max(min(limit, 1), round(limit * scale))


def _option(
    config: fsrs_rs_python.SimulatorConfig, parameters: list[float], retention: float, scale: float
) -> RetentionOption:
    result = fsrs_rs_python.simulate(parameters, retention, config=config, seed=SEED)
    days = len(result.cost_per_day) or 1
    memorized = result.memorized_cnt_per_day[-1] if result.memorized_cnt_per_day else 0.0
    return RetentionOption(
        retention=retention,
        reviews_per_day=sum(result.review_cnt_per_day) / days / scale,
        minutes_per_day=sum(result.cost_per_day) / days / 60 / scale,
        memorized=memorized / scale,
    )


def advise(plan: StudyPlan) -> RetentionAdvice:
    """A year of ``plan`` at each of :data:`OPTIONS` and at the recommended retention.

    The recommendation is ``fsrs-rs``'s optimal retention, the one with the least study time
    per card remembered, rounded to a hundredth (the settings' precision) and kept within
    :data:`RECOMMENDED_RANGE` as Anki keeps it.
    """
    parameters = list(plan.parameters or DEFAULT_PARAMETERS)
    config = simulator_config(plan)
    low, high = RECOMMENDED_RANGE
    optimum = fsrs_rs_python.optimal_retention(config, parameters)
    recommended = round(min(high, max(low, optimum)), 2)
    retentions = sorted({*OPTIONS, recommended})
    scale = _scale(plan)
    return RetentionAdvice(
        options=tuple(_option(config, parameters, r, scale) for r in retentions),
        recommended=recommended,
    )

"""Review trajectories drawn from FSRS itself: the app's scheduler, fuzz off, ratings drawn
from each card's predicted recall."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bench.seeding.writers import Row
from srs.scheduler import (
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    CardState,
    Rating,
    StudySettings,
    answer_card,
    retrievability,
)

DAY = 86400

# How a learner answers, by the card's state (weights for Again, Hard, Good, Easy).
_FIRST = (0.18, 0.10, 0.62, 0.10)
_STEP = (0.10, 0.08, 0.77, 0.05)
_RECALLED = (0.0, 0.10, 0.82, 0.08)  # a review card recalled; forgotten is Again
_RATINGS = tuple(Rating)


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One card's simulated reviews, timed from the midnight (UTC) of the day it was introduced.

    ``times[k]`` is review ``k``'s time in seconds (to cut the trajectory with ``bisect``),
    ``dues[k]`` the card's due time after it, and ``rows[k]`` the review as a row of the
    events table (:data:`EVENTS` from ``k``).
    """

    times: list[int]
    dues: list[int]
    rows: list[Row]


def _weighted(rng: random.Random, weights: tuple[float, ...]) -> Rating:
    return rng.choices(_RATINGS, weights)[0]


def _clock(delta: timedelta, suffix: str) -> tuple[int, str]:
    """A moment as (days after the first day, the time of day as stored after the date)."""
    seconds = delta.seconds
    return delta.days, (
        f" {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        f".{delta.microseconds:06d}{suffix}"
    )


def simulate(
    rng: random.Random, settings: StudySettings, horizon_days: int, suffix: str, card_id: int
) -> Trajectory:
    """Review one card from its introduction for ``horizon_days`` days, as FSRS schedules it.

    The learner studies at about the same time each day; a learning step is answered a few
    minutes after it is due, a review on its due day (one in five a day or more late), and
    recalled with the chance FSRS predicts. ``suffix`` follows each stored time of day.
    """
    origin = datetime(2000, 1, 3, tzinfo=UTC)  # any midnight: only the offsets are kept
    session = rng.randrange(7 * 3600, 22 * 3600)
    moment = origin + timedelta(seconds=session, microseconds=rng.randrange(1_000_000))
    card = CardState(due=moment)
    end = origin + timedelta(days=horizon_days)
    trajectory = Trajectory([], [], [])
    previous: tuple[int | None, str | None, int, str] | None = None
    while moment < end:
        if card.state == NEW:
            rating = _weighted(rng, _FIRST)
        elif card.state == REVIEW:
            recalled = rng.random() < retrievability(settings, card, moment)
            rating = _weighted(rng, _RECALLED) if recalled else Rating.AGAIN
        else:
            rating = _weighted(rng, _STEP)
        answer = answer_card(settings, card, rating, moment, card_id=card_id, fuzz=False)
        before, after = answer.before, answer.after
        day, clock = _clock(moment - origin, suffix)
        due_day, due_clock = _clock(answer.due - origin, suffix)
        # The first review's "before" is the card as created, due the moment it was shown.
        prev_day, prev_clock, prev_due_day, prev_due_clock = previous or (None, None, day, clock)
        elapsed_ms = min(120_000, int(rng.lognormvariate(math.log(6000), 0.6)))
        trajectory.times.append(int((moment - origin).total_seconds()))
        trajectory.dues.append(int((answer.due - origin).total_seconds()))
        trajectory.rows.append(
            (day, clock, due_day, due_clock, prev_day, prev_clock, prev_due_day, prev_due_clock,
             int(rating), elapsed_ms, before.state, before.step, before.stability,
             before.difficulty, after.state, after.step, after.stability, after.difficulty,
             after.lapses)
        )  # fmt: skip
        previous = (day, clock, due_day, due_clock)
        card = after
        if after.state in (LEARNING, RELEARNING):
            moment = answer.due + timedelta(seconds=rng.randrange(5, 240))
        else:
            late = 0 if rng.random() < 0.8 else 1 + int(rng.expovariate(0.4))
            day_start = origin + timedelta(days=(answer.due - origin).days + late)
            moment = day_start + timedelta(
                seconds=session + rng.randrange(-1800, 3600),
                microseconds=rng.randrange(1_000_000),
            )
    return trajectory

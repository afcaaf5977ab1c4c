"""A synthetic review log with a known pattern: a learner who forgets faster than FSRS expects.

For the optimiser's tests: fitting parameters to it should move them towards
:data:`FORGETFUL` and lower the log loss.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

import fsrs
from fsrs.scheduler import DEFAULT_PARAMETERS

from srs.optimize import LoggedReview
from srs.scheduler import NEW, REVIEW

__all__ = ["FORGETFUL", "T0", "forgetful_log"]

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)

# A tenth of FSRS's default initial stabilities; the rest as the defaults.
FORGETFUL = (0.02, 0.13, 0.23, 0.83, *DEFAULT_PARAMETERS[4:])


def forgetful_log(
    cards: int, *, days: int = 150, seed: int = 7, remembers: Sequence[float] = FORGETFUL
) -> list[LoggedReview]:
    """Reviews scheduled with the default parameters, recalled as ``remembers`` (by default
    :data:`FORGETFUL`) remembers.

    Each card has two memories: the one it is scheduled by (the defaults) and the learner's
    (``remembers``: with the defaults, a learner FSRS predicts exactly). A review comes when the first says it is due, and is recalled (Good) or not
    (Again) with the chance the second gives it then; learning steps are always Good. Card
    ``n`` (from 1) starts on day ``n % 30``; the log is in time order.
    """
    rng = random.Random(seed)
    schedule = fsrs.Scheduler(enable_fuzzing=False)
    memory = fsrs.Scheduler(parameters=tuple(remembers), enable_fuzzing=False)
    log = []
    for card_id in range(1, cards + 1):
        start = T0 + timedelta(days=card_id % 30)
        scheduled = fsrs.Card(card_id=card_id, due=start)
        remembered = fsrs.Card(card_id=card_id, due=start)
        now, state = start, NEW
        while now < T0 + timedelta(days=days):
            if state == REVIEW:
                chance = memory.get_card_retrievability(remembered, now)
                rating = fsrs.Rating.Good if rng.random() < chance else fsrs.Rating.Again
            else:
                rating = fsrs.Rating.Good
            log.append(LoggedReview(card_id, now, int(rating), state))
            scheduled, _ = schedule.review_card(scheduled, rating, now)
            remembered, _ = memory.review_card(remembered, rating, now)
            now, state = scheduled.due, int(scheduled.state)
    return sorted(log, key=lambda review: review.reviewed_at)

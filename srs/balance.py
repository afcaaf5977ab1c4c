"""Load balancing and easy days: which day of a fuzz range a review interval lands on.

Plain fuzz draws a day of the range at random, so some days collect more reviews than
others. Here, as in Anki 24.11+ (``rslib/src/scheduler/states/load_balancer.rs``), each day
of the range gets a weight and the draw is weighted: a day with few cards due weighs more,
a nearer day slightly more (else later days win too often), and a weekday the learner
wants light (their easy days) less. The draw stays seeded by the card, so the interval a
grade button shows is the one the answer gives.

Where this differs from Anki: a day with no cards due still takes the easy-day share and
the nearness weight (Anki gives such a day the full weight of 1), and a day at share 0
gets weight 0, not Anki's 0.0001, unless every day of the range is at 0. So a weekend set
to 0 never gets a card while a weekday is in range, whatever the draw.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

__all__ = ["LOAD_DAYS", "MAX_BALANCED", "balanced_days", "easy_day_weights"]

# Beyond this interval (days) the need to balance is low: the card is far away (Anki's
# MAX_LOAD_BALANCE_INTERVAL).
MAX_BALANCED = 90
# The days ahead whose due counts a balanced interval may need: the widest fuzz range
# around MAX_BALANCED ends within them.
LOAD_DAYS = 100

# Anki's exponents: weight = (1 / cards due) ** 2.15 * (1 / interval) ** 3.
_COUNT_EXPONENT = 2.15
_INTERVAL_EXPONENT = 3


def easy_day_weights(shares: Sequence[float], counts: Sequence[int]) -> list[float]:
    """Each day's easy-day factor (0 or 1), from its weekday's share and the cards due.

    Anki's ``calculate_easy_days_modifiers``: a day at share 1 stays open and a day at 0 is
    closed. A day in between stays open only while its count, scaled up to a whole day
    (count / share), is no more than the range's other days' cards per share of a day;
    else it is closed. Anki sees every share below 1 as a half; here the share itself is
    used, which is the same at 0.5.
    """
    total_count = sum(counts)
    total_share = sum(shares)
    weights = []
    for share, count in zip(shares, counts, strict=True):
        if share >= 1:
            weights.append(1.0)
        elif share <= 0:
            weights.append(0.0)
        else:
            other_share = total_share - share
            threshold = (total_count - count) / other_share if other_share > 0 else float("inf")
            weights.append(0.0 if count / share > threshold else 1.0)
    return weights


def balanced_days(
    low: int,
    high: int,
    counts: Sequence[int],
    weekdays: Sequence[int],
    easy_days: Sequence[float],
    seed: str,
) -> int:
    """The interval in days, from ``low`` to ``high``, that a card seeded by ``seed`` gets.

    Args:
        counts: the cards due on each day of the range, ``low`` first.
        weekdays: each day's weekday, Monday 0.
        easy_days: the share of a normal day's reviews each weekday takes, Monday first.
        seed: the card's fuzz seed; the same seed and load give the same day.
    """
    days = range(low, high + 1)
    if len(counts) != len(days) or len(weekdays) != len(days):
        raise ValueError(f"{len(days)} days from {low} to {high}: give a count and a weekday each")
    shares = [max(0.0, easy_days[weekday]) for weekday in weekdays]
    if not any(shares):  # every day is an easy day at 0: balance as if none were
        shares = [1.0] * len(days)
    easy = easy_day_weights(shares, counts)
    if not any(easy):
        easy = [1.0] * len(days)
    weights = [
        (1 / max(count, 1)) ** _COUNT_EXPONENT * (1 / max(day, 1)) ** _INTERVAL_EXPONENT * factor
        for day, count, factor in zip(days, counts, easy, strict=True)
    ]
    draw = random.Random(seed).random() * sum(weights)  # noqa: S311 (not security)
    for day, weight in zip(days, weights, strict=True):
        if draw < weight:
            return day
        draw -= weight
    return max(day for day, weight in zip(days, weights, strict=True) if weight > 0)

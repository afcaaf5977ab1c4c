"""A card's answers replayed through fsrs-rs (``fsrs_rs_python``, the Rust core Anki uses).

Wengu schedules with ``fsrs`` (Python). The parity tests replay what Wengu did through
fsrs-rs and compare the memory states. What the two libraries do differently by design:

* **Elapsed days.** ``fsrs`` counts the time since a card's last review in whole 24-hour
  periods (``(now - last_review).days``), and uses the short-term (same-day) stability when
  that is 0. fsrs-rs takes the count it is given (``delta_t``); Anki, and Wengu's optimiser
  (``srs.optimize``), give it study days. A replay with :func:`whole_days` reproduces
  ``fsrs``; one with study days differs where the two counts differ (a review at 23:00 and
  one at 08:00 the next morning are 0 periods but 1 study day apart).
* **Stability's ceiling.** fsrs-rs holds stability at most :data:`S_MAX` days (as Anki
  does); ``fsrs`` has only the floor. Beyond 36500 days the two part, and from then on the
  card's later states differ too.
* **Precision.** fsrs-rs computes in 32-bit floats, ``fsrs`` in 64-bit: the states agree to
  a few hundred-thousandths, relative, over a long history (:data:`RELATIVE`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime

import fsrs_rs_python
from fsrs.scheduler import DEFAULT_PARAMETERS

__all__ = ["RELATIVE", "S_MAX", "close", "replay", "whole_days"]

# fsrs-rs's float32 arithmetic against fsrs's float64: a float32 holds about 7 digits, and a
# history of a few dozen reviews loses about one more (about 5e-6 at most). One formula loses
# more: a lapse's stability has the factor (S + 1) ** w13 - 1, which for a card whose stability
# fell to a few thousandths of a day (failed again and again) cancels to a few digits in
# float32, about 2**-24 / (w13 * S) relative, 4e-5 at S = 0.004, and the reviews after it carry
# that. 1e-4 covers it; any difference in a formula (a clamp, a branch, an elapsed day counted
# otherwise) moves stability by percents, far more.
RELATIVE = 1e-4
S_MAX = 36500.0  # fsrs-rs's ceiling on stability, in days (its S_MAX)


def whole_days(previous: datetime, now: datetime) -> int:
    """The elapsed days as ``fsrs`` counts them: whole 24-hour periods."""
    return (now - previous).days


def replay(
    parameters: Sequence[float] | None,
    answers: Sequence[tuple[datetime, int]],
    elapsed: Callable[[datetime, datetime], int] = whole_days,
) -> list[tuple[float, float]]:
    """The (stability, difficulty) fsrs-rs gives after each of a card's ``answers`` (moment,
    rating), its first answer made new, with ``elapsed`` counting the days between two."""
    reviews = [
        fsrs_rs_python.FSRSReview(rating, elapsed(answers[index - 1][0], moment) if index else 0)
        for index, (moment, rating) in enumerate(answers)
    ]
    model = fsrs_rs_python.FSRS(list(parameters or DEFAULT_PARAMETERS))
    return [
        (state.stability, state.difficulty)
        for state in model.historical_memory_states(fsrs_rs_python.FSRSItem(reviews))
    ]


def close(rust: float, python: float) -> bool:
    """Whether fsrs-rs's ``rust`` and ``fsrs``'s ``python`` agree within :data:`RELATIVE`."""
    return math.isclose(rust, python, rel_tol=RELATIVE)

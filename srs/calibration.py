"""How good a schedule is: recall as FSRS predicted it, against the answers the learner gave.

The reviews judged are the ones a fit learns from (:func:`srs.optimize.training_items`):
each review of a card after its first, on a later study day than the review before it.
For each, FSRS predicts the chance of recall from the card's memory before it and the days
since; the answer says whether the card was recalled (any rating but Again).

Two figures sum it up, as fsrs-rs computes them for the parameters in use (Anki's "Evaluate"
shows the same two):

* Log loss: the mean of ``-log(p)`` over recalled reviews and ``-log(1 - p)`` over forgotten
  ones; lower is better.
* RMSE (bins): reviews grouped by how long the card waited, how many reviews and lapses it
  had; the root of the mean squared gap between predicted and actual recall in each group,
  weighed by its size. 0.05 is a gap of five points on average.

The chart groups the same reviews by predicted recall instead, in tenths, so that a learner
sees whether "90 % likely" came true about nine times in ten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import fsrs_rs_python
from fsrs.scheduler import DEFAULT_PARAMETERS

from srs.optimize import CardHistory, ItemReview, LoggedReview, card_histories, items_of

__all__ = [
    "BINS",
    "VERDICTS",
    "Calibration",
    "CalibrationBin",
    "calibration",
    "predicted_recalls",
]

# Predicted recall is grouped in tenths: 0-10 %, ..., 90-100 %.
BINS = 10
# The verdict on RMSE (bins): under 5 % "well", to 10 % "fairly well", above "poorly". The
# FSRS benchmark (open-spaced-repetition/srs-benchmark) finds FSRS-5 and -6 at about 5 % on
# average over some ten thousand Anki collections, and Anki's older algorithm and FSRS on
# too few reviews around 10 % and more; Anki's "Evaluate" shows the figure with no verdict.
VERDICTS = ((0.05, "well"), (0.10, "fairly well"), (float("inf"), "poorly"))


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Reviews whose predicted recall fell in one tenth: their mean prediction, the share
    recalled, and how many they were."""

    predicted: float
    actual: float
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"predicted": self.predicted, "actual": self.actual, "count": self.count}


@dataclass(frozen=True, slots=True)
class Calibration:
    """The two figures (``None`` with no review to judge) and the bins, lowest first; a bin
    with no review is left out."""

    log_loss: float | None = None
    rmse_bins: float | None = None
    bins: tuple[CalibrationBin, ...] = ()
    reviews: int = 0

    @property
    def verdict(self) -> str | None:
        """How well the predictions held, in a word of :data:`VERDICTS` (None: no figure)."""
        if self.rmse_bins is None:
            return None
        return next(word for bound, word in VERDICTS if self.rmse_bins < bound)

    def to_dict(self) -> dict[str, Any]:
        return {
            "log_loss": self.log_loss,
            "rmse_bins": self.rmse_bins,
            "reviews": self.reviews,
            "bins": [one.to_dict() for one in self.bins],
        }


def _fsrs_item(steps: Sequence[ItemReview]) -> fsrs_rs_python.FSRSItem:
    return fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(r, t) for r, t in steps])


def predicted_recalls(
    histories: Sequence[Sequence[ItemReview]], parameters: Sequence[float]
) -> list[tuple[float, bool]]:
    """The reviews a fit learns from in ``histories`` (each card's steps, as
    :func:`srs.optimize.card_histories` reads them): the recall FSRS predicted for each,
    and whether it was recalled.

    The card's memory before the review is fsrs-rs's (the model its ``evaluate`` runs),
    computed once along each card's history; the chance of recall after ``delta_t`` days
    is FSRS-6's forgetting curve, ``(1 + factor * t / S) ** -w20`` with
    ``factor = 0.9 ** (-1 / w20) - 1``.
    """
    judged = [steps for steps in histories if any(step.delta_t > 0 for step in steps[1:])]
    if not judged:
        return []
    states = fsrs_rs_python.FSRS(list(parameters)).historical_memory_state_batch(
        [_fsrs_item(steps) for steps in judged]
    )
    decay = -parameters[20]
    factor = 0.9 ** (1 / decay) - 1
    found = []
    for steps, memory in zip(judged, states, strict=True):
        for index in range(1, len(steps)):
            step = steps[index]
            if step.delta_t > 0:
                stability = memory[index - 1].stability
                found.append(((1 + factor * step.delta_t / stability) ** decay, step.rating > 1))
    return found


def _bins(predictions: Sequence[tuple[float, bool]]) -> tuple[CalibrationBin, ...]:
    sums = [[0.0, 0, 0] for _ in range(BINS)]
    for recall, recalled in predictions:
        cell = sums[min(int(recall * BINS), BINS - 1)]
        cell[0] += recall
        cell[1] += recalled
        cell[2] += 1
    return tuple(
        CalibrationBin(predicted=total / count, actual=passed / count, count=int(count))
        for total, passed, count in sums
        if count
    )


def calibration(
    reviews: Iterable[LoggedReview],
    zone: str,
    rollover_hour: int,
    parameters: Sequence[float] | None = None,
) -> Calibration:
    """How well ``parameters`` (``None``: FSRS's defaults) predicted a learner's answers.

    Args:
        reviews: the learner's log, in any order.
        zone, rollover_hour: the learner's day, which the days between reviews count.
    """
    histories: list[CardHistory] = card_histories(reviews, zone, rollover_hour)
    items = items_of(histories)
    if not items:
        return Calibration()
    parameters = list(parameters or DEFAULT_PARAMETERS)
    evaluation = fsrs_rs_python.FSRS(parameters).evaluate([_fsrs_item(item) for item in items])
    predictions = predicted_recalls([steps for _, steps in histories], parameters)
    return Calibration(
        log_loss=evaluation.log_loss,
        rmse_bins=evaluation.rmse_bins,
        bins=_bins(predictions),
        reviews=len(items),
    )

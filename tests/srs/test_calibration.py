"""How good a schedule is: fsrs-rs's two figures, and predicted against actual recall."""

from __future__ import annotations

import math
from datetime import timedelta

import fsrs_rs_python
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from srs.calibration import Calibration, CalibrationBin, calibration, predicted_recalls
from srs.optimize import LoggedReview, training_items
from srs.scheduler import NEW, REVIEW
from tests.synthetic import FORGETFUL, T0, forgetful_log


def _evaluation(log: list[LoggedReview], parameters) -> fsrs_rs_python.ModelEvaluation:
    items = [
        fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(r, t) for r, t in item])
        for item in training_items(log, "UTC", 4)
    ]
    return fsrs_rs_python.FSRS(list(parameters)).evaluate(items)


@pytest.mark.parametrize("parameters", [None, FORGETFUL], ids=["defaults", "personal"])
def test_the_figures_are_those_fsrs_rs_evaluates(parameters) -> None:
    log = forgetful_log(40)

    found = calibration(log, "UTC", 4, parameters)

    expected = _evaluation(log, parameters or DEFAULT_PARAMETERS)
    # fsrs-rs sums its bins in 32-bit floats in a hash map's order, which differs from one
    # call to the next: the last digits may too.
    assert found.log_loss == pytest.approx(expected.log_loss, rel=1e-6)
    assert found.rmse_bins == pytest.approx(expected.rmse_bins, rel=1e-6)
    assert found.reviews == len(training_items(log, "UTC", 4))
    assert sum(one.count for one in found.bins) == found.reviews


def test_each_prediction_is_the_one_fsrs_rs_evaluates() -> None:
    """One item's log loss is -log p (recalled) or -log(1 - p): fsrs-rs's p, read back."""
    model = fsrs_rs_python.FSRS(list(FORGETFUL))
    for item in training_items(forgetful_log(12), "UTC", 4)[:40]:
        loss = model.evaluate(
            [fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(r, t) for r, t in item])]
        ).log_loss
        recalled = item[-1].rating > 1
        theirs = math.exp(-loss) if recalled else 1 - math.exp(-loss)

        recall, was_recalled = predicted_recalls([item], FORGETFUL)[-1]

        assert was_recalled == recalled
        assert recall == pytest.approx(theirs, abs=1e-4)


def _review(card: int, day: int, rating: int, state: int = REVIEW, hour: int = 9) -> LoggedReview:
    return LoggedReview(card, T0 + timedelta(days=day, hours=hour - 9), rating, state)


def test_bins_of_a_small_log() -> None:
    log = [
        _review(1, 0, 3, NEW),
        _review(1, 3, 3),
        _review(2, 0, 3, NEW),
        _review(2, 3, 1),
        _review(3, 0, 4, NEW),
        _review(3, 1, 3),
        _review(4, 0, 1, NEW),
        _review(4, 5, 2),
        _review(5, 0, 1, NEW),
        _review(5, 2, 1),
        # The same study day: not judged. A log that does not start new: left out.
        _review(6, 0, 3, NEW),
        _review(6, 0, 3, hour=20),
        _review(7, 0, 3),
        _review(7, 3, 1),
    ]
    # A second review follows the first's initial stability (w0 Again, w2 Good, w3 Easy)
    # down FSRS-6's curve: R = (1 + f t / S) ** -w20, with f = 0.9 ** (-1 / w20) - 1.
    w = DEFAULT_PARAMETERS
    decay = -w[20]
    factor = 0.9 ** (1 / decay) - 1

    def curve(days: int, stability: float) -> float:
        return (1 + factor * days / stability) ** decay

    good_3, easy_1 = curve(3, w[2]), curve(1, w[3])
    again_5, again_2 = curve(5, w[0]), curve(2, w[0])
    assert 0.6 <= again_5 < again_2 < 0.7 and 0.8 <= good_3 < 0.9 and easy_1 >= 0.9

    found = calibration(log, "UTC", 4)

    assert found.reviews == 5
    assert [(one.count, one.actual) for one in found.bins] == [(2, 0.5), (2, 0.5), (1, 1.0)]
    predicted = [one.predicted for one in found.bins]
    assert predicted == pytest.approx([(again_5 + again_2) / 2, good_3, easy_1], abs=1e-5)


def test_a_learner_fsrs_predicts_lies_near_the_diagonal() -> None:
    """Answers drawn at the chance FSRS's defaults give (seeded) against a learner who
    forgets faster than they say."""
    exact = calibration(forgetful_log(300, remembers=DEFAULT_PARAMETERS, seed=3), "UTC", 4)
    forgetful = calibration(forgetful_log(300, seed=3), "UTC", 4)

    assert exact.reviews > 1000 and forgetful.reviews > 1000
    assert all(abs(one.predicted - one.actual) < 0.03 for one in exact.bins if one.count >= 300)
    worst = max(one.predicted - one.actual for one in forgetful.bins if one.count >= 300)
    assert worst > 0.04
    assert exact.rmse_bins < forgetful.rmse_bins
    assert exact.log_loss < forgetful.log_loss


def test_nothing_to_judge_gives_nulls() -> None:
    first_reviews_only = [_review(1, 0, 3, NEW), _review(2, 1, 3, NEW), _review(2, 1, 3, hour=10)]

    for log in ([], first_reviews_only):
        found = calibration(log, "UTC", 4)

        assert found == Calibration()
        assert found.to_dict() == {"log_loss": None, "rmse_bins": None, "reviews": 0, "bins": []}


def test_a_bin_as_json() -> None:
    assert CalibrationBin(0.85, 0.8, 12).to_dict() == {
        "predicted": 0.85,
        "actual": 0.8,
        "count": 12,
    }

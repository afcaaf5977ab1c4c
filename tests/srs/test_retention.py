"""Help me decide: the simulated options, their seed, the recommendation and the inputs."""

from __future__ import annotations

import pytest

from srs.retention import (
    OPTIONS,
    RECOMMENDED_RANGE,
    AnswerTally,
    StudyPlan,
    advise,
    simulator_config,
)
from srs.scheduler import NEW, REVIEW, Rating

# Parameters as a fit on a real learner's log gives them (within fsrs-rs's bounds, unlike
# the defaults in every place).
FITTED = (
    0.4072, 1.1829, 3.1262, 15.4722, 7.2102, 0.5316, 1.0651, 0.0234, 1.616, 0.1544,
    1.0824, 1.9813, 0.0953, 0.2975, 2.2042, 0.2407, 2.9466, 0.5034, 0.6567, 0.1, 0.35,
)  # fmt: skip
PLAN = StudyPlan(cards=800, new_per_day=20, reviews_per_day=200)


def test_the_same_plan_gives_the_same_figures() -> None:
    first = advise(PLAN).to_dict()
    advise.cache_clear()
    assert advise(PLAN).to_dict() == first


def test_every_option_is_simulated_lowest_first() -> None:
    advice = advise(PLAN)
    retentions = [option.retention for option in advice.options]
    assert retentions == sorted(retentions)
    assert set(OPTIONS) <= set(retentions)
    assert advice.recommended in retentions


@pytest.mark.parametrize("parameters", [None, FITTED], ids=["default", "fitted"])
def test_recommended_retention_is_within_ankis_range(parameters: tuple[float, ...] | None) -> None:
    plan = StudyPlan(cards=1500, new_per_day=20, reviews_per_day=200, parameters=parameters)
    low, high = RECOMMENDED_RANGE
    assert low <= advise(plan).recommended <= high


def test_higher_retention_costs_more_reviews_and_keeps_more_cards() -> None:
    advice = advise(StudyPlan(cards=800, new_per_day=20, reviews_per_day=9999))
    lowest, highest = advice.options[0], advice.options[-1]
    assert highest.reviews_per_day > lowest.reviews_per_day * 2
    assert highest.minutes_per_day > lowest.minutes_per_day
    assert highest.memorized > lowest.memorized
    assert all(0 < option.memorized <= 800 for option in advice.options)


def test_a_slower_learner_needs_more_minutes() -> None:
    slow = tuple(
        AnswerTally(state, rating, 1000, 40.0)
        for state in (NEW, REVIEW)
        for rating in (Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.EASY)
    )
    quick = advise(PLAN).options[0].minutes_per_day
    assert advise(StudyPlan(800, 20, 200, answers=slow)).options[0].minutes_per_day > quick * 2


def test_own_answers_outweigh_the_defaults_as_they_add_up() -> None:
    default = simulator_config(PLAN)
    few = simulator_config(StudyPlan(800, 20, 200, answers=(AnswerTally(REVIEW, 3, 2, 60.0),)))
    many = simulator_config(StudyPlan(800, 20, 200, answers=(AnswerTally(REVIEW, 3, 5000, 60.0),)))
    good_review = default.state_rating_costs[1][2]
    assert good_review < few.state_rating_costs[1][2] < 0.5 * (good_review + 60)
    assert many.state_rating_costs[1][2] == pytest.approx(60, abs=0.5)
    assert many.review_rating_prob[1] == pytest.approx(1, abs=0.01)
    assert sum(few.first_rating_prob) == pytest.approx(1)


def test_the_deck_stops_where_a_year_of_new_cards_does() -> None:
    assert simulator_config(StudyPlan(50000, 10, 200)).deck_size == 3650
    assert simulator_config(StudyPlan(300, 10, 200)).deck_size == 300
    assert simulator_config(StudyPlan(50000, 100, 200)).deck_size == 5000

"""Help me decide: the simulated options, their seed, the recommendation and the inputs."""

from __future__ import annotations

import time

import pytest

from srs.retention import (
    MAX_CARDS,
    MAX_STEPS,
    MIN_CARDS,
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
    assert advise(PLAN).to_dict() == advise(PLAN).to_dict()


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


# The most a learner's settings allow: 9999 new cards and 99999 reviews a day, twenty steps
# of each kind, a maximum interval of a day. Unbounded, this took 46 s.
COSTLIEST = StudyPlan(50000, 9999, 99999, learning_steps=20, relearning_steps=20,
                      maximum_interval=1)  # fmt: skip


def test_no_setting_makes_the_simulation_play_more_reviews() -> None:
    config = simulator_config(COSTLIEST)
    assert config.deck_size == MIN_CARDS
    assert config.learning_step_count == config.relearning_step_count == MAX_STEPS
    # All learned on the first day, the deck is smaller than at 20 a day.
    assert simulator_config(StudyPlan(5000, 9999, 99999)).deck_size < MAX_CARDS
    assert simulator_config(StudyPlan(5000, 20, 200)).deck_size == MAX_CARDS
    # Up to a year, a shorter maximum interval simulates fewer cards; past it, as many.
    sizes = [simulator_config(StudyPlan(5000, 20, 200, maximum_interval=days)).deck_size
             for days in (7, 30, 180, 365, 36500)]  # fmt: skip
    assert sizes == sorted(sizes) and sizes[-1] == sizes[-2] == MAX_CARDS


def test_a_part_simulated_counts_for_the_whole() -> None:
    plan = StudyPlan(2000, 20, 200, maximum_interval=30)
    config = simulator_config(plan)
    share = config.deck_size / 2000
    assert share < 0.5
    assert config.learn_limit == round(20 * share)
    options = advise(plan).options
    # The cards known are counted for the learner's 2000, not the simulated few.
    assert 0.5 * 2000 < options[-1].memorized <= 2000
    assert options[-1].reviews_per_day > options[0].reviews_per_day


@pytest.mark.slow
def test_the_costliest_settings_take_no_longer_than_usual() -> None:
    started = time.perf_counter()
    advise(StudyPlan(MAX_CARDS, 20, 200))
    usual = time.perf_counter() - started
    for plan in (COSTLIEST, StudyPlan(5000, 9999, 99999, 20, 20, maximum_interval=30)):
        started = time.perf_counter()
        advise(plan)
        assert time.perf_counter() - started < usual * 1.5, plan

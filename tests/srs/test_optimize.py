"""Personal parameters: training items in study days, the fit, and the replay."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs
import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from srs.optimize import (
    MIN_REVIEWS,
    ItemReview,
    LoggedReview,
    NotEnoughHistory,
    fit_parameters,
    relearning_steps_in_a_day,
    rescheduled,
    training_items,
    training_review_count,
)
from srs.scheduler import (
    LEARNING,
    NEW,
    REVIEW,
    CardState,
    Rating,
    StudySettings,
    answer_card,
    fuzz_range,
)
from tests.synthetic import FORGETFUL, T0, forgetful_log

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_fit_moves_the_parameters_towards_how_the_learner_forgets() -> None:
    items = training_items(forgetful_log(90), "UTC", 4)
    assert len(items) >= MIN_REVIEWS

    result = fit_parameters(items)

    assert result.reviews == len(items)
    assert result.parameters != DEFAULT_PARAMETERS
    # Good's initial stability is what the forgetful learner's log says most plainly.
    assert result.parameters[2] < DEFAULT_PARAMETERS[2] / 2
    assert result.log_loss_after < result.log_loss_before
    assert result.improved


def test_fitted_parameters_are_accepted_by_the_scheduler() -> None:
    result = fit_parameters(training_items(forgetful_log(90), "UTC", 4))

    assert len(result.parameters) == len(DEFAULT_PARAMETERS) == 21
    fsrs.Scheduler(parameters=result.parameters)  # validates every bound
    StudySettings(parameters=result.parameters).scheduler()


def test_log_loss_before_is_that_of_the_current_parameters() -> None:
    items = training_items(forgetful_log(90), "UTC", 4)
    fitted = fit_parameters(items)

    again = fit_parameters(items, fitted.parameters)

    assert again.log_loss_before == pytest.approx(fitted.log_loss_after)
    assert again.log_loss_before < fitted.log_loss_before


def test_too_little_history_is_refused_with_the_count() -> None:
    items = training_items(forgetful_log(5), "UTC", 4)
    assert 0 < len(items) < MIN_REVIEWS

    with pytest.raises(NotEnoughHistory) as raised:
        fit_parameters(items)

    assert str(raised.value) == (
        f"Personal parameters need at least 400 reviews; you have {len(items)}."
    )
    assert raised.value.reviews == len(items)
    assert isinstance(raised.value, ValueError)


def test_rollover_hour_in_the_learners_zone_separates_days() -> None:
    before = datetime(2026, 3, 2, 3, 59, tzinfo=SHANGHAI)
    log = [
        LoggedReview(1, before, Rating.GOOD, NEW),
        LoggedReview(1, before + timedelta(minutes=2), Rating.GOOD, LEARNING),
    ]

    assert training_items(log, "Asia/Shanghai", 4) == [
        (ItemReview(Rating.GOOD, 0), ItemReview(Rating.GOOD, 1))
    ]
    # In UTC the two are 19:59 and 20:01 of one day.
    assert training_items(log, "UTC", 4) == []


def test_same_day_reviews_stay_in_the_history_with_delta_t_zero() -> None:
    day = datetime(2026, 3, 2, 4, 1, tzinfo=SHANGHAI)
    log = [
        LoggedReview(1, day + timedelta(days=1, hours=23, minutes=57), Rating.GOOD, REVIEW),
        LoggedReview(1, day, Rating.AGAIN, NEW),
        LoggedReview(1, day + timedelta(minutes=10), Rating.GOOD, LEARNING),
        LoggedReview(1, day + timedelta(hours=23, minutes=57), Rating.GOOD, LEARNING),
    ]

    # 04:01, 04:11 and 03:58 next morning are one study day; 03:58 the morning after is 1 day on.
    assert training_items(log, "Asia/Shanghai", 4) == [
        (
            ItemReview(Rating.AGAIN, 0),
            ItemReview(Rating.GOOD, 0),
            ItemReview(Rating.GOOD, 0),
            ItemReview(Rating.GOOD, 1),
        )
    ]
    assert training_review_count(log, "Asia/Shanghai", 4) == 1


def test_items_come_in_the_order_of_their_last_review() -> None:
    log = [
        LoggedReview(1, T0, Rating.GOOD, NEW),
        LoggedReview(2, T0 + timedelta(days=1), Rating.GOOD, NEW),
        LoggedReview(1, T0 + timedelta(days=5), Rating.GOOD, REVIEW),
        LoggedReview(2, T0 + timedelta(days=3), Rating.AGAIN, REVIEW),
    ]

    assert training_items(log, "UTC", 4) == [
        (ItemReview(Rating.GOOD, 0), ItemReview(Rating.AGAIN, 2)),
        (ItemReview(Rating.GOOD, 0), ItemReview(Rating.GOOD, 5)),
    ]


def test_a_log_that_does_not_start_new_is_left_out() -> None:
    log = [
        LoggedReview(1, T0, Rating.GOOD, REVIEW),
        LoggedReview(1, T0 + timedelta(days=4), Rating.GOOD, REVIEW),
    ]

    assert training_items(log, "UTC", 4) == []
    assert rescheduled(StudySettings(), 1, log) is None


def test_count_matches_the_items() -> None:
    log = forgetful_log(20)

    assert training_review_count(log, "Asia/Shanghai", 4) == len(
        training_items(log, "Asia/Shanghai", 4)
    )


@pytest.mark.parametrize(
    ("steps", "count"), [((), 0), ((600,), 1), ((600, 3600), 2), ((600, 86400, 600), 1)]
)
def test_relearning_steps_in_a_day(steps: tuple[int, ...], count: int) -> None:
    assert relearning_steps_in_a_day(steps) == count


def _answered(settings: StudySettings, history: list[tuple[timedelta, Rating]]) -> CardState:
    card = CardState()
    for offset, rating in history:
        card = answer_card(settings, card, rating, T0 + offset, card_id=9).after
    return card


HISTORY = [
    (timedelta(0), Rating.GOOD),
    (timedelta(minutes=1), Rating.GOOD),
    (timedelta(minutes=11), Rating.GOOD),
    (timedelta(days=3), Rating.GOOD),
    (timedelta(days=12), Rating.AGAIN),
    (timedelta(days=12, minutes=10), Rating.GOOD),
    (timedelta(days=15), Rating.EASY),
]


def _log(history: list[tuple[timedelta, Rating]]) -> list[LoggedReview]:
    states = [NEW] + [LEARNING] * (len(history) - 1)  # only the first one's state is read
    return [
        LoggedReview(9, T0 + offset, rating, state)
        for (offset, rating), state in zip(history, states, strict=True)
    ]


def test_replay_with_the_same_settings_gives_the_card_as_answered() -> None:
    settings = StudySettings()

    assert rescheduled(settings, 9, _log(HISTORY)) == _answered(settings, HISTORY)


def test_replay_with_new_parameters_keeps_the_last_review_and_moves_the_due() -> None:
    old = _answered(StudySettings(), HISTORY)
    settings = StudySettings(parameters=FORGETFUL)

    new = rescheduled(settings, 9, reversed(_log(HISTORY)))  # any order

    assert new is not None
    assert new.last_review == old.last_review == T0 + timedelta(days=15)
    assert (new.state, new.reps, new.lapses) == (old.state, old.reps, old.lapses)
    assert new.stability < old.stability
    assert new.due < old.due
    assert new == _answered(settings, HISTORY)


def _with_answered_due(log: list[LoggedReview], due: datetime) -> list[LoggedReview]:
    return [*log[:-1], replace(log[-1], due_after=due)]


def test_replay_keeps_the_day_the_answer_gave_while_the_fuzz_range_holds_it() -> None:
    """A due day load balancing chose is not undone by a replay whose range still holds it;
    one the new interval's range no longer holds gives way to the replay's own draw."""
    settings = StudySettings()
    plain = _answered(settings, HISTORY)
    last = T0 + HISTORY[-1][0]
    days = (
        answer_card(
            settings, _answered(settings, HISTORY[:-1]), Rating.EASY, last, card_id=9, fuzz=False
        ).due
        - last
    ).days
    low, high = fuzz_range(days, settings.maximum_interval)
    chosen = next(
        last + timedelta(days=n) for n in (low, high) if last + timedelta(days=n) != plain.due
    )

    kept = rescheduled(settings, 9, _with_answered_due(_log(HISTORY), chosen))
    assert kept == replace(plain, due=chosen)

    far = last + timedelta(days=high + 30)
    assert rescheduled(settings, 9, _with_answered_due(_log(HISTORY), far)) == plain

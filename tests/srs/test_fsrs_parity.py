"""``srs.scheduler.answer_card`` against fsrs-rs on synthetic answers: the same FSRS.

How the two libraries differ by design, and how the replay deals with it, is in
:mod:`tests.fsrs_replay`; each difference has its own test here.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from srs.scheduler import REVIEW, CardState, Rating, StudySettings, answer_card
from tests.fsrs_replay import S_MAX, close, replay
from tests.synthetic import FORGETFUL

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


def answered(
    settings: StudySettings, ratings_and_moments: list[tuple[Rating, datetime]]
) -> list[CardState]:
    card, states = CardState(), []
    for rating, moment in ratings_and_moments:
        card = answer_card(settings, card, rating, moment, card_id=1).after
        states.append(card)
    return states


def random_card(settings: StudySettings, rng: random.Random, reviews: int) -> list[tuple]:
    """A card answered ``reviews`` times: early, on time, or late, and now and then twice in
    a day; each answer as (moment, rating, state after)."""
    card, now, log = CardState(), T0 + timedelta(minutes=rng.randrange(0, 1440)), []
    for _ in range(reviews):
        rating = Rating(rng.choices((1, 2, 3, 4), (20, 10, 60, 10))[0])
        card = answer_card(settings, card, rating, now, card_id=7).after
        log.append((now, int(rating), card))
        assert card.due is not None
        chance = rng.random()
        if chance < 0.3:  # early, often the same day
            now += (card.due - now) * rng.random()
        elif chance < 0.5:  # late, up to most of a year
            now = card.due + timedelta(hours=rng.randrange(0, 24 * 300))
        else:
            now = card.due
    return log


@pytest.mark.parametrize(
    "settings",
    [
        StudySettings(),
        StudySettings(learning_steps=(30, 600, 86400), relearning_steps=(600, 3600)),
        StudySettings(learning_steps=(), relearning_steps=(), parameters=FORGETFUL),
    ],
    ids=["default", "a-day-step", "no-steps-forgetful"],
)
def test_every_state_is_what_fsrs_rs_gives(settings: StudySettings) -> None:
    rng = random.Random(11)
    compared = same_day = 0
    for _ in range(150):
        log = random_card(settings, rng, 30)
        for index, ((stability, difficulty), (moment, _, after)) in enumerate(
            zip(replay(settings.parameters, [(m, r) for m, r, _ in log]), log, strict=True)
        ):
            if after.stability >= S_MAX:
                break  # fsrs-rs's ceiling: its own test below
            assert close(stability, after.stability), (index, stability, after.stability)
            assert close(difficulty, after.difficulty), (index, difficulty, after.difficulty)
            compared += 1
            same_day += index > 0 and (moment - log[index - 1][0]).days == 0
    assert compared > 3000
    assert same_day > 300  # learning steps and early reviews: the short-term stability


def test_fsrs_counts_whole_24_hour_periods_where_anki_counts_study_days() -> None:
    """A review card answered at 23:00 and again at 08:00 the next morning: 9 hours, no whole
    day, so ``fsrs`` takes the short-term stability; counted as 1 day (the next study day),
    fsrs-rs gives the long-term one, and the stabilities part. Difficulty in FSRS-6 does
    not depend on the time between reviews, so it agrees either way."""
    settings = StudySettings()
    evening = T0.replace(hour=23)
    answers = [(Rating.GOOD, T0), (Rating.GOOD, T0 + timedelta(minutes=10))]
    answers += [(Rating.GOOD, evening + timedelta(days=3)), (Rating.GOOD, evening + timedelta(days=3, hours=9))]  # fmt: skip
    states = answered(settings, answers)
    assert states[2].state == REVIEW
    moments = [(moment, int(rating)) for rating, moment in answers]

    as_fsrs = replay(None, moments)
    as_anki = replay(None, moments, elapsed=lambda before, now: (now.date() - before.date()).days)

    assert [close(s, state.stability) for (s, _), state in zip(as_fsrs, states, strict=True)] == [
        True
    ] * 4
    assert [close(s, state.stability) for (s, _), state in zip(as_anki, states, strict=True)] == [
        True, True, True, False,
    ]  # fmt: skip
    assert as_anki[3][0] > states[3].stability  # grown over a day, not within one
    assert all(close(d, state.difficulty) for (_, d), state in zip(as_anki, states, strict=True))


def test_fsrs_rs_holds_stability_at_36500_days_where_fsrs_goes_on() -> None:
    """Answered Easy whenever due, a card's stability passes 36500 days within a few dozen
    reviews in ``fsrs``; fsrs-rs stops at its ceiling there, and agrees up to that review."""
    settings = StudySettings()
    card, now, answers, states = CardState(), T0, [], []
    while not states or states[-1].stability < S_MAX * 2:
        card = answer_card(settings, card, Rating.EASY, now, card_id=1, fuzz=False).after
        answers.append((now, int(Rating.EASY)))
        states.append(card)
        assert card.due is not None
        now = card.due
    rust = replay(None, answers)
    over = next(i for i, state in enumerate(states) if state.stability > S_MAX)

    assert all(
        close(s, state.stability) for (s, _), state in zip(rust[:over], states[:over], strict=True)
    )
    assert [s for s, _ in rust[over:]] == [S_MAX] * (len(states) - over)
    assert all(close(d, state.difficulty) for (_, d), state in zip(rust, states, strict=True))

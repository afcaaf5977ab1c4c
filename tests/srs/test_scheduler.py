"""The scheduler adapter: the same intervals as ``fsrs``, fuzz that can be foreseen."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import fsrs
import fsrs.scheduler
import pytest

from srs.scheduler import (
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    CardState,
    Rating,
    StudySettings,
    _fuzzed_days,
    answer_card,
    format_steps,
    parse_steps,
    preview_intervals,
    retrievability,
)

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
HISTORY = [  # (minutes after T0, rating)
    (0, Rating.GOOD),
    (1, Rating.GOOD),
    (11, Rating.GOOD),
    (60 * 24 * 3, Rating.HARD),
    (60 * 24 * 10, Rating.AGAIN),
    (60 * 24 * 10 + 10, Rating.GOOD),
    (60 * 24 * 20, Rating.EASY),
]


def test_history_gives_the_same_schedule_as_fsrs() -> None:
    settings = StudySettings()
    ours = CardState()
    theirs = fsrs.Card(card_id=7, due=T0)
    reference = fsrs.Scheduler(enable_fuzzing=False)
    for minutes, rating in HISTORY:
        at = T0 + timedelta(minutes=minutes)
        ours = answer_card(settings, ours, rating, at, card_id=7, fuzz=False).after
        theirs, _ = reference.review_card(theirs, fsrs.Rating(int(rating)), review_datetime=at)
        assert (ours.state, ours.step) == (int(theirs.state), theirs.step)
        # fsrs schedules each rating alone; a passing one may be a day longer here, so that it
        # is longer than the one below it (see the test of the buttons' order below).
        assert ours.due - theirs.due in (timedelta(0), timedelta(days=1))
        assert ours.stability == pytest.approx(theirs.stability, rel=1e-12)
        assert ours.difficulty == pytest.approx(theirs.difficulty, rel=1e-12)
    assert (ours.reps, ours.lapses) == (7, 1)


def test_settings_reach_fsrs() -> None:
    settings = StudySettings(learning_steps=(300,), desired_retention=0.8)
    first = answer_card(settings, CardState(), Rating.AGAIN, T0, card_id=1, fuzz=False)
    assert first.interval == timedelta(minutes=5)
    reference = fsrs.Scheduler(desired_retention=0.8, learning_steps=(timedelta(minutes=5),),
                               enable_fuzzing=False)  # fmt: skip
    card, _ = reference.review_card(fsrs.Card(card_id=1, due=T0), fsrs.Rating.Easy, T0)
    ours = answer_card(settings, CardState(), Rating.EASY, T0, card_id=1, fuzz=False)
    assert ours.due == card.due


def test_new_card_starts_learning() -> None:
    answer = answer_card(StudySettings(), CardState(), Rating.GOOD, T0, card_id=1)
    assert (answer.before.state, answer.after.state, answer.after.step) == (NEW, LEARNING, 1)
    assert answer.interval == timedelta(minutes=10)


def test_lapse_moves_a_review_to_relearning() -> None:
    card = CardState(state=REVIEW, stability=20.0, difficulty=5.0, due=T0,
                     last_review=T0 - timedelta(days=20), reps=4)  # fmt: skip
    answer = answer_card(StudySettings(), card, Rating.AGAIN, T0, card_id=1)
    assert answer.after.state == RELEARNING and answer.after.lapses == 1
    assert answer.interval == timedelta(minutes=10)


def test_input_card_is_not_changed() -> None:
    card = CardState()
    answer_card(StudySettings(), card, Rating.GOOD, T0, card_id=1)
    assert card == CardState()


@pytest.mark.parametrize("days", [1, 2, 3, 5, 8, 15, 30, 100, 365, 3000])
@pytest.mark.parametrize("draw", [0.0, 0.37, 0.999999])
def test_fuzz_range_is_fsrs_own(monkeypatch: pytest.MonkeyPatch, days: int, draw: float) -> None:
    monkeypatch.setattr(fsrs.scheduler, "random", lambda: draw)
    theirs = fsrs.Scheduler(maximum_interval=36500)._get_fuzzed_interval(
        interval=timedelta(days=days)
    )
    assert _fuzzed_days(days, 36500, draw) == theirs.days


def test_fuzz_is_the_same_for_preview_and_answer() -> None:
    card = CardState(state=REVIEW, stability=40.0, difficulty=5.0, due=T0,
                     last_review=T0 - timedelta(days=40), reps=6)  # fmt: skip
    shown = preview_intervals(StudySettings(), card, T0, card_id=99)
    for rating in Rating:
        got = answer_card(StudySettings(), card, rating, T0, card_id=99)
        assert got.interval == shown[rating]


def test_fuzz_spreads_cards_answered_alike() -> None:
    card = CardState(state=REVIEW, stability=40.0, difficulty=5.0, due=T0,
                     last_review=T0 - timedelta(days=40), reps=6)  # fmt: skip
    intervals = {
        answer_card(StudySettings(), card, Rating.GOOD, T0, card_id=i).interval.days
        for i in range(40)
    }
    plain = answer_card(StudySettings(), card, Rating.GOOD, T0, card_id=1, fuzz=False)
    assert len(intervals) > 3
    assert all(
        abs(days - plain.interval.days) <= 0.1 * plain.interval.days + 2 for days in intervals
    )


def test_maximum_interval_caps_reviews() -> None:
    card = CardState(state=REVIEW, stability=900.0, difficulty=3.0, due=T0,
                     last_review=T0 - timedelta(days=900), reps=10)  # fmt: skip
    settings = StudySettings(maximum_interval=100)
    assert max(preview_intervals(settings, card, T0, card_id=5).values()) <= timedelta(days=100)


def test_retrievability_falls_with_time() -> None:
    card = answer_card(StudySettings(), CardState(), Rating.EASY, T0, card_id=1).after
    soon = retrievability(StudySettings(), card, T0 + timedelta(days=1))
    later = retrievability(StudySettings(), card, T0 + timedelta(days=60))
    assert 1 > soon > later > 0
    assert retrievability(StudySettings(), CardState(), T0) == 0.0


@pytest.mark.parametrize(
    ("text", "steps"), [("1m 10m", (60, 600)), ("30s 1h 1d", (30, 3600, 86400)), ("", ())]
)
def test_steps_read_and_write_as_anki_does(text: str, steps: tuple[int, ...]) -> None:
    assert parse_steps(text) == steps
    assert format_steps(steps) == text


@pytest.mark.parametrize("bad", ["10", "5x", "-1m", "m", "0m"])
def test_bad_steps_are_named(bad: str) -> None:
    with pytest.raises(ValueError, match=f"'{bad}' is not a step like 30s, 10m, 1h or 1d"):
        parse_steps(f"1m {bad}")


@pytest.mark.parametrize("fuzz", [False, True])
def test_hard_good_and_easy_are_each_a_day_longer_than_the_one_below(fuzz: bool) -> None:
    """As Anki orders them (rslib's passing_fsrs_review_intervals): of the passing ratings
    that send a card to review, Hard < Good < Easy in days, and a review card's longer
    interval is longer than its last, whatever fsrs gives each alone and wherever fuzz and
    load balancing put them."""
    rng = random.Random(5)
    settings = StudySettings()
    checked = 0
    for card_id in range(300):
        card, at = CardState(), T0
        for _ in range(8):
            shown = preview_intervals(settings, card, at, card_id=card_id, fuzz=fuzz)
            days = [shown[r] / timedelta(days=1) for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]
            passing = [d for d in days if d >= 1 and d == int(d)]
            assert passing == sorted(set(passing)), (card_id, days)
            checked += len(passing) > 1
            rating = rng.choice([Rating.HARD, Rating.GOOD, Rating.GOOD, Rating.EASY, Rating.AGAIN])
            at += timedelta(hours=rng.choice([0.2, 20, 24 * rng.randint(1, 30)]))
            card = answer_card(settings, card, rating, at, card_id=card_id, fuzz=fuzz).after
    assert checked > 500


def test_the_four_previews_of_one_call_are_the_four_answers() -> None:
    """preview_intervals shares one scheduler and each rating's fsrs review between the
    four buttons: each interval is still what that rating's answer alone gives, over random
    cards of every state, settings (no relearning steps among them), loads and fuzz."""
    rng = random.Random(22)
    checked = set()
    for card_id in range(200):
        settings = StudySettings(
            desired_retention=rng.choice([0.8, 0.9, 0.95]),
            relearning_steps=rng.choice([(600,), (), (60, 600)]),
            learning_steps=rng.choice([(60, 600), (), (600,)]),
            maximum_interval=rng.choice([36500, 30]),
        )
        load = {(T0 + timedelta(days=d)).date(): rng.randrange(50) for d in range(60)}
        card, at = CardState(), T0
        for _ in range(rng.randrange(1, 9)):
            at += timedelta(hours=rng.choice([0.1, 20, 24 * rng.randint(1, 60)]))
            card = answer_card(settings, card, Rating(rng.randint(1, 4)), at, card_id=card_id).after
        at += timedelta(hours=rng.choice([0.1, 30, 24 * rng.randint(1, 90)]))
        fuzz, given = rng.random() < 0.8, load if rng.random() < 0.5 else None
        shown = preview_intervals(settings, card, at, card_id=card_id, fuzz=fuzz, load=given)
        alone = {
            rating: answer_card(
                settings, card, rating, at, card_id=card_id, fuzz=fuzz, load=given
            ).interval
            for rating in Rating
        }
        assert shown == alone, (card_id, card)
        checked.add(card.state)
    assert checked == {LEARNING, REVIEW, RELEARNING}

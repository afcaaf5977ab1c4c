"""Proof that Wengu's FSRS is FSRS: what Wengu stored, replayed through fsrs-rs.

Five learners, each with their own steps, zone and rollover hour (one with personal
parameters), answer their cards through ``services.answers.answer`` over a year and a
half: learning and relearning steps, same-day repeats, early and late reviews, lapses and
long breaks. Every card's log is then replayed through fsrs-rs (``fsrs_rs_python``, the Rust
core Anki uses), and the stability and difficulty after each answer must be what the
``reviews`` row stored, and the last what the ``cards`` row holds, within
:data:`tests.fsrs_replay.RELATIVE` (fsrs-rs computes in 32-bit floats).

The replay counts elapsed days as ``fsrs`` does, in whole 24-hour periods. Counted in study
days instead (as Anki and Wengu's optimiser count them), it agrees up to the first review
where the two counts differ: that difference is by design (:mod:`tests.fsrs_replay`), and
is tested here as precisely as the agreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import insert, select

from bench.seeding.learners import generated_bank
from models import Card, Question, Review, User, db
from services.bank_import import import_bank
from srs.study import study_day
from tests.fsrs_replay import S_MAX, close, replay, whole_days
from tests.seeding import study_when_due
from tests.synthetic import FORGETFUL

pytestmark = pytest.mark.slow

START = datetime(2025, 1, 6, 7, 0, tzinfo=timezone.utc)
UNTIL = START + timedelta(days=540)
CARDS = 40

# name: (learning steps, relearning steps, zone, rollover hour, parameters, rating weights)
LEARNERS = {
    "ann": ((60, 600), (600,), "UTC", 4, None, (15, 10, 60, 15)),
    "bo": ((30, 300, 3600), (300, 3600), "Asia/Shanghai", 4, None, (25, 15, 50, 10)),
    "cy": ((600, 86400), (600,), "America/New_York", 0, None, (10, 5, 70, 15)),
    "di": ((), (), "Europe/Berlin", 6, None, (20, 10, 55, 15)),
    "ed": ((60, 600), (600, 1800), "Australia/Sydney", 3, FORGETFUL, (30, 10, 50, 10)),
}


def seed(app: Flask) -> int:
    """The five learners' histories; returns how many answers they made."""
    made = 0
    with app.app_context():
        session = db.session
        import_bank(session, generated_bank(1, CARDS), now=START)
        questions = session.scalars(select(Question.id)).all()
        for number, (name, spec) in enumerate(LEARNERS.items()):
            steps, relearning, zone, rollover, parameters, ratings = spec
            user = User(
                name=name,
                password_hash="x",
                learning_steps=list(steps),
                relearning_steps=list(relearning),
                timezone=zone,
                rollover_hour=rollover,
                fsrs_parameters=list(parameters) if parameters else None,
            )
            session.add(user)
            session.flush()
            session.execute(
                insert(Card),
                [{"user_id": user.id, "question_id": q, "bank_id": "gen-1"} for q in questions],
            )
            cards = session.scalars(select(Card).where(Card.user_id == user.id)).all()
            made += study_when_due(session, user, cards, START, UNTIL, ratings=ratings, seed=number)
        session.commit()
    return made


def histories(app: Flask) -> list[tuple[User, Card, list[Review]]]:
    """Every card with its reviews in order, as the database holds them."""
    with app.app_context():
        reviews = defaultdict(list)
        for review in db.session.scalars(select(Review).order_by(Review.reviewed_at, Review.id)):
            reviews[review.card_id].append(review)
        found = []
        for card in db.session.scalars(select(Card).order_by(Card.id)):
            found.append((db.session.get_one(User, card.user_id), card, reviews[card.id]))
        db.session.expunge_all()
    return found


def test_what_wengu_stored_is_what_fsrs_rs_gives(app: Flask) -> None:
    """One seeding (it takes most of the time) for both replays."""
    made = seed(app)
    assert made > 3000
    found = histories(app)
    assert_agrees_in_whole_days(found, made)
    assert_parts_where_study_days_differ(found)


def assert_agrees_in_whole_days(found: list[tuple[User, Card, list[Review]]], made: int) -> None:
    compared = 0
    kinds: set[tuple[int, bool]] = set()  # (state before, same day) of each answer compared
    for user, card, log in found:
        states = replay(user.fsrs_parameters, [(r.reviewed_at, r.rating) for r in log])
        for index, (review, (stability, difficulty)) in enumerate(zip(log, states, strict=True)):
            where = (user.name, card.id, index)
            assert close(stability, review.stability_after), (where, stability, review)
            assert close(difficulty, review.difficulty_after), (where, difficulty, review)
            same_day = index > 0 and whole_days(log[index - 1].reviewed_at, review.reviewed_at) == 0
            kinds.add((review.state_before, same_day))
            compared += 1
        assert close(states[-1][0], card.stability) and close(states[-1][1], card.difficulty)
        assert max(r.stability_after for r in log) < S_MAX  # fsrs-rs's ceiling: not reached
    assert compared == made
    # New, learning, review and relearning cards, each answered later on the same day and
    # after a day or more (a new card's answer is its first).
    assert kinds == {(0, False), *((state, same) for state in (1, 2, 3) for same in (False, True))}


def in_study_days(user: User) -> Callable[[datetime, datetime], int]:
    """The elapsed days as Anki and ``srs.optimize`` count them: the learner's study days."""

    def elapsed(before: datetime, now: datetime) -> int:
        zone, hour = user.timezone, user.rollover_hour
        return (study_day(now, zone, hour).date - study_day(before, zone, hour).date).days

    return elapsed


def assert_parts_where_study_days_differ(found: list[tuple[User, Card, list[Review]]]) -> None:
    """Counted in study days, the replay agrees up to the first review whose two counts
    differ, and from there on only in difficulty."""
    parted = agreed = 0
    for user, _, log in found:
        elapsed = in_study_days(user)
        moments = [r.reviewed_at for r in log]
        differs = [
            index > 0 and elapsed(moments[index - 1], m) != whole_days(moments[index - 1], m)
            for index, m in enumerate(moments)
        ]
        states = replay(user.fsrs_parameters, [(r.reviewed_at, r.rating) for r in log], elapsed)
        first = differs.index(True) if True in differs else len(log)
        for index, (review, (stability, difficulty)) in enumerate(zip(log, states, strict=True)):
            # FSRS-6's difficulty does not depend on the time between reviews.
            assert close(difficulty, review.difficulty_after)
            if index < first:
                assert close(stability, review.stability_after)
                agreed += 1
        if first < len(log):
            parted += not close(states[first][0], log[first].stability_after)
    assert agreed > 500
    assert parted > 100  # the seeded log has many such reviews, and the counts show in them

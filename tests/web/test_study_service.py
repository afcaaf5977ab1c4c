"""Studying against the database, at fixed times: order, limits, days, siblings, undo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import Card, Question, Review, User, db
from services.answers import answer, bury, set_suspended, undo_last
from services.bank_import import import_bank
from services.context import Study
from services.queue import bank_counts, cards_ahead, done_today, next_card
from srs.scheduler import LEARNING, NEW, REVIEW, Rating
from srs.sources import load_bank
from srs.study import Counts

SHANGHAI = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)

BANK = (
    "id: b\ntitle: B\nquestions:\n"
    + "".join(f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(1, 6))
    + "  - {id: rev, type: reverse, prompt: front, answer: back}\n"
)


@pytest.fixture
def session(app: Flask, write_bank) -> Iterator[Session]:
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK})))
        db.session.commit()
        yield db.session


@pytest.fixture
def learner(session: Session) -> User:
    user = User(name="ann", password_hash="x", timezone="Asia/Shanghai", new_per_day=3)
    session.add(user)
    session.flush()
    return user


def key(card: Card | None) -> str | None:
    return None if card is None else f"{card.question.key}/{card.ordinal}"


def study(session: Session, user: User, now: datetime, rating: Rating = Rating.GOOD) -> str | None:
    card, _ = next_card(Study.at(session, user, now), ["b"])
    if card is None:
        return None
    answer(Study.at(session, user, now), card, rating)
    return key(card)


def test_new_cards_come_in_bank_order_up_to_the_daily_limit(
    session: Session, learner: User
) -> None:
    assert bank_counts(Study.at(session, learner, T0), "b") == Counts(new=3, learning=0, review=0)
    shown = [study(session, learner, T0 + timedelta(seconds=i)) for i in range(3)]
    assert shown == ["q1/0", "q2/0", "q3/0"]
    assert bank_counts(Study.at(session, learner, T0 + timedelta(seconds=5)), "b") == Counts(
        0, 3, 0
    )


def test_the_cards_done_today_are_new_ones_introduced_and_reviews(
    session: Session, learner: User
) -> None:
    assert done_today(Study.at(session, learner, T0), "b") == 0
    shown = [study(session, learner, T0 + timedelta(seconds=i)) for i in range(2)]
    assert study(session, learner, T0 + timedelta(minutes=11)) == shown[0]  # a step: not one
    assert done_today(Study.at(session, learner, T0 + timedelta(minutes=12)), "b") == 2
    assert done_today(Study.at(session, learner, T0 + timedelta(days=1)), "b") == 0


def test_learning_cards_wait_for_their_step(session: Session, learner: User) -> None:
    study(session, learner, T0)  # q1 Good: due again in 10 minutes
    card, counts = next_card(Study.at(session, learner, T0 + timedelta(minutes=1)), ["b"])
    assert key(card) == "q2/0"  # a new card while q1 waits
    assert counts["b"] == Counts(new=2, learning=1, review=0)


def test_due_learning_comes_before_new(session: Session, learner: User) -> None:
    study(session, learner, T0)
    card, _ = next_card(Study.at(session, learner, T0 + timedelta(minutes=11)), ["b"])
    assert key(card) == "q1/0"


def test_learning_due_soon_is_shown_when_nothing_else_is_left(
    session: Session, learner: User
) -> None:
    for i in range(3):
        study(session, learner, T0 + timedelta(seconds=i))
    card, _ = next_card(Study.at(session, learner, T0 + timedelta(minutes=1)), ["b"])
    assert key(card) == "q1/0"
    card, _ = next_card(Study.at(session, learner, T0 - timedelta(minutes=30)), ["b"])
    assert card is None


def test_new_limit_resets_at_four_in_the_learners_zone(session: Session, learner: User) -> None:
    night = datetime(2026, 11, 28, 3, 59, tzinfo=SHANGHAI)
    for i in range(3):
        study(session, learner, night - timedelta(minutes=30 - i))
    assert bank_counts(Study.at(session, learner, night), "b").new == 0
    morning = datetime(2026, 11, 28, 4, 1, tzinfo=SHANGHAI)
    assert bank_counts(Study.at(session, learner, morning), "b").new == 3


def test_reviews_respect_their_daily_limit(session: Session, learner: User) -> None:
    learner.reviews_per_day = 1
    for i in range(3):
        study(session, learner, T0 + timedelta(seconds=i), Rating.EASY)  # straight to review
    later = T0 + timedelta(days=60)
    assert bank_counts(Study.at(session, learner, later), "b").review == 1
    study(session, learner, later)
    assert bank_counts(Study.at(session, learner, later + timedelta(minutes=1)), "b").review == 0


def test_reverse_sibling_is_buried_until_the_next_day(session: Session, learner: User) -> None:
    learner.new_per_day = 20
    for i in range(5):
        study(session, learner, T0 + timedelta(seconds=i), Rating.EASY)
    assert study(session, learner, T0 + timedelta(seconds=10), Rating.EASY) == "rev/0"
    assert next_card(Study.at(session, learner, T0 + timedelta(seconds=11)), ["b"])[0] is None
    tomorrow = datetime(2026, 11, 28, 4, 0, tzinfo=SHANGHAI)
    assert key(next_card(Study.at(session, learner, tomorrow), ["b"])[0]) == "rev/1"


def test_undo_restores_the_card_and_removes_the_log_row(session: Session, learner: User) -> None:
    card, _ = next_card(Study.at(session, learner, T0), ["b"])
    before = card.schedule()
    answer(Study.at(session, learner, T0), card, Rating.GOOD)
    assert card.state == LEARNING
    restored = undo_last(session, learner)
    assert restored is card and card.schedule() == before and card.state == NEW
    assert session.scalar(select(func.count()).select_from(Review)) == 0
    assert bank_counts(Study.at(session, learner, T0), "b").new == 3


def test_undo_unburies_the_siblings_it_buried(session: Session, learner: User) -> None:
    rev = session.scalar(select(Question).where(Question.key == "rev"))
    card = Card(user_id=learner.id, question_id=rev.id, bank_id="b", ordinal=0)
    session.add(card)
    session.flush()
    answer(Study.at(session, learner, T0), card, Rating.GOOD)
    sibling = session.scalar(select(Card).where(Card.question_id == rev.id, Card.ordinal == 1))
    assert sibling.buried_until is not None
    undo_last(session, learner)
    assert sibling.buried_until is None


def test_undo_with_nothing_to_undo(session: Session, learner: User) -> None:
    assert undo_last(session, learner) is None


def test_undo_takes_back_a_lapse(session: Session, learner: User) -> None:
    card, _ = next_card(Study.at(session, learner, T0), ["b"])
    answer(Study.at(session, learner, T0), card, Rating.EASY)
    later = T0 + timedelta(days=30)
    answer(Study.at(session, learner, later), card, Rating.AGAIN)
    assert (card.state, card.lapses, card.reps) == (3, 1, 2)
    undo_last(session, learner)
    assert (card.state, card.lapses, card.reps) == (REVIEW, 0, 1)


def test_same_review_token_counts_once(session: Session, learner: User) -> None:
    card, _ = next_card(Study.at(session, learner, T0), ["b"])
    first = answer(Study.at(session, learner, T0), card, Rating.GOOD, review_token="t1")
    again = answer(
        Study.at(session, learner, T0 + timedelta(seconds=3)), card, Rating.AGAIN, review_token="t1"
    )
    # The new answer's row is written by a Core insert, outside the session: the same row.
    assert again.repeated and not first.repeated
    assert (again.review.id, again.review.rating) == (first.review.id, Rating.GOOD)
    assert session.scalar(select(func.count()).select_from(Review)) == 1
    assert card.state == LEARNING and card.reps == 1


def test_log_row_records_the_answer(session: Session, learner: User) -> None:
    card, _ = next_card(Study.at(session, learner, T0), ["b"])
    review = answer(
        Study.at(session, learner, T0), card, Rating.HARD, elapsed_ms=5200, correct=False
    ).review
    assert (review.rating, review.elapsed_ms, review.correct) == (2, 5200, False)
    assert (review.state_before, review.state_after) == (NEW, LEARNING)
    assert review.reviewed_at == T0 and review.due_after == card.due


def test_suspended_and_buried_cards_are_skipped(session: Session, learner: User) -> None:
    first, _ = next_card(Study.at(session, learner, T0), ["b"])
    set_suspended(first, True)
    second, _ = next_card(Study.at(session, learner, T0), ["b"])
    bury(Study.at(session, learner, T0), second)
    third, counts = next_card(Study.at(session, learner, T0), ["b"])
    assert [key(first), key(second), key(third)] == ["q1/0", "q2/0", "q3/0"]
    assert counts["b"].new == 3
    set_suspended(first, False)
    assert key(next_card(Study.at(session, learner, T0), ["b"])[0]) == "q1/0"


def test_retired_questions_leave_the_queue(session: Session, learner: User, write_bank) -> None:
    first, _ = next_card(Study.at(session, learner, T0), ["b"])
    answer(Study.at(session, learner, T0), first, Rating.GOOD)
    without_q1 = BANK.replace("  - {id: q1, type: basic, prompt: p1, answer: a1}\n", "")
    import_bank(session, load_bank(write_bank("b", {"bank.yaml": without_q1})))
    later = T0 + timedelta(minutes=15)
    assert bank_counts(Study.at(session, learner, later), "b").learning == 0
    assert key(next_card(Study.at(session, learner, later), ["b"])[0]) == "q2/0"


def test_other_learners_cards_are_their_own(session: Session, learner: User) -> None:
    study(session, learner, T0)
    other = User(name="bob", password_hash="x", timezone="Asia/Shanghai")
    session.add(other)
    session.flush()
    assert bank_counts(Study.at(session, other, T0), "b") == Counts(new=7, learning=0, review=0)
    assert key(next_card(Study.at(session, other, T0), ["b"])[0]) == "q1/0"


def ahead_of_next(session: Session, user: User, now: datetime, count: int) -> list[str | None]:
    card, counts = next_card(Study.at(session, user, now), ["b"])
    following = cards_ahead(Study.at(session, user, now), ["b"], card, count, counts)
    return [key(card)] + [key(c) for c in following]


def test_cards_ahead_are_those_shown_when_each_is_answered_in_turn(
    session: Session, learner: User
) -> None:
    study(session, learner, T0, Rating.EASY)  # q1 and q2 become reviews
    study(session, learner, T0 + timedelta(seconds=1), Rating.EASY)
    study(session, learner, T0 + timedelta(seconds=2), Rating.AGAIN)  # q3 stays in learning
    later = T0 + timedelta(days=40)
    predicted = ahead_of_next(session, learner, later, 5)
    shown = [study(session, learner, later + timedelta(seconds=i)) for i in range(6)]
    assert predicted == shown
    assert shown[0] == "q3/0" and set(shown[1:3]) == {"q1/0", "q2/0"}  # reviews by due time
    assert shown[3:] == ["q4/0", "q5/0", "rev/0"]


def test_cards_ahead_stay_within_the_new_card_limit(session: Session, learner: User) -> None:
    assert ahead_of_next(session, learner, T0, 10) == ["q1/0", "q2/0", "q3/0"]


def test_cards_ahead_stay_within_the_review_limit(session: Session, learner: User) -> None:
    learner.reviews_per_day = 2
    for i in range(3):
        study(session, learner, T0 + timedelta(seconds=i), Rating.EASY)
    cards = ahead_of_next(session, learner, T0 + timedelta(days=60), 10)
    assert len(set(cards[:2]) & {"q1/0", "q2/0", "q3/0"}) == 2  # two reviews of three due
    assert cards[2:] == ["q4/0", "q5/0", "rev/0"]


def test_cards_ahead_leave_out_siblings(session: Session, learner: User) -> None:
    learner.new_per_day = 20
    for i in range(5):
        study(session, learner, T0 + timedelta(seconds=i), Rating.EASY)
    assert ahead_of_next(session, learner, T0 + timedelta(seconds=10), 3) == ["rev/0"]


def test_cards_ahead_skip_suspended_and_buried_cards(session: Session, learner: User) -> None:
    learner.new_per_day = 20
    first, counts = next_card(Study.at(session, learner, T0), ["b"])
    second = cards_ahead(Study.at(session, learner, T0), ["b"], first, 1, counts)[0]
    set_suspended(second, True)
    third = cards_ahead(Study.at(session, learner, T0), ["b"], first, 1, counts)[0]
    bury(Study.at(session, learner, T0), third)
    assert [key(c) for c in cards_ahead(Study.at(session, learner, T0), ["b"], first, 2, counts)] == [
        "q4/0", "q5/0",
    ]  # fmt: skip

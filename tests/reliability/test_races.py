"""Two requests of one learner writing the same card at once, played out step by step in
two sessions: the loser runs again, and nothing is lost or stored twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import Card, Review, User, db
from services.answers import answer, set_suspended
from services.bank_import import import_bank
from services.conflict import ATTEMPTS, committed
from services.context import Study
from services.queue import next_card
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.reliability.harness import check_log

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BANK = """id: b
title: B
questions:
  - {id: q1, type: basic, prompt: front, answer: back}
  - {id: q2, type: reverse, prompt: left, answer: right}
"""


@pytest.fixture
def session(app: Flask, write_bank) -> Iterator[Session]:
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK})))
        db.session.add(User(name="ann", password_hash="x"))
        db.session.commit()
        yield db.session


@pytest.fixture
def other(session: Session) -> Iterator[Session]:
    """A second request's session, on its own connection."""
    with Session(db.engine) as second:
        yield second


def card_read_then_answered_elsewhere(
    session: Session, other: Session, token: str
) -> tuple[User, Card]:
    """This request reads the learner's first card; another answers it (with ``token``)
    and commits before this one writes."""
    user = session.scalars(select(User)).one()
    card, _ = next_card(Study.at(session, user, T0), ["b"])
    assert card is not None
    session.commit()
    assert card.reps == 0  # read: this request now answers the card as it was
    answer(Study.at(other, other.scalars(select(User)).one(), T0), other.get_one(Card, card.id), Rating.AGAIN, review_token=token)  # fmt: skip
    other.commit()
    return user, card


def test_an_answer_to_a_card_changed_meanwhile_fails_instead_of_overwriting(
    session: Session, other: Session
) -> None:
    user, card = card_read_then_answered_elsewhere(session, other, "phone")
    with pytest.raises(StaleDataError):
        answer(
            Study.at(session, user, T0 + timedelta(seconds=5)),
            card,
            Rating.EASY,
            review_token="laptop",
        )
        session.commit()


def test_two_answers_to_one_card_at_once_both_count_one_after_the_other(
    app: Flask, session: Session, other: Session
) -> None:
    user, card = card_read_then_answered_elsewhere(session, other, "phone")
    answered = committed(
        session,
        lambda: answer(
            Study.at(session, user, T0 + timedelta(seconds=5)),
            card,
            Rating.EASY,
            review_token="laptop",
        ),
    )
    assert not answered.repeated and answered.review.state_before == 1  # after the phone's
    assert card.reps == 2
    checked = check_log(app, None)
    assert checked.reviews == 2 and checked.problems == []


def test_the_same_answer_twice_at_once_is_stored_once(
    app: Flask, session: Session, other: Session
) -> None:
    user, card = card_read_then_answered_elsewhere(session, other, "token")
    answered = committed(
        session,
        lambda: answer(Study.at(session, user, T0), card, Rating.AGAIN, review_token="token"),
    )
    assert answered.repeated
    assert session.scalars(select(Review.review_token)).all() == ["token"]
    assert check_log(app, None).problems == []


def test_suspending_a_card_answered_meanwhile_keeps_that_answer(
    app: Flask, session: Session, other: Session
) -> None:
    _, card = card_read_then_answered_elsewhere(session, other, "phone")
    committed(session, lambda: set_suspended(card, True))
    assert card.suspended and card.reps == 1
    assert check_log(app, None).problems == []


def test_a_new_card_answered_elsewhere_while_being_chosen_is_passed_over(
    session: Session, other: Session
) -> None:
    user, phone = session.scalars(select(User)).one(), other.scalars(select(User)).one()
    taken, _ = next_card(Study.at(other, phone, T0), ["b"])
    assert taken is not None
    other.commit()
    meanwhile: list[str] = []

    def answer_meanwhile(_c: object, _cur: object, statement: str, *_: object) -> None:
        # After this request counted what is left, just before it reads the first new card.
        if not meanwhile and "ORDER BY cards.position" in statement:
            meanwhile.append(statement)
            answer(Study.at(other, phone, T0), taken, Rating.GOOD, review_token="phone")
            other.commit()

    event.listen(db.engine, "before_cursor_execute", answer_meanwhile)
    try:
        card, _ = next_card(Study.at(session, user, T0 + timedelta(seconds=1)), ["b"])
    finally:
        event.remove(db.engine, "before_cursor_execute", answer_meanwhile)
    assert meanwhile
    assert card is not None and card.question.key == "q2"


def test_a_transaction_that_keeps_losing_gives_up_with_the_error(session: Session) -> None:
    runs = []

    def losing() -> None:
        runs.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        committed(session, losing)
    assert len(runs) == ATTEMPTS


def test_an_error_that_is_not_a_lost_race_is_not_run_again(session: Session) -> None:
    runs = []

    def failing() -> None:
        runs.append(1)
        raise ValueError("not a race")

    with pytest.raises(ValueError, match="not a race"):
        committed(session, failing)
    assert len(runs) == 1

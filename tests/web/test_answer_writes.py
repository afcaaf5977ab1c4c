"""The answer written as Core statements: how many statements a POST runs, and the rows it
writes against those of the ORM path it replaced (``tests/web/answer_reference.py``) over
seeded random walks of answers, repeats and undos."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import BankProgress, Card, Review, User, db
from services import answers
from services.accounts import issue_token
from services.answers import answer, read_answer_card, set_suspended, undo_last
from services.bank_import import import_bank
from services.context import Study
from services.progress import recount_learner
from services.queue import next_card
from srs.scheduler import NEW, RELEARNING, REVIEW, Rating
from srs.sources import load_bank
from tests.web.answer_reference import orm_answer

BANK = """
    id: w
    title: W
    questions:
      - {id: q1, type: basic, prompt: p1, answer: a1}
      - {id: q2, type: basic, prompt: p2, answer: a2}
      - {id: rev, type: reverse, prompt: front, answer: back}
      - {id: q3, type: basic, prompt: p3, answer: a3}
      - {id: cl, type: cloze, text: "{{c1::one}} {{c2::two}} {{c3::three}}"}
      - {id: q4, type: basic, prompt: p4, answer: a4}
"""
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def bank(app: Flask, write_bank) -> None:
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("w", {"bank.yaml": BANK})))
        db.session.commit()


@pytest.fixture
def api(client: FlaskClient, app: Flask, learner: int, bank: None) -> Callable[..., Any]:
    with app.app_context():
        token = issue_token(db.session, db.session.get_one(User, learner))
        db.session.commit()

    def call(method: str, path: str, json: object = None) -> Any:
        return client.open(
            f"/api/v1{path}", method=method, json=json, headers={"Authorization": f"Bearer {token}"}
        )

    return call


def _statements(app: Flask, call: Callable[[], Any]) -> tuple[Any, list[str]]:
    """What ``call`` returned, and the SQL statements it ran."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        return call(), seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _answer_next(app: Flask, api: Callable[..., Any], **more: object) -> tuple[Any, list[str]]:
    card = api("GET", "/review/next?bank=w").json
    body = {"rating": 3, "review_token": card["review_token"], "elapsed_ms": 4000} | more
    response, seen = _statements(app, lambda: api("POST", f"/review/{card['card_id']}", body))
    assert response.status_code == 200, response.json
    return card, seen


def _kinds(statements: list[str]) -> list[str]:
    return [" ".join(s.split()[:3]) for s in statements]


def test_an_answer_is_the_token_read_and_five_statements(app: Flask, api) -> None:
    card, seen = _answer_next(app, api)
    assert card["question"] == "q1"
    # The bearer token with its learner; the card with its question's cards and its bank's
    # kept queue; the log insert; the card update; the kept queue moved (here cleared: a
    # new card's answer); the kept counts.
    assert len(seen) == 6, seen
    assert _kinds(seen[1:]) == [
        "SELECT cards.id, cards.user_id,",
        "INSERT INTO reviews",
        "UPDATE cards SET",
        "UPDATE kept_queues SET",
        "INSERT INTO bank_progress",
    ]


def test_an_answer_with_siblings_to_bury_reads_and_buries_them(app: Flask, api) -> None:
    for question in ("q1", "q2"):
        assert _answer_next(app, api)[0]["question"] == question
    card, seen = _answer_next(app, api)
    assert card["question"] == "rev"
    assert len(seen) == 7, seen
    assert _kinds(seen[2:4]) == ["SELECT cards.id, cards.ordinal,", "INSERT INTO reviews"]
    assert _kinds(seen[5:6]) == ["UPDATE cards SET"] and "buried_until" in seen[5]
    with app.app_context():
        review = db.session.scalars(select(Review).order_by(Review.id.desc())).first()
        assert review is not None and len(review.buried) == 1
        sibling = db.session.get_one(Card, review.buried[0])
        assert sibling.buried_until is not None and sibling.ordinal == 1


def test_answer_and_next_do_not_read_the_learner_again(app: Flask, api) -> None:
    _, seen = _answer_next(app, api, next=True)
    assert seen[0].lstrip().startswith("SELECT")  # the bearer token and its learner
    assert not [s for s in seen[1:] if s.lstrip().startswith("SELECT users.")], seen


def test_a_repeated_token_is_one_more_read(app: Flask, api) -> None:
    card = api("GET", "/review/next?bank=w").json
    body = {"rating": 3, "review_token": card["review_token"]}
    first = api("POST", f"/review/{card['card_id']}", body).json
    again, seen = _statements(app, lambda: api("POST", f"/review/{card['card_id']}", body))
    assert again.json == first | {"repeated": True}
    assert _kinds(seen[1:]) == [
        "SELECT cards.id, cards.user_id,",
        "INSERT INTO reviews",
        "SELECT reviews.id, reviews.card_id,",
    ]


# -- the rows, against the ORM path ----------------------------------------------------------


def _rows(session: Session, user_id: int) -> dict[str, Any]:
    """Every column of the learner's cards, reviews and kept counts. Cards are named by
    question and ordinal, not id (a sibling made by a rolled-back answer is made again with
    another id on PostgreSQL); a made card's ``created_at`` is the clock's, left out."""
    session.flush()
    rows = session.connection()
    cards = Card.__table__.c
    names = {
        card_id: (question, ordinal)
        for card_id, question, ordinal in rows.execute(
            select(cards.id, cards.question_id, cards.ordinal).where(cards.user_id == user_id)
        )
    }
    card_columns = [c for c in cards if c.name not in ("id", "created_at")]
    review_columns = [c for c in Review.__table__.c if c.name not in ("id", "card_id", "buried")]
    reviews = Review.__table__.c
    return {
        "cards": sorted(
            tuple(row)
            for row in rows.execute(select(*card_columns).where(cards.user_id == user_id))
        ),
        "reviews": [
            (names[card_id], [names[i] for i in buried], *rest)
            for card_id, buried, *rest in rows.execute(
                select(reviews.card_id, reviews.buried, *review_columns)
                .where(reviews.user_id == user_id)
                .order_by(reviews.id)
            )
        ],
        "progress": sorted(
            tuple(row)
            for row in rows.execute(
                select(BankProgress.__table__).where(BankProgress.user_id == user_id)
            )
        ),
    }


def _unburied(cards: list[tuple[Any, ...]], now: datetime) -> list[tuple[Any, ...]]:
    """``cards`` with a burial over by ``now`` read as none, as undo writes it."""
    at = [c.name for c in Card.__table__.c if c.name not in ("id", "created_at")].index(
        "buried_until"
    )
    return [
        (*card[:at], None, *card[at + 1 :]) if card[at] is not None and card[at] <= now else card
        for card in cards
    ]


def _later(rng: random.Random) -> timedelta:
    return rng.choice(
        [
            timedelta(seconds=rng.randint(1, 30)),
            timedelta(minutes=rng.randint(1, 15)),
            timedelta(hours=rng.randint(1, 8)),
            timedelta(days=rng.randint(1, 12)),
        ]
    )


@pytest.fixture
def walker(app: Flask, learner: int, bank: None) -> Iterator[Session]:
    with app.app_context():
        yield db.session


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rows_written_equal_those_of_the_orm_path(walker: Session, learner: int, seed: int) -> None:
    session, rng, now = walker, random.Random(seed), T0
    tokens: list[str] = []
    seen_states: set[int] = set()
    undone = buried = 0
    for step in range(160):
        user = session.get_one(User, learner)
        card, _ = next_card(Study.at(session, user, now), ["w"])
        if card is None:
            now += timedelta(days=1)
            continue
        session.commit()  # the card next_card may have made, in both runs
        card_id, before = card.id, _rows(session, learner)
        seen_states.add(card.state)
        rating = rng.choice(list(Rating))
        token = rng.choice(tokens) if tokens and rng.random() < 0.1 else f"t{step}"
        kwargs = {"elapsed_ms": rng.choice([None, 2500]), "review_token": token}
        kwargs["correct"] = rng.choice([None, True, False])

        user = session.get_one(User, learner)
        old = orm_answer(
            Study.at(session, user, now), session.get_one(Card, card_id), rating, **kwargs
        )
        expected = _rows(session, learner)
        old_result = (old.repeated, old.review.rating, old.review.due_after, old.review.buried)
        session.rollback()

        user = session.get_one(User, learner)
        target = (
            session.get_one(Card, card_id)
            if rng.random() < 0.5
            else read_answer_card(session, card_id, learner)
        )
        assert target is not None
        new = answer(Study.at(session, user, now), target, rating, **kwargs)
        assert _rows(session, learner) == expected, f"step {step}"
        assert (new.repeated, new.review.rating, new.review.due_after, new.review.buried) == (
            old_result
        )
        session.commit()
        tokens.append(token)
        buried += bool(new.review.buried) and not new.repeated
        if not new.repeated and rng.random() < 0.15:  # take it back: the rows as before
            undo_last(session, session.get_one(User, learner))
            session.commit()
            after = _rows(session, learner)
            assert after["reviews"] == before["reviews"]
            assert _unburied(after["cards"], now) == _unburied(before["cards"], now)
            undone += 1
        now += _later(rng)
    # The walk went where it should: reviews, relearning, siblings buried, undos, repeats.
    assert {NEW, REVIEW, RELEARNING} <= seen_states
    assert buried and undone and len(tokens) > len(set(tokens))


def test_an_answer_to_a_card_changed_since_it_was_read_writes_nothing(
    walker: Session, learner: int
) -> None:
    session = walker
    user = session.get_one(User, learner)
    card, _ = next_card(Study.at(session, user, T0), ["w"])
    assert card is not None
    session.commit()
    stale = read_answer_card(session, card.id, learner)
    assert stale is not None
    answer(Study.at(session, user, T0), stale, Rating.GOOD, review_token="first")
    session.commit()
    with pytest.raises(StaleDataError):  # services.conflict runs such an answer again
        answer(Study.at(session, user, T0), stale, Rating.AGAIN, review_token="second")
    session.rollback()
    tokens = session.scalars(select(Review.review_token).where(Review.user_id == learner))
    assert list(tokens) == ["first"]
    assert session.get_one(Card, card.id).reps == 1


@pytest.mark.parametrize("change", ["suspended", "retired"])
def test_an_answer_to_a_card_suspended_or_retired_since_it_was_read_writes_nothing(
    walker: Session, learner: int, change: str
) -> None:
    """A suspension (or a re-import retiring the card) leaves the review count as it was: the
    answer must still lose the race, or the cards introduced are counted twice, once for
    the suspension and once for the answer to the card read as waiting."""
    session = walker
    user = session.get_one(User, learner)
    card, _ = next_card(Study.at(session, user, T0), ["w"])
    assert card is not None and card.state == NEW
    session.commit()
    stale = read_answer_card(session, card.id, learner)
    assert stale is not None
    if change == "suspended":
        set_suspended(session.get_one(Card, card.id), True)
    else:
        session.get_one(Card, card.id).retired = True
    session.commit()
    with pytest.raises(StaleDataError):  # services.conflict runs such an answer again
        answer(Study.at(session, user, T0), stale, Rating.GOOD, review_token="late")
    session.rollback()
    assert session.scalars(select(Review.review_token).where(Review.user_id == learner)).all() == []
    introduced = select(BankProgress.introduced).where(BankProgress.user_id == learner)
    kept = session.scalar(introduced)
    recount_learner(session, user, T0)
    assert kept == session.scalar(introduced)


def test_an_undo_counts_a_card_as_suspended_since_it_was_read(
    walker: Session, learner: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another request suspends the card as the undo starts: the latest it can, since the
    undo then holds the card until it commits. The cards introduced stay as a count made
    afresh gives them."""
    session = walker
    user = session.get_one(User, learner)
    card, _ = next_card(Study.at(session, user, T0), ["w"])
    assert card is not None and card.state == NEW
    read = read_answer_card(session, card.id, learner)
    assert read is not None
    answer(Study.at(session, user, T0), read, Rating.GOOD, review_token="one")
    session.commit()
    take_back = answers._take_back_last

    def suspended_elsewhere_first(*args: Any) -> Any:
        with Session(session.get_bind()) as other:
            set_suspended(other.get_one(Card, card.id), True)
            other.commit()
        return take_back(*args)

    monkeypatch.setattr(answers, "_take_back_last", suspended_elsewhere_first)
    assert undo_last(session, user) is not None
    session.commit()
    monkeypatch.undo()
    assert session.get_one(Card, card.id).suspended
    introduced = select(BankProgress.introduced).where(BankProgress.user_id == learner)
    kept = session.scalar(introduced)
    recount_learner(session, user, T0)
    assert kept == session.scalar(introduced) == 1

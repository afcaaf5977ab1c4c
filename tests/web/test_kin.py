"""Kin (srs.kin) against the database: an answer buries the new cards of the questions near
its own that show one of its diagrams, until the study day ends; undo brings them back; the
cards ahead leave them out; imports and the startup keep each question's kin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from config import PROJECT_ROOT
from models import Card, Question, Review, User, db
from services.answers import answer, undo_last
from services.bank_import import import_bank, refresh_kin
from services.context import Study
from services.queue import bank_counts, cards_ahead, next_card
from srs.scheduler import NEW, Rating
from srs.sources import load_bank
from tests.web.test_progress import fresh_counts

UTC = timezone.utc
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TOMORROW = T0 + timedelta(days=1)
ENGINE = (PROJECT_ROOT / "tests/banks/diagram/diagrams/engine.svg").read_bytes()
SHOWS = "explanation: '![引擎](engine.svg)'"
# In bank order: a question showing the diagram, one asking about it, one that does not
# show it, one more showing it (two cards), another without.
QUESTIONS = [
    f"- {{id: intro, type: basic, prompt: 谁创建容器？, answer: runc, {SHOWS}}}",
    "- {id: parts, type: occlusion, image: engine.svg, labels: [dockerd, containerd], answer: typed}",
    "- {id: plain, type: basic, prompt: p, answer: a}",
    f"- {{id: rev, type: reverse, prompt: CNM, answer: 容器网络模型, {SHOWS}}}",
    "- {id: other, type: basic, prompt: q, answer: b}",
]


def write(write_bank, questions: list[str], name: str = "k") -> object:
    text = "id: k\ntitle: K\nquestions:\n" + "".join(f"  {q}\n" for q in questions)
    return load_bank(write_bank(name, {"bank.yaml": text, "engine.svg": ENGINE}))


@pytest.fixture
def session(app: Flask, write_bank) -> Iterator[Session]:
    with app.app_context():
        import_bank(db.session, write(write_bank, QUESTIONS))
        db.session.commit()
        yield db.session


@pytest.fixture
def learner(session: Session) -> User:
    user = User(name="ann", password_hash="x", timezone="UTC", new_per_day=20)
    session.add(user)
    session.flush()
    return user


def key(card: Card | None) -> str | None:
    return None if card is None else f"{card.question.key}/{card.ordinal}"


def study_all(session: Session, user: User, now: datetime) -> list[str]:
    """Every card the learner is given at ``now``, each answered Easy, in turn."""
    seen = []
    for second in range(20):
        at = now + timedelta(seconds=second)
        card, _ = next_card(Study.at(session, user, at), ["k"])
        if card is None:
            return seen
        seen.append(key(card))
        answer(Study.at(session, user, at), card, Rating.EASY)
    raise AssertionError(f"more cards than the bank has: {seen}")


def kin(session: Session) -> dict[str, list[int] | None]:
    found = session.execute(select(Question.key, Question.kin).order_by(Question.position))
    return dict(found.tuples().all())


def test_import_keeps_each_questions_kin(session: Session, write_bank) -> None:
    assert kin(session) == {
        "intro": [1, 3],
        "parts": [0, 3],
        "plain": [],
        "rev": [0, 1],
        "other": [],
    }
    moved = [QUESTIONS[2], QUESTIONS[0], QUESTIONS[4], QUESTIONS[3]]  # parts retired
    import_bank(session, write(write_bank, moved, "k2"))
    session.commit()
    assert kin(session) | {"parts": None} == {
        "plain": [], "intro": [3], "other": [], "rev": [1], "parts": None,
    }  # fmt: skip


def test_the_startup_works_out_kin_kept_by_no_import(session: Session) -> None:
    before = kin(session)
    session.execute(update(Question).values(kin=None))
    assert refresh_kin(session) == 1
    assert kin(session) == before
    assert refresh_kin(session) == 0


def test_a_label_of_a_diagram_shown_makes_kin_at_import_and_startup(app: Flask, write_bank) -> None:
    """The engine diagram, on one card's back, labels the protocol the last card asks for."""
    questions = [
        f"- {{id: shows, type: basic, prompt: p1, answer: a1, {SHOWS}}}",
        "- {id: plain, type: basic, prompt: p2, answer: a2}",
        "- {id: asks, type: basic, prompt: dockerd 与 containerd 之间用什么协议？, answer: gRPC}",
    ]
    with app.app_context():
        import_bank(db.session, write(write_bank, questions))
        db.session.commit()
        assert kin(db.session) == {"shows": [2], "plain": [], "asks": [0]}
        db.session.execute(update(Question).values(kin=None))
        assert refresh_kin(db.session) == 1  # from the diagram as stored
        assert kin(db.session) == {"shows": [2], "plain": [], "asks": [0]}


def test_an_answer_buries_its_kins_new_cards_for_the_day(session: Session, learner: User) -> None:
    """The diagram shown whole on intro's back is not followed by the card that masks its
    labels, nor by another question showing it: each comes on a day of its own."""
    assert study_all(session, learner, T0) == ["intro/0", "plain/0", "other/0"]
    buried = session.scalar(select(Review.buried).order_by(Review.id).limit(1))
    made = session.scalars(select(Card).where(Card.id.in_(buried))).all()
    assert sorted(key(card) for card in made) == ["parts/0", "parts/1", "rev/0", "rev/1"]
    assert {card.state for card in made} == {NEW}
    counts = bank_counts(Study.at(session, learner, T0 + timedelta(minutes=1)), "k")
    assert counts == fresh_counts(session, learner, T0 + timedelta(minutes=1), ("k",))["k"]
    assert counts.new == 0
    # A day each: parts (burying its sibling and rev again), its sibling (rev again), rev.
    assert study_all(session, learner, TOMORROW) == ["parts/0"]
    assert study_all(session, learner, TOMORROW + timedelta(days=1)) == ["parts/1"]
    assert study_all(session, learner, TOMORROW + timedelta(days=2)) == ["rev/0"]


def test_a_review_of_kin_is_not_buried(session: Session, learner: User) -> None:
    study_all(session, learner, T0)  # intro is a review card now, due in days
    intro = session.scalar(select(Card).join(Question).where(Question.key == "intro"))
    study_all(session, learner, TOMORROW)  # parts/0, whose kin intro is
    assert intro.buried_until is None


def test_a_review_buries_no_kin(session: Session, learner: User) -> None:
    """Only a card's first answer buries its kin: were reviews to, a kin question whose
    neighbours come up for review most days would wait for weeks."""
    learner.new_per_day = 1
    assert study_all(session, learner, T0) == ["intro/0"]
    intro = session.scalar(select(Card).join(Question).where(Question.key == "intro"))
    answer(Study.at(session, learner, TOMORROW), intro, Rating.GOOD)  # a review, early
    assert study_all(session, learner, TOMORROW + timedelta(minutes=1)) == ["parts/0"]


def test_undo_brings_the_kin_back(session: Session, learner: User) -> None:
    card, _ = next_card(Study.at(session, learner, T0), ["k"])
    answer(Study.at(session, learner, T0), card, Rating.GOOD)
    undo_last(session, learner)
    free = session.scalars(select(Card).where(Card.buried_until.is_not(None))).all()
    assert free == []
    assert key(next_card(Study.at(session, learner, T0), ["k"])[0]) == "intro/0"
    later = T0 + timedelta(seconds=5)
    answer(Study.at(session, learner, later), card, Rating.EASY)
    assert key(next_card(Study.at(session, learner, later), ["k"])[0]) == "plain/0"


def test_the_cards_ahead_leave_the_kin_out(session: Session, learner: User) -> None:
    study = Study.at(session, learner, T0)
    first, counts = next_card(study, ["k"])
    assert key(first) == "intro/0"
    ahead = [key(card) for card in cards_ahead(study, ["k"], first, 4, counts)]
    assert ahead == ["plain/0", "other/0"]


def test_a_question_whose_back_states_the_next_ones_answer_buries_it(
    app: Flask, write_bank
) -> None:
    """dns's explanation names the address the next question asks for: that question waits
    for a day of its own, as a diagram's kin do; the startup works out the same kin."""
    questions = [
        "- {id: dns, type: basic, prompt: 用户定义网络里谁解析容器名？, answer: 内置 DNS,"
        " explanation: 内置 DNS 在 127.0.0.11 上应答}",
        "- {id: other, type: basic, prompt: q, answer: b}",
        "- {id: addr, type: typing, prompt: 内置 DNS 的地址？, answer: 127.0.0.11}",
        "- {id: last, type: basic, prompt: r, answer: c}",
    ]
    with app.app_context():
        session = db.session
        import_bank(session, write(write_bank, questions))
        session.commit()
        before = kin(session)
        assert before == {"dns": [2], "other": [], "addr": [0], "last": []}
        session.execute(update(Question).values(kin=None))
        assert refresh_kin(session) == 1
        assert kin(session) == before
        user = User(name="ann", password_hash="x", timezone="UTC", new_per_day=20)
        session.add(user)
        session.flush()
        assert study_all(session, user, T0) == ["dns/0", "other/0", "last/0"]
        assert study_all(session, user, TOMORROW) == ["addr/0"]

"""The Docker bank as it shipped before its recall-first rewrite, upgraded to today's on a
learner who had answered every card: every review stays with its card, every kept question keeps
its cards' schedules, and the questions merged away retire with their history.

``tests/banks/docker-2026-11.zip`` is that earlier bank, as shipped.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import PROJECT_ROOT
from models import Card, Question, Review, User, db
from services.answers import answer
from services.bank_import import import_bank
from services.context import Study
from services.queue import add_card
from srs.scheduler import Rating
from srs.sources import read_bank

OLD = PROJECT_ROOT / "tests/banks/docker-2026-11.zip"
NEW = PROJECT_ROOT / "quizzes/docker"
README = NEW / "README.md"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
LATER = T0 + timedelta(days=30)


def answer_every_card(session: Session) -> User:
    """A learner who has answered every card of the stored bank once, each a different way."""
    user = User(name="ann", password_hash="x")
    session.add(user)
    session.flush()
    ratings = list(Rating)
    questions = session.scalars(select(Question).order_by(Question.position)).all()
    cards = [
        add_card(session, user.id, question, ordinal, T0)
        for question in questions
        for ordinal in question.card_ordinals
    ]
    session.flush()
    for number, card in enumerate(cards):
        answer(Study.at(session, user, T0), card, ratings[number % len(ratings)])
    session.commit()
    return user


def schedules(session: Session) -> dict[tuple[str, int], tuple[object, ...]]:
    """Each card by question id and ordinal: its row id, schedule and whether it is retired."""
    rows = session.execute(
        select(
            Question.key, Card.ordinal, Card.id, Card.state, Card.due, Card.stability,
            Card.difficulty, Card.reps, Card.retired,
        ).join(Question, Card.question_id == Question.id)
    ).all()  # fmt: skip
    return {(row[0], row[1]): tuple(row[2:]) for row in rows}


def reviews_by_card(session: Session) -> dict[int, int]:
    rows = session.execute(select(Review.card_id, func.count()).group_by(Review.card_id)).all()
    return {card_id: count for card_id, count in rows}


def retired_ids_in_readme() -> set[str]:
    """The ids in the first column of the README's table under "Retired ids"."""
    text = README.read_text(encoding="utf-8")
    part = text.split("## Retired ids", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `([a-z0-9][a-z0-9-]*)` \|", part, re.MULTILINE))


def test_the_rewrite_keeps_every_review_and_every_kept_schedule(app: Flask) -> None:
    old, new = read_bank(OLD), read_bank(NEW)
    with app.app_context():
        session = db.session
        import_bank(session, old, now=T0)
        answer_every_card(session)
        before, reviews = schedules(session), reviews_by_card(session)
        assert len(before) == sum(len(q.card_ordinals) for q in old.questions)
        assert sorted(reviews.values()) == [1] * len(before)

        report = import_bank(session, new, now=LATER)
        session.commit()
        session.expire_all()
        after = schedules(session)

        assert reviews_by_card(session) == reviews  # no review lost or moved
        new_cards = {(q.id, ordinal) for q in new.questions for ordinal in q.card_ordinals}
        for key, (card_id, *schedule, retired) in before.items():
            assert not retired and after[key][0] == card_id
            assert after[key][1:-1] == tuple(schedule), key  # the schedule is untouched
            assert after[key][-1] is (key not in new_cards), key

        gone = {q.id for q in old.questions} - {q.id for q in new.questions}
        stored_retired = set(session.scalars(select(Question.key).where(Question.retired)))
        assert stored_retired == gone
        assert report.retired == len(gone)


def test_the_readme_lists_every_retired_id() -> None:
    old, new = read_bank(OLD), read_bank(NEW)
    gone = {q.id for q in old.questions} - {q.id for q in new.questions}
    assert retired_ids_in_readme() == gone


def test_no_kept_card_is_asked_about_something_else() -> None:
    """A question kept across a change of type keeps no card number whose question changed:
    a cloze's c1 is card 1, a diagram card's second label card 1 too, so a cloze turned into a
    diagram card under the same id would hand one label's schedule to another."""
    old, new = read_bank(OLD), read_bank(NEW)
    before = {q.id: q for q in old.questions}
    moved = {
        q.id: (before[q.id].type, q.type)
        for q in new.questions
        if q.id in before
        and before[q.id].type != q.type
        and set(before[q.id].card_ordinals) & set(q.card_ordinals)
        and not before[q.id].card_ordinals == q.card_ordinals == (0,)
    }
    assert moved == {}

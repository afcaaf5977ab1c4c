"""``import_bank`` against the database: what a re-import keeps, moves, retires and revives,
for banks larger than one statement's list of ids."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

import srs.bank
from models import Bank, Card, Question, User, db
from services.bank_import import import_bank

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
LATER = T0 + timedelta(days=3)
MANY = 2000  # more questions than one statement lists


def cloze(number: int) -> srs.bank.Question:
    return srs.bank.Question(
        id=f"q{number}",
        type="cloze",
        text=f"{{{{c1::runc}}}} {number} and {{{{c2::containerd}}}}",
        source="a.yaml",
        line=number + 3,
    )


def bank_of(questions: list[srs.bank.Question]) -> srs.bank.Bank:
    return srs.bank.Bank(id="big", title="Big", questions=tuple(questions))


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def give_cards(session: Session) -> int:
    """One learner with every card of the bank; returns their id."""
    user = User(name="ann", password_hash="x")
    session.add(user)
    session.flush()
    questions = session.execute(select(Question.id, Question.card_ordinals)).all()
    rows = [
        {"user_id": user.id, "question_id": qid, "bank_id": "big", "ordinal": ordinal}
        for qid, ordinals in questions
        for ordinal in ordinals
    ]
    session.execute(insert(Card), rows)
    return user.id


def retired_cards(session: Session) -> dict[int, int]:
    """Retired cards by ordinal."""
    return dict(
        session.execute(
            select(Card.ordinal, func.count()).where(Card.retired.is_(True)).group_by(Card.ordinal)
        ).all()
    )


def card_count(session: Session) -> int:
    session.expire_all()
    return session.get_one(Bank, "big").card_count


def test_import_stores_every_question_as_written(session: Session) -> None:
    report = import_bank(session, bank_of([cloze(n) for n in range(MANY)]), now=T0)
    session.commit()
    assert (report.added, report.created) == (MANY, True)
    rows = session.execute(
        select(Question.key, Question.position, Question.line, Question.card_ordinals)
        .where(Question.key.in_(["q0", "q1999"]))
        .order_by(Question.position)
    ).all()
    assert rows == [("q0", 0, 3, [1, 2]), ("q1999", 1999, 2002, [1, 2])]
    stored = session.scalars(select(Question).where(Question.key == "q7")).one()
    assert stored.content == {"text": "{{c1::runc}} 7 and {{c2::containerd}}"}
    assert (stored.retired, stored.updated_at, stored.card_count) == (False, T0, 2)
    assert card_count(session) == 2 * MANY


def test_reimport_of_a_new_order_moves_questions_and_updates_only_the_changed(
    session: Session,
) -> None:
    questions = [cloze(n) for n in range(MANY)]
    import_bank(session, bank_of(questions), now=T0)
    session.commit()
    ids = dict(session.execute(select(Question.key, Question.id)).all())
    moved = [replace(q, source="b.yaml") for q in reversed(questions)]
    moved[0] = replace(moved[0], text="{{c1::runc}} reworded")  # q1999
    report = import_bank(session, bank_of(moved), now=LATER)
    session.commit()
    assert (report.unchanged, report.updated) == (MANY - 1, 1)
    rows = session.execute(
        select(Question.key, Question.id, Question.position, Question.source, Question.updated_at)
    ).all()
    assert {key: (id_, position) for key, id_, position, _, _ in rows} == {
        f"q{n}": (ids[f"q{n}"], MANY - 1 - n) for n in range(MANY)
    }
    assert {key: (source, updated) for key, _, _, source, updated in rows if updated != T0} == {
        "q1999": ("b.yaml", LATER)
    }
    assert {source for *_, source, _ in rows} == {"b.yaml"}
    changed = session.scalars(select(Question).where(Question.key == "q1999")).one()
    assert (changed.content, changed.card_ordinals) == ({"text": "{{c1::runc}} reworded"}, [1])
    assert card_count(session) == 2 * MANY - 1


def test_reimport_retires_and_revives_questions_and_their_cards(session: Session) -> None:
    questions = [cloze(n) for n in range(MANY)]
    import_bank(session, bank_of(questions), now=T0)
    give_cards(session)
    session.commit()

    report = import_bank(session, bank_of(questions[:100]), now=LATER)
    session.commit()
    assert (report.retired, report.unchanged) == (MANY - 100, 100)
    assert retired_cards(session) == {1: MANY - 100, 2: MANY - 100}
    assert card_count(session) == 200
    retired_at = session.execute(
        select(Question.updated_at, func.count())
        .where(Question.retired.is_(True))
        .group_by(Question.updated_at)
    ).all()
    assert retired_at == [(LATER, MANY - 100)]

    again = import_bank(session, bank_of(questions[:100]), now=LATER + timedelta(days=1))
    assert (again.retired, again.unchanged) == (0, 100)  # already retired: not again

    report = import_bank(session, bank_of(questions), now=LATER + timedelta(days=2))
    session.commit()
    assert (report.revived, report.unchanged, report.added) == (MANY - 100, 100, 0)
    assert retired_cards(session) == {}
    assert session.scalar(select(func.count()).where(Question.retired.is_(True))) == 0
    assert card_count(session) == 2 * MANY


def test_reimport_without_a_cloze_deletion_retires_only_those_cards(session: Session) -> None:
    questions = [cloze(n) for n in range(MANY)]
    import_bank(session, bank_of(questions), now=T0)
    give_cards(session)
    session.commit()
    shorter = [
        replace(q, text=q.text.replace("{{c2::containerd}}", "containerd")) if n % 2 else q
        for n, q in enumerate(questions)
        if q.text
    ]
    report = import_bank(session, bank_of(shorter), now=LATER)
    session.commit()
    assert (report.updated, report.unchanged) == (MANY // 2, MANY // 2)
    assert retired_cards(session) == {2: MANY // 2}
    assert card_count(session) == MANY + MANY // 2
    updated = session.execute(
        select(Question.updated_at, func.count()).group_by(Question.updated_at)
    ).all()
    assert sorted(updated) == [(T0, MANY // 2), (LATER, MANY // 2)]

    report = import_bank(session, bank_of(questions), now=LATER)
    session.commit()
    assert report.updated == MANY // 2
    assert retired_cards(session) == {}

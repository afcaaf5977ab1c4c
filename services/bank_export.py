"""Banks as stored, back to banks as read: for export, for quizzes, and a learner's
schedule for an Anki package that carries it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import srs.bank
import srs.notes
from models.bank import Bank, Question
from models.card import Card, Review
from models.user import User
from services.bank_import import AS_WRITTEN
from srs.anki import CardSchedule, PastAnswer
from srs.scheduler import LEARNING, NEW, RELEARNING
from srs.study import usable_zone

__all__ = [
    "anki_options",
    "as_question",
    "kept_faces",
    "learner_schedule",
    "question_times",
    "schedule_options",
    "stored_bank",
]


def as_question(row: Any) -> srs.bank.Question:
    """A stored question as the loader would read it, from a ``Question`` or a row of the
    columns :data:`AS_WRITTEN` names."""
    content = dict(row.content)
    for key in ("accept", "choices", "items", "labels", "ids"):
        if key in content:
            content[key] = tuple(content[key])
    if isinstance(content.get("correct"), list):
        content["correct"] = tuple(content["correct"])
    return srs.bank.Question(
        id=row.key,
        type=row.type,
        section=row.section_key,
        tags=tuple(row.tags),
        explanation=row.explanation,
        source=row.source,
        line=row.line,
        passage=row.passage,
        **content,
    )


def stored_bank(session: Session, bank_id: str, *, rendered: bool = True) -> srs.bank.Bank | None:
    """A stored bank as the loader would read it: active questions in order, diagrams, and
    unless not ``rendered``, the renderings kept of its questions (for an Anki export)."""
    row = session.get(Bank, bank_id)
    if row is None:
        return None
    columns = (*AS_WRITTEN, Question.faces) if rendered else AS_WRITTEN
    questions = session.execute(
        select(*columns)
        .where(Question.bank_id == bank_id, Question.retired.is_(False))
        .order_by(Question.position)
    ).all()
    kept: dict[str, Any] = {}
    if rendered:
        for question in questions:
            kept.update(question.faces or {})
    return srs.bank.Bank(
        id=row.id,
        title=row.title,
        language=row.language,
        description=row.description,
        sections=tuple(
            srs.bank.Section(s.key, s.title, s.parent_key, s.coverage_skip) for s in row.sections
        ),
        questions=tuple(as_question(q) for q in questions),
        diagrams=tuple(srs.bank.Diagram(d.path, d.data) for d in row.diagrams),
        notes=tuple(srs.notes.Notes(n.file, n.text) for n in row.notes),
        source=row.source,
        fingerprint=row.fingerprint,
        rendered=kept,
    )


def kept_faces(session: Session, bank_id: str, keys: Iterable[str]) -> dict[str, Any]:
    """The renderings kept of the bank's questions ``keys`` (:mod:`srs.faces`), together."""
    kept: dict[str, Any] = {}
    for faces in session.scalars(
        select(Question.faces).where(Question.bank_id == bank_id, Question.key.in_(set(keys)))
    ):
        kept.update(faces or {})
    return kept


def learner_schedule(session: Session, user: User, bank_id: str) -> dict[tuple[str, int], Any]:
    """The learner's schedule of a bank's cards, for an Anki export: by (question, card),
    each card with its answers."""
    rows = session.execute(
        select(Card, Question.key)
        .join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Card.bank_id == bank_id, Card.retired.is_(False))
        .where(Card.state != NEW)
    ).all()
    history = _answers(session, user, bank_id)
    schedule = {}
    for card, key in rows:
        interval = (card.due - card.last_review).days if card.last_review else 0
        schedule[(key, card.ordinal)] = CardSchedule(
            due=card.due,
            interval_days=max(0, interval),
            stability=card.stability,
            difficulty=card.difficulty,
            reps=card.reps,
            lapses=card.lapses,
            state=card.state,
            suspended=card.suspended,
            history=tuple(history.get(card.id, ())),
        )
    return schedule


def _answers(session: Session, user: User, bank_id: str) -> dict[int, list[PastAnswer]]:
    """The learner's answers in a bank, by card, oldest first."""
    rows = session.execute(
        select(
            Review.card_id,
            Review.reviewed_at,
            Review.rating,
            Review.state_before,
            Review.due_after,
            Review.state_after,
            Review.elapsed_ms,
        )
        .where(Review.user_id == user.id, Review.bank_id == bank_id)
        .order_by(Review.card_id, Review.reviewed_at, Review.id)
    )
    answers: dict[int, list[PastAnswer]] = {}
    for card_id, at, rating, before, due_after, after, elapsed_ms in rows:
        answers.setdefault(card_id, []).append(
            PastAnswer(
                at=at,
                rating=rating,
                state_before=before,
                due_after=due_after,
                learning_after=after in {LEARNING, RELEARNING},
                elapsed_ms=elapsed_ms,
            )
        )
    return answers


def schedule_options(session: Session, user: User, bank_id: str) -> dict[str, Any]:
    """What an Anki export of ``bank_id`` needs to carry ``user``'s schedule: the schedule,
    and the time zone and day rollover its due days are counted in."""
    return {
        "scheduling": learner_schedule(session, user, bank_id),
        "zone": usable_zone(user.timezone),
        "rollover_hour": user.rollover_hour,
    }


def question_times(session: Session, bank_id: str) -> dict[str, Any]:
    """When each active question of a bank last changed, by id: an Anki export stamps its
    note with it, so that Anki updates only the notes of questions that changed."""
    rows = session.execute(
        select(Question.key, Question.updated_at).where(
            Question.bank_id == bank_id, Question.retired.is_(False)
        )
    )
    return {key: when for key, when in rows}


def anki_options(session: Session, bank_id: str, user: User | None = None) -> dict[str, Any]:
    """What an Anki export of ``bank_id`` is written with: when each question changed, and
    with a ``user``, that learner's schedule."""
    options: dict[str, Any] = {"modified": question_times(session, bank_id)}
    if user is not None:
        options |= schedule_options(session, user, bank_id)
    return options

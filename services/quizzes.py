"""Quizzes against the database: starting one, submitting it, and studying its mistakes.

Nothing here commits; each function is part of the caller's one transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

import srs.bank
from models.bank import Question, Section
from models.card import Card
from models.quiz import SHARE_KEY_LENGTH, Quiz, QuizAnswer
from models.user import User
from services.answers import answer
from services.bank_export import as_question, stored_bank
from services.conflict import rows_changed
from services.context import Study
from services.queue import add_card
from srs.kin import diagram_words
from srs.questions import Shown
from srs.quiz import (
    OutlineEntry,
    QuizItem,
    QuizSpec,
    describe_response,
    expected_answer,
    from_screen,
    response_problem,
    sample_quiz,
    score_answer,
    section_outline,
)
from srs.scheduler import Rating

__all__ = [
    "GRACE",
    "MAX_ANSWER_CHARS",
    "MAX_SUBMISSION_CHARS",
    "QuizAlreadySubmittedError",
    "QuizError",
    "QuizResult",
    "count_right",
    "quiz_outline",
    "quiz_questions",
    "quiz_result",
    "share_key",
    "start_quiz",
    "study_mistakes",
    "submit_quiz",
]

# Answers sent this long after the time is up still count: the page submits by itself at
# zero, and the request takes a moment.
GRACE = timedelta(seconds=15)


# What one answer and one submission may take, as JSON text: far above any answer a
# question needs (a typed answer, a few choices, the order of a list), and far below what
# would let a learner fill the disk with quiz answers.
MAX_ANSWER_CHARS = 1000
MAX_SUBMISSION_CHARS = 64 * 1024


class QuizError(ValueError):
    """A quiz that cannot be started or submitted as asked; the message says why."""


class QuizAlreadySubmittedError(QuizError):
    """The quiz was submitted before (perhaps a moment ago, by a twin request)."""


def share_key(bank_id: str, spec: QuizSpec) -> str:
    """The same text for everyone who takes the same quiz (bank, seed and choices).

    Choices too long for the column (many sections or tags) are kept as their SHA-256,
    which is as equal for the same quiz and as different for another; shorter ones are
    kept as written, as they always were.
    """
    key = f"{bank_id}:" + json.dumps(spec.to_dict(), sort_keys=True, separators=(",", ":"))
    if len(key) <= SHARE_KEY_LENGTH:
        return key
    return f"{bank_id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def quiz_outline(session: Session, bank_id: str) -> tuple[list[OutlineEntry], int]:
    """The bank's sections as a tree with the questions each takes in, and the bank's
    active questions in all: what a quiz can draw from."""
    sections = session.execute(
        select(Section.key, Section.title, Section.parent_key)
        .where(Section.bank_id == bank_id)
        .order_by(Section.position)
    ).all()
    found = list(
        session.scalars(
            select(Question.section_key).where(
                Question.bank_id == bank_id, Question.retired.is_(False)
            )
        )
    )
    return section_outline([tuple(row) for row in sections], found), len(found)


def start_quiz(session: Session, user: User, bank_id: str, spec: QuizSpec, now: datetime) -> Quiz:
    bank = stored_bank(session, bank_id, rendered=False)
    if bank is None:
        raise QuizError(_l("There is no bank '%(bank)s'.", bank=bank_id))
    parents = {section.id: section.parent for section in bank.sections}
    items = sample_quiz(bank.questions, spec, parents, diagram_words(bank.diagrams))
    if not items:
        raise QuizError(_l("No question of this bank fits those choices."))
    quiz = Quiz(
        user_id=user.id,
        bank_id=bank_id,
        spec=spec.to_dict(),
        share_key=share_key(bank_id, spec),
        items=[[item.question, item.ordinal, list(item.shuffle)] for item in items],
        started_at=now,
        deadline=now + timedelta(seconds=spec.time_limit) if spec.time_limit else None,
    )
    session.add(quiz)
    session.flush()
    return quiz


def quiz_questions(session: Session, quiz: Quiz) -> list[tuple[QuizItem, srs.bank.Question]]:
    """The quiz's items with their questions as written (retired ones included)."""
    keys = [key for key, _, _ in quiz.items]
    rows = {
        q.key: q
        for q in session.scalars(
            select(Question).where(Question.bank_id == quiz.bank_id, Question.key.in_(keys))
        )
    }
    return [
        (QuizItem(key, ordinal, tuple(shuffle)), as_question(rows[key]))
        for key, ordinal, shuffle in quiz.items
        if key in rows
    ]


def _answer_length(response: Any) -> int:
    """A typed answer's length as typed; any other answer's as JSON text."""
    if isinstance(response, str):
        return len(response)
    return len(json.dumps(response, ensure_ascii=False))


def _claim(session: Session, quiz: Quiz, unset: ColumnElement[bool], **values: Any) -> bool:
    """Write ``values`` to ``quiz`` if ``unset`` still holds, in one conditional statement:
    of two requests at once, one wins. The loser's ``quiz`` is read again."""
    claimed = session.execute(
        update(Quiz)
        .where(Quiz.id == quiz.id, unset)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(claimed) == 1:
        return True
    session.refresh(quiz)
    return False


def _bank_responses(
    pairs: list[tuple[QuizItem, srs.bank.Question]], responses: dict[int, Any]
) -> dict[int, Any]:
    """The responses in the bank's terms, each checked against its question's type.

    Raises:
        QuizError: one is too long or of the wrong shape; the message names its question.
    """
    answers = {}
    for position, response in sorted(responses.items()):
        if _answer_length(response) > MAX_ANSWER_CHARS:
            raise QuizError(
                _l(
                    "The answer to question %(number)d is longer than %(max)d characters.",
                    number=position + 1,
                    max=MAX_ANSWER_CHARS,
                )
            )
        if position >= len(pairs):
            continue  # past the quiz's last question: there is nothing it answers
        item, question = pairs[position]
        answers[position] = from_screen(question, item, response)
        if response_problem(question, item.ordinal, answers[position]) is not None:
            raise QuizError(
                _l(
                    "The answer to question %(number)d is not one it takes; "
                    "reload the quiz and answer it again.",
                    number=position + 1,
                )
            )
    return answers


def submit_quiz(
    session: Session,
    quiz: Quiz,
    responses: dict[int, Any],
    flagged: set[int],
    now: datetime,
) -> Quiz:
    """Score every answer and the quiz. Answers after the time limit (and grace) are blank.

    The quiz is marked submitted first, with one conditional UPDATE: of two submits of one
    quiz at once (a double click, a resent form), the database lets exactly one through,
    and the other stores nothing.

    Raises:
        QuizError: an answer is longer than ``MAX_ANSWER_CHARS`` or not of the shape its
            question takes (nothing is stored), or the quiz was submitted already.
    """
    pairs = quiz_questions(session, quiz)
    answers = _bank_responses(pairs, responses)
    if not _claim(session, quiz, Quiz.submitted_at.is_(None), submitted_at=now):
        raise QuizAlreadySubmittedError(_l("This quiz was submitted already."))
    late = quiz.deadline is not None and now > quiz.deadline + GRACE
    total = 0.0
    for position, (item, question) in enumerate(pairs):
        response = None if late else answers.get(position)
        score = score_answer(question, item.ordinal, response)
        session.add(
            QuizAnswer(
                quiz_id=quiz.id,
                position=position,
                question_key=item.question,
                ordinal=item.ordinal,
                response=response,
                score=score,
                flagged=position in flagged,
            )
        )
        total += score or 0.0
    quiz.submitted_at = now
    quiz.timed_out = quiz.deadline is not None and now > quiz.deadline
    quiz.score = total / len(quiz.items) if quiz.items else 0.0
    session.flush()
    return quiz


def count_right(session: Session, quiz: Quiz, position: int) -> bool:
    """Count the typed answer at ``position`` right, as the learner judges it: another
    spelling or word for the answer, which the bank does not accept. Its score is 1 and the
    quiz's worked out again. ``False`` when there is no such answer (blank, not typed, or
    right already): of two requests at once, one counts it."""
    given = session.get(QuizAnswer, (quiz.id, position))
    if given is None or not isinstance(given.response, str) or not given.response.strip():
        return False  # no answer there, or not a typed one
    if (given.score or 0.0) >= 1.0:
        return False
    counted = session.execute(
        update(QuizAnswer)
        .where(
            QuizAnswer.quiz_id == quiz.id,
            QuizAnswer.position == position,
            or_(QuizAnswer.score.is_(None), QuizAnswer.score < 1.0),
        )
        .values(score=1.0)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(counted) != 1:
        return False
    total = session.scalar(select(func.sum(QuizAnswer.score)).where(QuizAnswer.quiz_id == quiz.id))
    quiz.score = (total or 0.0) / len(quiz.items) if quiz.items else 0.0
    session.flush()
    session.expire(given)
    return True


@dataclass(frozen=True, slots=True)
class QuizResult:
    quiz: Quiz
    rows: list[tuple[QuizAnswer, srs.bank.Question, Shown, Shown | None]]
    # each: the answer, its question, the right answer and the response, for the page to word
    sections: list[tuple[str, float, int]]  # title, score, questions

    @property
    def mistakes(self) -> list[tuple[QuizAnswer, srs.bank.Question, Shown, Shown | None]]:
        return [row for row in self.rows if (row[0].score or 0.0) < 1.0]


def quiz_result(session: Session, quiz: Quiz) -> QuizResult:
    questions = {q.id: q for _, q in quiz_questions(session, quiz)}
    rows = [
        (
            a,
            questions[a.question_key],
            expected_answer(questions[a.question_key], a.ordinal),
            describe_response(questions[a.question_key], a.response),
        )
        for a in quiz.answers
        if a.question_key in questions
    ]
    titles: dict[str, str] = {
        key: title
        for key, title in session.execute(
            select(Section.key, Section.title).where(Section.bank_id == quiz.bank_id)
        )
    }
    per_section: dict[str, list[float]] = {}
    for answer_row, question, _, _ in rows:
        title = titles.get(question.section or "") or str(_l("Other questions"))
        per_section.setdefault(title, []).append(answer_row.score or 0.0)
    sections = [
        (title, sum(scores) / len(scores), len(scores)) for title, scores in per_section.items()
    ]
    return QuizResult(quiz, rows, sorted(sections, key=lambda s: s[1]))


def study_mistakes(session: Session, user: User, quiz: Quiz, now: datetime) -> int:
    """Put each missed card in the learner's schedule as answered Again now; once a quiz.

    Returns how many cards were put back.
    """
    if quiz.mistakes_studied or quiz.submitted_at is None:
        return 0
    # Conditional, as submitting is: of two requests at once, one puts the cards back.
    if not _claim(session, quiz, Quiz.mistakes_studied.is_(False), mistakes_studied=True):
        return 0
    result = quiz_result(session, quiz)
    put_back: list[int] = []
    for row, _, _, _ in result.mistakes:
        question = session.scalar(
            select(Question).where(
                Question.bank_id == quiz.bank_id, Question.key == row.question_key
            )
        )
        if question is None or question.retired:
            continue
        card = session.scalar(
            select(Card).where(
                Card.user_id == user.id,
                Card.question_id == question.id,
                Card.ordinal == row.ordinal,
            )
        )
        if card is None:
            card = add_card(session, user.id, question, row.ordinal, now)
            session.flush()
        answer(Study.at(session, user, now), card, Rating.AGAIN)
        put_back.append(card.id)
    # An answer buries its siblings and its kin's new cards: none of the cards put back is
    # left buried by another's, since each is due now.
    if put_back:
        session.execute(
            update(Card)
            .where(Card.id.in_(put_back), Card.buried_until.is_not(None))
            .values(buried_until=None),
            execution_options={"synchronize_session": "fetch"},
        )
    quiz.mistakes_studied = True
    session.flush()
    return len(put_back)

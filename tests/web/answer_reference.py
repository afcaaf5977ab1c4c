"""The answer as it was written before it became Core statements: loaded ORM objects, a
``Review`` added to the session, a unit of work. Kept as the reference the new path's rows
are compared with (tests/web/test_answer_writes.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session

from models.bank import Question
from models.card import Card, Review
from models.types import now_utc
from services.answers import Answered
from services.context import Study, today
from services.load import DueLoad
from services.progress import add_progress, taken
from services.queue import add_card
from services.stats import SETTLED, forget_review_days
from srs.scheduler import NEW, REVIEW, Answer, CardState, Rating, answer_card


def siblings(session: Session, card: Card) -> list[Card]:
    """The other cards of ``card``'s question for the same learner, created if missing."""
    question = card.question
    existing = {
        sibling.ordinal: sibling
        for sibling in session.scalars(
            select(Card).where(Card.user_id == card.user_id, Card.question_id == card.question_id)
        )
    }
    found = []
    for ordinal in question.card_ordinals:
        if ordinal == card.ordinal:
            continue
        sibling = existing.get(ordinal)
        if sibling is None:
            sibling = add_card(session, card.user_id, question, ordinal, card.due)
        found.append(sibling)
    session.flush()
    return found


_ORDINALS = select(Question.card_ordinals).where(Question.id == bindparam("question"))


def _has_siblings(session: Session, card: Card) -> bool:
    """Whether ``card``'s question makes other cards, read without loading the question."""
    if "question" in inspect(card).unloaded:
        # Read without a flush: the card's change is written with its review, at once.
        ordinals = session.connection().scalar(_ORDINALS, {"question": card.question_id})
    else:
        ordinals = card.question.card_ordinals
    return ordinals != [card.ordinal]


_BY_TOKEN = select(Review.id).where(
    Review.user_id == bindparam("user"), Review.review_token == bindparam("token")
)


def _bury_siblings(study: Study, card: Card) -> list[int]:
    """Bury the new and review siblings of ``card`` until the study day ends; their ids."""
    buried = []
    if _has_siblings(study.session, card):
        for sibling in siblings(study.session, card):
            if (
                sibling.state in (NEW, REVIEW)
                and not sibling.suspended
                and (sibling.buried_until is None or sibling.buried_until < study.day.end)
            ):
                sibling.buried_until = study.day.end
                buried.append(sibling.id)
    return buried


def _logged(card: Card, before: CardState, result: Answer, now: datetime) -> dict[str, Any]:
    """The columns of the review of ``card`` that ``result`` made of ``before``."""
    return {
        "card_id": card.id,
        "bank_id": card.bank_id,
        "reviewed_at": result.reviewed_at,
        "state_before": before.state,
        "step_before": before.step,
        "stability_before": before.stability,
        "difficulty_before": before.difficulty,
        "due_before": before.due or now,
        "last_review_before": before.last_review,
        "state_after": result.after.state,
        "step_after": result.after.step,
        "stability_after": result.after.stability,
        "difficulty_after": result.after.difficulty,
        "due_after": result.due,
    }


def orm_answer(
    study: Study,
    card: Card,
    rating: Rating,
    *,
    elapsed_ms: int | None = None,
    correct: bool | None = None,
    review_token: str | None = None,
) -> Answered:
    """Grade ``card``: schedule it, log the review, bury its siblings until tomorrow.

    A ``review_token`` seen before returns that earlier review unchanged.
    """
    session, user, now = study.session, study.user, study.now
    if review_token is not None:
        earlier = session.connection().scalar(_BY_TOKEN, {"user": user.id, "token": review_token})
        if earlier is not None:
            return Answered(session.get_one(Review, earlier), repeated=True)
    before = card.schedule()
    result = answer_card(
        user.study_settings(),
        before,
        rating,
        now,
        card_id=card.id,
        load=DueLoad(session, user, now),
    )
    card.set_schedule(result.after)
    review = Review(
        user_id=user.id,
        rating=int(rating),
        elapsed_ms=elapsed_ms,
        correct=correct,
        review_token=review_token,
        buried=_bury_siblings(study, card),
        **_logged(card, before, result, now),
    )
    session.add(review)
    if result.reviewed_at < now_utc() - SETTLED:  # logged for the past: days kept may change
        forget_review_days(session, user.id)
    day = study.day if result.reviewed_at == now else today(user, result.reviewed_at)
    add_progress(
        session,
        user.id,
        card.bank_id,
        introduced=taken(result.after.state, card.suspended, card.retired)
        - taken(before.state, card.suspended, card.retired),
        day=day.date,
        new=int(before.state == NEW),
        review=int(before.state == REVIEW),
    )
    session.flush()
    return Answered(review, repeated=False)

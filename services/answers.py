"""A learner's answers, against the database: grade a card, take an answer back, bury, suspend.

The intervals are ``srs.scheduler``'s; this module writes them, logs each answer with what it
changed (so that it can be undone), buries the card's siblings and keeps the learner's
progress (``services.progress``). Nothing here commits: one answer is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, inspect, select, update
from sqlalchemy.orm import Session, object_session

from models.bank import Question
from models.card import BankProgress, Card, Review
from models.types import now_utc
from models.user import User
from services.conflict import rows_changed
from services.context import Study, today
from services.load import DueLoad
from services.progress import add_progress, recount_learner, taken
from services.queue import add_card
from services.stats import SETTLED, forget_review_days
from srs.scheduler import NEW, REVIEW, Answer, CardState, Rating, answer_card

__all__ = [
    "Answered",
    "answer",
    "bury",
    "review_log",
    "set_suspended",
    "siblings",
    "unbury",
    "undo_last",
]


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer as stored: the log row, and whether it was a repeat of an earlier send."""

    review: Review
    repeated: bool


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


def answer(
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


def undo_last(session: Session, user: User) -> Card | None:
    """Take back ``user``'s last answer: the card as it was, the log row gone.

    Returns:
        The restored card, or ``None`` when there is no answer to undo.
    """
    review = session.scalar(
        select(Review).where(Review.user_id == user.id).order_by(Review.id.desc()).limit(1)
    )
    if review is None:
        return None
    card = session.get_one(Card, review.card_id)
    was_taken = taken(card.state, card.suspended, card.retired)
    card.set_schedule(
        CardState(
            state=review.state_before,
            step=review.step_before,
            stability=review.stability_before,
            difficulty=review.difficulty_before,
            due=review.due_before,
            last_review=review.last_review_before,
            reps=max(0, card.reps - 1),
            lapses=card.lapses
            - (1 if review.state_before == REVIEW and review.rating == Rating.AGAIN else 0),
        )
    )
    if review.buried:
        for sibling in session.scalars(select(Card).where(Card.id.in_(review.buried))):
            sibling.buried_until = None
    if review.reviewed_at < now_utc() - SETTLED:  # its day may be kept already
        forget_review_days(session, user.id)
    kept = BankProgress.__table__.c
    day = today(user, review.reviewed_at).date
    change = taken(card.state, card.suspended, card.retired) - was_taken
    undone = session.execute(
        update(BankProgress)
        .where(BankProgress.user_id == user.id, BankProgress.bank_id == card.bank_id)
        .values(
            introduced=kept.introduced + change,
            new_done=case(
                (kept.day == day, kept.new_done - int(review.state_before == NEW)),
                else_=kept.new_done,
            ),
            reviews_done=case(
                (kept.day == day, kept.reviews_done - int(review.state_before == REVIEW)),
                else_=kept.reviews_done,
            ),
        )
    )
    session.delete(review)
    session.flush()
    if not rows_changed(undone):  # an answer from before progress was kept: count it all
        recount_learner(session, user, review.reviewed_at)
    return card


def review_log(user_id: int) -> Select[tuple[Review, str, int]]:
    """A learner's reviews, oldest first, each with its question's id and card ordinal."""
    return (
        select(Review, Question.key, Card.ordinal)
        .join(Card, Card.id == Review.card_id)
        .join(Question, Question.id == Card.question_id)
        .where(Review.user_id == user_id)
        .order_by(Review.reviewed_at, Review.id)
    )


def bury(study: Study, card: Card) -> None:
    """Hide ``card`` until the learner's next study day."""
    card.buried_until = study.day.end


def unbury(card: Card) -> None:
    """Show ``card`` again today, wherever it was buried from."""
    card.buried_until = None


def set_suspended(card: Card, suspended: bool) -> None:
    """Take ``card`` out of the queue, or put it back."""
    before = taken(card.state, card.suspended, card.retired)
    card.suspended = suspended
    change = taken(card.state, card.suspended, card.retired) - before
    session = object_session(card)
    if change and session is not None:
        add_progress(session, card.user_id, card.bank_id, introduced=change)

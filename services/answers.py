"""A learner's answers, against the database: grade a card, take an answer back, bury, suspend.

The intervals are ``srs.scheduler``'s; this module writes them, logs each answer with what it
changed (so that it can be undone), buries the card's siblings and keeps the learner's
progress (``services.progress``). Nothing here commits: one answer is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, case, delete, exists, inspect, select, update
from sqlalchemy.orm import Session, aliased, object_session
from sqlalchemy.orm.exc import StaleDataError

from models.bank import Question
from models.card import BankProgress, Card, Review
from models.types import now_utc
from models.user import User
from services.answer_sql import (
    AnswerCard,
    bury_cards,
    buryable,
    insert_review,
    kin_rows,
    read_answer_card,
    sibling_rows,
    write_schedule,
)
from services.conflict import rows_changed
from services.context import Study, today
from services.kept_queue import answered
from services.load import DueLoad
from services.progress import add_progress, recount_learner, taken
from services.queue import add_card
from services.stats import SETTLED, forget_review_days
from srs.scheduler import NEW, REVIEW, Answer, CardState, Rating, answer_card

__all__ = [
    "AnswerCard",
    "Answered",
    "answer",
    "bury",
    "read_answer_card",
    "review_log",
    "set_suspended",
    "unbury",
    "undo_last",
]


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer as stored: the log row, and whether it was a repeat of an earlier send.

    A new answer's row is not in the session: it was written by a Core insert.
    """

    review: Review
    repeated: bool


def _of_question(session: Session, card: Card) -> tuple[list[int], list[int] | None]:
    """The card ordinals and the kin of ``card``'s question, read without loading it."""
    if "question" in inspect(card).unloaded:
        row = session.connection().execute(_OF_QUESTION, {"question": card.question_id}).one()
        return list(row.card_ordinals or ()), row.kin
    return card.question.card_ordinals, card.question.kin


_OF_QUESTION = select(Question.card_ordinals, Question.kin).where(
    Question.id == bindparam("question")
)

_BY_TOKEN = select(Review).where(
    Review.user_id == bindparam("user"), Review.review_token == bindparam("token")
)


def _siblings_to_bury(study: Study, card: AnswerCard, due: datetime) -> list[int]:
    """The new and review siblings of ``card`` that its answer buries until the study day
    ends, in their question's order; a sibling not made yet is made, due at ``due``."""
    found = sibling_rows(study.session, card)
    others = [ordinal for ordinal in card.ordinals if ordinal != card.ordinal]
    missing = [ordinal for ordinal in others if ordinal not in found]
    if missing:
        question = study.session.get_one(Question, card.question_id)
        for ordinal in missing:
            add_card(study.session, card.user_id, question, ordinal, due)
        study.session.flush()
        found = sibling_rows(study.session, card)
    return [found[o].id for o in others if buryable(found[o], study.day.end)]


def _kin_to_bury(study: Study, card: AnswerCard) -> list[int]:
    """The new cards of the kin of ``card``'s question (:mod:`srs.kin`) that its first
    answer buries until the study day ends; a kin question's cards not made yet are made.

    Only a new card's answer buries them: were reviews to bury too, a kin question whose
    neighbours come up for review most days would wait for weeks. So each question of a
    group sharing a diagram is first seen on a day of its own, and no longer waits.
    """
    session = study.session
    found, makes = kin_rows(session, card)
    have: dict[int, int] = {}
    for row in found:
        have[row.question_id] = have.get(row.question_id, 0) + 1
    lacking = [question for question, count in makes.items() if have.get(question, 0) < count]
    if lacking:
        values = {"user": card.user_id, "ids": lacking}
        made = {(row.question_id, row.ordinal) for row in session.execute(_MADE, values)}
        for question in session.scalars(select(Question).where(Question.id.in_(lacking))):
            for ordinal in question.card_ordinals:
                if (question.id, ordinal) not in made:
                    add_card(session, card.user_id, question, ordinal, study.now)
        session.flush()
        found, _ = kin_rows(session, card)
    until = study.day.end
    return [row.id for row in found if row.state == NEW and buryable(row, until)]


# The cards a learner has of some questions, all of them (retired ones too: never made twice).
_MADE = select(Card.question_id, Card.ordinal).where(
    Card.user_id == bindparam("user"), Card.question_id.in_(bindparam("ids", expanding=True))
)


def _logged(card: AnswerCard, result: Answer, now: datetime) -> dict[str, Any]:
    """The columns of the review of ``card`` that ``result`` made of its schedule."""
    before = result.before
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
    card: Card | AnswerCard,
    rating: Rating,
    *,
    elapsed_ms: int | None = None,
    correct: bool | None = None,
    review_token: str | None = None,
) -> Answered:
    """Grade ``card``: schedule it, log the review, bury its siblings and the new cards of
    its question's kin (:mod:`srs.kin`) until tomorrow.

    ``card`` is a loaded ``Card`` or, cheaper, the card as :func:`read_answer_card` reads
    it. The answer is a log insert, a card update and the kept counts' upsert (and, for a
    question with several cards, a read and an update of the siblings): Core statements,
    no unit of work. A ``review_token`` seen before returns that earlier review unchanged.

    Raises:
        StaleDataError: the card changed since it was read; ``services.conflict`` runs
            the answer again.
    """
    session, user, now = study.session, study.user, study.now
    if isinstance(card, Card):
        session.flush()  # the update is conditional on the card as the database holds it
        card = AnswerCard.of(card, *_of_question(session, card))
    result = answer_card(
        user.study_settings(),
        card.schedule,
        rating,
        now,
        card_id=card.id,
        # Read with the card, or here only if the interval is fuzzed.
        load=DueLoad(session, user, now, card.load),
    )
    buried = _siblings_to_bury(study, card, result.due) if card.has_siblings else []
    if card.kin and card.schedule.state == NEW:  # a card first seen: see _kin_to_bury
        buried += _kin_to_bury(study, card)
    values = {
        "user_id": user.id,
        "rating": int(rating),
        "elapsed_ms": elapsed_ms,
        "correct": correct,
        "review_token": review_token,
        "buried": buried,
        **_logged(card, result, now),
    }
    review_id = insert_review(session, values)
    if review_id is None:  # the token was stored by an earlier send of this answer
        earlier = session.scalars(_BY_TOKEN, {"user": user.id, "token": review_token}).one()
        return Answered(earlier, repeated=True)
    write_schedule(session, card, result.after)
    if buried:
        bury_cards(session, buried, study.day.end)  # which clears the bank's kept queue
    else:
        answered(study, card, result)
    _keep_counts(study, card, result)
    return Answered(Review(id=review_id, **values), repeated=False)


def _keep_counts(study: Study, card: AnswerCard, result: Answer) -> None:
    """What the answer ``result`` of ``card`` changes in the kept counts and days."""
    session, user = study.session, study.user
    if result.reviewed_at < now_utc() - SETTLED:  # logged for the past: days kept may change
        forget_review_days(session, user.id)
    day = study.day if result.reviewed_at == study.now else today(user, result.reviewed_at)
    before, after = card.schedule, result.after
    add_progress(
        session,
        user.id,
        card.bank_id,
        introduced=taken(after.state, card.suspended, card.retired)
        - taken(before.state, card.suspended, card.retired),
        day=day.date,
        new=int(before.state == NEW),
        review=int(before.state == REVIEW),
    )


_LATER = aliased(Review)
_TAKE_BACK = delete(Review).where(
    Review.id == bindparam("review"),
    ~exists().where(_LATER.user_id == bindparam("user"), _LATER.id > bindparam("review")),
)
# A card's answers after the one taken back: another answer to it came first.
_ANSWERED_SINCE = select(
    exists().where(Review.card_id == bindparam("card"), Review.id > bindparam("review"))
)


def _take_back_last(session: Session, user: User) -> tuple[Review, Card] | None:
    """``user``'s last answer, its log row deleted, with its card read and locked.

    The row is deleted first, only while it is still the learner's last, and the card is
    taken only if no answer to it came since: of two undos at once, or an undo and an
    answer to the same card, one goes through and the other runs again on the rows as they
    then are (``services.conflict``).

    Raises:
        StaleDataError: another request answered or took back an answer meanwhile.
    """
    review = session.scalar(
        select(Review).where(Review.user_id == user.id).order_by(Review.id.desc()).limit(1)
    )
    if review is None:
        return None
    deleted = session.execute(
        _TAKE_BACK.execution_options(synchronize_session=False),
        {"review": review.id, "user": user.id},
    )
    if rows_changed(deleted) != 1:
        raise StaleDataError(f"review {review.id} is no longer the last answer")
    session.expunge(review)
    card = session.scalars(
        select(Card)
        .where(Card.id == review.card_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if session.scalar(_ANSWERED_SINCE, {"card": card.id, "review": review.id}):
        raise StaleDataError(f"card {card.id} was answered again while its answer was taken back")
    return review, card


def undo_last(session: Session, user: User) -> Card | None:
    """Take back ``user``'s last answer: the card as it was, the log row gone.

    Returns:
        The restored card, or ``None`` when there is no answer to undo.

    Raises:
        StaleDataError: another request answered or took back an answer meanwhile.
    """
    last = _take_back_last(session, user)
    if last is None:
        return None
    review, card = last
    state_undone = card.state
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
    # The card written (conditional on its review count, which a suspension leaves), then its
    # flags read again: the change in cards introduced is the undo's on the card as it is.
    session.flush()
    suspended, retired = session.execute(
        select(Card.suspended, Card.retired).where(Card.id == card.id)
    ).one()
    kept = BankProgress.__table__.c
    day = today(user, review.reviewed_at).date
    change = taken(card.state, suspended, retired) - taken(state_undone, suspended, retired)
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

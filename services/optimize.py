"""Personal FSRS parameters against the database: a learner's log in, parameters and cards out.

The fit and the replay are ``srs.optimize``'s; this module reads the log, stores the
parameters on the learner and writes the rescheduled cards. Nothing here commits: one
optimization is one transaction, and the caller ends it. Everything is read and fitted
before anything is written, so the transaction holds no write lock while fsrs-rs works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.card import Card, Review
from models.types import now_utc
from models.user import User
from services.answers import review_log
from services.context import today
from services.kept_queue import forget_queues
from services.progress import recount_learner
from srs.optimize import (
    FitResult,
    LoggedReview,
    fit_parameters,
    relearning_steps_in_a_day,
    rescheduled,
    training_items,
    training_review_count,
)
from srs.scheduler import NEW, bounded_steps

__all__ = [
    "Optimized",
    "Rescheduled",
    "optimize_user",
    "review_history",
    "training_reviews",
    "use_default_parameters",
]


@dataclass(frozen=True, slots=True)
class Rescheduled:
    """What a reschedule did: the cards replayed, and the studied cards due by the end of
    today (neither suspended nor retired) before and after it."""

    cards: int
    due_before: int
    due_after: int


@dataclass(frozen=True, slots=True)
class Optimized:
    """A fit, and the reschedule its parameters made (``None`` when they were not used)."""

    fit: FitResult
    rescheduled: Rescheduled | None


def review_history(session: Session, user: User) -> list[LoggedReview]:
    """``user``'s review log as the fit reads it, oldest first."""
    query = review_log(user.id).with_only_columns(
        Review.card_id, Review.reviewed_at, Review.rating, Review.state_before, Review.due_after
    )
    return [LoggedReview(*row) for row in session.execute(query)]


def training_reviews(session: Session, user: User) -> int:
    """How many of ``user``'s reviews a fit would learn from (what the threshold counts)."""
    return training_review_count(review_history(session, user), user.timezone, user.rollover_hour)


def _due_today(session: Session, user: User, now: datetime) -> int:
    """``user``'s studied cards due by the end of today, neither suspended nor retired."""
    return (
        session.scalar(
            select(func.count()).where(
                Card.user_id == user.id,
                Card.state != NEW,
                Card.suspended.is_(False),
                Card.retired.is_(False),
                Card.due < today(user, now).end,
            )
        )
        or 0
    )


def _reschedule(session: Session, user: User, history: list[LoggedReview]) -> Rescheduled:
    """Replay every studied card of ``user`` with their settings as they are now."""
    now = now_utc()
    due_before = _due_today(session, user, now)
    settings = user.study_settings()
    by_card: dict[int, list[LoggedReview]] = {}
    for review in history:
        by_card.setdefault(review.card_id, []).append(review)
    cards = 0
    for card in session.scalars(select(Card).where(Card.user_id == user.id, Card.state != NEW)):
        schedule = rescheduled(settings, card.id, by_card.get(card.id, []))
        if schedule is not None:
            card.set_schedule(schedule)
            cards += 1
    session.flush()
    # A card replayed may look to the triggers like an answer: the queues are cleared here.
    forget_queues(session, user.id)
    recount_learner(session, user, now)
    return Rescheduled(cards, due_before, _due_today(session, user, now))


def optimize_user(session: Session, user: User) -> Optimized:
    """Fit ``user``'s parameters to their log; if they predict it better, use them.

    Using them means storing them on the learner and rescheduling every card they have
    studied: each card's log is replayed with the new parameters (see
    :func:`srs.optimize.rescheduled`), so its last review stays and it is due the new
    interval after it. The log itself is history and is not rewritten.

    Raises:
        NotEnoughHistory: too few reviews to learn from; nothing is changed.
    """
    history = review_history(session, user)
    result = fit_parameters(
        training_items(history, user.timezone, user.rollover_hour),
        user.fsrs_parameters,
        relearning_steps=relearning_steps_in_a_day(bounded_steps(user.relearning_steps)),
    )
    if not result.improved:
        return Optimized(result, None)
    user.fsrs_parameters = list(result.parameters)
    return Optimized(result, _reschedule(session, user, history))


def use_default_parameters(session: Session, user: User) -> Rescheduled | None:
    """Drop ``user``'s personal parameters and reschedule their cards with the defaults
    (``None``: there were none, and nothing changed)."""
    if user.fsrs_parameters is None:
        return None
    user.fsrs_parameters = None
    return _reschedule(session, user, review_history(session, user))

"""Help me decide, for one learner: their collection and log in, the simulated options out.

The simulation is ``srs.retention``'s; this module reads what it needs: the cards of the
banks the learner studies, their limits (per bank, so times their banks), steps, maximum
interval and parameters, and their log summed by state and rating with the mean answer
time. :func:`set_desired_retention` takes the learner's choice; the caller commits.

Each learner's last advice is kept (in each process) with the plan it answers: a learner who
changes a setting replaces their own entry, and when :data:`KEPT_LEARNERS` are kept the one
asked least recently goes, so no learner can push out everyone else's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.bank import Question
from models.card import Review
from models.user import User
from services.queue import study_bank_ids
from srs.retention import AnswerTally, RetentionAdvice, StudyPlan, advise
from srs.scheduler import bounded_steps

__all__ = [
    "DESIRED_RETENTION_RANGE",
    "KEPT_LEARNERS",
    "RetentionChoiceError",
    "retention_advice",
    "set_desired_retention",
    "study_plan",
]

# What the settings accept (views.settings_forms.SettingsForm.desired_retention).
DESIRED_RETENTION_RANGE = (Decimal("0.70"), Decimal("0.99"))

KEPT_LEARNERS = 256  # a few kilobytes each
_KEPT: OrderedDict[int, tuple[StudyPlan, RetentionAdvice]] = OrderedDict()
_KEPT_LOCK = threading.Lock()


class RetentionChoiceError(ValueError):
    """A desired retention that is not a number from 0.70 to 0.99 in hundredths; its
    argument is the value as sent."""


def _answers(session: Session, user: User) -> tuple[AnswerTally, ...]:
    """``user``'s answers counted by state before and rating, with their mean time."""
    query = (
        select(
            Review.state_before,
            Review.rating,
            func.count(),
            func.avg(Review.elapsed_ms),
        )
        .where(Review.user_id == user.id)
        .group_by(Review.state_before, Review.rating)
        .order_by(Review.state_before, Review.rating)
    )
    return tuple(
        AnswerTally(state, rating, count, None if mean_ms is None else float(mean_ms) / 1000)
        for state, rating, count, mean_ms in session.execute(query)
    )


def study_plan(session: Session, user: User) -> StudyPlan:
    """What a year of ``user``'s study looks like to the simulator."""
    bank_ids = study_bank_ids(session, user)
    cards = session.scalar(
        select(func.coalesce(func.sum(Question.card_count), 0)).where(
            Question.bank_id.in_(bank_ids), Question.retired.is_(False)
        )
    )
    banks = max(1, len(bank_ids))
    return StudyPlan(
        cards=int(cards or 0),
        new_per_day=user.new_per_day * banks,
        reviews_per_day=user.reviews_per_day * banks,
        learning_steps=len(bounded_steps(user.learning_steps)),
        relearning_steps=len(bounded_steps(user.relearning_steps)),
        maximum_interval=user.maximum_interval,
        parameters=tuple(user.fsrs_parameters) if user.fsrs_parameters else None,
        answers=_answers(session, user),
    )


def retention_advice(
    session: Session, user: User, simulating: Callable[[], None] | None = None
) -> RetentionAdvice:
    """The desired retentions ``user`` may choose from, simulated on their own study;
    ``simulating`` is called when they are not kept and the simulation runs."""
    plan = study_plan(session, user)
    with _KEPT_LOCK:
        kept = _KEPT.get(user.id)
        if kept is not None and kept[0] == plan:
            _KEPT.move_to_end(user.id)
            return kept[1]
    if simulating is not None:
        simulating()
    advice = advise(plan)  # a second or so, outside the lock
    with _KEPT_LOCK:
        _KEPT[user.id] = (plan, advice)
        _KEPT.move_to_end(user.id)
        while len(_KEPT) > KEPT_LEARNERS:
            _KEPT.popitem(last=False)
    return advice


def set_desired_retention(user: User, value: str) -> float:
    """Set ``user``'s desired retention to ``value`` (as sent: "0.85") and return it.

    Raises:
        RetentionChoiceError: ``value`` is no number, out of range or finer than hundredths.
    """
    low, high = DESIRED_RETENTION_RANGE
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        number = None
    if (
        number is None
        or not number.is_finite()
        or not low <= number <= high
        or number != number.quantize(Decimal("0.01"))
    ):
        raise RetentionChoiceError(value)
    user.desired_retention = float(number)
    return user.desired_retention

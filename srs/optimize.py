"""Personal FSRS parameters: training items from a learner's review log, the fit, the replay.

FSRS learns from a card's history how its memory fades. ``fsrs-rs`` (through
``fsrs_rs_python``) fits the 21 FSRS-6 parameters to a learner's answers; this module turns
Wengu's log into what it reads and checks what it returns:

* Time between reviews is counted in study days (the learner's day, starting at their
  rollover hour in their zone: :func:`srs.study.study_day`), so two reviews on one study day
  are 0 days apart however many hours lie between them, and 03:59 and 04:01 are a day apart.
* As in fsrs-rs and Anki, each review of a card after its first is one training item: the
  card's history up to and including that review. Only items whose last review falls on a
  later day than the one before it are kept; same-day repeats (learning steps) stay in the
  histories, with ``delta_t`` 0, but are not predicted.
* The fit is judged by log loss over the same items, before (with the parameters the
  learner uses now) and after; parameters that do not lower it are not worth taking (Anki
  keeps the current ones in that case too).

:func:`rescheduled` then replays a card's log with the new parameters.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

import fsrs_rs_python
from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

from srs.scheduler import (
    NEW,
    REVIEW,
    Answer,
    CardState,
    Rating,
    StudySettings,
    answer_card,
    fuzz_range,
)
from srs.study import study_day

__all__ = [
    "MIN_REVIEWS",
    "CardHistory",
    "FitResult",
    "ItemReview",
    "LoggedReview",
    "NotEnoughHistory",
    "TrainingItem",
    "card_histories",
    "fit_parameters",
    "items_of",
    "relearning_steps_in_a_day",
    "rescheduled",
    "training_items",
    "training_review_count",
]

# Anki will not optimise on less: "You must have at least 400 reviews for this operation"
# (deck-config-must-have-400-reviews, ftl/core/deck-config.ftl in ankitects/anki), counted as
# the FSRS items its optimiser trains on (rslib/src/scheduler/fsrs/params.rs: "less than 400
# items ... check the fsrs_items count"). fsrs-rs itself (src/training.rs, compute_parameters)
# returns the defaults below 8 items and refits only the four initial stabilities below 64.
MIN_REVIEWS = 400

_DAY_SECONDS = 86400


class NotEnoughHistory(ValueError):  # noqa: N818 (a state the learner is in, not a fault)
    """Too few reviews to fit parameters from; the message says how many there are."""

    def __init__(self, reviews: int) -> None:
        self.reviews = reviews
        super().__init__(
            f"Personal parameters need at least {MIN_REVIEWS} reviews; you have {reviews}."
        )


@dataclass(frozen=True, slots=True)
class LoggedReview:
    """One answer from the log: which card, when, the rating, the card's state before, and
    the due time the answer gave (where the log has it)."""

    card_id: int
    reviewed_at: datetime
    rating: int
    state: int
    due_after: datetime | None = None


class ItemReview(NamedTuple):
    """One review as FSRS reads it: the rating, and whole study days since the one before."""

    rating: int
    delta_t: int


TrainingItem = tuple[ItemReview, ...]
# One card's reviews from the log, oldest first, and the same as FSRS reads them.
CardHistory = tuple[list[LoggedReview], list[ItemReview]]


@dataclass(frozen=True, slots=True)
class FitResult:
    """What a fit found: the parameters, and the log loss with the current ones and with them."""

    parameters: tuple[float, ...]
    log_loss_before: float
    log_loss_after: float
    reviews: int

    @property
    def improved(self) -> bool:
        return self.log_loss_after < self.log_loss_before


def _by_card(reviews: Iterable[LoggedReview]) -> dict[int, list[LoggedReview]]:
    cards: dict[int, list[LoggedReview]] = defaultdict(list)
    for review in reviews:
        cards[review.card_id].append(review)
    for history in cards.values():
        history.sort(key=lambda review: review.reviewed_at)
    return cards


def _histories(reviews: Iterable[LoggedReview], zone: str, rollover_hour: int) -> list[CardHistory]:
    """Each card's log with its reviews as FSRS reads them; cards whose log is incomplete
    (it does not start with the card new) are left out, as Anki leaves them out."""
    found = []
    for history in _by_card(reviews).values():
        if history[0].state != NEW:
            continue
        days: list[date] = [
            study_day(review.reviewed_at, zone, rollover_hour).date for review in history
        ]
        steps = [ItemReview(history[0].rating, 0)]
        steps += [
            ItemReview(review.rating, (day - previous).days)
            for review, previous, day in zip(history[1:], days, days[1:], strict=False)
        ]
        found.append((history, steps))
    return found


def training_items(
    reviews: Iterable[LoggedReview], zone: str, rollover_hour: int
) -> list[TrainingItem]:
    """The FSRS training items in a learner's log, in the order of their last review.

    Args:
        reviews: the learner's log, in any order.
        zone, rollover_hour: the learner's day, which ``delta_t`` is counted in.

    Returns:
        One item per review on a later study day than the card's review before it: the
        card's reviews up to that one. fsrs-rs weighs recent items more, so the order counts.
    """
    return items_of(_histories(reviews, zone, rollover_hour))


def items_of(histories: Iterable[CardHistory]) -> list[TrainingItem]:
    """:func:`training_items` of histories already read by :func:`card_histories`."""
    dated: list[tuple[datetime, TrainingItem]] = []
    for history, steps in histories:
        for index in range(1, len(steps)):
            if steps[index].delta_t > 0:
                dated.append((history[index].reviewed_at, tuple(steps[: index + 1])))
    dated.sort(key=lambda pair: pair[0])
    return [item for _, item in dated]


def card_histories(
    reviews: Iterable[LoggedReview], zone: str, rollover_hour: int
) -> list[CardHistory]:
    """Each card's log with its reviews as FSRS reads them (cards whose log is incomplete
    left out): every training item of a card is a start of its steps."""
    return _histories(reviews, zone, rollover_hour)


def training_review_count(reviews: Iterable[LoggedReview], zone: str, rollover_hour: int) -> int:
    """How many reviews a fit would learn from: ``len(training_items(...))``, without them."""
    return sum(
        sum(1 for step in steps[1:] if step.delta_t > 0)
        for _, steps in _histories(reviews, zone, rollover_hour)
    )


def relearning_steps_in_a_day(steps: Sequence[int]) -> int:
    """How many relearning steps (in seconds) a lapsed card takes within its day.

    fsrs-rs bounds the short-term parameters by this, so that a card does not come out of
    relearning more stable than it went in (Anki passes the same count).
    """
    count, elapsed = 0, 0
    for step in steps:
        elapsed += step
        if elapsed >= _DAY_SECONDS:
            break
        count += 1
    return count


def _fsrs_items(items: Sequence[TrainingItem]) -> list[fsrs_rs_python.FSRSItem]:
    return [
        fsrs_rs_python.FSRSItem([fsrs_rs_python.FSRSReview(r.rating, r.delta_t) for r in item])
        for item in items
    ]


def _log_loss(parameters: Sequence[float], items: list[fsrs_rs_python.FSRSItem]) -> float:
    return fsrs_rs_python.FSRS(list(parameters)).evaluate(items).log_loss


def _schedulable(fitted: Sequence[float]) -> tuple[float, ...]:
    """fsrs-rs's parameters as ``fsrs.Scheduler`` accepts them.

    Both libraries have the 21 parameters of FSRS-6 and the same bounds, but fsrs-rs
    computes in 32-bit floats: 0.8 comes back as 0.800000011920929, above ``fsrs``'s upper
    bound. Four decimals (as Anki shows them) within ``fsrs``'s bounds settle that.
    """
    if len(fitted) != len(DEFAULT_PARAMETERS) or not all(map(math.isfinite, fitted)):
        raise ValueError(f"fsrs-rs returned parameters FSRS-6 cannot use: {list(fitted)}")
    return tuple(
        min(max(round(value, 4), low), high)
        for value, low, high in zip(
            fitted, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True
        )
    )


def fit_parameters(
    items: Sequence[TrainingItem],
    current: Sequence[float] | None = None,
    *,
    relearning_steps: int = 1,
) -> FitResult:
    """Fit FSRS-6 parameters to ``items`` and compare them with ``current``.

    Args:
        items: from :func:`training_items`.
        current: the parameters the learner uses now; ``None`` for the defaults.
        relearning_steps: from :func:`relearning_steps_in_a_day`.

    Raises:
        NotEnoughHistory: fewer than :data:`MIN_REVIEWS` items.
    """
    if len(items) < MIN_REVIEWS:
        raise NotEnoughHistory(len(items))
    fsrs_items = _fsrs_items(items)
    before = _log_loss(current or DEFAULT_PARAMETERS, fsrs_items)
    fitted = _schedulable(
        fsrs_rs_python.FSRS(fsrs_rs_python.DEFAULT_PARAMETERS).compute_parameters(
            fsrs_items, num_relearning_steps=relearning_steps
        )
    )
    return FitResult(
        parameters=fitted,
        log_loss_before=before,
        log_loss_after=_log_loss(fitted, fsrs_items),
        reviews=len(items),
    )


def rescheduled(
    settings: StudySettings, card_id: int, history: Iterable[LoggedReview]
) -> CardState | None:
    """A card's schedule as if every answer in ``history`` had been scheduled by ``settings``.

    Each answer is replayed with :func:`srs.scheduler.answer_card`, fuzz included (it is
    seeded by the card and its review count, so the replay draws what the answers drew): the
    last review stays the last review, and the card is due the new interval after it.

    Returns:
        The new schedule, or ``None`` when the log does not start with the card new and
        cannot be replayed.
    """
    history = sorted(history, key=lambda review: review.reviewed_at)
    if not history or history[0].state != NEW:
        return None
    card = CardState()
    for review in history[:-1]:
        card = answer_card(
            settings, card, Rating(review.rating), review.reviewed_at, card_id=card_id
        ).after
    last = history[-1]
    return _on_the_answered_day(
        settings,
        answer_card(settings, card, Rating(last.rating), last.reviewed_at, card_id=card_id),
        last.due_after,
    )


def _on_the_answered_day(
    settings: StudySettings, answer: Answer, answered_due: datetime | None
) -> CardState:
    """The card after ``answer``, due when the answer first made it due (``answered_due``)
    if that is a day the new interval's fuzz range holds: the day load balancing chose then
    stays chosen, and settings that are those the answer was given with give the schedule
    back exactly as it was."""
    after = answer.after
    if answered_due is None or after.state != REVIEW:
        return after
    plain = answer_card(
        settings, answer.before, answer.rating, answer.reviewed_at, card_id=0, fuzz=False
    )
    days = (plain.due - answer.reviewed_at).days
    given = answered_due - answer.reviewed_at
    if days < 3 or given % timedelta(days=1):
        return after  # not fuzzed, or not a due time an answer gives
    low, high = fuzz_range(days, settings.maximum_interval)
    return replace(after, due=answered_due) if low <= given.days <= high else after

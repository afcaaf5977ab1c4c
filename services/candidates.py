"""The one statement that reads what choosing a learner's next card needs.

For each bank asked about, one row: the kept counts (``bank_progress``), the due learning
and review cards and the buried new ones counted, the first card of each kind that may be
shown (learning and relearning due within the learn-ahead time, review due today, new in
bank order) and the first question that lacks cards for the learner. Each part is one walk
of an index; the statement is built once for each number of banks. ``services.queue``
decides from these rows (with ``srs.study``) which card comes next.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, literal_column, or_, select
from sqlalchemy.orm import aliased

from models.bank import Bank, Question
from models.card import BankProgress, Card
from services.context import Study
from services.progress import Progress, cards_of
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.study import LEARN_AHEAD

__all__ = ["BURIED_NEW", "IS_NEW", "Candidates", "active", "read_candidates"]


def active(now: Any) -> ColumnElement[bool]:
    return and_(
        Card.suspended.is_(False),
        Card.retired.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


# Written as literals, not parameters, so that the partial indexes are seen to match.
IS_NEW = Card.state == literal_column(str(NEW))
BURIED_NEW = and_(IS_NEW, Card.buried_until.is_not(None))


# The candidates of each bank, one alias of ``cards`` a kind, each joined to its bank's row.
_FIRST_LEARNING = aliased(Card, name="first_learning")
_FIRST_RELEARNING = aliased(Card, name="first_relearning")
_FIRST_REVIEW = aliased(Card, name="first_review")
_FIRST_WAITING = aliased(Card, name="first_waiting")
_CANDIDATES = (
    (_FIRST_LEARNING, LEARNING),
    (_FIRST_RELEARNING, RELEARNING),
    (_FIRST_REVIEW, REVIEW),
    (_FIRST_WAITING, NEW),
)
# No question of a bank is placed further than this.
_PAST_EVERY_POSITION = 2**31 - 1


def _first_id(bank: Any, state: int) -> Any:
    """The id of the first card of ``bank`` in ``state`` that may be shown: the earliest due
    (within the learn-ahead time for learning cards, today for reviews), or for new cards
    the first in bank order. One walk of an index of ``cards`` each."""
    if state == NEW:
        found = select(Card.id).where(IS_NEW).order_by(Card.position, Card.ordinal)
    else:
        before: Any = bindparam("day_end" if state == REVIEW else "ahead")
        found = select(Card.id).where(Card.state == state, Card.due <= before)
        found = found.order_by(Card.due, Card.id)
    return (
        found.where(Card.user_id == bindparam("user"), Card.bank_id == bank)
        .where(active(bindparam("now")))
        .limit(1)
        .scalar_subquery()
    )


def _due_count(*states: int) -> Any:
    """The bank's active cards in ``states`` due before the day ends, counted."""
    return (
        select(func.count())
        .select_from(Card)
        .where(
            Card.user_id == bindparam("user"),
            Card.bank_id == Bank.id,
            Card.state.in_(states),
            Card.due < bindparam("day_end"),
            active(bindparam("now")),
        )
        .scalar_subquery()
    )


# New cards buried (siblings of today's answers): not waiting until their burial ends.
_BURIED_COUNT = (
    select(func.count())
    .select_from(Card)
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id == Bank.id,
        BURIED_NEW,
        Card.buried_until > bindparam("now"),
        Card.suspended.is_(False),
        Card.retired.is_(False),
    )
    .scalar_subquery()
)
# The first question at or past the kept position that lacks a card for the learner, not
# past the first new card waiting (whose question has its cards): usually none, or the one
# at the kept position.
_WAITING_POSITION = (
    select(Card.position)
    .where(Card.user_id == bindparam("user"), Card.bank_id == Bank.id, IS_NEW)
    .where(active(bindparam("now")))
    .order_by(Card.position, Card.ordinal)
    .limit(1)
    .correlate(Bank)
    .scalar_subquery()
)
_LACKING = (
    select(Question.id)
    .where(
        Question.bank_id == Bank.id,
        Question.retired.is_(False),
        Question.position >= func.coalesce(BankProgress.next_position, 0),
        Question.position <= func.coalesce(_WAITING_POSITION, _PAST_EVERY_POSITION),
        cards_of(bindparam("user")) < Question.card_count,
    )
    .order_by(Question.position)
    .limit(1)
    .scalar_subquery()
)


@lru_cache(maxsize=64)
def pick_statement(banks: int) -> Select[Any]:
    """The statement of :func:`next_card` for so many banks, made once: a row a bank with
    its kept counts, its due and buried new cards counted, its first card of each kind
    (learning, relearning, review, new) and the first question lacking cards."""
    bank_params: list[Any] = [bindparam(f"bank_{n}") for n in range(banks)]
    statement = (
        select(
            Bank.id,
            Bank.card_count,
            BankProgress.introduced,
            BankProgress.next_position,
            BankProgress.day,
            BankProgress.new_done,
            BankProgress.reviews_done,
            _due_count(LEARNING, RELEARNING),
            _due_count(REVIEW),
            _BURIED_COUNT,
            _LACKING,
            *(alias for alias, _state in _CANDIDATES),
        )
        .select_from(Bank)
        .outerjoin(
            BankProgress,
            and_(BankProgress.bank_id == Bank.id, BankProgress.user_id == bindparam("user")),
        )
        .where(Bank.id.in_(bank_params))
    )
    for alias, state in _CANDIDATES:
        # Each bank's first of the kind is in the list; the bank's own is the one joined.
        firsts = [_first_id(bank, state) for bank in bank_params]
        statement = statement.outerjoin(alias, and_(alias.bank_id == Bank.id, alias.id.in_(firsts)))
    return statement


@dataclass(frozen=True, slots=True)
class Candidates:
    """What :func:`read_candidates` read for the banks: each bank's kept counts
    (``progress``), its due cards and buried new ones by state (``found``: learning under
    ``LEARNING``, buried new under ``NEW``), the first due learning cards and review cards
    of every bank, and each bank's first new card waiting and the question that lacks
    cards before it (its id)."""

    progress: dict[str, Progress]
    found: dict[tuple[str, int], int]
    learning: list[Card]
    reviews: list[Card]
    waiting: dict[str, Card | None]
    lacking: dict[str, int | None]


def read_candidates(study: Study, bank_ids: list[str]) -> Candidates:
    """The rows of :func:`pick_statement` for ``bank_ids``, in one statement."""
    values: dict[str, Any] = {
        "user": study.user.id,
        "now": study.now,
        "ahead": study.now + LEARN_AHEAD,
        "day_end": study.day.end,
    }
    values.update((f"bank_{n}", bank_id) for n, bank_id in enumerate(bank_ids))
    read = Candidates({}, {}, [], [], {}, {})
    for row in study.session.execute(pick_statement(len(bank_ids)), values):
        bank_id, cards, introduced, next_position, day, new_done, reviews_done = row[:7]
        learning_due, review_due, buried, read.lacking[bank_id] = row[7:11]
        first_learning, first_relearning, first_review, read.waiting[bank_id] = row[11:]
        read.progress[bank_id] = (
            Progress(cards or 0)
            if introduced is None
            else Progress(cards, introduced, next_position, day, new_done, reviews_done)
        )
        read.found[bank_id, LEARNING], read.found[bank_id, REVIEW] = learning_due, review_due
        read.found[bank_id, NEW] = buried
        read.learning.extend(c for c in (first_learning, first_relearning) if c is not None)
        if first_review is not None:
            read.reviews.append(first_review)
    return read

"""The one statement that reads what choosing a learner's next card needs.

The first card of each kind that may be shown in each bank asked about (learning and
relearning due within the learn-ahead time, review due today, new in bank order), then a
row a bank: the kept counts (``bank_progress``), the due learning and review cards and the
buried new ones counted, and the first question that lacks cards for the learner. Each part
is one walk of an index; the statement is built once for each number of banks.
``services.queue`` decides from these rows (with ``srs.study``) which card comes next.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Row,
    and_,
    bindparam,
    func,
    inspect,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from models.bank import Bank, Question
from models.card import BankProgress, Card
from services.context import Study, rows
from services.progress import Progress, cards_of
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.study import LEARN_AHEAD

__all__ = ["BURIED_NEW", "IS_NEW", "Candidates", "active", "as_card", "read_candidates"]


def active(now: Any) -> ColumnElement[bool]:
    return and_(
        Card.suspended.is_(False),
        Card.retired.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


# Written as literals, not parameters, so that the partial indexes are seen to match.
IS_NEW = Card.state == literal_column(str(NEW))
BURIED_NEW = and_(IS_NEW, Card.buried_until.is_not(None))


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


def _due_count(*states: int, most: str | None = None) -> Any:
    """The bank's active cards in ``states`` due before the day ends, counted; up to the
    parameter ``most`` when given (a count past the day's limit shows no more cards, and a
    learner weeks behind would otherwise count every card they owe, at every request)."""
    due = (
        select(literal_column("1") if most else func.count())
        .select_from(Card)
        .where(
            Card.user_id == bindparam("user"),
            Card.bank_id == Bank.id,
            Card.state.in_(states),
            Card.due < bindparam("day_end"),
            active(bindparam("now")),
        )
    )
    if most is None:
        return due.scalar_subquery()
    # Correlated by hand: SQLAlchemy correlates a subquery in FROM only when told.
    counted = due.correlate(Bank).limit(bindparam(most)).subquery()
    return select(func.count()).select_from(counted).scalar_subquery()


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


# The columns of a bank's row, each NULL in the rows of cards.
_BANK_COLUMNS = (
    Bank.card_count,
    BankProgress.introduced,
    BankProgress.next_position,
    BankProgress.day,
    BankProgress.new_done,
    BankProgress.reviews_done,
    _due_count(LEARNING, RELEARNING).label("learning_due"),
    _due_count(REVIEW, most="reviews_most").label("review_due"),
    _BURIED_COUNT.label("buried_new"),
    _LACKING.label("lacking"),
)
_CARD_COLUMNS = tuple(Card.__table__.columns)


def _nulls(columns: tuple[Any, ...]) -> list[Any]:
    return [type_coerce(null(), column.type).label(column.name) for column in columns]


@lru_cache(maxsize=64)
def pick_statement(banks: int) -> CompoundSelect:
    """The statement of :func:`read_candidates` for so many banks, made once: the first
    card of each kind (learning, relearning, review, new) of each bank, then a row a bank
    with its kept counts, its due and buried new cards counted, and the first question
    lacking cards. Two plain parts, each cheap to plan: PostgreSQL plans a statement at
    every execution, and a join of four aliases of ``cards`` took longer to plan than the
    three statements it replaced took to run."""
    bank_params: list[Any] = [bindparam(f"bank_{n}") for n in range(banks)]
    states = (LEARNING, RELEARNING, REVIEW, NEW)
    firsts = [_first_id(bank, state) for bank in bank_params for state in states]
    cards = select(Card.bank_id.label("bank"), *_nulls(_BANK_COLUMNS), *_CARD_COLUMNS).where(
        Card.id.in_(firsts)
    )
    kept = (
        select(Bank.id.label("bank"), *_BANK_COLUMNS, *_nulls(_CARD_COLUMNS))
        .select_from(Bank)
        .outerjoin(
            BankProgress,
            and_(BankProgress.bank_id == Bank.id, BankProgress.user_id == bindparam("user")),
        )
        .where(Bank.id.in_(bank_params))
    )
    return union_all(cards, kept)


def as_card(session: Session, row: Row[Any]) -> Card:
    """The card of a row of :func:`read_candidates` in ``session``, as the ORM would load
    it: the one already there (its unloaded attributes set from the row), or a new
    persistent one, without asking the database again. Only the card chosen is made one."""
    values = {column.name: getattr(row, column.name) for column in _CARD_COLUMNS}
    existing = session.identity_map.get(identity_key(Card, values["id"]))
    if isinstance(existing, Card):
        for key in inspect(existing).unloaded:
            if key in values:
                set_committed_value(existing, key, values[key])
        return existing
    card = Card(**values)
    make_transient_to_detached(card)
    session.add(card)
    return card


@dataclass(frozen=True, slots=True)
class Candidates:
    """What :func:`read_candidates` read for the banks: each bank's kept counts
    (``progress``), its due cards and buried new ones by state (``found``: learning under
    ``LEARNING``, buried new under ``NEW``), the first due learning cards and review cards
    of every bank, and each bank's first new card waiting and the question that lacks
    cards before it (its id)."""

    progress: dict[str, Progress]
    found: dict[tuple[str, int], int]
    learning: list[Row[Any]]
    reviews: list[Row[Any]]
    waiting: dict[str, Row[Any] | None]
    lacking: dict[str, int | None]


def read_candidates(study: Study, bank_ids: list[str]) -> Candidates:
    """The rows of :func:`pick_statement` for ``bank_ids``, in one statement: plain rows,
    the cards among them too (:func:`as_card` makes the one chosen an ORM object)."""
    values: dict[str, Any] = {
        "user": study.user.id,
        "now": study.now,
        "ahead": study.now + LEARN_AHEAD,
        "day_end": study.day.end,
        # No more reviews are shown in a bank in a day than this.
        "reviews_most": study.user.reviews_per_day,
    }
    values.update((f"bank_{n}", bank_id) for n, bank_id in enumerate(bank_ids))
    read = Candidates({}, {}, [], [], {}, {})
    for row in rows(study.session).execute(pick_statement(len(bank_ids)), values):
        bank_id = row.bank
        if row.id is None:  # no card: the bank's own row
            cards, introduced, next_position, day, new_done, reviews_done = row[1:7]
            learning_due, review_due, buried, read.lacking[bank_id] = row[7:11]
            read.progress[bank_id] = (
                Progress(cards or 0)
                if introduced is None
                else Progress(cards, introduced, next_position, day, new_done, reviews_done)
            )
            read.found[bank_id, LEARNING], read.found[bank_id, REVIEW] = learning_due, review_due
            read.found[bank_id, NEW] = buried
            continue
        if row.state == NEW:
            read.waiting[bank_id] = row
        elif row.state == REVIEW:
            read.reviews.append(row)
        else:
            read.learning.append(row)
    for bank_id in read.progress:
        read.waiting.setdefault(bank_id, None)
    return read

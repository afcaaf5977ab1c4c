"""What choosing a learner's next card reads: kept, or found by walks of indexes.

The first cards of each kind that may be shown in each bank asked about (learning and
relearning cards in order, reviews due today, new in bank order), then a row a bank: the
kept counts (``bank_progress``), the due learning and review cards and the buried new ones
counted, and the first question that lacks cards for the learner, before the last new card
found. A bank whose kept row (``services.kept_queue``) holds these as the walks would find
them now is read from it, with the first cards it names, in one statement for all banks
(and its next reviews, when those kept ran out); the others are walked, each part one walk
of an index, in one statement built once for each number of banks, and what was found is
kept.
``services.queue`` decides from these rows (with ``srs.study``) which card comes next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    bindparam,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session

from models.bank import Bank, Question
from models.card import BankProgress, Card, KeptLoad, KeptQueue
from services.context import Study, rows
from services.driver import DriverStatement, Record, loaded
from services.kept_queue import (
    Kept,
    keep,
    made,
    micros,
    moment,
    queue_sizes,
    refilled,
    reviews_run_out,
    usable,
)
from services.load import KEPT_LOAD_COLUMNS, KeptLoadRow
from services.progress import PROGRESS_COLUMNS, Progress, cards_of
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


_LEARNING = (LEARNING, RELEARNING)

# No question of a bank is placed further than this.
_PAST_EVERY_POSITION = 2**31 - 1


def _first_ids(bank: Any, state: int) -> Any:
    """The ids of the first cards of ``bank`` in ``state`` that may be shown, in order: up
    to :data:`~services.kept_queue.QUEUE` learning or review cards, earliest due first
    (reviews due today), or new cards in bank order. One walk of an index of ``cards``
    each."""
    if state == NEW:
        found = select(Card.id).where(IS_NEW).order_by(Card.position, Card.ordinal)
    else:
        found = select(Card.id).where(Card.state == state).order_by(Card.due, Card.id)
        if state == REVIEW:
            found = found.where(Card.due <= bindparam("day_end"))
    found = found.where(Card.user_id == bindparam("user"), Card.bank_id == bank)
    found = found.limit(bindparam("queue"))
    return select(found.where(active(bindparam("now"))).subquery().c.id)


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
# past the last of the new cards found (QUEUE at most, each free and with its question's
# cards made; all there are when fewer): usually none, or the one at the kept position.
# Whether it comes before the first new card is for the queue to see.
_LAST_NEW_POSITION = (
    select(Card.position)
    .where(Card.user_id == bindparam("user"), Card.bank_id == Bank.id, IS_NEW)
    .where(active(bindparam("now")))
    .order_by(Card.position, Card.ordinal)
    .offset(bindparam("queue_last"))
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
        Question.position <= func.coalesce(_LAST_NEW_POSITION, _PAST_EVERY_POSITION),
        cards_of(bindparam("user")) < Question.card_count,
    )
    .order_by(Question.position)
    .limit(1)
    .scalar_subquery()
)


# The columns of a bank's row, each NULL in the rows of cards.
# When the first burial of the bank's cards that has not ended yet ends.
_UNTIL = (
    select(func.min(Card.buried_until))
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id == Bank.id,
        Card.buried_until > bindparam("now"),
    )
    .scalar_subquery()
)

_BANK_COLUMNS = (
    *PROGRESS_COLUMNS,
    _due_count(LEARNING, RELEARNING).label("learning_due"),
    _due_count(REVIEW, most="reviews_most").label("review_due"),
    _BURIED_COUNT.label("buried_new"),
    _LACKING.label("lacking"),
    _UNTIL.label("until"),
)
_CARD_COLUMNS = tuple(Card.__table__.columns)


def _nulls(columns: tuple[Any, ...]) -> list[Any]:
    return [type_coerce(null(), column.type).label(column.name) for column in columns]


_KEPT_COLUMNS = (KeptQueue.stamp, KeptQueue.kept, *PROGRESS_COLUMNS)


@lru_cache(maxsize=64)
def _kept_statement(count: int) -> DriverStatement:
    """The statement of :func:`_read_kept` for so many banks, made once: each bank's kept
    row with the learner's kept counts, then the first learning card, the first review and
    the first new card each row names, each found by id (a path into the kept JSON), then
    the learner's kept load (which the grade buttons' intervals are balanced over)."""
    banks: list[Any] = [bindparam(f"bank_{n}") for n in range(count)]
    # Named apart: kept_queues has a stamp too. NULL in the first two parts, where a NULL
    # of no type would be taken for text on PostgreSQL before the third part is met.
    load_columns: tuple[Any, ...] = tuple(c.label(f"load_{c.name}") for c in KEPT_LOAD_COLUMNS)
    no_load = [cast(null(), column.type).label(column.name) for column in load_columns]
    kept = (
        select(Bank.id.label("bank"), *_KEPT_COLUMNS, *_nulls(_CARD_COLUMNS), *no_load)
        .select_from(Bank)
        .outerjoin(
            KeptQueue, and_(KeptQueue.bank_id == Bank.id, KeptQueue.user_id == bindparam("user"))
        )
        .outerjoin(
            BankProgress,
            and_(BankProgress.bank_id == Bank.id, BankProgress.user_id == bindparam("user")),
        )
        .where(Bank.id.in_(banks))
    )
    paths = (("learning", 0, 1), ("reviews", 0, 1), ("new", 0))
    named = [cast(KeptQueue.kept[path].as_string(), BigInteger) for path in paths]
    heads = (
        select(Card.bank_id.label("bank"), *_nulls(_KEPT_COLUMNS), *_CARD_COLUMNS, *no_load)
        .select_from(KeptQueue)
        .join(Card, Card.id.in_(named))
        .where(KeptQueue.user_id == bindparam("user"), KeptQueue.bank_id.in_(banks))
    )
    load = select(
        type_coerce(null(), Bank.id.type).label("bank"),
        *_nulls(_KEPT_COLUMNS),
        *_nulls(_CARD_COLUMNS),
        *load_columns,
    ).where(KeptLoad.user_id == bindparam("user"))
    return DriverStatement(union_all(kept, heads, load))


_PROGRESS_AT = slice(3, 3 + len(PROGRESS_COLUMNS))


def _read_kept(
    study: Study, bank_ids: list[str]
) -> tuple[dict[str, Kept], dict[int, Record], KeptLoadRow]:
    """Each bank's kept row, with the learner's kept counts in it, the first cards the rows
    name, by id, and the learner's kept load: one statement."""
    kept: dict[str, Kept] = {}
    heads: dict[int, Record] = {}
    load = KeptLoadRow()
    values = {"user": study.user.id} | {f"bank_{n}": bank for n, bank in enumerate(bank_ids)}
    for row in _kept_statement(len(bank_ids)).rows(rows(study.session), values):
        if row.bank is None:
            load = KeptLoadRow.ending(row)
        elif row.id is None:  # no card: the bank's own row
            kept[row.bank] = Kept(row.bank, row.stamp, row.kept, tuple(row[_PROGRESS_AT]))
        else:
            heads[row.id] = row
    return kept, heads, load


@lru_cache(maxsize=64)
def pick_statement(banks: int) -> DriverStatement:
    """The statement of the walks of :func:`read_candidates` for so many banks, made once:
    the first cards of each kind (learning, relearning, review, new) of each bank, then a
    row a bank with its kept counts, its due and buried new cards counted, the first
    question lacking cards and the end of the first burial. Two plain parts, each cheap to
    plan: PostgreSQL plans a statement at every execution, and a join of four aliases of
    ``cards`` took longer to plan than the three statements it replaced took to run."""
    bank_params: list[Any] = [bindparam(f"bank_{n}") for n in range(banks)]
    states = (LEARNING, RELEARNING, REVIEW, NEW)
    firsts = [_first_ids(bank, state) for bank in bank_params for state in states]
    cards = select(Card.bank_id.label("bank"), *_nulls(_BANK_COLUMNS), *_CARD_COLUMNS).where(
        Card.id.in_(union_all(*firsts))
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
    return DriverStatement(union_all(cards, kept))


def as_card(session: Session, row: Record) -> Card:
    """The card of a row of :func:`read_candidates` in ``session``, as the ORM would load
    it (:func:`services.driver.loaded`). Only the card chosen is made one."""
    return loaded(session, Card, row)


@dataclass(frozen=True, slots=True)
class Candidates:
    """What :func:`read_candidates` read for the banks: each bank's kept counts
    (``progress``), its due cards and buried new ones by state (``found``: learning under
    ``LEARNING``, buried new under ``NEW``), the first due learning cards and review cards
    of every bank, each bank's first new card waiting and the first question that lacks
    cards for the learner (its id; it comes first unless placed after the card waiting),
    and the learner's kept load, read with them."""

    progress: dict[str, Progress]
    found: dict[tuple[str, int], int]
    learning: list[Record]
    reviews: list[Record]
    waiting: dict[str, Record | None]
    lacking: dict[str, int | None]
    load: KeptLoadRow  # the learner's kept load as read (services.load)


def _progress(row: Sequence[Any]) -> Progress:
    """The kept counts of a bank from its card count and its ``bank_progress`` columns."""
    cards, introduced, next_position, day, new_done, reviews_done = row
    if introduced is None:
        return Progress(cards or 0)
    return Progress(cards, introduced, next_position, day, new_done, reviews_done)


def read_candidates(study: Study, bank_ids: list[str]) -> Candidates:
    """What choosing the next card among ``bank_ids`` needs: for each bank, from its kept
    row (``services.kept_queue``) when it holds what the walks would find now, read with
    its first cards; for the others, from the walks of :func:`pick_statement`, in
    one statement, then kept. Plain rows, the cards among them too (:func:`as_card` makes
    the one chosen an ORM object)."""
    kept, heads, load = _read_kept(study, bank_ids)
    read = Candidates({}, {}, [], [], {}, {}, load)
    usable_rows = [kept[b] for b in bank_ids if b in kept and usable(kept[b].kept, study)]
    for row in usable_rows:
        if reviews_run_out(row.kept or {}):
            kept[row.bank_id] = _refill(study, row, heads)
    usable_rows = [kept[row.bank_id] for row in usable_rows if kept[row.bank_id].kept is not None]
    walked = {b for b in bank_ids if b in kept} - {row.bank_id for row in usable_rows}
    if usable_rows:
        walked |= _from_kept(study, read, usable_rows, heads)
    if walked:
        _walk(study, read, [b for b in bank_ids if b in walked], kept)
    for bank_id in read.progress:
        read.waiting.setdefault(bank_id, None)
    return read


_NEXT_REVIEWS = DriverStatement(
    select(*_CARD_COLUMNS)
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id == bindparam("bank"),
        Card.state == REVIEW,
        Card.due <= bindparam("day_end"),
        active(bindparam("now")),
        # After the last review kept, by due then id.
        Card.due >= bindparam("past_due"),
        or_(Card.due > bindparam("past_due"), Card.id > bindparam("past_id")),
    )
    .order_by(Card.due, Card.id)
    .limit(bindparam("queue"))
)


def _refill(study: Study, row: Kept, heads: dict[int, Record]) -> Kept:
    """``row``, whose reviews have all been answered while more are due today, with the
    next ones read from where they stopped (one walk of an index, not the walks of every
    kind) and kept; its first card put among ``heads``. Not kept when the row changed since
    it was read: then it is walked (its ``kept`` is ``None``)."""
    past_due, past_id = (row.kept or {})["reviews_past"]
    values = {
        "user": study.user.id,
        "bank": row.bank_id,
        "day_end": study.day.end,
        "now": study.now,
        "past_due": moment(past_due),
        "past_id": past_id,
        **queue_sizes(),
    }
    cards = _NEXT_REVIEWS.rows(rows(study.session), values)
    now_kept = refilled(row.kept or {}, cards)
    if not keep(study.session, study.user.id, row.bank_id, row.stamp, now_kept):
        return Kept(row.bank_id, row.stamp, None, row.progress)
    heads.update((card.id, card) for card in cards[:1])
    return Kept(row.bank_id, (row.stamp or 0) + 1, now_kept, row.progress)


def _from_kept(
    study: Study, read: Candidates, banks: list[Kept], found: dict[int, Record]
) -> set[str]:
    """Fill ``read`` from the kept rows ``banks`` and their first cards (``found``, by id);
    the banks whose first cards are not as kept are left to the walks. (Read in one
    statement with their rows, they are as kept while the triggers see every change: this
    guards against a change they would miss.)"""
    ahead = micros(study.now + LEARN_AHEAD)
    wanted: dict[int, tuple[str, int, tuple[int, ...]]] = {}
    for row in banks:
        kept = row.kept or {}
        if kept["learning"] and kept["learning"][0][0] <= ahead:
            wanted[kept["learning"][0][1]] = (row.bank_id, kept["learning"][0][0], _LEARNING)
        if kept["reviews"]:
            wanted[kept["reviews"][0][1]] = (row.bank_id, kept["reviews"][0][0], (REVIEW,))
        if kept["new"]:
            wanted[kept["new"][0]] = (row.bank_id, -1, (NEW,))
    wrong = set()
    for card_id, (bank_id, due, states) in wanted.items():
        card = found.get(card_id)
        if (
            card is None
            or (card.bank_id, card.user_id) != (bank_id, study.user.id)
            or card.state not in states
            or (due >= 0 and micros(card.due) != due)
            or card.suspended
            or card.retired
            or (card.buried_until is not None and card.buried_until > study.now)
        ):
            wrong.add(bank_id)
    for row in banks:
        if row.bank_id in wrong:
            continue
        bank_id, kept = row.bank_id, row.kept or {}
        read.progress[bank_id] = _progress(row.progress)
        read.found[bank_id, LEARNING] = kept["learning_due"]
        read.found[bank_id, REVIEW] = kept["review_due"]
        read.found[bank_id, NEW] = kept["buried_new"]
        read.lacking[bank_id] = kept["lacking"]
        read.waiting[bank_id] = found.get(kept["new"][0]) if kept["new"] else None
    for card_id, (bank_id, _, states) in wanted.items():
        if bank_id not in wrong and states != (NEW,):
            (read.reviews if states == (REVIEW,) else read.learning).append(found[card_id])
    return wrong


def _walk(study: Study, read: Candidates, bank_ids: list[str], kept: dict[str, Kept]) -> None:
    """Fill ``read`` for ``bank_ids`` from the walks of :func:`pick_statement`, and keep
    what they found for each bank."""
    values: dict[str, Any] = {
        "user": study.user.id,
        "now": study.now,
        "day_end": study.day.end,
        # No more reviews are shown in a bank in a day than this.
        "reviews_most": study.user.reviews_per_day,
        **queue_sizes(),
    }
    values.update((f"bank_{n}", bank_id) for n, bank_id in enumerate(bank_ids))
    ahead = study.now + LEARN_AHEAD
    bank_rows: dict[str, Record] = {}
    learning: dict[str, dict[int, list[Record]]] = {b: {} for b in bank_ids}
    reviews: dict[str, list[Record]] = {b: [] for b in bank_ids}
    new: dict[str, list[Record]] = {b: [] for b in bank_ids}
    for row in pick_statement(len(bank_ids)).rows(rows(study.session), values):
        bank_id = row.bank
        if row.id is None:  # no card: the bank's own row
            bank_rows[bank_id] = row
            read.progress[bank_id] = _progress(row[1:7])
            read.found[bank_id, LEARNING], read.found[bank_id, REVIEW] = row[7:9]
            read.found[bank_id, NEW], read.lacking[bank_id] = row[9:11]
        elif row.state == NEW:
            new[bank_id].append(row)
        elif row.state == REVIEW:
            reviews[bank_id].append(row)
        else:
            learning[bank_id].setdefault(row.state, []).append(row)
    for bank_id, row in bank_rows.items():
        new[bank_id].sort(key=lambda card: (card.position, card.ordinal))
        read.waiting[bank_id] = new[bank_id][0] if new[bank_id] else None
        read.reviews.extend(reviews[bank_id])
        for cards in learning[bank_id].values():
            read.learning.extend(card for card in cards if card.due <= ahead)
        made_now = made(study, row, learning[bank_id], reviews[bank_id], new[bank_id])
        keep(study.session, study.user.id, bank_id, kept[bank_id].stamp, made_now)

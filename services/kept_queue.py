"""What choosing a learner's next card in a bank reads, kept between requests.

``services.candidates`` walks an index of ``cards`` for each kind of card of each bank, and
counts the due ones, to choose the next card. The walks find the same cards request after
request: this module keeps, a row a learner and bank (``kept_queues``,
:class:`models.card.KeptQueue`), the first :data:`QUEUE` learning cards and review cards in
the order they come (due, then id), the first :data:`QUEUE` new cards in bank order and the
first question lacking cards before the last of them, and the counts, for the study day
they were made on.

Kept rows stay true three ways. Triggers on ``cards`` and ``questions`` raise a row's stamp
and clear it on any change but an answer's (migration 0022); an answer updates its bank's
row itself (:func:`answered`), from the card before and after; and what is kept is written
only where the stamp read before making it is still the row's, so a change committed
meanwhile, by another request or process, is never covered over. The passing of time is
checked at reading: the study day, the review limit, and the end of the first burial that
ends within it.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, select, text, update
from sqlalchemy.orm import Session

from models.card import KeptQueue
from services.answer_sql import AnswerCard
from services.context import Study
from services.driver import DriverStatement
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW, Answer

__all__ = [
    "QUEUE",
    "Kept",
    "answered",
    "forget_queues",
    "keep",
    "made",
    "queue_sizes",
    "refilled",
    "reviews_run_out",
    "usable",
]

# Learning, review and new cards kept of each bank, in order: an answer takes the first and
# puts it back further on (a new card among the learning cards); the walks run again when a
# kind's cards kept run out, but for reviews, read on from where those kept stopped.
QUEUE = 6


def queue_sizes() -> dict[str, int]:
    """The parameters of the walks' limits: :data:`QUEUE` cards of a kind, and the offset of
    the last of them."""
    return {"queue": QUEUE, "queue_last": QUEUE - 1}


# What a kept row holds, numbered: a row of another form (kept before a change to this
# module) is walked again, not read.
FORM = 3

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def micros(moment: datetime) -> int:
    """``moment`` as whole microseconds since 1970: exact, and ordered as the datetimes."""
    return (moment - _EPOCH) // _MICROSECOND


def moment(count: int) -> datetime:
    """The moment ``count`` microseconds since 1970 (:func:`micros`) stands for."""
    return _EPOCH + count * _MICROSECOND


@dataclass(frozen=True, slots=True)
class Kept:
    """A bank's row as read: its stamp (``None``: no row yet), what it keeps, and the
    learner's kept counts in the bank (``bank_progress``) with the bank's card count."""

    bank_id: str
    stamp: int | None
    kept: dict[str, Any] | None
    progress: tuple[Any, ...]


def usable(kept: dict[str, Any] | None, study: Study) -> bool:
    """Whether ``kept`` holds what the walks would find now: made on this study day, with
    this review limit, before any burial ended, and with learning and new cards left in
    order. Its reviews may have run out (:func:`reviews_run_out`): the next ones are read
    from where they stopped (``services.candidates``), not walked again."""
    return (
        kept is not None
        and kept.get("form") == FORM
        and kept["made"] <= micros(study.now)  # not by a request of a later moment
        and kept["day_end"] == micros(study.day.end)
        and kept["most"] == study.user.reviews_per_day
        and (kept["until"] is None or micros(study.now) < kept["until"])
        and (bool(kept["learning"]) or not kept["learning_more"])
        and (bool(kept["new"]) or not kept["new_more"])
    )


def _ordered(cards: Iterable[Row[Any]]) -> list[list[int]]:
    return sorted([micros(card.due), card.id] for card in cards)


def _reviews(cards: Iterable[Row[Any]]) -> dict[str, Any]:
    """What is kept of a bank's reviews due by the day's end from the first :data:`QUEUE`
    (all there are, when fewer), in order: each as its due and id, and the last of them
    (``reviews_past``) when there may be more, before which every one is kept."""
    ordered = _ordered(cards)
    more = len(ordered) >= QUEUE
    return {"reviews": ordered, "reviews_more": more, "reviews_past": ordered[-1] if more else None}


def reviews_run_out(kept: dict[str, Any]) -> bool:
    """Whether every review of ``kept`` was answered while more are due today."""
    return not kept["reviews"] and kept["reviews_more"]


def refilled(kept: dict[str, Any], cards: list[Row[Any]]) -> dict[str, Any]:
    """``kept`` with its reviews, run out, replaced by ``cards``: the next reviews due by
    the day's end, from its ``reviews_past`` on."""
    return kept | _reviews(cards)


def made(
    study: Study,
    bank_row: Row[Any],
    learning: dict[int, list[Row[Any]]],
    reviews: list[Row[Any]],
    new: list[Row[Any]],
) -> dict[str, Any]:
    """What is kept of a bank from what the walks found: up to :data:`QUEUE` cards of each
    learning state, of reviews and of new cards in bank order (fewer: all there are), and
    its row (``services.candidates``: counts, the question lacking cards, the first
    burial's end)."""
    both = _ordered([*learning.get(LEARNING, []), *learning.get(RELEARNING, [])])
    learning_more = any(len(learning.get(state, [])) >= QUEUE for state in (LEARNING, RELEARNING))
    most = study.user.reviews_per_day
    return {
        "form": FORM,
        "made": micros(study.now),
        "day_end": micros(study.day.end),
        "most": most,
        "until": None if bank_row.until is None else micros(bank_row.until),
        "learning": both[:QUEUE] if learning_more else both,
        "learning_more": learning_more,
        **_reviews(reviews),
        "new": [card.id for card in new],
        "new_more": len(new) >= QUEUE,
        "lacking": bank_row.lacking,
        "learning_due": bank_row.learning_due,
        "review_due": bank_row.review_due,
        # Counted up to the limit: the count of the cards beyond it is not known.
        "saturated": bank_row.review_due >= most,
        "buried_new": bank_row.buried_new,
    }


_INSERT = DriverStatement(
    text(
        "INSERT INTO kept_queues (user_id, bank_id, stamp) VALUES (:user, :bank, 0)"
        " ON CONFLICT (user_id, bank_id) DO NOTHING"
    )
)
_table = cast("Table", KeptQueue.__table__)
_WRITE = DriverStatement(
    update(_table)
    .where(
        _table.c.user_id == bindparam("user"),
        _table.c.bank_id == bindparam("bank"),
        _table.c.stamp == bindparam("read_stamp"),
    )
    .values(stamp=_table.c.stamp + 1, kept=bindparam("kept", type_=_table.c.kept.type))
)
_FORGET = DriverStatement(
    update(_table)
    .where(_table.c.user_id == bindparam("user"), _table.c.bank_id == bindparam("bank"))
    .values(stamp=_table.c.stamp + 1, kept=None)
)


def keep(session: Session, user_id: int, bank_id: str, stamp: int | None, kept: dict) -> bool:
    """Keep ``kept`` for the bank if its row's stamp is still ``stamp``, read before the
    walks; a bank with no row gets an empty one, kept from the next walks on (a change
    committed before it existed would not have raised its stamp). Whether ``kept`` was
    kept (its row's stamp is now one more than ``stamp``)."""
    values = {"user": user_id, "bank": bank_id}
    if stamp is None:
        _INSERT.written(session.connection(), values)
        return False
    return _WRITE.written(session.connection(), values | {"read_stamp": stamp, "kept": kept}) == 1


def forget_queues(session: Session, user_id: int) -> None:
    """Clear the learner's kept rows: a replay of her log with new parameters may write a
    card as an answer would, which the triggers let pass."""
    forget = update(_table).where(_table.c.user_id == user_id)
    session.connection().execute(forget.values(stamp=_table.c.stamp + 1, kept=None))


_ONE = DriverStatement(
    select(KeptQueue.stamp, KeptQueue.kept).where(
        KeptQueue.user_id == bindparam("user"), KeptQueue.bank_id == bindparam("bank")
    )
)


def answered(study: Study, card: AnswerCard, result: Answer) -> None:
    """Move ``card`` in its bank's kept row as its answer ``result`` moved it (nothing else
    of the card changed: another change clears the row); clear the row when what the
    answer changes is not known from it, or when the row changed since it was read."""
    session, values = study.session, {"user": study.user.id, "bank": card.bank_id}
    if card.queue is None:
        found = _ONE.first(session.connection(), values)
        stamp, kept = (0, None) if found is None else tuple(found)
    else:
        stamp, kept = card.queue
    # Nothing usable read: what a request keeps meanwhile, or a row usable again later (the
    # limit or zone put back), would miss this answer, which the triggers take for one.
    after = None if kept is None or not usable(kept, study) else _after(study, card, result, kept)
    if after is not None and after is kept:
        return  # the answer moves nothing kept
    if after is not None and _WRITE.written(
        session.connection(), values | {"read_stamp": stamp, "kept": after}
    ):
        return
    _FORGET.written(session.connection(), values)


def _is_active(card: AnswerCard, now: datetime) -> bool:
    buried = card.buried_until is not None and card.buried_until > now
    return not (card.suspended or card.retired or buried)


def _place(cards: list[list[int]], more: bool, due: int, card_id: int) -> None:
    """Put the card in order among ``cards``, the first of their kind: past the last of a
    list that does not hold them all, it is among those not kept."""
    if not more or (cards and [due, card_id] < cards[-1]):
        insort(cards, [due, card_id])


def _after(
    study: Study, card: AnswerCard, result: Answer, kept: dict[str, Any]
) -> dict[str, Any] | None:
    """``kept`` with ``card`` moved by its answer; ``kept`` itself when the answer moves
    nothing kept; ``None`` when the answer's changes are not known from it."""
    before, after = card.schedule, result.after
    if result.reviewed_at != study.now:
        return None  # an answer counted on another day
    if not _is_active(card, study.now):
        # Neither kept nor counted, before or after; but a buried new card is counted.
        return None if before.state == NEW else kept
    moved = dict(kept)
    if before.state == NEW:
        moved["new"] = [card_id for card_id in kept["new"] if card_id != card.id]
        if len(moved["new"]) == len(kept["new"]) and not kept["new_more"]:
            return None  # every new card was kept, but not this one: not as the walks found
    end = kept["day_end"]
    due_before = micros(before.due) if before.due is not None else None
    due_after = micros(after.due or before.due or study.now)

    def counted(state: int, due: int | None, states: tuple[int, ...]) -> int:
        return int(state in states and due is not None and due < end)

    moved["learning"] = [entry for entry in kept["learning"] if entry[1] != card.id]
    moved["reviews"] = [entry for entry in kept["reviews"] if entry[1] != card.id]
    if after.state in (LEARNING, RELEARNING):
        _place(moved["learning"], kept["learning_more"], due_after, card.id)
    elif after.state == REVIEW and due_after <= end:
        past = kept["reviews_past"]
        if past is None or [due_after, card.id] < past:
            insort(moved["reviews"], [due_after, card.id])
    learning = (LEARNING, RELEARNING)
    moved["learning_due"] += counted(after.state, due_after, learning) - counted(
        before.state, due_before, learning
    )
    change = counted(after.state, due_after, (REVIEW,)) - counted(
        before.state, due_before, (REVIEW,)
    )
    if kept["saturated"] and change > 0:
        # Counted up to the limit, one more may be past it. (One fewer is shown as the
        # day's answers count it: an answer of today's review.)
        return None
    # A count kept up to the limit goes down with each answer of the day's reviews, some
    # answered past the limit (a quiz's mistakes, any card sent to the API): never below 0.
    moved["review_due"] = max(0, moved["review_due"] + change)
    return moved

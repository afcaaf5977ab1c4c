"""The statements of an answer: the card read, the log insert, the card update, the burial of
its siblings. Core statements built once (their compiled form is cached), so that an answer
costs the rows it writes rather than the ORM's unit of work around them.

``services.answers`` decides what is written; this module only writes it. A card's new
schedule is written in one place, :func:`write_schedule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, bindparam, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from models.bank import Question
from models.card import Card, KeptLoad, KeptQueue, Review
from services.driver import DriverStatement
from services.load import KEPT_LOAD_COLUMNS, KeptLoadRow
from srs.scheduler import NEW, REVIEW, CardState

__all__ = [
    "AnswerCard",
    "bury_cards",
    "buryable",
    "insert_review",
    "kin_rows",
    "read_answer_card",
    "sibling_rows",
    "write_schedule",
]

_cards = cast("Table", Card.__table__)
_reviews = cast("Table", Review.__table__)


@dataclass(frozen=True, slots=True)
class AnswerCard:
    """What an answer reads of a card: its identity, its schedule, and its question's cards."""

    id: int
    user_id: int
    question_id: int
    bank_id: str
    ordinal: int
    suspended: bool
    retired: bool
    schedule: CardState
    ordinals: tuple[int, ...]
    kin: tuple[int, ...] = ()  # the positions of its question's kin (srs.kin) in its bank
    buried_until: datetime | None = None
    # Its bank's kept queue (services.kept_queue) as read with it: the row's stamp and what
    # it keeps ((0, None): no row); None when not read.
    queue: tuple[int, dict[str, Any] | None] | None = None
    # The learner's kept load (services.load) as read with it; None when not read.
    load: KeptLoadRow | None = None

    @property
    def has_siblings(self) -> bool:
        """Whether the card's question makes other cards."""
        return self.ordinals != (self.ordinal,)

    @classmethod
    def of(cls, card: Card, ordinals: list[int], kin: list[int] | None = None) -> AnswerCard:
        """The values of a loaded ``card``, whose question makes the cards ``ordinals`` and
        has its kin at the positions ``kin``."""
        return cls(
            card.id,
            card.user_id,
            card.question_id,
            card.bank_id,
            card.ordinal,
            card.suspended,
            card.retired,
            card.schedule(),
            tuple(ordinals),
            tuple(kin or ()),
            card.buried_until,
        )


_CARD = DriverStatement(
    select(
        _cards.c.id,
        _cards.c.user_id,
        _cards.c.question_id,
        _cards.c.bank_id,
        _cards.c.ordinal,
        _cards.c.suspended,
        _cards.c.retired,
        _cards.c.state,
        _cards.c.step,
        _cards.c.stability,
        _cards.c.difficulty,
        _cards.c.due,
        _cards.c.last_review,
        _cards.c.reps,
        _cards.c.lapses,
        Question.card_ordinals,
        Question.kin,
        _cards.c.buried_until,
        KeptQueue.stamp,
        KeptQueue.kept,
        *KEPT_LOAD_COLUMNS,
    )
    .select_from(
        _cards.join(Question, Question.id == _cards.c.question_id)
        .outerjoin(
            KeptQueue,
            and_(KeptQueue.user_id == _cards.c.user_id, KeptQueue.bank_id == _cards.c.bank_id),
        )
        .outerjoin(KeptLoad, KeptLoad.user_id == _cards.c.user_id)
    )
    .where(_cards.c.id == bindparam("card"), _cards.c.user_id == bindparam("user"))
)


def _answer_card(row: Any) -> AnswerCard:
    (
        card_id,
        user_id,
        question_id,
        bank_id,
        ordinal,
        suspended,
        retired,
        *schedule,
        ordinals,
        kin,
        buried_until,
        stamp,
        kept,
    ) = row[: -len(KEPT_LOAD_COLUMNS)]
    return AnswerCard(
        card_id,
        user_id,
        question_id,
        bank_id,
        ordinal,
        suspended,
        retired,
        CardState(*schedule),
        tuple(ordinals),
        tuple(kin or ()),
        buried_until,
        (stamp or 0, kept),
        KeptLoadRow.ending(row),
    )


def read_answer_card(session: Session, card_id: int, user_id: int) -> AnswerCard | None:
    """``user_id``'s card ``card_id`` with its question's card ordinals, in one read; ``None``
    when the learner has no such card."""
    row = _CARD.first(session.connection(), {"card": card_id, "user": user_id})
    return None if row is None else _answer_card(row)


_SCHEDULE = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")

# Conditional on the review count read: of two answers to one card at once, the second
# changes no row and is run again on the card as the first left it (services.conflict).
# So on whether it was suspended or retired: the kept count of cards introduced changes by
# what the answer makes of the card as it was read, and a suspension in between (which
# leaves the review count) would be counted twice.
_WRITE_SCHEDULE = DriverStatement(
    update(_cards)
    .where(
        _cards.c.id == bindparam("card"),
        _cards.c.reps == bindparam("reps_before"),
        _cards.c.suspended == bindparam("suspended_before"),
        _cards.c.retired == bindparam("retired_before"),
    )
    .values({name: bindparam(f"new_{name}") for name in _SCHEDULE})
)


def write_schedule(session: Session, card: AnswerCard, after: CardState) -> None:
    """Write ``card``'s new schedule, if the card is still as it was read.

    Every answer writes its card here; an ORM ``Card`` of the session takes the new values
    as written, so that it is neither stale nor flushed again.

    Raises:
        StaleDataError: the card changed since it was read (another answer, a reschedule).
    """
    values = {
        "state": after.state,
        "step": after.step,
        "stability": after.stability,
        "difficulty": after.difficulty,
        "due": after.due if after.due is not None else card.schedule.due,
        "last_review": after.last_review,
        "reps": after.reps,
        "lapses": after.lapses,
    }
    written = _WRITE_SCHEDULE.written(
        session.connection(),
        {
            "card": card.id,
            "reps_before": card.schedule.reps,
            "suspended_before": card.suspended,
            "retired_before": card.retired,
        }
        | {f"new_{name}": value for name, value in values.items()},
    )
    if written != 1:
        raise StaleDataError(f"card {card.id} changed while it was answered")
    loaded = session.identity_map.get(identity_key(Card, card.id))
    if loaded is not None:
        for name, value in values.items():
            set_committed_value(loaded, name, value)


_LOGGED = [c for c in _reviews.columns if c.name != "id"]

# A review token already stored makes no row: the answer was a repeat. (The dialects' own
# ``INSERT … ON CONFLICT`` constructs are compiled anew at each execution; this is the SQL
# SQLite and PostgreSQL share, written once.)
_INSERT_REVIEW = DriverStatement(
    text(
        "INSERT INTO reviews"  # noqa: S608 (the text is made of column names)
        f" ({', '.join(c.name for c in _LOGGED)})"
        f" VALUES ({', '.join(':' + c.name for c in _LOGGED)})"
        " ON CONFLICT (user_id, review_token) DO NOTHING RETURNING id"
    )
    .bindparams(*(bindparam(c.name, type_=c.type) for c in _LOGGED))
    .columns(_reviews.c.id)
)


def insert_review(session: Session, values: dict[str, Any]) -> int | None:
    """Log a review; its id, or ``None`` when the learner stored its review token before."""
    found = _INSERT_REVIEW.first(session.connection(), values)
    return None if found is None else int(found.id)


_SIBLINGS = select(
    _cards.c.id, _cards.c.ordinal, _cards.c.state, _cards.c.suspended, _cards.c.buried_until
).where(_cards.c.user_id == bindparam("user"), _cards.c.question_id == bindparam("question"))


def sibling_rows(session: Session, card: AnswerCard) -> dict[int, Row[Any]]:
    """The learner's cards of ``card``'s question (itself included), by ordinal."""
    return {
        row.ordinal: row
        for row in session.connection().execute(
            _SIBLINGS, {"user": card.user_id, "question": card.question_id}
        )
    }


_KIN_CARDS = select(
    _cards.c.id, _cards.c.question_id, _cards.c.state, _cards.c.suspended, _cards.c.buried_until
).where(
    _cards.c.user_id == bindparam("user"),
    _cards.c.bank_id == bindparam("bank"),
    _cards.c.position.in_(bindparam("kin", expanding=True)),
    _cards.c.retired.is_(False),
)
_KIN_QUESTIONS = select(Question.id, Question.card_count).where(
    Question.bank_id == bindparam("bank"),
    Question.position.in_(bindparam("kin", expanding=True)),
    Question.retired.is_(False),
)


def kin_rows(session: Session, card: AnswerCard) -> tuple[list[Row[Any]], dict[int, int]]:
    """The learner's cards of the kin of ``card``'s question, and the number of cards each
    kin question makes, by its id."""
    values = {"user": card.user_id, "bank": card.bank_id, "kin": list(card.kin)}
    connection = session.connection()
    found = list(connection.execute(_KIN_CARDS, values))
    makes = {row.id: row.card_count for row in connection.execute(_KIN_QUESTIONS, values)}
    return found, makes


def buryable(row: Any, until: datetime) -> bool:
    """Whether an answer to a sibling hides the card ``row`` until ``until``."""
    return (
        row.state in (NEW, REVIEW)
        and not row.suspended
        and (row.buried_until is None or row.buried_until < until)
    )


# The same test as :func:`buryable`, so that a card changed since it was read is left alone.
_BURY = (
    update(_cards)
    .where(
        _cards.c.id.in_(bindparam("ids", expanding=True)),
        _cards.c.state.in_((NEW, REVIEW)),
        _cards.c.suspended.is_(False),
        or_(_cards.c.buried_until.is_(None), _cards.c.buried_until < bindparam("until")),
    )
    .values(buried_until=bindparam("until"))
)


def bury_cards(session: Session, ids: list[int], until: datetime) -> None:
    """Hide the cards ``ids`` until ``until``.

    Raises:
        StaleDataError: one of them changed since it was read.
    """
    buried = session.connection().execute(_BURY, {"ids": ids, "until": until})
    if buried.rowcount != len(ids):
        raise StaleDataError("a sibling card changed while its card was answered")
    for card_id in ids:
        loaded = session.identity_map.get(identity_key(Card, card_id))
        if loaded is not None:
            set_committed_value(loaded, "buried_until", until)

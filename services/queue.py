"""What a learner studies next: the cards left today in each bank, and the next card.

The decisions are ``srs``'s (``srs.study`` for the order and limits, ``srs.scheduler`` for the
intervals); this module finds the rows they need with queries written for the indexes on
``cards`` and ``reviews``. Nothing here commits: the caller ends the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    Select,
    bindparam,
    func,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from models.bank import Bank, Question
from models.card import Card
from models.user import LeftBank, User
from services.candidates import BURIED_NEW, IS_NEW, active, as_card, read_candidates
from services.context import Study, rows
from services.load import KeptLoadRow
from services.progress import Progress, add_progress, cards_of, done_on, read_progress
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.study import LEARN_AHEAD, Counts, limits_left, next_kind

__all__ = [
    "add_card",
    "bank_counts",
    "bank_counts_many",
    "cards_ahead",
    "done_today",
    "has_left_banks",
    "learning_comes_back",
    "next_card",
    "next_card_with_load",
    "studied_bank",
    "study_bank_ids",
    "study_banks",
]


def _studied(*columns: Any) -> Select[Any]:
    left = select(LeftBank.bank_id).where(LeftBank.user_id == bindparam("user"))
    return select(*columns).where(Bank.hidden.is_(False), Bank.id.not_in(left)).order_by(Bank.title)


_STUDIED = _studied(Bank)
_STUDIED_IDS = _studied(Bank.id)


def study_banks(session: Session, user: User) -> list[Bank]:
    """The banks ``user`` studies: every bank on the server they have not left, but those an
    admin hid."""
    return list(session.scalars(_STUDIED, {"user": user.id}))


def studied_bank(session: Session, user: User, bank_id: str) -> Bank | None:
    """The bank ``bank_id`` if ``user`` studies it (see :func:`study_banks`), else ``None``."""
    return next((bank for bank in study_banks(session, user) if bank.id == bank_id), None)


def study_bank_ids(session: Session, user: User) -> list[str]:
    """The ids of :func:`study_banks`, in the same order, read without the banks."""
    return list(rows(session).scalars(_STUDIED_IDS, {"user": user.id}))


def has_left_banks(session: Session, user: User) -> bool:
    """Whether ``user`` left any bank still shown on the server."""
    left = select(LeftBank.bank_id).join(Bank, Bank.id == LeftBank.bank_id)
    visible = left.where(LeftBank.user_id == user.id, Bank.hidden.is_(False)).limit(1)
    return session.scalar(visible) is not None


# -- what is left today, and the next card -------------------------------------------------


_DUE_AND_BURIED = union_all(
    select(Card.bank_id, Card.state, func.count())
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id.in_(bindparam("banks", expanding=True)),
        Card.state.in_((LEARNING, REVIEW, RELEARNING)),
        Card.due < bindparam("day_end"),
        active(bindparam("now")),
    )
    .group_by(Card.bank_id, Card.state),
    # New cards buried (siblings of today's answers): not waiting until their burial ends.
    select(Card.bank_id, Card.state, func.count())
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id.in_(bindparam("banks", expanding=True)),
        BURIED_NEW,
        Card.buried_until > bindparam("now"),
        Card.suspended.is_(False),
        Card.retired.is_(False),
    )
    .group_by(Card.bank_id, Card.state),
)


def _later(study: Study, bank_ids: list[str], progress: dict[str, Progress]) -> list[str]:
    """The banks whose kept answers are of a later day than today: the clock went back.
    (Kept answers are otherwise today's, or from an earlier day: none today.)"""
    day = study.day.date
    return [b for b in bank_ids if b in progress and (progress[b].day or day) > day]


def _done(
    study: Study, bank_id: str, kept: Progress, counted: dict[tuple[str, int], int] | None
) -> tuple[int, int]:
    """The new cards introduced and the reviews answered today in ``bank_id``, as the day's
    limits count them: from its kept ``progress``, or ``counted`` in the log (a bank whose
    kept answers are of a later day)."""
    if counted is not None:
        return counted.get((bank_id, NEW), 0), counted.get((bank_id, REVIEW), 0)
    if kept.day == study.day.date:
        return kept.new_done, kept.reviews_done
    return 0, 0


def done_today(study: Study, bank_id: str) -> int:
    """The cards of ``bank_id`` the learner has done today, as the day's limits count them:
    new cards introduced and reviews answered (learning steps are not counted)."""
    progress = read_progress(study.session, study.user.id, [bank_id])
    later = _later(study, [bank_id], progress)
    counted = done_on(study.session, study.user.id, later, study.day) if later else None
    return sum(_done(study, bank_id, progress.get(bank_id, Progress(0)), counted))


def _counts(
    study: Study,
    bank_ids: list[str],
    progress: dict[str, Progress],
    found: dict[tuple[str, int], int] | None = None,
) -> dict[str, Counts]:
    """Each bank's counts from the kept ``progress`` and ``found``, the due cards (learning
    ones under ``LEARNING``) and the buried new ones (under ``NEW``) by bank and state: read
    here when not given."""
    session, user, day = study.session, study.user, study.day
    later = _later(study, bank_ids, progress)
    counted = done_on(session, user.id, later, day) if later else {}
    if found is None:
        found = {}
        for bank_id, state, count in rows(session).execute(
            _DUE_AND_BURIED,
            {"user": user.id, "banks": bank_ids, "now": study.now, "day_end": day.end},
        ):
            key = (bank_id, LEARNING if state == RELEARNING else state)
            found[key] = found.get(key, 0) + count
    counts = {}
    for bank_id in bank_ids:
        kept = progress.get(bank_id, Progress(0))
        new_done, reviews_done = _done(study, bank_id, kept, counted if bank_id in later else None)
        new_left, reviews_left = limits_left(
            user.new_per_day, user.reviews_per_day, new_done, reviews_done
        )
        waiting = max(0, kept.cards - kept.introduced - found.get((bank_id, NEW), 0))
        counts[bank_id] = Counts(
            new=min(new_left, waiting),
            learning=found.get((bank_id, LEARNING), 0),
            review=min(reviews_left, found.get((bank_id, REVIEW), 0)),
        )
    return counts


def bank_counts_many(study: Study, bank_ids: list[str]) -> dict[str, Counts]:
    """Cards left for the learner today in each of ``bank_ids``: new, learning and review.

    Two statements, whatever the number of banks: the kept counts (answers today, cards
    introduced) with the banks' card counts, then the due and the buried new cards.
    """
    if not bank_ids:
        return {}
    progress = read_progress(study.session, study.user.id, bank_ids)
    return _counts(study, bank_ids, progress)


def bank_counts(study: Study, bank_id: str) -> Counts:
    """Cards of ``bank_id`` left for the learner today: new, learning and review."""
    return bank_counts_many(study, [bank_id])[bank_id]


def learning_comes_back(study: Study, bank_ids: list[str]) -> dict[str, datetime]:
    """When each bank's first learning card left today is due (banks with none are left
    out): a bank whose cards are all done but these is done *for now*, not for today."""
    if not bank_ids:
        return {}
    found = study.session.execute(
        select(Card.bank_id, func.min(Card.due))
        .where(
            Card.user_id == study.user.id,
            Card.bank_id.in_(bank_ids),
            Card.state.in_((LEARNING, RELEARNING)),
            Card.due < study.day.end,
            active(study.now),
        )
        .group_by(Card.bank_id)
    )
    return {bank_id: due for bank_id, due in found}


def _due(
    study: Study, bank_ids: list[str], states: tuple[int, ...], before: datetime, limit: int
) -> list[Card]:
    """Up to ``limit`` active cards in ``states`` due by ``before``, earliest first."""
    return list(
        study.session.scalars(
            select(Card)
            .where(
                Card.user_id == study.user.id,
                Card.bank_id.in_(bank_ids),
                Card.due <= before,
                Card.state.in_(states),
                active(study.now),
            )
            .order_by(Card.due, Card.id)
            .limit(limit)
        )
    )


def add_card(
    session: Session, user_id: int, question: Question, ordinal: int, due: datetime
) -> Card:
    """A card never studied, made when it is first needed."""
    card = Card(
        user_id=user_id,
        question_id=question.id,
        bank_id=question.bank_id,
        ordinal=ordinal,
        position=question.position,
        state=NEW,
        due=due,
    )
    session.add(card)
    return card


_FIRST_NEW = (
    select(Card)
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id == bindparam("bank"),
        IS_NEW,
        active(bindparam("now")),
        Card.position > bindparam("after"),
    )
    .order_by(Card.position, Card.ordinal)
    .limit(1)
)
_FIRST_LACKING = (
    select(Question)
    .where(
        Question.bank_id == bindparam("bank"),
        Question.retired.is_(False),
        Question.position >= bindparam("start"),
        cards_of(bindparam("user")) < Question.card_count,
    )
    .order_by(Question.position)
    .limit(1)
)
_FIRST_LACKING_BEFORE = _FIRST_LACKING.where(Question.position <= bindparam("until"))


def _new_card(study: Study, bank_id: str, next_position: int, after: int = -1) -> Card | None:
    """The next new card of ``bank_id`` in bank order (of the questions placed after
    ``after``), its question's cards made if missing.

    Two candidates, the earlier in bank order wins: the first new card that exists and is
    free (one walk of ``ix_cards_new_position``), and the first question from the kept
    ``next_position`` on that lacks a card for the learner.
    """
    session, user, now = study.session, study.user, study.now
    start = max(next_position, after + 1)
    values = {"user": user.id, "bank": bank_id, "now": now, "start": start, "after": after}
    waiting = session.scalar(_FIRST_NEW, values)
    if waiting is None:
        question = session.scalar(_FIRST_LACKING, values)
    elif waiting.position < next_position:  # every question before it has its cards
        return waiting
    else:
        question = session.scalar(_FIRST_LACKING_BEFORE, values | {"until": waiting.position})
    if question is None:
        return waiting
    return _make_cards(study, question, start == next_position)


def _make_cards(study: Study, question: Question, placed: bool) -> Card | None:
    """The first free new card of ``question``, its missing cards made for the learner.

    Args:
        placed: every question before this one has its cards: the kept position moves on.
    """
    session, user, now = study.session, study.user, study.now
    cards = {
        card.ordinal: card
        for card in session.scalars(
            select(Card).where(Card.user_id == user.id, Card.question_id == question.id)
        )
    }
    chosen = None
    for ordinal in question.card_ordinals:
        card = cards.get(ordinal)
        if card is None:
            card = add_card(session, user.id, question, ordinal, now)
        elif (
            card.state != NEW
            or card.suspended
            or card.retired
            or (card.buried_until is not None and card.buried_until > now)
        ):
            continue
        chosen = chosen or card
    session.flush()
    if placed:
        # Every question before this one had all its cards, and now this one has them too.
        add_progress(session, user.id, question.bank_id, next_position=question.position + 1)
    return chosen


def _new_cards(
    study: Study, bank_id: str, limit: int, skip: set[int], hidden: set[int]
) -> list[Card]:
    """The next ``limit`` new cards of ``bank_id`` in bank order, one a question, made if
    they do not exist yet, leaving out the questions whose ids are in ``skip`` and those at
    the positions ``hidden``."""
    next_position = read_progress(study.session, study.user.id, [bank_id])[bank_id].next_position
    found: list[Card] = []
    after = -1
    while len(found) < limit:
        card = _new_card(study, bank_id, next_position, after)
        if card is None:
            break
        after = card.position
        if card.question_id not in skip and card.position not in hidden:
            found.append(card)
    return found


@dataclass(frozen=True, slots=True)
class _Picked:
    """The counts, the first due learning card and the first review card within the
    limits, and each bank's first new card (or the question that lacks one): rows."""

    counts: dict[str, Counts]
    learning: Row[Any] | None
    review: Row[Any] | None
    waiting: dict[str, Row[Any] | None]
    lacking: dict[str, int | None]
    load: KeptLoadRow


def _pick(study: Study, bank_ids: list[str]) -> _Picked:
    read = read_candidates(study, bank_ids)
    counts = _counts(study, bank_ids, read.progress, read.found)

    def earliest(cards: list[Row[Any]]) -> Row[Any] | None:
        return min(cards, key=lambda card: (card.due, card.id), default=None)

    return _Picked(
        counts=counts,
        learning=earliest(read.learning),
        review=earliest([card for card in read.reviews if counts[card.bank_id].review]),
        waiting=read.waiting,
        lacking=read.lacking,
        load=read.load,
    )


def next_card(
    study: Study, bank_ids: list[str], *, again: bool = True
) -> tuple[Card | None, dict[str, Counts]]:
    """The card the learner should see next among ``bank_ids``, and each bank's counts.

    Learning cards due now come first, then reviews due today, then new cards, each kind
    within its bank's daily limits; banks are taken in the order given. One statement
    reads all it needs (``services.candidates``); a new card whose question lacks cards
    for the learner makes them, which writes.

    Args:
        again: look a second time when the card chosen is gone by the time it is read.
    """
    card, counts, _ = next_card_with_load(study, bank_ids, again=again)
    return card, counts


def next_card_with_load(
    study: Study, bank_ids: list[str], *, again: bool = True
) -> tuple[Card | None, dict[str, Counts], KeptLoadRow | None]:
    """:func:`next_card`, and the learner's kept load as its statement read it, for the
    intervals of the card's grade buttons (``services.load.DueLoad``): the cards a choice
    may make are new, which do not move the load."""
    if not bank_ids:
        return None, {}, None
    picked = _pick(study, bank_ids)
    counts = picked.counts
    new_banks = [b for b in bank_ids if counts.get(b, Counts()).new]
    kind = next_kind(
        learning_due=picked.learning.due if picked.learning else None,
        review_due=picked.review is not None,
        new_available=bool(new_banks),
        now=study.now,
    )
    chosen = {"learning": picked.learning, "review": picked.review}.get(kind or "")
    if chosen is not None:
        return as_card(study.session, chosen), counts, picked.load
    if kind == "new":
        for bank_id in new_banks:
            lacking, waiting = picked.lacking[bank_id], picked.waiting[bank_id]
            question = None if lacking is None else study.session.get_one(Question, lacking)
            if question is None or (waiting is not None and waiting.position < question.position):
                card = None if waiting is None else as_card(study.session, waiting)
            else:
                # The first question lacking cards from the kept position on: the position
                # moves past it.
                card = _make_cards(study, question, placed=True)
            if card is not None:
                return card, counts, picked.load
    if kind is not None and again:
        # Another request of the learner (a second device) made or answered the card chosen
        # between the statement that chose it and the writes; a second look sees that.
        return next_card_with_load(study, bank_ids, again=False)
    return None, counts, picked.load


def cards_ahead(
    study: Study, bank_ids: list[str], after: Card, count: int, counts: dict[str, Counts]
) -> list[Card]:
    """Up to ``count`` cards that would follow ``after`` if it and each before were answered.

    For a client that keeps a few cards in hand against a lost connection. The order is
    :func:`next_card`'s (learning cards due, reviews, new cards, learning cards due soon);
    each bank's limits left today (``counts``, as :func:`next_card` returned them with
    ``after``) count ``after`` and the cards before; and no two cards share a question,
    nor any shares ``after``'s, since an answer buries its siblings; nor is a new card kin
    (:mod:`srs.kin`) of ``after`` or of a new card before it, whose answer buries those too.
    """
    new_left = {bank_id: counts[bank_id].new for bank_id in bank_ids}
    reviews_left = {bank_id: counts[bank_id].review for bank_id in bank_ids}
    if after.bank_id in counts:
        if after.state == NEW:
            new_left[after.bank_id] -= 1
        elif after.state == REVIEW:
            reviews_left[after.bank_id] -= 1
    questions = {after.question_id}
    hidden = _kin(after)  # (bank, position) of the kin of the new cards taken
    found: list[Card] = []

    def take(cards: list[Card], left: dict[str, int] | None = None) -> None:
        for card in cards:
            if len(found) == count:
                return
            if card.question_id in questions or card.id == after.id:
                continue
            if card.state == NEW and (card.bank_id, card.position) in hidden:
                continue
            if left is not None:
                if left[card.bank_id] <= 0:
                    continue
                left[card.bank_id] -= 1
            questions.add(card.question_id)
            hidden.update(_kin(card))
            found.append(card)

    # Twice as many as wanted, and one more: some share a question with a card taken.
    wanted = 2 * count + 1
    now = study.now
    learning = _due(study, bank_ids, (LEARNING, RELEARNING), now + LEARN_AHEAD, wanted)
    take([card for card in learning if card.due <= now])
    review_banks = [bank_id for bank_id in bank_ids if reviews_left[bank_id] > 0]
    if review_banks and len(found) < count:
        take(_due(study, review_banks, (REVIEW,), study.day.end, wanted), reviews_left)
    for bank_id in bank_ids:
        if len(found) < count and new_left[bank_id] > 0:
            limit = min(new_left[bank_id], count - len(found))
            near = {position for bank, position in hidden if bank == bank_id}
            take(_new_cards(study, bank_id, limit, questions, near), new_left)
    take([card for card in learning if card.due > now])
    return found


def _kin(card: Card) -> set[tuple[str, int]]:
    """Where the kin of ``card``'s question stand, (bank, position), if its answer buries
    them: only a new card's does (``services.answers``)."""
    if card.state != NEW:
        return set()
    return {(card.bank_id, position) for position in card.question.kin or ()}

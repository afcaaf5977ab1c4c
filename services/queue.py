"""A learner's study, against the database: what is due, the next card, answers and undo.

The decisions are ``srs``'s (``srs.study`` for the order and limits, ``srs.scheduler`` for the
intervals); this module finds the rows they need with queries written for the indexes on
``cards`` and ``reviews``, and writes the results. Nothing here commits: one answer is one
transaction, and the caller ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    inspect,
    literal_column,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, object_session
from sqlalchemy.sql.elements import TextClause

from models.bank import Bank, Question, Section
from models.card import BankProgress, Card, Review
from models.types import now_utc
from models.user import LeftBank, User
from services.stats import SETTLED, forget_review_days
from srs.numbers import parse_whole_number
from srs.scheduler import (
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    CardState,
    Rating,
    answer_card,
    retrievabilities,
)
from srs.study import LEARN_AHEAD, Counts, StudyDay, limits_left, next_kind, study_day

__all__ = [
    "Answered",
    "answer",
    "bank_counts",
    "bank_counts_many",
    "bury",
    "cards_ahead",
    "next_card",
    "recount",
    "refresh_bank_progress",
    "set_suspended",
    "siblings",
    "study_bank_ids",
    "study_banks",
    "today",
    "undo_last",
]


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer as stored: the log row, and whether it was a repeat of an earlier send."""

    review: Review
    repeated: bool


def today(user: User, now: datetime) -> StudyDay:
    return study_day(now, user.timezone, user.rollover_hour)


def _studied(*columns: Any) -> Select[Any]:
    left = select(LeftBank.bank_id).where(LeftBank.user_id == bindparam("user"))
    return select(*columns).where(Bank.hidden.is_(False), Bank.id.not_in(left)).order_by(Bank.title)


def _rows(session: Session) -> Connection:
    """The session's connection, its pending changes written: for reads that need rows, not
    objects (the ORM's handling of each statement costs more than SQLite's)."""
    if session.autoflush:
        session.flush()
    return session.connection()


_STUDIED = _studied(Bank)
_STUDIED_IDS = _studied(Bank.id)


def study_banks(session: Session, user: User) -> list[Bank]:
    """The banks ``user`` studies: every bank on the server they have not left, but those an
    admin hid."""
    return list(session.scalars(_STUDIED, {"user": user.id}))


def study_bank_ids(session: Session, user: User) -> list[str]:
    """The ids of :func:`study_banks`, in the same order, read without the banks."""
    return list(_rows(session).scalars(_STUDIED_IDS, {"user": user.id}))


def _active(now: Any) -> ColumnElement[bool]:
    return and_(
        Card.suspended.is_(False),
        Card.retired.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


# Written as literals, not parameters, so that the partial indexes are seen to match.
_IS_NEW = Card.state == literal_column(str(NEW))
_BURIED_NEW = and_(_IS_NEW, Card.buried_until.is_not(None))


def _taken(state: int, suspended: bool, retired: bool) -> int:
    """1 if a card counts in ``BankProgress.introduced``: kept from the new ones waiting."""
    return int(not retired and (state != NEW or suspended))


# -- the kept counts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Progress:
    """A bank's card count and the learner's kept counts in it (zeros before any)."""

    cards: int
    introduced: int = 0
    next_position: int = 0
    day: date | None = None
    new_done: int = 0
    reviews_done: int = 0


_PROGRESS = (
    select(
        Bank.id,
        Bank.card_count,
        BankProgress.introduced,
        BankProgress.next_position,
        BankProgress.day,
        BankProgress.new_done,
        BankProgress.reviews_done,
    )
    .outerjoin(
        BankProgress,
        and_(BankProgress.bank_id == Bank.id, BankProgress.user_id == bindparam("user")),
    )
    .where(Bank.id.in_(bindparam("banks", expanding=True)))
)


def _progress(session: Session, user_id: int, bank_ids: list[str]) -> dict[str, _Progress]:
    found = {}
    rows = _rows(session).execute(_PROGRESS, {"user": user_id, "banks": bank_ids})
    for bank_id, cards, *kept in rows:
        found[bank_id] = _Progress(cards or 0) if kept[0] is None else _Progress(cards, *kept)
    return found


def _upsert(session: Session) -> Any:
    """``INSERT … ON CONFLICT`` into ``bank_progress`` in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(BankProgress)
    return sqlite.insert(BankProgress)


@lru_cache(maxsize=8)
def _keep_statement(answered: bool, placed: bool) -> TextClause:
    """The upsert of :func:`_keep` for one kind of change, in the SQL that SQLite and
    PostgreSQL share (written out: the dialects' own upsert constructs are compiled anew
    at every execution)."""
    changes = ["introduced = bank_progress.introduced + :introduced"]
    if answered:
        later = "bank_progress.day IS NULL OR bank_progress.day < :day"
        for column, param in (("new_done", "new"), ("reviews_done", "review")):
            changes.append(
                f"{column} = CASE WHEN bank_progress.day = :day THEN bank_progress.{column} + "
                f":{param} WHEN {later} THEN :{param} ELSE bank_progress.{column} END"
            )
        changes.append(f"day = CASE WHEN {later} THEN :day ELSE bank_progress.day END")
    if placed:
        changes.append("next_position = :position")
    return text(
        "INSERT INTO bank_progress"  # noqa: S608 (the text is made of constants)
        " (user_id, bank_id, introduced, next_position, day, new_done, reviews_done)"
        " VALUES (:user, :bank, :introduced, :position, :day, :new, :review)"
        " ON CONFLICT (user_id, bank_id) DO UPDATE SET " + ", ".join(changes)
    ).bindparams(bindparam("day", type_=Date()))


def _keep(
    session: Session, user_id: int, bank_id: str, *, introduced: int = 0,
    day: date | None = None, new: int = 0, review: int = 0, next_position: int | None = None,
) -> None:  # fmt: skip
    """Add to a learner's kept counts in a bank, making the row if it is the first.

    ``new`` and ``review`` count answers on study day ``day``: a later day starts the
    counts again, an earlier one (a clock set back) leaves them as they are.
    """
    session.connection().execute(
        _keep_statement(day is not None, next_position is not None),
        {
            "user": user_id,
            "bank": bank_id,
            "introduced": introduced,
            "position": next_position or 0,
            "day": day,
            "new": new,
            "review": review,
        },
    )


def _done_on(
    session: Session, user_id: int, bank_ids: list[str], day: StudyDay
) -> dict[tuple[str, int], int]:
    """Answers on ``day`` per bank to cards that were new and that were in review, counted."""
    return {
        (bank_id, state): count
        for bank_id, state, count in session.execute(
            select(Review.bank_id, Review.state_before, func.count())
            .where(
                Review.user_id == user_id,
                Review.reviewed_at >= day.start,
                Review.reviewed_at < day.end,
                Review.bank_id.in_(bank_ids),
                Review.state_before.in_((NEW, REVIEW)),
            )
            .group_by(Review.bank_id, Review.state_before)
        )
    }


def _refresh(session: Session, which: ColumnElement[bool]) -> None:
    """``introduced`` and ``next_position`` of the ``which`` progress rows, counted afresh."""
    kept = BankProgress.__table__.c
    introduced = (
        select(func.count())
        .select_from(Card)
        .where(
            Card.user_id == kept.user_id,
            Card.bank_id == kept.bank_id,
            Card.retired.is_(False),
            or_(Card.state != NEW, Card.suspended.is_(True)),
        )
        .scalar_subquery()
    )
    lacking = (
        select(func.min(Question.position))
        .where(
            Question.bank_id == kept.bank_id,
            Question.retired.is_(False),
            _cards_of(kept.user_id) < Question.card_count,
        )
        .scalar_subquery()
    )
    end = (
        select(func.coalesce(func.max(Question.position) + 1, 0))
        .where(Question.bank_id == kept.bank_id, Question.retired.is_(False))
        .scalar_subquery()
    )
    session.execute(
        update(BankProgress)
        .where(which)
        .values(introduced=introduced, next_position=func.coalesce(lacking, end))
    )


def _cards_of(user_id: Any) -> Any:
    """How many cards, not retired, ``user_id`` has of the question in the enclosing query."""
    return (
        select(func.count())
        .select_from(Card)
        .where(Card.user_id == user_id, Card.question_id == Question.id, Card.retired.is_(False))
        .correlate_except(Card)
        .scalar_subquery()
    )


def refresh_bank_progress(session: Session, bank_id: str) -> None:
    """Count every learner's progress in ``bank_id`` afresh, after an import changed its
    questions, their cards or their order."""
    _refresh(session, BankProgress.bank_id == bank_id)


def recount(session: Session, user: User, now: datetime) -> None:
    """Count ``user``'s progress in every bank afresh: after their study day moved (a new
    time zone or rollover hour), or anything else that changed many cards at once."""
    pairs = select(Card.user_id, Card.bank_id).where(Card.user_id == user.id).distinct()
    session.execute(
        _upsert(session)
        .from_select(["user_id", "bank_id"], pairs)
        .on_conflict_do_nothing(index_elements=["user_id", "bank_id"])
    )
    _refresh(session, BankProgress.user_id == user.id)
    # The day kept is today, or the day of the newest answer if the clock went back since.
    day = today(user, now)
    newest = session.scalar(select(func.max(Review.reviewed_at)).where(Review.user_id == user.id))
    if newest is not None and today(user, newest).date > day.date:
        day = today(user, newest)
    banks = list(
        session.scalars(select(BankProgress.bank_id).where(BankProgress.user_id == user.id))
    )
    done = _done_on(session, user.id, banks, day)
    for bank_id in banks:
        session.execute(
            update(BankProgress)
            .where(BankProgress.user_id == user.id, BankProgress.bank_id == bank_id)
            .values(
                day=day.date,
                new_done=done.get((bank_id, NEW), 0),
                reviews_done=done.get((bank_id, REVIEW), 0),
            )
        )


# -- what is left today, and the next card -------------------------------------------------


_DUE_AND_BURIED = union_all(
    select(Card.bank_id, Card.state, func.count())
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id.in_(bindparam("banks", expanding=True)),
        Card.state.in_((LEARNING, REVIEW, RELEARNING)),
        Card.due < bindparam("day_end"),
        _active(bindparam("now")),
    )
    .group_by(Card.bank_id, Card.state),
    # New cards buried (siblings of today's answers): not waiting until their burial ends.
    select(Card.bank_id, Card.state, func.count())
    .where(
        Card.user_id == bindparam("user"),
        Card.bank_id.in_(bindparam("banks", expanding=True)),
        _BURIED_NEW,
        Card.buried_until > bindparam("now"),
        Card.suspended.is_(False),
        Card.retired.is_(False),
    )
    .group_by(Card.bank_id, Card.state),
)


def _counts(
    session: Session, user: User, bank_ids: list[str], now: datetime, day: StudyDay,
    progress: dict[str, _Progress],
) -> dict[str, Counts]:  # fmt: skip
    # The kept answers are today's, or from an earlier day (none today), or, if the clock
    # went back, from a later day: then today's are counted.
    later = [b for b in bank_ids if b in progress and (progress[b].day or day.date) > day.date]
    counted = _done_on(session, user.id, later, day) if later else {}
    found = {
        (bank_id, state): count
        for bank_id, state, count in _rows(session).execute(
            _DUE_AND_BURIED,
            {"user": user.id, "banks": bank_ids, "now": now, "day_end": day.end},
        )
    }
    counts = {}
    for bank_id in bank_ids:
        kept = progress.get(bank_id, _Progress(0))
        if bank_id in later:
            new_done, reviews_done = (
                counted.get((bank_id, NEW), 0),
                counted.get((bank_id, REVIEW), 0),
            )
        elif kept.day == day.date:
            new_done, reviews_done = kept.new_done, kept.reviews_done
        else:
            new_done = reviews_done = 0
        new_left, reviews_left = limits_left(
            user.new_per_day, user.reviews_per_day, new_done, reviews_done
        )
        waiting = max(0, kept.cards - kept.introduced - found.get((bank_id, NEW), 0))
        counts[bank_id] = Counts(
            new=min(new_left, waiting),
            learning=found.get((bank_id, LEARNING), 0) + found.get((bank_id, RELEARNING), 0),
            review=min(reviews_left, found.get((bank_id, REVIEW), 0)),
        )
    return counts


def bank_counts_many(
    session: Session, user: User, bank_ids: list[str], now: datetime
) -> dict[str, Counts]:
    """Cards left for ``user`` today in each of ``bank_ids``: new, learning and review.

    Two statements, whatever the number of banks: the kept counts (answers today, cards
    introduced) with the banks' card counts, then the due and the buried new cards.
    """
    if not bank_ids:
        return {}
    progress = _progress(session, user.id, bank_ids)
    return _counts(session, user, bank_ids, now, today(user, now), progress)


def bank_counts(session: Session, user: User, bank_id: str, now: datetime) -> Counts:
    """Cards of ``bank_id`` left for ``user`` today: new, learning and review."""
    return bank_counts_many(session, user, [bank_id], now)[bank_id]


@lru_cache(maxsize=64)
def _first_due_statement(banks: int, review_banks: int) -> Select[tuple[Card]]:
    """The statement of :func:`_first_due` for so many banks, made once."""

    def first(bank: str, state: int, before: str) -> Any:
        return (
            select(Card.id)
            .where(
                Card.user_id == bindparam("user"),
                Card.bank_id == bindparam(bank),
                Card.state == state,
                Card.due <= bindparam(before),
                _active(bindparam("now")),
            )
            .order_by(Card.due, Card.id)
            .limit(1)
            .scalar_subquery()
        )

    # Each bank's firsts, not the earliest of them: SQLite takes far longer to sort a few
    # rows in a subquery than the ORM takes to load them.
    states = (LEARNING, RELEARNING)
    firsts = [first(f"bank_{n}", state, "ahead") for n in range(banks) for state in states]
    firsts += [first(f"review_bank_{n}", REVIEW, "day_end") for n in range(review_banks)]
    return select(Card).where(Card.id.in_(firsts))


def _first_due(
    session: Session, user: User, bank_ids: list[str], review_banks: list[str],
    now: datetime, day: StudyDay,
) -> tuple[Card | None, Card | None]:  # fmt: skip
    """The learning card due first (within :data:`LEARN_AHEAD`) and the review card due
    first today, in one statement: each bank's first of each state is one index walk."""
    values: dict[str, Any] = {
        "user": user.id,
        "now": now,
        "ahead": now + LEARN_AHEAD,
        "day_end": day.end,
    }
    values.update((f"bank_{n}", bank_id) for n, bank_id in enumerate(bank_ids))
    values.update((f"review_bank_{n}", bank_id) for n, bank_id in enumerate(review_banks))
    statement = _first_due_statement(len(bank_ids), len(review_banks))
    cards = sorted(session.scalars(statement, values), key=lambda card: (card.due, card.id))
    learning = next((c for c in cards if c.state in (LEARNING, RELEARNING)), None)
    return learning, next((c for c in cards if c.state == REVIEW), None)


def _due(
    session: Session, user: User, bank_ids: list[str], states: tuple[int, ...], before: datetime,
    now: datetime, limit: int,
) -> list[Card]:  # fmt: skip
    """Up to ``limit`` active cards in ``states`` due by ``before``, earliest first."""
    return list(
        session.scalars(
            select(Card)
            .where(
                Card.user_id == user.id,
                Card.bank_id.in_(bank_ids),
                Card.due <= before,
                Card.state.in_(states),
                _active(now),
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
        _IS_NEW,
        _active(bindparam("now")),
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
        _cards_of(bindparam("user")) < Question.card_count,
    )
    .order_by(Question.position)
    .limit(1)
)
_FIRST_LACKING_BEFORE = _FIRST_LACKING.where(Question.position <= bindparam("until"))


def _new_card(
    session: Session, user: User, bank_id: str, next_position: int, now: datetime,
    after: int = -1,
) -> Card | None:  # fmt: skip
    """The next new card of ``bank_id`` in bank order (of the questions placed after
    ``after``), its question's cards made if missing.

    Two candidates, the earlier in bank order wins: the first new card that exists and is
    free (one walk of ``ix_cards_new_position``), and the first question from the kept
    ``next_position`` on that lacks a card for the learner.
    """
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
    if start == next_position:
        # Every question before this one had all its cards, and now this one has them too.
        _keep(session, user.id, bank_id, next_position=question.position + 1)
    return chosen


def _new_cards(
    session: Session, user: User, bank_id: str, now: datetime, limit: int, skip: set[int]
) -> list[Card]:
    """The next ``limit`` new cards of ``bank_id`` in bank order, one a question, made if
    they do not exist yet, leaving out the questions whose ids are in ``skip``."""
    next_position = _progress(session, user.id, [bank_id])[bank_id].next_position
    found: list[Card] = []
    after = -1
    while len(found) < limit:
        card = _new_card(session, user, bank_id, next_position, now, after)
        if card is None:
            break
        after = card.position
        if card.question_id not in skip:
            found.append(card)
    return found


def next_card(
    session: Session, user: User, bank_ids: list[str], now: datetime, *, again: bool = True
) -> tuple[Card | None, dict[str, Counts]]:
    """The card ``user`` should see next among ``bank_ids``, and each bank's counts.

    Learning cards due now come first, then reviews due today, then new cards, each kind
    within its bank's daily limits; banks are taken in the order given.

    Args:
        again: look a second time when the card chosen is gone by the time it is read.
    """
    if not bank_ids:
        return None, {}
    day = today(user, now)
    progress = _progress(session, user.id, bank_ids)
    counts = _counts(session, user, bank_ids, now, day, progress)
    review_banks = [b for b in bank_ids if counts[b].review]
    new_banks = [b for b in bank_ids if counts[b].new]
    learning, review = _first_due(session, user, bank_ids, review_banks, now, day)
    kind = next_kind(
        learning_due=learning.due if learning else None,
        review_due=review is not None,
        new_available=bool(new_banks),
        now=now,
    )
    if kind == "learning":
        return learning, counts
    if kind == "review":
        return review, counts
    if kind == "new":
        for bank_id in new_banks:
            card = _new_card(session, user, bank_id, progress[bank_id].next_position, now)
            if card is not None:
                return card, counts
    if kind is not None and again:
        # Another request of the learner (a second device) answered the card chosen
        # between the queries that chose it and read it; a second look sees that answer.
        return next_card(session, user, bank_ids, now, again=False)
    return None, counts


def cards_ahead(
    session: Session, user: User, bank_ids: list[str], now: datetime, after: Card, count: int,
    counts: dict[str, Counts],
) -> list[Card]:  # fmt: skip
    """Up to ``count`` cards that would follow ``after`` if it and each before were answered.

    For a client that keeps a few cards in hand against a lost connection. The order is
    :func:`next_card`'s (learning cards due, reviews, new cards, learning cards due soon);
    each bank's limits left today (``counts``, as :func:`next_card` returned them with
    ``after``) count ``after`` and the cards before; and no two cards share a question,
    nor any shares ``after``'s, since an answer buries its siblings.
    """
    new_left = {bank_id: counts[bank_id].new for bank_id in bank_ids}
    reviews_left = {bank_id: counts[bank_id].review for bank_id in bank_ids}
    if after.bank_id in counts:
        if after.state == NEW:
            new_left[after.bank_id] -= 1
        elif after.state == REVIEW:
            reviews_left[after.bank_id] -= 1
    questions = {after.question_id}
    found: list[Card] = []

    def take(cards: list[Card], left: dict[str, int] | None = None) -> None:
        for card in cards:
            if len(found) == count:
                return
            if card.question_id in questions or card.id == after.id:
                continue
            if left is not None:
                if left[card.bank_id] <= 0:
                    continue
                left[card.bank_id] -= 1
            questions.add(card.question_id)
            found.append(card)

    # Twice as many as wanted, and one more: some share a question with a card taken.
    wanted = 2 * count + 1
    learning = _due(session, user, bank_ids, (LEARNING, RELEARNING), now + LEARN_AHEAD, now, wanted)
    take([card for card in learning if card.due <= now])
    review_banks = [bank_id for bank_id in bank_ids if reviews_left[bank_id] > 0]
    if review_banks and len(found) < count:
        end = today(user, now).end
        take(_due(session, user, review_banks, (REVIEW,), end, now, wanted), reviews_left)
    for bank_id in bank_ids:
        if len(found) < count and new_left[bank_id] > 0:
            limit = min(new_left[bank_id], count - len(found))
            take(_new_cards(session, user, bank_id, now, limit, questions), new_left)
    take([card for card in learning if card.due > now])
    return found


def siblings(session: Session, card: Card) -> list[Card]:
    """The other cards of ``card``'s question for the same learner, created if missing."""
    question = card.question
    existing = {
        sibling.ordinal: sibling
        for sibling in session.scalars(
            select(Card).where(Card.user_id == card.user_id, Card.question_id == card.question_id)
        )
    }
    found = []
    for ordinal in question.card_ordinals:
        if ordinal == card.ordinal:
            continue
        sibling = existing.get(ordinal)
        if sibling is None:
            sibling = add_card(session, card.user_id, question, ordinal, card.due)
        found.append(sibling)
    session.flush()
    return found


_ORDINALS = select(Question.card_ordinals).where(Question.id == bindparam("question"))


def _has_siblings(session: Session, card: Card) -> bool:
    """Whether ``card``'s question makes other cards, read without loading the question."""
    if "question" in inspect(card).unloaded:
        # Read without a flush: the card's change is written with its review, at once.
        ordinals = session.connection().scalar(_ORDINALS, {"question": card.question_id})
    else:
        ordinals = card.question.card_ordinals
    return ordinals != [card.ordinal]


_BY_TOKEN = select(Review.id).where(
    Review.user_id == bindparam("user"), Review.review_token == bindparam("token")
)


def answer(
    session: Session,
    user: User,
    card: Card,
    rating: Rating,
    now: datetime,
    *,
    elapsed_ms: int | None = None,
    correct: bool | None = None,
    review_token: str | None = None,
) -> Answered:
    """Grade ``card``: schedule it, log the review, bury its siblings until tomorrow.

    A ``review_token`` seen before returns that earlier review unchanged.
    """
    if review_token is not None:
        earlier = session.connection().scalar(_BY_TOKEN, {"user": user.id, "token": review_token})
        if earlier is not None:
            return Answered(session.get_one(Review, earlier), repeated=True)
    settings = user.study_settings()
    before = card.schedule()
    result = answer_card(settings, before, rating, now, card_id=card.id)
    card.set_schedule(result.after)
    day = today(user, now)
    buried = []
    if _has_siblings(session, card):
        for sibling in siblings(session, card):
            if (
                sibling.state in (NEW, REVIEW)
                and not sibling.suspended
                and (sibling.buried_until is None or sibling.buried_until < day.end)
            ):
                sibling.buried_until = day.end
                buried.append(sibling.id)
    review = Review(
        card_id=card.id,
        user_id=user.id,
        bank_id=card.bank_id,
        reviewed_at=result.reviewed_at,
        rating=int(rating),
        elapsed_ms=elapsed_ms,
        correct=correct,
        review_token=review_token,
        state_before=before.state,
        step_before=before.step,
        stability_before=before.stability,
        difficulty_before=before.difficulty,
        due_before=before.due or now,
        last_review_before=before.last_review,
        state_after=result.after.state,
        step_after=result.after.step,
        stability_after=result.after.stability,
        difficulty_after=result.after.difficulty,
        due_after=result.due,
        buried=buried,
    )
    session.add(review)
    if result.reviewed_at < now_utc() - SETTLED:  # logged for the past: days kept may change
        forget_review_days(session, user.id)
    _keep(
        session,
        user.id,
        card.bank_id,
        introduced=_taken(result.after.state, card.suspended, card.retired)
        - _taken(before.state, card.suspended, card.retired),
        day=(day if result.reviewed_at == now else today(user, result.reviewed_at)).date,
        new=int(before.state == NEW),
        review=int(before.state == REVIEW),
    )
    session.flush()
    return Answered(review, repeated=False)


def undo_last(session: Session, user: User) -> Card | None:
    """Take back ``user``'s last answer: the card as it was, the log row gone.

    Returns:
        The restored card, or ``None`` when there is no answer to undo.
    """
    review = session.scalar(
        select(Review).where(Review.user_id == user.id).order_by(Review.id.desc()).limit(1)
    )
    if review is None:
        return None
    card = session.get_one(Card, review.card_id)
    taken = _taken(card.state, card.suspended, card.retired)
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
    kept = BankProgress.__table__.c
    day = today(user, review.reviewed_at).date
    undone = session.execute(
        update(BankProgress)
        .where(BankProgress.user_id == user.id, BankProgress.bank_id == card.bank_id)
        .values(
            introduced=kept.introduced + _taken(card.state, card.suspended, card.retired) - taken,
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
    session.delete(review)
    session.flush()
    if not undone.rowcount:  # an answer from before progress was kept: count it all
        recount(session, user, review.reviewed_at)
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


def bury(card: Card, user: User, now: datetime) -> None:
    """Hide ``card`` until the learner's next study day."""
    card.buried_until = today(user, now).end


def set_suspended(card: Card, suspended: bool) -> None:
    """Take ``card`` out of the queue, or put it back."""
    before = _taken(card.state, card.suspended, card.retired)
    card.suspended = suspended
    change = _taken(card.state, card.suspended, card.retired) - before
    session = object_session(card)
    if change and session is not None:
        _keep(session, card.user_id, card.bank_id, introduced=change)


@dataclass(frozen=True, slots=True)
class Practice:
    """What an extra study session covers: a section (with its subsections), a tag, or the
    cards forgotten (answered Again) in the last ``forgotten_days`` days."""

    section: str | None = None
    tag: str | None = None
    forgotten_days: int | None = None

    @classmethod
    def parse(cls, text: str) -> Practice:
        """Read ``section:KEY``, ``tag:NAME`` or ``forgotten:DAYS``.

        Raises:
            ValueError: anything else.
        """
        kind, _, value = text.partition(":")
        if kind == "section" and value:
            return cls(section=value)
        if kind == "tag" and value:
            return cls(tag=value)
        if kind == "forgotten":
            try:
                return cls(forgotten_days=parse_whole_number(value, 1, 365))
            except ValueError:
                pass
        raise ValueError(f"'{text}' is not section:ID, tag:NAME or forgotten:DAYS (1 to 365)")


def _practice_questions(session: Session, bank_id: str, practice: Practice) -> list[Question]:
    questions = list(
        session.scalars(
            select(Question)
            .where(Question.bank_id == bank_id, Question.retired.is_(False))
            .order_by(Question.position)
        )
    )
    if practice.tag is not None:
        return [q for q in questions if practice.tag in q.tags]
    if practice.section is not None:
        children: dict[str | None, list[str]] = {}
        for key, parent in session.execute(
            select(Section.key, Section.parent_key).where(Section.bank_id == bank_id)
        ):
            children.setdefault(parent, []).append(key)
        wanted, todo = set(), [practice.section]
        while todo:
            key = todo.pop()
            wanted.add(key)
            todo.extend(children.get(key, []))
        return [q for q in questions if q.section_key in wanted]
    return questions


def practice_cards(
    session: Session, user: User, bank_id: str, practice: Practice, now: datetime
) -> list[Card]:
    """The cards of an extra study session, weakest first: studied ones by predicted recall,
    then ones never studied in bank order. Suspended and retired cards stay out."""
    if practice.forgotten_days is not None:
        since = now - timedelta(days=practice.forgotten_days)
        forgotten = select(Review.card_id).where(
            Review.user_id == user.id,
            Review.bank_id == bank_id,
            Review.rating == int(Rating.AGAIN),
            Review.reviewed_at >= since,
        )
        cards = list(session.scalars(select(Card).where(Card.id.in_(forgotten))))
    else:
        questions = _practice_questions(session, bank_id, practice)
        existing = {
            (card.question_id, card.ordinal): card
            for card in session.scalars(
                select(Card).where(
                    Card.user_id == user.id, Card.question_id.in_([q.id for q in questions])
                )
            )
        }
        cards = []
        for question in questions:
            for ordinal in question.card_ordinals:
                found = existing.get((question.id, ordinal))
                if found is None:
                    found = add_card(session, user.id, question, ordinal, now)
                cards.append(found)
        session.flush()
    cards = [card for card in cards if not card.suspended and not card.retired]
    recall = retrievabilities(user.study_settings(), [card.schedule() for card in cards], now)
    order = {id(card): index for index, card in enumerate(cards)}
    return sorted(
        cards,
        key=lambda card: (card.state == NEW, recall[order[id(card)]], order[id(card)]),
    )

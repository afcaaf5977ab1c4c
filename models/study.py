"""A learner's study, against the database: what is due, the next card, answers and undo.

The decisions are ``srs``'s (``srs.study`` for the order and limits, ``srs.scheduler`` for the
intervals); this module finds the rows they need with queries written for the indexes on
``cards`` and ``reviews``, and writes the results. Nothing here commits: one answer is one
transaction, and the caller ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from models.bank import Bank, Question, Section
from models.card import Card, Review
from models.user import LeftBank, User
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
    "set_suspended",
    "siblings",
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


def study_banks(session: Session, user: User) -> list[Bank]:
    """The banks ``user`` studies: every bank on the server they have not left."""
    left = select(LeftBank.bank_id).where(LeftBank.user_id == user.id)
    return list(session.scalars(select(Bank).where(Bank.id.not_in(left)).order_by(Bank.title)))


def _active(now: datetime) -> ColumnElement[bool]:
    return and_(
        Card.suspended.is_(False),
        Card.retired.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


def bank_counts_many(
    session: Session, user: User, bank_ids: list[str], now: datetime
) -> dict[str, Counts]:
    """Cards left for ``user`` today in each of ``bank_ids``: new, learning and review.

    Four grouped queries, whatever the number of banks: today's reviews (the daily limits),
    the due learning and review cards, the studied cards, and the banks' card counts.
    """
    if not bank_ids:
        return {}
    day = today(user, now)
    done: dict[tuple[str, int], int] = {
        (bank_id, state): count
        for bank_id, state, count in session.execute(
            select(Review.bank_id, Review.state_before, func.count())
            .where(
                Review.user_id == user.id,
                Review.reviewed_at >= day.start,
                Review.reviewed_at < day.end,
                Review.bank_id.in_(bank_ids),
                Review.state_before.in_((NEW, REVIEW)),
            )
            .group_by(Review.bank_id, Review.state_before)
        )
    }
    due: dict[tuple[str, int], int] = {
        (bank_id, state): count
        for bank_id, state, count in session.execute(
            select(Card.bank_id, Card.state, func.count())
            .where(
                Card.user_id == user.id,
                Card.bank_id.in_(bank_ids),
                Card.due < day.end,
                Card.state.in_((LEARNING, REVIEW, RELEARNING)),
                _active(now),
            )
            .group_by(Card.bank_id, Card.state)
        )
    }
    # Cards never studied and free to introduce: all the bank's cards but those studied,
    # suspended or buried (a card row exists once a card is first needed).
    taken = dict(
        session.execute(
            select(Card.bank_id, func.count())
            .where(
                Card.user_id == user.id,
                Card.bank_id.in_(bank_ids),
                Card.retired.is_(False),
                or_(Card.state != NEW, ~_active(now)),
            )
            .group_by(Card.bank_id)
        ).all()
    )
    totals = dict(
        session.execute(select(Bank.id, Bank.card_count).where(Bank.id.in_(bank_ids))).all()
    )
    counts = {}
    for bank_id in bank_ids:
        new_left, reviews_left = limits_left(
            user.new_per_day,
            user.reviews_per_day,
            done.get((bank_id, NEW), 0),
            done.get((bank_id, REVIEW), 0),
        )
        waiting = max(0, int(totals.get(bank_id) or 0) - int(taken.get(bank_id, 0)))
        counts[bank_id] = Counts(
            new=min(new_left, waiting),
            learning=due.get((bank_id, LEARNING), 0) + due.get((bank_id, RELEARNING), 0),
            review=min(reviews_left, due.get((bank_id, REVIEW), 0)),
        )
    return counts


def bank_counts(session: Session, user: User, bank_id: str, now: datetime) -> Counts:
    """Cards of ``bank_id`` left for ``user`` today: new, learning and review."""
    return bank_counts_many(session, user, [bank_id], now)[bank_id]


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


def _first_due(
    session: Session, user: User, bank_ids: list[str], states: tuple[int, ...], before: datetime,
    now: datetime,
) -> Card | None:  # fmt: skip
    found = _due(session, user, bank_ids, states, before, now, 1)
    return found[0] if found else None


def add_card(
    session: Session, user_id: int, question: Question, ordinal: int, due: datetime
) -> Card:
    """A card never studied, made when it is first needed."""
    card = Card(
        user_id=user_id,
        question_id=question.id,
        bank_id=question.bank_id,
        ordinal=ordinal,
        state=NEW,
        due=due,
    )
    session.add(card)
    return card


def _new_card(session: Session, user: User, bank_id: str, now: datetime) -> Card | None:
    """The next new card of ``bank_id`` in bank order, created if it does not exist yet."""
    found = _new_cards(session, user, bank_id, now, 1, set())
    return found[0] if found else None


def _new_cards(
    session: Session, user: User, bank_id: str, now: datetime, limit: int, skip: set[int]
) -> list[Card]:
    """The next ``limit`` new cards of ``bank_id`` in bank order, one a question, created if
    they do not exist yet, leaving out the questions whose ids are in ``skip``."""
    studied = (
        select(func.count())
        .select_from(Card)
        .where(
            Card.user_id == user.id,
            Card.question_id == Question.id,
            Card.retired.is_(False),
            or_(Card.state != NEW, ~_active(now)),
        )
        .scalar_subquery()
    )
    query = (
        select(Question)
        .where(Question.bank_id == bank_id, Question.retired.is_(False))
        .where(studied < Question.card_count)
        .order_by(Question.position)
        .limit(limit + len(skip))
    )
    found = []
    for question in session.scalars(query).all():
        if len(found) == limit:
            break
        if question.id not in skip and (card := _first_new(session, user, question, now)):
            found.append(card)
    return found


def _first_new(session: Session, user: User, question: Question, now: datetime) -> Card | None:
    """The first card of ``question`` that ``user`` may start now, created if missing."""
    cards = {
        card.ordinal: card
        for card in session.scalars(
            select(Card).where(Card.user_id == user.id, Card.question_id == question.id)
        )
    }
    for ordinal in question.card_ordinals:
        card = cards.get(ordinal)
        if card is None:
            card = add_card(session, user.id, question, ordinal, now)
            session.flush()
            return card
        if (
            card.state == NEW
            and not card.suspended
            and not card.retired
            and (card.buried_until is None or card.buried_until <= now)
        ):
            return card
    return None


def next_card(
    session: Session, user: User, bank_ids: list[str], now: datetime
) -> tuple[Card | None, dict[str, Counts]]:
    """The card ``user`` should see next among ``bank_ids``, and each bank's counts.

    Learning cards due now come first, then reviews due today, then new cards, each kind
    within its bank's daily limits; banks are taken in the order given.
    """
    counts = bank_counts_many(session, user, bank_ids, now)
    if not bank_ids:
        return None, counts
    day = today(user, now)
    learning = _first_due(session, user, bank_ids, (LEARNING, RELEARNING), now + LEARN_AHEAD, now)
    review_banks = [b for b in bank_ids if counts[b].review]
    new_banks = [b for b in bank_ids if counts[b].new]
    kind = next_kind(
        learning_due=learning.due if learning else None,
        review_due=bool(review_banks),
        new_available=bool(new_banks),
        now=now,
    )
    if kind == "learning":
        return learning, counts
    if kind == "review":
        return _first_due(session, user, review_banks, (REVIEW,), day.end, now), counts
    if kind == "new":
        for bank_id in new_banks:
            card = _new_card(session, user, bank_id, now)
            if card is not None:
                return card, counts
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
        earlier = session.scalar(
            select(Review).where(Review.user_id == user.id, Review.review_token == review_token)
        )
        if earlier is not None:
            return Answered(earlier, repeated=True)
    settings = user.study_settings()
    before = card.schedule()
    result = answer_card(settings, before, rating, now, card_id=card.id)
    card.set_schedule(result.after)
    day = today(user, now)
    buried = []
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
    session.delete(review)
    session.flush()
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
    card.suspended = suspended


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
        if kind == "forgotten" and value.isdigit() and 1 <= int(value) <= 365:
            return cls(forgotten_days=int(value))
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

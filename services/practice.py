"""Extra study outside the schedule: a section, a tag, or the cards forgotten lately.

:class:`Practice` says what a session covers (a plain value, read from ``section:KEY``,
``tag:NAME`` or ``forgotten:DAYS``); :func:`practice_cards` finds its cards, weakest first
and siblings apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.bank import Question, Section
from models.card import Card, Review
from services.context import Study
from services.queue import add_card
from srs.numbers import parse_whole_number
from srs.scheduler import NEW, Rating, retrievabilities

__all__ = ["FORGOTTEN_DAYS", "Practice", "practice_cards"]

# How far back a session of forgotten cards may look, in days: the least and the most.
FORGOTTEN_DAYS = (1, 365)

SIBLINGS_APART = 3
"""The fewest other cards between two cards of one question in a session, where it has
enough others: a card shows its siblings' answers (a diagram's other labels, a cloze's
other blanks), which the next card would then ask."""
# How far down the session a card is looked for to come between them.
_LOOK_AHEAD = 64


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
                return cls(forgotten_days=parse_whole_number(value, *FORGOTTEN_DAYS))
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


def practice_cards(study: Study, bank_id: str, practice: Practice) -> list[Card]:
    """The cards of an extra study session, weakest first: studied ones by predicted recall,
    then ones never studied in bank order, two cards of one question kept apart
    (:data:`SIBLINGS_APART`). Suspended and retired cards stay out."""
    session, user, now = study.session, study.user, study.now
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
    weakest = sorted(
        cards,
        key=lambda card: (card.state == NEW, recall[order[id(card)]], order[id(card)]),
    )
    return _siblings_apart(weakest)


def _siblings_apart(cards: list[Card]) -> list[Card]:
    """``cards`` in their order, but where a card would come within :data:`SIBLINGS_APART`
    places of a sibling, the next that would not comes first; where none is near, the one
    furthest from its siblings."""
    waiting = list(cards)
    placed: list[Card] = []
    last: dict[int, int] = {}  # where each question's card was placed last

    def apart(card: Card) -> float:
        """How many places back its question's last card stands: none placed, no limit."""
        at = last.get(card.question_id)
        return math.inf if at is None else len(placed) - at

    while waiting:
        near = waiting[:_LOOK_AHEAD]
        at = next((i for i, card in enumerate(near) if apart(card) > SIBLINGS_APART), None)
        if at is None:
            at = max(range(len(near)), key=lambda i: apart(near[i]))
        card = waiting.pop(at)
        last[card.question_id] = len(placed)
        placed.append(card)
    return placed

"""Seeding a learner's history for tests: answers through the real scheduler, at set times."""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models import Card, User
from services.answers import answer
from services.context import Study
from services.queue import next_card
from srs.scheduler import Rating

__all__ = ["seed_history", "study_when_due"]


def seed_history(
    session: Session, user: User, bank_ids: list[str], end: datetime, *, days: int, per_day: int,
    seed: int = 7,
) -> int:  # fmt: skip
    """Study ``per_day`` cards a day for ``days`` days up to ``end``; returns the answers made.

    Ratings are drawn from a seeded generator (mostly Good, some Again), and days with no
    study are left out now and then, so that streaks and the heatmap have gaps.
    """
    rng = random.Random(seed)
    made = 0
    for offset in range(days, 0, -1):
        if rng.random() < 0.12:
            continue
        moment = end - timedelta(days=offset) + timedelta(minutes=rng.randrange(0, 120))
        for _ in range(per_day):
            card, _ = next_card(Study.at(session, user, moment), bank_ids)
            if card is None:
                break
            rating = Rating.AGAIN if rng.random() < 0.15 else Rating.GOOD
            answer(
                Study.at(session, user, moment), card, rating, elapsed_ms=rng.randrange(2000, 20000)
            )
            made += 1
            moment += timedelta(seconds=rng.randrange(5, 40))
    session.commit()
    return made


def _next_visit(rng: random.Random, answered: datetime, due: datetime) -> datetime:
    """When a learner comes back to a card answered at ``answered`` and due at ``due``."""
    chance = rng.random()
    if chance < 0.50:  # about on time, at another hour
        return due + timedelta(minutes=rng.randrange(0, 240))
    if chance < 0.65:  # early: between the answer and the due time, often the same day
        return answered + (due - answered) * rng.uniform(0.05, 0.95)
    if chance < 0.80:  # again a few hours later, past midnight now and then
        return max(due, answered + timedelta(minutes=rng.randrange(60, 14 * 60)))
    if chance < 0.95:  # late by up to two months
        return due + timedelta(hours=rng.randrange(24, 24 * 60))
    return due + timedelta(days=rng.randrange(100, 400))  # a long break


def study_when_due(
    session: Session,
    user: User,
    cards: Sequence[Card],
    start: datetime,
    until: datetime,
    *,
    ratings: Sequence[int] = (15, 10, 60, 15),
    seed: int = 7,
) -> int:
    """Answer each of ``cards`` from ``start`` until ``until``, coming back about when it is
    due (early, late, twice in a day, after a long break); returns the answers made.

    Each card's first answer falls within ``start``'s first two weeks; ratings are drawn with
    ``ratings`` as the weights of Again, Hard, Good and Easy. Answers go through
    ``services.answers.answer`` in time order, so what is stored is what Wengu does.
    """
    rng = random.Random(seed)
    visits = [
        (start + timedelta(minutes=rng.randrange(0, 14 * 1440)), card.id, card) for card in cards
    ]
    heapq.heapify(visits)
    made = 0
    while visits:
        moment, card_id, card = heapq.heappop(visits)
        rating = Rating(rng.choices(list(Rating), ratings)[0])
        answer(Study.at(session, user, moment), card, rating)
        made += 1
        following = _next_visit(rng, moment, card.due).replace(microsecond=0)
        if following < until:
            heapq.heappush(visits, (following, card_id, card))
    session.flush()
    return made

"""Seeding a learner's history for tests: answers through the real scheduler, at set times."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models import User
from services.answers import answer
from services.context import Study
from services.queue import next_card
from srs.scheduler import Rating

__all__ = ["seed_history"]


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

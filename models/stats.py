"""A learner's statistics from the database: the rows ``srs.stats`` computes from."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.bank import Question, Section
from models.card import Card, Review
from models.study import today
from models.user import User
from srs.scheduler import NEW, retrievabilities
from srs.stats import CardFact, ReviewFact, Stats, compute_stats

__all__ = ["HISTORY_DAYS", "learner_stats"]

HISTORY_DAYS = 400  # a year of heatmap and retention, with room for the rollover


def learner_stats(session: Session, user: User, bank_ids: list[str], now: datetime) -> Stats:
    """The statistics of ``user`` over ``bank_ids``, on the learner's own study days.

    Mastery sections are named ``bank:section``.
    """
    zone = ZoneInfo(user.timezone)
    shift = timedelta(hours=user.rollover_hour)

    def study_date(moment: datetime) -> date:
        return (moment.astimezone(zone) - shift).date()

    reviews = [
        ReviewFact(
            day=study_date(reviewed_at),
            rating=rating,
            state_before=state_before,
            interval_days=(reviewed_at - last).days if last else None,
            elapsed_ms=elapsed,
        )
        for reviewed_at, rating, state_before, last, elapsed in session.execute(
            select(
                Review.reviewed_at,
                Review.rating,
                Review.state_before,
                Review.last_review_before,
                Review.elapsed_ms,
            ).where(
                Review.user_id == user.id,
                Review.bank_id.in_(bank_ids),
                Review.reviewed_at >= now - timedelta(days=HISTORY_DAYS),
            )
        )
    ]

    rows = session.execute(
        select(Card, Question.section_key)
        .join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id, Card.bank_id.in_(bank_ids), Card.retired.is_(False))
    ).all()
    states = [card.schedule() for card, _ in rows]
    recall = retrievabilities(user.study_settings(), states, now)
    cards = [
        CardFact(
            state=card.state,
            due_day=study_date(card.due) if card.state != NEW else None,
            interval_days=(card.due - card.last_review).days if card.last_review else None,
            difficulty=card.difficulty,
            retrievability=chance if card.state != NEW else None,
            suspended=card.suspended,
            section=f"{card.bank_id}:{section}" if section else None,
        )
        for (card, section), chance in zip(rows, recall, strict=True)
    ]

    sizes = {
        f"{bank_id}:{key}": int(total)
        for bank_id, key, total in session.execute(
            select(Question.bank_id, Question.section_key, func.sum(Question.card_count))
            .where(Question.bank_id.in_(bank_ids), Question.retired.is_(False))
            .group_by(Question.bank_id, Question.section_key)
        )
        if key
    }
    all_cards = session.scalar(
        select(func.coalesce(func.sum(Question.card_count), 0)).where(
            Question.bank_id.in_(bank_ids), Question.retired.is_(False)
        )
    )
    sections = [
        f"{bank_id}:{key}"
        for bank_id, key in session.execute(
            select(Section.bank_id, Section.key)
            .where(Section.bank_id.in_(bank_ids))
            .order_by(Section.bank_id, Section.position)
        )
    ]
    return compute_stats(
        reviews,
        cards,
        today(user, now).date,
        unstudied=max(0, int(all_cards or 0) - len(cards)),
        sections=sections,
        section_sizes=sizes,
    )

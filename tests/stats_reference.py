"""The statistics as they were computed before totals: every review and card read as a row.

Kept as the reference the grouped queries of ``services.stats`` are held to
(``tests/web/test_stats_totals.py``): the same database must give the same page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.bank import Question, Section
from models.card import Card, Review
from models.user import User
from services.context import today
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW, Rating, retrievabilities
from srs.stats import (
    DIFFICULTY_BUCKETS,
    INTERVAL_BUCKETS,
    MASTERY_DAYS,
    MATURE_DAYS,
    CardFact,
    RetentionCell,
    ReviewFact,
    Stats,
    current_streak,
)

__all__ = ["per_row_compute_stats", "per_row_learner_stats"]

HISTORY_DAYS = 400


def _bucket_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else (str(low) if low == high else f"{low}–{high}")


def _retention(reviews: Sequence[ReviewFact], since: date) -> dict[str, RetentionCell]:
    cells = {"young": Counter[str](), "mature": Counter[str](), "total": Counter[str]()}
    for review in reviews:
        if review.day < since or review.state_before != REVIEW:
            continue
        kind = "mature" if (review.interval_days or 0) >= MATURE_DAYS else "young"
        outcome = "passed" if review.rating > Rating.AGAIN else "failed"
        cells[kind][outcome] += 1
        cells["total"][outcome] += 1
    return {k: RetentionCell(v["passed"], v["failed"]) for k, v in cells.items()}


def per_row_compute_stats(
    reviews: Sequence[ReviewFact],
    cards: Sequence[CardFact],
    today: date,
    *,
    unstudied: int = 0,
    sections: Iterable[str] = (),
    section_sizes: dict[str, int] | None = None,
    forecast_days: int = 30,
    recent_days: int = 30,
) -> Stats:
    """Every number of the statistics page.

    Args:
        reviews: the learner's reviews of the past year (or more), any order.
        cards: the learner's cards that exist (studied or created).
        unstudied: cards of the banks never shown yet (no row), counted as new.
        sections: the section ids for the mastery map, in outline order.
        section_sizes: how many cards each section has in all, studied or not.
    """
    year_ago = today - timedelta(days=364)
    heatmap = Counter(review.day for review in reviews if review.day >= year_ago)

    per_day: dict[date, list[int]] = {}
    for review in reviews:
        if review.day > today - timedelta(days=recent_days):
            entry = per_day.setdefault(review.day, [0, 0])
            entry[0] += 1
            entry[1] += (review.elapsed_ms or 0) // 1000
    recent = [
        (day, *per_day.get(day, [0, 0]))
        for day in (today - timedelta(days=offset) for offset in range(recent_days - 1, -1, -1))
    ]

    due = Counter()
    for card in cards:
        if card.state == NEW or card.suspended or card.due_day is None:
            continue
        due[max(card.due_day, today)] += 1
    forecast = [
        (today + timedelta(days=i), due[today + timedelta(days=i)]) for i in range(forecast_days)
    ]

    retention = {
        "today": _retention(reviews, today),
        "week": _retention(reviews, today - timedelta(days=6)),
        "month": _retention(reviews, today - timedelta(days=29)),
        "year": _retention(reviews, year_ago),
    }

    names = {NEW: "new", LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
    states = Counter(
        {"new": unstudied, "learning": 0, "review": 0, "relearning": 0, "suspended": 0}
    )
    for card in cards:
        states["suspended" if card.suspended else names[card.state]] += 1

    reviewing = [c for c in cards if c.state == REVIEW and c.interval_days is not None]
    intervals = [
        (
            _bucket_label(low, high),
            sum(
                1
                for c in reviewing
                if c.interval_days >= low and (high is None or c.interval_days <= high)
            ),
        )
        for low, high in INTERVAL_BUCKETS
    ]
    rated = [c.difficulty for c in cards if c.state != NEW and c.difficulty is not None]
    difficulties = [
        (f"{low}–{high}", sum(1 for d in rated if low <= d < high or (high == 10 and d == 10)))
        for low, high in DIFFICULTY_BUCKETS
    ]

    recall: dict[str, list[float]] = {}
    for card in cards:
        if card.section is not None and card.state != NEW and card.retrievability is not None:
            recall.setdefault(card.section, []).append(card.retrievability)
    sizes = section_sizes or {}
    mastery = {
        section: (
            sum(recall[section]) / len(recall[section]) if recall.get(section) else None,
            len(recall.get(section, [])),
            sizes.get(section, 0),
        )
        for section in sections
    }

    return Stats(
        today=today,
        heatmap=dict(heatmap),
        reviews_per_day=recent,
        forecast=forecast,
        retention=retention,
        states=dict(states),
        intervals=intervals,
        difficulties=difficulties,
        streak=current_streak(heatmap, today),
        mastery=mastery,
    )


def per_row_learner_stats(
    session: Session, user: User, bank_ids: list[str], now: datetime
) -> Stats:
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
    recall = retrievabilities(user.study_settings(), states, now + timedelta(days=MASTERY_DAYS))
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
    return per_row_compute_stats(
        reviews,
        cards,
        today(user, now).date,
        unstudied=max(0, int(all_cards or 0) - len(cards)),
        sections=sections,
        section_sizes=sizes,
    )

"""A learner's cards counted for the statistics: kept totals, and the forecast from an index.

``card_totals`` (:class:`models.stats.CardTotal`) counts each learner's cards by bank,
state, suspension, interval bucket and difficulty bucket. Triggers on ``cards`` keep it
(migration 0016): every statement that inserts, updates or deletes a card moves it between
rows in the same transaction, whichever path runs it (an answer, undo, suspend, a
reschedule, an optimization, an import retiring questions, a deleted account or bank), and
a bulk UPDATE as well as one answer. A trigger on ``users`` writes each new account's mark
row, which says its rows are complete. The Python here only reads the rows, and counts a
learner's cards afresh when their mark is missing (the table emptied, as a benchmark of the
first visit does). That count reads the cards as its transaction sees them: on PostgreSQL,
an answer of the same learner committed during it may leave that card counted twice until
the next count afresh.

Counts by due day depend on the learner's today, so they are not kept: the forecast is one
grouped query over ``ix_cards_user_bank_state_due``, which holds every column it reads.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, false, func, insert, or_, select
from sqlalchemy.orm import Session

from models.card import Card
from models.stats import CardTotal
from models.user import User
from services.stats_sql import (
    EPOCH,
    day_number,
    dialect_of,
    floor,
    interval_days,
    plain,
    positions,
)
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW, STATE_NAMES
from srs.stats import INTERVAL_BUCKETS, CardTotals
from srs.study import day_spans, study_day

__all__ = ["MARK_BANK", "MARK_STATE", "count_cards", "due_days", "kept_totals"]

# The row that says a learner's rows are complete (the triggers never write it).
MARK_BANK = ""
MARK_STATE = -1
NO_INTERVAL = -2  # not a review card, or never reviewed
NO_DIFFICULTY = 0  # new, or a difficulty outside 1-10
_KEY = ("user_id", "bank_id", "state", "suspended", "interval_bucket", "difficulty_bucket")


def _buckets(dialect: str) -> tuple:
    """The interval bucket and difficulty bucket of a card, as the triggers compute them."""
    due, last = plain(Card.due), plain(Card.last_review)
    days = interval_days(dialect, due, last)
    interval = case(
        (
            and_(Card.state == REVIEW, Card.last_review.is_not(None)),
            case(
                (due < last, -1),
                *((days <= high, low) for low, high in INTERVAL_BUCKETS if high is not None),
                else_=INTERVAL_BUCKETS[-1][0],
            ),
        ),
        else_=NO_INTERVAL,
    )
    difficulty = case(
        (
            and_(Card.state != NEW, Card.difficulty >= 1, Card.difficulty < 10),
            floor(dialect, Card.difficulty),
        ),
        (and_(Card.state != NEW, Card.difficulty == 10), 9),
        else_=NO_DIFFICULTY,
    )
    return interval, difficulty


def count_cards(session: Session, user_id: int) -> None:
    """Count ``user_id``'s cards afresh into their rows, and mark them complete."""
    session.execute(delete(CardTotal).where(CardTotal.user_id == user_id))
    interval, difficulty = _buckets(dialect_of(session))
    grouped = (
        select(
            Card.user_id,
            Card.bank_id,
            Card.state,
            Card.suspended,
            interval.label("interval_bucket"),
            difficulty.label("difficulty_bucket"),
            func.count(),
        )
        .where(Card.user_id == user_id, Card.retired == false())
        .group_by(*positions(6))
    )
    session.execute(insert(CardTotal).from_select([*_KEY, "cards"], grouped))
    session.execute(
        insert(CardTotal).values(
            user_id=user_id,
            bank_id=MARK_BANK,
            state=MARK_STATE,
            suspended=False,
            interval_bucket=NO_INTERVAL,
            difficulty_bucket=NO_DIFFICULTY,
            cards=0,
        )
    )


def _kept_rows(session: Session, user_id: int, bank_ids: list[str]) -> list | None:
    rows = session.execute(
        select(
            CardTotal.state,
            CardTotal.suspended,
            CardTotal.interval_bucket,
            CardTotal.difficulty_bucket,
            CardTotal.cards,
        ).where(
            CardTotal.user_id == user_id,
            or_(
                CardTotal.bank_id.in_(bank_ids),
                and_(CardTotal.bank_id == MARK_BANK, CardTotal.state == MARK_STATE),
            ),
        )
    ).all()
    if not any(row.state == MARK_STATE for row in rows):
        return None
    return [row for row in rows if row.state != MARK_STATE]


def kept_totals(session: Session, user_id: int, bank_ids: list[str]) -> CardTotals:
    """The learner's cards in ``bank_ids`` by state, interval bucket (counted at the
    bucket's low end) and difficulty bucket, from the kept rows (counted afresh first if
    the learner has none yet: the caller commits)."""
    rows = _kept_rows(session, user_id, bank_ids)
    if rows is None:
        count_cards(session, user_id)
        rows = _kept_rows(session, user_id, bank_ids) or []
    totals = CardTotals()
    for state, suspended, interval, difficulty, cards in rows:
        if not cards:
            continue
        totals.states["suspended" if suspended else STATE_NAMES[state]] += cards
        if interval != NO_INTERVAL:
            totals.intervals[interval] += cards
        if difficulty != NO_DIFFICULTY:
            totals.difficulties[difficulty] += cards
    return totals


def due_days(
    session: Session, user: User, bank_ids: list[str], now: datetime, forecast_days: int
) -> CardTotals:
    """The studied, unsuspended cards in ``bank_ids`` by due study day, up to the end of the
    forecast; those due before today all count on the day before it (the forecast shows
    them today)."""
    dialect = dialect_of(session)
    day = study_day(now, user.timezone, user.rollover_hour)
    until = day.end + timedelta(days=forecast_days + 1)
    spans = day_spans(user.timezone, user.rollover_hour, day.start, until)
    yesterday = (day.date - timedelta(days=1) - EPOCH).days
    number = case((Card.due < day.start, yesterday), else_=day_number(dialect, Card.due, spans))
    totals = CardTotals()
    counted = session.execute(
        select(number, func.count())
        .where(
            Card.user_id == user.id,
            Card.bank_id.in_(bank_ids),
            Card.state.in_((LEARNING, REVIEW, RELEARNING)),
            Card.due < until,
            Card.suspended == false(),
            Card.retired == false(),
        )
        .group_by(*positions(1))
    )
    for n, count in counted:
        totals.due[EPOCH + timedelta(days=n)] += count
    return totals

"""A learner's statistics from the database: totals grouped in SQL, for ``srs.stats``.

A year of a heavy learner's history is some 200,000 reviews, too many to read row by row on
each visit. Reviews are summed by study day in the database, and the days that are over
are kept (:class:`models.stats.ReviewDay`), so that a visit sums only the reviews since. Cards are
counted with grouped queries too; none is loaded as an object.

Study days are the learner's: the database groups a time by the UTC date of the time
shifted by the zone's offset less the rollover hour, with one shift for each stretch of
time in which the zone keeps its offset (:func:`srs.study.day_spans`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import (
    and_,
    case,
    delete,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from models.bank import Bank, Question, Section
from models.card import Card
from models.stats import ReviewDay, ReviewDayMark
from models.types import now_utc
from models.user import User
from services.card_totals import due_days, kept_totals
from services.conflict import rows_changed
from services.context import Study
from services.stats_sql import (
    dialect_of,
    keep_reviews,
    plain,
    summed_reviews,
    whole_days_since,
)
from srs.scheduler import NEW, forgetting_curve
from srs.stats import (
    MASTERY_DAYS,
    CardTotals,
    DayTotals,
    Stats,
    current_streak,
    stats_from_totals,
)
from srs.study import study_day

__all__ = [
    "SETTLED",
    "STREAK_DAYS",
    "BankOutline",
    "OutlineSection",
    "bank_outline",
    "day_totals",
    "forget_review_days",
    "learner_stats",
    "streak",
]

# Answers are logged at the time they are made, so reviews older than this are final. One
# logged for an earlier time (a test, a seed) or taken back after it calls
# forget_review_days.
SETTLED = timedelta(minutes=10)
# How far back a streak is counted, in study days.
STREAK_DAYS = 3650


def forget_review_days(session: Session, user_id: int) -> None:
    """Drop a learner's kept day totals: the next visit sums their history again."""
    session.execute(delete(ReviewDayMark).where(ReviewDayMark.user_id == user_id))
    session.execute(delete(ReviewDay).where(ReviewDay.user_id == user_id))


# -- SQL for times, on each dialect ----------------------------------------------------------


_FIELDS = ("reviews", "seconds", "young_passed", "young_failed", "mature_passed", "mature_failed")


def _claim(session: Session, user: User, counted: datetime | None, settled: datetime) -> bool:
    """Move the learner's mark from ``counted`` to ``settled``; ``False`` if another request
    moved it first (its sums are then the ones kept)."""
    if counted is None:
        upsert = pg_insert if dialect_of(session) == "postgresql" else sqlite_insert
        statement = (
            upsert(ReviewDayMark)
            .values(
                user_id=user.id,
                timezone=user.timezone,
                rollover_hour=user.rollover_hour,
                counted_before=settled,
            )
            .on_conflict_do_nothing()
            .returning(ReviewDayMark.user_id)
        )
        return session.execute(statement).first() is not None
    moved = session.execute(
        update(ReviewDayMark)
        .where(ReviewDayMark.user_id == user.id, ReviewDayMark.counted_before == counted)
        .values(counted_before=settled)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(moved) == 1


def _day_totals(
    session: Session, user: User, bank_ids: list[str], now: datetime, since: date
) -> dict[date, DayTotals]:
    """The learner's reviews in ``bank_ids`` by study day, from ``since`` on.

    Kept rows up to the learner's mark, the reviews from the mark to the last day that is
    over (kept now, and the mark moved), and the reviews since, summed on each call.
    """
    mark = session.execute(
        select(
            ReviewDayMark.timezone, ReviewDayMark.rollover_hour, ReviewDayMark.counted_before
        ).where(ReviewDayMark.user_id == user.id)
    ).one_or_none()
    counted = None
    if mark is not None:
        if (mark.timezone, mark.rollover_hour) == (user.timezone, user.rollover_hour):
            counted = mark.counted_before
        else:
            forget_review_days(session, user.id)
    days: dict[date, DayTotals] = {}

    def add(sums: dict[tuple[str, date], DayTotals]) -> None:
        for (bank_id, on), totals in sums.items():
            if bank_id in wanted and on >= since:
                days[on] = days[on] + totals if on in days else totals

    wanted = set(bank_ids)

    def kept_days(before: datetime) -> dict[date, DayTotals]:
        kept = session.execute(
            select(ReviewDay.day, *(func.sum(getattr(ReviewDay, name)) for name in _FIELDS))
            .where(
                ReviewDay.user_id == user.id,
                ReviewDay.bank_id.in_(bank_ids),
                ReviewDay.day >= since,
                # Rows another request adds meanwhile are after this mark.
                ReviewDay.counted_before <= before,
            )
            .group_by(ReviewDay.day)
        )
        return {on: DayTotals(*(int(n) for n in rest)) for on, *rest in kept}

    settled = study_day(min(now, now_utc()) - SETTLED, user.timezone, user.rollover_hour).start
    if counted is not None and counted >= settled:
        days = kept_days(counted)
    elif _claim(session, user, counted, settled):
        # The days up to the new mark summed into kept rows in one statement, then read
        # with the older ones.
        keep_reviews(session, user, counted, settled)
        days, counted = kept_days(settled), settled
    else:  # another request moved the mark first: the days since ours summed here
        days = kept_days(counted) if counted is not None else {}
        add(summed_reviews(session, user, counted, settled))
        counted = settled
    add(summed_reviews(session, user, counted, None))
    return days


def day_totals(study: Study, bank_ids: list[str]) -> dict[date, DayTotals]:
    """The learner's reviews in ``bank_ids`` by study day, as far back as a streak counts.

    The statistics page and the group board both read these, so that their streaks, weeks
    and retention are the same numbers. New day totals are kept: the caller commits.
    """
    since = study.day.date - timedelta(days=STREAK_DAYS)
    return _day_totals(study.session, study.user, bank_ids, study.now, since)


def streak(study: Study, bank_ids: list[str]) -> int:
    """Study days in a row with a review in ``bank_ids``, up to today (or yesterday while
    today has none), as the statistics page and the group board show it."""
    days = day_totals(study, bank_ids)
    return current_streak((day for day, totals in days.items() if totals.reviews), study.day.date)


# -- cards -----------------------------------------------------------------------------------


def _add_mastery(
    session: Session, user: User, mine: ColumnElement[bool], now: datetime, totals: CardTotals
) -> None:
    """Mastery: the mean predicted recall :data:`MASTERY_DAYS` days from ``now`` of each
    section's studied cards, into ``totals``."""
    dialect = dialect_of(session)
    last = plain(Card.last_review)
    curve = forgetting_curve(user.study_settings())
    ahead = now + timedelta(days=MASTERY_DAYS)
    elapsed = case((Card.last_review <= ahead, whole_days_since(dialect, ahead, last)), else_=0)
    recall = case(
        (or_(Card.stability.is_(None), Card.last_review.is_(None)), 0.0),
        else_=func.power(1 + curve.factor * elapsed / Card.stability, curve.decay),
    )
    for bank_id, key, total, count in session.execute(
        select(Card.bank_id, Question.section_key, func.sum(recall), func.count())
        .join(Question, Question.id == Card.question_id)
        .where(mine, Card.state != NEW, Question.section_key.is_not(None))
        .group_by(Card.bank_id, Question.section_key)
    ):
        totals.recall[f"{bank_id}:{key}"] = (float(total), count)


def _card_totals(
    session: Session, user: User, bank_ids: list[str], now: datetime, forecast_days: int
) -> CardTotals:
    """The learner's cards in ``bank_ids`` (not retired): the kept totals, the forecast from
    the due index and mastery, in three grouped queries."""
    totals = kept_totals(session, user.id, bank_ids)
    totals.due = due_days(session, user, bank_ids, now, forecast_days).due
    mine = and_(Card.user_id == user.id, Card.bank_id.in_(bank_ids), Card.retired == false())
    _add_mastery(session, user, mine, now, totals)
    return totals


# -- banks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutlineSection:
    key: str
    title: str
    depth: int


@dataclass(frozen=True, slots=True)
class BankOutline:
    """What the statistics need of a bank that only an import changes: its sections in
    order (with their depth in the outline), the cards of its active questions, per section
    and in all, and the tags of its active questions."""

    sections: tuple[OutlineSection, ...]
    section_cards: dict[str, int]
    cards: int
    tags: tuple[str, ...]


_OUTLINES: dict[tuple[str, str, datetime], BankOutline] = {}


def bank_outline(session: Session, bank: Bank) -> BankOutline:
    """``bank``'s outline, read once per import of it (in each process)."""
    version = (bank.id, bank.fingerprint, bank.imported_at)
    if version in _OUTLINES:
        return _OUTLINES[version]
    depth: dict[str, int] = {}
    sections = []
    for key, title, parent in session.execute(
        select(Section.key, Section.title, Section.parent_key)
        .where(Section.bank_id == bank.id)
        .order_by(Section.position)
    ):
        depth[key] = depth[parent] + 1 if parent else 0
        sections.append(OutlineSection(key, title, depth[key]))
    section_cards: dict[str, int] = {}
    cards, tags = 0, set()
    for key, count, question_tags in session.execute(
        select(Question.section_key, Question.card_count, Question.tags).where(
            Question.bank_id == bank.id, Question.retired.is_(False)
        )
    ):
        cards += count
        if key:
            section_cards[key] = section_cards.get(key, 0) + count
        tags.update(question_tags)
    if len(_OUTLINES) >= 64:
        _OUTLINES.clear()
    outline = BankOutline(tuple(sections), section_cards, cards, tuple(sorted(tags)))
    _OUTLINES[version] = outline
    return outline


# -- the page --------------------------------------------------------------------------------


def learner_stats(study: Study, bank_ids: list[str]) -> Stats:
    """The statistics of the learner over ``bank_ids``, on their own study days.

    Mastery sections are named ``bank:section``. New day totals are kept: the caller
    commits.
    """
    session, user, now = study.session, study.user, study.now
    today = study.day.date
    days = day_totals(study, bank_ids)
    forecast_days = 30
    cards = _card_totals(session, user, bank_ids, now, forecast_days)

    sizes: dict[str, int] = {}
    sections, all_cards = [], 0
    for bank in session.scalars(select(Bank).where(Bank.id.in_(bank_ids)).order_by(Bank.id)):
        outline = bank_outline(session, bank)
        all_cards += outline.cards
        sizes |= {f"{bank.id}:{key}": n for key, n in outline.section_cards.items()}
        sections += [f"{bank.id}:{section.key}" for section in outline.sections]
    return stats_from_totals(
        days,
        cards,
        today,
        unstudied=max(0, all_cards - sum(cards.states.values())),
        sections=sections,
        section_sizes=sizes,
        forecast_days=forecast_days,
    )

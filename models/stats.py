"""Study days that are over, summed once and kept, and cards counted as they change, so that
statistics read few rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model
from models.types import UTCDateTime

__all__ = ["CardTotal", "ReviewDay", "ReviewDayMark"]


class ReviewDay(Model):
    """A learner's reviews in one bank on one study day that is over, summed once and kept.

    Rows hold every review logged before the learner's :class:`ReviewDayMark`, on study days
    in the zone and rollover hour written there; later reviews are summed on each visit.
    ``counted_before`` is the mark the row was counted up to: a day is counted once, but a
    request that reads the rows while another moves the mark must not see the new ones.
    """

    __tablename__ = "review_days"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    counted_before: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[int] = mapped_column(Integer)
    young_passed: Mapped[int] = mapped_column(Integer)
    young_failed: Mapped[int] = mapped_column(Integer)
    mature_passed: Mapped[int] = mapped_column(Integer)
    mature_failed: Mapped[int] = mapped_column(Integer)


class ReviewDayMark(Model):
    """How far a learner's :class:`ReviewDay` rows go, and the study days they were cut in."""

    __tablename__ = "review_day_marks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    timezone: Mapped[str] = mapped_column(String(64))
    rollover_hour: Mapped[int] = mapped_column(Integer)
    counted_before: Mapped[datetime] = mapped_column(UTCDateTime)


class CardTotal(Model):
    """How many of a learner's cards (not retired) of one bank are in one state, suspended
    or not, in one interval bucket and one difficulty bucket.

    Kept by triggers on ``cards`` (migration 0016), so every write of a card moves it.
    ``interval_bucket`` is the low end of the bucket of ``srs.stats.INTERVAL_BUCKETS`` of a
    review card, -1 for one due before its last review, -2 for any other card;
    ``difficulty_bucket`` the low end of a studied card's difficulty bucket, 0 for none. A
    row with ``state`` -1 and ``bank_id`` '' (:data:`services.card_totals.MARK`) says the
    learner's rows are complete; a learner without it has their cards counted afresh. A
    migration that rebuilds ``cards`` (a batch copy on SQLite) drops the triggers with the
    old table and must create them again.
    """

    __tablename__ = "card_totals"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    suspended: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    interval_bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    difficulty_bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    cards: Mapped[int] = mapped_column(Integer)

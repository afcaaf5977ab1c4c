"""Study days that are over, summed once and kept, so that statistics read few rows."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model
from models.types import UTCDateTime

__all__ = ["ReviewDay", "ReviewDayMark"]


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

"""Manual reschedules: postpone, advance and a break, kept so that each can be undone."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model
from models.types import UTCDateTime, now_utc

__all__ = ["Reschedule", "RescheduledCard"]

_BigId = BigInteger().with_variant(Integer, "sqlite")


class Reschedule(Model):
    """One manual reschedule by a learner: which kind, when, over which days, and whether
    it was undone. ``first_day`` and ``last_day`` are the learner's days it was about (a
    postpone's spread, a trip's dates)."""

    __tablename__ = "reschedules"
    __table_args__ = (Index("ix_reschedules_user_time", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # postpone | advance | break
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    cards = relationship("RescheduledCard", cascade="all, delete-orphan", passive_deletes=True)


class RescheduledCard(Model):
    """One card a reschedule moved: its due time before and after."""

    __tablename__ = "rescheduled_cards"

    reschedule_id: Mapped[int] = mapped_column(
        ForeignKey("reschedules.id", ondelete="CASCADE"), primary_key=True
    )
    card_id: Mapped[int] = mapped_column(
        _BigId, ForeignKey("cards.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    due_before: Mapped[datetime] = mapped_column(UTCDateTime)
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)

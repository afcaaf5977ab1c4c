"""A learner's cards and the log of their reviews."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import db
from models.types import UTCDateTime, now_utc

__all__ = ["Card", "Review"]

# SQLite gives rowids only to INTEGER primary keys; PostgreSQL gets the wider type.
_BigId = BigInteger().with_variant(Integer, "sqlite")


class Card(db.Model):
    """One learner's schedule for one card of a question (``ordinal`` picks the card).

    Cards are created when first needed. The scheduling fields mirror ``fsrs.Card``;
    ``state`` 0 is a card not yet studied. ``bank_id`` is copied from the question so that
    the due-card query is one walk of ``ix_cards_user_bank_due``. ``retired`` follows the
    question (or a cloze deletion that disappeared).
    """

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", "ordinal"),
        Index("ix_cards_user_bank_due", "user_id", "bank_id", "due"),
        Index("ix_cards_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(SmallInteger, default=0)
    state: Mapped[int] = mapped_column(SmallInteger, default=0)
    step: Mapped[int | None] = mapped_column(SmallInteger)
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended: Mapped[bool] = mapped_column(default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    question = relationship("Question")


class Review(db.Model):
    """One answer: the rating given, how long it took, and the card's state around it."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_user_time", "user_id", "reviewed_at"),
        Index("ix_reviews_card_time", "card_id", "reviewed_at"),
        UniqueConstraint("user_id", "review_token"),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rating: Mapped[int] = mapped_column(SmallInteger)
    elapsed_ms: Mapped[int | None]
    state_before: Mapped[int] = mapped_column(SmallInteger)
    state_after: Mapped[int] = mapped_column(SmallInteger)
    review_token: Mapped[str | None] = mapped_column(String(64))

"""Quizzes taken: what was drawn, what was answered, the score."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model
from models.types import UTCDateTime

__all__ = ["SHARE_KEY_LENGTH", "Quiz", "QuizAnswer"]

SHARE_KEY_LENGTH = 200


class Quiz(Model):
    """One quiz one learner takes. ``spec`` says what it drew from (with the seed, so the
    same quiz can be shared); ``items`` what it drew: ``[question id, card, item order]``."""

    __tablename__ = "quizzes"
    __table_args__ = (Index("ix_quizzes_user_started", "user_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    share_key: Mapped[str] = mapped_column(String(SHARE_KEY_LENGTH), index=True)
    items: Mapped[list[Any]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timed_out: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None]
    mistakes_studied: Mapped[bool] = mapped_column(default=False)

    answers: Mapped[list[QuizAnswer]] = relationship(
        order_by="QuizAnswer.position", cascade="all, delete-orphan", passive_deletes=True
    )


class QuizAnswer(Model):
    """The answer to one question of a quiz, and its score (``None``: left blank)."""

    __tablename__ = "quiz_answers"

    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True)
    question_key: Mapped[str] = mapped_column(String(64))
    ordinal: Mapped[int] = mapped_column(default=0)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    score: Mapped[float | None]
    flagged: Mapped[bool] = mapped_column(default=False)

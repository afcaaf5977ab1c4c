"""Accounts, their study settings, API tokens, and the banks a learner has left."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import db
from models.types import UTCDateTime, now_utc
from srs.scheduler import StudySettings, bounded_steps

__all__ = ["ApiToken", "LeftBank", "User"]

_DEFAULTS = StudySettings()


class User(UserMixin, db.Model):
    """A person with an account; the study settings are theirs alone."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    desired_retention: Mapped[float] = mapped_column(default=_DEFAULTS.desired_retention)
    new_per_day: Mapped[int] = mapped_column(default=_DEFAULTS.new_per_day)
    reviews_per_day: Mapped[int] = mapped_column(default=_DEFAULTS.reviews_per_day)
    learning_steps: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(_DEFAULTS.learning_steps)
    )
    relearning_steps: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(_DEFAULTS.relearning_steps)
    )
    rollover_hour: Mapped[int] = mapped_column(default=_DEFAULTS.rollover_hour)
    timezone: Mapped[str] = mapped_column(String(64), default=_DEFAULTS.timezone)
    maximum_interval: Mapped[int] = mapped_column(default=_DEFAULTS.maximum_interval)
    fsrs_parameters: Mapped[list[float] | None] = mapped_column(JSON)
    # The interface language ("en", "zh_Hans"); None follows the browser's Accept-Language.
    locale: Mapped[str | None] = mapped_column(String(16))
    # Part of the id kept in session and remember-me cookies: raising it ends every session
    # signed in before (a new password, "sign out everywhere").
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Sign this account out of every browser; the caller commits."""
        self.session_version += 1

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled account cannot sign in
        return not self.disabled

    def study_settings(self) -> StudySettings:
        return StudySettings(
            desired_retention=self.desired_retention,
            new_per_day=self.new_per_day,
            reviews_per_day=self.reviews_per_day,
            learning_steps=bounded_steps(self.learning_steps),
            relearning_steps=bounded_steps(self.relearning_steps),
            rollover_hour=self.rollover_hour,
            timezone=self.timezone,
            maximum_interval=self.maximum_interval,
            parameters=tuple(self.fsrs_parameters) if self.fsrs_parameters else None,
        )


class ApiToken(db.Model):
    """A bearer token for the API; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    PREFIX = "wengu_"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple[ApiToken, str]:
        """A new token for ``user``: the row to add, and the token to show once."""
        token = cls.PREFIX + secrets.token_urlsafe(32)
        return cls(user_id=user.id, token_hash=cls.digest(token)), token


class LeftBank(db.Model):
    """A bank a learner chose to leave: it is not studied until they join it again."""

    __tablename__ = "left_banks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    left_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

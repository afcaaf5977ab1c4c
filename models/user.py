"""Accounts, their study settings, API tokens, and the banks a learner has left."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from models.base import Model
from models.types import UTCDateTime, now_utc
from srs.scheduler import StudySettings, bounded_easy_days, bounded_steps

__all__ = ["NAME_KEY_LENGTH", "ApiToken", "LeftBank", "SignIn", "User", "name_key"]

_DEFAULTS = StudySettings()
# Room for a name of 80 characters that case folding and NFKC lengthen ("ß" is "ss").
NAME_KEY_LENGTH = 255


def name_key(name: str) -> str:
    """The form of a name that sign-in and uniqueness compare: NFKC with case folding, so
    "Ärger" and "ärger", "STRASSE" and "Straße", "ＡＢＣ" and "abc" are one name."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())


class User(UserMixin, Model):
    """A person with an account; the study settings are theirs alone."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)  # as typed, for display
    # Set with the name (below); the default only fills rows of the migration that added it.
    name_key: Mapped[str] = mapped_column(
        String(NAME_KEY_LENGTH), unique=True, index=True, server_default=""
    )
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
    # How much review each day of the week takes, Monday first, as fractions of a normal
    # day (Anki's easy days); None is a normal week.
    easy_days: Mapped[list[float] | None] = mapped_column(JSON)
    # The interface language ("en", "zh_Hans"); None follows the browser's Accept-Language.
    locale: Mapped[str | None] = mapped_column(String(16))
    # Part of the id kept in session and remember-me cookies: raising it ends every session
    # signed in before (a new password, "sign out everywhere").
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    @validates("name")
    def _keep_name_key(self, _key: str, name: str) -> str:
        # The key follows the name wherever it is set, so no writer can forget it.
        self.name_key = name_key(name)
        return name

    # The sign-in (SignIn) this request's cookies name, once loaded or signed in.
    sign_in_id = ""

    def get_id(self) -> str:  # Flask-Login: what the session and remember-me cookies hold
        return f"{self.id}.{self.session_version}.{self.sign_in_id}"

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
            easy_days=bounded_easy_days(self.easy_days),
        )


class ApiToken(Model):
    """A bearer token for the API; only its SHA-256 is kept. ``name`` says what it is for;
    ``last_used_at`` is kept to the minute (see ``services.accounts.user_for_token``)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    PREFIX = "wengu_"

    @staticmethod
    def digest(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(
        cls, user: User, name: str = "", expires_at: datetime | None = None
    ) -> tuple[ApiToken, str]:
        """A new token for ``user``: the row to add, and the token to show once."""
        token = cls.PREFIX + secrets.token_urlsafe(32)
        row = cls(user_id=user.id, token_hash=cls.digest(token), name=name, expires_at=expires_at)
        return row, token

    def live(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


class SignIn(Model):
    """One browser signed in to an account: its session and remember-me cookies name it
    (``User.get_id``). Signing out deletes it, so that a copy of either cookie taken before
    signs in no one; ending an account's sessions deletes them all. Only the SHA-256 of the
    id the cookies carry is kept."""

    __tablename__ = "sign_ins"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    @staticmethod
    def digest(sign_in: str) -> str:
        return hashlib.sha256(sign_in.encode()).hexdigest()


class LeftBank(Model):
    """A bank a learner chose to leave: it is not studied until they join it again."""

    __tablename__ = "left_banks"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    left_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

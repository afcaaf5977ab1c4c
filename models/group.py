"""Study groups: members and their roles, invites, the banks a group studies; site settings."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model
from models.types import UTCDateTime, now_utc

__all__ = [
    "MEMBER",
    "OWNER",
    "Group",
    "GroupBank",
    "Invite",
    "Membership",
    "Removal",
    "SiteSetting",
]

OWNER, MEMBER = "owner", "member"
# No 0/O or 1/I/L: codes are read aloud and typed from paper.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class Group(Model):
    """A study group: people who study the same banks and see each other's progress."""

    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan", passive_deletes=True
    )
    invites: Mapped[list[Invite]] = relationship(
        back_populates="group",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Invite.created_at.desc()",
    )
    banks: Mapped[list[GroupBank]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )
    removals: Mapped[list[Removal]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Membership(Model):
    """One person in one group; ``shares_progress`` puts them on the group board."""

    __tablename__ = "memberships"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MEMBER)
    shares_progress: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    group: Mapped[Group] = relationship(back_populates="memberships")
    user = relationship("User")


class Removal(Model):
    """A learner an owner removed from a group, kept out of it: an invite does not let them
    join again until an owner allows them to rejoin."""

    __tablename__ = "group_removals"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Invite(Model):
    """A code that lets people register (or sign in) and join a group, until it expires."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    max_uses: Mapped[int | None]
    uses: Mapped[int] = mapped_column(default=0)

    group: Mapped[Group] = relationship(back_populates="invites")

    @staticmethod
    def new_code() -> str:
        raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))
        return f"{raw[:5]}-{raw[5:]}"

    def usable(self, now: datetime) -> bool:
        return (
            self.revoked_at is None
            and now < self.expires_at
            and (self.max_uses is None or self.uses < self.max_uses)
        )


class GroupBank(Model):
    """A bank a group studies: its members study it, and the board counts it."""

    __tablename__ = "group_banks"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )


class SiteSetting(Model):
    """A setting of the whole server that admins change in the page (not the environment)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)

    OPEN_REGISTRATION = "open_registration"

    @classmethod
    def get(cls, session: Any, key: str, default: Any = None) -> Any:
        row = session.get(cls, key)
        return default if row is None else row.value

    @classmethod
    def set(cls, session: Any, key: str, value: Any) -> None:
        row = session.get(cls, key)
        if row is None:
            session.add(cls(key=key, value=value))
        else:
            row.value = value

"""Creating accounts and checking credentials."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from models.types import now_utc
from models.user import ApiToken, User

__all__ = [
    "MIN_PASSWORD",
    "AccountError",
    "account_defaults",
    "authenticate",
    "check_password",
    "create_user",
    "failed_sign_in",
    "has_users",
    "issue_token",
    "revoke_tokens",
    "set_password",
    "user_for_token",
]

MIN_PASSWORD = 8
# Werkzeug's scrypt: memory-hard, the current default. Tests swap in a cheap method.
PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hash method, not a password)


class AccountError(ValueError):
    """A name or password that cannot be used; the message says why."""


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_l("The password needs at least %(min)d characters.", min=MIN_PASSWORD))
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    if user.id is not None:  # a new password ends the sessions signed in with the old one
        user.end_sessions()


def account_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """What a new account starts with from the server's settings: its time zone and
    interface language (``None``: the browser's)."""
    return {
        "timezone": config.get("WENGU_DEFAULT_TIMEZONE") or "UTC",
        "locale": config.get("WENGU_DEFAULT_LANGUAGE") or None,
    }


def create_user(
    session: Session,
    name: str,
    password: str,
    *,
    admin: bool = False,
    timezone: str = "UTC",
    locale: str | None = None,
) -> User:
    """Add an account; the caller commits. ``timezone`` and ``locale`` are where it starts
    (see :func:`account_defaults`); the learner changes them in their settings.

    Raises:
        AccountError: the name is empty, too long or taken, or the password too short.
    """
    name = name.strip()
    if not name or len(name) > 80:
        raise AccountError(_l("The name must be 1 to 80 characters."))
    taken = session.scalar(select(User.id).where(func.lower(User.name) == name.lower()))
    if taken is not None:
        raise AccountError(_l("The name '%(name)s' is taken.", name=name))
    user = User(name=name, is_admin=admin, timezone=timezone, locale=locale)
    set_password(user, password)
    session.add(user)
    session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active account with this name and password, or ``None``."""
    user = session.scalar(select(User).where(func.lower(User.name) == name.strip().lower()))
    if user is None or user.disabled or not check_password(user, password):
        return None
    return user


def failed_sign_in(session: Session, name: str) -> str:
    """A failed sign-in as the log names it: the account's own name when one matches, and
    never what was typed otherwise (a password typed into the name field must not be kept)."""
    user = session.scalar(select(User).where(func.lower(User.name) == name.strip().lower()))
    if user is None:
        return "an unknown name"
    return f"account {user.name!r}{' (disabled)' if user.disabled else ''}"


def issue_token(session: Session, user: User) -> str:
    """A new API token for ``user``; only its hash is stored, so it is shown once."""
    row, token = ApiToken.issue(user)
    session.add(row)
    session.flush()
    return token


_TOKEN_USER = (
    select(User)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked_at.is_(None),
        User.disabled.is_(False),
    )
)


def user_for_token(session: Session, token: str) -> User | None:
    """The enabled account a live token belongs to, read with the token in one query."""
    return session.scalar(_TOKEN_USER, {"digest": ApiToken.digest(token)})


def revoke_tokens(session: Session, user: User) -> int:
    """Revoke every token of ``user``; returns how many."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    ).all()
    for row in rows:
        row.revoked_at = now_utc()
    return len(rows)

"""Sign-ins: each browser signed in to an account (:class:`models.user.SignIn`), opened by
signing in, closed by signing out, all closed when the account's sessions end
(``services.accounts.end_sessions``)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from models.types import now_utc
from models.user import SignIn, User

__all__ = [
    "MOST_SIGN_INS",
    "SIGN_IN_LASTS",
    "close_sign_in",
    "open_sign_in",
    "still_signed_in",
    "user_for_sign_in",
]

# A remember-me cookie lasts a year (Flask-Login's default); its sign-in is kept as long.
SIGN_IN_LASTS = timedelta(days=366)


# Browsers signed in to one account at once: past it, the one signed in longest ago is
# signed out, so that signing in again and again adds no row without end.
MOST_SIGN_INS = 30


def open_sign_in(session: Session, user: User) -> str:
    """A new sign-in of ``user`` on one browser (:class:`models.user.SignIn`): its id, set
    on ``user`` for the cookies; the caller commits. The account's sign-ins older than a
    remember-me cookie lasts go, and the oldest past :data:`MOST_SIGN_INS`."""
    sign_in = secrets.token_urlsafe(32)
    newest = (
        select(SignIn.id_hash)
        .where(SignIn.user_id == user.id)
        .order_by(SignIn.created_at.desc(), SignIn.id_hash)
        .limit(MOST_SIGN_INS - 1)
    )
    gone = or_(SignIn.created_at < now_utc() - SIGN_IN_LASTS, SignIn.id_hash.not_in(newest))
    session.execute(delete(SignIn).where(SignIn.user_id == user.id, gone))
    session.add(SignIn(id_hash=SignIn.digest(sign_in), user_id=user.id))
    user.sign_in_id = sign_in
    return sign_in


def close_sign_in(session: Session, user: User) -> None:
    """End the sign-in ``user`` was loaded with: its cookies sign in no one from now on;
    the caller commits."""
    if user.sign_in_id:
        session.execute(delete(SignIn).where(SignIn.id_hash == SignIn.digest(user.sign_in_id)))


def user_for_sign_in(session: Session, user_id: int, sign_in: str) -> User | None:
    """The account ``user_id`` if ``sign_in`` is one of its sign-ins still open."""
    user = session.scalar(
        select(User)
        .join(SignIn, SignIn.user_id == User.id)
        .where(User.id == user_id, SignIn.id_hash == SignIn.digest(sign_in))
    )
    if user is not None:
        user.sign_in_id = sign_in
    return user


def still_signed_in(session: Session, user: User, sign_in: str) -> bool:
    """Whether ``sign_in`` is open and ``user``'s sessions were not ended since it was read."""
    found = select(SignIn.user_id).join(User, User.id == SignIn.user_id)
    found = found.where(
        SignIn.id_hash == SignIn.digest(sign_in),
        User.id == user.id,
        User.session_version == user.session_version,
    )
    return session.scalar(found) is not None

"""Password reset links an admin makes for an account, to send to its owner.

A link is the account's id and the end of its password hash, with the id of the admin who
made it, signed with the server's key, for a day. The password hash ties it to the password
it replaces (once changed, the link no longer matches: it works once); the admin's id ties
it to them (once they are deleted, disabled or no longer an admin, it works no more).
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from models import User, db
from services.admins import acts_as_admin

__all__ = ["RESET_MAX_AGE", "reset_token", "user_for_reset"]

RESET_MAX_AGE = 24 * 60 * 60
_RESET_SALT = "wengu-password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def reset_token(user: User, admin_id: int) -> str:
    """The token of a reset link for ``user``, made by the admin ``admin_id``."""
    return _serializer().dumps([user.id, user.password_hash[-16:], admin_id])


def user_for_reset(token: str) -> User | None:
    """The account a reset token is for, while the token is good; otherwise ``None``."""
    try:
        user_id, fingerprint, admin_id = _serializer().loads(token, max_age=RESET_MAX_AGE)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(admin_id, int):
        return None
    user = db.session.get(User, user_id)
    if user is None or user.password_hash[-16:] != fingerprint:
        return None
    return user if acts_as_admin(db.session, admin_id) else None

"""Creating accounts and checking credentials."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from flask_babel import lazy_gettext as _l
from sqlalchemy import Engine, Table, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from models.group import Invite, SiteSetting
from models.types import now_utc
from models.user import NAME_KEY_LENGTH, ApiToken, SignIn, User, name_key
from services.conflict import committed, rows_changed
from services.context import rows
from services.driver import DriverStatement, loaded
from services.groups import join_group
from services.names import name_problem
from services.sign_ins import still_signed_in
from srs.study import TIME_ZONES

__all__ = [
    "LAST_USED_EVERY",
    "MAX_TOKEN_DAYS",
    "MAX_ZONE_CHARS",
    "MIN_PASSWORD",
    "AccountError",
    "AlreadySetUpError",
    "ZoneError",
    "account_defaults",
    "authenticate",
    "check_password",
    "check_zone",
    "create_first_admin",
    "create_user",
    "end_sessions",
    "failed_sign_in",
    "find_user",
    "has_users",
    "issue_token",
    "name_problem",
    "revoke_token",
    "revoke_tokens",
    "set_disabled",
    "set_password",
    "sign_up",
    "user_for_token",
    "user_tokens",
]

MIN_PASSWORD = 8
# Werkzeug's scrypt: memory-hard, the current default. Tests swap in a cheap method.
PASSWORD_METHOD = "scrypt"  # noqa: S105 (a hash method, not a password)


class AccountError(ValueError):
    """A name or password that cannot be used; the message says why."""


class AlreadySetUpError(AccountError):
    """A first run found an account made since it began."""


class ZoneError(AccountError):
    """A time zone that is not one of the IANA zones Wengu knows."""


MAX_ZONE_CHARS = 64
"""Far above the longest IANA name (about 30 characters), far below what would fill a page."""


def check_zone(zone: str) -> str:
    """``zone`` if it is a time zone of :data:`srs.study.TIME_ZONES` (IANA names, as a
    browser's ``Intl`` gives them).

    Raises:
        ZoneError: the name is longer than :data:`MAX_ZONE_CHARS`, or naming the zone,
            which is not one.
    """
    if len(zone) > MAX_ZONE_CHARS:
        raise ZoneError(_l("A time zone's name is at most %(max)d characters.", max=MAX_ZONE_CHARS))
    if zone not in TIME_ZONES:
        raise ZoneError(
            _l(
                "'%(zone)s' is not a time zone Wengu knows: choose one of the list, "
                "such as Asia/Shanghai or Europe/Berlin.",
                zone=zone,
            )
        )
    return zone


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None


def set_password(user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(_l("The password needs at least %(min)d characters.", min=MIN_PASSWORD))
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    if user.id is not None:  # a new password ends the sessions signed in with the old one
        end_sessions(user)


def end_sessions(user: User) -> None:
    """Sign ``user`` out of every browser and revoke their API tokens; the caller commits.
    Whoever had the password or a session could have made a token, so a recovery step that
    left tokens alive would recover nothing."""
    session = object_session(user)
    if session is not None and user.id is not None:
        _hold_account(session, user.id)
    user.session_version += 1
    if session is not None and user.id is not None:
        session.execute(delete(SignIn).where(SignIn.user_id == user.id))
        revoke_tokens(session, user)


def _hold_account(session: Session, user_id: int) -> None:
    """Hold the account's row until the transaction ends (PostgreSQL; SQLite has one writer
    at a time): ending its sessions and making a token in one of them go one after the
    other, so that the token is either revoked with the rest or refused."""
    session.execute(select(User.id).where(User.id == user_id).with_for_update())


def set_disabled(user: User, disabled: bool) -> None:
    """Disable ``user`` (no sign-in; every session ended and every token revoked, so that
    enabling the account again brings none of them back) or enable it; the caller commits."""
    if disabled and not user.disabled:
        end_sessions(user)
    user.disabled = disabled


def account_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """What a new account starts with from the server's settings: its time zone and
    interface language (``None``: the browser's)."""
    return {
        "timezone": config.get("WENGU_DEFAULT_TIMEZONE") or "UTC",
        "locale": config.get("WENGU_DEFAULT_LANGUAGE") or None,
    }


def find_user(session: Session, name: str) -> User | None:
    """The account whose name is ``name`` in its normal form (case, width and accents as
    composed do not matter), disabled or not."""
    return session.scalar(select(User).where(User.name_key == name_key(name)))


def _name_taken(name: str) -> AccountError:
    return AccountError(_l("The name '%(name)s' is taken.", name=name))


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

    Two requests may register one name at once: both find it free, and the database's
    unique ``name_key`` refuses the second. The caller runs this under
    ``services.conflict.committed``, whose second run finds the name taken.

    Raises:
        AccountError: the name is empty, too long or taken, or the password too short.
    """
    name = name.strip()
    key = name_key(name)
    if not name or not key or len(name) > 80 or len(key) > NAME_KEY_LENGTH:
        raise AccountError(_l("The name must be 1 to 80 characters."))
    if find_user(session, name) is not None:
        raise _name_taken(name)
    if problem := name_problem(name):
        raise AccountError(problem)
    user = User(name=name, is_admin=admin, timezone=timezone, locale=locale)
    set_password(user, password)
    session.add(user)
    session.flush()
    return user


# A row only the first run's transaction inserts: two first runs at once both find no
# account, and the second breaks this key instead of making a second admin.
SET_UP = "set_up"


def create_first_admin(session: Session, name: str, password: str, **defaults: Any) -> User | None:
    """The first account, an admin; ``None`` if an account exists already. Run under
    ``services.conflict.committed``: the loser of two first runs at once finds the winner's.

    ``defaults`` are :func:`account_defaults`.

    Raises:
        AccountError: as ``create_user``.
    """
    if has_users(session):
        return None
    user = create_user(session, name, password, admin=True, **defaults)
    session.add(SiteSetting(key=SET_UP, value=True))
    session.flush()
    return user


def sign_up(
    session: Session,
    name: str,
    password: str,
    config: Mapping[str, Any],
    *,
    first_admin: bool = False,
    invite: Invite | None = None,
    now: datetime | None = None,
    timezone: str | None = None,
    locale: str | None = None,
) -> User:
    """Make an account and commit it: the first admin at setup, a learner who registers, or
    one who joins a group with ``invite`` (at ``now``) in the same transaction.

    ``timezone`` is the zone its study days follow, as the browser gave it and the learner
    confirmed; without one, the server's default. ``locale`` is the interface language the
    visitor chose on the page they signed up on; without one, the server's default.

    Run under ``services.conflict.committed``: a name two people register at once is taken
    by one, and the other is told so. ``config`` gives the account's defaults
    (:func:`account_defaults`).

    Raises:
        AccountError: as :func:`create_user`; :class:`AlreadySetUpError` when
            ``first_admin`` and another first run won; :class:`ZoneError` for a
            ``timezone`` that is not one.
        services.groups.GroupError: the invite was used up meanwhile.
    """
    defaults = account_defaults(config)
    if timezone:
        defaults["timezone"] = check_zone(timezone)
    if locale:
        defaults["locale"] = locale

    def make() -> User:
        if first_admin:
            admin = create_first_admin(session, name, password, **defaults)
            if admin is None:
                raise AlreadySetUpError("the server is set up already")
            return admin
        user = create_user(session, name, password, **defaults)
        if invite is not None:
            join_group(session, user, invite, now or now_utc())
        return user

    try:
        return committed(session, make)
    except ValueError:  # AccountError or GroupError: nothing of the account is kept
        session.rollback()
        raise


def check_password(user: User, password: str) -> bool:
    return check_password_hash(user.password_hash, password)


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("not anyone's password", method=method)


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The active account with this name and password, or ``None``.

    The password is hashed whether or not the account exists or is enabled: an unknown
    name answering at once would tell a guesser which names exist.
    """
    user = find_user(session, name)
    known = user.password_hash if user is not None else _dummy_hash(PASSWORD_METHOD)
    matches = check_password_hash(known, password)
    if user is None or user.disabled or not matches:
        return None
    return user


def failed_sign_in(session: Session, name: str) -> str:
    """A failed sign-in as the log names it: the account's own name when one matches, and
    never what was typed otherwise (a password typed into the name field must not be kept)."""
    user = find_user(session, name)
    if user is None:
        return "an unknown name"
    return f"account {user.name!r}{' (disabled)' if user.disabled else ''}"


MAX_TOKEN_DAYS = 3650
# The API's hot path reads a token on every request; it writes ``last_used_at`` only when
# the stored time is older than this.
LAST_USED_EVERY = timedelta(minutes=1)


def issue_token(
    session: Session,
    user: User,
    *,
    name: str = "",
    days: int | None = None,
    now: datetime | None = None,
    sign_in: str | None = None,
) -> str:
    """A new API token for ``user``, lasting ``days`` (None: until revoked); only its hash
    is stored, so it is shown once. Made in a browser, ``sign_in`` is the sign-in asking:
    the token is made only while it is open and the account's sessions were not ended
    since ``user`` was read.

    Raises:
        AccountError: a name over 80 characters, a lifetime outside 1 to 3650 days, or the
            sign-in ended meanwhile (the caller rolls back).
    """
    now = now or now_utc()
    name = name.strip()
    if len(name) > 80:
        raise AccountError(_l("A token's name is at most 80 characters."))
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise AccountError(_l("A token lasts 1 to %(max)d days.", max=MAX_TOKEN_DAYS))
    expires_at = now + timedelta(days=days) if days is not None else None
    row, token = ApiToken.issue(user, name, expires_at)
    row.created_at = now
    _hold_account(session, user.id)
    session.add(row)
    session.flush()
    # Read after the write: on SQLite it holds the writer's lock, so the read sees the last
    # commit, a "sign out everywhere" that came first included.
    if sign_in is not None and not still_signed_in(session, user, sign_in):
        raise AccountError(_l("You were signed out meanwhile: sign in again to make a token."))
    return token


_TOKEN_USER = DriverStatement(
    select(
        *cast("Table", User.__table__).columns,
        ApiToken.id.label("token_id"),
        ApiToken.last_used_at.label("token_used_at"),
    )
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked_at.is_(None),
        or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > bindparam("now")),
        User.disabled.is_(False),
    )
)


def user_for_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The enabled account a live token belongs to, read with the token in one query.

    ``last_used_at`` is written at most once a minute a token, in its own short
    transaction: the request's own work is neither committed early nor held up by it.
    """
    now = now or now_utc()
    # Every API request reads it: run on the driver's cursor (services.driver).
    row = _TOKEN_USER.first(rows(session), {"digest": ApiToken.digest(token), "now": now})
    if row is None:
        return None
    user, token_id, last_used = loaded(session, User, row), row.token_id, row.token_used_at
    if last_used is None or last_used <= now - LAST_USED_EVERY:
        # The session's bind is the engine (a session bound to a connection has no pool).
        with cast(Engine, session.get_bind()).begin() as connection:
            # Conditional, so that requests racing past the check above write once.
            connection.execute(
                update(ApiToken)
                .where(
                    ApiToken.id == token_id,
                    or_(
                        ApiToken.last_used_at.is_(None),
                        ApiToken.last_used_at <= now - LAST_USED_EVERY,
                    ),
                )
                .values(last_used_at=now)
            )
    return user


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    """The tokens of ``user`` not revoked (expired ones too, marked so), newest first."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(session: Session, user: User, token_id: int, now: datetime) -> bool:
    """Revoke one token of ``user``; False if ``user`` has no such token."""
    result = session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            ApiToken.user_id == user.id,
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    return rows_changed(result) == 1


def revoke_tokens(session: Session, user: User) -> int:
    """Revoke every token of ``user``; returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )
    return rows_changed(result)

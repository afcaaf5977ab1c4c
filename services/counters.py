"""Rate-limit counters every worker shares: a table in the app's database, or Redis.

Flask-Limiter keeps its counters in a ``limits`` storage. Of the storages ``limits`` ships,
``memory://`` lives inside one process (two gunicorn workers allowed twice the limit) and
every other one (Redis, Memcached, MongoDB) needs a server. The database is already shared
by every worker and host, so without Redis the counters live in ``rate_counts``: one row a
counter, bumped by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` that SQLite and
PostgreSQL both run atomically. With ``WENGU_REDIS_URL`` the counters live in Redis; while
Redis does not answer they fall back to the table, with a warning in the log, so that limits
still hold across workers and sign-in keeps working.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from typing import Any

from limits.storage import Storage
from limits.storage.redis import RedisStorage
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

__all__ = [
    "SCHEME",
    "DatabaseStorage",
    "SharedStorage",
    "masked_url",
    "redis_problem",
]

log = logging.getLogger("wengu.limits")

SCHEME = "wengu"
# Seconds to wait for Redis before counting in the database: a sign-in waits at most this.
REDIS_TIMEOUT = 1.0
# After Redis failed, the database counts alone this long before Redis is tried again.
REDIS_RETRY_SECONDS = 10.0
# Rows of expired counters are removed after this many counts in one process.
SWEEP_EVERY = 500


def masked_url(url: str) -> str:
    """``url`` with its password hidden, for the log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # whatever make_url refuses: the log must not print the password
        return "<unreadable URL>"


_INCREMENT = text(
    "INSERT INTO rate_counts (counter, hits, expires_at) VALUES (:counter, :amount, :expires) "
    "ON CONFLICT (counter) DO UPDATE SET "
    "hits = CASE WHEN rate_counts.expires_at <= :now THEN :amount "
    "ELSE rate_counts.hits + :amount END, "
    "expires_at = CASE WHEN rate_counts.expires_at <= :now THEN :expires "
    "ELSE rate_counts.expires_at END "
    "RETURNING hits"
)


def _counter(key: str) -> str:
    """The row name of a limit's key: the key itself when short and plain, else a hash,
    since keys hold what a client sent (an ``X-Forwarded-For`` of any length, NUL bytes)."""
    if len(key) <= 200 and key.isascii() and key.isprintable():
        return key
    return "sha256/" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


_ENGINES: dict[tuple[int, str | URL], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def _engine(database_url: str | URL) -> Engine:
    """One pool a process and database, made again after a fork (gunicorn's workers), and
    shared by every app the process makes, so that none is left to close."""
    with _ENGINES_LOCK:
        key = (os.getpid(), database_url)
        if key not in _ENGINES:
            url = make_url(database_url)
            options: dict[str, Any] = {"pool_pre_ping": True}
            if url.get_backend_name() == "sqlite":
                options["connect_args"] = {"timeout": 10}
            else:
                options.update(pool_size=2, max_overflow=4)
            _ENGINES[key] = create_engine(url, **options)
        return _ENGINES[key]


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``rate_counts`` table of the app's database.

    Counts go through a small pool of their own (see :func:`_engine`), apart from the
    request's session: a count is committed at once, whatever the request then does.
    """

    STORAGE_SCHEME = None  # made by SharedStorage, never from a URI of its own

    def __init__(self, database_url: str | URL, **options: Any) -> None:
        super().__init__(None, **options)
        self.database_url = database_url
        self._counts = 0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        return _engine(self.database_url)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.engine.begin() as connection:
            hits = connection.execute(
                _INCREMENT,
                {"counter": _counter(key), "amount": amount, "now": now, "expires": now + expiry},
            ).scalar_one()
            self._counts += 1
            if self._counts % SWEEP_EVERY == 0:
                connection.execute(
                    text("DELETE FROM rate_counts WHERE expires_at <= :now"), {"now": now}
                )
        return int(hits)

    def get(self, key: str) -> int:
        with self.engine.connect() as connection:
            hits = connection.execute(
                text("SELECT hits FROM rate_counts WHERE counter = :counter AND expires_at > :now"),
                {"counter": _counter(key), "now": time.time()},
            ).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        now = time.time()
        with self.engine.connect() as connection:
            expires = connection.execute(
                text("SELECT expires_at FROM rate_counts WHERE counter = :counter"),
                {"counter": _counter(key)},
            ).scalar()
        return float(expires) if expires is not None and expires > now else now

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1 FROM rate_counts WHERE 1 = 0"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self.engine.begin() as connection:
            return connection.execute(text("DELETE FROM rate_counts")).rowcount

    def clear(self, key: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                text("DELETE FROM rate_counts WHERE counter = :counter"), {"counter": _counter(key)}
            )


def redis_problem(redis_url: str) -> str | None:
    """Why Redis at ``redis_url`` cannot be used now, or ``None`` when it answers."""
    import redis

    try:
        client = redis.Redis.from_url(
            redis_url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
    except ValueError as error:
        return f"not a Redis URL ({error})"
    try:
        client.ping()
    except redis.RedisError as error:
        return f"no answer ({error})"
    finally:
        client.close()
    return None


class SharedStorage(Storage):
    """The storage behind ``wengu://``: Redis when a URL is given and it answers, the
    database table otherwise."""

    STORAGE_SCHEME = [SCHEME]  # noqa: RUF012 (the base class declares it so)

    def __init__(
        self, uri: str | None = None, *, database_url: str | URL, redis_url: str | None = None
    ) -> None:
        super().__init__(uri)
        self.database = DatabaseStorage(database_url)
        self.redis: RedisStorage | None = None
        self.redis_url = redis_url
        self._redis_down_until = 0.0
        if redis_url:
            try:
                self.redis = RedisStorage(
                    redis_url,
                    socket_connect_timeout=REDIS_TIMEOUT,
                    socket_timeout=REDIS_TIMEOUT,
                )
            except Exception as error:
                log.warning(
                    "WENGU_REDIS_URL %s cannot be used (%s): rate limits are counted in the "
                    "database",
                    masked_url(redis_url),
                    error,
                )

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    def _call(self, method: str, *args: Any) -> Any:
        if self.redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                return getattr(self.redis, method)(*args)
            except self.redis.base_exceptions as error:
                self._redis_down_until = time.monotonic() + REDIS_RETRY_SECONDS
                log.warning(
                    "Redis at %s does not answer (%s): rate limits are counted in the "
                    "database for %d seconds",
                    masked_url(self.redis_url or ""),
                    error,
                    REDIS_RETRY_SECONDS,
                )
        return getattr(self.database, method)(*args)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return int(self._call("incr", key, expiry, amount))

    def get(self, key: str) -> int:
        return int(self._call("get", key))

    def get_expiry(self, key: str) -> float:
        return float(self._call("get_expiry", key))

    def check(self) -> bool:
        return bool(self._call("check"))

    def reset(self) -> int | None:
        if self.redis is not None:
            self.redis.reset()
        return self.database.reset()

    def clear(self, key: str) -> None:
        self._call("clear", key)

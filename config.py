"""Settings, read from the environment (``WENGU_*``) with defaults."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Collection, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from srs.study import TIME_ZONES

__all__ = [
    "PROJECT_ROOT",
    "VERSION",
    "SettingError",
    "check_settings",
    "deprecation_notices",
    "proxy_fix_exposure",
    "settings_from_env",
]

PROJECT_ROOT = Path(__file__).resolve().parent
# The release, as pyproject.toml and CHANGELOG.md name it; in /healthz and every backup.
VERSION = "0.2.0"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _database_url(environ: Mapping[str, str]) -> str | None:
    url = environ.get("WENGU_DATABASE_URL") or environ.get("DATABASE_URL")
    if url and url.startswith("postgres://"):
        # Heroku-style URLs; SQLAlchemy only knows the long scheme name.
        url = "postgresql://" + url[len("postgres://") :]
    if url and url.startswith("postgresql://"):
        # The driver Wengu ships is psycopg 3; SQLAlchemy's default would be psycopg2.
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url or None


# Settings that were renamed: the old name is still read, for one release, when the new one
# is unset; create_app logs a notice for each one still in use.
RENAMED_SETTINGS = {"WENGU_BANKS_DIR": "WENGU_QUIZZES"}


def _renamed(environ: Mapping[str, str], name: str) -> str | None:
    return environ.get(name) or environ.get(RENAMED_SETTINGS[name]) or None


def deprecation_notices(environ: Mapping[str, str] | None = None) -> list[str]:
    """One line for each renamed setting that ``environ`` still sets by its old name."""
    env = os.environ if environ is None else environ
    return [
        f"{old} is deprecated: set {new} instead ({old} is read, when {new} is unset, "
        "until the next release)"
        for new, old in RENAMED_SETTINGS.items()
        if env.get(old)
    ]


class SettingError(ValueError):
    """A setting that cannot be used; the message names it and says what would do."""


def check_settings(settings: MutableMapping[str, Any], languages: Collection[str]) -> None:
    """Check the server defaults at start, writing the language as the catalogues name it.

    Raises:
        SettingError: ``WENGU_DEFAULT_TIMEZONE`` is not an IANA time zone, or
            ``WENGU_DEFAULT_LANGUAGE`` is not one of ``languages``.
    """
    zone = settings.get("WENGU_DEFAULT_TIMEZONE") or "UTC"
    if zone not in TIME_ZONES:
        raise SettingError(
            f"WENGU_DEFAULT_TIMEZONE: unknown time zone {zone!r}; "
            "use an IANA name such as 'Asia/Shanghai' or 'Europe/Berlin'"
        )
    settings["WENGU_DEFAULT_TIMEZONE"] = zone
    level = settings.get("WENGU_LOG_LEVEL") or "INFO"
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingError(
            f"WENGU_LOG_LEVEL: unknown level {level!r}; use DEBUG, INFO, WARNING or ERROR"
        )
    language = settings.get("WENGU_DEFAULT_LANGUAGE")
    if language:
        known = {name.lower().replace("_", "-"): name for name in languages}
        found = known.get(language.strip().lower().replace("_", "-"))
        if found is None:
            raise SettingError(
                f"WENGU_DEFAULT_LANGUAGE: unknown language {language!r}; "
                f"use one of {', '.join(sorted(languages))}"
            )
        settings["WENGU_DEFAULT_LANGUAGE"] = found


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The app's settings from ``environ`` (the process environment by default).

    ``SQLALCHEMY_DATABASE_URI`` and ``SECRET_KEY`` are left ``None`` when unset: the app
    then uses SQLite and a generated key in its instance folder.
    """
    env = os.environ if environ is None else environ
    return {
        "SECRET_KEY": env.get("WENGU_SECRET_KEY") or None,
        "SQLALCHEMY_DATABASE_URI": _database_url(env),
        "WENGU_INSTANCE_PATH": env.get("WENGU_INSTANCE_PATH") or None,
        "WENGU_AUTO_MIGRATE": _flag(env.get("WENGU_AUTO_MIGRATE"), True),
        "WENGU_DATABASE_WAIT": float(env.get("WENGU_DATABASE_WAIT") or 30),
        "WENGU_AUTOLOAD_BANKS": _flag(env.get("WENGU_AUTOLOAD_BANKS"), True),
        "WENGU_BANKS_DIR": _renamed(env, "WENGU_BANKS_DIR") or str(PROJECT_ROOT / "quizzes"),
        "WENGU_MAX_BANK_BYTES": int(env.get("WENGU_MAX_BANK_BYTES") or 5 * 1024 * 1024),
        "WENGU_DEFAULT_TIMEZONE": env.get("WENGU_DEFAULT_TIMEZONE") or "UTC",
        "WENGU_DEFAULT_LANGUAGE": env.get("WENGU_DEFAULT_LANGUAGE") or None,
        "WENGU_LOG_LEVEL": (env.get("WENGU_LOG_LEVEL") or "INFO").upper(),
        "WENGU_SETUP_CODE": env.get("WENGU_SETUP_CODE") or None,
        "WENGU_EDIT_URL": env.get("WENGU_EDIT_URL") or None,
        "WENGU_HOST": env.get("WENGU_HOST") or "127.0.0.1",
        "WENGU_PORT": int(env.get("WENGU_PORT") or 5000),
        "WENGU_REDIS_URL": env.get("WENGU_REDIS_URL") or None,
        # Every worker and host counts together: in Redis when WENGU_REDIS_URL is set, in
        # the database otherwise and while Redis does not answer (services/counters.py).
        "RATELIMIT_STORAGE_URI": "wengu://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": int(env.get("WENGU_MAX_UPLOAD_BYTES") or 20 * 1024 * 1024),
        "SESSION_COOKIE_SECURE": _flag(env.get("WENGU_SECURE_COOKIES"), False),
        "REMEMBER_COOKIE_SECURE": _flag(env.get("WENGU_SECURE_COOKIES"), False),
        "WENGU_PROXY_FIX": _flag(env.get("WENGU_PROXY_FIX"), False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,  # a form stays valid as long as the session
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "application/javascript",
            "application/json",
            "image/svg+xml",
            "text/csv",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,  # the history download streams as it is read
    }


def _loopback(bind: str) -> bool:
    """Whether a listening address (``HOST:PORT``, ``[::1]:PORT``, ``unix:PATH``, a bare host)
    is reachable from this machine only."""
    if bind.startswith(("unix:", "fd://")):
        return True
    host = bind
    if host.startswith("["):
        host = host[1 : host.find("]")]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name or 0.0.0.0-style wildcard: assume others can reach it


def proxy_fix_exposure(binds: list[str], *, proxy_fix: bool) -> str | None:
    """A warning when Wengu trusts ``X-Forwarded-*`` headers yet listens where clients other
    than the proxy can reach it, or ``None``.

    Whoever reaches such an address directly can send a forged ``X-Forwarded-For`` and so
    pass the sign-in limit under as many addresses as they like.
    """
    exposed = [bind for bind in binds if not _loopback(bind)]
    if not proxy_fix or not exposed:
        return None
    return (
        f"WENGU_PROXY_FIX is on and Wengu listens on {', '.join(exposed)}, not only on "
        "loopback: a client that reaches it without the proxy can forge X-Forwarded-For and "
        "pass the sign-in limit. Bind to 127.0.0.1 or a unix socket behind the proxy, or make "
        "sure only the proxy can reach this address (docs/hosting.md)."
    )

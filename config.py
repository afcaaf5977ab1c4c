"""Settings, read from the environment (``WENGU_*``) with defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["PROJECT_ROOT", "VERSION", "settings_from_env"]

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
        "WENGU_QUIZZES": env.get("WENGU_QUIZZES") or str(PROJECT_ROOT / "quizzes"),
        "WENGU_MAX_BANK_BYTES": int(env.get("WENGU_MAX_BANK_BYTES") or 5 * 1024 * 1024),
        "WENGU_EDIT_URL": env.get("WENGU_EDIT_URL") or None,
        "WENGU_HOST": env.get("WENGU_HOST") or "127.0.0.1",
        "WENGU_PORT": int(env.get("WENGU_PORT") or 5000),
        "WENGU_REDIS_URL": env.get("WENGU_REDIS_URL") or None,
        "RATELIMIT_STORAGE_URI": env.get("WENGU_REDIS_URL") or "memory://",
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

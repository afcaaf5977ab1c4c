"""The database schema: brought to the newest migration when the app starts.

Migrations are Alembic's, through Flask-Migrate (``flask --app app db upgrade`` runs the same
thing by hand). Several processes may start at once (gunicorn workers, several hosts), so the
upgrade runs under a lock: an advisory lock on PostgreSQL, a file lock beside SQLite.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import text

from models.base import db

__all__ = ["MIGRATIONS", "current_revision", "head_revision", "upgrade_database"]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_LOCK_KEY = 0x57454E47  # "WENG"
log = logging.getLogger("wengu.schema")


def head_revision() -> str | None:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        # Configuring a context logs "Context impl ..." at INFO: not news on every start.
        quiet = logging.getLogger("alembic.runtime.migration")
        level = quiet.level
        quiet.setLevel(logging.WARNING)
        try:
            return MigrationContext.configure(connection).get_current_revision()
        finally:
            quiet.setLevel(level)


@contextmanager
def _lock(app: Flask) -> Iterator[None]:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                connection.commit()
        return
    with open(Path(app.instance_path) / ".migrate.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade_database() -> bool:
    """Upgrade to the newest revision if the database is behind; True if it was."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    head = head_revision()
    if current_revision() == head:
        return False
    with _lock(app):
        start = current_revision()
        if start == head:  # another process did it while we waited
            return False
        where = db.engine.url.render_as_string(hide_password=True)
        log.info("migrating the database %s from %s to %s", where, start or "nothing", head)
        upgrade(directory=str(MIGRATIONS))
    log.info("the database is at revision %s", head)
    return True

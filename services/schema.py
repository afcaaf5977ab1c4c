"""The database schema: brought to the newest migration by ``flask --app app db upgrade`` and
when the server starts (``python app.py``, gunicorn), never by other commands.

Migrations are Alembic's, through Flask-Migrate. Several processes may start at once (gunicorn
workers, several hosts), so the upgrade runs under a lock: an advisory lock on PostgreSQL, a file
lock beside SQLite.

Some revisions were published under one id and renamed later; a database stamped with an old id
is re-stamped with the new one (``ALIASES``) before Alembic reads it, so that it upgrades.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import Connection, inspect, text

from models.base import db

__all__ = [
    "ALIASES",
    "MIGRATIONS",
    "apply_aliases",
    "current_revision",
    "head_revision",
    "upgrade_database",
]

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
_LOCK_KEY = 0x57454E47  # "WENG"
log = logging.getLogger("wengu.schema")

# Revision ids that main once published, and the id the same migration has now. Only a rename
# of the very same migration belongs here: a database at the old id has the new id's schema.
ALIASES = {
    "0006i": "0006",  # the interface languages (users.locale), renamed when 0006-0009 were ordered
}


def apply_aliases(connection: Connection) -> str | None:
    """Re-stamp a database stamped with a renamed revision id; returns the id it had, if any.

    The caller commits. Safe to run on any database: one without ``alembic_version`` is left alone.
    """
    if not inspect(connection).has_table("alembic_version"):
        return None
    stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    renamed = None
    for old in stored:
        if old in ALIASES:
            connection.execute(
                text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
                {"new": ALIASES[old], "old": old},
            )
            renamed = old
    return renamed


def head_revision() -> str | None:
    """The newest revision this code knows."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision() -> str | None:
    """The database's revision (a renamed id read as its new name); None with no schema."""
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        heads = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        revisions = [ALIASES.get(head, head) for head in heads]
    return revisions[0] if len(revisions) == 1 else None


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

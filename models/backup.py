"""Backups of the whole database: SQLite's online backup, or pg_dump for PostgreSQL."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine

__all__ = ["BackupError", "backup_database", "restore_database"]


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says what to do instead."""


def _sqlite_path(engine: Engine) -> str:
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("An in-memory database has nothing to back up.")
    return path


def _run_pg(tool: str, *args: str, engine: Engine) -> None:
    """Run a PostgreSQL client tool against the engine's database.

    The password goes in PGPASSWORD, not on the command line where ``ps`` would show it.
    """
    url = engine.url.set(drivername="postgresql")  # libpq knows no "+psycopg"
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    command = [_pg_tool(tool), *args, url.set(password=None).render_as_string()]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (no shell; arguments from settings)
    if done.returncode != 0:
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.returncode}")


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client) of the server's version or newer, "
            f"or run {name} where they are: see the README's Backups section."
        )
    return tool


def backup_database(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to ``target`` while the app keeps running.

    SQLite uses its online backup API (readers and writers carry on; WAL is included);
    PostgreSQL uses ``pg_dump --format=custom``.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
            source.close()
        if verdict != "ok":
            raise BackupError(f"The copy failed its integrity check: {verdict}")
        return
    if engine.dialect.name == "postgresql":
        _run_pg("pg_dump", "--format=custom", "--no-owner", "--file", str(target), engine=engine)
        return
    raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def restore_database(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup at ``source``.

    The app should be stopped; afterwards, start it (or run ``flask db upgrade``) so that
    an older backup is migrated to the current schema.
    """
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        backup = sqlite3.connect(source)
        try:
            if backup.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not a sound SQLite database.")
            live = sqlite3.connect(_sqlite_path(engine))
            try:
                backup.backup(live)
            finally:
                live.close()
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source} is not a SQLite backup: {error}") from None
        finally:
            backup.close()
        return
    if engine.dialect.name == "postgresql":
        _run_pg(
            "pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
            str(source), "--dbname", engine=engine,
        )  # fmt: skip
        return
    raise BackupError(f"Restoring {engine.dialect.name} databases is not supported.")

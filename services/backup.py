"""Backups of the whole database, in one format for SQLite and PostgreSQL.

A backup is an uncompressed tar file holding two members:

- ``manifest.json``: ``format`` ("wengu-backup"), ``format_version`` (1), ``wengu_version``,
  ``database`` ("sqlite" or "postgresql"), ``schema_revision``, ``created_at`` (UTC, ISO 8601),
  ``counts`` of users, banks, questions, cards and reviews, and ``member``, the name of:
- the database: ``database.sqlite3`` (a copy made with SQLite's online backup API) or
  ``database.pgdump`` (``pg_dump --format=custom``).

The counts come from the copy itself (SQLite) or from the snapshot pg_dump reads (PostgreSQL),
so they describe exactly what the backup holds. Restore also accepts the plain files that Wengu
0.1 wrote (a bare SQLite database or a bare pg_dump archive).

A backup is written to a temporary file beside the target with mode 0600, flushed to disk and
renamed over the target only when complete: a failed backup leaves no file and an older backup
under the same name untouched.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import URL, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from config import VERSION

__all__ = [
    "FORMAT",
    "BackupError",
    "Manifest",
    "backup_database",
    "check_backup",
    "restore_database",
]

FORMAT = "wengu-backup"
FORMAT_VERSION = 1
COUNTED = ("users", "banks", "questions", "cards", "reviews")
MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says what to do instead."""


@dataclass(frozen=True)
class Manifest:
    """What a backup says about itself (a plain 0.1 backup knows only its database kind)."""

    database: str
    wengu_version: str | None = None
    schema_revision: str | None = None
    created_at: str | None = None
    counts: dict[str, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The manifest as written into the backup."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "wengu_version": self.wengu_version,
            "database": self.database,
            "schema_revision": self.schema_revision,
            "created_at": self.created_at,
            "counts": self.counts,
            "member": MEMBERS[self.database],
        }

    def contents(self) -> str:
        """``1 user, 1 bank, 12 questions…``: the counts for people (the table names are
        plurals in -s)."""
        return ", ".join(
            f"{n} {name.removesuffix('s') if n == 1 else name}"
            for name, n in (self.counts or {}).items()
        )

    def describe(self) -> str:
        """One line for people: what kind of backup, from when, holding how much."""
        kind = NAMES[self.database]
        if self.wengu_version is None:
            return f"a plain {kind} backup (from Wengu 0.1, no manifest)"
        return (
            f"a {kind} backup from Wengu {self.wengu_version}, schema revision "
            f"{self.schema_revision or '(none)'}, taken {self.created_at}: {self.contents()}"
        )


# ---------------------------------------------------------------- PostgreSQL client tools


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(
            f"{name} is not installed. Install the PostgreSQL client tools "
            f"(Debian: apt-get install postgresql-client) of the server's version or newer, "
            f"or run {name} where they are: see the README's Backups section."
        )
    return tool


def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _conninfo(url: URL) -> str:
    """A libpq connection string for the URL, without its password.

    Key-value form, so that any character in a name needs no URL encoding; query settings
    (``sslmode``, ``host=/run/postgresql``…) are passed on as they are.
    """
    parts = {"host": url.host, "port": url.port, "user": url.username, "dbname": url.database}
    for key, value in url.query.items():
        parts[key] = value if isinstance(value, str) else value[-1]
    return " ".join(
        f"{key}={_conninfo_value(str(value))}" for key, value in parts.items() if value is not None
    )


def _run_pg(tool: str, *args: str, url: URL) -> None:
    """Run a PostgreSQL client tool, connecting where ``url`` says.

    The URL's password goes in PGPASSWORD, not on the command line where ``ps`` would show it;
    without one, libpq's own PGPASSWORD or ~/.pgpass apply as for any client.
    """
    env = {**os.environ}
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    command = [_pg_tool(tool), *args, "--dbname", _conninfo(url)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 (no shell; arguments from settings)
    if done.returncode != 0:
        message = done.stderr.strip() or f"exit status {done.returncode}"
        raise BackupError(f"{tool} failed: {message}")


# ---------------------------------------------------------------- counts and revision


def _counts(connection: Connection | sqlite3.Connection) -> dict[str, int]:
    counts = {}
    for table in COUNTED:
        query = f"SELECT count(*) FROM {table}"  # noqa: S608 (names from COUNTED)
        if isinstance(connection, sqlite3.Connection):
            counts[table] = int(connection.execute(query).fetchone()[0])
        else:
            counts[table] = int(connection.execute(text(query)).scalar_one())
    return counts


def _revision(connection: Connection | sqlite3.Connection) -> str | None:
    query = "SELECT version_num FROM alembic_version"
    if isinstance(connection, sqlite3.Connection):
        rows = [row[0] for row in connection.execute(query)]
    else:
        rows = list(connection.execute(text(query)).scalars())
    return rows[0] if len(rows) == 1 else None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def _workspace(near: Path) -> Iterator[Path]:
    """A private temporary folder beside ``near`` (same file system, so a rename is atomic)."""
    near.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{near.name}.", dir=near.parent))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_container(target: Path, manifest: Manifest, database: Path, work: Path) -> None:
    """Tar the manifest and the database into a 0600 file in ``work``, then rename it to target."""
    partial = work / "backup.tar"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        with tarfile.open(fileobj=file, mode="w", format=tarfile.PAX_FORMAT) as tar:
            body = json.dumps(manifest.to_dict(), indent=2).encode() + b"\n"
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            info = tar.gettarinfo(str(database), arcname=MEMBERS[manifest.database])
            info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
            with database.open("rb") as member:
                tar.addfile(info, member)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, target)
    # The rename is durable only once the folder's entry is on disk too.
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def sqlite_path(engine: Engine) -> Path:
    """The SQLite database's file; an error for an in-memory database."""
    path = engine.url.database
    if not path or path == ":memory:":
        raise BackupError("An in-memory database has nothing to back up.")
    return Path(path)


def _backup_sqlite(engine: Engine, target: Path) -> Manifest:
    path = sqlite_path(engine)
    if not path.is_file():
        raise BackupError(f"There is no database at {path}.")
    with _workspace(target) as work:
        copy_path = work / MEMBERS["sqlite"]
        source = sqlite3.connect(path)
        copy = sqlite3.connect(copy_path)
        try:
            source.backup(copy)
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise BackupError(f"The copy failed its integrity check: {verdict}")
            manifest = Manifest("sqlite", VERSION, _revision(copy), _now(), _counts(copy))
        except sqlite3.DatabaseError as error:
            raise BackupError(f"Cannot read the database at {path}: {error}") from None
        finally:
            copy.close()
            source.close()
        _write_container(target, manifest, copy_path, work)
    return manifest


def _backup_postgresql(engine: Engine, target: Path) -> Manifest:
    _pg_tool("pg_dump")
    with _workspace(target) as work:
        dump = work / MEMBERS["postgresql"]
        try:
            with engine.connect().execution_options(
                isolation_level="REPEATABLE READ"
            ) as connection:
                # pg_dump reads the snapshot this transaction exported: the counts in the
                # manifest are those of the very rows it dumps, even while Wengu runs.
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                manifest = Manifest(
                    "postgresql", VERSION, _revision(connection), _now(), _counts(connection)
                )
                _run_pg(
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "--file",
                    str(dump),
                    url=engine.url,
                )
                connection.rollback()
        except SQLAlchemyError as error:
            raise BackupError(f"Cannot read the database: {_first_line(error)}") from None
        _write_container(target, manifest, dump, work)
    return manifest


def backup_database(engine: Engine, target: Path) -> Manifest:
    """Write a consistent backup of the database to ``target`` while the app keeps running.

    Returns the manifest written into it. Nothing is migrated or loaded first: the backup holds
    the database as it is.
    """
    if engine.dialect.name == "sqlite":
        return _backup_sqlite(engine, target)
    if engine.dialect.name == "postgresql":
        return _backup_postgresql(engine, target)
    raise BackupError(f"Backups of {engine.dialect.name} databases are not supported.")


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


# ---------------------------------------------------------------- reading


@contextlib.contextmanager
def _opened(source: Path) -> Iterator[tuple[Manifest, Path]]:
    """The backup's manifest and its database as a temporary file, removed afterwards."""
    if not source.is_file():
        raise BackupError(f"There is no backup at {source}.")
    with source.open("rb") as file:
        head = file.read(len(_SQLITE_MAGIC))
    if head == _SQLITE_MAGIC:
        yield Manifest("sqlite"), source
        return
    if head.startswith(_PGDUMP_MAGIC):
        yield Manifest("postgresql"), source
        return
    try:
        tar = tarfile.open(source, mode="r:")  # noqa: SIM115 (closed by the with below)
    except (tarfile.TarError, OSError):
        raise BackupError(f"{source} is not a Wengu backup.") from None
    with tar, tempfile.TemporaryDirectory(prefix="wengu-restore-") as work:
        manifest = _read_manifest(tar, source)
        member = MEMBERS[manifest.database]
        try:
            stream = tar.extractfile(member)
        except KeyError:
            stream = None
        if stream is None:
            raise BackupError(f"{source} has a manifest but no {member}.")
        database = Path(work) / member
        try:
            with stream, database.open("wb") as copy:
                shutil.copyfileobj(stream, copy)
        except (tarfile.TarError, OSError) as error:
            raise BackupError(f"{source} is cut short or damaged: {error}") from None
        yield manifest, database


def _read_manifest(tar: tarfile.TarFile, source: Path) -> Manifest:
    try:
        stream = tar.extractfile("manifest.json")
        data = json.loads(stream.read()) if stream else None
    except (KeyError, tarfile.TarError, OSError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Wengu backup (no readable manifest.json).")
    if data.get("format_version") != FORMAT_VERSION or data.get("database") not in MEMBERS:
        raise BackupError(
            f"{source} is a backup format this Wengu ({VERSION}) does not know: "
            f"format_version {data.get('format_version')}, database {data.get('database')}."
        )
    return Manifest(
        data["database"],
        data.get("wengu_version"),
        data.get("schema_revision"),
        data.get("created_at"),
        data.get("counts"),
    )


def _read_only(path: Path) -> str:
    return f"{path.resolve().as_uri()}?mode=ro"


def _check_sqlite(database: Path, source: Path) -> None:
    try:
        copy = sqlite3.connect(_read_only(database), uri=True)
        try:
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            copy.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source} does not hold a sound SQLite database: {error}") from None
    if verdict != "ok":
        raise BackupError(f"{source} does not hold a sound SQLite database: {verdict}")


def _check_pgdump(database: Path, source: Path) -> None:
    done = subprocess.run(  # noqa: S603 (no shell)
        [_pg_tool("pg_restore"), "--list", str(database)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.strip() or f"exit status {done.returncode}"
        raise BackupError(f"{source} does not hold a readable pg_dump archive: {message}")


def _same_kind(manifest: Manifest, dialect: str, source: Path) -> None:
    if manifest.database != dialect:
        raise BackupError(
            f"{source} is {manifest.describe()}; this Wengu uses a "
            f"{NAMES.get(dialect, dialect)} database. Restore it with WENGU_DATABASE_URL "
            f"set to a {NAMES[manifest.database]} database."
        )


def check_backup(source: Path, dialect: str | None = None) -> Manifest:
    """Read a backup's manifest and check that its database is readable; touches no database.

    With ``dialect``, the backup must also be of that kind of database.
    """
    with _opened(source) as (manifest, database):
        if dialect is not None:
            _same_kind(manifest, dialect, source)
        if manifest.database == "sqlite":
            _check_sqlite(database, source)
        else:
            _check_pgdump(database, source)
    return manifest


# Every table, sequence, view, type and function (not an extension's) in the public schema goes
# before the backup's are made: a restore over a newer schema leaves nothing of it behind.
_EMPTY_PUBLIC = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           ORDER BY c.relkind IN ('r', 'p') DESC LOOP
    EXECUTE format('DROP %s IF EXISTS public.%I CASCADE', CASE r.relkind WHEN 'v' THEN 'VIEW'
      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.relname);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') LOOP
    EXECUTE format('DROP TYPE IF EXISTS public.%I CASCADE', r.typname);
  END LOOP;
  FOR r IN SELECT oid::regprocedure AS f FROM pg_proc WHERE pronamespace = 'public'::regnamespace
           AND prokind = 'f' AND oid NOT IN (SELECT objid FROM pg_depend WHERE deptype = 'e') LOOP
    EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', r.f); END LOOP;
END $$;
"""


def _restore_postgresql(engine: Engine, dump: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="wengu-restore-") as work:
        script = Path(work) / "restore.sql"
        empty = Path(work) / "empty.sql"
        empty.write_text(_EMPTY_PUBLIC)
        done = subprocess.run(  # noqa: S603 (no shell)
            [_pg_tool("pg_restore"), "--no-owner", "--no-acl", "--file", str(script), str(dump)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip() or done.returncode}")
        # One transaction from emptying to the last row: a failure leaves the database as it was.
        _run_pg(
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set",
            "ON_ERROR_STOP=1",
            "--file",
            str(empty),
            "--file",
            str(script),
            url=engine.url,
        )


def _restore_sqlite(engine: Engine, copy: Path) -> None:
    live_path = sqlite_path(engine)
    live_path.parent.mkdir(parents=True, exist_ok=True)
    backup = sqlite3.connect(_read_only(copy), uri=True)
    try:
        live = sqlite3.connect(live_path)
        try:
            backup.backup(live)
        finally:
            live.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"Cannot restore into {live_path}: {error}") from None
    finally:
        backup.close()


def restore_database(engine: Engine, source: Path) -> Manifest:
    """Replace the database's contents with the backup at ``source``; returns its manifest.

    The backup is checked before anything is touched, and the database is replaced in one
    transaction. Nothing is migrated here: the caller brings the restored data to the current
    schema afterwards. Stop the app first.
    """
    with _opened(source) as (manifest, database):
        _same_kind(manifest, engine.dialect.name, source)
        if manifest.database == "sqlite":
            _check_sqlite(database, source)
            engine.dispose()
            _restore_sqlite(engine, database)
        else:
            _check_pgdump(database, source)
            engine.dispose()
            _restore_postgresql(engine, database)
    return manifest

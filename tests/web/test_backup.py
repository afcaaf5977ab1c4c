"""Backup then restore gives back the same data, on SQLite and on PostgreSQL with a password;
backups are private, atomic, carry a manifest, and can be checked without touching anything.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import tarfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, make_url

from config import VERSION
from models import User, db
from services import backup
from services.schema import head_revision
from tests.support import TEST_DATABASE_URL, dump, make_user, require

BANK = "id: b\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"


@pytest.fixture(autouse=True)
def client_tools() -> None:
    if TEST_DATABASE_URL:
        require(
            shutil.which("pg_dump") is not None and shutil.which("psql") is not None,
            "no pg_dump or psql (apt-get install postgresql-client)",
        )


def fill(app: Flask, runner: FlaskCliRunner, write_bank: Callable[..., Path]) -> None:
    result = runner.invoke(args=["bank", "import", str(write_bank("b", {"bank.yaml": BANK}))])
    assert result.exit_code == 0, result.output
    make_user(app, "ann")


def change(app: Flask) -> None:
    make_user(app, "bob")
    with app.app_context():
        db.session.execute(delete(User).where(User.name == "ann"))
        db.session.commit()


def round_trip(app: Flask, runner: FlaskCliRunner, target: Path) -> None:
    """Back up, change the data, restore: the data is as it was at the backup."""
    before = dump(app)
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Backed up the database (schema revision {head_revision()}: 1 user, 1 bank, "
        f"1 question, 0 cards, 0 reviews) to {target}.\n"
    )
    change(app)
    assert dump(app) != before
    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(f"Restored the database from {target}.\n")
    assert dump(app) == before


def test_backup_then_restore_gives_the_same_data(
    app: Flask, runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    fill(app, runner, write_bank)
    round_trip(app, runner, tmp_path / "wengu.backup")


def test_commands_name_their_database_with_the_password_masked(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    shown = f"Database: {url.render_as_string(hide_password=True)}\n"
    for args in (["backup", str(tmp_path / "b")], ["bank", "list"], ["fsrs", "optimize"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
        assert result.stderr.startswith(shown)
        if url.password:
            assert "***" in shown and url.password not in result.output


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only (WENGU_TEST_DATABASE_URL)")
@pytest.mark.parametrize("source", ["PGPASSWORD", "pgpass"])
def test_the_password_may_come_from_libpq_instead_of_the_url(
    source: str,
    app_config: dict[str, object],
    make_app,
    write_bank,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = make_url(str(TEST_DATABASE_URL))
    assert url.password and set("@/:") <= set(url.password), ".ci/postgres's password"
    if source == "PGPASSWORD":
        monkeypatch.setenv("PGPASSWORD", url.password)
    else:
        pgpass = tmp_path / "pgpass"
        escaped = url.password.replace("\\", "\\\\").replace(":", "\\:")
        pgpass.write_text(f"{url.host}:{url.port}:{url.database}:{url.username}:{escaped}\n")
        pgpass.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
    bare = url.set(password=None).render_as_string(hide_password=False)
    app = make_app({**app_config, "SQLALCHEMY_DATABASE_URI": bare})
    runner = app.test_cli_runner()
    fill(app, runner, write_bank)
    round_trip(app, runner, tmp_path / "wengu.backup")


def manifest_of(path: Path) -> dict[str, object]:
    with tarfile.open(path) as tar:
        assert tar.getnames()[0] == "manifest.json"
        return json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]


def test_a_backup_is_private_and_carries_a_manifest(
    app: Flask, runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    fill(app, runner, write_bank)
    target = tmp_path / "wengu.backup"
    before = datetime.now().astimezone()
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    manifest = manifest_of(target)
    kind = "postgresql" if TEST_DATABASE_URL else "sqlite"
    created = datetime.fromisoformat(str(manifest.pop("created_at")))
    assert before.replace(microsecond=0) <= created <= datetime.now().astimezone()
    assert manifest == {
        "format": "wengu-backup",
        "format_version": 1,
        "wengu_version": VERSION,
        "database": kind,
        "schema_revision": head_revision(),
        "counts": {"users": 1, "banks": 1, "questions": 1, "cards": 0, "reviews": 0},
        "member": backup.MEMBERS[kind],
    }
    with tarfile.open(target) as tar:
        assert tar.getnames() == ["manifest.json", backup.MEMBERS[kind]]


def fake_pg_dump(folder: Path) -> str:
    """A pg_dump that writes half a file and fails, first on a PATH."""
    folder.mkdir()
    tool = folder / "pg_dump"
    tool.write_text(
        "#!/bin/sh\n"
        'while [ "$1" != --file ]; do shift; done\n'
        'printf PGDMP-partial > "$2"\n'
        'echo "pg_dump: error: connection lost" >&2\n'
        "exit 1\n"
    )
    tool.chmod(0o755)
    return f"{folder}:{os.environ['PATH']}"


def test_a_failed_backup_leaves_no_file_and_keeps_the_old_one(
    app: Flask,
    runner: FlaskCliRunner,
    write_bank,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fill(app, runner, write_bank)
    folder = tmp_path / "backups"
    target = folder / "wengu.backup"
    assert runner.invoke(args=["backup", str(target)]).exit_code == 0
    good = target.read_bytes()
    if TEST_DATABASE_URL:
        monkeypatch.setenv("PATH", fake_pg_dump(tmp_path / "bin"))
        expected = "pg_dump failed: pg_dump: error: connection lost"
    else:

        def broken(connection: object) -> dict[str, int]:
            raise sqlite3.DatabaseError("disk I/O error")

        monkeypatch.setattr(backup, "_counts", broken)
        expected = "Cannot read the database at"
    for name in ("wengu.backup", "new.backup"):
        result = runner.invoke(args=["backup", str(folder / name)])
        assert result.exit_code == 1
        assert expected in result.stderr
    assert target.read_bytes() == good
    assert sorted(p.name for p in folder.iterdir()) == ["wengu.backup"]


def test_restore_check_reads_a_good_backup_and_touches_nothing(
    app: Flask, runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    fill(app, runner, write_bank)
    target = tmp_path / "wengu.backup"
    runner.invoke(args=["backup", str(target)])
    change(app)
    before = dump(app)
    result = runner.invoke(args=["restore", "--check", str(target)])
    assert result.exit_code == 0, result.output
    kind = "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
    assert result.stdout.startswith(f"{target} is a {kind} backup from Wengu {VERSION}, ")
    assert result.stdout.endswith(
        ": 1 user, 1 bank, 1 question, 0 cards, 0 reviews. It is readable.\n"
    )
    assert "Database:" not in result.stderr
    assert dump(app) == before


def corrupt(kind: str, good: Path, folder: Path) -> Path:
    """A damaged copy of the backup ``good``, damaged in the way ``kind`` says."""
    bad = folder / f"{kind}.backup"
    data = good.read_bytes()
    if kind == "text":
        bad.write_text("not a database")
    elif kind == "cut":
        bad.write_bytes(data[: len(data) // 2])
    elif kind == "no-manifest":
        with tarfile.open(good) as source, tarfile.open(bad, "w") as tar:
            member = source.getmembers()[1]
            tar.addfile(member, source.extractfile(member))
    else:  # "damaged": the database inside has its first 100 bytes overwritten
        with tarfile.open(good) as source:
            offset = source.getmembers()[1].offset_data
        bad.write_bytes(data[:offset] + b"\xff" * 100 + data[offset + 100 :])
    return bad


@pytest.mark.parametrize("kind", ["text", "cut", "no-manifest", "damaged"])
def test_restore_check_and_restore_refuse_a_damaged_backup(
    kind: str, app: Flask, runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    fill(app, runner, write_bank)
    good = tmp_path / "wengu.backup"
    runner.invoke(args=["backup", str(good)])
    bad = corrupt(kind, good, tmp_path)
    before = dump(app)
    for args in (["restore", "--check", str(bad)], ["restore", "--yes", str(bad)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, result.output
        error = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(error) == 1 and str(bad) in error[0], result.stderr
        assert "Traceback" not in result.output
    assert dump(app) == before


def test_restore_accepts_a_plain_backup_from_before_the_manifest(
    app: Flask, runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    fill(app, runner, write_bank)
    before = dump(app)
    plain = tmp_path / "plain.backup"
    with app.app_context():
        if TEST_DATABASE_URL:
            # What Wengu 0.1 wrote: pg_dump's custom format, bare.
            backup._run_pg("pg_dump", "--format=custom", "--no-owner", "--file", str(plain),
                           url=db.engine.url)  # fmt: skip
        else:
            live = sqlite3.connect(str(backup.sqlite_path(db.engine)))
            copy = sqlite3.connect(plain)
            live.backup(copy)
            copy.close()
            live.close()
    change(app)
    result = runner.invoke(args=["restore", "--check", str(plain)])
    kind = "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
    assert result.stdout == (
        f"{plain} is a plain {kind} backup (from Wengu 0.1, no manifest). It is readable.\n"
    )
    assert runner.invoke(args=["restore", "--yes", str(plain)]).exit_code == 0
    assert dump(app) == before


def test_restore_refuses_a_backup_of_the_other_kind_of_database(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    other = "sqlite" if TEST_DATABASE_URL else "postgresql"
    work = tmp_path / "work"
    work.mkdir()
    (work / backup.MEMBERS[other]).write_bytes(b"")
    manifest = backup.Manifest(other, VERSION, head_revision(), "2026-12-01T00:00:00Z", {})
    target = tmp_path / "other.backup"
    backup._write_container(target, manifest, work / backup.MEMBERS[other], work)
    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 1
    assert "this Wengu uses a" in result.stderr


def test_restore_asks_first(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    runner.invoke(args=["backup", str(tmp_path / "b")])
    result = runner.invoke(args=["restore", str(tmp_path / "b")], input="n\n")
    assert result.exit_code == 1 and "Aborted!" in result.output
    label = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    assert f"Replace everything in {label} with it?" in result.output

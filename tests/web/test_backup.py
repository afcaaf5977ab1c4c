"""Backup then restore gives back the same data, on SQLite and on PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete

from models import User, db
from tests.support import TEST_DATABASE_URL, dump, make_user, require

BANK = "id: b\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"


def test_backup_then_restore_gives_the_same_data(
    app: Flask, runner: FlaskCliRunner, write_bank, tmp_path: Path
) -> None:
    if TEST_DATABASE_URL:
        require(
            shutil.which("pg_dump") is not None, "no pg_dump (apt-get install postgresql-client)"
        )
    runner.invoke(args=["bank", "import", str(write_bank("b", {"bank.yaml": BANK}))])
    make_user(app, "ann")
    before = dump(app)
    result = runner.invoke(args=["backup", str(tmp_path / "wengu.backup")])
    assert result.exit_code == 0, result.output
    assert result.output == f"Backed up the database to {tmp_path / 'wengu.backup'}.\n"

    make_user(app, "bob")
    with app.app_context():
        db.session.execute(delete(User).where(User.name == "ann"))
        db.session.commit()
    assert dump(app) != before

    result = runner.invoke(args=["restore", "--yes", str(tmp_path / "wengu.backup")])
    assert result.exit_code == 0, result.output
    assert dump(app) == before


def test_restore_refuses_what_is_not_a_backup(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database")
    make_user(app, "ann")
    before = dump(app)
    result = runner.invoke(args=["restore", "--yes", str(bad)])
    assert result.exit_code != 0
    assert dump(app) == before


def test_restore_asks_first(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> None:
    runner.invoke(args=["backup", str(tmp_path / "b")])
    result = runner.invoke(args=["restore", str(tmp_path / "b")], input="n\n")
    assert result.exit_code == 1 and "Aborted!" in result.output

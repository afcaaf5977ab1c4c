"""Backups taken with ``flask backup`` while 32 clients answer restore to a consistent
database: sound, every card equal to a replay of its log, and the log a part of the live one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import create_engine, make_url, text

from config import PROJECT_ROOT
from models import Review
from tests.reliability.harness import (
    Load,
    Server,
    check_log,
    make_learners,
    run_load,
    sqlite_verdict,
)
from tests.support import TEST_DATABASE_URL, dump, require

LEARNERS = 16
ANSWERS = 10
BACKUPS = 2
RESTORED = "wengu_restored"
TOKEN = list(Review.__table__.columns.keys()).index("review_token")


@pytest.fixture
def restore_url(tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite file, or a second PostgreSQL one."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    require(shutil.which("pg_dump") is not None, "no pg_dump (apt-get install postgresql-client)")
    server = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {RESTORED}"))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=RESTORED).render_as_string(False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {RESTORED} WITH (FORCE)"))
        server.dispose()


def flask(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def rows(app: Flask, table: str) -> list[tuple[object, ...]]:
    """A table's rows, hashable (JSON lists as tuples)."""
    return [
        tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in dict(dump(app))[table]
    ]


@pytest.mark.slow
def test_backups_taken_under_load_restore_to_consistent_databases(
    app: Flask,
    runner: FlaskCliRunner,
    tmp_path: Path,
    restore_url: str,
    make_app: Callable[[dict[str, object]], Flask],
) -> None:
    learners = make_learners(app, runner, tmp_path, LEARNERS)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    server = Server(url, tmp_path, workers=3)
    total = LEARNERS * 2 * ANSWERS
    backups: list[tuple[Path, int, int]] = []

    def back_up(load: Load) -> None:
        for number in range(1, BACKUPS + 1):
            if not load.reach(total * number // (BACKUPS + 1)):
                return
            target, started = tmp_path / f"backup-{number}", load.answered()
            flask(server.env, "backup", str(target))
            backups.append((target, started, load.answered()))

    with server:
        load = run_load(server, learners, answers=ANSWERS, meanwhile=back_up)
    assert load.problems == [], "\n".join(load.problems)
    assert check_log(app, load.answers).problems == []
    live_reviews = set(rows(app, "reviews"))
    answered = {t for tokens in load.answers.values() for t in tokens}
    found = []
    restored = make_app({**app.config, "SQLALCHEMY_DATABASE_URI": restore_url})
    for backup, started, ended in backups:
        result = restored.test_cli_runner().invoke(args=["restore", str(backup), "--yes"])
        assert result.exit_code == 0, result.output
        assert sqlite_verdict(restore_url) == "ok"
        checked = check_log(restored, None)
        assert checked.problems == [], "\n".join(checked.problems[:40])
        reviews = rows(restored, "reviews")
        # A moment of the live database: each answer stored then is stored, unchanged, now.
        assert 0 < len(reviews) <= len(live_reviews) and set(reviews) <= live_reviews
        assert {review[TOKEN] for review in reviews} <= answered
        assert rows(restored, "questions") == rows(app, "questions")
        found.append(
            f"{len(reviews)} reviews, {checked.cards} cards "
            f"(taken between {started} and {ended} answers)"
        )
    # Taken under load: on a busy machine the last answers may all land before the last copy
    # starts, but the first starts a quarter of the way in.
    assert any(started < total for _, started, _ in backups), backups
    print(f"\nbackup: {load.summary()}; restored: {'; '.join(found)}")
    assert len(backups) == BACKUPS
    log = server.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]

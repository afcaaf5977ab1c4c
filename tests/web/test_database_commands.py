"""Commands say which database they use, refuse to make a new empty one, and leave migrating
to ``db upgrade`` and the server's start; the server waits for a database that is not up yet.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask
from flask.cli import FlaskGroup
from sqlalchemy import create_engine, make_url, text

from app import create_app, wait_for_database
from config import PROJECT_ROOT
from models import db
from services.schema import head_revision
from tests.support import PASSWORD, TEST_DATABASE_URL

BANK = "id: b\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"


def settings(tmp_path: Path, database: str | None = None) -> dict[str, object]:
    """A server's settings; without ``database``, the default SQLite file in its instance."""
    quizzes = tmp_path / "quizzes"
    quizzes.mkdir(exist_ok=True)
    (quizzes / "b.yaml").write_text(BANK)
    config: dict[str, object] = {
        "SECRET_KEY": "t",
        "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
        "WENGU_BANKS_DIR": str(quizzes),
        "WENGU_AUTOLOAD_BANKS": True,
    }
    if database:
        config["SQLALCHEMY_DATABASE_URI"] = database
    return config


def flask(config: dict[str, object], *args: str, stdin: str | None = None) -> Result:
    """Run a command as ``flask --app app`` does: the app is loaded by the command itself."""
    made: list[Flask] = []

    def load() -> Flask:
        made.append(create_app(config))
        return made[-1]

    group = FlaskGroup(create_app=load, load_dotenv=False)
    result = CliRunner().invoke(group, list(args), input=stdin)
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    return result


def revision_and_banks(path: Path) -> tuple[str, int]:
    with sqlite3.connect(path) as connection:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        banks = connection.execute("SELECT count(*) FROM banks").fetchone()[0]
    connection.close()
    return revision, banks


def test_commands_refuse_a_database_that_does_not_exist(tmp_path: Path) -> None:
    config = settings(tmp_path)
    path = tmp_path / "instance" / "wengu.sqlite3"
    for args in (
        ("user", "create", "root", "--admin", "--password-stdin"),
        ("backup", str(tmp_path / "wengu.backup")),
        ("bank", "list"),
        ("db", "current"),
    ):
        result = flask(config, *args, stdin=PASSWORD + "\n")
        assert result.exit_code == 1, result.output
        assert (
            result.stderr.splitlines()
            == [
                f"Database: sqlite:///{path}",
                f"Error: There is no database at {path}. Set WENGU_DATABASE_URL (in the environment, "
                f"a .env file or --env-file FILE) to use the server's database, or run "
                f"'flask --app app db upgrade' to create a new one.",
            ][: len(result.stderr.splitlines())]
        )
        assert result.stderr.startswith(f"Database: sqlite:///{path}\nError: There is no database")
        assert not path.exists() and not (tmp_path / "wengu.backup").exists()

    result = flask(config, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert revision_and_banks(path) == (head_revision(), 0), "db upgrade loaded banks"
    result = flask(config, "user", "create", "root", "--admin", "--password-stdin",
                   stdin=PASSWORD + "\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "Created admin account 'root'.\n"


@pytest.fixture
def tableless(tmp_path: Path, make_app) -> Iterator[str]:
    """A database without tables: an empty SQLite file, or the PostgreSQL test schema emptied
    (and migrated again afterwards, for the tests that follow)."""
    if not TEST_DATABASE_URL:
        (tmp_path / "empty.sqlite3").touch()
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield TEST_DATABASE_URL
    make_app({**settings(tmp_path, TEST_DATABASE_URL), "WENGU_AUTOLOAD_BANKS": False})


def test_commands_refuse_a_database_without_wengu_tables(tmp_path: Path, tableless: str) -> None:
    database = tableless
    result = flask(settings(tmp_path, database), "backup", str(tmp_path / "b"))
    assert result.exit_code == 1
    masked = make_url(database).render_as_string(hide_password=True)
    assert result.stderr == (
        f"Database: {masked}\nError: The database holds no Wengu tables. Set WENGU_DATABASE_URL "
        f"to the server's database, or run 'flask --app app db upgrade' to create them here.\n"
    )
    assert not (tmp_path / "b").exists()


def test_only_db_upgrade_and_the_server_start_migrate(tmp_path: Path, make_app) -> None:
    path = tmp_path / "wengu.sqlite3"
    config = settings(tmp_path, f"sqlite:///{path}")
    assert flask(config, "db", "upgrade", "0005").exit_code == 0
    result = flask(config, "backup", str(tmp_path / "wengu.backup"))
    assert result.exit_code == 0, result.output
    assert revision_and_banks(path) == ("0005", 0)
    result = flask(config, "restore", "--check", str(tmp_path / "wengu.backup"))
    assert result.exit_code == 0, result.output
    assert revision_and_banks(path) == ("0005", 0)
    make_app(config)  # as gunicorn or python app.py start it
    assert revision_and_banks(path) == (head_revision(), 1)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_server_waits_for_its_database_then_says_why_it_stops(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"postgresql+psycopg://wengu:s%40cret@127.0.0.1:{closed_port()}/wengu"
    engine = create_engine(url)
    caplog.set_level(logging.WARNING, "wengu")
    with pytest.raises(RuntimeError) as stopped:
        wait_for_database(engine, 1.5)
    engine.dispose()
    message = str(stopped.value)
    match = re.fullmatch(
        rf"The database postgresql\+psycopg://wengu:\*\*\*@127\.0\.0\.1:{engine.url.port}/wengu "
        r"did not answer within 1\.5 s \((\d+) tries\): .*Connection refused",
        message,
    )
    assert match, message
    # A try each second and one at the deadline (0, 1 and 1.5 s), none past it.
    count = int(match.group(1))
    assert count in (2, 3)
    tries = [r.getMessage().split(":")[0] for r in caplog.records if r.name == "wengu"]
    assert tries == [f"Waiting for the database (try {n})" for n in range(1, count)]


def test_the_server_goes_on_once_its_database_answers(tmp_path: Path, make_app) -> None:
    app = make_app({**settings(tmp_path, f"sqlite:///{tmp_path / 'w.sqlite3'}"),
                    "WENGU_DATABASE_WAIT": 0})  # fmt: skip
    with app.app_context():
        wait_for_database(db.engine, 0)


def run_flask(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("WENGU_", "FLASK_"))}
    return subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=cwd, env={**base, **env},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_the_flask_command_reads_dot_env_and_env_file(tmp_path: Path) -> None:
    app_file = str(PROJECT_ROOT / "app.py")
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    (tmp_path / ".env").write_text(
        f"WENGU_DATABASE_URL=sqlite:///{first}\nWENGU_INSTANCE_PATH={tmp_path / 'instance'}\n"
    )
    other = tmp_path / "wengu.env"
    other.write_text(
        f"WENGU_DATABASE_URL=sqlite:///{second}\nWENGU_INSTANCE_PATH={tmp_path / 'instance'}\n"
    )
    done = run_flask("--app", app_file, "db", "upgrade", cwd=tmp_path, env={})
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"Database: sqlite:///{first}\n") and first.is_file()
    done = run_flask("--env-file", str(other), "--app", app_file, "db", "upgrade",
                     cwd=tmp_path, env={})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"Database: sqlite:///{second}\n") and second.is_file()
    # The environment wins over the file, as it does for every setting.
    done = run_flask("--app", app_file, "bank", "list", cwd=tmp_path,
                     env={"WENGU_DATABASE_URL": f"sqlite:///{second}"})  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stderr == f"Database: sqlite:///{second}\n"

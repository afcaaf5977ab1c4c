"""Shared fixtures: a fresh app and database per test, and bank writers.

Each test gets an empty database at the newest migration: on SQLite a copy of a template
migrated once per run; on PostgreSQL (``WENGU_TEST_DATABASE_URL``) one database migrated once
per run and emptied before each test.
"""

from __future__ import annotations

import logging
import shutil
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from app import create_app
from models import db
from services import accounts
from tests.browser import browser, live_server  # noqa: F401 (fixtures, registered once here)
from tests.support import (
    TEST_DATABASE_URL,
    WATCHED_LOGS,
    Auth,
    TracebackCollector,
    make_user,
    server_errors,
)

BankWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def no_server_errors(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a test during which a server logged a traceback or answered a 500: in-process
    apps through the logging handler, servers in processes of their own through the logs
    they registered (``tests.support.watch_server_log``). A test that provokes a server
    error on purpose says so with ``@pytest.mark.server_errors``."""
    handler = TracebackCollector()
    root = logging.getLogger()
    root.addHandler(handler)
    WATCHED_LOGS.clear()
    try:
        yield
    finally:
        root.removeHandler(handler)
        found = list(handler.seen)
        for path in WATCHED_LOGS:
            if path.exists():
                found += [
                    f"{path}: {line}" for line in server_errors(path.read_text(errors="replace"))
                ]
        WATCHED_LOGS.clear()
    if found and request.node.get_closest_marker("server_errors") is None:
        pytest.fail("the server logged an error:\n" + "\n".join(found[:10]), pytrace=False)


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt costs a tenth of a second a hash: too slow for hundreds of sign-ins."""
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")


def _config(tmp_path: Path, database: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": database,
        "WENGU_AUTOLOAD_BANKS": False,
        "WENGU_BANKS_DIR": str(tmp_path / "quizzes"),
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at the newest migration, made once: SQLite's to copy, or PostgreSQL's."""
    folder = tmp_path_factory.mktemp("template")
    database = TEST_DATABASE_URL or f"sqlite:///{folder / 'wengu.sqlite3'}"
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    template = create_app(_config(folder, database))
    with template.app_context():
        db.engine.dispose()
    return database


@pytest.fixture
def app_config(tmp_path: Path, migrated: str) -> dict[str, object]:
    if TEST_DATABASE_URL:
        engine = create_engine(TEST_DATABASE_URL)
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _config(tmp_path, TEST_DATABASE_URL)
    shutil.copy(migrated.removeprefix("sqlite:///"), tmp_path / "wengu.sqlite3")
    return _config(tmp_path, f"sqlite:///{tmp_path / 'wengu.sqlite3'}")


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    application = create_app(app_config)
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def make_app() -> Iterator[Callable[[dict[str, object]], Flask]]:
    """Builds apps for a test and closes their database connections after it."""
    made: list[Flask] = []

    def make(config: dict[str, object]) -> Flask:
        made.append(create_app(config))
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def write_bank(tmp_path: Path) -> BankWriter:
    """Write a bank folder: ``write_bank("name", {"bank.yaml": "...", "x.svg": b"..."})``.

    Text is dedented, so tests can indent YAML inside triple quotes; line numbers in
    messages then count from the first line after the opening quotes.
    """

    def write(name: str, files: dict[str, str | bytes]) -> Path:
        root = tmp_path / name
        for relative, content in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return root

    return write


@pytest.fixture
def learner(app: Flask) -> int:
    """An account named ann (not an admin); returns its id."""
    return make_user(app, "ann")


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


@pytest.fixture
def signed_in(client: FlaskClient, learner: int, auth: Auth) -> FlaskClient:
    """A client signed in as ann."""
    auth.login()
    return client

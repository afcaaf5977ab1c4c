"""Shared fixtures: a fresh app on a temporary SQLite file per test, and bank writers."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from models import accounts, db
from tests.support import Auth, make_user

BankWriter = Callable[..., Path]


@pytest.fixture(autouse=True)
def cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt costs a tenth of a second a hash: too slow for hundreds of sign-ins."""
    monkeypatch.setattr(accounts, "PASSWORD_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test",
        "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wengu.sqlite3'}",
        "WENGU_AUTOLOAD_BANKS": False,
        "WENGU_QUIZZES": str(tmp_path / "quizzes"),
    }


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    application = create_app(app_config)
    yield application
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

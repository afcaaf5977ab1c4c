"""Helpers for the web tests: an account, a CSRF token, signing in through the forms."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from config import settings_from_env
from models import db
from models.accounts import create_user
from models.first_run import setup_code

__all__ = [
    "PASSWORD",
    "REQUIRE_ALL",
    "TEST_DATABASE_URL",
    "Auth",
    "browser_sign_in",
    "csrf_token",
    "dump",
    "first_run_code",
    "make_user",
    "require",
]

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, as a page carries it."""
    page = client.get("/login", follow_redirects=True).get_data(as_text=True)
    match = _CSRF.search(page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def first_run_code(app: Flask) -> str:
    """The setup code ``/setup`` asks of the app's first account, as its log shows it."""
    return setup_code(Path(app.instance_path), app.config["WENGU_SETUP_CODE"])


def make_user(app: Flask, name: str, *, admin: bool = False, **settings: object) -> int:
    with app.app_context():
        user = create_user(db.session, name, PASSWORD, admin=admin)
        for key, value in settings.items():
            setattr(user, key, value)
        db.session.commit()
        return user.id


class Auth:
    """Signs a test client in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, name: str = "ann", password: str = PASSWORD) -> TestResponse:
        token = csrf_token(self.client)
        return self.client.post(
            "/login", data={"name": name, "password": password, "csrf_token": token}
        )

    def logout(self) -> TestResponse:
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client)})


REQUIRE_ALL = "WENGU_TESTS_REQUIRE_ALL"
TEST_DATABASE_URL = (
    settings_from_env({"WENGU_DATABASE_URL": os.environ["WENGU_TEST_DATABASE_URL"]})[
        "SQLALCHEMY_DATABASE_URI"
    ]
    if os.environ.get("WENGU_TEST_DATABASE_URL")
    else None
)


def dump(app: Flask) -> list[tuple[str, list[tuple[object, ...]]]]:
    """Every row of every table, in a stable order: to compare a database before and after."""
    with app.app_context():
        tables = []
        for table in db.metadata.sorted_tables:
            rows = db.session.execute(table.select().order_by(*table.primary_key.columns)).all()
            tables.append((table.name, [tuple(row) for row in rows]))
        db.session.remove()
        return tables


def require(available: bool, reason: str) -> None:
    """Skip a test whose outside dependency is missing, or fail where CI promises it."""
    if available:
        return
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{reason} (required: {REQUIRE_ALL}=1)")
    pytest.skip(reason)


def browser_sign_in(page: object, base: str, name: str = "ann") -> None:
    """Sign in through the real form in a Playwright page, and wait for Today."""
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("#name", name)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/")  # type: ignore[attr-defined]

"""Helpers for the web tests: an account, a CSRF token, signing in through the forms."""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from config import PROJECT_ROOT, settings_from_env
from models import db
from services.accounts import create_user
from services.first_run import setup_code

__all__ = [
    "DOCKER",
    "PASSWORD",
    "PAST_THE_SCREEN",
    "REQUIRE_ALL",
    "TEST_DATABASE_URL",
    "Auth",
    "TracebackCollector",
    "browser_sign_in",
    "csrf_token",
    "docker_bank_of",
    "dump",
    "ends_within",
    "first_run_code",
    "make_user",
    "redis_server",
    "require",
    "server_errors",
    "watch_server_log",
]

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
# What a server's log shows for a request that failed inside: a traceback (Flask's
# "unexpected error", gunicorn's "Error handling request"), or a 500 in the access log.
_SERVER_ERROR = re.compile(r'Traceback \(most recent call last\)|HTTP/[0-9.]+" 500 ')
# The logs of servers started by the running test, read when it ends.
WATCHED_LOGS: list[Path] = []


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


def logged_reviews(app: Flask, count: int, statement: Any, timeout: float = 10.0) -> list[Any]:
    """The rows of ``statement`` once there are ``count`` of them (or when ``timeout`` is
    up): a review page shows the next card before the answer it queued has reached the
    server, so a browser test reads the log once the answers have arrived."""
    deadline = time.monotonic() + timeout
    while True:
        with app.app_context():
            rows = db.session.execute(statement).all()
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def require(available: bool, reason: str) -> None:
    """Skip a test whose outside dependency is missing, or fail where CI promises it."""
    if available:
        return
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{reason} (required: {REQUIRE_ALL}=1)")
    pytest.skip(reason)


@contextmanager
def ends_within(seconds: float) -> Iterator[None]:
    """Fail the block if it runs past ``seconds``: for work that ended only after minutes
    (a pattern read in time growing with a power of its text's length). Give a hundred times
    what the block takes, so that a slow machine never reaches it. The main thread only."""

    def stop(_signal: int, _frame: object) -> None:
        raise AssertionError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# How far the page reaches past the screen's right edge, in px (0 or less: not at all). A phone
# (a context with `is_mobile`) widens its layout to take in what overflows, and zooms out to show
# it, so `innerWidth` grows with the page; the screen, which Playwright sizes as the viewport,
# does not.
PAST_THE_SCREEN = "document.scrollingElement.scrollWidth - screen.width"


DOCKER = PROJECT_ROOT / "quizzes/docker"


def docker_bank_of(
    write_bank: Any, bank_id: str, questions: list[dict], folder: Path = DOCKER
) -> Path:
    """A bank folder of ``questions`` (as a bank file of ``folder`` holds them) under the Docker
    bank's head, with its notes (a question may cite them) and the diagrams they show."""
    head = yaml.safe_load((DOCKER / "bank.yaml").read_text("utf-8"))
    bank = {**head, "id": bank_id, "questions": questions}
    files: dict[str, str | bytes] = {"bank.yaml": yaml.safe_dump(bank, allow_unicode=True)}
    for notes in head.get("notes", []):
        files[notes] = (DOCKER / notes).read_bytes()
    for path in (folder / "diagrams").glob("*.svg"):
        if f"diagrams/{path.name}" in files["bank.yaml"]:
            files[f"diagrams/{path.name}"] = path.read_bytes()
    return write_bank(bank_id, files)  # type: ignore[no-any-return]


def browser_sign_in(page: object, base: str, name: str = "ann") -> None:
    """Sign in through the real form in a Playwright page, and wait for Today."""
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("#name", name)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}/")  # type: ignore[attr-defined]


def closed_port() -> int:
    """A port of 127.0.0.1 that nothing listens on (free a moment ago)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """A redis-server of its own on a free port of 127.0.0.1, keeping nothing on disk;
    yields its URL. Skips (or fails where all is required) without redis-server."""
    server = shutil.which("redis-server")
    require(server is not None, "no redis-server (apt-get install redis-server)")
    assert server is not None
    port = closed_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def watch_server_log(path: Path) -> None:
    """Have the suite fail the running test if the server writing ``path`` logs a traceback
    or answers a 500 (tests that provoke one on purpose are marked ``server_errors``)."""
    WATCHED_LOGS.append(path)


def server_errors(log: str) -> list[str]:
    """The lines of a server log that show a request failing inside the server, each with
    the line after it (the first of a traceback's frames, or the next request)."""
    lines = log.splitlines()
    return [
        "\n".join(lines[number : number + 2])
        for number, line in enumerate(lines)
        if _SERVER_ERROR.search(line)
    ]


class TracebackCollector(logging.Handler):
    """Keeps the records logged with a traceback, from any thread (a live server's too)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # Werkzeug's server writes the traceback into the message ("Error on request").
        if record.exc_info or record.levelno >= logging.CRITICAL or _SERVER_ERROR.search(message):
            self.seen.append(f"{record.name}: {message.splitlines()[0] if message else ''}")


def faces_follow_content(app: Flask, key: str) -> bool:
    """Whether question ``key``'s kept renderings (srs.faces) are those of its content now:
    every text it renders, made from its content, its bank's language and this renderer."""
    from sqlalchemy import select
    from sqlalchemy.orm import undefer

    from models import Question
    from srs.faces import face_key, faces_of, question_texts

    with app.app_context():
        question = db.session.scalar(
            select(Question).options(undefer(Question.faces)).where(Question.key == key)
        )
        language = question.bank.language
        texts = question_texts(question.type, question.content, question.explanation, language)
        made_from = faces_of(question.type, question.content, question.explanation, language)
        return question.faces_of == made_from and set(question.faces or {}) == {
            face_key(text) for text in texts
        }

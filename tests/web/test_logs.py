"""The log a host reads: configured once, one line per failed request while the database is
down, and INFO events for what a host needs to see."""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, select, text

import app as app_module
from config import PROJECT_ROOT
from models import Group, User, db
from models.types import now_utc
from services.groups import create_group, create_invite, join_group
from tests.support import TEST_DATABASE_URL, Auth, csrf_token, make_user


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def _unreachable(kind: str, tmp_path: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'gone' / 'wengu.sqlite3'}"  # no such folder
    return f"postgresql+psycopg://wengu:secret@127.0.0.1:{_closed_port()}/wengu"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_outage_gives_503_pages_and_one_line_per_request(
    make_app, tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:
    # The outage begins after the server started: it does not wait for the database here.
    monkeypatch.setattr(app_module, "wait_for_database", lambda engine, seconds: None)
    app = make_app({
        "TESTING": True, "SECRET_KEY": "test", "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": _unreachable(kind, tmp_path), "WENGU_AUTO_MIGRATE": False,
        "WENGU_AUTOLOAD_BANKS": False, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
    })  # fmt: skip
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    visitor, member = app.test_client(), app.test_client()
    with member.session_transaction() as session:
        session["_user_id"] = "1.0." + "A" * 43  # signed in: their account cannot be read
    visitor.set_cookie("wengu_locale", "zh_Hans")
    responses = [
        visitor.get("/login"),
        member.get("/"),
        member.get("/no/such/page"),
        member.post("/login", data={"name": "ann", "password": "x"}),
        visitor.get("/api/v1/review/next", headers={"Authorization": "Bearer wengu_x"}),
    ]
    assert [r.status_code for r in responses] == [503] * 5
    assert "暂时无法使用" in responses[0].get_data(as_text=True)  # the cookie's language
    for response in responses[1:4]:
        page = response.get_data(as_text=True)
        assert "Not available just now" in page and "Try again" in page
        assert "Sign out" not in page
    assert "连不上数据库" in responses[4].get_json()["error"]
    assert [(r.name, r.levelname) for r in caplog.records] == [("wengu.errors", "ERROR")] * 5
    lines = [r.getMessage() for r in caplog.records]
    assert all(r.exc_info is None for r in caplog.records)
    assert all("\n" not in line for line in lines)
    assert lines[1].startswith("database unavailable: GET /: OperationalError: ")
    assert lines[3].startswith("database unavailable: POST /login: OperationalError: ")


@pytest.fixture(params=["sqlite", "postgresql"])
def never_migrated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A database reached but holding no tables, and the words its driver says so in:
    SQLite's file, or an empty schema of the test server's (SQLSTATE 42P01)."""
    if request.param == "sqlite":
        (tmp_path / "empty").mkdir()
        yield f"sqlite:///{tmp_path / 'empty' / 'wengu.sqlite3'}", "no such table"
        return
    if not TEST_DATABASE_URL:
        pytest.skip("PostgreSQL only (WENGU_TEST_DATABASE_URL)")
    schema = f"never_migrated_{os.getpid()}"
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = make_url(TEST_DATABASE_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False), "UndefinedTable"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def test_a_database_never_migrated_says_how_to_set_it_up(
    make_app,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch,
    never_migrated: tuple[str, str],
) -> None:
    """A server started without migrating reaches its database and finds no tables: its
    log line says to run the migrations, and a visitor is told the database is not set up."""
    url, driver_says = never_migrated
    monkeypatch.setattr(app_module, "wait_for_database", lambda engine, seconds: None)
    app = make_app({
        "TESTING": True, "SECRET_KEY": "test", "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
        "SQLALCHEMY_DATABASE_URI": url,
        "WENGU_AUTO_MIGRATE": False, "WENGU_AUTOLOAD_BANKS": False, "RATELIMIT_ENABLED": False,
    })  # fmt: skip
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    page = app.test_client().get("/login")
    assert page.status_code == 503
    lines = [r.getMessage() for r in caplog.records if r.name == "wengu.errors"]
    assert lines and driver_says in lines[0]
    assert lines[0].endswith("(its tables are missing: run `flask --app app db upgrade`)")
    # The visitor is not told to wait a minute: waiting sets nothing up.
    body = page.get_data(as_text=True)
    assert "not set up yet" in body and "python app.py" in body and "in a minute" not in body
    answer = app.test_client().get("/api/v1/banks")
    assert answer.status_code == 503 and "not set up yet" in answer.get_json()["error"]


def test_a_failed_sign_in_names_the_account_and_address_but_never_what_was_typed(
    client: FlaskClient, learner: int, caplog: pytest.LogCaptureFixture
) -> None:
    auth = Auth(client)
    auth.login("ann", "wrong guess")
    auth.login("my secret phrase", "x")
    lines = [r.getMessage() for r in caplog.records if r.name == "wengu.auth"]
    assert lines == [
        "sign-in failed for account 'ann' from 127.0.0.1",
        "sign-in failed for an unknown name from 127.0.0.1",
    ]
    assert "my secret phrase" not in caplog.text


def test_a_refusal_for_too_many_attempts_is_logged_with_its_path(
    make_app, app_config: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(app, "ann")
    client = app.test_client()
    for _ in range(11):
        Auth(client).login("ann", "wrong guess")
    refused = [r.getMessage() for r in caplog.records if "too many" in r.getMessage()]
    assert refused == [
        "too many requests: POST /login from 127.0.0.1 (10 per 1 minute)"
    ]  # and Flask-Limiter's own line, without the path, is not repeated at INFO
    assert not [r for r in caplog.records if r.name == "flask-limiter"]


def _admin(app: Flask) -> FlaskClient:
    make_user(app, "root", admin=True)
    client = app.test_client()
    Auth(client).login("root")
    return client


def _events(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "wengu.admin"]


def test_admin_actions_are_logged_with_who_and_where(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    admin = _admin(app)
    bob = make_user(app, "bob")
    with app.app_context():
        group = create_group(db.session, db.session.get(User, bob), "Readers", [])
        db.session.commit()
        group_id = group.id

    def post(url: str, **data: str) -> None:
        response = admin.post(url, data={"csrf_token": csrf_token(admin), **data})
        assert response.status_code in (200, 302), url

    post(f"/admin/users/{bob}/disable")
    post(f"/admin/users/{bob}/enable")
    post(f"/admin/users/{bob}/reset-link")
    post("/admin/registration", open_registration="y")
    post(f"/admin/groups/{group_id}/delete", confirm="yes")
    by = "(by 'root' from 127.0.0.1)"
    assert _events(caplog) == [
        f"account 'bob' disabled {by}",
        f"account 'bob' enabled {by}",
        f"password reset link issued for 'bob' {by}",
        f"open registration turned on {by}",
        f"group 'Readers' deleted {by}",
    ]
    assert "/reset/" not in caplog.text  # the link is for the person, not for the log


def test_uploads_and_bank_changes_are_logged(app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    admin = _admin(app)

    def upload(name: str, text: str) -> None:
        admin.post(
            "/admin/banks",
            data={"csrf_token": csrf_token(admin), "bank": (io.BytesIO(text.encode()), name)},
            content_type="multipart/form-data",
        )

    upload(
        "x.yaml", "id: x\ntitle: X\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    )
    upload("bad.yaml", "id: x\ntitle: X\nquestions:\n  - {id: q, type: basic}\n")
    admin.post("/admin/banks/x/hide", data={"csrf_token": csrf_token(admin)})
    admin.post("/admin/banks/x/unhide", data={"csrf_token": csrf_token(admin)})
    admin.post("/admin/banks/x/remove", data={"csrf_token": csrf_token(admin), "confirm": "yes"})
    by = "(by 'root' from 127.0.0.1)"
    assert _events(caplog) == [
        f"upload 'x.yaml' (73 bytes) imported: x: 1 added, 0 updated, 0 retired, 0 unchanged {by}",
        f"upload 'bad.yaml' refused, problems: 2 {by}",
        f"bank 'x' hidden from learners {by}",
        f"bank 'x' shown to learners again {by}",
        f"bank 'x' removed with 0 cards and 0 reviews of 0 learners {by}",
    ]


def test_group_role_changes_and_new_accounts_are_logged(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    owner, member = make_user(app, "ann"), make_user(app, "bob")
    with app.app_context():
        ann = db.session.get(User, owner)
        group = create_group(db.session, ann, "Readers", [])
        invite = create_invite(db.session, group, ann, now_utc(), days=7, max_uses=None)
        join_group(db.session, db.session.get(User, member), invite, now_utc())
        db.session.commit()
        group_id, code = group.id, invite.code
    client = app.test_client()
    Auth(client).login("ann")
    client.post(
        f"/groups/{group_id}/members/{member}/promote", data={"csrf_token": csrf_token(client)}
    )
    newcomer = app.test_client()
    newcomer.post(f"/join/{code}", data={"name": "cai", "password": "long enough",
                                          "confirm": "long enough",
                                          "csrf_token": csrf_token(newcomer)})  # fmt: skip
    lines = [r.getMessage() for r in caplog.records if r.name == "wengu.groups"]
    assert lines == [
        "group 'Readers': bob made an owner by 'ann' from 127.0.0.1",
        "account 'cai' created with an invite to 'Readers' from 127.0.0.1",
    ]
    with app.app_context():
        assert db.session.scalar(select(Group.name)) == "Readers"


def test_migrations_are_logged_once_with_the_database_they_change(
    make_app, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if TEST_DATABASE_URL:
        pytest.skip("runs on a SQLite file of its own: an empty database to migrate")
    database = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    config = {"TESTING": True, "SECRET_KEY": "t", "WENGU_AUTOLOAD_BANKS": False,
              "WENGU_INSTANCE_PATH": str(tmp_path / "instance"), "SQLALCHEMY_DATABASE_URI": database}  # fmt: skip
    caplog.set_level(logging.INFO)
    make_app(config)
    make_app(config)  # at the newest revision already: nothing to say
    lines = [r.getMessage() for r in caplog.records if r.name == "wengu.schema"]
    assert len(lines) == 2
    assert lines[0].startswith(f"migrating the database {database} from nothing to ")
    assert lines[1].startswith("the database is at revision ")
    # Alembic's own lines ("Context impl …", its plugins) are left out even at INFO: Wengu's
    # line above says what is migrated.
    assert not [r.getMessage() for r in caplog.records if r.name.startswith("alembic")]


_TWICE = """
import logging
from app import create_app
config = {"WENGU_INSTANCE_PATH": %r, "WENGU_AUTOLOAD_BANKS": False}
create_app(config)
create_app(config)
logging.getLogger("wengu.test").info("one line")
logging.getLogger("some.library").info("not shown")
"""


@pytest.mark.slow
def test_logging_is_configured_once_with_time_level_and_logger(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENGU_")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", _TWICE % str(tmp_path)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = done.stderr.splitlines()
    assert [line for line in lines if "one line" in line] == [
        next(line for line in lines if line.endswith("INFO wengu.test: one line"))
    ]
    assert lines[-1][:4].isdigit() and " INFO wengu.test: one line" in lines[-1]
    assert "not shown" not in done.stderr
    assert sum("migrating the database" in line for line in lines) == 1
    assert sum("First run: create the admin at" in line for line in lines) == 2
    assert "alembic." not in done.stderr and "Context impl" not in done.stderr


_HOST_AT_INFO = """
import logging
logging.basicConfig(level=logging.INFO)  # as a host's own logging configuration may
from app import create_app
create_app({"WENGU_INSTANCE_PATH": %r, "WENGU_AUTOLOAD_BANKS": False})
"""


@pytest.mark.slow
@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_alembic_says_nothing_at_startup_unless_debugging(tmp_path: Path, level: str) -> None:
    """Alembic's "Context impl …; Will assume … DDL" lines, once per migration, and its
    plugins' lines are left out where the host lets INFO through, and kept at DEBUG."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENGU_")}
    env.pop("DATABASE_URL", None)
    env["WENGU_LOG_LEVEL"] = level
    done = subprocess.run(
        [sys.executable, "-c", _HOST_AT_INFO % str(tmp_path)],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    lines = done.stderr.splitlines()
    assert sum("migrating the database" in line for line in lines) == 1
    # From the app's first line on (Alembic's plugins log as it is imported, before any app).
    first = next(i for i, line in enumerate(lines) if "; database: " in line)
    alembic = [line for line in lines[first:] if ":alembic." in line]
    if level == "INFO":
        assert alembic == []
    else:
        assert sum("Context impl SQLiteImpl" in line for line in alembic) == 1

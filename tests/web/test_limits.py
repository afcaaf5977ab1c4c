"""Rate limits counted where every worker sees them: failed sign-ins per address and per
account, joining a group apart from signing in, and Redis that does not answer."""

from __future__ import annotations

import logging
import sqlite3
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from config import VERSION
from models import Group, RateCount, User, db
from models.user import name_key
from services.counters import DatabaseStorage
from services.groups import create_group, create_invite
from tests.support import PASSWORD, closed_port, csrf_token, make_user, redis_server

WRONG = "wrong guess"


@pytest.fixture
def limited(make_app, app_config: dict[str, object]) -> Flask:
    """An app with its rate limits on, and an account named ann."""
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(app, "ann")
    return app


def sign_in(client: FlaskClient, name: str, password: str, address: str = "127.0.0.1") -> int:
    data = {"name": name, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address}).status_code


def test_a_default_database_whose_path_holds_query_marks_stays_in_the_instance_folder(
    make_app, app_config: dict[str, object], tmp_path: Path
) -> None:
    """Read back as URL text, a ? or # in the path would end the file's name there: the
    database, and the rate limits counted in it, would be another file. (SQLite on either
    run: the default database, made and migrated at start.)"""
    folder = tmp_path / "group?a#1"
    app = make_app({**app_config, "RATELIMIT_ENABLED": True, "SQLALCHEMY_DATABASE_URI": None,
                    "WENGU_INSTANCE_PATH": str(folder)})  # fmt: skip
    make_user(app, "ann")
    client = app.test_client()
    assert [sign_in(client, "ann", WRONG) for _ in range(11)] == [200] * 10 + [429]
    with closing(sqlite3.connect(folder / "wengu.sqlite3")) as database:
        assert database.execute("SELECT count(*) FROM users").fetchone() == (1,)
        assert database.execute("SELECT count(*) FROM rate_counts").fetchone()[0] > 0
    assert not (tmp_path / "group").exists()


def test_name_key_is_one_for_every_way_of_typing_a_name() -> None:
    assert name_key("ANN") == name_key("ann") == name_key("ａｎｎ")  # fullwidth
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Иван") == name_key("иван") != name_key("ivan")


def test_only_failed_sign_ins_count(limited: Flask) -> None:
    client = limited.test_client()
    successes = []
    for _ in range(15):
        successes.append(sign_in(client, "ann", PASSWORD))
        client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert successes == [302] * 15
    failures = [sign_in(client, "ann", WRONG) for _ in range(11)]
    assert failures == [200] * 10 + [429]


def test_one_account_is_limited_across_addresses(limited: Flask) -> None:
    # Eleven addresses, each trying once, the name typed as a person might.
    spellings = ["ann", "Ann", "ANN", " ann ", "ａｎｎ"]
    statuses = [
        sign_in(limited.test_client(), spellings[n % len(spellings)], WRONG, f"127.0.1.{n}")
        for n in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    # The addresses themselves may still sign in to other accounts; ann's limit is ann's.
    make_user(limited, "bob")
    assert sign_in(limited.test_client(), "bob", PASSWORD, "127.0.1.1") == 302


def test_any_forwarded_address_is_counted(make_app, app_config: dict[str, object]) -> None:
    # What a client forges in X-Forwarded-For becomes the address: any length, NUL bytes.
    app = make_app({**app_config, "RATELIMIT_ENABLED": True, "WENGU_PROXY_FIX": True})
    make_user(app, "ann")
    for forged in ("x" * 5000, "\x00", "ünï\u202e", "127.0.0.1\x00" * 40):
        client = app.test_client()
        token = csrf_token(client)
        data = {"name": f"n{len(forged)}", "password": WRONG, "csrf_token": token}
        headers = {"X-Forwarded-For": forged}
        statuses = [
            client.post("/login", data=data, headers=headers).status_code for _ in range(11)
        ]
        assert statuses == [200] * 10 + [429], forged[:20]


def test_two_workers_count_together_in_the_database(
    make_app, app_config: dict[str, object]
) -> None:
    config = {**app_config, "RATELIMIT_ENABLED": True}
    first, second = make_app(config), make_app(config)  # two workers' worth of apps
    make_user(first, "ann")
    assert [sign_in(first.test_client(), "ann", WRONG) for _ in range(6)] == [200] * 6
    assert [sign_in(second.test_client(), "ann", WRONG) for _ in range(5)] == [200] * 4 + [429]
    with first.app_context():
        assert db.session.scalar(
            select(RateCount.hits).where(RateCount.counter.contains("account/"))
        )


def _invite(app: Flask) -> str:
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.name == "ann"))
        group = create_group(db.session, owner, "Class 3b", [])
        invite = create_invite(db.session, group, owner, datetime.now(UTC), days=7, max_uses=None)
        db.session.commit()
        return invite.code


def test_a_class_joins_from_one_network(limited: Flask) -> None:
    code = _invite(limited)
    statuses = []
    for number in range(25):
        client = limited.test_client()
        data = {"name": f"pupil{number}", "password": PASSWORD, "confirm": PASSWORD,
                "csrf_token": csrf_token(client)}  # fmt: skip
        statuses.append(client.post(f"/join/{code}", data=data).status_code)
    assert statuses == [302] * 25
    # Joining does not use up the sign-in limit of the same network.
    assert sign_in(limited.test_client(), "pupil0", PASSWORD) == 302
    with limited.app_context():
        group = db.session.scalar(select(Group))
        assert len(group.memberships) == 26


def test_guessing_invite_codes_is_limited(limited: Flask) -> None:
    code = _invite(limited)
    client = limited.test_client()
    statuses = [client.get(f"/join/WRONG-{n:04d}").status_code for n in range(11)]
    assert statuses == [404] * 10 + [429]
    # From this address, even the right code waits now; from another it works.
    assert client.get(f"/join/{code}").status_code == 429
    other = {"REMOTE_ADDR": "127.0.2.1"}
    assert limited.test_client().get(f"/join/{code}", environ_base=other).status_code == 200


def test_making_accounts_has_a_larger_limit_of_its_own(limited: Flask) -> None:
    code = _invite(limited)
    client = limited.test_client()
    data = {"name": "x", "password": "short", "csrf_token": csrf_token(client)}
    statuses = [client.post(f"/join/{code}", data=data).status_code for _ in range(61)]
    assert statuses == [200] * 60 + [429]
    # Sign-in is counted apart.
    assert sign_in(client, "ann", PASSWORD) == 302


# -- the database store ----------------------------------------------------------------------


def test_database_counters_keep_a_window(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    with app.app_context():
        storage = DatabaseStorage(db.engine.url.render_as_string(hide_password=False))
    clock = [1_000_000.0]
    monkeypatch.setattr("services.counters.time.time", lambda: clock[0])
    assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get("k") == 3 and storage.get_expiry("k") == 1_000_060.0
    clock[0] += 59
    assert storage.incr("k", 60) == 4
    clock[0] += 1  # the window is over: a new one starts at 1
    assert storage.get("k") == 0
    assert storage.incr("k", 60, amount=2) == 2 and storage.get_expiry("k") == 1_000_120.0
    storage.clear("k")
    assert storage.get("k") == 0 and storage.check()


def test_database_counters_count_every_hit_at_once(app: Flask) -> None:
    with app.app_context():
        url = db.engine.url.render_as_string(hide_password=False)
    storages = [DatabaseStorage(url) for _ in range(4)]  # as four workers would
    seen: list[int] = []

    def hit(storage: DatabaseStorage) -> None:
        for _ in range(25):
            seen.append(storage.incr("together", 60))

    threads = [threading.Thread(target=hit, args=(storage,)) for storage in storages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 101))  # each count handed out once
    assert storages[0].get("together") == 100


# -- Redis -----------------------------------------------------------------------------------


def test_health_reports_database_and_redis(
    make_app, app_config: dict[str, object], tmp_path: Path
) -> None:
    with redis_server(tmp_path) as url:
        app = make_app({**app_config, "WENGU_REDIS_URL": url})
        answer = app.test_client().get("/healthz")
        assert answer.status_code == 200
        assert answer.json == {"status": "ok", "version": VERSION, "database": "ok", "redis": "ok"}
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {
        "status": "unavailable",
        "version": VERSION,
        "database": "ok",
        "redis": "unreachable",
    }


def test_redis_down_sign_in_counts_in_the_database(
    make_app, app_config: dict[str, object], caplog: pytest.LogCaptureFixture
) -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    with caplog.at_level(logging.WARNING):
        app = make_app({**app_config, "RATELIMIT_ENABLED": True, "WENGU_REDIS_URL": url})
    started = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(f"WENGU_REDIS_URL {url} cannot be used" in line for line in started), started
    make_user(app, "ann")
    client = app.test_client()
    assert [sign_in(client, "ann", WRONG) for _ in range(11)] == [200] * 10 + [429]
    assert "does not answer" in caplog.text and "counted in the database" in caplog.text
    assert sign_in(app.test_client(), "ann", PASSWORD, "127.0.3.1") == 429  # ann's own limit
    make_user(app, "bob")
    assert sign_in(app.test_client(), "bob", PASSWORD, "127.0.3.1") == 302
    assert app.test_client().get("/healthz").status_code == 503


@pytest.mark.parametrize(
    "url", ["redis://user:secret@127.0.0.1:{port}/0", "redis//127.0.0.1:{port}", "http://x/"]
)
def test_a_bad_redis_url_is_warned_of_at_start(
    make_app, app_config: dict[str, object], caplog: pytest.LogCaptureFixture, url: str
) -> None:
    url = url.format(port=closed_port())
    with caplog.at_level(logging.WARNING, logger="wengu"):
        app = make_app({**app_config, "RATELIMIT_ENABLED": True, "WENGU_REDIS_URL": url})
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("WENGU_REDIS_URL" in line and "cannot be used" in line for line in warnings)
    assert "secret" not in caplog.text
    make_user(app, "ann")
    assert sign_in(app.test_client(), "ann", PASSWORD) == 302

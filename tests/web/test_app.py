"""The application: settings, instance folder, database setup, shipped banks."""

from __future__ import annotations

import logging
import os
import secrets
import stat
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from config import PROJECT_ROOT, deprecation_notices, settings_from_env
from models import Bank, Card, Question, User, db
from services.first_run import kept_in_instance
from srs.anki import write_apkg
from srs.export import bank_zip
from srs.render import highlight_css
from srs.sources import load_bank

SHIPPED = (
    "id: shipped\ntitle: Shipped\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
)


def test_database_url_from_wengu_variable_first() -> None:
    settings = settings_from_env(
        {"WENGU_DATABASE_URL": "sqlite:///a.db", "DATABASE_URL": "sqlite:///b.db"}
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "sqlite:///a.db"


def test_database_url_is_honoured_and_postgres_scheme_fixed() -> None:
    settings = settings_from_env({"DATABASE_URL": "postgres://u:p@localhost/wengu"})
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/wengu"


def test_defaults_without_environment() -> None:
    settings = settings_from_env({})
    assert settings["SQLALCHEMY_DATABASE_URI"] is None
    assert settings["SECRET_KEY"] is None
    assert settings["WENGU_AUTOLOAD_BANKS"] is True
    assert settings["WENGU_MAX_BANK_BYTES"] == 5 * 1024 * 1024
    assert (settings["WENGU_HOST"], settings["WENGU_PORT"]) == ("127.0.0.1", 5000)
    assert settings["WENGU_BANKS_DIR"] == str(PROJECT_ROOT / "quizzes")


def test_banks_dir_setting_is_read() -> None:
    assert settings_from_env({"WENGU_BANKS_DIR": "/srv/banks"})["WENGU_BANKS_DIR"] == "/srv/banks"
    assert deprecation_notices({"WENGU_BANKS_DIR": "/srv/banks"}) == []


def test_old_banks_setting_name_is_honoured_with_a_notice() -> None:
    assert settings_from_env({"WENGU_QUIZZES": "/old"})["WENGU_BANKS_DIR"] == "/old"
    both = {"WENGU_QUIZZES": "/old", "WENGU_BANKS_DIR": "/new"}
    assert settings_from_env(both)["WENGU_BANKS_DIR"] == "/new"
    [notice] = deprecation_notices({"WENGU_QUIZZES": "/old"})
    assert "WENGU_QUIZZES is deprecated" in notice and "WENGU_BANKS_DIR" in notice


def test_old_banks_setting_name_loads_banks_and_logs_the_notice(
    app_config: dict[str, object],
    make_app,
    write_bank,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    write_bank("old-place/shipped", {"bank.yaml": SHIPPED})
    monkeypatch.setenv("WENGU_QUIZZES", str(tmp_path / "old-place"))
    monkeypatch.delenv("WENGU_BANKS_DIR", raising=False)
    config = {k: v for k, v in app_config.items() if k != "WENGU_BANKS_DIR"}
    with caplog.at_level(logging.WARNING, logger="wengu"):
        app = make_app({**config, "WENGU_AUTOLOAD_BANKS": True})
    assert [row[0] for row in bank_rows(app)] == ["shipped"]
    assert "WENGU_QUIZZES is deprecated: set WENGU_BANKS_DIR instead" in caplog.text


@pytest.mark.parametrize(("value", "expected"), [("0", False), ("false", False), ("1", True)])
def test_autoload_switch(value: str, expected: bool) -> None:
    assert settings_from_env({"WENGU_AUTOLOAD_BANKS": value})["WENGU_AUTOLOAD_BANKS"] is expected


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path: Path, make_app) -> None:
    app = make_app({"WENGU_INSTANCE_PATH": str(tmp_path / "inst"), "WENGU_AUTOLOAD_BANKS": False,
                      "SQLALCHEMY_DATABASE_URI": None, "SECRET_KEY": None})  # fmt: skip
    assert app.config["SQLALCHEMY_DATABASE_URI"].database == str(tmp_path / "inst/wengu.sqlite3")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_connections_are_asked_before_use_on_a_database_server_only(app: Flask) -> None:
    """A server may drop an idle connection, so the pool asks before handing one out; a
    SQLite file has no server to lose it (asking would cost a statement a request)."""
    with app.app_context():
        engine = db.engine
    assert engine.pool._pre_ping is (engine.dialect.name != "sqlite")


def test_secret_key_is_made_once_and_kept_private(tmp_path: Path, make_app) -> None:
    config = {"WENGU_INSTANCE_PATH": str(tmp_path / "inst"), "WENGU_AUTOLOAD_BANKS": False,
              "SECRET_KEY": None, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"}  # fmt: skip
    first = make_app(config).config["SECRET_KEY"]
    second = make_app(config).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    key_file = tmp_path / "inst/secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_workers_starting_at_once_read_one_whole_secret_key(tmp_path: Path) -> None:
    """Workers that start together all get the key that won, never an empty file."""
    gate = threading.Barrier(8)
    made = []

    def slow_key() -> str:
        # A slow writer widens the window in which another worker might read the file.
        made.append(key := secrets.token_hex(32))
        time.sleep(0.05)
        return key

    def start() -> str:
        gate.wait()
        return kept_in_instance(tmp_path / "secret_key", slow_key)

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: start(), range(8)))
    assert len(keys) == 1 and len(keys.pop()) == 64 and len(made) >= 1
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # nothing left aside


def test_secret_key_from_environment_wins(tmp_path: Path, make_app) -> None:
    app = make_app({"WENGU_INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "given",
                      "WENGU_AUTOLOAD_BANKS": False})  # fmt: skip
    assert app.config["SECRET_KEY"] == "given"
    assert not (tmp_path / "secret_key").exists()


def test_foreign_keys_are_enforced(app: Flask) -> None:
    with app.app_context():
        db.session.add(Card(user_id=999, question_id=999, bank_id="none"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_times_come_back_aware_in_utc(app: Flask) -> None:
    when = datetime(2026, 11, 27, 12, 0, tzinfo=timezone(timedelta(hours=8)))
    with app.app_context():
        db.session.add(User(name="ann", password_hash="x", created_at=when))
        db.session.commit()
        db.session.expire_all()
        stored = db.session.scalar(select(User.created_at))
    assert stored == when
    assert stored.tzinfo is timezone.utc
    assert stored.hour == 4


def test_naive_times_are_refused(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(name="ann", password_hash="x", created_at=datetime(2026, 1, 1)))
        with pytest.raises(Exception, match="naive datetime"):
            db.session.flush()
        db.session.rollback()


# -- shipped banks ----------------------------------------------------------------------


@pytest.fixture
def shipped(app_config: dict[str, object], write_bank) -> dict[str, object]:
    write_bank("quizzes/shipped", {"bank.yaml": SHIPPED})
    return {**app_config, "WENGU_AUTOLOAD_BANKS": True}


def bank_rows(app: Flask) -> list[tuple[str, datetime]]:
    with app.app_context():
        return db.session.execute(select(Bank.id, Bank.imported_at)).all()


def test_shipped_banks_load_on_a_new_database(shipped: dict[str, object], make_app) -> None:
    app = make_app(shipped)
    assert [row[0] for row in bank_rows(app)] == ["shipped"]


def test_unchanged_shipped_banks_are_not_imported_again(
    shipped: dict[str, object], make_app
) -> None:
    first = bank_rows(make_app(shipped))
    assert bank_rows(make_app(shipped)) == first


def test_changed_shipped_bank_is_updated_on_start(
    shipped: dict[str, object], tmp_path: Path, make_app
) -> None:
    make_app(shipped)
    (tmp_path / "quizzes/shipped/bank.yaml").write_text(SHIPPED.replace("prompt: p", "prompt: new"))
    app = make_app(shipped)
    with app.app_context():
        assert db.session.scalar(select(Question.content)) == {"prompt": "new", "answer": "a"}


def test_autoload_can_be_turned_off(shipped: dict[str, object], make_app) -> None:
    app = make_app({**shipped, "WENGU_AUTOLOAD_BANKS": False})
    assert bank_rows(app) == []


def test_broken_shipped_bank_is_reported_and_the_rest_load(
    shipped: dict[str, object], make_app, write_bank, caplog: pytest.LogCaptureFixture
) -> None:
    write_bank("quizzes/broken", {"bank.yaml": "id: broken\ntitle: B\nquestions: [{id: x}]\n"})
    with caplog.at_level(logging.WARNING, logger="wengu"):
        app = make_app(shipped)
    assert [row[0] for row in bank_rows(app)] == ["shipped"]
    assert "shipped bank" in caplog.text and "missing required key 'type'" in caplog.text


def test_shipped_zip_and_package_load_like_folders(
    shipped: dict[str, object], tmp_path: Path, make_app
) -> None:
    """The shipped folder is read as the command line reads it: a .zip and an .apkg load too."""
    other = load_bank(tmp_path / "quizzes/shipped")
    (tmp_path / "quizzes/zipped.zip").write_bytes(bank_zip(replace(other, id="zipped")))
    write_apkg(replace(other, id="packaged", title="Packaged"), tmp_path / "quizzes/p.apkg")
    (tmp_path / "quizzes/notes.md").write_text("not a bank")
    first = bank_rows(make_app(shipped))
    assert sorted(row[0] for row in first) == ["anki-packaged", "shipped", "zipped"]
    assert bank_rows(make_app(shipped)) == first


def test_highlight_stylesheet_is_current() -> None:
    assert (PROJECT_ROOT / "static/css/pygments.css").read_text() == highlight_css()

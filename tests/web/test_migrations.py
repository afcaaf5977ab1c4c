"""Migrations: from nothing to the models' schema, from an old revision with data kept, from a
renamed revision id, and a backup taken at an old revision restored by the newest code."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text

from config import VERSION
from models import db
from services.schema import ALIASES, MIGRATIONS, current_revision, head_revision
from tests.support import TEST_DATABASE_URL, require


@pytest.fixture
def empty_database(tmp_path: Path, make_app) -> Iterator[str]:
    """A database with no tables: a new SQLite file, or the PostgreSQL test schema emptied
    (and brought to the newest revision afterwards, whatever the test left, for the next ones)."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    engine = create_engine(TEST_DATABASE_URL)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    yield TEST_DATABASE_URL
    build(make_app, tmp_path / "after", TEST_DATABASE_URL)


def build(make_app, tmp_path: Path, database: str, **config: object):
    return make_app({"TESTING": True, "SECRET_KEY": "t", "WENGU_AUTOLOAD_BANKS": False,
                       "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
                       "SQLALCHEMY_DATABASE_URI": database, **config})  # fmt: skip


def insert_rows() -> None:
    """An account, a bank and two questions (one retired), written as revision 0001 has them."""
    db.session.execute(text(
        "INSERT INTO users (id, name, password_hash, is_admin, disabled, created_at,"
        " desired_retention, new_per_day, reviews_per_day, learning_steps, relearning_steps,"
        " rollover_hour, timezone, maximum_interval)"
        " VALUES (1, 'ann', 'x', false, false, '2026-11-01 00:00:00', 0.9, 20, 200, '[60]',"
        " '[600]', 4, 'UTC', 36500)"
    ))  # fmt: skip
    db.session.execute(text(
        "INSERT INTO banks (id, title, source, fingerprint, imported_at)"
        " VALUES ('b', 'B', 'x', 'f', '2026-11-01 00:00:00')"
    ))  # fmt: skip
    for key, cards, retired in (("q1", 2, False), ("q2", 1, True)):
        db.session.execute(text(
            "INSERT INTO questions (bank_id, key, type, position, tags, content, card_ordinals,"
            " card_count, source, line, retired, updated_at) VALUES ('b', :key, 'reverse', 0,"
            " '[]', '{}', '[0, 1]', :cards, '', 1, :retired, '2026-11-01 00:00:00')"
        ), {"key": key, "cards": cards, "retired": retired})  # fmt: skip


def test_upgrade_from_nothing_gives_the_models_schema(
    tmp_path: Path, empty_database: str, make_app
) -> None:
    app = build(make_app, tmp_path, empty_database)
    with app.app_context():
        assert current_revision() == head_revision()
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_upgrade_from_the_previous_revision_keeps_the_data(
    tmp_path: Path, empty_database: str, make_app
) -> None:
    app = build(make_app, tmp_path, empty_database, WENGU_AUTO_MIGRATE=False)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0001")
        assert "groups" not in inspect(db.engine).get_table_names()
        insert_rows()
        db.session.commit()
        upgrade(directory=str(MIGRATIONS))
        # 0004 counted the bank's cards from its active questions.
        assert db.session.execute(text("SELECT card_count FROM banks")).scalar() == 2
        assert current_revision() == head_revision()
        assert db.session.execute(text("SELECT name FROM users")).scalars().all() == ["ann"]
        assert db.session.execute(text("SELECT title FROM banks")).scalars().all() == ["B"]
        assert "groups" in inspect(db.engine).get_table_names()


def test_starting_twice_migrates_once(tmp_path: Path, empty_database: str, make_app) -> None:
    build(make_app, tmp_path, empty_database)
    app = build(make_app, tmp_path, empty_database)
    with app.app_context():
        assert current_revision() == head_revision()


def kept_rows() -> tuple[list[str], list[tuple[str, int]], list[tuple[str, bool]]]:
    users = db.session.execute(text("SELECT name FROM users")).scalars().all()
    banks = db.session.execute(text("SELECT title, card_count FROM banks")).all()
    questions = db.session.execute(text("SELECT key, retired FROM questions ORDER BY key")).all()
    return list(users), [tuple(b) for b in banks], [(k, bool(r)) for k, r in questions]


@pytest.mark.parametrize(("old", "new"), sorted(ALIASES.items()))
def test_a_database_stamped_with_a_renamed_revision_upgrades(
    old: str, new: str, tmp_path: Path, empty_database: str, make_app
) -> None:
    app = build(make_app, tmp_path, empty_database, WENGU_AUTO_MIGRATE=False)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision=new)
        insert_rows()
        db.session.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": old})
        db.session.commit()
        before = kept_rows()
        # Read as the migration it is now, so that the server sees it must upgrade.
        assert current_revision() == new
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert current_revision() == head_revision()
        assert kept_rows() == before


def test_a_backup_at_an_old_revision_restores_and_migrates_on_the_newest_code(
    tmp_path: Path, empty_database: str, make_app
) -> None:
    if TEST_DATABASE_URL:
        require(
            shutil.which("pg_dump") is not None, "no pg_dump (apt-get install postgresql-client)"
        )
    app = build(make_app, tmp_path, empty_database, WENGU_AUTO_MIGRATE=False)
    runner = app.test_cli_runner()
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0005")
        insert_rows()
        db.session.commit()
        before = kept_rows()
    target = tmp_path / "old.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "schema revision 0005: 1 user, 1 bank, 2 questions" in result.stdout
    with app.app_context():
        assert current_revision() == "0005", "backup migrated the database"
    # Other commands refuse a database the code does not match.
    result = runner.invoke(args=["bank", "list"])
    assert result.exit_code == 1
    assert f"at schema revision 0005; this Wengu ({VERSION}) needs {head_revision()}" in (
        result.stderr
    )

    # The database is lost: an empty one in its place.
    with app.app_context():
        db.engine.dispose()
    if TEST_DATABASE_URL:
        empty = create_engine(TEST_DATABASE_URL)
        with empty.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        empty.dispose()
    else:
        Path(empty_database.removeprefix("sqlite:///")).unlink()

    result = runner.invoke(args=["restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith(
        f"Restored the database from {target}; migrated it from schema revision 0005 to "
        f"{head_revision()}.\n"
    )
    with app.app_context():
        assert current_revision() == head_revision()
        assert kept_rows() == before
        assert "groups" in inspect(db.engine).get_table_names()

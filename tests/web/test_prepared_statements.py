"""On PostgreSQL a rollback of a transaction in which nothing failed keeps the connection's
prepared statements (``app``): a page that only reads ends with one, and the review path's
statements stay planned. A failed transaction's rollback forgets them, as psycopg's own
does, so that a connection whose list and the server's differ recovers."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from models import User, db
from tests.support import TEST_DATABASE_URL, make_user

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL only (WENGU_TEST_DATABASE_URL)"
)

_BY_ID = select(User.name).where(User.id == bindparam("id"))
_PREPARED = text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :like")


def _prepared(like: str) -> int:
    return db.session.scalar(_PREPARED, {"like": like}) or 0


def test_a_rollback_keeps_prepared_statements_and_undoes_the_transaction(app: Flask) -> None:
    user_id = make_user(app, "ann")
    with app.app_context():
        for _ in range(6):  # psycopg prepares a statement at its fifth run
            assert db.session.scalar(_BY_ID, {"id": user_id}) == "ann"
        assert _prepared("%FROM users%") == 1
        db.session.get_one(User, user_id).name = "bob"
        db.session.flush()
        db.session.rollback()
        assert _prepared("%FROM users%") == 1
        assert db.session.scalar(_BY_ID, {"id": user_id}) == "ann"  # run as prepared
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_a_failed_transaction_rolls_back_and_forgets_the_prepared_statements(
    app: Flask,
) -> None:
    """psycopg's own rollback: a failure may have left its list and the server's apart."""
    user_id = make_user(app, "ann")
    with app.app_context():
        for _ in range(6):
            db.session.scalar(_BY_ID, {"id": user_id})
        db.session.get_one(User, user_id).name = "bob"
        db.session.flush()
        with pytest.raises(DBAPIError, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0"))
        db.session.rollback()
        assert _prepared("%FROM users%") == 0
        for _ in range(6):
            assert db.session.scalar(_BY_ID, {"id": user_id}) == "ann"
        assert _prepared("%FROM users%") == 1


def test_a_request_that_only_reads_leaves_the_statements_prepared(app: Flask) -> None:
    """A request's end closes its session (rolled back, as it did not commit) and gives
    the connection back to the pool (reset); the next request finds the statement ready."""
    user_id = make_user(app, "ann")
    with app.app_context():
        db.engine.dispose()  # one connection from here on
    for _ in range(6):
        with app.app_context():
            assert db.session.scalar(_BY_ID, {"id": user_id}) == "ann"
            db.session.remove()
    with app.app_context():
        assert _prepared("%FROM users%") == 1


def test_a_column_changed_by_another_process_fails_one_request_not_every_one(
    app: Flask,
) -> None:
    """Another process's ``ALTER`` changes what a prepared statement returns: PostgreSQL
    refuses the statement once; the failed transaction's rollback forgets the prepared
    statements, and the next request prepares afresh."""
    user_id = make_user(app, "ann")
    with app.app_context():
        db.engine.dispose()  # one connection from here on
        other = create_engine(db.engine.url)
    with app.app_context():
        for _ in range(6):
            db.session.scalar(_BY_ID, {"id": user_id})
        db.session.remove()
    with other.begin() as connection:
        connection.execute(text("ALTER TABLE users ALTER COLUMN name TYPE varchar(333)"))
    other.dispose()
    failures = []
    for _ in range(3):
        with app.app_context():
            try:
                assert db.session.scalar(_BY_ID, {"id": user_id}) == "ann"
            except DBAPIError as error:
                failures.append(type(error.orig).__name__)
            finally:
                db.session.remove()
    assert failures == ["FeatureNotSupported"]


def test_a_statement_prepared_in_a_failed_transaction_is_prepared_again(app: Flask) -> None:
    """psycopg prepares a statement run for many rows at once; in a transaction that has
    already failed, the server refuses it, but psycopg takes it as prepared: the rollback
    must forget it, or every later run of it fails."""
    user_id = make_user(app, "ann")
    touch = text("UPDATE users SET name = name WHERE id = :id")
    with app.app_context():
        db.engine.dispose()
        db.session.execute(touch, {"id": user_id})
        db.session.commit()
        with pytest.raises(DBAPIError):
            db.session.execute(text("SELECT 1 / 0"))
        with pytest.raises(DBAPIError):
            db.session.execute(touch, [{"id": user_id}, {"id": user_id}])
        db.session.rollback()
        db.session.remove()
    for _ in range(3):
        with app.app_context():
            db.session.execute(touch, [{"id": user_id}, {"id": user_id}])
            db.session.commit()
            db.session.remove()

"""On PostgreSQL a rollback keeps the connection's prepared statements (``app``): a page that
only reads ends with one, and the review path's statements stay planned."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import bindparam, func, select, text
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


def test_a_failed_transaction_rolls_back_and_the_connection_goes_on(app: Flask) -> None:
    user_id = make_user(app, "ann")
    with app.app_context():
        for _ in range(6):
            db.session.scalar(_BY_ID, {"id": user_id})
        db.session.get_one(User, user_id).name = "bob"
        db.session.flush()
        with pytest.raises(DBAPIError, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0"))
        db.session.rollback()
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

"""Statements run on the driver's cursor (``services.driver``) give what SQLAlchemy's execution
gives: the same rows, converted the same way and named the same, the same writes, the same
errors, seen by the same listeners, in the session's transaction. The review path's own
statements are compared, on a learner's cards in every state. Rows copied in are the rows
an INSERT writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    Sequence,
    String,
    Table,
    Text,
    bindparam,
    cast,
    event,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.exc import ArgumentError, IntegrityError, OperationalError, StatementError
from sqlalchemy.types import TypeDecorator

from models import Card, Question, User, db
from services.answer_sql import _CARD, _WRITE_SCHEDULE, read_answer_card
from services.answers import answer
from services.bank_import import import_bank
from services.candidates import _NEXT_REVIEWS, _kept_statement, pick_statement
from services.context import Study
from services.driver import DriverStatement, copied
from services.kept_queue import queue_sizes
from services.queue import next_card
from srs.scheduler import REVIEW, Rating
from srs.sources import load_bank
from tests.support import TEST_DATABASE_URL, make_user

BANK = """
    id: {id}
    title: {id}
    questions:
      - {{id: q1, type: basic, prompt: p1, answer: a1}}
      - {{id: q2, type: reverse, prompt: front, answer: back}}
      - {{id: q3, type: cloze, text: "{{{{c1::one}}}} {{{{c2::two}}}}"}}
      - {{id: q4, type: basic, prompt: p4, answer: a4}}
"""
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def studied(app: Flask, write_bank: Any, learner: int) -> list[str]:
    """Two banks whose cards the learner has answered: new, learning, review, buried."""
    banks = ["a", "b"]
    with app.app_context():
        for bank_id in banks:
            folder = write_bank(bank_id, {"bank.yaml": BANK.format(id=bank_id)})
            import_bank(db.session, load_bank(folder))
        db.session.commit()
        user = db.session.get_one(User, learner)
        for minutes, rating in enumerate([3, 1, 4, 3, 3, 1]):
            study = Study.at(db.session, user, T0 + timedelta(minutes=minutes))
            card, _ = next_card(study, banks)
            assert card is not None
            loaded = read_answer_card(db.session, card.id, learner)
            assert loaded is not None
            answer(study, loaded, Rating(rating), elapsed_ms=1000)
            db.session.commit()
    return banks


def _as_sqlalchemy_gives(statement: DriverStatement, values: dict[str, Any]) -> None:
    """The statement's rows on the driver's cursor are SQLAlchemy's, by value and name."""
    connection = db.session.connection()
    expected = connection.execute(statement.statement, values)
    names = list(expected.keys())
    wanted = [tuple(row) for row in expected]
    found = statement.rows(connection, values)
    assert [tuple(row) for row in found] == wanted
    assert found, "nothing read: the comparison would show nothing"
    # Named as SQLAlchemy names them: a name two columns share is the first's alone.
    unique = [(at, name) for at, name in enumerate(names) if names.count(name) == 1]
    assert all(row._fields[at] == name for row in found for at, name in unique)
    assert len(unique) >= len(names) - 1


def test_the_review_path_reads_the_rows_sqlalchemy_reads(
    app: Flask, learner: int, studied: list[str]
) -> None:
    with app.app_context():
        now = T0 + timedelta(hours=1)
        banks = {f"bank_{n}": bank for n, bank in enumerate(studied)}
        walks = {"user": learner, "now": now, "day_end": now + timedelta(hours=12)}
        walks |= queue_sizes()
        _as_sqlalchemy_gives(pick_statement(2), walks | banks | {"reviews_most": 100})
        _as_sqlalchemy_gives(_kept_statement(2), {"user": learner} | banks)
        # The reviews read on past those kept: from the first, due by any day.
        first = {"past_due": T0, "past_id": 0, "day_end": T0 + timedelta(days=400)}
        reviewed = select(Card.bank_id).where(Card.user_id == learner, Card.state == REVIEW)
        reviewed_banks = set(db.session.scalars(reviewed))
        assert reviewed_banks, "no review to read on"
        for bank in reviewed_banks:
            _as_sqlalchemy_gives(_NEXT_REVIEWS, walks | first | {"bank": bank})
        states = set()
        for card in db.session.scalars(select(Card).where(Card.user_id == learner)):
            _as_sqlalchemy_gives(_CARD, {"card": card.id, "user": learner})
            states.add((card.state, card.last_review is None, card.buried_until is None))
        assert len(states) >= 3  # new, learning, reviewed, buried: datetimes and NULLs


def test_an_update_writes_what_sqlalchemy_writes_and_counts_its_rows(
    app: Flask, learner: int, studied: list[str]
) -> None:
    with app.app_context():
        card = db.session.scalars(
            select(Card).where(Card.user_id == learner, Card.reps > 0)
        ).first()
        assert card is not None
        reps = card.reps
        due = datetime(2027, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
        values = (
            {
                "card": card.id,
                "reps_before": card.reps,
                "suspended_before": False,
                "retired_before": False,
            }
            | {
                f"new_{name}": value
                for name, value in asdict(card.schedule()).items()
                if name != "due"
            }
            | {"new_due": due, "new_reps": card.reps + 1}
        )
        connection = db.session.connection()
        assert _WRITE_SCHEDULE.written(connection, values) == 1
        assert _WRITE_SCHEDULE.written(connection, values) == 0  # its review count changed
        db.session.commit()
        db.session.expire_all()
        again = db.session.get_one(Card, card.id)
        assert (again.due, again.reps) == (due, reps + 1)
        # Stored as SQLAlchemy stores it: found by a comparison SQLAlchemy writes.
        assert db.session.scalar(select(Card.id).where(Card.due == due)) == card.id


@contextmanager
def _statements_seen() -> Iterator[list[str]]:
    """The SQL of each statement the engine's ``before_cursor_execute`` listeners see."""
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(sql)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_the_driver_s_errors_come_out_as_sqlalchemy_s_and_listeners_see_each_statement(
    app: Flask, learner: int
) -> None:
    rename = DriverStatement(text("UPDATE users SET name = :name, name_key = :key WHERE id = :id"))
    other = make_user(app, "bob")
    with app.app_context():
        with _statements_seen() as seen, pytest.raises(IntegrityError):
            rename.written(db.session.connection(), {"name": "ann", "key": "ann", "id": other})
        assert seen == [rename.form(db.engine.dialect).sql]
        db.session.rollback()
        # One transaction with the session's: what it wrote goes with a rollback.
        rename.written(db.session.connection(), {"name": "cid", "key": "cid", "id": other})
        db.session.rollback()
        assert db.session.get_one(User, other).name == "bob"


def test_a_list_given_at_each_run_or_a_value_missing_is_refused(app: Flask) -> None:
    listed = DriverStatement(select(User.id).where(User.id.in_(bindparam("ids", expanding=True))))
    named = DriverStatement(select(User.id).where(User.id == bindparam("id")))
    with app.app_context():
        connection = db.session.connection()
        with pytest.raises(ValueError, match="a statement a length"):
            listed.rows(connection, {"ids": [1, 2]})
        with pytest.raises(ArgumentError, match="'id'"):
            named.rows(connection, {})


def _question_rows(bank_id: str) -> list[dict[str, Any]]:
    """Rows of questions whose texts hold what ``COPY``'s text form escapes, and NULLs."""
    texts = ["tab\there", "back\\slash \\N", "new\nline\r\n", "引号 \"'", "😀 \\\\."]
    return [
        {"bank_id": bank_id, "key": f"x{i}", "type": "basic", "section_key": None if i % 2 else "s",
         "position": 10 + i, "tags": [texts[i]], "content": {"prompt": texts[i], "answer": texts[-1 - i]},
         "explanation": None if i == 0 else texts[i], "card_ordinals": [0, i], "card_count": 2,
         "source": texts[i], "line": i, "passage": None, "retired": i == 3,
         "updated_at": T0 + timedelta(seconds=i, microseconds=7),
         "faces": None if i == 1 else {"front": texts[i]}, "faces_of": None if i == 4 else "k",
         "kin": None if i == 2 else [i]}
        for i in range(len(texts))
    ]  # fmt: skip


def _stored(bank_id: str) -> list[tuple[Any, ...]]:
    """The questions ``_question_rows`` wrote to ``bank_id``, as the database keeps them (a JSON
    column as its text: JSON's null and SQL's NULL differ)."""
    table = Question.__table__
    columns = [
        cast(c, Text) if isinstance(c.type, JSON) else c
        for c in table.c
        if c.name not in ("id", "bank_id")
    ]
    found = select(*columns).where(table.c.bank_id == bank_id, table.c.key.like("x%"))
    return [tuple(row) for row in db.session.execute(found.order_by(table.c.key))]


def test_rows_copied_in_are_the_rows_an_insert_writes(app: Flask, write_bank: Any) -> None:
    """``copied`` (PostgreSQL's COPY) and an INSERT store the same values."""
    table = Question.__table__
    with app.app_context():
        for bank_id in ("a", "b"):
            import_bank(
                db.session, load_bank(write_bank(bank_id, {"bank.yaml": BANK.format(id=bank_id)}))
            )
        db.session.execute(insert(table), _question_rows("a"))
        copied(db.session.connection(), table, _question_rows("b"))
        db.session.commit()
        assert _stored("b") == _stored("a") and len(_stored("a")) == 5
        assert db.session.get_one(Question, db.session.scalar(select(Question.id).where(
            Question.bank_id == "b", Question.key == "x1"))).faces is None  # fmt: skip


def test_rows_copied_in_are_refused_whole(app: Flask, write_bank: Any) -> None:
    """A duplicate row fails as SQLAlchemy's IntegrityError, its statement seen by the
    listeners; rows of different columns, or lacking a column with a default, are refused
    before anything is sent; nothing is written."""
    table = Question.__table__
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK.format(id="b")})))
        db.session.commit()
        with _statements_seen() as seen, pytest.raises(IntegrityError):
            copied(db.session.connection(), table, _question_rows("b") * 2)
        assert any(sql.startswith(("COPY", "INSERT")) and "questions" in sql for sql in seen)
        db.session.rollback()
        rows = _question_rows("b")
        with pytest.raises(ValueError, match="each row for questions gives"):
            copied(db.session.connection(), table, [*rows[:4], rows[4] | {"extra": 1}])
        with pytest.raises(ValueError, match="lack tags, card_count"):
            copied(db.session.connection(), table,
                   [{k: v for k, v in row.items() if k not in ("tags", "card_count")} for row in rows])  # fmt: skip
        db.session.rollback()
        assert _stored("b") == []


def test_a_value_its_type_refuses_is_refused_before_anything_is_sent(
    app: Flask, write_bank: Any
) -> None:
    """As an INSERT: SQLAlchemy's StatementError, the transaction still usable."""
    table = Question.__table__
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK.format(id="b")})))
        rows = _question_rows("b")
        rows[3]["updated_at"] = rows[3]["updated_at"].replace(tzinfo=None)
        with pytest.raises(StatementError, match="naive datetime"):
            copied(db.session.connection(), table, rows)
        assert db.session.scalar(select(func.count()).select_from(table)) == 4
        db.session.commit()


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only (WENGU_TEST_DATABASE_URL)")
@pytest.mark.parametrize("run", ["copied", "driver statement"])
def test_a_connection_lost_is_invalidated_and_rolled_back_as_by_execute(
    app: Flask, write_bank: Any, run: str
) -> None:
    """The server ends the session's connection: the error says so, the session rolls back
    cleanly, and the next statement runs on a new connection."""
    rename = DriverStatement(text("UPDATE users SET name = 'x' WHERE id = 0"))
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK.format(id="b")})))
        db.session.commit()
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(OperationalError) as lost:
            if run == "copied":
                copied(db.session.connection(), Question.__table__, _question_rows("b"))
            else:
                rename.written(db.session.connection(), {})
        assert lost.value.connection_invalidated
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Question.__table__)) == 4


class _Shout(TypeDecorator[str]):
    """A type that wraps its value in SQL: an INSERT stores it upper-cased."""

    impl = String(20)
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return func.upper(bindvalue, type_=self)


def test_rows_copied_into_any_table_are_those_an_insert_writes(app: Flask) -> None:
    """A column whose key is not its name, a key from a sequence, a type that wraps its value
    in SQL: what ``copied`` stores is what an INSERT stores."""
    metadata = MetaData()
    probe = Table(
        "copy_probe", metadata,
        Column("id", Integer, Sequence("copy_probe_id"), primary_key=True),
        Column("type", String(20), key="kind"),
        Column("shout", _Shout()),
    )  # fmt: skip
    with app.app_context():
        metadata.create_all(db.engine)
        try:
            connection = db.session.connection()
            connection.execute(insert(probe), [{"kind": "inserted", "shout": "a"}])
            copied(connection, probe, [{"kind": "copied", "shout": "a"}])
            rows = connection.execute(select(probe.c.kind, probe.c.shout).order_by(probe.c.id))
            assert [tuple(row) for row in rows] == [("inserted", "A"), ("copied", "A")]
        finally:
            db.session.rollback()  # its locks on the table, before the table goes
            metadata.drop_all(db.engine)

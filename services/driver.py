"""Core statements compiled once a dialect and run on the driver's own cursor.

The review path runs a handful of statements an answer. Through ``Connection.execute``
each pays for SQLAlchemy's execution around the driver's: a cache key worked out from the
statement's whole tree, an execution context, its lists rendered again, a result object
and its rows processed through it. For the statement that reads a learner's kept queues
that was four times what SQLite itself spent. A :class:`DriverStatement` is compiled by
SQLAlchemy once a dialect (the same SQL, with SQLAlchemy's own conversion of each
parameter and column), then runs on the cursor of the session's connection, in its
transaction. The engine's ``before_cursor_execute`` listeners still see each statement,
and the driver's errors come out as SQLAlchemy's, as from ``execute``.

What it takes: no list given at each run (an ``IN`` of a list given is a statement a
length, as :func:`services.candidates.pick_statement` makes them; lists written in the
statement are rendered once), and no column whose type makes anything of NULL but None.

:func:`copied` inserts many rows the fastest way the driver has: psycopg's ``COPY``.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Column, Table, bindparam, exc, insert, inspect
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import InstanceState, Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement
from sqlalchemy.sql.visitors import iterate

__all__ = ["DriverStatement", "Record", "copied", "loaded"]

# A row of a driver statement: a named tuple of its columns.
Record = Any
T = TypeVar("T")
Processor = Callable[[Any], Any] | None


@dataclass(slots=True)
class _Form:
    """A statement as one dialect's driver takes it."""

    sql: str
    names: tuple[str, ...]  # the parameters, in their order for a positional driver
    positional: bool
    fixed: dict[str, Any]  # the values written in the statement, converted, by name
    binds: tuple[tuple[str, Processor], ...]  # each parameter given with its conversion
    columns: tuple[Any, ...]  # the columns of its rows, if it gives rows
    # Made at the first rows, from what the driver says of their columns: the rows' type,
    # their columns by the names the SQL gives them (as SQLAlchemy names them), and the
    # columns converted (a conversion may depend on the type the driver gives a column).
    row: type | None = None
    results: tuple[tuple[int, Processor], ...] = ()

    def parameters(self, values: Mapping[str, Any]) -> Any:
        try:
            converted = self.fixed | {name: (process(values[name]) if process else values[name])
                                      for name, process in self.binds}  # fmt: skip
        except KeyError as missing:
            raise exc.ArgumentError(f"no value for the parameter {missing}") from None
        if self.positional:
            return tuple(converted[name] for name in self.names)
        return converted

    def rows(self, found: list[Any], dialect: Dialect, description: Any) -> list[Any]:
        if not self.columns:
            raise TypeError("the statement gives no rows")
        if self.row is None:
            described = list(zip(self.columns, description, strict=True))
            self.results = tuple(
                (at, process)
                for at, (column, (_, code, *_)) in enumerate(described)
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, code))
            )
            names = [name for _, (name, *_) in described]
            self.row = namedtuple("Row", names, rename=True)  # type: ignore[misc]
        make = self.row._make  # type: ignore[attr-defined]
        if not self.results:
            return [make(row) for row in found]
        made = []
        for row in found:
            values = list(row)
            for at, process in self.results:
                if values[at] is not None:  # NULL is None whatever the column's type
                    values[at] = process(values[at])  # type: ignore[misc]
            made.append(make(values))
        return made


def _form(statement: ClauseElement, dialect: Dialect) -> _Form:
    binds = [bind for bind in iterate(statement) if isinstance(bind, BindParameter)]
    given = {bind.key for bind in binds if bind.value is None and bind.callable is None}
    if any(bind.expanding and bind.key in given for bind in binds):
        raise ValueError("a list given at each run: make a statement a length instead")
    compiled = cast("SQLCompiler", statement.compile(dialect=dialect))
    if compiled.escaped_bind_names:
        raise ValueError("a parameter name the driver cannot take as written")
    # The lists written in the statement rendered now, as SQLAlchemy renders them at each
    # execution (a parameter an item), each parameter given at each run a stand-in.
    state = compiled.construct_expanded_state(dict.fromkeys(given))
    types = {name: bind.type for bind, name in compiled.bind_names.items()}
    for name, items in state.parameter_expansion.items():
        types.update(dict.fromkeys(items, types[name]))
    processors = {
        name: process
        for name, kind in types.items()
        if (process := kind.dialect_impl(dialect).bind_processor(dialect))
    } | dict(state.processors)
    return _Form(
        sql=state.statement,
        names=tuple(state.positiontup or state.parameters),
        positional=state.positiontup is not None,
        fixed={
            name: (process(value) if (process := processors.get(name)) else value)
            for name, value in state.parameters.items()
            if name not in given
        },
        binds=tuple((name, processors.get(name)) for name in state.parameters if name in given),
        columns=tuple(getattr(statement, "selected_columns", ())),
    )


class DriverStatement:
    """A statement run through the driver of the connection it is given.

    ``rows`` gives its rows as named tuples (their columns by the statement's names, each
    converted as SQLAlchemy would); ``written`` the number of rows an update changed.
    """

    __slots__ = ("_forms", "statement")

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        self._forms: dict[str, _Form] = {}

    def form(self, dialect: Dialect) -> _Form:
        """The statement as ``dialect``'s driver takes it, made at its first use."""
        found = self._forms.get(dialect.name)
        if found is None:
            found = self._forms[dialect.name] = _form(self.statement, dialect)
        return found

    def _run(self, connection: Connection, values: Mapping[str, Any]) -> tuple[_Form, Any]:
        form = self.form(connection.dialect)
        parameters = form.parameters(values)
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        for listener in connection.dispatch.before_cursor_execute:
            listener(connection, cursor, form.sql, parameters, None, False)
        try:
            cursor.execute(form.sql, parameters)
        except connection.dialect.loaded_dbapi.Error as error:
            raise _failed(connection, form.sql, parameters, error) from error
        return form, cursor

    def rows(self, connection: Connection, values: Mapping[str, Any]) -> list[Any]:
        """The rows the statement gives with ``values``."""
        form, cursor = self._run(connection, values)
        try:
            return form.rows(cursor.fetchall(), connection.dialect, cursor.description)
        finally:
            cursor.close()

    def first(self, connection: Connection, values: Mapping[str, Any]) -> Any:
        """The statement's first row with ``values``, or ``None``."""
        found = self.rows(connection, values)
        return found[0] if found else None

    def written(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run the statement with ``values``; the number of rows it changed."""
        _, cursor = self._run(connection, values)
        try:
            count: int = cursor.rowcount
            return count
        finally:
            cursor.close()


def _failed(connection: Connection, sql: str, parameters: Any, error: Exception) -> Exception:
    """The driver's ``error`` as SQLAlchemy's; when it says the connection is gone, the
    connection invalidated first, as ``execute`` does (its pool then opens a new one)."""
    dialect = connection.dialect
    gone = dialect.is_disconnect(cast("Any", error), connection.connection.dbapi_connection, None)
    failed = exc.DBAPIError.instance(
        sql, parameters, error, dialect.loaded_dbapi.Error, connection_invalidated=gone
    )
    if gone:
        connection.invalidate(failed)
    return failed


def _copies(connection: Connection, columns: Sequence[Column[Any]]) -> bool:
    """Whether ``COPY`` stores what an ``INSERT`` of ``columns`` does on ``connection``: on
    psycopg, with no schema translated, no column's type wrapping its value in SQL."""
    dialect = connection.dialect
    return (
        (dialect.name, dialect.driver) == ("postgresql", "psycopg")
        and not connection.get_execution_options().get("schema_translate_map")
        and all(c.type.bind_expression(bindparam(c.key, type_=c.type)) is None for c in columns)
    )


def copied(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows`` into ``table`` in ``connection``'s transaction, each row a mapping of
    the same columns by their keys, every column with a Python-side default among them (none
    is applied; a sequence is the database's).

    On PostgreSQL through psycopg the rows are streamed by ``COPY``, which the server writes
    while the next arrive; an ``INSERT`` of many rows is built, sent and parsed one batch
    after another (0.5 s against 0.25 s for a bank of 10,000 questions). Each value is
    converted by its column's type first, as for an ``INSERT``, and a value it refuses is
    refused before anything is sent. The engine's ``before_cursor_execute`` listeners see the
    ``COPY``, not its rows. Elsewhere, and where a ``COPY`` would store something else (see
    :func:`_copies`), one ``INSERT`` of them all, as ``Connection.execute`` runs it."""
    if not rows:
        return
    keys = tuple(rows[0])
    lacking = [
        c.key
        for c in table.c
        if c.default is not None and not c.default.is_sequence and c.key not in keys
    ]
    if lacking:
        raise ValueError(f"rows for {table.name} lack {', '.join(lacking)}: give each")
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"each row for {table.name} gives {', '.join(keys)}, no other")
    columns = [table.c[key] for key in keys]
    if not _copies(connection, columns):
        connection.execute(insert(table), rows)
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer
    sql = (
        f"COPY {quote.format_table(table)} ({', '.join(quote.quote(c.name) for c in columns)})"
        " FROM STDIN"
    )
    convert = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    try:
        values = [
            [
                v if to is None else to(v)
                for to, v in zip(convert, map(row.__getitem__, keys), strict=True)
            ]
            for row in rows
        ]
    except Exception as error:
        raise exc.StatementError(str(error), sql, None, error) from error
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    for listener in connection.dispatch.before_cursor_execute:
        listener(connection, cursor, sql, None, None, True)
    try:
        with cursor.copy(sql) as copy:
            for row in values:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as error:
        raise _failed(connection, sql, None, error) from error
    finally:
        cursor.close()


def loaded(session: Session, model: type[T], row: Record) -> T:
    """The ``model`` object of ``row`` (which holds each of its table's columns, by name) in
    ``session``, as the ORM would load it: the one already there (its unloaded attributes
    set from the row), or a new persistent one, without asking the database again."""
    columns = model.__table__.columns  # type: ignore[attr-defined]
    values = {column.name: getattr(row, column.name) for column in columns}
    existing = session.identity_map.get(identity_key(model, values["id"]))
    if isinstance(existing, model):
        for key in cast("InstanceState[Any]", inspect(existing)).unloaded:
            if key in values:
                set_committed_value(existing, key, values[key])
        return existing
    made = model()
    for key, value in values.items():  # as read: no default, no validator in between
        set_committed_value(made, key, value)
    make_transient_to_detached(made)
    session.add(made)
    return made

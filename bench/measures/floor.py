"""Measure 1's floor on SQLite: what the database itself costs an answer.

The statements measure 1's answer cycles gave the driver, with their parameters, are
recorded, then run again, a cycle a transaction, on a copy of the database as it was
before those cycles, through the bare ``sqlite3`` module with the app's settings: the same
reads and writes, the same commits and checkpoints, and none of Wengu's Python around them
(SQLAlchemy, the ORM, the scheduler, choosing the card). The time measure 1 spends above
it is Python's.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event

Statement = tuple[str, Any, bool]  # the SQL, its parameters, whether executemany


@contextmanager
def recorded(engine: Any) -> Iterator[list[list[Statement]]]:
    """The statements ``engine`` runs inside the block, grouped by the commit that ends
    them (the last group, not yet committed, is left out by :func:`replay`)."""
    cycles: list[list[Statement]] = [[]]

    def statement(conn: Any, cursor: Any, sql: str, parameters: Any, context: Any,
                  many: bool) -> None:  # fmt: skip
        cycles[-1].append((sql, parameters, many))

    def commit(conn: Any) -> None:
        cycles.append([])

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", commit)
    try:
        yield cycles
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "commit", commit)


def snapshot(source: Path, target: Path) -> None:
    """A copy of the database at ``source`` (its log included), synced to disk, so that
    no checkpoint of the replay writes out the copy itself."""
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    live.close()
    copy.close()
    descriptor = os.open(target, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replay(path: Path, cycles: list[list[Statement]]) -> list[float]:
    """The time of each committed group of ``cycles`` run again on the database at
    ``path``: a transaction each, from its first statement to its commit."""
    from app import SQLITE_PRAGMAS

    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in SQLITE_PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    times = []
    try:
        for statements in cycles[:-1]:
            started = time.perf_counter()
            connection.execute("BEGIN")
            for sql, parameters, many in statements:
                run = connection.executemany if many else connection.execute
                run(sql, parameters).fetchall()
            connection.execute("COMMIT")
            times.append(time.perf_counter() - started)
    finally:
        connection.close()
    return times

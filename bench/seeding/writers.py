"""The two databases' loaders: temporary tables, bulk loads, and the ``INSERT … SELECT`` joins
that make cards and reviews inside the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import make_url

from srs.scheduler import NEW

Row = tuple[Any, ...]

# The temporary tables: every trajectory's reviews (times as days after the card's first day
# and times of day as stored), the dates by day number, and one learner's cards.
EVENTS = (
    ("path", "INTEGER"), ("k", "INTEGER"),
    ("day", "INTEGER"), ("clock", "TEXT"), ("due_day", "INTEGER"), ("due_clock", "TEXT"),
    ("prev_day", "INTEGER"), ("prev_clock", "TEXT"),
    ("prev_due_day", "INTEGER"), ("prev_due_clock", "TEXT"),
    ("rating", "INTEGER"), ("elapsed_ms", "INTEGER"),
    ("state_before", "INTEGER"), ("step_before", "INTEGER"),
    ("stability_before", "DOUBLE PRECISION"), ("difficulty_before", "DOUBLE PRECISION"),
    ("state_after", "INTEGER"), ("step_after", "INTEGER"),
    ("stability_after", "DOUBLE PRECISION"), ("difficulty_after", "DOUBLE PRECISION"),
    ("lapses_after", "INTEGER"),
)  # fmt: skip
DATES = (("i", "INTEGER"), ("d", "TEXT"))
STAGE = (
    ("id", "BIGINT"), ("user_id", "INTEGER"), ("question_id", "INTEGER"),
    ("bank_id", "VARCHAR(64)"), ("ordinal", "INTEGER"),
    ("path", "INTEGER"), ("start", "INTEGER"), ("reviews", "INTEGER"),
)  # fmt: skip

_CARD_COLUMNS = (
    "id, user_id, question_id, bank_id, ordinal, state, step, stability, difficulty, due, "
    "last_review, reps, lapses, suspended, buried_until, retired, created_at, position"
)
_POSITION = "(SELECT q.position FROM questions q WHERE q.id = c.question_id)"
_REVIEW_COLUMNS = (
    "card_id, user_id, bank_id, reviewed_at, due_before, last_review_before, due_after, "
    "rating, elapsed_ms, state_before, step_before, stability_before, difficulty_before, "
    "state_after, step_after, stability_after, difficulty_after, correct, review_token, buried"
)


class Writer:
    """The temporary tables and the statements that turn them into cards and reviews."""

    suffix = ""  # what follows a stored time of day
    table_options = ""

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def load(self, table: str, columns: Sequence[tuple[str, str]], rows: list[Row]) -> None:
        raise NotImplementedError

    def scalar(self, sql: str) -> int:
        raise NotImplementedError

    def stamp(self, expression: str) -> str:
        """``expression``, text, as the database stores a ``UTCDateTime``."""
        return expression

    def json(self, literal: str) -> str:
        return f"'{literal}'"

    def _create(self, table: str, columns: Sequence[tuple[str, str]], key: str) -> None:
        body = ", ".join(f"{name} {kind}" for name, kind in columns)
        self.execute(f"CREATE TEMP TABLE {table} ({body}, PRIMARY KEY ({key})){self.table_options}")

    def prepare(self, events: list[Row], dates: list[Row]) -> None:
        self._create("bench_events", EVENTS, "path, k")
        self._create("bench_dates", DATES, "i")
        self._create("bench_stage", STAGE, "id")
        self.load("bench_events", EVENTS, events)
        self.load("bench_dates", DATES, dates)

    def first_card_id(self) -> int:
        return self.scalar("SELECT coalesce(max(id), 0) FROM cards") + 1

    def learner(self, stage: list[Row], now: str) -> None:
        """One learner's cards and reviews from ``stage`` (:data:`STAGE` rows); no commit."""
        self.load("bench_stage", STAGE, stage)
        stamp = self.stamp
        self.execute(
            f"INSERT INTO cards ({_CARD_COLUMNS}) "
            f"SELECT c.id, c.user_id, c.question_id, c.bank_id, c.ordinal, {NEW}, NULL, NULL, "
            f"NULL, {stamp(repr(now))}, NULL, 0, 0, FALSE, NULL, FALSE, {stamp(repr(now))}, "
            f"{_POSITION} FROM bench_stage c WHERE c.reviews = 0 ORDER BY c.id"
        )
        self.execute(
            f"INSERT INTO cards ({_CARD_COLUMNS}) "
            "SELECT c.id, c.user_id, c.question_id, c.bank_id, c.ordinal, e.state_after, "
            "e.step_after, e.stability_after, e.difficulty_after, "
            f"{stamp('d1.d || e.due_clock')}, {stamp('d2.d || e.clock')}, c.reviews, "
            f"e.lapses_after, FALSE, NULL, FALSE, {stamp('d3.d || f.clock')}, {_POSITION} "
            "FROM bench_stage c "
            "JOIN bench_events e ON e.path = c.path AND e.k = c.reviews - 1 "
            "JOIN bench_events f ON f.path = c.path AND f.k = 0 "
            "JOIN bench_dates d1 ON d1.i = c.start + e.due_day "
            "JOIN bench_dates d2 ON d2.i = c.start + e.day "
            "JOIN bench_dates d3 ON d3.i = c.start + f.day "
            "WHERE c.reviews > 0 ORDER BY c.id"
        )
        self.execute(
            f"INSERT INTO reviews ({_REVIEW_COLUMNS}) "
            f"SELECT c.id, c.user_id, c.bank_id, {stamp('d1.d || e.clock')}, "
            f"{stamp('d2.d || e.prev_due_clock')}, {stamp('d3.d || e.prev_clock')}, "
            f"{stamp('d4.d || e.due_clock')}, e.rating, e.elapsed_ms, e.state_before, "
            "e.step_before, e.stability_before, e.difficulty_before, e.state_after, "
            f"e.step_after, e.stability_after, e.difficulty_after, NULL, NULL, {self.json('[]')} "
            "FROM bench_stage c "
            "JOIN bench_events e ON e.path = c.path AND e.k < c.reviews "
            "JOIN bench_dates d1 ON d1.i = c.start + e.day "
            "JOIN bench_dates d2 ON d2.i = c.start + e.prev_due_day "
            "LEFT JOIN bench_dates d3 ON d3.i = c.start + e.prev_day "
            "JOIN bench_dates d4 ON d4.i = c.start + e.due_day "
            "ORDER BY 4, 1"
        )
        self.execute("DELETE FROM bench_stage")

    def commit(self) -> None:
        raise NotImplementedError

    def close(self, done: bool) -> None:
        """End the load: ``done``, or after a failure (what was committed stays)."""
        raise NotImplementedError


class SqliteWriter(Writer):
    """A raw ``sqlite3`` connection tuned for one bulk load, ``executemany`` with tuples."""

    table_options = " WITHOUT ROWID"

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",  # as the app keeps it (as fast here as no journal at all)
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1048576",  # 1 GiB
            "temp_store=MEMORY",
            "locking_mode=EXCLUSIVE",
        ):
            self.connection.execute(f"PRAGMA {pragma}")
        self.connection.execute("BEGIN")

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def load(self, table: str, columns: Sequence[tuple[str, str]], rows: list[Row]) -> None:
        marks = ", ".join("?" * len(columns))
        self.connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    def scalar(self, sql: str) -> int:
        return int(self.connection.execute(sql).fetchone()[0])

    def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("BEGIN")

    def close(self, done: bool) -> None:
        self.connection.execute("COMMIT" if done else "ROLLBACK")
        self.connection.execute("PRAGMA locking_mode=NORMAL")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()


class PostgresWriter(Writer):
    """psycopg 3: ``COPY … FROM STDIN`` into the temporary tables; foreign keys and plain
    indexes of ``cards`` and ``reviews`` dropped for the load and made again in close()."""

    suffix = "+00"

    def __init__(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.connection = psycopg.connect(conninfo)
        for setting in (
            "synchronous_commit = off",
            "TIME ZONE 'UTC'",
            "work_mem = '256MB'",  # the sort of a learner's reviews stays in memory
            "maintenance_work_mem = '512MB'",
        ):
            self.execute(f"SET {setting}")
        # Foreign keys are checked row by row, half the cost of a load: they go for the load
        # and come back as they were, each checked in one pass (see close()).
        self.foreign_keys = self.connection.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid IN ('cards'::regclass, 'reviews'::regclass) ORDER BY 1, 2"
        ).fetchall()
        for table, name, _ in self.foreign_keys:
            self.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        # So do the indexes that are no constraint's: one sort each at the end beats
        # millions of insertions.
        self.indexes = self.connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            "AND tablename IN ('cards', 'reviews') AND NOT EXISTS (SELECT FROM pg_constraint c "
            "WHERE c.conname = i.indexname) ORDER BY 1"
        ).fetchall()
        for name, _ in self.indexes:
            self.execute(f'DROP INDEX "{name}"')
        self.connection.commit()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql.encode())

    def load(self, table: str, columns: Sequence[tuple[str, str]], rows: list[Row]) -> None:
        names = ", ".join(name for name, _ in columns)
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN".encode()) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.execute(f"ANALYZE {table}")  # temporary tables get no autovacuum

    def scalar(self, sql: str) -> int:
        row = self.connection.execute(sql.encode()).fetchone()
        return int(row[0]) if row else 0

    def stamp(self, expression: str) -> str:
        return f"CAST({expression} AS TIMESTAMP WITH TIME ZONE)"

    def json(self, literal: str) -> str:
        return f"CAST('{literal}' AS JSON)"

    def commit(self) -> None:
        self.connection.commit()

    def close(self, done: bool) -> None:
        self.connection.rollback()  # what a failure left unfinished
        for _, definition in self.indexes:
            self.execute(definition)
        for table, name, definition in self.foreign_keys:
            self.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.execute(
            "SELECT setval(pg_get_serial_sequence('cards', 'id'), "
            "(SELECT coalesce(max(id), 1) FROM cards))"
        )
        self.connection.commit()
        if done:
            self.connection.autocommit = True
            self.execute("VACUUM ANALYZE")
        self.connection.close()

"""Measure 7: rows and bytes per learner-year of the tables that grow with learners.

For ``reviews``, ``cards``, ``review_days``, ``bank_progress`` and ``card_totals`` (when the
schema has it): the rows of the learners who have any, and the bytes those rows take with
their table's indexes, per learner-year of history. A learner's history is the time from
their first review to their last; learner-years are the sum of those over learners, in days,
divided by 365. Bytes are each table's and index's pages (SQLite: the ``dbstat`` virtual
table; PostgreSQL: ``pg_total_relation_size`` and ``pg_indexes_size``), shared out over the
table's rows by count: the learners measured own nearly all of them.

The kept day totals (``review_days``) and card totals are written by a learner's first visit
of ``/stats``; a seeded database has none. Before measuring, the learners without them (at
most ``Size.stats_runs``) visit ``/stats`` on the copy, so that the kept tables hold a year
for several learners; their figures are per learner-year of the learners that have rows.
These figures are for the capacity model in docs/hosting.md: they have no target.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench.measures.common import NO_TARGET, REPORTED, Measure, Size, fmt_bytes
from bench.measures.database import Learner
from bench.measures.stats import signed_in_client

TABLES = ("reviews", "cards", "review_days", "bank_progress", "card_totals")


@dataclass(frozen=True)
class Footprint:
    """One table's share of the learners measured: rows, and bytes of table and indexes."""

    table: str
    rows: int
    table_bytes: int
    index_bytes: int
    learners: int
    learner_years: float

    @property
    def bytes(self) -> int:
        return self.table_bytes + self.index_bytes


def _sizes_sqlite(connection: Any, tables: list[str]) -> tuple[dict[str, tuple[int, int]], str]:
    """Each table's bytes and its indexes' bytes, from ``dbstat`` (the pages of each b-tree)."""
    from sqlalchemy.exc import OperationalError

    try:
        rows = connection.exec_driver_sql(
            "SELECT m.tbl_name, m.type, sum(s.pgsize) FROM dbstat AS s"
            " JOIN sqlite_schema AS m ON m.name = s.name GROUP BY m.tbl_name, m.type"
        ).all()
    except OperationalError as error:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
        raise RuntimeError(f"SQLite's dbstat table is not available here: {error}") from error
    sizes = {table: [0, 0] for table in tables}
    for table, kind, size in rows:
        if table in sizes:
            sizes[table][0 if kind == "table" else 1] += int(size or 0)
    return {table: (pair[0], pair[1]) for table, pair in sizes.items()}, "SQLite dbstat"


def _sizes_postgres(connection: Any, tables: list[str]) -> tuple[dict[str, tuple[int, int]], str]:
    """Each table's bytes (heap, TOAST and maps: the total less the indexes) and its
    indexes' bytes."""
    sizes = {}
    for table in tables:
        total, indexes = connection.exec_driver_sql(
            "SELECT pg_total_relation_size(%(t)s::regclass), pg_indexes_size(%(t)s::regclass)",
            {"t": table},
        ).one()
        sizes[table] = (int(total) - int(indexes), int(indexes))
    return sizes, "pg_total_relation_size, pg_indexes_size"


def keep_summaries(app: Any, learners: list[Learner], most: int) -> int:
    """Visit ``/stats`` for up to ``most`` learners that have no kept day totals yet (which
    writes them, and the card totals where the schema keeps them); returns how many."""
    from sqlalchemy import text

    from models import db

    with app.app_context():
        kept = set(db.session.scalars(text("SELECT DISTINCT user_id FROM review_days")))
        db.session.remove()
    visited = 0
    for learner in learners:
        if visited >= most:
            break
        if learner.id in kept or not learner.reviews:
            continue
        page = signed_in_client(app, learner.id).get("/stats")
        if page.status_code != 200:
            raise RuntimeError(f"/stats for {learner.name} answered {page.status_code}")
        visited += 1
    return visited


def footprints(app: Any) -> tuple[list[Footprint], dict[str, Any]]:
    """The footprint of each table of ``TABLES`` the schema has, and how it was measured."""
    from sqlalchemy import func, inspect, select

    from models import Review, db

    with app.app_context(), db.engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        present = set(inspect(connection).get_table_names())
        tables = [table for table in TABLES if table in present]
        columns = {
            table: {c["name"] for c in inspect(connection).get_columns(table)} for table in tables
        }
        tables = [table for table in tables if "user_id" in columns[table]]
        # Each learner's history: first review to last, in days.
        spans = select(Review.user_id, func.min(Review.reviewed_at), func.max(Review.reviewed_at))
        history = {
            user_id: (last - first).total_seconds() / 86400
            for user_id, first, last in connection.execute(spans.group_by(Review.user_id))
        }
        sizes, how = (_sizes_postgres if postgres else _sizes_sqlite)(connection, tables)
        found = []
        for table in tables:
            per_user = dict(
                connection.exec_driver_sql(
                    f"SELECT user_id, count(*) FROM {table} GROUP BY user_id"
                ).all()
            )
            total = sum(per_user.values())
            mine = {user: n for user, n in per_user.items() if user in history}
            rows = sum(mine.values())
            share = rows / total if total else 0.0
            table_bytes, index_bytes = sizes[table]
            found.append(
                Footprint(
                    table,
                    rows,
                    round(table_bytes * share),
                    round(index_bytes * share),
                    len(mine),
                    sum(history[user] for user in mine) / 365,
                )
            )
    return found, {"sizes_from": how, "history_days": history}


def measure_capacity(app: Any, learners: list[Learner], size: Size) -> list[Measure]:
    started = time.perf_counter()
    visited = keep_summaries(app, learners, size.stats_runs)
    filled = time.perf_counter() - started
    found, how = footprints(app)
    days = how["history_days"]
    reviews = next((f for f in found if f.table == "reviews"), None)
    per_day = reviews.rows / sum(days.values()) if reviews and days else 0.0
    rows = []
    for item in found:
        years = item.learner_years
        per_year_rows = item.rows / years if years else 0.0
        per_year_bytes = item.bytes / years if years else 0.0
        per_row = item.bytes / item.rows if item.rows else 0.0
        rate = f", {per_day:.0f} a learner-day" if item.table == "reviews" else ""
        rows.append(
            Measure(
                7,
                f"Per learner-year: {item.table} ({item.learners} learners, "
                f"{years:.2f} learner-years{rate})",
                f"{per_year_rows:,.0f} rows, {fmt_bytes(per_year_bytes)} "
                f"({per_row:.0f} B a row with its indexes)",
                f"{item.rows:,} rows; table {fmt_bytes(item.table_bytes)}, "
                f"indexes {fmt_bytes(item.index_bytes)}",
                "",
                NO_TARGET,
                REPORTED,
                {
                    "table": item.table,
                    "rows": item.rows,
                    "table_bytes": item.table_bytes,
                    "index_bytes": item.index_bytes,
                    "learners": item.learners,
                    "learner_years": round(years, 4),
                    "rows_per_learner_year": round(per_year_rows, 1),
                    "bytes_per_learner_year": round(per_year_bytes),
                    "bytes_per_row": round(per_row, 1),
                    "sizes_from": how["sizes_from"],
                    "reviews_per_learner_day": round(per_day, 1),
                    "stats_first_visits": visited,
                    "stats_first_visits_s": round(filled, 1),
                },
            )
        )
    return rows

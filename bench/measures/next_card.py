"""Measure 3: ``next_card`` latency and the query plan of every statement it runs."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bench.measures.common import Measure, Size, fmt_ms, ms, percentile, summary, verdict
from bench.measures.database import Learner

# The targets for the slower of the two cases' p99: on SQLite a bound in time; on PostgreSQL,
# where every statement is a round trip to a server sharing the machine, a multiple of the
# bare indexed read's p99 measured beside it. On both, the due-card plan on an index, no scan.
MOST_MS_SQLITE = 2.0
MOST_BARE_POSTGRES = 2.0


def _explain(connection: Any, postgres: bool, statement: str, parameters: Any) -> list[str]:
    prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
    rows = connection.exec_driver_sql(prefix + statement, parameters).all()
    return [str(row[0]) for row in rows] if postgres else [str(row[-1]) for row in rows]


def _scans(lines: list[str], postgres: bool) -> list[str]:
    """Plan lines that read a whole learner table (cards, reviews) or a learner's whole
    history (reviews by user only), instead of a bounded range of an index."""
    found = []
    for line in lines:
        text = line.strip()
        if postgres:
            scan = re.search(r"Seq Scan on (cards|reviews)\b", text)
        else:
            whole = re.match(r"SCAN (cards|reviews)\b", text) and "INDEX" not in text
            scan = whole or re.match(r"(SEARCH|SCAN) reviews USING .*\(user_id=\?\)$", text)
        if scan:
            found.append(text)
    if postgres:
        for index, line in enumerate(lines):
            if re.search(r"Index .*Scan .* on reviews", line):
                following = " ".join(lines[index + 1 : index + 3])
                if "Index Cond: (user_id =" in following and "reviewed_at" not in following:
                    found.append(line.strip())
    return found


def _next_card_case(
    app: Any, learner: Learner, samples: int, moment: Callable[[], datetime]
) -> dict[str, Any]:
    """``next_card`` at ``moment()``: what it picks, each statement's plan, and timings."""
    from sqlalchemy import event

    from models import User, db
    from services.candidates import read_candidates
    from services.context import Study
    from services.queue import next_card

    session = db.session
    postgres = db.engine.dialect.name == "postgresql"
    bank_ids = [learner.main_bank]
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    def call() -> Any:
        user = session.get_one(User, learner.id)
        event.listen(db.engine, "before_cursor_execute", capture)
        try:
            return next_card(Study.at(session, user, moment()), bank_ids)[0]
        finally:
            event.remove(db.engine, "before_cursor_execute", capture)

    card = call()  # nothing kept yet: the walks
    kind = "none" if card is None else ("new" if card.state == 0 else "due")
    session.rollback()
    # What the walks found, kept as a learner's requests keep it (the first makes the row,
    # the second keeps), and nothing else written; then a read of what is kept.
    for _ in range(2):
        read_candidates(Study.at(session, session.get_one(User, learner.id), moment()), bank_ids)
        session.commit()
    call()
    session.rollback()
    plans = []
    connection = session.connection()
    for statement, parameters in statements:
        if statement.lstrip().upper().startswith("SELECT"):
            lines = _explain(connection, postgres, statement, parameters)
            plans.append({"sql": " ".join(statement.split()), "plan": lines})
    session.rollback()
    times = []
    for _ in range(samples):
        user = session.get_one(User, learner.id)
        user.timezone  # noqa: B018 (loaded outside the timing)
        started = time.perf_counter()
        next_card(Study.at(session, user, moment()), bank_ids)
        times.append(time.perf_counter() - started)
        session.rollback()  # a new card made for the learner is not kept
    return {
        "picked": kind,
        "ms": summary(times),
        "times": times,
        "plans": plans,
        "scans": [line for p in plans for line in _scans(p["plan"], postgres)],
    }


def measure_next_card(app: Any, learner: Learner, size: Size) -> Measure:
    """``next_card`` when a due card comes next (now), and when a new card does (at the
    start of the learner's history, when none of their cards was due yet: the same walk
    over the bank's questions as today's, with the same cards studied)."""
    from sqlalchemy import func, select, text

    from models import Card, Review, db
    from models.types import now_utc

    with app.app_context():
        session = db.session
        postgres = db.engine.dialect.name == "postgresql"
        started_at = session.scalar(
            select(func.min(Review.reviewed_at)).where(
                Review.user_id == learner.id, Review.bank_id == learner.main_bank
            )
        ) or session.scalar(select(func.min(Card.created_at)).where(Card.user_id == learner.id))
        session.rollback()
        due = _next_card_case(app, learner, size.samples, now_utc)
        new = _next_card_case(
            app, learner, max(10, size.samples // 3), lambda: started_at + timedelta(minutes=1)
        )
        due_query = [
            p for p in due["plans"] if "FROM cards" in p["sql"] and "ORDER BY cards.due" in p["sql"]
        ]
        due_plan = due_query[0]["plan"] if due_query else []
        due_indexed = any(re.search(r"USING (COVERING )?INDEX|Index", x) for x in due_plan)
        scans = due["scans"] + new["scans"]

        # The floor: the bare indexed read of a due card, through the same connection pool.
        bare_sql = text(
            "SELECT id FROM cards WHERE user_id = :u AND bank_id = :b AND suspended = :f"
            " AND retired = :f ORDER BY due, id LIMIT 1"
        )
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            compiled = bare_sql.compile(dialect=db.engine.dialect)
            values = {"u": learner.id, "b": learner.main_bank, "f": False}
            params = compiled.construct_params(values)
            if postgres:
                sql, args = str(compiled), params
            else:
                sql = str(compiled)
                args = tuple(params[name] for name in compiled.positiontup or ())
            bare = []
            for _ in range(size.samples):
                started = time.perf_counter()
                cursor.execute(sql, args)
                cursor.fetchall()
                bare.append(time.perf_counter() - started)
            cursor.close()
        finally:
            raw.close()
        session.remove()
    p50, p99 = ms(percentile(due["times"], 50)), ms(percentile(due["times"], 99))
    new50, new99 = ms(percentile(new["times"], 50)), ms(percentile(new["times"], 99))
    bare99 = max(ms(percentile(bare, 99)), 1e-6)
    worst = max(p99, new99)
    if postgres:
        target = f"p99 ≤ {MOST_BARE_POSTGRES:.0f}× bare, index, no scan"
        fast = worst <= MOST_BARE_POSTGRES * bare99
    else:
        target = f"p99 ≤ {MOST_MS_SQLITE:.0f} ms, index, no scan"
        fast = worst <= MOST_MS_SQLITE
    met = fast and due_indexed and not scans
    for case in (due, new):
        del case["times"]
    return Measure(
        3,
        f"next_card latency p50 / p99 ({learner.name}, bank {learner.main_bank}, "
        f"{size.samples} + {max(10, size.samples // 3)} calls)",
        f"{due['picked']} card {fmt_ms(p50)} / {fmt_ms(p99)}, {new['picked']} card "
        f"{fmt_ms(new50)} / {fmt_ms(new99)}; {len(due['plans'])} queries, due-card query "
        + ("on an index" if due_indexed else "NOT on an index")
        + (f", {len(scans)} scans" if scans else ", no scan"),
        f"bare indexed read {fmt_ms(ms(percentile(bare, 50)))} / "
        f"{fmt_ms(ms(percentile(bare, 99)))}",
        f"p99 {worst / bare99:.{1 if worst < 10 * bare99 else 0}f}× bare",
        target,
        verdict(met),
        {
            "learner": learner.name,
            "due_card": due,
            "new_card": new | {"at": started_at.isoformat() if started_at else None},
            "bare_read_ms": summary(bare),
            "due_query_plan": due_plan,
            "scans": scans,
        },
    )

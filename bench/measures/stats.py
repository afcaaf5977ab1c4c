"""Measure 4: ``GET /stats`` for the learner with the most history, against the bare rows;
and the learner's first visit, when nothing is kept for them yet."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

from bench.measures.common import Measure, Size, fmt_ms, ms, summary, verdict
from bench.measures.database import Learner


def signed_in_client(app: Any, user_id: int) -> Any:
    """A test client holding a session of ``user_id``, as signing in leaves it (with a
    sign-in of its own, where the schema keeps them)."""
    from models import User, db

    with app.app_context():
        user = db.session.get_one(User, user_id)
        try:
            from services.sign_ins import open_sign_in
        except ImportError:  # code from before sign-ins were kept
            pass
        else:
            open_sign_in(db.session, user)
            db.session.commit()
        cookie_id = user.get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = cookie_id
        session["_fresh"] = True
    return client


FIRST_VISITS = 3  # first visits timed, their median reported
KEPT_PREFIXES = ("review_day", "card_total")  # the kept summaries /stats writes


def forget_summaries(app: Any, user_id: int) -> list[str]:
    """Delete the learner's kept summaries on the copy measured: their rows of every table
    named ``review_day...`` (``review_days``, ``review_day_marks``) or ``card_total...``
    (``card_totals``, where the schema has it) with a ``user_id``. The next ``/stats`` is then
    the learner's first visit. Returns the tables cleared."""
    from sqlalchemy import inspect, text

    from models import db

    with app.app_context(), db.engine.begin() as connection:
        inspector = inspect(connection)
        tables = [
            table
            for table in sorted(inspector.get_table_names())
            if table.startswith(KEPT_PREFIXES)
            and "user_id" in {column["name"] for column in inspector.get_columns(table)}
        ]
        for table in tables:
            connection.execute(text(f"DELETE FROM {table} WHERE user_id = :u"), {"u": user_id})
    return tables


def first_visits(
    app: Any, client: Any, learner: Learner, size: Size, floor_median: float
) -> Measure:
    """``GET /stats`` right after the learner's kept summaries are deleted: the median of a
    few, cleared before each, beside reading the rows the page stands for."""
    times, pages, cleared = [], [], []
    for _ in range(min(FIRST_VISITS, size.stats_runs)):
        cleared = forget_summaries(app, learner.id)
        started = time.perf_counter()
        page = client.get("/stats")
        times.append(time.perf_counter() - started)
        assert page.status_code == 200, page.status_code
        pages.append(len(page.data))
    kept = client.get("/stats")  # the summaries the last first visit kept
    median = ms(statistics.median(times))
    return Measure(
        4,
        f"/stats first visit ({learner.name}; {', '.join(cleared)} cleared before each)",
        f"{fmt_ms(median)} median of {len(times)}, max {fmt_ms(ms(max(times)))}",
        f"reading its rows {fmt_ms(floor_median)}",
        f"{median / floor_median:.1f}× rows",
        "≤ 1 s",
        verdict(median <= 1000),
        {
            "learner": learner.name,
            "cleared": cleared,
            "page_ms": summary(times),
            "page_bytes": pages,
            "kept_page_bytes": len(kept.data),
        },
    )


def measure_stats(app: Any, learners: list[Learner], size: Size) -> list[Measure]:
    from sqlalchemy import func, select, text

    from models import Review, User, db
    from models.types import now_utc
    from services.context import Study
    from services.stats import learner_stats

    with app.app_context():
        since = now_utc() - timedelta(days=365)
        counts = dict(
            db.session.execute(
                select(Review.user_id, func.count())
                .where(Review.reviewed_at >= since)
                .group_by(Review.user_id)
            ).all()
        )
        learner = max(learners, key=lambda x: (counts.get(x.id, 0), -x.id))
        span = db.session.execute(
            select(func.min(Review.reviewed_at), func.max(Review.reviewed_at)).where(
                Review.user_id == learner.id
            )
        ).one()
        db.session.remove()
    client = signed_in_client(app, learner.id)
    page, times = None, []
    for _ in range(size.stats_runs + 1):  # the first warms the templates
        started = time.perf_counter()
        page = client.get("/stats")
        times.append(time.perf_counter() - started)
    times = times[1:]
    assert page is not None and page.status_code == 200, page and page.status_code
    with app.app_context():
        user = db.session.get_one(User, learner.id)
        compute = []
        for _ in range(size.stats_runs):
            started = time.perf_counter()
            learner_stats(Study.at(db.session, user, now_utc()), list(learner.bank_ids))
            compute.append(time.perf_counter() - started)
        # The floor: the rows learner_stats reads, fetched with the driver, nothing computed.
        floor_sql = [
            (
                "SELECT reviewed_at, rating, state_before, last_review_before, elapsed_ms"
                " FROM reviews WHERE user_id = :u AND reviewed_at >= :since"
            ),
            (
                "SELECT cards.*, questions.section_key FROM cards"
                " JOIN questions ON questions.id = cards.question_id"
                " WHERE cards.user_id = :u AND cards.retired = :f"
            ),
        ]
        floor = []
        for _ in range(size.stats_runs):
            started = time.perf_counter()
            with db.engine.connect() as connection:
                for sql in floor_sql:
                    params = {"u": learner.id, "f": False, "since": now_utc() - timedelta(days=400)}
                    connection.execute(text(sql), params).all()
            floor.append(time.perf_counter() - started)
        db.session.remove()
    median = ms(statistics.median(times))
    floor_median = ms(statistics.median(floor))
    history = f"{counts.get(learner.id, 0):,} reviews in 365 days"
    kept = Measure(
        4,
        f"/stats server time ({learner.name}, {history})",
        f"{fmt_ms(median)} median, max {fmt_ms(ms(max(times)))}",
        f"reading its rows {fmt_ms(floor_median)}",
        f"{median / floor_median:.1f}× rows",
        "≤ 100 ms",
        verdict(median <= 100),
        {
            "learner": learner.name,
            "reviews_365d": counts.get(learner.id, 0),
            "first_review": span[0].isoformat() if span[0] else None,
            "last_review": span[1].isoformat() if span[1] else None,
            "page_ms": summary(times),
            "learner_stats_ms": summary(compute),
            "rows_only_ms": summary(floor),
            "page_bytes": len(page.data),
        },
    )
    return [kept, first_visits(app, client, learner, size, floor_median)]

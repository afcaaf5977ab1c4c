"""The bare baseline of the HTTP review cycle: Flask and the database driver, nothing else.

``bench/run.py`` serves this with the same gunicorn settings as Wengu and drives both with the
same ``wrk`` script, on the same database (Wengu's ``cards`` and ``reviews`` tables, their
indexes and their rows). Per cycle it does the row work Wengu's cycle cannot do without:

- ``GET /api/v1/review/next``: one indexed read, the learner's earliest-due card in their
  bank (a walk of ``ix_cards_user_bank_due``), answered with its id and a fresh token;
- ``POST /api/v1/review/<card_id>``: one transaction with one log insert (the review row,
  its "before" values read from the card by primary key) and one update of the card.

No ORM, no scheduler, no session, no rendering; the bearer token is looked up in a dict
loaded at start from ``WENGU_BENCH_TOKENS`` (lines ``TOKEN USER_ID BANK_ID``). Each POST
moves the card a day later, so the earliest-due card is always another and never runs out.

Serve with ``WENGU_BENCH_DATABASE_URL`` set (``sqlite:////path`` or ``postgresql://...``)::

    python -m gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench "baseline_app:create_app()"
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, jsonify, request

__all__ = ["create_app"]

_DUE = """
SELECT id FROM cards
WHERE user_id = ? AND bank_id = ? AND suspended = ? AND retired = ?
ORDER BY due, id LIMIT 1
"""
_LOG = """
INSERT INTO reviews (
    card_id, user_id, bank_id, reviewed_at, rating, elapsed_ms, review_token,
    state_before, step_before, stability_before, difficulty_before, due_before,
    last_review_before, state_after, step_after, stability_after, difficulty_after,
    due_after, buried
)
SELECT id, user_id, bank_id, ?, ?, ?, ?,
    state, step, stability, difficulty, due,
    last_review, 2, NULL, stability, difficulty,
    ?, ?
FROM cards WHERE id = ? AND user_id = ?
"""
_UPDATE = """
UPDATE cards SET state = 2, step = NULL, due = ?, last_review = ?, reps = reps + 1
WHERE id = ? AND user_id = ?
"""


def _tokens(path: str) -> dict[str, tuple[int, str]]:
    learners = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            token, user_id, bank_id = line.split()
            learners[token] = (int(user_id), bank_id)
    return learners


class _Database:
    """One connection per worker process (gunicorn's sync workers serve one request at a
    time), with SQLite set up as Wengu sets it up."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith(("postgresql", "postgres:"))
        self._connection: Any = None

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.postgres else text

    def moment(self, value: datetime) -> Any:
        # Wengu's UTCDateTime: naive UTC text on SQLite, aware timestamps on PostgreSQL.
        return value if self.postgres else value.replace(tzinfo=None).isoformat(" ")

    def connection(self) -> Any:
        if self._connection is None:
            if self.postgres:
                import psycopg

                url = self.url.replace("postgresql+psycopg://", "postgresql://", 1)
                self._connection = psycopg.connect(url, autocommit=True)
            else:
                path = self.url.split(":///", 1)[1]
                connection = sqlite3.connect(path, isolation_level=None)
                for pragma in (
                    "journal_mode=WAL",
                    "foreign_keys=ON",
                    "busy_timeout=10000",
                    "synchronous=NORMAL",
                ):
                    connection.execute(f"PRAGMA {pragma}")
                self._connection = connection
        return self._connection

    def due_card(self, user_id: int, bank_id: str) -> int | None:
        connection = self.connection()
        row = connection.execute(self.sql(_DUE), (user_id, bank_id, False, False)).fetchone()
        return None if row is None else int(row[0])

    def answer(self, card_id: int, user_id: int, rating: int, token: str, elapsed: int) -> bool:
        now = datetime.now(UTC)
        due = now + timedelta(days=1)
        connection = self.connection()
        log = (self.moment(now), rating, elapsed, token, self.moment(due), "[]", card_id, user_id)
        update = (self.moment(due), self.moment(now), card_id, user_id)
        if self.postgres:
            with connection.transaction():
                inserted = connection.execute(self.sql(_LOG), log).rowcount
                connection.execute(self.sql(_UPDATE), update)
        else:
            connection.execute("BEGIN IMMEDIATE")
            try:
                inserted = connection.execute(_LOG, log).rowcount
                connection.execute(_UPDATE, update)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return inserted == 1


def create_app() -> Flask:
    """The baseline app, set up from ``WENGU_BENCH_DATABASE_URL`` and ``WENGU_BENCH_TOKENS``."""
    database = _Database(os.environ["WENGU_BENCH_DATABASE_URL"])
    learners = _tokens(os.environ["WENGU_BENCH_TOKENS"])
    app = Flask(__name__)

    def learner() -> tuple[int, str] | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return learners.get(token.strip()) if scheme.lower() == "bearer" else None

    @app.get("/healthz")
    def health() -> Response:
        database.connection().execute("SELECT 1").fetchone()
        return jsonify(status="ok")

    @app.get("/api/v1/review/next")
    def review_next() -> Response | tuple[Any, int]:
        who = learner()
        if who is None:
            return jsonify(error="unknown token"), 401
        card_id = database.due_card(*who)
        if card_id is None:
            return "", 204
        return jsonify(card_id=card_id, review_token=secrets.token_urlsafe(24))

    @app.post("/api/v1/review/<int:card_id>")
    def review_answer(card_id: int) -> Response | tuple[Response, int]:
        who = learner()
        if who is None:
            return jsonify(error="unknown token"), 401
        body = json.loads(request.get_data() or b"{}")
        rating, token = body.get("rating"), body.get("review_token")
        if rating not in (1, 2, 3, 4) or not isinstance(token, str):
            return jsonify(error="rating and review_token, please"), 422
        elapsed = body.get("elapsed_ms")
        if not database.answer(card_id, who[0], rating, token, int(elapsed or 0)):
            return jsonify(error=f"no card {card_id}"), 404
        return jsonify(card_id=card_id, rating=rating)

    return app

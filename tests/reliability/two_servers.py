"""One learner served by two server processes on one database: the servers, the learner's
client of each, and the counts and the next card as the database gives them afresh (the rule
of ``tests/web/test_progress.py``, for one bank). For ``test_two_processes.py``."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import Card, Question, Review, User, db
from services.accounts import issue_token
from services.context import today
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.study import LEARN_AHEAD, Counts, limits_left, next_kind
from tests.reliability.harness import Server
from tests.support import make_user

__all__ = ["BANK", "Api", "Learner", "fresh_counts", "fresh_next", "make_learner", "two_servers"]

BANK = "two"
QUESTIONS = 100  # about 130 cards: new ones are left to the end of each test


def _bank_yaml() -> str:
    """Basic questions, and reverse and cloze ones whose answers bury their siblings."""
    lines = [f"id: {BANK}", "title: Two", "questions:"]
    for n in range(QUESTIONS):
        if n % 5 == 4:
            lines.append(f"  - {{id: q{n}, type: reverse, prompt: front {n}, answer: back {n}}}")
        elif n % 7 == 6:
            lines.append(f"  - {{id: q{n}, type: cloze, text: '{{{{c1::a}}}} {{{{c2::b}}}} {n}'}}")
        else:
            lines.append(f"  - {{id: q{n}, type: basic, prompt: question {n}, answer: {n}}}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Learner:
    id: int
    token: str


def make_learner(app: Flask, runner: FlaskCliRunner, folder: Path) -> Learner:
    """The bank imported, and its learner with a bearer token."""
    bank = folder / "two.yaml"
    bank.write_text(_bank_yaml(), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 0, result.output
    user_id = make_user(
        app, "ann", new_per_day=1000, reviews_per_day=1000, timezone="UTC",
        # No card answered is due again within the test, and the study day ends half a
        # day away, whenever the test runs.
        learning_steps=[1800, 7200], relearning_steps=[1800],
        rollover_hour=(datetime.now(timezone.utc).hour + 12) % 24,
    )  # fmt: skip
    with app.app_context():
        token = issue_token(db.session, db.session.get_one(User, user_id))
        db.session.commit()
        db.session.remove()
    return Learner(user_id, token)


@contextmanager
def two_servers(app: Flask, folder: Path, wsgi: str = "app:create_app()") -> Iterator[list[Server]]:
    """Two gunicorn processes of one worker each on the suite's database."""
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    for name in ("a", "b"):
        (folder / name).mkdir()
    with ExitStack() as servers:
        yield [
            servers.enter_context(Server(database, folder / name, workers=1, wsgi=wsgi))
            for name in ("a", "b")
        ]


class Api:
    """The learner's client of one server."""

    def __init__(self, server: Server, learner: Learner, name: str) -> None:
        self.port, self.token, self.name = server.port, learner.token, name

    def send(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.request(
            method,
            path,
            body=None if body is None else json.dumps(body),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        return connection

    @staticmethod
    def read(connection: Any) -> tuple[int, Any]:
        try:
            reply = connection.getresponse()
            data = reply.read()
        finally:
            connection.close()
        return reply.status, json.loads(data) if data else None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        return self.read(self.send(method, path, body))


# -- what the database says, counted afresh ----------------------------------------------


def _active(now: datetime) -> tuple[Any, ...]:
    return (
        Card.suspended.is_(False),
        Card.retired.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


def fresh_counts(session: Session, user: User, now: datetime) -> Counts:
    """The bank's counts left today from the cards, the questions and the log alone."""
    day = today(user, now)
    mine = (Card.user_id == user.id, Card.bank_id == BANK)
    done = dict(
        session.execute(
            select(Review.state_before, func.count())
            .where(Review.user_id == user.id, Review.bank_id == BANK)
            .where(Review.reviewed_at >= day.start, Review.reviewed_at < day.end)
            .group_by(Review.state_before)
        ).all()
    )
    due = dict(
        session.execute(
            select(Card.state, func.count())
            .where(*mine, Card.due < day.end, Card.state.in_((LEARNING, REVIEW, RELEARNING)))
            .where(*_active(now))
            .group_by(Card.state)
        ).all()
    )
    cards = session.scalar(
        select(func.sum(Question.card_count)).where(
            Question.bank_id == BANK, Question.retired.is_(False)
        )
    )
    made = session.scalar(select(func.count()).where(*mine, Card.retired.is_(False)))
    free = session.scalar(select(func.count()).where(*mine, Card.state == NEW, *_active(now)))
    new_left, reviews_left = limits_left(
        user.new_per_day, user.reviews_per_day, done.get(NEW, 0), done.get(REVIEW, 0)
    )
    return Counts(
        new=min(new_left, cards - made + free),
        learning=due.get(LEARNING, 0) + due.get(RELEARNING, 0),
        review=min(reviews_left, due.get(REVIEW, 0)),
    )


def fresh_next(session: Session, user: User, now: datetime, counts: Counts) -> tuple[int, int]:
    """The (question, ordinal) to show next, by walking every card and question; (0, 0)
    when nothing is left."""
    cards = session.scalars(
        select(Card).where(Card.user_id == user.id, Card.bank_id == BANK, *_active(now))
    ).all()

    def first(states: tuple[int, ...], before: datetime) -> Card | None:
        due = [c for c in cards if c.state in states and c.due <= before]
        return min(due, key=lambda c: (c.due, c.id), default=None)

    learning = first((LEARNING, RELEARNING), now + LEARN_AHEAD)
    review = first((REVIEW,), today(user, now).end) if counts.review else None
    kind = next_kind(
        learning_due=learning.due if learning else None,
        review_due=review is not None,
        new_available=bool(counts.new),
        now=now,
    )
    chosen = {"learning": learning, "review": review}.get(kind or "")
    if chosen is not None:
        return chosen.question_id, chosen.ordinal
    if kind == "new":
        free = {c.id for c in cards if c.state == NEW}
        questions = session.scalars(
            select(Question)
            .where(Question.bank_id == BANK, Question.retired.is_(False))
            .order_by(Question.position)
        )
        for question in questions:
            mine = {
                c.ordinal: c
                for c in session.scalars(
                    select(Card).where(Card.user_id == user.id, Card.question_id == question.id)
                )
            }
            for ordinal in question.card_ordinals:
                card = mine.get(ordinal)
                if card is None or card.id in free:
                    return question.id, ordinal
    return 0, 0

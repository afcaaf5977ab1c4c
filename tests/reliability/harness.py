"""Load on a real server: gunicorn on a free port, learners answering over HTTP, and the
checks that nothing was lost.

The clients speak HTTP over plain sockets, as a phone on a bad network would: some answers
are sent twice (at the same moment, from two connections), some connections are dropped
mid-request (cut short, or the reply never read) and the answer is then sent again
with the same ``review_token``. A request that finds the server gone (killed) is sent again
until it answers. Each learner studies on two clients at once, so two answers to one card can
race.

Afterwards :func:`check_log` replays every card's review log with ``srs.scheduler`` and
compares it with the card row, and holds the log to one row per distinct answer.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from config import PROJECT_ROOT
from models import Card, Review, User, db
from services.accounts import issue_token
from srs.scheduler import REVIEW, CardState, Rating, answer_card, fuzz_range
from tests.support import make_user, watch_server_log

__all__ = [
    "BANK_ID",
    "Learner",
    "Load",
    "Server",
    "check_log",
    "make_learners",
    "run_load",
    "server_env",
    "sqlite_verdict",
]

BANK_ID = "load"
# Each request with the worker that answered it (the suite reads the statuses for 500s).
ACCESS_LOG = '%(h)s "%(r)s" %(s)s %(b)s worker=%(p)s'
SECRET_KEY = "reliability"
REQUEST_TIMEOUT = 30.0
# The share of answers sent twice at once, and of connections dropped mid-request.
DUPLICATE_SHARE = 0.10
DROP_SHARE = 0.05


def sqlite_verdict(database_url: str) -> str:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` of a SQLite database: "ok" or
    what is wrong; "ok" for another database, which has no such check."""
    if not database_url.startswith("sqlite:///"):
        return "ok"
    with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as database:
        verdict = database.execute("PRAGMA integrity_check").fetchone()[0]
        orphans = database.execute("PRAGMA foreign_key_check").fetchall()
    return verdict if verdict != "ok" else (f"rows without parent: {orphans}" if orphans else "ok")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(database_url: str, instance: Path) -> dict[str, str]:
    """The environment of a server (or a ``flask`` command) on ``database_url``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WENGU_") and key != "DATABASE_URL"
    }
    env.update(
        {
            "WENGU_DATABASE_URL": database_url,
            "WENGU_INSTANCE_PATH": str(instance),
            # Fixed, so that review tokens issued before a restart still verify after it.
            "WENGU_SECRET_KEY": SECRET_KEY,
            "WENGU_AUTOLOAD_BANKS": "0",
        }
    )
    return env


class Server:
    """gunicorn serving Wengu on a free port of 127.0.0.1; killed, restarted, or stopped.

    ``wsgi`` is gunicorn's application: Wengu's own unless a test wraps it.
    """

    def __init__(
        self, database_url: str, folder: Path, workers: int = 3, wsgi: str = "app:create_app()"
    ) -> None:
        self.wsgi = wsgi
        self.env = server_env(database_url, folder / "instance")
        self.port = free_port()
        self.log_path = folder / "gunicorn.log"
        watch_server_log(self.log_path)
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        # A restart from another thread never outlives the test: stop() waits for it and
        # start() refuses once stopped.
        self.lock = threading.RLock()
        self.stopped = False

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.lock:
            if self.stopped:
                raise RuntimeError("the server was stopped")
            self._start()

    def _start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(self.workers),
            "--bind", f"127.0.0.1:{self.port}", "--timeout", "60", "--access-logfile", "-",
            "--access-logformat", ACCESS_LOG, self.wsgi,
        ]  # fmt: skip
        with self.log_path.open("a") as output:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdout=output,
                stderr=output,
                start_new_session=True,  # its own process group: a kill takes the workers too
            )
        self.starts += 1
        deadline = time.monotonic() + 60
        while True:
            # Refused at once while nothing listens; once it does, the probe may queue
            # behind the clients' requests, so it waits for its turn.
            probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            try:
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                probe.close()
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once, as a power cut would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            if self.process is None or self.process.poll() is not None:
                return
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Learner:
    id: int
    name: str
    token: str


def _bank_yaml(questions: int) -> str:
    """A bank with basic questions, and reverse and cloze ones whose cards bury siblings."""
    lines = [f"id: {BANK_ID}", "title: Load", "questions:"]
    for number in range(questions):
        if number % 5 == 4:
            lines += [f"  - id: q{number}", "    type: reverse",
                      f"    prompt: front {number}", f"    answer: back {number}"]  # fmt: skip
        elif number % 7 == 6:
            lines += [f"  - id: q{number}", "    type: cloze",
                      f"    text: '{{{{c1::one}}}} and {{{{c2::two}}}} ({number})'"]  # fmt: skip
        else:
            lines += [f"  - id: q{number}", "    type: basic",
                      f"    prompt: question {number}", f"    answer: answer {number}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def make_learners(app: Flask, runner: FlaskCliRunner, folder: Path, count: int) -> list[Learner]:
    """Import the load bank and make ``count`` learners, each with an API token."""
    bank = folder / "load-bank.yaml"
    bank.write_text(_bank_yaml(40), encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(bank)])
    assert result.exit_code == 0, result.output
    learners = []
    for number in range(count):
        name = f"learner{number}"
        # No daily limit gets in the way: every answer is a card the scheduler chose.
        user_id = make_user(app, name, new_per_day=1000, reviews_per_day=1000)
        with app.app_context():
            token = issue_token(db.session, db.session.get_one(User, user_id))
            db.session.commit()
        learners.append(Learner(user_id, name, token))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()  # the server is the only one writing from here on
    return learners


@dataclass
class Load:
    """What the clients did and saw, shared between their threads."""

    answers: dict[int, dict[str, int]] = field(default_factory=dict)  # learner -> token -> id
    statuses: Counter[int] = field(default_factory=Counter)
    requests: int = 0
    duplicates: int = 0
    drops: int = 0
    retries: int = 0  # requests sent again because the server was gone
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    clients_done: threading.Event = field(default_factory=threading.Event)

    def reach(self, answers: int) -> bool:
        """Wait until the clients have made ``answers`` answers; False if they stopped first."""
        while self.answered() < answers:
            if self.clients_done.wait(0.02):
                return False
        return True

    def answered(self) -> int:
        with self.lock:
            return sum(len(tokens) for tokens in self.answers.values())

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.0f} s, {self.answered()} answers, "
            f"{self.duplicates} sent twice at once, {self.drops} connections dropped, "
            f"{self.retries} requests resent after the server went away; "
            f"statuses {dict(sorted(self.statuses.items()))}"
        )


class _NoReplyError(Exception):
    """The server did not answer: refused, reset, or closed without a reply."""


class _Client:
    def __init__(
        self, port: int, learner: Learner, load: Load, rng: random.Random, deadline: float
    ) -> None:
        self.port = port
        self.learner = learner
        self.load = load
        self.rng = rng
        self.deadline = deadline

    def _raw_request(self, method: str, path: str, body: dict[str, Any] | None) -> bytes:
        payload = b"" if body is None else json.dumps(body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
            f"Authorization: Bearer {self.learner.token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        if self.rng.random() < 0.5:  # cut short: in the body, or in the head if none
            return head + payload[: len(payload) // 2] if payload else head[: len(head) // 2]
        return head + payload

    def _send(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(
                method,
                path,
                body=None if body is None else json.dumps(body),
                headers={
                    "Authorization": f"Bearer {self.learner.token}",
                    "Content-Type": "application/json",
                },
            )
            return connection
        except OSError as error:
            connection.close()
            raise _NoReplyError(str(error)) from None

    def _read(self, connection: Any, what: str) -> tuple[int, Any]:
        try:
            reply = connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException) as error:
            raise _NoReplyError(str(error)) from None
        finally:
            connection.close()
        with self.load.lock:
            self.load.requests += 1
            self.load.statuses[reply.status] += 1
            if reply.status >= 500:
                self.load.problems.append(f"{what}: {reply.status} {data[:500]!r}")
        return reply.status, json.loads(data) if data else None

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        """One request, sent again (unchanged) until the server answers it."""
        while True:
            try:
                return self._read(self._send(method, path, body), f"{method} {path}")
            except _NoReplyError:
                if time.monotonic() > self.deadline:
                    raise
                with self.load.lock:
                    self.load.retries += 1
                time.sleep(0.25)  # the server is starting again: leave it the CPU

    def twice(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        """The same request on two connections at once; both replies must agree."""
        sent = []
        try:
            sent.append(self._send("POST", path, body))
            sent.append(self._send("POST", path, body))
            replies = [self._read(connection, f"POST {path}") for connection in sent]
        except _NoReplyError:
            for connection in sent:
                connection.close()
            return self.call("POST", path, body)
        with self.load.lock:
            self.load.duplicates += 1
        (status_a, a), (status_b, b) = replies
        if status_a != status_b or (status_a == 200 and a["review_id"] != b["review_id"]):
            with self.load.lock:
                self.load.problems.append(f"one answer sent twice, two outcomes: {a} {b}")
        return replies[0]

    def drop(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        """Send the request, or half of it, and hang up without reading the reply."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw:
                raw.sendall(self._raw_request(method, path, body))
        except OSError:
            pass
        with self.load.lock:
            self.load.drops += 1

    def run(self, answers: int) -> None:
        card: dict[str, Any] | None = None
        done = 0
        while done < answers and time.monotonic() < self.deadline:
            if card is None:
                path = f"/api/v1/review/next?bank={BANK_ID}"
                if self.rng.random() < DROP_SHARE:
                    self.drop("GET", path)  # then sent again, as a client does after an error
                status, card = self.call("GET", path)
                if status != 200:
                    if status != 204:
                        self._problem(f"next card: {status} {card}")
                    return
            assert card is not None
            path = f"/api/v1/review/{card['card_id']}"
            body = {
                "rating": self.rng.choice([1, 2, 3, 3, 3, 4]),
                "review_token": card["review_token"],
                "elapsed_ms": self.rng.randrange(500, 20000),
                # Mostly as the review page asks: the next card in the same reply.
                "next": self.rng.random() < 0.8,
                "bank": BANK_ID,
            }
            roll = self.rng.random()
            if roll < DROP_SHARE:
                self.drop("POST", path, body)
            if DROP_SHARE <= roll < DROP_SHARE + DUPLICATE_SHARE:
                status, reply = self.twice(path, body)
            else:
                status, reply = self.call("POST", path, body)
            if status != 200:
                self._problem(f"answer to card {card['card_id']}: {status} {reply}")
                return
            with self.load.lock:
                tokens = self.load.answers.setdefault(self.learner.id, {})
                if tokens.get(body["review_token"], reply["review_id"]) != reply["review_id"]:
                    self.load.problems.append(f"a token answered with two reviews: {reply}")
                tokens[body["review_token"]] = reply["review_id"]
            done += 1
            card = reply.get("next") if body["next"] else None

    def _problem(self, text: str) -> None:
        with self.load.lock:
            self.load.problems.append(f"{self.learner.name}: {text}")


def run_load(
    server: Server,
    learners: list[Learner],
    *,
    clients_per_learner: int = 2,
    answers: int = 20,
    seed: int = 10,
    timeout: float = 240,
    meanwhile: Callable[[Load], None] | None = None,
) -> Load:
    """Every learner answers on ``clients_per_learner`` clients at once, ``answers`` each.

    ``meanwhile`` runs in its own thread during the load (a killer, a backup) and is
    waited for too.
    """
    load = Load()
    deadline = time.monotonic() + timeout
    clients = []
    for number, learner in enumerate(learners * clients_per_learner):
        client = _Client(server.port, learner, load, random.Random(seed * 1000 + number), deadline)
        clients.append(
            threading.Thread(target=_guarded(load, client.run), args=(answers,), daemon=True)
        )
    side = []
    if meanwhile is not None:
        side.append(threading.Thread(target=_guarded(load, meanwhile), args=(load,), daemon=True))
    for thread in clients + side:
        thread.start()
    for thread in clients:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 30))
    load.seconds = time.monotonic() - (deadline - timeout)
    load.clients_done.set()
    for thread in side:
        thread.join(timeout=120)
    if any(thread.is_alive() for thread in clients + side):
        load.problems.append("the load did not finish in time")
    return load


def _guarded(load: Load, work: Callable[..., None]) -> Callable[..., None]:
    def run(*args: Any) -> None:
        try:
            work(*args)
        except Exception as error:  # a client that fails reports it; the others carry on
            with load.lock:
                load.problems.append(f"{type(error).__name__}: {error}")

    return run


@dataclass
class Checked:
    cards: int
    reviews: int
    problems: list[str]


def _before(review: Review) -> tuple[object, ...]:
    return (
        review.state_before,
        review.step_before,
        review.stability_before,
        review.difficulty_before,
        review.last_review_before,
    )


def _after(review: Review) -> tuple[object, ...]:
    return (
        review.state_after,
        review.step_after,
        review.stability_after,
        review.difficulty_after,
        review.due_after,
    )


def _balanced_as_logged(review: Review, replayed: CardState, maximum: int) -> bool:
    """Whether the logged due can be the replayed one balanced: the load an answer was
    balanced over is not in the log, so a review's day is held to the fuzz window of the
    replay's (whole days, as far from it as the window is wide), the rest to equality."""
    if replayed.state != REVIEW or replayed.due is None or review.state_after != REVIEW:
        return False
    logged, replay = review.due_after - review.reviewed_at, replayed.due - review.reviewed_at
    if logged % timedelta(days=1) or replay % timedelta(days=1) or replay.days < 3:
        return False
    low, high = fuzz_range(replay.days, maximum)
    return abs(logged.days - replay.days) <= high - low + 1


def _replay(card: Card, log: list[Review], settings: Any) -> list[str]:
    """Where ``card`` and its log disagree with a replay of the log, from a new card."""
    problems = []
    state = CardState()
    for review in log:
        expected = (state.state, state.step, state.stability, state.difficulty, state.last_review)
        if _before(review) != expected:
            problems.append(f"card {card.id}: review {review.id} starts from {_before(review)}")
        if state.last_review is not None and review.reviewed_at < state.last_review:
            problems.append(f"card {card.id}: review {review.id} is older than the one before")
        result = answer_card(
            settings, state, Rating(review.rating), review.reviewed_at, card_id=card.id
        )
        state = result.after
        if _balanced_as_logged(review, state, settings.maximum_interval):
            state = replace(state, due=review.due_after)
        if _after(review) != (state.state, state.step, state.stability, state.difficulty,
                              state.due):  # fmt: skip
            problems.append(f"card {card.id}: review {review.id} logged {_after(review)}")
    if card.schedule() != (state if log else CardState(due=card.due)):
        problems.append(f"card {card.id} is {card.schedule()}, its log replays to {state}")
    return problems


def check_log(app: Flask, answers: dict[int, dict[str, int]] | None) -> Checked:
    """Replay every card from its log; with ``answers`` (learner -> token -> review id, as
    the clients saw them), the log must hold exactly those answers, once each."""
    problems: list[str] = []
    with app.app_context():
        session = db.session
        reviews: dict[int, list[Review]] = {}
        for review in session.scalars(select(Review).order_by(Review.id)):
            reviews.setdefault(review.card_id, []).append(review)
        settings = {user.id: user.study_settings() for user in session.scalars(select(User))}
        cards = list(session.scalars(select(Card).order_by(Card.id)))
        for card in cards:
            problems += _replay(card, reviews.get(card.id, []), settings[card.user_id])
        logged: dict[int, Counter[str | None]] = {}
        stored: dict[int, dict[str | None, int]] = {}
        for log in reviews.values():
            for review in log:
                logged.setdefault(review.user_id, Counter())[review.review_token] += 1
                stored.setdefault(review.user_id, {})[review.review_token] = review.id
        count = sum(len(log) for log in reviews.values())
        session.remove()
    for user_id, tokens in logged.items():
        problems += [
            f"learner {user_id}: token {token!r} logged {n} times"
            for token, n in tokens.items()
            if n != 1 or token is None
        ]
    if answers is not None:
        for user_id in set(answers) | set(stored):
            if stored.get(user_id, {}) != answers.get(user_id, {}):
                problems.append(
                    f"learner {user_id}: the log holds {len(stored.get(user_id, {}))} answers, "
                    f"the clients made {len(answers.get(user_id, {}))}"
                )
    return Checked(cards=len(cards), reviews=count, problems=problems)

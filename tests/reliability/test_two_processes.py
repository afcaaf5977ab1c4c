"""Two server processes on one database, one learner answering on both: no card shown stale,
no answer lost or counted twice.

Two gunicorn servers of one worker each share nothing but the database (the suite's SQLite
file, or its PostgreSQL under ``.ci/postgres``) and serve one learner with a bearer token.
Everything goes through HTTP, so the tests hold for any way of finding the next card. The
learner's steps are 30 minutes and more, so within a test no card answered comes due again:
a card served after an answer to it was stored (and not undone) is a stale one.

The walk (:class:`Walk`) shows a card on one process and answers it on the other, now and then
with ``"next": true``, ``ahead=N``, the same ``review_token`` again on the first process, an
undo, a bury or a suspension on either. After each step the database is read afresh: every
card served must be the one a walk over the learner's cards and the bank's questions picks,
with the counts counted from the cards and the log, and so must ``/api/v1/review/today``'s;
the log must hold one row for each answer made and not undone.

Why this finds a queue kept in a process: process A shows card X, process B answers it, and
the next card A is asked for must not be X. A queue that A keeps and only its own writes
clear still holds X then. ``test_a_queue_kept_in_each_process_is_caught`` runs the walk and
the concurrent clients against servers wrapped in exactly such a queue (``stale_queue.py``),
and both see stale cards.

The kept load (``kept_loads``) is checked the same way: one process serves cards, whose grade
intervals are balanced over the learner's cards due on the days ahead, while the other
suspends, unsuspends, answers and undoes; every interval served, and the load kept, must be
what the cards counted afresh give.

The concurrent test has two clients answer at once, one on each process, with the same
token now and then sent to both at the same moment; no card whose answer, bury or suspension
had come back before a request was sent may be served by it. At the end of both, every card
replays from its log (``harness.check_log``), which holds exactly the answers the clients
made, less those undone.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from models import Card, KeptLoad, Review, User, db
from services.answers import answer
from services.context import Study, today
from services.queue import next_card
from srs.scheduler import NEW, Rating, preview_intervals
from srs.study import LEARN_AHEAD
from tests.reliability.harness import Server, check_log
from tests.reliability.two_servers import (
    BANK,
    Api,
    Learner,
    fresh_counts,
    fresh_next,
    make_learner,
    two_servers,
)
from tests.web.test_kept_load import fresh_load

STEPS = 70  # of the walk
ANSWERS = 30  # by each client of the concurrent test
STALE_QUEUE = "tests.reliability.stale_queue:create_app()"


# -- the walk: one learner on two processes in turn ----------------------------------------


@dataclass
class Walk:
    """One learner's seeded walk over the two processes, and the problems it saw."""

    app: Flask
    learner: Learner
    apis: list[Api]
    rng: random.Random
    answers: dict[str, int] = field(default_factory=dict)  # token -> review id, not undone
    # token -> (card, the answer's body, the process that took it)
    sent: dict[str, tuple[int, dict[str, Any], int]] = field(default_factory=dict)
    changed: list[int] = field(default_factory=list)  # cards buried or suspended
    problems: list[str] = field(default_factory=list)
    done: Counter[str] = field(default_factory=Counter)  # what the walk did, how often
    step: int = 0

    def problem(self, text: str) -> None:
        self.problems.append(f"step {self.step}: {text}")

    def expect(self, what: str, status: int, reply: Any, wanted: int = 200) -> bool:
        self.done[what.split(" on ")[0].split(" card ")[0]] += 1
        if status != wanted:
            self.problem(f"{what}: {status} {reply}")
        return status == wanted

    def check_served(self, what: str, payload: dict[str, Any] | None) -> None:
        """The card served is the one the database says comes next, with its counts; the
        cards ahead are each free to study and of questions apart."""
        self.done["served, " + ("with cards ahead" if "ahead" in (payload or {}) else "alone")] += 1
        with self.app.app_context():
            session = db.session
            user = session.get_one(User, self.learner.id)
            now = datetime.now(timezone.utc)
            counts = fresh_counts(session, user, now)
            expected = fresh_next(session, user, now, counts)
            served = (0, 0)
            if payload is not None:
                card = session.get_one(Card, payload["card_id"])
                served = (card.question_id, card.ordinal)
                if payload["counts"] != counts.to_dict():
                    self.problem(f"{what}: counts {payload['counts']}, afresh {counts}")
            if served != expected:
                answered = session.scalar(
                    select(func.count()).where(Review.card_id == payload["card_id"])
                ) if payload else 0  # fmt: skip
                self.problem(
                    f"{what}: card {payload and payload['card_id']} (question, ordinal) "
                    f"{served}, answered {answered} times, stale; the database says {expected}"
                )
            questions = {served[0]}
            for ahead in (payload or {}).get("ahead", []):
                card = session.get_one(Card, ahead["card_id"])
                free = card.state == NEW or card.due <= now + LEARN_AHEAD
                active = not card.suspended and not card.retired
                active = active and (card.buried_until is None or card.buried_until <= now)
                if not (free and active) or card.question_id in questions:
                    self.problem(f"{what}: card {card.id} ahead is not free to study, stale")
                questions.add(card.question_id)
            session.remove()

    def check_log(self) -> None:
        """``/review/today`` on either process says what the database says; the log holds
        one row per answer kept."""
        api = self.apis[self.step % 2]
        status, reply = api.call("GET", f"/api/v1/review/today?bank={BANK}")
        with self.app.app_context():
            session = db.session
            user = session.get_one(User, self.learner.id)
            counts = fresh_counts(session, user, datetime.now(timezone.utc))
            logged = session.scalar(select(func.count()).where(Review.user_id == user.id))
            session.remove()
        if self.expect(f"today on {api.name}", status, reply) and reply["counts"] != (
            counts.to_dict()
        ):
            self.problem(f"today on {api.name}: {reply['counts']}, afresh {counts}")
        if logged != len(self.answers):
            self.problem(f"{logged} reviews logged for {len(self.answers)} answers kept")

    def show(self, api: Api) -> dict[str, Any] | None:
        ahead = self.rng.choice([0, 0, 3])
        status, card = api.call("GET", f"/api/v1/review/next?bank={BANK}&ahead={ahead}")
        if status == 204:
            card = None
        elif not self.expect(f"next on {api.name}", status, card):
            return None
        self.check_served(f"next on {api.name}", card)
        return card

    def answer(self, api: Api, card: dict[str, Any]) -> dict[str, Any] | None:
        """Answer ``card`` on ``api``; the next card from the reply when it was asked for."""
        body = {
            "rating": self.rng.choice([1, 2, 3, 3, 3, 4]),
            "review_token": card["review_token"],
            "elapsed_ms": self.rng.randrange(500, 20000),
            "next": self.rng.random() < 0.4,
            "bank": BANK,
        }
        if body["next"] and self.rng.random() < 0.3:
            body["ahead"] = 2
        status, reply = api.call("POST", f"/api/v1/review/{card['card_id']}", body)
        if not self.expect(f"answer on {api.name}", status, reply):
            return None
        if reply["repeated"] or body["review_token"] in self.answers:
            self.problem(f"a first answer on {api.name} counted as a repeat: {reply}")
        self.answers[body["review_token"]] = reply["review_id"]
        self.sent[body["review_token"]] = (card["card_id"], body, self.apis.index(api))
        if body["next"]:
            self.done["answer with next"] += 1
            self.check_served(f"next after an answer on {api.name}", reply["next"])
            return reply["next"]
        return None

    def resend(self) -> None:
        """An answer kept sent again to the process that did not take it: counted once."""
        token = self.rng.choice(list(self.answers))
        card_id, body, took = self.sent[token]
        api = self.apis[1 - took]
        status, reply = api.call("POST", f"/api/v1/review/{card_id}", body)
        if self.expect(f"the same answer again on {api.name}", status, reply) and (
            reply["review_id"] != self.answers[token] or not reply["repeated"]
        ):
            self.problem(f"the same answer again on {api.name} made {reply}")
        if body["next"] and status == 200:
            self.check_served(f"next after the same answer on {api.name}", reply["next"])

    def undo(self, api: Api) -> None:
        status, reply = api.call("POST", "/api/v1/review/undo")
        if not self.answers:
            self.expect(f"undo on {api.name} with nothing to undo", status, reply, 409)
            return
        last = max(self.answers, key=self.answers.__getitem__)
        if self.expect(f"undo on {api.name}", status, reply):
            if reply["card_id"] != self.sent[last][0]:
                self.problem(f"undo on {api.name} gave back {reply}, not the last answer")
            del self.answers[last]

    def change(self, api: Api, card_id: int, what: str) -> None:
        status, reply = api.call("POST", f"/api/v1/cards/{card_id}/{what}")
        self.expect(f"{what} card {card_id} on {api.name}", status, reply)
        if what in ("bury", "suspend"):
            self.changed.append(card_id)

    def run(self, steps: int) -> None:
        shown: dict[str, Any] | None = None
        on = 0  # the process that showed it
        for self.step in range(steps):
            if shown is None:
                on = self.step % 2
                shown = self.show(self.apis[on])
            if shown is None:
                break
            other = self.apis[1 - on]  # every action on the card goes to the other process
            roll = self.rng.random()
            if roll < 0.08:
                self.change(other, shown["card_id"], "bury")
                shown = None
            elif roll < 0.12:
                self.change(other, shown["card_id"], "suspend")
                shown = None
            else:
                shown, on = self.answer(other, shown), 1 - on
            roll = self.rng.random()
            if roll < 0.2 and self.answers:
                self.resend()
            elif roll < 0.3:
                self.undo(self.apis[self.rng.randrange(2)])
                shown = None  # the card given back comes next, or after it
            elif roll < 0.35 and self.changed:
                card_id = self.changed.pop(self.rng.randrange(len(self.changed)))
                self.change(self.apis[self.rng.randrange(2)], card_id, "unsuspend")
                self.change(self.apis[self.rng.randrange(2)], card_id, "unbury")
                shown = None
            self.check_log()


def _walk(app: Flask, learner: Learner, servers: list[Server], steps: int) -> Walk:
    apis = [Api(server, learner, name) for server, name in zip(servers, "AB", strict=True)]
    walk = Walk(app, learner, apis, random.Random(22))
    walk.run(steps)
    return walk


@pytest.mark.slow
def test_one_learner_on_two_processes_in_turn(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    learner = make_learner(app, runner, tmp_path)
    with two_servers(app, tmp_path) as servers:
        walk = _walk(app, learner, servers, STEPS)
        logs = [server.log() for server in servers]
    print(f"\nthe walk: {dict(walk.done)}")
    assert walk.problems == [], "\n".join(walk.problems[:20])
    assert walk.step == STEPS - 1, "the walk ran out of cards"
    assert len(walk.done) == 12, walk.done  # every kind of step, with and without next
    checked = check_log(app, {learner.id: walk.answers})
    assert checked.problems == [], "\n".join(checked.problems[:20])
    assert checked.reviews == len(walk.answers) > STEPS // 2
    for log in logs:  # each process served its share
        assert log.count("/api/v1/review/") > STEPS // 2


# -- two clients at once, one on each process ---------------------------------------------


@dataclass
class Race:
    """What the two clients did, with the moments their requests were sent and answered."""

    answers: dict[str, int] = field(default_factory=dict)  # token -> review id
    done: list[tuple[int, float]] = field(default_factory=list)  # card answered/hidden, when
    served: list[tuple[int, float, int | None, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def serve(
        self, payload: dict[str, Any] | None, sent: float, own: int | None, what: str
    ) -> list[dict[str, Any]]:
        """Note the card served (and those ahead) by a request sent at ``sent``; ``own`` is
        the card that request answered first. Returns the cards, to answer in turn."""
        cards = [] if payload is None else [payload, *payload.get("ahead", [])]
        with self.lock:
            self.served += [(card["card_id"], sent, own, what) for card in cards]
        return cards

    def judged(self) -> int:
        """How many cards served were answered or hidden at some moment: those the check
        of :meth:`stale` can find stale."""
        hidden = {card_id for card_id, _ in self.done}
        return sum(1 for card_id, *_ in self.served if card_id in hidden)

    def stale(self) -> list[str]:
        """Cards served by a request sent after an answer to them, a bury or a suspension
        had come back, or by the request that answered them."""
        return [
            f"{what}: card {card_id} served after it was answered or hidden"
            for card_id, sent, own, what in self.served
            if card_id == own or any(c == card_id and back < sent for c, back in self.done)
        ]


def _client(race: Race, api: Api, other: Api, rng: random.Random, deadline: float) -> None:
    hand: list[dict[str, Any]] = []
    answered = 0
    while answered < ANSWERS and time.monotonic() < deadline:
        if not hand:
            ahead = rng.choice([0, 0, 2])
            sent = time.monotonic()
            status, card = api.call("GET", f"/api/v1/review/next?bank={BANK}&ahead={ahead}")
            if status != 200:
                if status != 204:
                    race.problems.append(f"next on {api.name}: {status} {card}")
                return
            hand = race.serve(card, sent, None, f"next on {api.name}")
        card = hand.pop(0)
        path = f"/api/v1/review/{card['card_id']}"
        roll = rng.random()
        if roll < 0.08:
            what = "bury" if roll < 0.05 else "suspend"
            status, reply = api.call("POST", f"/api/v1/cards/{card['card_id']}/{what}")
            if status != 200:
                race.problems.append(f"{what} on {api.name}: {status} {reply}")
            with race.lock:
                race.done.append((card["card_id"], time.monotonic()))
            continue
        body = {
            "rating": rng.choice([1, 2, 3, 3, 4]),
            "review_token": card["review_token"],
            "elapsed_ms": rng.randrange(500, 20000),
            "next": rng.random() < 0.5,
            "bank": BANK,
        }
        sent = time.monotonic()
        if roll < 0.18:  # the same answer to both processes at the same moment
            both = [api.send("POST", path, body), other.send("POST", path, body)]
            (status, reply), (status_b, reply_b) = [Api.read(c) for c in both]
            if (status_b, reply_b.get("review_id")) != (status, reply.get("review_id")):
                race.problems.append(f"one answer sent to both, two outcomes: {reply} {reply_b}")
        else:
            status, reply = api.call("POST", path, body)
        if status != 200:
            race.problems.append(f"answer on {api.name}: {status} {reply}")
            return
        with race.lock:
            race.done.append((card["card_id"], time.monotonic()))
            if (
                race.answers.setdefault(body["review_token"], reply["review_id"])
                != reply["review_id"]
            ):
                race.problems.append(f"a token answered with two reviews: {reply}")
        answered += 1
        if 0.18 <= roll < 0.28:  # and again, later, to the other process
            status, again = other.call("POST", path, body)
            if status != 200 or again["review_id"] != reply["review_id"] or not again["repeated"]:
                race.problems.append(f"the same answer again on {other.name}: {status} {again}")
        if body["next"]:
            hand = race.serve(reply["next"], sent, card["card_id"], f"next after {api.name}")


def _race(learner: Learner, servers: list[Server]) -> Race:
    """Two clients at once, one on each process, until each has made its answers."""
    race = Race()
    apis = [Api(server, learner, name) for server, name in zip(servers, "AB", strict=True)]
    deadline = time.monotonic() + 120
    clients = [
        threading.Thread(
            target=_client, args=(race, apis[n], apis[1 - n], random.Random(n), deadline)
        )
        for n in range(2)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=180)
    assert not any(client.is_alive() for client in clients), "the clients did not finish"
    return race


@pytest.mark.slow
def test_two_clients_at_once_on_two_processes(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    learner = make_learner(app, runner, tmp_path)
    with two_servers(app, tmp_path) as servers:
        race = _race(learner, servers)
        todays = [Api(server, learner, "").call("GET", f"/api/v1/review/today?bank={BANK}")
                  for server in servers]  # fmt: skip
    contested = sum(1 for n in Counter(card for card, _ in race.done).values() if n > 1)
    print(f"\n{len(race.served)} cards served, {contested} answered or hidden by both clients")
    assert race.problems == [], "\n".join(race.problems[:20])
    assert race.stale() == [], "\n".join(race.stale()[:20])
    assert len(race.answers) == 2 * ANSWERS and contested > 0
    checked = check_log(app, {learner.id: race.answers})
    assert checked.problems == [], "\n".join(checked.problems[:20])
    with app.app_context():
        user = db.session.get_one(User, learner.id)
        counts = fresh_counts(db.session, user, datetime.now(timezone.utc))
        db.session.remove()
    assert counts.new > 0  # new cards were left: no learning card was due early
    assert [(status, today["counts"]) for status, today in todays] == [(200, counts.to_dict())] * 2


@pytest.mark.slow
def test_a_queue_kept_in_each_process_is_caught(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """The walk and the race against servers that each keep the learner's next card until an
    answer to it reaches them (``stale_queue.py``): both see stale cards. The race sees them
    only where its two clients cross, which most runs do but not every one: it runs up to
    three times."""
    learner = make_learner(app, runner, tmp_path)
    with two_servers(app, tmp_path, STALE_QUEUE) as servers:
        walk = _walk(app, learner, servers, 12)
        for _ in range(3):
            race = _race(learner, servers)
            if race.stale():
                break
    assert any("stale; the database says" in problem for problem in walk.problems), walk.problems
    print(f"\n{len(race.stale())} stale: {race.stale()[:3]}")
    assert race.stale(), race.served


# -- the kept load across the two processes ---------------------------------------------------

LOAD_STEPS = 40


def _studied_before(app: Flask, learner: Learner, now: datetime) -> None:
    """Cards the learner answered Easy on earlier days, due over the days around today: the
    load the grade buttons balance over, counted once and kept by whichever process needs it."""
    with app.app_context():
        session = db.session
        user = session.get_one(User, learner.id)
        for n in range(45):
            at = now - timedelta(days=2 + n % 19, minutes=n)
            card, _ = next_card(Study.at(session, user, at), [BANK])
            answer(Study.at(session, user, at), card, Rating.EASY)
        session.commit()
        session.remove()


def _load_problems(app: Flask, learner: Learner, payloads: list[dict[str, Any]]) -> list[str]:
    """What differs from the cards counted afresh: the grade intervals served (balanced over
    the load), and the load kept for today."""
    problems = []
    with app.app_context():
        session = db.session
        user = session.get_one(User, learner.id)
        now = datetime.now(timezone.utc)
        fresh = fresh_load(session, user, now)
        for payload in payloads:
            card = session.get_one(Card, payload["card_id"])
            intervals = preview_intervals(
                user.study_settings(), card.schedule(), now, card_id=card.id, load=fresh
            )
            expected = {rating.name.lower(): int(intervals[rating].total_seconds())
                        for rating in Rating}  # fmt: skip
            if payload["intervals"] != expected:
                problems.append(f"card {card.id}: {payload['intervals']}, afresh {expected}")
        kept = session.get_one(KeptLoad, user.id)
        day = today(user, now)
        if kept.counts is not None and kept.day_start == day.start:
            first = day.date + timedelta(days=1)
            counted = {first + timedelta(days=n): c for n, c in enumerate(kept.counts) if c}
            if counted != fresh:
                problems.append(f"kept {counted}, afresh {fresh}")
        session.remove()
    return problems


@pytest.mark.slow
def test_the_kept_load_holds_when_one_process_changes_what_the_other_kept(
    app: Flask, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    """One process serves cards, their grade intervals balanced over the learner's load
    (kept in the database once counted); the other suspends and unsuspends cards due on the
    days ahead, answers and undoes. Every interval served is the one the cards counted afresh
    give, and the load kept is always the cards' own."""
    learner = make_learner(app, runner, tmp_path)
    now = datetime.now(timezone.utc)
    _studied_before(app, learner, now)
    with app.app_context():
        ahead = list(db.session.scalars(
            select(Card.id).where(Card.user_id == learner.id, Card.state != NEW,
                                  Card.due > now + timedelta(days=1)).order_by(Card.id)
        ))  # fmt: skip
        db.session.remove()
    assert len(ahead) > 10, ahead  # cards due on the days ahead, for the other to change
    rng = random.Random(23)
    problems: list[str] = []
    done: Counter[str] = Counter()
    suspended: list[int] = []
    with two_servers(app, tmp_path) as servers:
        apis = [Api(server, learner, name) for server, name in zip(servers, "AB", strict=True)]
        for step in range(LOAD_STEPS):
            shows, acts = apis[step % 2], apis[1 - step % 2]
            status, card = shows.call("GET", f"/api/v1/review/next?bank={BANK}&ahead=2")
            assert status == 200, (status, card)
            served = [card, *card.get("ahead", [])]
            problems += [f"step {step}, served: {p}" for p in _load_problems(app, learner, served)]
            done["intervals compared"] += len(served)
            roll = rng.random()
            if roll < 0.25 or (roll < 0.45 and not suspended):
                card_id = rng.choice([c for c in ahead if c not in suspended])
                status, _ = acts.call("POST", f"/api/v1/cards/{card_id}/suspend")
                suspended.append(card_id)
                done["suspend"] += 1
            elif roll < 0.45:
                card_id = suspended.pop(rng.randrange(len(suspended)))
                status, _ = acts.call("POST", f"/api/v1/cards/{card_id}/unsuspend")
                done["unsuspend"] += 1
            elif roll < 0.55:
                status, _ = acts.call("POST", "/api/v1/review/undo")
                done["undo"] += 1
            else:
                body = {"rating": rng.choice([1, 2, 3, 4]), "review_token": card["review_token"]}
                status, _ = acts.call("POST", f"/api/v1/review/{card['card_id']}", body)
                done["answer"] += 1
            assert status in (200, 409), (step, status)  # 409: nothing left to undo
            problems += [f"step {step}, after: {p}" for p in _load_problems(app, learner, [])]
            with app.app_context():
                kept = db.session.get_one(KeptLoad, learner.id)
                done["kept when read"] += kept.counts is not None
                db.session.remove()
    print(f"\nthe kept load's walk: {dict(done)}")
    assert problems == [], "\n".join(problems[:20])
    assert done["suspend"] > 5 and done["unsuspend"] and done["undo"] and done["answer"] > 10
    assert done["kept when read"] > LOAD_STEPS // 4, done  # the processes kept it, and used it

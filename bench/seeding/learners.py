"""The banks and learners a seeded database holds, and which cards each learner has studied."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

import srs.bank
from bench.seeding.trajectories import DAY, Trajectory
from bench.seeding.writers import Row
from models import Question, User
from models.user import name_key
from srs.scheduler import StudySettings

PASSWORD = "bench-password-1"  # the benchmark learners share it
PASSWORD_METHOD = "pbkdf2:sha256:1000"  # cheap: one hash for every learner, checked quickly
DOCKER = "docker"


def generated_bank(number: int, questions: int) -> srs.bank.Bank:
    """``gen-N``: ``questions`` basic questions over 10 chapters of 5 sections each."""
    chapters = [srs.bank.Section(f"ch{c}", f"Chapter {c}") for c in range(1, 11)]
    parts = [
        srs.bank.Section(f"{chapter.id}-s{s}", f"{chapter.title}, part {s}", chapter.id)
        for chapter in chapters
        for s in range(1, 6)
    ]
    per_part = max(1, math.ceil(questions / len(parts)))
    return srs.bank.Bank(
        id=f"gen-{number}",
        title=f"Generated bank {number}",
        language="en",
        description=f"{questions} generated basic questions for benchmarks",
        sections=tuple(chapters + parts),
        questions=tuple(
            srs.bank.Question(
                id=f"q{n}",
                type="basic",
                section=parts[min(n // per_part, len(parts) - 1)].id,
                tags=(f"topic-{n % 20 + 1}",) + (("hard",) if n % 7 == 0 else ()),
                prompt=f"Generated bank {number}, question {n}: what does the term **T{n}** name?",
                answer=f"T{n} names idea {n} of chapter {n // per_part // 5 + 1}.",
                explanation=f"Question {n} was generated for the benchmark." if n % 3 else None,
                source="generated.yaml",
                line=n + 1,
            )
            for n in range(questions)
        ),
        source=f"bench:gen-{number}",
    )


@dataclass(frozen=True, slots=True)
class Slot:
    """One card a learner holds: a question's card."""

    question_id: int
    bank_id: str
    ordinal: int


def card_slots(session: Any) -> list[Slot]:
    """Every card of the banks: the Docker bank's first, then gen-1, gen-2…, each in order."""
    rows = list(
        session.execute(
            select(Question.id, Question.bank_id, Question.card_ordinals)
            .where(Question.retired.is_(False))
            .where((Question.bank_id == DOCKER) | Question.bank_id.like("gen-%"))
            .order_by(Question.bank_id, Question.position)
        )
    )
    rows.sort(key=lambda row: (row.bank_id != DOCKER, len(row.bank_id), row.bank_id))
    return [Slot(qid, bank_id, ordinal) for qid, bank_id, ords in rows for ordinal in ords]


def create_learners(session: Any, users: int, created: datetime) -> list[int]:
    password_hash = generate_password_hash(PASSWORD, method=PASSWORD_METHOD)
    defaults = StudySettings()
    rows = [
        {
            "name": f"learner{n}",
            "name_key": name_key(f"learner{n}"),  # a bulk insert sets no ORM attribute events
            "password_hash": password_hash,
            "is_admin": False,
            "disabled": False,
            "created_at": created,
            "desired_retention": defaults.desired_retention,
            "new_per_day": defaults.new_per_day,
            "reviews_per_day": defaults.reviews_per_day,
            "learning_steps": list(defaults.learning_steps),
            "relearning_steps": list(defaults.relearning_steps),
            "rollover_hour": defaults.rollover_hour,
            "timezone": "UTC",
            "maximum_interval": defaults.maximum_interval,
            "fsrs_parameters": None,
        }
        for n in range(1, users + 1)
    ]
    session.execute(insert(User), rows)
    ids = dict(session.execute(select(User.name, User.id).where(User.name.like("learner%"))).all())
    return [ids[f"learner{n}"] for n in range(1, users + 1)]


@dataclass(frozen=True, slots=True)
class Plan:
    """One learner's cards as rows of the stage table, and how many are due now and today."""

    stage: list[Row]
    studied: int
    reviews: int
    due_now: int
    due_today: int


def plan_learner(
    rng: random.Random,
    user_id: int,
    first_id: int,
    slots: list[Slot],
    pool: list[Trajectory],
    days: int,
    now: int,
    today_end: int,
) -> Plan:
    """Which trajectory each of a learner's cards follows, from which day, how far.

    The learner studies a share of each bank (its first cards in bank order), introduced
    evenly over ``days`` days and at most ``new_per_day`` a day; their history stops half a day
    to eight days before ``now``. Times are in seconds after the first day's midnight.
    """
    share = rng.uniform(0.70, 0.95)
    away = DAY * (rng.uniform(0.5, 2.5) if rng.random() < 0.75 else rng.uniform(2.5, 8.0))
    cut = now - int(away)
    per_bank: dict[str, int] = {}
    for slot in slots:
        per_bank[slot.bank_id] = per_bank.get(slot.bank_id, 0) + 1
    limit = StudySettings().new_per_day * days
    studied = {bank: min(round(count * share), limit) for bank, count in per_bank.items()}
    seen: dict[str, int] = {}
    stage: list[Row] = []
    reviews = started = due_now = due_today = 0
    for offset, slot in enumerate(slots):
        bank_id = slot.bank_id
        nth = seen.get(bank_id, 0)
        seen[bank_id] = nth + 1
        path = start = done = 0
        if nth < studied[bank_id]:
            path = rng.randrange(len(pool))
            start = nth * days // studied[bank_id]
            trajectory = pool[path]
            done = bisect_right(trajectory.times, cut - start * DAY)
            if done:
                started += 1
                reviews += done
                due = start * DAY + trajectory.dues[done - 1]
                due_now += due <= now
                due_today += due < today_end
        stage.append(
            (first_id + offset, user_id, slot.question_id, bank_id, slot.ordinal, path, start, done)
        )
    return Plan(stage, started, reviews, due_now, due_today)

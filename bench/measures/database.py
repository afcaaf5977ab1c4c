"""The database a run measures: a generated bank, seeding, the working copy, the learners."""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.measures.common import (
    BENCH,
    IMPORT_BANK_ID,
    PASSWORD,
    RAISED_LIMIT,
    ROOT,
    Size,
    close_app,
    is_postgres,
    make_app,
    sqlalchemy_url,
    sqlite_path,
)

_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80" viewBox="0 0 240 80">'
    '<rect x="4" y="4" width="100" height="40" fill="none" stroke="#333"/>'
    '<text x="12" y="30" font-size="14">{label}</text>'
    '<path d="M104 24 H200" stroke="#333" marker-end="url(#a)"/></svg>\n'
)


def _question(number: int, section: str, diagrams: int) -> dict[str, Any]:
    """Question ``number`` of the generated bank: the types mixed as a real bank mixes them."""
    key = f"q{number:05d}"
    topic = f"主题 {number} (topic {number})"
    kind = (
        "basic", "basic", "basic", "basic", "reverse", "cloze", "cloze", "choice", "choice",
        "truefalse", "order", "typing",
    )[number % 12]  # fmt: skip
    entry: dict[str, Any] = {"id": key, "type": kind, "section": section}
    if number % 3 == 0:
        entry["tags"] = [f"tag-{number % 17}", "generated"]
    if kind in ("basic", "reverse"):
        entry["prompt"] = f"What does `cmd-{number}` do in {topic}?"
        entry["answer"] = f"It starts worker {number} and **waits** for it; see §{number % 40}."
    elif kind == "cloze":
        entry["text"] = (
            f"In {topic} the {{{{c1::daemon}}}} talks to {{{{c2::runtime {number}::a runtime}}}}."
        )
    elif kind == "choice":
        entry["prompt"] = f"Which component owns state {number}?"
        entry["choices"] = ["containerd", "runc", "the daemon", f"shim {number}"]
        entry["correct"] = number % 4
    elif kind == "truefalse":
        entry["prompt"] = f"Worker {number} restarts by itself."
        entry["correct"] = number % 2 == 0
    elif kind == "order":
        entry["prompt"] = f"Put the steps of job {number} in order."
        entry["items"] = ["pull", "create", "start", f"stop {number}"]
    else:
        entry["prompt"] = f"Type the name of the component for task {number}."
        entry["answer"] = "runc"
        entry["accept"] = ["RunC"]
    explanation = f"Explanation {number}: compare with question {max(1, number - 1)}.\n\n" + (
        "```sh\ndocker run --rm -it alpine sh\n```\n"
    )
    if diagrams and number % 50 == 0:
        explanation += f"\n![diagram](diagrams/d{number // 50 % diagrams}.svg)\n"
    entry["explanation"] = explanation
    return entry


def write_generated_bank(folder: Path, questions: int, bank_id: str = IMPORT_BANK_ID) -> Path:
    """A valid bank folder of ``questions`` questions in 20 files, with sections, tags and
    diagrams; returns the folder."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    diagrams = 10
    (folder / "diagrams").mkdir(exist_ok=True)
    for index in range(diagrams):
        (folder / "diagrams" / f"d{index}.svg").write_text(_SVG.format(label=f"step {index}"))
    chapters = 20
    sections = []
    for chapter in range(chapters):
        sections.append({"id": f"ch{chapter}", "title": f"第 {chapter} 章 Chapter {chapter}"})
        for part in range(4):
            sections.append(
                {"id": f"ch{chapter}-{part}", "title": f"Part {part}", "parent": f"ch{chapter}"}
            )
    header = {
        "id": bank_id,
        "title": f"Generated bank of {questions} questions",
        "language": "en",
        "description": "Written by bench/run.py to time imports and exports.",
        "sections": sections,
    }
    dump = {"allow_unicode": True, "sort_keys": False, "width": 100}
    (folder / "bank.yaml").write_text(yaml.safe_dump(header, **dump), encoding="utf-8")  # type: ignore[call-overload]
    per_file = math.ceil(questions / chapters)
    for chapter in range(chapters):
        numbers = range(chapter * per_file + 1, min(questions, (chapter + 1) * per_file) + 1)
        if not numbers:
            continue
        entries = [_question(n, f"ch{chapter}-{n % 4}", diagrams) for n in numbers]
        text = yaml.safe_dump({"questions": entries}, **dump)  # type: ignore[call-overload]
        (folder / f"chapter-{chapter:02d}.yaml").write_text(text, encoding="utf-8")
    return folder


# -- the database: seeding, and a copy to work on --------------------------------------------


def build_database(url: str, size: Size, work: Path) -> str:
    """Seed an empty database at ``size``: with ``bench/seed.py`` when it is there, else with
    the app's own functions (a bank, learners ``learner1...``, a history of answers)."""
    seeder = BENCH / "seed.py"
    if seeder.is_file():
        command = [
            sys.executable, str(seeder), "--db", url, "--users", str(size.users),
            "--cards", str(size.cards), "--days", str(size.days),
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"bench/seed.py failed:\n{done.stdout}\n{done.stderr}")
        return f"bench/seed.py --users {size.users} --cards {size.cards} --days {size.days}"
    _build_small(url, size, work)
    return f"built by bench/run.py: {size.users} learners, {size.cards} questions, {size.days} days"


def _build_small(url: str, size: Size, work: Path) -> None:
    from models import db
    from services.accounts import create_user
    from services.answers import answer
    from services.bank_import import import_bank
    from services.context import Study
    from services.queue import next_card
    from srs.scheduler import Rating
    from srs.sources import read_bank

    folder = write_generated_bank(work / "seed-bank", size.cards, bank_id="bench")
    app = make_app(url, work / "seed-instance")
    rng = random.Random(7)
    with app.app_context():
        import_bank(db.session, read_bank(folder))
        users = [create_user(db.session, f"learner{i}", PASSWORD) for i in range(1, size.users + 1)]
        db.session.commit()
        end = datetime.now(UTC)
        for user in users:
            for offset in range(size.days, 0, -1):
                moment = end - timedelta(days=offset, minutes=rng.randrange(0, 120))
                for _ in range(size.per_day):
                    card, _ = next_card(Study.at(db.session, user, moment), ["bench"])
                    if card is None:
                        break
                    rating = Rating.AGAIN if rng.random() < 0.15 else Rating.GOOD
                    answer(Study.at(db.session, user, moment), card, rating, elapsed_ms=6000)
                    moment += timedelta(seconds=rng.randrange(5, 40))
            db.session.commit()
    close_app(app)


def has_learners(url: str) -> bool:
    from sqlalchemy import create_engine, text

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            return bool(
                connection.execute(
                    text("SELECT count(*) FROM users WHERE name LIKE 'learner%'")
                ).scalar()
            )
    except Exception:  # no tables yet
        return False
    finally:
        engine.dispose()


def _flushed() -> None:
    """Waits for the copy just written to reach the disk: the kernel would otherwise write it
    out while the first measures run, and time its writing as theirs."""
    if hasattr(os, "sync"):
        os.sync()


@contextlib.contextmanager
def working_copy(url: str, work: Path) -> Iterator[tuple[str, str]]:
    """A copy of the database to measure on, and how it was made."""
    if not is_postgres(url):
        source = sqlite_path(url)
        target = work / "copy.sqlite3"
        started = time.perf_counter()
        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        src.close()
        dst.close()
        _flushed()
        yield f"sqlite:///{target}", f"SQLite online backup ({time.perf_counter() - started:.1f} s)"
        return
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(sqlalchemy_url(url))
    source_name = parsed.database or "postgres"
    copy_name = f"{source_name}_bench_{os.getpid()}"
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    refused = None
    try:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{copy_name}" TEMPLATE "{source_name}"')
    except psycopg.Error as error:
        refused = str(error).splitlines()[0]
    if refused is not None:
        yield url, f"the database itself (CREATE DATABASE TEMPLATE refused: {refused})"
        return
    copy_url = parsed.set(drivername="postgresql", database=copy_name).render_as_string(
        hide_password=False
    )
    _flushed()
    try:
        yield copy_url, f"CREATE DATABASE {copy_name} TEMPLATE {source_name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{copy_name}" WITH (FORCE)')


@dataclass(frozen=True)
class Learner:
    """A seeded learner: every bank they study, and the one they have the most cards in
    (``main_bank``, the one the review page measures study)."""

    id: int
    name: str
    bank_ids: tuple[str, ...]
    main_bank: str
    cards: int
    reviews: int


def prepare_learners(app: Any) -> list[Learner]:
    """The seeded learners (``learner1...``) with their banks and history, limits raised."""
    from sqlalchemy import func, select, update

    from models import Card, Review, User, db
    from services.queue import study_banks

    with app.app_context():
        session = db.session
        session.execute(
            update(User)
            .where(User.name.like("learner%"))
            .values(new_per_day=RAISED_LIMIT, reviews_per_day=RAISED_LIMIT)
        )
        session.commit()
        per_bank: dict[int, dict[str, int]] = {}
        for user_id, bank_id, count in session.execute(
            select(Card.user_id, Card.bank_id, func.count()).group_by(Card.user_id, Card.bank_id)
        ):
            per_bank.setdefault(user_id, {})[bank_id] = count
        reviews = dict(
            session.execute(select(Review.user_id, func.count()).group_by(Review.user_id)).all()
        )
        learners = []
        for user in session.scalars(select(User).where(User.name.like("learner%"))):
            banks = tuple(bank.id for bank in study_banks(session, user))
            mine = per_bank.get(user.id, {})
            main = max(banks, key=lambda bank: mine.get(bank, 0), default="")
            learners.append(
                Learner(
                    user.id, user.name, banks, main, sum(mine.values()), reviews.get(user.id, 0)
                )
            )
        session.remove()
    learners.sort(key=lambda learner: int(re.sub(r"\D", "", learner.name) or 0))
    if not learners or not learners[0].bank_ids:
        raise SystemExit("the database has no learners (learner1...) studying a bank")
    return learners

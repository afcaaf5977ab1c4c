"""Wengu's benchmark: six measures, each beside its baseline, measured in the same run.

    python bench/run.py --db sqlite:////tmp/bench.sqlite3 [--size tiny|reference]
        [--json out.json] [--workers N] [--duration S] [--profile DIR]

1. The answer cycle in process (pick the next due card, schedule it with FSRS, write the
   card and its log row, commit) for one learner, against Anki's own backend (the ``anki``
   package) doing the same cycle with FSRS on a collection made from that learner's cards:
   the same cards, the same schedule (exported by Wengu with the learner's schedule and
   imported by Anki), as many review-log rows.
2. The HTTP review cycle (``GET /api/v1/review/next``, then ``POST`` the answer) under
   gunicorn, driven by ``wrk`` with ``bench/review.lua`` (16 clients over the learners),
   against ``bench/baseline_app.py`` (Flask and the bare driver doing the row work) served
   the same way on the same database.
3. ``next_card`` latency for a learner, when a due card comes next and when a new one does,
   against the bare indexed read of a due card, with the query plan of every statement
   ``next_card`` runs.
4. ``GET /stats`` for the learner with the most history, against reading the same rows
   with the bare driver.
5. Importing a generated bank of 10,000 questions and exporting it to ``.apkg`` (each in a
   process of its own, for its peak memory), against Anki importing and exporting the same
   package.
6. The review page's bytes on first load and per card after (as the page's own script asks
   for them), against the targets.

The database named by ``--db`` is never changed: the run works on a copy (SQLite: an online
backup; PostgreSQL: ``CREATE DATABASE ... TEMPLATE``, or the database itself, said so, when
that is refused). When ``--db`` is a SQLite file that does not exist, or a PostgreSQL
database without learners, it is seeded first with ``bench/seed.py`` (or, without it, with
a small builder here). On the copy every learner's daily limits are raised, so that no
queue runs dry while it is measured. Traffic goes to 127.0.0.1 only, every server and load
run is bounded in time, and everything started is stopped. ``bench/README.md`` has the
results and what each figure is compared with; ``--profile DIR`` then writes where the
time goes (cProfile in process, py-spy on the gunicorn workers).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "bench-password-1"  # the seeded learners' password (bench/seed.py's)
SECRET_KEY = "wengu-bench-secret-key-not-for-production"
RAISED_LIMIT = 9999  # daily limits on the copy (Anki's most): no queue runs dry
CLIENTS = 16
IMPORT_BANK_ID = "bench-import"


@dataclass(frozen=True)
class Size:
    """What a run measures how many times, and the database it seeds when there is none."""

    users: int
    cards: int
    days: int
    per_day: int
    cycles: int
    samples: int
    stats_runs: int
    bank_questions: int
    duration: float
    warmup: float


SIZES = {
    "tiny": Size(
        users=4, cards=120, days=12, per_day=8, cycles=20, samples=40, stats_runs=3,
        bank_questions=300, duration=1.0, warmup=1.0,
    ),
    "reference": Size(
        users=50, cards=20_000, days=365, per_day=60, cycles=500, samples=300, stats_runs=10,
        bank_questions=10_000, duration=30.0, warmup=3.0,
    ),
}  # fmt: skip


@dataclass
class Measure:
    """One line of the table, with the numbers behind it for the JSON."""

    number: int
    name: str
    wengu: str
    baseline: str
    ratio: str
    target: str
    verdict: str
    data: dict[str, Any] = field(default_factory=dict)


# -- small helpers ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile ``q`` (0-100) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def fmt_ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:.0f} ms"


def fmt_bytes(count: float) -> str:
    return f"{count / 1024:.1f} KB" if count < 1024 * 1024 else f"{count / 1024 / 1024:.1f} MB"


def verdict(met: bool | None) -> str:
    return "skipped" if met is None else ("met" if met else "NOT met")


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql"))


def sqlalchemy_url(url: str) -> str:
    from config import settings_from_env

    return str(settings_from_env({"WENGU_DATABASE_URL": url})["SQLALCHEMY_DATABASE_URI"])


def sqlite_path(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise SystemExit(f"--db: '{url}' is neither sqlite:///PATH nor postgresql://...")
    return Path(url.removeprefix("sqlite:///"))


def peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts again at exec, where
    getrusage's ru_maxrss keeps the high-water mark of the parent the child was forked from."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def calibration_ms() -> float:
    """This machine's speed at plain Python: the best of three sums of a million squares
    (about 50-60 ms on a recent laptop), to scale the timings of this run by."""
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        sum(i * i for i in range(1_000_000))
        best = min(best, time.perf_counter() - started)
    return ms(best)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def app_config(url: str, instance: Path) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
        "SECRET_KEY": SECRET_KEY,
        "WENGU_INSTANCE_PATH": str(instance),
        "WENGU_AUTOLOAD_BANKS": False,
        "RATELIMIT_ENABLED": False,
    }


def make_app(url: str, instance: Path) -> Any:
    from app import create_app

    return create_app(app_config(url, instance))


def close_app(app: Any) -> None:
    from models import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# -- a generated bank ------------------------------------------------------------------------

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
    from models.accounts import create_user
    from models.store import import_bank
    from models.study import answer, next_card
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
                    card, _ = next_card(db.session, user, ["bench"], moment)
                    if card is None:
                        break
                    rating = Rating.AGAIN if rng.random() < 0.15 else Rating.GOOD
                    answer(db.session, user, card, rating, moment, elapsed_ms=6000)
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
    from models.study import study_banks

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


# -- 1. the answer cycle in process, against Anki ----------------------------------------------


def _ratings(count: int) -> list[int]:
    rng = random.Random(11)
    return [1 if rng.random() < 0.15 else 3 for _ in range(count)]


def wengu_cycles(app: Any, learner: Learner, cycles: int) -> list[float]:
    from models import User, db
    from models.study import answer, next_card
    from models.types import now_utc
    from srs.scheduler import Rating

    times = []
    with app.app_context():
        session = db.session
        bank_ids = list(learner.bank_ids)
        for rating in _ratings(cycles):
            started = time.perf_counter()
            user = session.get_one(User, learner.id)
            card, _ = next_card(session, user, bank_ids, now_utc())
            if card is None:
                break
            answer(session, user, card, Rating(rating), now_utc(), elapsed_ms=6000)
            session.commit()
            times.append(time.perf_counter() - started)
        session.remove()
    return times


def anki_collection(app: Any, learner: Learner, folder: Path) -> tuple[Any, dict[str, Any]]:
    """An Anki collection of the learner's cards with their schedule, FSRS on, and as many
    review-log rows as the learner has."""
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    from models import User, db
    from models.store import learner_schedule, stored_bank
    from srs.export import export_bank

    packages = []
    with app.app_context():
        user = db.session.get_one(User, learner.id)
        for bank_id in learner.bank_ids:
            bank = stored_bank(db.session, bank_id)
            if bank is None:
                continue
            package = folder / f"{bank_id}.apkg"
            export_bank(
                bank,
                "apkg",
                package,
                scheduling=learner_schedule(db.session, user, bank_id),
                zone=user.timezone,
                rollover_hour=user.rollover_hour,
            )
            packages.append(package)
        settings = user.study_settings()
        db.session.remove()
    col = Collection(str(folder / "collection.anki2"))
    for package in packages:
        col.import_anki_package(
            ImportAnkiPackageRequest(
                package_path=str(package),
                options=ImportAnkiPackageOptions(with_scheduling=True),
            )
        )
    col.set_config("fsrs", True)
    for conf in col.decks.all_config():
        conf["new"]["perDay"] = RAISED_LIMIT
        conf["rev"]["perDay"] = RAISED_LIMIT
        conf["new"]["delays"] = [step / 60 for step in settings.learning_steps]
        conf["lapse"]["delays"] = [step / 60 for step in settings.relearning_steps]
        conf["desiredRetention"] = settings.desired_retention
        conf["rev"]["maxIvl"] = settings.maximum_interval
        col.decks.update_config(conf)
    card_ids = col.db.list("SELECT id FROM cards")
    rng = random.Random(5)
    start = int((time.time() - 365 * 86400) * 1000)
    rows = [
        (start + i * 1000, rng.choice(card_ids), -1, 3, 10, 5, 0, 6000, 1)
        for i in range(learner.reviews)
    ]
    if rows and card_ids:
        col.db.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    # Every bank's deck under one, so that studying it is studying the whole collection.
    parent = col.decks.id("Wengu")
    for deck in col.decks.all_names_and_ids(skip_empty_default=True):
        if "::" not in deck.name and deck.id not in (1, parent):
            col.decks.rename(deck.id, f"Wengu::{deck.name}")
    col.decks.select(parent)
    counts = col.sched.get_queued_cards()
    shape = {
        "cards": col.card_count(),
        "revlog": col.db.scalar("SELECT count() FROM revlog"),
        "studied": col.db.scalar("SELECT count() FROM cards WHERE type != 0"),
        "queued": [counts.new_count, counts.learning_count, counts.review_count],
    }
    return col, shape


def anki_cycles(col: Any, cycles: int) -> list[float]:
    from anki.cards import Card
    from anki.scheduler.v3 import CardAnswer

    ratings = {1: CardAnswer.AGAIN, 3: CardAnswer.GOOD}
    times = []
    for rating in _ratings(cycles):
        started = time.perf_counter()
        queued = col.sched.get_queued_cards()
        if not queued.cards:
            break
        top = queued.cards[0]
        card = Card(col, backend_card=top.card)
        card.start_timer()
        col.sched.answer_card(
            col.sched.build_answer(card=card, states=top.states, rating=ratings[rating])
        )
        times.append(time.perf_counter() - started)
    return times


def measure_cycle(app: Any, learner: Learner, size: Size, work: Path) -> Measure:
    try:
        import anki  # noqa: F401
    except ImportError:
        return Measure(1, "Answer cycle in process (per answer)", "", "anki not installed", "",
                       "≤ 1.0", "skipped")  # fmt: skip
    folder = work / "anki-cycle"
    folder.mkdir()
    started = time.perf_counter()
    col, shape = anki_collection(app, learner, folder)
    built = time.perf_counter() - started
    try:
        anki_times = anki_cycles(col, size.cycles)
    finally:
        col.close()
    wengu_times = wengu_cycles(app, learner, size.cycles)
    wengu_mean = statistics.fmean(wengu_times) if wengu_times else math.nan
    anki_mean = statistics.fmean(anki_times) if anki_times else math.nan
    ratio = wengu_mean / anki_mean
    return Measure(
        1,
        f"Answer cycle in process ({learner.name}: {shape['cards']:,} cards, "
        f"{shape['revlog']:,} reviews; {len(wengu_times)} answers)",
        f"{fmt_ms(ms(wengu_mean))} mean, p99 {fmt_ms(ms(percentile(wengu_times, 99)))}",
        f"Anki {fmt_ms(ms(anki_mean))} mean, p99 {fmt_ms(ms(percentile(anki_times, 99)))}",
        f"{ratio:.1f}× Anki",
        "≤ 1.0",
        verdict(ratio <= 1.0),
        {
            "learner": learner.name,
            "wengu_ms": _summary(wengu_times),
            "anki_ms": _summary(anki_times),
            "ratio": round(ratio, 3),
            "anki_collection": shape | {"built_s": round(built, 2)},
            "wengu_learner": {"cards": learner.cards, "reviews": learner.reviews},
        },
    )


def _summary(times: list[float]) -> dict[str, float]:
    if not times:
        return {"n": 0}
    return {
        "n": len(times),
        "mean": ms(statistics.fmean(times)),
        "p50": ms(percentile(times, 50)),
        "p99": ms(percentile(times, 99)),
        "max": ms(max(times)),
    }


# -- 2. the HTTP review cycle under gunicorn and wrk -------------------------------------------


def issue_tokens(app: Any, learners: list[Learner], path: Path) -> None:
    from models import User, db
    from models.accounts import issue_token

    with app.app_context():
        lines = []
        for learner in learners:
            token = issue_token(db.session, db.session.get_one(User, learner.id))
            lines.append(f"{token} {learner.id} {learner.main_bank}\n")
        db.session.commit()
        db.session.remove()
    path.write_text("".join(lines))


@contextlib.contextmanager
def gunicorn(target: str, env: dict[str, str], workers: int, log: Path) -> Iterator[str]:
    """Serve ``target`` on a free port of 127.0.0.1 until the block ends."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
        "--timeout", "60", target,
    ]  # fmt: skip
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{target} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def run_wrk(base: str, tokens: Path, clients: int, duration: float) -> dict[str, Any]:
    env = os.environ | {"WENGU_BENCH_TOKENS": str(tokens), "WENGU_BENCH_CLIENTS": str(clients)}
    seconds = max(1, round(duration))
    command = [
        "wrk", f"-t{clients}", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s",
        "--latency", "-s", str(BENCH / "review.lua"), base,
    ]  # fmt: skip
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=seconds + 60, check=False
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("WENGU_BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(line.removeprefix("WENGU_BENCH "))
    rate = re.search(r"Requests/sec:\s*([\d.]+)", done.stdout)
    result["requests_per_s"] = float(rate.group(1)) if rate else math.nan
    result["cycles_per_s"] = result["post200"] / (result["duration_us"] / 1e6)
    result["wrk_output"] = done.stdout
    return result


def measure_http(
    app: Any, url: str, learners: list[Learner], size: Size, workers: int, duration: float,
    work: Path,
) -> list[Measure]:  # fmt: skip
    names = ("HTTP review cycle throughput", "HTTP review cycle latency p50 / p99")
    if shutil.which("wrk") is None:
        return [
            Measure(2, name, "wrk not installed", "", "", target, "skipped")
            for name, target in zip(names, ("≥ 0.5× bare", "p99 ≤ 2× bare"), strict=True)
        ]
    tokens = work / "tokens.txt"
    issue_tokens(app, learners, tokens)
    clients = min(CLIENTS, len(learners))
    base_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WENGU_") and key != "DATABASE_URL"
    }
    runs = {}
    for which in ("wengu", "bare"):
        env = base_env | {
            "WENGU_DATABASE_URL": url,
            "WENGU_SECRET_KEY": SECRET_KEY,
            "WENGU_AUTOLOAD_BANKS": "0",
            "WENGU_AUTO_MIGRATE": "0",
            "WENGU_INSTANCE_PATH": str(work / "instance-http"),
            "WENGU_BENCH_DATABASE_URL": url,
            "WENGU_BENCH_TOKENS": str(tokens),
            "PYTHONPATH": str(BENCH),
        }
        target = "app:create_app()" if which == "wengu" else "baseline_app:create_app()"
        with gunicorn(target, env, workers, work / f"gunicorn-{which}.log") as base:
            if size.warmup:
                run_wrk(base, tokens, clients, size.warmup)
            runs[which] = run_wrk(base, tokens, clients, duration)
    wengu, bare = runs["wengu"], runs["bare"]
    throughput = wengu["requests_per_s"] / bare["requests_per_s"]
    p99_ratio = wengu["p99_us"] / bare["p99_us"]
    data = {
        "workers": workers,
        "clients": clients,
        "learners": len(learners),
        "duration_s": duration,
        "wengu": {k: v for k, v in wengu.items() if k != "wrk_output"},
        "bare": {k: v for k, v in bare.items() if k != "wrk_output"},
        "throughput_ratio": round(throughput, 3),
        "p99_ratio": round(p99_ratio, 3),
        "wrk_output": {"wengu": wengu["wrk_output"], "bare": bare["wrk_output"]},
    }
    setting = f"{workers} workers, {clients} clients"

    def lat(run: dict[str, Any]) -> str:
        return f"{fmt_ms(run['p50_us'] / 1000)} / {fmt_ms(run['p99_us'] / 1000)}"

    def rate(run: dict[str, Any]) -> str:
        extra = f", {run['get204']} × 204" if run["get204"] else ""
        errors = run["other"] + run["errors"]
        extra += f", {errors} errors" if errors else ""
        return f"{run['requests_per_s']:.0f} req/s ({run['cycles_per_s']:.0f} answers/s{extra})"

    return [
        Measure(2, f"{names[0]} ({setting})", rate(wengu), f"bare {rate(bare)}",
                f"{throughput:.2f}× bare", "≥ 0.5× bare", verdict(throughput >= 0.5), data),
        Measure(2, names[1], lat(wengu), f"bare {lat(bare)}", f"p99 {p99_ratio:.1f}× bare",
                "p99 ≤ 2× bare", verdict(p99_ratio <= 2.0), {}),
    ]  # fmt: skip


# -- 3. next_card latency and its query plans --------------------------------------------------


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
    from models.study import next_card

    session = db.session
    postgres = db.engine.dialect.name == "postgresql"
    bank_ids = [learner.main_bank]
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    user = session.get_one(User, learner.id)
    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        card, _ = next_card(session, user, bank_ids, moment())
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    kind = "none" if card is None else ("new" if card.state == 0 else "due")
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
        next_card(session, user, bank_ids, moment())
        times.append(time.perf_counter() - started)
        session.rollback()  # a new card made for the learner is not kept
    return {
        "picked": kind,
        "ms": _summary(times),
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
    met = max(p99, new99) <= 5.0 and due_indexed and not scans
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
        f"p99 {p99 / max(ms(percentile(bare, 99)), 1e-6):.0f}× bare",
        "p99 ≤ 5 ms, index, no scan",
        verdict(met),
        {
            "learner": learner.name,
            "due_card": due,
            "new_card": new | {"at": started_at.isoformat() if started_at else None},
            "bare_read_ms": _summary(bare),
            "due_query_plan": due_plan,
            "scans": scans,
        },
    )


# -- 4. /stats -------------------------------------------------------------------------------


def signed_in_client(app: Any, user_id: int) -> Any:
    """A test client holding a session of ``user_id``, as signing in leaves it."""
    from models import User, db

    with app.app_context():
        cookie_id = db.session.get_one(User, user_id).get_id()
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = cookie_id
        session["_fresh"] = True
    return client


def measure_stats(app: Any, learners: list[Learner], size: Size) -> Measure:
    from sqlalchemy import func, select, text

    from models import Review, User, db
    from models.stats import learner_stats
    from models.types import now_utc

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
            learner_stats(db.session, user, list(learner.bank_ids), now_utc())
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
    history = f"{counts.get(learner.id, 0)} reviews in 365 days"
    return Measure(
        4,
        f"/stats server time ({learner.name}, {history})",
        f"{fmt_ms(median)} median, max {fmt_ms(ms(max(times)))}",
        f"reading its rows {fmt_ms(floor_median)}",
        f"{median / floor_median:.1f}× rows",
        "≤ 150 ms",
        verdict(median <= 150),
        {
            "learner": learner.name,
            "reviews_365d": counts.get(learner.id, 0),
            "first_review": span[0].isoformat() if span[0] else None,
            "last_review": span[1].isoformat() if span[1] else None,
            "page_ms": _summary(times),
            "learner_stats_ms": _summary(compute),
            "rows_only_ms": _summary(floor),
            "page_bytes": len(page.data),
        },
    )


# -- 5. import and export of a 10,000-question bank --------------------------------------------


def _child(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    """One import or export, alone in this process: its time and the process's peak RSS."""
    result: dict[str, Any] = {"kind": kind, "rss_before_mb": round(peak_rss_mb(), 1)}
    if kind.startswith("anki"):
        from anki.collection import (
            Collection,
            ExportAnkiPackageOptions,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
        )

        col = Collection(args.collection)
        result["rss_before_mb"] = round(peak_rss_mb(), 1)
        started = time.perf_counter()
        if kind == "anki-import":
            col.import_anki_package(
                ImportAnkiPackageRequest(
                    package_path=args.package, options=ImportAnkiPackageOptions()
                )
            )
            result["notes"] = col.note_count()
        else:
            col.export_anki_package(
                out_path=args.package,
                options=ExportAnkiPackageOptions(
                    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=True
                ),
                limit=None,
            )
            result["bytes"] = Path(args.package).stat().st_size
        result["seconds"] = time.perf_counter() - started
        col.close()
    else:
        from models import db
        from models.store import import_bank, stored_bank
        from srs.export import export_bank
        from srs.sources import read_bank

        app = make_app(args.db, Path(args.instance))
        profile = None
        if args.profile_out:
            import cProfile

            profile = cProfile.Profile()
        with app.app_context():
            result["rss_before_mb"] = round(peak_rss_mb(), 1)
            if profile is not None:
                profile.enable()
            started = time.perf_counter()
            if kind == "wengu-import":
                bank = read_bank(args.bank, max_bytes=app.config["WENGU_MAX_BANK_BYTES"])
                report = import_bank(db.session, bank)
                db.session.commit()
                result["report"] = str(report)
            else:
                stored = stored_bank(db.session, args.bank_id)
                assert stored is not None
                export_bank(stored, "apkg", Path(args.package))
                result["bytes"] = Path(args.package).stat().st_size
            result["seconds"] = time.perf_counter() - started
            if profile is not None:
                profile.disable()
                title = f"5. {kind} of {args.bank_id} ({result['seconds']:.1f} s profiled)"
                Path(args.profile_out).write_text(_pstats_text(profile, title))
            db.session.remove()
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def run_child(kind: str, *options: str) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind, *options]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{kind} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def free_bank_id(app: Any, wanted: str) -> str:
    """``wanted``, or ``wanted-N`` if a bank of that id is stored already (a run on the
    database itself, not a copy): deleting a bank is no part of the measure, and on SQLite
    it checks ``cards`` for every question deleted."""
    from sqlalchemy import select

    from models import Bank, db

    with app.app_context():
        taken = set(db.session.scalars(select(Bank.id).where(Bank.id.like(f"{wanted}%"))))
        db.session.remove()
    number, candidate = 1, wanted
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate


def measure_bank(app: Any, url: str, size: Size, work: Path) -> list[Measure]:
    bank_id = free_bank_id(app, IMPORT_BANK_ID)
    folder = write_generated_bank(work / "generated-bank", size.bank_questions, bank_id)
    package = work / "generated.apkg"
    instance = str(work / "instance-children")
    common = ("--db", url, "--instance", instance, "--bank-id", bank_id)
    wengu_import = run_child("wengu-import", *common, "--bank", str(folder))
    wengu_export = run_child("wengu-export", *common, "--package", str(package))
    anki = {}
    try:
        import anki as _anki  # noqa: F401

        collection = str(work / "anki-bank" / "collection.anki2")
        Path(collection).parent.mkdir()
        anki["import"] = run_child(
            "anki-import", "--collection", collection, "--package", str(package)
        )
        anki["export"] = run_child(
            "anki-export", "--collection", collection, "--package", str(work / "anki.apkg")
        )
    except ImportError:
        pass
    n = size.bank_questions
    rows = []
    for number, (what, run, limit) in enumerate(
        (("import", wengu_import, 5.0), ("export to .apkg", wengu_export, 10.0))
    ):
        other = anki.get("import" if number == 0 else "export")
        seconds, rss = run["seconds"], run["peak_rss_mb"]
        met = seconds <= limit and rss <= 300
        rows.append(
            Measure(
                5,
                f"Bank of {n:,} questions: {what}",
                f"{seconds:.2f} s, peak {rss:.0f} MB",
                f"Anki {other['seconds']:.2f} s, peak {other['peak_rss_mb']:.0f} MB"
                if other
                else "anki not installed",
                f"{seconds / other['seconds']:.1f}× Anki" if other else "",
                f"≤ {limit:.0f} s, ≤ 300 MB",
                verdict(met),
                {"wengu": run, "anki": other, "questions": n},
            )
        )
    return rows


# -- 6. the review page's bytes --------------------------------------------------------------


BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what a browser sends


def _decoded(response: Any) -> bytes:
    """The body of ``response`` uncompressed."""
    import zlib

    data: bytes = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding == "br":
        import brotli

        return bytes(brotli.decompress(data))
    return data


def _sizes(response: Any) -> tuple[int, int, str]:
    """Bytes as served (compressed if the app compressed them), bytes uncompressed, and the
    encoding."""
    encoding = response.headers.get("Content-Encoding", "") or "identity"
    return len(response.get_data()), len(_decoded(response)), encoding


def measure_bytes(app: Any, learner: Learner) -> list[Measure]:
    from models import User, db
    from models.accounts import issue_token

    bank_id = learner.main_bank
    with app.app_context():
        token = issue_token(db.session, db.session.get_one(User, learner.id))
        db.session.commit()
        db.session.remove()
    client = signed_in_client(app, learner.id)
    page = client.get(f"/review/{bank_id}", headers=BROWSER)
    assert page.status_code == 200, page.status_code
    parts = {f"/review/{bank_id}": _sizes(page)}
    html = _decoded(page)
    for path in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        asset = client.get(path.decode(), headers=BROWSER)
        parts[path.decode()] = _sizes(asset)
    bearer = {"Authorization": f"Bearer {token}"} | BROWSER
    first = client.get(f"/api/v1/review/next?bank={bank_id}", headers=bearer)
    parts["GET /api/v1/review/next (the first card)"] = _sizes(first)
    per_card: list[dict[str, Any]] = []
    card = json.loads(_decoded(first)) if first.status_code == 200 else None
    for _ in range(5):  # the page answers with "next": true and shows the card it gets back
        if not card:
            break
        body = json.dumps(
            {
                "rating": 3,
                "review_token": card["review_token"],
                "elapsed_ms": 5000,
                "next": True,
                "bank": bank_id,
            }
        ).encode()
        answered = client.post(
            f"/api/v1/review/{card['card_id']}",
            data=body,
            headers=bearer | {"Content-Type": "application/json"},
        )
        served, raw, encoding = _sizes(answered)
        per_card.append({"request": len(body), "served": served, "raw": raw, "encoding": encoding})
        card = json.loads(_decoded(answered)).get("next")
    served = sum(x[0] for x in parts.values())
    raw = sum(x[1] for x in parts.values())
    card_served = max((c["request"] + c["served"] for c in per_card), default=0)
    card_raw = max((c["request"] + c["raw"] for c in per_card), default=0)
    detail = {name: dict(zip(("served", "raw", "encoding"), x, strict=True))
              for name, x in parts.items()}  # fmt: skip
    encodings = sorted({x[2] for x in parts.values()})
    return [
        Measure(6, "Review page, first load (HTML, CSS, JS, icon, first card)",
                f"{fmt_bytes(served)} served ({', '.join(encodings)}), "
                f"{fmt_bytes(raw)} uncompressed", "target", "", "≤ 100 KB",
                verdict(served <= 100 * 1024), {"served": served, "raw": raw, "parts": detail}),
        Measure(6, f"Review page, per card after (largest of {len(per_card)}, request and answer)",
                f"{fmt_bytes(card_served)} served, {fmt_bytes(card_raw)} uncompressed",
                "target", "", "≤ 5 KB", verdict(bool(per_card) and card_served <= 5 * 1024),
                {"per_card": per_card}),
    ]  # fmt: skip


# -- profiles (--profile DIR): where the time goes, for the targets to explain ----------------


def _pstats_text(profile: Any, title: str, top: int = 30) -> str:
    import io
    import pstats

    out = io.StringIO()
    out.write(f"# {title}\n\n## by cumulative time\n")
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    out.write("\n## by own time\n")
    stats.sort_stats("tottime").print_stats(top)
    text = out.getvalue().replace(str(ROOT) + "/", "")
    return re.sub(r"\S*/(site-packages|lib/python3\.\d+)/", "", text)


def _profiled(title: str, target: Path, work: Callable[[], Any]) -> None:
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        work()
    finally:
        profile.disable()
    target.write_text(_pstats_text(profile, title))


def _collapsed_top(path: Path, top: int = 30) -> str:
    """py-spy's raw (collapsed) stacks as two tables: functions by the share of samples
    they are on the stack (inclusive) and at its top (own)."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [
            frame
            for frame in stack.split(";")
            if not frame.startswith("process ") and not re.search(r"gunicorn/|runpy", frame)
        ]
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + count
    lines = [f"{total} samples\n", "## on the stack (inclusive)"]
    for frame, count in sorted(inclusive.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"{100 * count / total:5.1f}%  {frame}")
    lines += ["", "## at the top of the stack (own)"]
    for frame, count in sorted(own.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"{100 * count / total:5.1f}%  {frame}")
    packages: dict[str, int] = {}
    for frame, count in own.items():
        where = re.search(r"\(([^:)]+)", frame)
        package = where.group(1).split("/")[0] if where else frame
        packages[package] = packages.get(package, 0) + count
    lines += ["", "## own time by package (the file's first folder)"]
    for package, count in sorted(packages.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"{100 * count / total:5.1f}%  {package}")
    return "\n".join(lines) + "\n"


def profile_http(
    app: Any, url: str, learners: list[Learner], size: Size, workers: int, duration: float,
    work: Path, out: Path,
) -> None:  # fmt: skip
    """py-spy on the gunicorn workers while wrk drives the review cycle (a run of its own)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if shutil.which("wrk") is None or not Path(spy).exists():
        (out / "http.txt").write_text("wrk or py-spy is not installed\n")
        return
    tokens = work / "tokens-profile.txt"
    issue_tokens(app, learners, tokens)
    clients = min(CLIENTS, len(learners))
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENGU_")} | {
        "WENGU_DATABASE_URL": url,
        "WENGU_SECRET_KEY": SECRET_KEY,
        "WENGU_AUTOLOAD_BANKS": "0",
        "WENGU_AUTO_MIGRATE": "0",
        "WENGU_INSTANCE_PATH": str(work / "instance-profile"),
    }
    raw = work / "py-spy.txt"
    seconds = max(2, round(duration))
    with gunicorn("app:create_app()", env, workers, work / "gunicorn-profile.log") as base:
        run_wrk(base, tokens, clients, min(3.0, duration))  # warm
        master = _gunicorn_pid(work / "gunicorn-profile.log")
        spy_run = subprocess.Popen(
            [spy, "record", "--format", "raw", "--subprocesses", "--nonblocking", "-r", "100",
             "-d", str(seconds), "-p", str(master), "-o", str(raw)],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        result = run_wrk(base, tokens, clients, seconds)
        _, error = spy_run.communicate(timeout=seconds + 60)
    head = (
        f"# HTTP review cycle under wrk ({workers} workers, {clients} clients, {seconds} s),"
        f" sampled by py-spy at 100 Hz on every worker\n"
        f"# {result['requests_per_s']:.0f} req/s while sampled\n\n"
    )
    body = _collapsed_top(raw) if raw.exists() else f"py-spy failed: {error}\n"
    (out / "http.txt").write_text(head + body)


def _gunicorn_pid(log: Path) -> int:
    found = re.search(r"\[(\d+)\] \[INFO\] Starting gunicorn", log.read_text())
    if not found:
        raise RuntimeError(f"no gunicorn master pid in {log}")
    return int(found.group(1))


def profile_all(
    app: Any, url: str, learners: list[Learner], size: Size, workers: int, duration: float,
    work: Path, out: Path,
) -> None:  # fmt: skip
    """cProfile of each in-process measure, py-spy of the HTTP one, into ``out``."""
    from models import User, db
    from models.stats import learner_stats
    from models.study import next_card
    from models.types import now_utc

    out.mkdir(parents=True, exist_ok=True)
    first, second = learners[0], learners[1 % len(learners)]
    _profiled(
        f"1. {min(size.cycles, 200)} answer cycles in process ({first.name}, all banks)",
        out / "cycle.txt",
        lambda: wengu_cycles(app, first, min(size.cycles, 200)),
    )

    def next_cards() -> None:
        with app.app_context():
            for _ in range(size.samples):
                user = db.session.get_one(User, second.id)
                next_card(db.session, user, [second.main_bank], now_utc())
                db.session.rollback()
            db.session.remove()

    _profiled(f"3. {size.samples} next_card calls ({second.name})", out / "next_card.txt",
              next_cards)  # fmt: skip
    stats_learner = max(learners, key=lambda x: x.reviews)
    client = signed_in_client(app, stats_learner.id)
    client.get("/stats")
    _profiled(f"4. GET /stats ({stats_learner.name})", out / "stats.txt",
              lambda: client.get("/stats"))  # fmt: skip

    def compute() -> None:
        with app.app_context():
            user = db.session.get_one(User, stats_learner.id)
            learner_stats(db.session, user, list(stats_learner.bank_ids), now_utc())
            db.session.remove()

    _profiled(f"4. learner_stats alone ({stats_learner.name})", out / "learner_stats.txt",
              compute)  # fmt: skip
    bank_id = free_bank_id(app, IMPORT_BANK_ID)
    folder = write_generated_bank(work / "profiled-bank", size.bank_questions, bank_id)
    common = ("--db", url, "--instance", str(work / "instance-children"), "--bank-id", bank_id)
    for kind, extra in (
        ("wengu-import", ("--bank", str(folder))),
        ("wengu-export", ("--package", str(work / "profiled.apkg"))),
    ):
        run_child(kind, *common, *extra, "--profile-out", str(out / f"{kind}.txt"))
    profile_http(app, url, learners, size, workers, duration, work, out)


# -- the run ---------------------------------------------------------------------------------


def table(measures: list[Measure]) -> str:
    head = ("#", "measure", "Wengu", "baseline", "ratio", "target", "verdict")
    rows = [head, ("-",) * len(head)]
    rows += [
        (str(m.number), m.name, m.wengu, m.baseline, m.ratio, m.target, m.verdict) for m in measures
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = []
    for row in rows:
        if row[0] == "-":
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        else:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def guarded(number: int, name: str, measure: Callable[[], Any]) -> list[Measure]:
    """Run one measure; a failure becomes a line of the table instead of ending the run."""
    try:
        result = measure()
    except Exception as error:  # a broken measure must not hide the others
        message = f"{type(error).__name__}: {error}".splitlines()[0][:120]
        print(f"measure {number} failed:", repr(error), file=sys.stderr)
        return [Measure(number, name, f"failed: {message}", "", "", "", "failed")]
    return result if isinstance(result, list) else [result]


def run(args: argparse.Namespace) -> int:
    size = SIZES[args.size]
    postgres = is_postgres(args.db)
    workers = args.workers or (4 if postgres else 2)
    duration = args.duration or size.duration
    started = time.perf_counter()
    speed = calibration_ms()
    with tempfile.TemporaryDirectory(prefix="wengu-bench-") as folder:
        work = Path(folder)
        seeded = "given"
        missing = not postgres and not sqlite_path(args.db).exists()
        if missing or (postgres and not has_learners(args.db)):
            print(f"seeding {args.db} ({args.size})", file=sys.stderr)
            seeded = build_database(args.db, size, work)
        with working_copy(args.db, work) as (url, copy_note):
            app = make_app(url, work / "instance")
            if postgres:
                from models import db

                with app.app_context(), db.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
            learners = prepare_learners(app)
            first, second = learners[0], learners[1 % len(learners)]
            print(f"{len(learners)} learners; measuring", file=sys.stderr)
            measures: list[Measure] = []
            steps: list[tuple[int, str, Callable[[], Any]]] = [
                (3, "next_card latency", lambda: measure_next_card(app, second, size)),
                (4, "/stats server time", lambda: measure_stats(app, learners, size)),
                (1, "Answer cycle in process", lambda: measure_cycle(app, first, size, work)),
                (6, "Review page bytes", lambda: measure_bytes(app, second)),
                (2, "HTTP review cycle",
                 lambda: measure_http(app, url, learners, size, workers, duration, work)),
                (5, "Bank import and export", lambda: measure_bank(app, url, size, work)),
            ]  # fmt: skip
            if args.only:
                steps = [step for step in steps if str(step[0]) in args.only.split(",")]
            for number, name, step in steps:
                print(f"  {number}. {name}", file=sys.stderr)
                measures += guarded(number, name, step)
            measures.sort(key=lambda m: m.number)
            report(args, measures, size, workers, duration, seeded, copy_note, speed, started)
            if args.profile:
                print(f"profiling into {args.profile}", file=sys.stderr)
                guarded(0, "profiles", lambda: profile_all(
                    app, url, learners, size, workers, duration, work, Path(args.profile)
                ))  # fmt: skip
                print(f"\nprofiles: {args.profile}/*.txt")
            close_app(app)
    return 0


def report(
    args: argparse.Namespace, measures: list[Measure], size: Size, workers: int,
    duration: float, seeded: str, copy_note: str, speed: float, started: float,
) -> None:  # fmt: skip
    """Print the table (and write the JSON)."""
    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    machine += f", a million squares summed in {speed:.0f} ms"
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    database = "PostgreSQL" if is_postgres(args.db) else "SQLite"
    print(
        f"\n{database}, --size {args.size}, {machine}, load {load} (1/5/15 min) at the end;"
        f" database: {seeded}; measured on: {copy_note}\n"
    )
    print(table(measures), flush=True)
    if not args.json:
        return
    result = {
        "database": database,
        "db": re.sub(r"//[^@/]*@", "//***@", args.db),
        "size": args.size,
        "size_parameters": asdict(size),
        "workers": workers,
        "duration_s": duration,
        "machine": machine,
        "load_average_at_end": load,
        "calibration_ms": speed,
        "seeded": seeded,
        "copy": copy_note,
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "table": table(measures),
        "measures": [asdict(m) for m in measures],
    }
    Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))


def main(argv: list[str] | None = None) -> int:
    # Stopped from outside, still stop the servers and remove the copy (finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="sqlite:////PATH or postgresql://... (required)")
    parser.add_argument("--size", choices=sorted(SIZES), default="reference")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--workers", type=int, help="gunicorn workers (2 SQLite, 4 PostgreSQL)")
    parser.add_argument("--duration", type=float, help="seconds of each wrk run")
    parser.add_argument("--only", help="measure only these numbers, e.g. --only 1,3")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", help="then profile the Wengu side of each measure into this folder"
    )
    hidden_options = ("--instance", "--bank", "--bank-id", "--package", "--collection")
    for hidden in (*hidden_options, "--profile-out"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child, args)))
        return 0
    if not args.db:
        parser.error("--db is required")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

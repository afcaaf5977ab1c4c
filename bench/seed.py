"""Build a realistic benchmark database, fast.

    python bench/seed.py --db sqlite:////tmp/bench.sqlite3 --users 50 --cards 20000 --days 365

The schema comes from the app itself (``create_app`` migrates the database and loads the
shipped Docker bank); generated banks of basic questions (``gen-1``, ``gen-2``… of
``--bank-size`` questions, with sections and tags) are added with ``import_bank`` until every
learner can hold ``--cards`` cards. Learners ``learner1`` … ``learnerN`` share one password
(:data:`PASSWORD`, hashed once with a cheap method) and the default study settings.

Review histories are drawn from FSRS itself: a few thousand review trajectories are simulated
with the app's own scheduler (:func:`srs.scheduler.answer_card`, fuzz off), the ratings drawn
from each card's predicted recall, review days now and then late. Each studied card is then
given one trajectory, started on the day the card was introduced (a learner introduces each
bank's cards in bank order, spread over ``--days`` days) and cut where that learner's history
ends (half a day to eight days before now, so that some cards are overdue). The card's
schedule is the trajectory's state after its last review before the cut, and its log the
trajectory's reviews up to there: a card's ``due``, ``stability``, ``state``… always equal
its newest review's ``*_after`` columns, and each learner's reviews are inserted in time
order, so review ids grow with time as the app's do (undo takes the newest id). Cards past
the cut, and those of each bank a learner has not reached, stay new, with no history.

Python never builds a review row. The trajectories and the dates are loaded once into
temporary tables; per learner, one small row per card (which trajectory, from which day, how
many reviews) is loaded (``executemany`` on the raw ``sqlite3`` connection, or ``COPY … FROM
STDIN`` through psycopg 3), and ``INSERT … SELECT`` joins make the cards and the reviews
inside the database, one transaction per learner. SQLite loads in WAL mode (as the app runs
it) with syncing off, foreign keys unchecked and a large cache. PostgreSQL loads without the
foreign keys and the plain indexes of ``cards`` and ``reviews`` (each checked or built in one
pass at the end, from the definitions the migrations made), then gets ``VACUUM ANALYZE``, as
autovacuum would in time. SQLite gets no ``ANALYZE``: the app never runs one, so a real
database has no statistics either.
"""

from __future__ import annotations

import argparse
import math
import random
import sqlite3
import sys
import tempfile
import time
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/seed.py``
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from app import create_app  # noqa: E402
from models import Bank, Question, User, db  # noqa: E402
from models.user import name_key  # noqa: E402
from services.bank_import import import_bank  # noqa: E402
from services.progress import recount_learner  # noqa: E402
from srs import bank as schema  # noqa: E402
from srs.scheduler import (  # noqa: E402
    LEARNING,
    NEW,
    RELEARNING,
    REVIEW,
    CardState,
    Rating,
    StudySettings,
    answer_card,
    retrievability,
)

__all__ = ["PASSWORD", "Summary", "generated_bank", "main", "seed", "simulate"]

PASSWORD = "bench-password-1"  # the benchmark learners share it
PASSWORD_METHOD = "pbkdf2:sha256:1000"  # cheap: one hash for every learner, checked quickly
DAY = 86400
DOCKER = "docker"

# How a learner answers, by the card's state (weights for Again, Hard, Good, Easy).
_FIRST = (0.18, 0.10, 0.62, 0.10)
_STEP = (0.10, 0.08, 0.77, 0.05)
_RECALLED = (0.0, 0.10, 0.82, 0.08)  # a review card recalled; forgotten is Again
_RATINGS = tuple(Rating)

Row = tuple[Any, ...]

# The temporary tables: every trajectory's reviews (times as days after the card's first day
# and times of day as stored), the dates by day number, and one learner's cards.
EVENTS = (
    ("path", "INTEGER"), ("k", "INTEGER"),
    ("day", "INTEGER"), ("clock", "TEXT"), ("due_day", "INTEGER"), ("due_clock", "TEXT"),
    ("prev_day", "INTEGER"), ("prev_clock", "TEXT"),
    ("prev_due_day", "INTEGER"), ("prev_due_clock", "TEXT"),
    ("rating", "INTEGER"), ("elapsed_ms", "INTEGER"),
    ("state_before", "INTEGER"), ("step_before", "INTEGER"),
    ("stability_before", "DOUBLE PRECISION"), ("difficulty_before", "DOUBLE PRECISION"),
    ("state_after", "INTEGER"), ("step_after", "INTEGER"),
    ("stability_after", "DOUBLE PRECISION"), ("difficulty_after", "DOUBLE PRECISION"),
    ("lapses_after", "INTEGER"),
)  # fmt: skip
DATES = (("i", "INTEGER"), ("d", "TEXT"))
STAGE = (
    ("id", "BIGINT"), ("user_id", "INTEGER"), ("question_id", "INTEGER"),
    ("bank_id", "VARCHAR(64)"), ("ordinal", "INTEGER"),
    ("path", "INTEGER"), ("start", "INTEGER"), ("reviews", "INTEGER"),
)  # fmt: skip

_CARD_COLUMNS = (
    "id, user_id, question_id, bank_id, ordinal, state, step, stability, difficulty, due, "
    "last_review, reps, lapses, suspended, buried_until, retired, created_at, position"
)
_POSITION = "(SELECT q.position FROM questions q WHERE q.id = c.question_id)"
_REVIEW_COLUMNS = (
    "card_id, user_id, bank_id, reviewed_at, due_before, last_review_before, due_after, "
    "rating, elapsed_ms, state_before, step_before, stability_before, difficulty_before, "
    "state_after, step_after, stability_after, difficulty_after, correct, review_token, buried"
)


# --- trajectories ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One card's simulated reviews, timed from the midnight (UTC) of the day it was introduced.

    ``times[k]`` is review ``k``'s time in seconds (to cut the trajectory with ``bisect``),
    ``dues[k]`` the card's due time after it, and ``rows[k]`` the review as a row of the
    events table (:data:`EVENTS` from ``k``).
    """

    times: list[int]
    dues: list[int]
    rows: list[Row]


def _weighted(rng: random.Random, weights: tuple[float, ...]) -> Rating:
    return rng.choices(_RATINGS, weights)[0]


def _clock(delta: timedelta, suffix: str) -> tuple[int, str]:
    """A moment as (days after the first day, the time of day as stored after the date)."""
    seconds = delta.seconds
    return delta.days, (
        f" {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        f".{delta.microseconds:06d}{suffix}"
    )


def simulate(
    rng: random.Random, settings: StudySettings, horizon_days: int, suffix: str, card_id: int
) -> Trajectory:
    """Review one card from its introduction for ``horizon_days`` days, as FSRS schedules it.

    The learner studies at about the same time each day; a learning step is answered a few
    minutes after it is due, a review on its due day (one in five a day or more late), and
    recalled with the chance FSRS predicts. ``suffix`` follows each stored time of day.
    """
    origin = datetime(2000, 1, 3, tzinfo=UTC)  # any midnight: only the offsets are kept
    session = rng.randrange(7 * 3600, 22 * 3600)
    moment = origin + timedelta(seconds=session, microseconds=rng.randrange(1_000_000))
    card = CardState(due=moment)
    end = origin + timedelta(days=horizon_days)
    trajectory = Trajectory([], [], [])
    previous: tuple[int | None, str | None, int, str] | None = None
    while moment < end:
        if card.state == NEW:
            rating = _weighted(rng, _FIRST)
        elif card.state == REVIEW:
            recalled = rng.random() < retrievability(settings, card, moment)
            rating = _weighted(rng, _RECALLED) if recalled else Rating.AGAIN
        else:
            rating = _weighted(rng, _STEP)
        answer = answer_card(settings, card, rating, moment, card_id=card_id, fuzz=False)
        before, after = answer.before, answer.after
        day, clock = _clock(moment - origin, suffix)
        due_day, due_clock = _clock(answer.due - origin, suffix)
        # The first review's "before" is the card as created, due the moment it was shown.
        prev_day, prev_clock, prev_due_day, prev_due_clock = previous or (None, None, day, clock)
        elapsed_ms = min(120_000, int(rng.lognormvariate(math.log(6000), 0.6)))
        trajectory.times.append(int((moment - origin).total_seconds()))
        trajectory.dues.append(int((answer.due - origin).total_seconds()))
        trajectory.rows.append(
            (day, clock, due_day, due_clock, prev_day, prev_clock, prev_due_day, prev_due_clock,
             int(rating), elapsed_ms, before.state, before.step, before.stability,
             before.difficulty, after.state, after.step, after.stability, after.difficulty,
             after.lapses)
        )  # fmt: skip
        previous = (day, clock, due_day, due_clock)
        card = after
        if after.state in (LEARNING, RELEARNING):
            moment = answer.due + timedelta(seconds=rng.randrange(5, 240))
        else:
            late = 0 if rng.random() < 0.8 else 1 + int(rng.expovariate(0.4))
            day_start = origin + timedelta(days=(answer.due - origin).days + late)
            moment = day_start + timedelta(
                seconds=session + rng.randrange(-1800, 3600),
                microseconds=rng.randrange(1_000_000),
            )
    return trajectory


# --- the two databases -----------------------------------------------------------------------


class Writer:
    """The temporary tables and the statements that turn them into cards and reviews."""

    suffix = ""  # what follows a stored time of day
    table_options = ""

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def load(self, table: str, columns: Sequence[tuple[str, str]], rows: list[Row]) -> None:
        raise NotImplementedError

    def scalar(self, sql: str) -> int:
        raise NotImplementedError

    def stamp(self, expression: str) -> str:
        """``expression``, text, as the database stores a ``UTCDateTime``."""
        return expression

    def json(self, literal: str) -> str:
        return f"'{literal}'"

    def _create(self, table: str, columns: Sequence[tuple[str, str]], key: str) -> None:
        body = ", ".join(f"{name} {kind}" for name, kind in columns)
        self.execute(f"CREATE TEMP TABLE {table} ({body}, PRIMARY KEY ({key})){self.table_options}")

    def prepare(self, events: list[Row], dates: list[Row]) -> None:
        self._create("bench_events", EVENTS, "path, k")
        self._create("bench_dates", DATES, "i")
        self._create("bench_stage", STAGE, "id")
        self.load("bench_events", EVENTS, events)
        self.load("bench_dates", DATES, dates)

    def first_card_id(self) -> int:
        return self.scalar("SELECT coalesce(max(id), 0) FROM cards") + 1

    def learner(self, stage: list[Row], now: str) -> None:
        """One learner's cards and reviews from ``stage`` (:data:`STAGE` rows); no commit."""
        self.load("bench_stage", STAGE, stage)
        stamp = self.stamp
        self.execute(
            f"INSERT INTO cards ({_CARD_COLUMNS}) "
            f"SELECT c.id, c.user_id, c.question_id, c.bank_id, c.ordinal, {NEW}, NULL, NULL, "
            f"NULL, {stamp(repr(now))}, NULL, 0, 0, FALSE, NULL, FALSE, {stamp(repr(now))}, "
            f"{_POSITION} FROM bench_stage c WHERE c.reviews = 0 ORDER BY c.id"
        )
        self.execute(
            f"INSERT INTO cards ({_CARD_COLUMNS}) "
            "SELECT c.id, c.user_id, c.question_id, c.bank_id, c.ordinal, e.state_after, "
            "e.step_after, e.stability_after, e.difficulty_after, "
            f"{stamp('d1.d || e.due_clock')}, {stamp('d2.d || e.clock')}, c.reviews, "
            f"e.lapses_after, FALSE, NULL, FALSE, {stamp('d3.d || f.clock')}, {_POSITION} "
            "FROM bench_stage c "
            "JOIN bench_events e ON e.path = c.path AND e.k = c.reviews - 1 "
            "JOIN bench_events f ON f.path = c.path AND f.k = 0 "
            "JOIN bench_dates d1 ON d1.i = c.start + e.due_day "
            "JOIN bench_dates d2 ON d2.i = c.start + e.day "
            "JOIN bench_dates d3 ON d3.i = c.start + f.day "
            "WHERE c.reviews > 0 ORDER BY c.id"
        )
        self.execute(
            f"INSERT INTO reviews ({_REVIEW_COLUMNS}) "
            f"SELECT c.id, c.user_id, c.bank_id, {stamp('d1.d || e.clock')}, "
            f"{stamp('d2.d || e.prev_due_clock')}, {stamp('d3.d || e.prev_clock')}, "
            f"{stamp('d4.d || e.due_clock')}, e.rating, e.elapsed_ms, e.state_before, "
            "e.step_before, e.stability_before, e.difficulty_before, e.state_after, "
            f"e.step_after, e.stability_after, e.difficulty_after, NULL, NULL, {self.json('[]')} "
            "FROM bench_stage c "
            "JOIN bench_events e ON e.path = c.path AND e.k < c.reviews "
            "JOIN bench_dates d1 ON d1.i = c.start + e.day "
            "JOIN bench_dates d2 ON d2.i = c.start + e.prev_due_day "
            "LEFT JOIN bench_dates d3 ON d3.i = c.start + e.prev_day "
            "JOIN bench_dates d4 ON d4.i = c.start + e.due_day "
            "ORDER BY 4, 1"
        )
        self.execute("DELETE FROM bench_stage")

    def commit(self) -> None:
        raise NotImplementedError

    def close(self, done: bool) -> None:
        """End the load: ``done``, or after a failure (what was committed stays)."""
        raise NotImplementedError


class SqliteWriter(Writer):
    """A raw ``sqlite3`` connection tuned for one bulk load, ``executemany`` with tuples."""

    table_options = " WITHOUT ROWID"

    def __init__(self, path: str) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",  # as the app keeps it (as fast here as no journal at all)
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1048576",  # 1 GiB
            "temp_store=MEMORY",
            "locking_mode=EXCLUSIVE",
        ):
            self.connection.execute(f"PRAGMA {pragma}")
        self.connection.execute("BEGIN")

    def execute(self, sql: str) -> None:
        self.connection.execute(sql)

    def load(self, table: str, columns: Sequence[tuple[str, str]], rows: list[Row]) -> None:
        marks = ", ".join("?" * len(columns))
        self.connection.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)

    def scalar(self, sql: str) -> int:
        return int(self.connection.execute(sql).fetchone()[0])

    def commit(self) -> None:
        self.connection.execute("COMMIT")
        self.connection.execute("BEGIN")

    def close(self, done: bool) -> None:
        self.connection.execute("COMMIT" if done else "ROLLBACK")
        self.connection.execute("PRAGMA locking_mode=NORMAL")
        self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.connection.close()


class PostgresWriter(Writer):
    """psycopg 3: ``COPY … FROM STDIN`` into the temporary tables; foreign keys and plain
    indexes of ``cards`` and ``reviews`` dropped for the load and made again in close()."""

    suffix = "+00"

    def __init__(self, url: str) -> None:
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
        self.connection = psycopg.connect(conninfo)
        for setting in (
            "synchronous_commit = off",
            "TIME ZONE 'UTC'",
            "work_mem = '256MB'",  # the sort of a learner's reviews stays in memory
            "maintenance_work_mem = '512MB'",
        ):
            self.execute(f"SET {setting}")
        # Foreign keys are checked row by row, half the cost of a load: they go for the load
        # and come back as they were, each checked in one pass (see close()).
        self.foreign_keys = self.connection.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' "
            "AND conrelid IN ('cards'::regclass, 'reviews'::regclass) ORDER BY 1, 2"
        ).fetchall()
        for table, name, _ in self.foreign_keys:
            self.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        # So do the indexes that are no constraint's: one sort each at the end beats
        # millions of insertions.
        self.indexes = self.connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            "AND tablename IN ('cards', 'reviews') AND NOT EXISTS (SELECT FROM pg_constraint c "
            "WHERE c.conname = i.indexname) ORDER BY 1"
        ).fetchall()
        for name, _ in self.indexes:
            self.execute(f'DROP INDEX "{name}"')
        self.connection.commit()

    def execute(self, sql: str) -> None:
        self.connection.execute(sql.encode())

    def load(self, table: str, columns: Sequence[tuple[str, str]], rows: list[Row]) -> None:
        names = ", ".join(name for name, _ in columns)
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({names}) FROM STDIN".encode()) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        self.execute(f"ANALYZE {table}")  # temporary tables get no autovacuum

    def scalar(self, sql: str) -> int:
        row = self.connection.execute(sql.encode()).fetchone()
        return int(row[0]) if row else 0

    def stamp(self, expression: str) -> str:
        return f"CAST({expression} AS TIMESTAMP WITH TIME ZONE)"

    def json(self, literal: str) -> str:
        return f"CAST('{literal}' AS JSON)"

    def commit(self) -> None:
        self.connection.commit()

    def close(self, done: bool) -> None:
        self.connection.rollback()  # what a failure left unfinished
        for _, definition in self.indexes:
            self.execute(definition)
        for table, name, definition in self.foreign_keys:
            self.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.execute(
            "SELECT setval(pg_get_serial_sequence('cards', 'id'), "
            "(SELECT coalesce(max(id), 1) FROM cards))"
        )
        self.connection.commit()
        if done:
            self.connection.autocommit = True
            self.execute("VACUUM ANALYZE")
        self.connection.close()


# --- banks and learners ----------------------------------------------------------------------


def generated_bank(number: int, questions: int) -> schema.Bank:
    """``gen-N``: ``questions`` basic questions over 10 chapters of 5 sections each."""
    chapters = [schema.Section(f"ch{c}", f"Chapter {c}") for c in range(1, 11)]
    parts = [
        schema.Section(f"{chapter.id}-s{s}", f"{chapter.title}, part {s}", chapter.id)
        for chapter in chapters
        for s in range(1, 6)
    ]
    per_part = max(1, math.ceil(questions / len(parts)))
    return schema.Bank(
        id=f"gen-{number}",
        title=f"Generated bank {number}",
        language="en",
        description=f"{questions} generated basic questions for benchmarks",
        sections=tuple(chapters + parts),
        questions=tuple(
            schema.Question(
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


def _card_slots(session: Any) -> list[Slot]:
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


def _create_learners(session: Any, users: int, created: datetime) -> list[int]:
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


# --- the seeder ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """What :func:`seed` made."""

    learners: int
    banks: int
    cards: int
    studied: int
    reviews: int
    due_now: int
    due_today: int
    seconds: float

    def __str__(self) -> str:
        return (
            f"learners {self.learners}, banks {self.banks}, cards {self.cards:,} "
            f"({self.studied:,} studied), reviews {self.reviews:,}, due now {self.due_now:,} "
            f"({self.due_now / max(1, self.cards):.1%} of cards), due today {self.due_today:,}, "
            f"{self.seconds:.1f} s"
        )


def _engine_url(url: str) -> str:
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _replace(url: str) -> None:
    """Start from nothing: remove the SQLite file, or empty PostgreSQL's public schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(parsed.database + suffix).unlink(missing_ok=True)
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def _instance(folder: str | None) -> Iterator[str]:
    if folder:
        yield folder
        return
    with tempfile.TemporaryDirectory(prefix="wengu-bench-") as temporary:
        yield temporary


def _log(quiet: bool, message: str) -> None:
    if not quiet:
        print(message, file=sys.stderr, flush=True)


def _writer(url: str, dialect: str) -> Writer:
    if dialect == "sqlite":
        database = make_url(url).database
        if not database or database == ":memory:":
            raise SystemExit("SQLite needs a file: sqlite:////path/to/file.sqlite3")
        return SqliteWriter(database)
    if dialect == "postgresql":
        return PostgresWriter(url)
    raise SystemExit(f"no bulk path for {dialect}")


def seed(
    url: str,
    users: int,
    cards: int,
    days: int,
    *,
    seed: int = 1,
    trajectories: int = 2000,
    bank_size: int = 5000,
    replace: bool = False,
    instance: str | None = None,
    quiet: bool = True,
) -> Summary:
    """Fill the database at ``url`` (new or empty, unless ``replace``) and say what it holds.

    Raises:
        SystemExit: the database already has accounts, or is one this cannot fill.
    """
    started = time.perf_counter()
    url = _engine_url(url)
    if replace:
        _replace(url)
    now = datetime.now(UTC)
    day0 = datetime.combine(now.date() - timedelta(days=days), datetime.min.time(), UTC)

    with _app_session(url, instance, autoload=True) as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise SystemExit(f"{url} already has accounts: pass --replace to start over")
        have = session.scalar(
            select(func.coalesce(func.sum(Question.card_count), 0)).where(
                Question.bank_id == DOCKER, Question.retired.is_(False)
            )
        )
        for number in range(1, math.ceil(max(0, cards - int(have or 0)) / bank_size) + 1):
            import_bank(session, generated_bank(number, bank_size), now=day0)
        session.commit()
        slots = _card_slots(session)[:cards]
        learner_ids = _create_learners(session, users, day0 - timedelta(days=1))
        session.commit()
        banks = session.scalar(select(func.count()).select_from(Bank)) or 0
        dialect = db.engine.dialect.name
    _log(quiet, f"schema, banks and learners: {time.perf_counter() - started:.1f} s")

    writer = _writer(url, dialect)
    try:
        made, studied, reviews, due_now, due_today = _fill(
            writer, learner_ids, slots, now, day0, days, seed, trajectories, quiet, started
        )
    except BaseException:
        writer.close(done=False)
        raise
    writer.close(done=True)
    _count_progress(url, instance, learner_ids, now)
    _log(quiet, f"progress counted: {time.perf_counter() - started:.1f} s")
    return Summary(
        learners=len(learner_ids),
        banks=banks,
        cards=made,
        studied=studied,
        reviews=reviews,
        due_now=due_now,
        due_today=due_today,
        seconds=time.perf_counter() - started,
    )


def _count_progress(url: str, instance: str | None, learner_ids: list[int], now: datetime) -> None:
    """Each learner's kept counts (``bank_progress``), which the bulk load went around."""
    with _app_session(url, instance, autoload=False) as session:
        for user in session.scalars(select(User).where(User.id.in_(learner_ids))):
            recount_learner(session, user, now)
        session.commit()


@contextmanager
def _app_session(url: str, instance: str | None, *, autoload: bool) -> Iterator[Any]:
    """The app's database session on ``url`` (migrated), closed at the end."""
    with _instance(instance) as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "WENGU_AUTOLOAD_BANKS": autoload,
                "WENGU_INSTANCE_PATH": folder,
                "SECRET_KEY": "bench",
            }
        )
        with app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()
                db.engine.dispose()


def _fill(
    writer: Writer, learner_ids: list[int], slots: list[Slot], now: datetime, day0: datetime,
    days: int, seed: int, trajectories: int, quiet: bool, started: float,
) -> tuple[int, int, int, int, int]:  # fmt: skip
    """The trajectories, then every learner's cards and reviews; returns the counts."""
    clock = time.perf_counter()
    settings = StudySettings()
    rng = random.Random(f"{seed}:trajectories")
    pool = [simulate(rng, settings, days + 2, writer.suffix, n + 1) for n in range(trajectories)]
    events = [(n, k, *row) for n, path in enumerate(pool) for k, row in enumerate(path.rows)]
    last_day = days + max(row[4] for row in events) + 1  # the furthest due date
    dates = [(n, f"{day0 + timedelta(days=n):%Y-%m-%d}") for n in range(last_day + 1)]
    writer.prepare(events, dates)
    _log(quiet, f"{trajectories} trajectories: {time.perf_counter() - clock:.1f} s")

    now_text = f"{now:%Y-%m-%d %H:%M:%S.%f}{writer.suffix}"
    now_seconds = int((now - day0).total_seconds())
    rollover = settings.rollover_hour * 3600
    today_end = (now_seconds - rollover) // DAY * DAY + DAY + rollover
    next_id = writer.first_card_id()
    made = studied = reviews = due_now = due_today = 0
    for index, user_id in enumerate(learner_ids, 1):
        plan = plan_learner(
            random.Random(f"{seed}:learner:{index}"),
            user_id,
            next_id,
            slots,
            pool,
            days,
            now_seconds,
            today_end,
        )
        writer.learner(plan.stage, now_text)
        writer.commit()
        next_id += len(plan.stage)
        made += len(plan.stage)
        studied += plan.studied
        reviews += plan.reviews
        due_now += plan.due_now
        due_today += plan.due_today
        if index % 10 == 0 or index == len(learner_ids):
            _log(
                quiet,
                f"learner {index}/{len(learner_ids)}: {reviews:,} reviews, "
                f"{time.perf_counter() - started:.1f} s",
            )
    return made, studied, reviews, due_now, due_today


def main(argv: Sequence[str] | None = None) -> Summary:
    """The command line; prints the summary and returns it."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--db", required=True, help="database URL (sqlite:////… or postgresql://…)")
    parser.add_argument("--users", type=int, required=True, help="learners to create")
    parser.add_argument("--cards", type=int, required=True, help="cards per learner")
    parser.add_argument("--days", type=int, required=True, help="days of review history")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--trajectories", type=int, default=2000, help="FSRS trajectories to simulate (2000)"
    )
    parser.add_argument(
        "--bank-size", type=int, default=5000, help="questions per generated bank (5000)"
    )
    parser.add_argument("--instance", help="the app's instance folder (default: a temporary one)")
    parser.add_argument("--replace", action="store_true", help="empty the database first")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    if min(args.users, args.cards, args.days, args.trajectories, args.bank_size) < 1:
        parser.error("--users, --cards, --days, --trajectories and --bank-size must be 1 or more")
    summary = seed(
        args.db,
        args.users,
        args.cards,
        args.days,
        seed=args.seed,
        trajectories=args.trajectories,
        bank_size=args.bank_size,
        replace=args.replace,
        instance=args.instance,
        quiet=args.quiet,
    )
    print(summary)
    return summary


if __name__ == "__main__":
    main()

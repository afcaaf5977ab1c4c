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
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as ``python bench/seed.py``
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from bench.seeding.learners import (  # noqa: E402
    DOCKER,
    PASSWORD,
    Slot,
    card_slots,
    create_learners,
    generated_bank,
    plan_learner,
)
from bench.seeding.trajectories import DAY, simulate  # noqa: E402
from bench.seeding.writers import PostgresWriter, SqliteWriter, Writer  # noqa: E402
from models import Bank, Question, User, db  # noqa: E402
from services.bank_import import import_bank  # noqa: E402
from services.progress import recount_learner  # noqa: E402
from srs.scheduler import StudySettings  # noqa: E402

__all__ = ["PASSWORD", "Summary", "generated_bank", "main", "seed", "simulate"]


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
        slots = card_slots(session)[:cards]
        learner_ids = create_learners(session, users, day0 - timedelta(days=1))
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

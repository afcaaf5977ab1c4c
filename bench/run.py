"""Wengu's benchmark: six measures, each beside its baseline, measured in the same run, and
the database's size per learner-year.

    python bench/run.py --db sqlite:////tmp/bench.sqlite3 [--size tiny|reference]
        [--json out.json] [--workers N] [--duration S] [--only 1,3|capacity] [--profile DIR]

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
   with the bare driver; and that learner's first visit, their kept summaries deleted.
5. Importing a generated bank of 10,000 questions and exporting it to ``.apkg`` (each in a
   process of its own, for its peak memory), against Anki importing and exporting the same
   package.
6. The review page's bytes on first load and per card after (as the page's own script asks
   for them), against the figures recorded in ``bench/README.md``.
7. Rows and bytes per learner-year of ``reviews``, ``cards``, ``review_days``,
   ``bank_progress`` (and ``card_totals`` where the schema has it), indexes included, for
   the capacity model of ``docs/hosting.md``: no baseline and no target.

Each measure is a module of ``bench/measures/``; this runner seeds, copies, runs them in turn
(``--only`` picks some, by number or name) and prints the table.

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
import json
import os
import platform
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from bench.measures.bank import child, measure_bank  # noqa: E402
from bench.measures.capacity import measure_capacity  # noqa: E402
from bench.measures.common import (  # noqa: E402
    SIZES,
    Measure,
    Size,
    calibration_ms,
    close_app,
    is_postgres,
    make_app,
    sqlite_path,
)
from bench.measures.cycle import measure_cycle  # noqa: E402
from bench.measures.database import build_database, has_learners, prepare_learners, working_copy  # noqa: E402
from bench.measures.http import measure_http  # noqa: E402
from bench.measures.next_card import measure_next_card  # noqa: E402
from bench.measures.page import measure_bytes  # noqa: E402
from bench.measures.profiles import profile_all  # noqa: E402
from bench.measures.stats import measure_stats  # noqa: E402


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


# The measures by number and by the name --only also takes.
NAMES = {1: "cycle", 2: "http", 3: "next_card", 4: "stats", 5: "bank", 6: "page", 7: "capacity"}


def only(text: str) -> set[str]:
    """The numbers and names ``--only`` lists; a word naming no measure stops the run."""
    wanted = {word.strip() for word in text.split(",") if word.strip()}
    unknown = wanted - {str(number) for number in NAMES} - set(NAMES.values())
    if unknown or not wanted:
        known = ", ".join(f"{number} {name}" for number, name in NAMES.items())
        raise SystemExit(f"--only {text}: no measure {', '.join(sorted(unknown))} ({known})")
    return wanted


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
                (7, "Rows and bytes per learner-year",
                 lambda: measure_capacity(app, learners, size)),
                (3, "next_card latency", lambda: measure_next_card(app, second, size)),
                (4, "/stats server time", lambda: measure_stats(app, learners, size)),
                (1, "Answer cycle in process",
                 lambda: measure_cycle(app, first, size, work)),
                (6, "Review page bytes", lambda: measure_bytes(app, second)),
                (2, "HTTP review cycle",
                 lambda: measure_http(app, url, learners, size, workers, duration, work)),
                (5, "Bank import and export", lambda: measure_bank(app, url, size, work)),
            ]  # fmt: skip
            if args.only:
                wanted = only(args.only)
                steps = [step for step in steps if {str(step[0]), NAMES[step[0]]} & wanted]
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
    parser.add_argument(
        "--only",
        help="measure only these, by number or name (cycle, http, next_card, stats, bank, page,"
        " capacity), e.g. --only 1,3 or --only capacity",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--profile", help="then profile the Wengu side of each measure into this folder"
    )
    hidden_options = ("--instance", "--bank", "--bank-id", "--package", "--collection")
    for hidden in (*hidden_options, "--profile-out"):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args)))
        return 0
    if not args.db:
        parser.error("--db is required")
    if args.only:
        only(args.only)  # before anything is seeded or copied
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

"""``--profile DIR``: where the time goes, cProfile in process and py-spy under wrk."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.measures.bank import free_bank_id, run_child
from bench.measures.common import CLIENTS, IMPORT_BANK_ID, SECRET_KEY, Size, pstats_text
from bench.measures.cycle import wengu_cycles
from bench.measures.database import Learner, write_generated_bank
from bench.measures.http import gunicorn, gunicorn_pid, issue_tokens, run_wrk
from bench.measures.stats import signed_in_client


def _profiled(title: str, target: Path, work: Callable[[], Any]) -> None:
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    try:
        work()
    finally:
        profile.disable()
    target.write_text(pstats_text(profile, title))


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
    raw = out / "http-stacks.txt"  # kept: flame graphs read this form
    seconds = max(2, round(duration))
    with gunicorn("app:create_app()", env, workers, work / "gunicorn-profile.log") as base:
        run_wrk(base, tokens, clients, min(3.0, duration))  # warm
        master = gunicorn_pid(work / "gunicorn-profile.log")
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


def profile_all(
    app: Any, url: str, learners: list[Learner], size: Size, workers: int, duration: float,
    work: Path, out: Path,
) -> None:  # fmt: skip
    """cProfile of each in-process measure, py-spy of the HTTP one, into ``out``."""
    from models import User, db
    from models.types import now_utc
    from services.candidates import read_candidates
    from services.context import Study
    from services.queue import next_card
    from services.stats import learner_stats

    out.mkdir(parents=True, exist_ok=True)
    first, second = learners[0], learners[1 % len(learners)]
    _profiled(
        f"1. {min(size.cycles, 200)} answer cycles in process ({first.name}, all banks)",
        out / "cycle.txt",
        lambda: wengu_cycles(app, first, min(size.cycles, 200)),
    )

    def next_cards() -> None:
        with app.app_context():
            for _ in range(2):  # the queue kept first, as measure 3 times it
                user = db.session.get_one(User, second.id)
                read_candidates(Study.at(db.session, user, now_utc()), [second.main_bank])
                db.session.commit()
            for _ in range(size.samples):
                user = db.session.get_one(User, second.id)
                next_card(Study.at(db.session, user, now_utc()), [second.main_bank])
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
            learner_stats(Study.at(db.session, user, now_utc()), list(stats_learner.bank_ids))
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

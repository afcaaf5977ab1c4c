"""Measure 2: the HTTP review cycle under gunicorn and wrk, against a bare Flask app."""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.measures.common import (
    BENCH,
    CLIENTS,
    NO_TARGET,
    REPORTED,
    ROOT,
    SECRET_KEY,
    Measure,
    Size,
    fmt_ms,
    free_port,
    is_postgres,
    verdict,
)
from bench.measures.database import Learner

# The targets: the least share of the bare app's throughput, and the most of its p99.
LEAST_THROUGHPUT = {"sqlite": 0.6, "postgresql": 0.5}
MOST_P99 = 2.0


def issue_tokens(app: Any, learners: list[Learner], path: Path) -> None:
    from models import User, db
    from services.accounts import issue_token

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


def gunicorn_pid(log: Path) -> int:
    """The gunicorn master's process id, from its log."""
    found = re.search(r"\[(\d+)\] \[INFO\] Starting gunicorn", log.read_text())
    if not found:
        raise RuntimeError(f"no gunicorn master pid in {log}")
    return int(found.group(1))


def cpu_seconds(pids: list[int]) -> float:
    """The user and system CPU time the live processes ``pids`` have spent (Linux's /proc)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15
    return ticks / os.sysconf("SC_CLK_TCK")


def serving_pids(app: Any, log: Path) -> dict[str, list[int]]:
    """The processes an answer costs CPU in: the gunicorn workers, and on PostgreSQL the
    server's backends for the measured database when the server runs on this machine."""
    from sqlalchemy import text

    from models import db

    master = gunicorn_pid(log)
    children = Path(f"/proc/{master}/task/{master}/children")
    found = {"workers": [int(pid) for pid in children.read_text().split()]}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            backends = db.session.scalars(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                )
            ).all()
            found["database"] = [pid for pid in backends if Path(f"/proc/{pid}/stat").exists()]
        db.session.remove()
    return found


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
    names = (
        "HTTP review cycle throughput",
        "HTTP review cycle latency p50 / p99",
        "HTTP review cycle CPU time per answer (GET and POST)",
    )
    least = LEAST_THROUGHPUT["postgresql" if is_postgres(url) else "sqlite"]
    targets = (f"≥ {least}× bare", f"p99 ≤ {MOST_P99:.0f}× bare", NO_TARGET)
    if shutil.which("wrk") is None:
        return [
            Measure(2, name, "wrk not installed", "", "", target, "skipped")
            for name, target in zip(names, targets, strict=True)
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
        log = work / f"gunicorn-{which}.log"
        with gunicorn(target, env, workers, log) as base:
            # Warmed up, every worker holds its database connection: their CPU is counted.
            run_wrk(base, tokens, clients, max(size.warmup, 1.0))
            pids = serving_pids(app, log)
            before = {name: cpu_seconds(group) for name, group in pids.items()}
            runs[which] = run_wrk(base, tokens, clients, duration)
            answers = max(runs[which]["post200"], 1)
            runs[which]["cpu_ms_per_answer"] = {
                name: round((cpu_seconds(pids[name]) - spent) * 1000 / answers, 3)
                for name, spent in before.items()
                if pids[name]
            }
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

    def cpu(run: dict[str, Any]) -> str:
        spent = run["cpu_ms_per_answer"]
        return ", ".join(f"{where} {spent[where]:.1f} ms" for where in ("workers", "database")
                         if where in spent)  # fmt: skip

    cpu_ratio = wengu["cpu_ms_per_answer"]["workers"] / max(
        bare["cpu_ms_per_answer"]["workers"], 1e-6
    )
    return [
        Measure(2, f"{names[0]} ({setting})", rate(wengu), f"bare {rate(bare)}",
                f"{throughput:.2f}× bare", targets[0], verdict(throughput >= least), data),
        Measure(2, names[1], lat(wengu), f"bare {lat(bare)}", f"p99 {p99_ratio:.1f}× bare",
                targets[1], verdict(p99_ratio <= MOST_P99), {}),
        Measure(2, names[2], cpu(wengu), f"bare {cpu(bare)}", f"workers {cpu_ratio:.1f}× bare",
                targets[2], REPORTED, {}),
    ]  # fmt: skip

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
    least = LEAST_THROUGHPUT["postgresql" if is_postgres(url) else "sqlite"]
    targets = (f"≥ {least}× bare", f"p99 ≤ {MOST_P99:.0f}× bare")
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
                f"{throughput:.2f}× bare", targets[0], verdict(throughput >= least), data),
        Measure(2, names[1], lat(wengu), f"bare {lat(bare)}", f"p99 {p99_ratio:.1f}× bare",
                targets[1], verdict(p99_ratio <= MOST_P99), {}),
    ]  # fmt: skip

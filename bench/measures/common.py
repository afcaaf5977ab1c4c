"""Shared by every measure: the run's sizes, a line of the table, units, and the app."""

from __future__ import annotations

import contextlib
import math
import re
import resource
import socket
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH = ROOT / "bench"

PASSWORD = "bench-password-1"  # the seeded learners' password (bench/seed.py's)
SECRET_KEY = "wengu-bench-secret-key-not-for-production"
RAISED_LIMIT = 9999  # daily limits on the copy (Anki's most): no queue runs dry
CLIENTS = 16
IMPORT_BANK_ID = "bench-import"
REPORTED = "reported"  # the verdict of a figure without a target (for the capacity model)
NO_TARGET = "none (for the capacity model)"


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


def summary(times: list[float]) -> dict[str, float]:
    if not times:
        return {"n": 0}
    return {
        "n": len(times),
        "mean": ms(statistics.fmean(times)),
        "p50": ms(percentile(times, 50)),
        "p99": ms(percentile(times, 99)),
        "max": ms(max(times)),
    }


def pstats_text(profile: Any, title: str, top: int = 30) -> str:
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

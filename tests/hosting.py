"""For the tests of docs/hosting.md: its marked blocks, and the servers it talks about
(PostgreSQL with a password, Redis, gunicorn), started on free loopback ports."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from tests.support import require

__all__ = [
    "GUIDE",
    "Postgres",
    "free_port",
    "guide_blocks",
    "postgres_server",
    "redis_server",
    "serve_gunicorn",
    "wait_for_http",
]

GUIDE = PROJECT_ROOT / "docs" / "hosting.md"
_BLOCK = re.compile(r"<!-- (test|file): ([\w-]+) -->\n```[\w-]*\n(.*?)```", re.DOTALL)


def guide_blocks(kind: str, text: str | None = None) -> dict[str, str]:
    """The fenced blocks of the guide marked ``<!-- KIND: NAME -->``, by name, in order."""
    text = GUIDE.read_text() if text is None else text
    found: dict[str, str] = {}
    for marked, name, body in _BLOCK.findall(text):
        if marked == kind:
            assert name not in found, f"two blocks marked {kind}: {name}"
            found[name] = body
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{what} did not start")
            time.sleep(0.05)


def wait_for_http(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until ``url`` answers 200; fail with the server's log if it dies first."""
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as page:  # noqa: S310 (a local test URL)
                if page.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"no answer from {url}:\n{log.read_text()}")
        time.sleep(0.1)


@contextmanager
def redis_server(folder: Path) -> Iterator[int]:
    """A Redis on a free loopback port, no persistence; yields the port."""
    server = shutil.which("redis-server")
    require(server is not None, "no redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _wait_for_port(port, process, "redis-server")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


class Postgres:
    """A running throwaway server: its port and the superuser's password."""

    def __init__(self, port: int, password: str, bin: Path) -> None:
        self.port = port
        self.password = password
        self.bin = bin

    def superuser_env(self) -> str:
        """What stands for ``sudo -u postgres`` in the guide: the superuser over TCP."""
        return (
            f"env PGHOST=127.0.0.1 PGPORT={self.port} PGUSER=postgres PGPASSWORD={self.password} "
        )


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A PostgreSQL on a free loopback port that asks every client for a password
    (scram-sha-256), as a Debian server's TCP connections do."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    require(bool(found), "no PostgreSQL server (apt-get install postgresql)")
    bin_dir = found[-1].parent
    # The server runs as postgres when we are root; pytest's own folders are closed to it.
    folder = Path(tempfile.mkdtemp(prefix="wengu-guide-pg."))
    data = folder / "data"
    password = "super-" + os.urandom(8).hex()
    (folder / "pw").write_text(password + "\n")
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(folder / "pw", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    try:
        subprocess.run(
            [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres",
             "-A", "scram-sha-256", f"--pwfile={folder / 'pw'}", "--no-sync", "-E", "UTF8"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l",
             str(data / "server.log"), "-o", f"-h 127.0.0.1 -p {port} -k {data} -F", "start"],
            check=True, capture_output=True,
        )  # fmt: skip
        yield Postgres(port, password, bin_dir)
    finally:
        subprocess.run(
            [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True, check=False,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def serve_gunicorn(
    args: list[str], env: dict[str, str], cwd: Path, log: Path, port: int
) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn (``args`` after the executable) until /healthz answers; stopped after."""
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *args],
            cwd=cwd, env=env, stdout=output, stderr=output, start_new_session=True,
        )  # fmt: skip
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process, log)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

"""For the tests of docs/hosting.md: its marked blocks, and the servers it talks about
(PostgreSQL with a password, Redis, gunicorn), started on free loopback ports."""

from __future__ import annotations

import http.cookiejar
import io
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from tests.support import PASSWORD, require

__all__ = [
    "GUIDE",
    "Browser",
    "Postgres",
    "backend",
    "big_bank",
    "free_port",
    "guide_blocks",
    "postgres_server",
    "redis_server",
    "serve_gunicorn",
    "upload",
    "wait_for_http",
    "wait_for_tls",
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


@contextmanager
def backend(folder: Path) -> Iterator[int]:
    """Wengu on SQLite in ``folder`` with the admin ann, under gunicorn started as
    docs/wengu.service starts it (one worker: without Redis each worker would keep its own
    count of sign-ins), behind a proxy (``WENGU_PROXY_FIX=1``); yields its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WENGU_", "PG"))}
    env.pop("DATABASE_URL", None)
    env.update({
        "WENGU_INSTANCE_PATH": str(folder / "instance"),
        "WENGU_SECRET_KEY": "proxy-test",
        "WENGU_PROXY_FIX": "1",
        "WENGU_SECURE_COOKIES": "1",
    })  # fmt: skip
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run(
        [*flask, "user", "create", "ann", "--admin", "--password-stdin"], cwd=PROJECT_ROOT,
        env=env, input=(PASSWORD + "\n").encode(), check=True, capture_output=True,
    )  # fmt: skip
    unit = (PROJECT_ROOT / "docs" / "wengu.service").read_text()
    start = re.search(r"^ExecStart=(.*)$", unit, re.MULTILINE)
    assert start
    args = shlex.split(start.group(1).replace("127.0.0.1:8000", f"127.0.0.1:{port}"))[1:]
    assert args[args.index("--bind") + 1] == f"127.0.0.1:{port}"
    log = folder / "gunicorn.log"
    with serve_gunicorn([*args, "--workers", "1"], env, PROJECT_ROOT, log, port):
        yield port
    assert "Traceback" not in log.read_text()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """A client at https://127.0.0.1:PORT (the test certificate is not checked) that keeps
    cookies, sends a Referer as browsers do, and shows redirects instead of following them."""

    def __init__(self, port: int) -> None:
        self.base = f"https://127.0.0.1:{port}"
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        request = urllib.request.Request(  # noqa: S310 (https to the test's own nginx)
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self.request("GET", path)

    def token(self, path: str) -> str:
        status, _headers, page = self.get(path)
        match = re.search(r'name="csrf-token" content="([^"]+)"', page)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)

    def post_form(
        self, path: str, fields: dict[str, str], *, referer: str, forwarded_for: str | None = None
    ) -> tuple[int, dict[str, str], str]:
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": referer}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        return self.request("POST", path, body, headers)

    def sign_in(self, prefix: str = "") -> tuple[int, dict[str, str], str]:
        token = self.token(f"{prefix}/login")
        return self.post_form(
            f"{prefix}/login",
            {"name": "ann", "password": PASSWORD, "csrf_token": token},
            referer=f"{self.base}{prefix}/login",
        )


def big_bank() -> bytes:
    """A zipped bank of 15 MB: four diagrams of incompressible bytes, each under the 5 MB
    a file may have."""
    questions = "".join(
        f"  - {{id: q{n}, type: basic, prompt: Q{n}, answer: A{n}, "
        f'explanation: "![d](diagrams/d{n}.png)"}}\n'
        for n in range(4)
    )
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("bank.yaml", f"id: big\ntitle: Big\nquestions:\n{questions}")
        for n in range(4):
            archive.writestr(f"diagrams/d{n}.png", b"\x89PNG\r\n\x1a\n" + os.urandom(3_900_000))
    return data.getvalue()


def upload(browser: Browser, archive: bytes) -> tuple[int, dict[str, str], str]:
    token = browser.token("/admin/banks")
    boundary = "wengu-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f'{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name="bank"; '
            'filename="big.zip"\r\nContent-Type: application/zip\r\n\r\n'
        ).encode()
        + archive
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return browser.request(
        "POST", "/admin/banks", body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}",
         "Referer": f"{browser.base}/admin/banks"},
    )  # fmt: skip


def wait_for_tls(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    """Wait until a proxy answers over TLS on ``port``; fail with its log if it dies first."""
    deadline = time.monotonic() + 30
    while True:
        try:
            Browser(port).get("/healthz")
            return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the proxy did not answer:\n{log.read_text()}")
            time.sleep(0.1)

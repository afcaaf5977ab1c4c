"""``python app.py`` and ``flask --app app run`` start a server on their own, with the shipped
banks loaded."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from config import PROJECT_ROOT, VERSION
from tests.support import watch_server_log


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def first_page(server: subprocess.Popen[bytes], port: int, log: Path) -> tuple[str, str]:
    """The home page of a server just started, and where it landed, once it answers."""
    # A first start compiles every module and loads the Docker bank, rendering each of its
    # texts: on a busy two-CPU machine that has taken most of a minute.
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as page:
                return page.read().decode(), page.url
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                state = "exited" if server.poll() is not None else "still starting"
                pytest.fail(f"server did not answer ({state}):\n{log.read_text()}")
            time.sleep(0.2)


@pytest.mark.slow
def test_python_app_py_serves_first_run_setup_with_the_docker_bank(tmp_path: Path) -> None:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("WENGU_") and key != "DATABASE_URL"
    }
    env.update({"WENGU_INSTANCE_PATH": str(tmp_path / "instance"), "WENGU_PORT": str(port)})
    log = tmp_path / "server.log"
    watch_server_log(log)
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output
        )
    try:
        body, landed = first_page(server, port, log)
        assert landed.endswith("/setup") and "Create admin account" in body
        code = (tmp_path / "instance/setup_code").read_text().strip()
        printed = log.read_text()
        link = f"http://127.0.0.1:{port}/setup?code={code}"
        assert f"First run: open this link to create the admin account:\n  {link}\n" in printed
        assert f"WARNING wengu: First run: create the admin at {link}" in printed
        with urllib.request.urlopen(link, timeout=5) as page:
            assert f'value="{code}"' in page.read().decode()
        # Werkzeug's request log, one line a request, through the one handler.
        requests = [line for line in log.read_text().splitlines() if "/setup?code=" in line]
        assert len([line for line in requests if '"GET /setup?code=' in line]) == 1
        with sqlite3.connect(tmp_path / "instance/wengu.sqlite3") as database:
            bank = database.execute("SELECT bank_id, count(*) FROM questions").fetchone()
        assert bank[0] == "docker" and bank[1] >= 150
        assert (tmp_path / "instance/secret_key").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_python_app_py_reads_dot_env_in_its_working_folder(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WENGU_", "FLASK_"))}
    env.pop("DATABASE_URL", None)
    (tmp_path / ".env").write_text(
        f"WENGU_PORT={port}\nWENGU_AUTOLOAD_BANKS=0\nWENGU_SECRET_KEY=k\n"
        f"WENGU_DATABASE_URL=sqlite:///{tmp_path / 'from-env.sqlite3'}\n"
        f"WENGU_INSTANCE_PATH={tmp_path / 'instance'}\n"
    )
    log = tmp_path / "server.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, str(PROJECT_ROOT / "app.py")],
            cwd=tmp_path, env=env, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as page:
                    health = json.load(page)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not answer:\n{log.read_text()}")
                time.sleep(0.2)
        assert health == {
            "status": "ok",
            "version": VERSION,
            "database": "ok",
            "redis": "not configured",
        }
        # The first start made the database the file named, migrated, without the banks.
        with sqlite3.connect(tmp_path / "from-env.sqlite3") as database:
            assert database.execute("SELECT count(*) FROM banks").fetchone()[0] == 0
        assert f"Wengu {VERSION}; database: sqlite:///{tmp_path / 'from-env.sqlite3'}" in (
            log.read_text()
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.slow
def test_flask_run_starts_as_a_server_does(tmp_path: Path) -> None:
    """What a Flask user types first: the database is set up, the Docker bank loaded, and
    the first-run link printed with the port ``flask run`` serves on."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("WENGU_", "FLASK_")) and key != "DATABASE_URL"
    }
    env["WENGU_INSTANCE_PATH"] = str(tmp_path / "instance")
    log = tmp_path / "server.log"
    watch_server_log(log)
    command = [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)]
    with log.open("w") as output:
        server = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output)
    try:
        body, landed = first_page(server, port, log)
        assert landed.endswith("/setup") and "Create admin account" in body
        code = (tmp_path / "instance/setup_code").read_text().strip()
        assert f"create the admin at http://127.0.0.1:{port}/setup?code={code}" in log.read_text()
        with sqlite3.connect(tmp_path / "instance/wengu.sqlite3") as database:
            count = database.execute("SELECT count(*) FROM questions WHERE bank_id = 'docker'")
            assert count.fetchone()[0] >= 150
    finally:
        server.terminate()
        server.wait(timeout=10)

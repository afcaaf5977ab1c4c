"""The documented ways to run Wengu on a server: gunicorn, the image, compose."""

from __future__ import annotations

import fnmatch
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from config import PROJECT_ROOT, VERSION


def test_health_check_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "version": VERSION,
        "database": "ok",
        "redis": "not configured",
    }


def test_compose_runs_wengu_on_postgresql_with_volumes_and_healthchecks() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "redis", "web"}
    assert all("healthcheck" in service for service in services.values())
    web = services["web"]
    assert web["environment"]["WENGU_DATABASE_URL"].startswith("postgresql://")
    assert web["environment"]["WENGU_REDIS_URL"].startswith("redis://")
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert (
        "data:/data" in web["volumes"]
        and "db:/var/lib/postgresql/data" in services["db"]["volumes"]
    )
    assert set(compose["volumes"]) == {"db", "data"}


def _interpolate(value: str, env: dict[str, str]) -> str:
    """``${NAME}``, ``${NAME:-default}`` and ``${NAME:?message}`` as compose reads them."""

    def one(match: re.Match[str]) -> str:
        name, kind, word = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if kind == ":?":
            raise LookupError(word)
        return word or ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, value)


def test_compose_requires_its_secrets_and_keeps_the_password_out_of_the_url() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    db, web = compose["services"]["db"]["environment"], compose["services"]["web"]["environment"]
    with pytest.raises(LookupError, match=r"POSTGRES_PASSWORD in \.env"):
        _interpolate(db["POSTGRES_PASSWORD"], {"WENGU_SECRET_KEY": "k"})
    with pytest.raises(LookupError, match=r"WENGU_SECRET_KEY in \.env"):
        _interpolate(web["WENGU_SECRET_KEY"], {"POSTGRES_PASSWORD": "p"})
    password = "p@ss/w:rd%"  # each of these breaks a password written into a URL
    env = {"POSTGRES_PASSWORD": password, "WENGU_SECRET_KEY": "k"}
    given = {name: _interpolate(str(value), env) for name, value in web.items()}
    assert _interpolate(db["POSTGRES_PASSWORD"], env) == given["PGPASSWORD"] == password
    assert given["WENGU_DATABASE_URL"] == "postgresql://wengu@db:5432/wengu"
    assert given["WENGU_SECRET_KEY"] == "k"


def test_the_image_and_the_database_are_pinned_to_the_same_postgresql() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert base and base.group(1) == "python:3.11-slim-bookworm"
    client = re.search(r"postgresql-client-(\d+)", dockerfile)
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())
    server = re.fullmatch(r"postgres:(\d+)-bookworm", compose["services"]["db"]["image"])
    # bookworm ships PostgreSQL 15 only; pg_dump refuses a newer server than itself.
    assert client and server and client.group(1) == server.group(1) == "15"


def _ignored(path: str, patterns: list[str]) -> bool:
    """Whether ``docker build`` leaves ``path`` out of the context (no ``!`` rules here)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatchcase(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            return True
    return False


def test_dockerignore_keeps_secrets_and_data_out_of_the_image() -> None:
    lines = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert not any(pattern.startswith("!") for pattern in patterns)
    for path in [
        ".env",
        "wengu.env",
        ".env.production",
        "instance/secret_key",
        "instance/wengu.sqlite3",
        "backups/wengu-2026-01-01.dump",
        "wengu.dump",
        "old.sqlite3",
        "old.sqlite3-wal",
        "class.wengu",
        ".git/config",
        ".venv/bin/python",
        "test-artifacts/today-360.png",
        "views/__pycache__/auth.cpython-311.pyc",
    ]:
        assert _ignored(path, patterns), path
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked, "not a git checkout"
    assert [path for path in tracked if _ignored(path, patterns)] == []


def test_image_serves_with_gunicorn_and_checks_its_health() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert '"app:create_app()"' in dockerfile and "gunicorn" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "USER wengu" in dockerfile
    assert '"--config", "docs/gunicorn.conf.py"' in dockerfile  # the access log


@pytest.mark.slow
def test_gunicorn_serves_the_app_as_documented(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("WENGU_") and k != "DATABASE_URL"
    }
    env.update({"WENGU_INSTANCE_PATH": str(tmp_path), "WENGU_SECRET_KEY": "k"})
    log = tmp_path / "gunicorn.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
             "--access-logfile", "-", "app:create_app()"],
            cwd=PROJECT_ROOT, env=env, stdout=output, stderr=output,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not answer:\n{log.read_text()}")
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/setup", timeout=5) as page:
            assert "Create admin account" in page.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert "Traceback" not in log.read_text()
    assert '"GET /setup HTTP/1.1" 200' in log.read_text()  # the access log, as documented

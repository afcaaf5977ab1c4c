"""The documented ways to run Wengu on a server: gunicorn, the image, compose."""

from __future__ import annotations

import os
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
    assert response.json == {"status": "ok", "version": VERSION}


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


def test_image_serves_with_gunicorn_and_checks_its_health() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert '"app:create_app()"' in dockerfile and "gunicorn" in dockerfile
    assert "HEALTHCHECK" in dockerfile and "/healthz" in dockerfile
    assert "USER wengu" in dockerfile


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
             "app:create_app()"],
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

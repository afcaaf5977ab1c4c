"""docs/hosting.md as a new host follows it: its marked commands run, in order, on a fresh
checkout, against a PostgreSQL that asks for a password and a Redis, so the guide cannot drift
from the code.

What a test cannot do as a user is stood in for, and nothing else: ``sudo`` is dropped (and
``sudo -u postgres`` becomes the superuser over TCP; the test's account stands for
``wengu``), paths under ``/opt``, ``/etc`` and
``/var`` and the ports move into a temporary folder, ``pip install`` lines are left out (the
checkout uses this suite's virtual environment), and ``systemctl`` is a stand-in that runs the
unit's own ``ExecStartPre`` and ``ExecStart`` with its ``EnvironmentFile``.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml

from config import PROJECT_ROOT
from tests.hosting import GUIDE, free_port, guide_blocks, postgres_server, redis_server
from tests.support import PASSWORD, require

UNIT = PROJECT_ROOT / "docs" / "wengu.service"

# Runs the unit as systemd would, for start, stop and reload; the rest is a no-op.
SYSTEMCTL = """\
import json, os, shlex, signal, subprocess, sys, time, urllib.request
from pathlib import Path

setup = json.loads(Path(__file__).with_suffix(".json").read_text())

def substituted(text):
    for old, new in setup["substitutions"]:
        text = text.replace(old, new)
    return text

def unit():
    found = {}
    for line in Path(setup["unit"]).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith(("#", "[")):
            found[key.strip()] = substituted(value.strip())
    return found

def environment(service):
    env = dict(setup["environment"])
    for line in Path(service["EnvironmentFile"]).read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            env[key.strip()] = value.strip()
    return env

def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"

def start():
    service = unit()
    env, cwd = environment(service), service["WorkingDirectory"]
    with open(setup["log"], "ab") as log:
        subprocess.run(shlex.split(service["ExecStartPre"]), cwd=cwd, env=env, check=True,
                       stdout=log, stderr=log)
        process = subprocess.Popen(shlex.split(service["ExecStart"]), cwd=cwd, env=env,
                                   stdout=log, stderr=log, start_new_session=True)
    Path(setup["pidfile"]).write_text(str(process.pid))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(setup["health"], timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("the service did not come up")

def stop():
    pidfile = Path(setup["pidfile"])
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text())
    if alive(pid):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while alive(pid):
        if time.monotonic() > deadline:
            sys.exit("the service did not stop")
        time.sleep(0.1)
    pidfile.unlink()

action, *rest = sys.argv[1:]
if action == "start" or (action == "enable" and "--now" in rest):
    start()
elif action == "stop":
    stop()
elif action == "restart":
    stop(); start()
elif action == "reload":
    os.kill(int(Path(setup["pidfile"]).read_text()), signal.SIGHUP)
"""


def _runnable(block: str, substitutions: list[tuple[str, str]]) -> str:
    for old, new in substitutions:
        block = block.replace(old, new)
    lines = [line for line in block.splitlines() if "pip install" not in line]
    return "set -euo pipefail\n" + "\n".join(lines) + "\n"


def _users(port: int, env_file: Path) -> list[str]:
    settings = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    result = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "wengu", "-d", "wengu", "-Atc",
         "SELECT name FROM users ORDER BY name"],
        env={"PATH": os.environ["PATH"], "PGPASSWORD": settings["PGPASSWORD"]},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.split()


@pytest.mark.slow
def test_the_guide_runs_on_a_fresh_checkout(tmp_path: Path) -> None:
    for tool, package in [("git", "git"), ("curl", "curl"), ("openssl", "openssl"),
                          ("psql", "postgresql-client"), ("redis-cli", "redis-tools")]:  # fmt: skip
        require(shutil.which(tool) is not None, f"no {tool} (apt-get install {package})")
    require((PROJECT_ROOT / ".git").exists(), "not a git checkout: nothing to clone")
    checkout = tmp_path / "opt" / "wengu"
    subprocess.run(
        ["git", "clone", "--quiet", str(PROJECT_ROOT), str(checkout)], check=True
    )  # the committed code, nothing else of this working tree
    (checkout / ".venv").symlink_to(sys.prefix)
    for folder in ("etc", "systemd", "var/lib/wengu", "var/backups/wengu", "bin"):
        (tmp_path / folder).mkdir(parents=True)
    port = free_port()
    blocks = guide_blocks("test")
    assert list(blocks) == [
        "database", "migrate", "admin", "start", "check", "backup", "upgrade", "rollback"
    ]  # fmt: skip
    with postgres_server() as pg, redis_server(tmp_path) as redis_port:
        substitutions = [
            ("sudo -u postgres ", pg.superuser_env()),
            ("sudo -u wengu ", ""),
            ("sudo ", ""),
            ("chown wengu:", f"chown {getpass.getuser()}:"),  # this account stands for wengu
            ("/opt/wengu", str(checkout)),
            ("/etc/wengu", str(tmp_path / "etc" / "wengu")),
            ("/etc/systemd/system", str(tmp_path / "systemd")),
            ("/var/lib/wengu", str(tmp_path / "var" / "lib" / "wengu")),
            ("/var/backups/wengu", str(tmp_path / "var" / "backups" / "wengu")),
            ("127.0.0.1:5432", f"127.0.0.1:{pg.port}"),
            ("127.0.0.1:6379", f"127.0.0.1:{redis_port}"),
            ("127.0.0.1:8000", f"127.0.0.1:{port}"),
        ]
        # Nothing of this process's settings may help: only what the guide sets.
        env = {"PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}", "HOME": str(tmp_path),
               "LANG": "C.UTF-8"}  # fmt: skip
        log = tmp_path / "service.log"
        (tmp_path / "bin" / "systemctl.json").write_text(
            json.dumps({
                "substitutions": substitutions,
                "unit": str(tmp_path / "systemd" / "wengu.service"),
                "environment": env,
                "log": str(log),
                "pidfile": str(tmp_path / "wengu.pid"),
                "health": f"http://127.0.0.1:{port}/healthz",
            })
        )  # fmt: skip
        systemctl = tmp_path / "bin" / "systemctl"
        systemctl.write_text(f"#!{sys.executable}\n{SYSTEMCTL}")
        systemctl.chmod(0o755)

        def run(name: str, stdin: str = "") -> str:
            done = subprocess.run(
                ["bash", "-c", _runnable(blocks[name], substitutions)],
                cwd=tmp_path, env=env, input=stdin, capture_output=True, text=True,
                check=False, timeout=300,
            )  # fmt: skip
            service = log.read_text() if log.exists() else ""
            assert done.returncode == 0, f"{name}:\n{done.stdout}\n{done.stderr}\n{service}"
            return done.stdout

        env_file = tmp_path / "etc" / "wengu" / "wengu.env"
        backups = tmp_path / "var" / "backups" / "wengu"
        try:
            run("database")
            assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
            settings = env_file.read_text()
            assert f"postgresql://wengu@127.0.0.1:{pg.port}/wengu" in settings
            run("migrate")
            run("admin", stdin=PASSWORD + "\n")
            assert _users(pg.port, env_file) == ["ann"]
            run("start")
            checked = run("check")
            assert checked.startswith("PONG\n") and '"status"' in checked
            assert f"302 http://127.0.0.1:{port}/login" in checked
            service = log.read_text()
            assert "GET /healthz" in service, "no access log"
            assert "WENGU_PROXY_FIX is on" not in service  # loopback: nothing to warn of
            run("backup")
            assert (backups / "wengu-now.dump").stat().st_size > 0

            cron = guide_blocks("file")["cron"].strip().split(None, 6)
            assert cron[:6] == ["15", "3", "*", "*", "*", "wengu"]
            command = _runnable(cron[6], substitutions).replace("\\%", "%")
            subprocess.run(["sh", "-c", command.removeprefix("set -euo pipefail\n")],
                           cwd=tmp_path, env=env, check=True, capture_output=True)  # fmt: skip
            assert (backups / f"wengu-{date.today():%Y-%m-%d}.dump").stat().st_size > 0

            run("upgrade")
            head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=checkout, text=True,
                                  capture_output=True, check=True).stdout  # fmt: skip
            assert (backups / "before-upgrade.commit").read_text() == head
            # An answer given after the upgrade: the roll-back takes it away with the data.
            made = subprocess.run(
                ["sh", "-c", f"set -a; . {env_file}; "
                 "exec .venv/bin/flask --app app user create bob --password-stdin"],
                cwd=checkout, env=env, input=PASSWORD + "\n", capture_output=True, text=True,
                check=False,
            )  # fmt: skip
            assert made.returncode == 0, made.stderr
            assert _users(pg.port, env_file) == ["ann", "bob"]
            run("rollback")
            assert _users(pg.port, env_file) == ["ann"]
            assert "Traceback" not in log.read_text()
        finally:
            subprocess.run([str(systemctl), "stop", "wengu"], env=env, check=False)


def test_the_unit_waits_for_the_database_restarts_and_binds_loopback(tmp_path: Path) -> None:
    text = UNIT.read_text()
    sections: dict[str, dict[str, str]] = {}
    current = ""
    for line in text.splitlines():
        if line.startswith("["):
            current = line.strip("[]")
            sections[current] = {}
        elif "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            sections[current][key] = value
    unit, service = sections["Unit"], sections["Service"]
    assert "postgresql.service" in unit["After"] and "postgresql.service" in unit["Wants"]
    assert service["Restart"] == "on-failure" and unit["StartLimitIntervalSec"] == "0"
    assert service["EnvironmentFile"] == "/etc/wengu/wengu.env"
    assert service["ExecStartPre"].endswith("flask --app app db upgrade")
    assert "--bind 127.0.0.1:8000" in service["ExecStart"]
    assert "gunicorn --config docs/gunicorn.conf.py" in service["ExecStart"]
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        return  # the parse above is what can be checked without systemd
    # verify wants the programs to exist: point them at this environment's.
    local = text.replace("/opt/wengu/.venv", sys.prefix).replace(
        "WorkingDirectory=/opt/wengu", f"WorkingDirectory={PROJECT_ROOT}"
    )
    (tmp_path / "wengu.service").write_text(local)
    done = subprocess.run(
        [analyze, "verify", str(tmp_path / "wengu.service")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr


def test_compose_commands_of_the_guide_name_services_of_compose_yaml() -> None:
    services = set(yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text())["services"])
    text = GUIDE.read_text()
    used = re.findall(
        r"docker compose (?:exec|logs -f|stop|start|run --rm(?: --user \w+)?(?: -v \S+)?) (\w+)",
        text,
    )
    used += re.findall(r"docker compose cp \S+ (\w+):", text)
    used += re.findall(r"docker compose cp (\w+):", text)
    assert len(used) >= 6 and set(used) <= services, used
    # The key made once into .env, not anew at every `up` (which signs everybody out).
    readme = (PROJECT_ROOT / "README.md").read_text()
    for where in (text, readme):
        assert not re.search(r"WENGU_SECRET_KEY=\$\(openssl[^\n]*docker compose up", where)
    assert "docs/hosting.md" in readme


def test_guide_blocks_are_found_with_their_markers() -> None:
    text = textwrap.dedent("""\
        <!-- test: one -->
        ```sh
        echo one
        ```
        ```sh
        echo unmarked
        ```
        <!-- file: conf -->
        ```nginx
        server {}
        ```
        """)
    assert guide_blocks("test", text) == {"one": "echo one\n"}
    assert guide_blocks("file", text) == {"conf": "server {}\n"}

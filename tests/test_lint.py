"""The code passes ruff's lint and format checks (so the test command is the whole gate)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from config import PROJECT_ROOT


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("ruff", path=str(PROJECT_ROOT / ".venv/bin")) or shutil.which("ruff")
    base = [command] if command else [sys.executable, "-m", "ruff"]
    return subprocess.run(
        [*base, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "args", [("check", "."), ("format", "--check", ".")], ids=["lint", "format"]
)
def test_ruff(args: tuple[str, ...]) -> None:
    done = ruff(*args)
    assert done.returncode == 0, done.stdout + done.stderr

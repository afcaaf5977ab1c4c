"""The code passes ruff's lint and format checks, mypy, and the size limits (so the test command
is the whole gate)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config import PROJECT_ROOT

# Past these a module holds more than one capability, or a function more than one step.
MODULE_LINES = 500
FUNCTION_LINES = 60
# Benchmarks, migrations and tests are scripts and records; the limits are for the product.
UNLIMITED = ("bench", "migrations", "tests", "instance", "test-artifacts", ".venv")


def tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which(name, path=str(PROJECT_ROOT / ".venv/bin")) or shutil.which(name)
    base = [command] if command else [sys.executable, "-m", name]
    return subprocess.run(
        [*base, *args], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "args", [("check", "."), ("format", "--check", ".")], ids=["lint", "format"]
)
def test_ruff(args: tuple[str, ...]) -> None:
    done = tool("ruff", *args)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy() -> None:
    """srs/ and services/ type-check clean (the paths and flags are in pyproject.toml)."""
    done = tool("mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def product_modules() -> list[Path]:
    return sorted(
        path
        for path in PROJECT_ROOT.rglob("*.py")
        if path.relative_to(PROJECT_ROOT).parts[0] not in UNLIMITED
    )


def test_no_module_or_function_too_long() -> None:
    too_long = []
    for path in product_modules():
        name = path.relative_to(PROJECT_ROOT)
        text = path.read_text(encoding="utf-8")
        if (lines := len(text.splitlines())) > MODULE_LINES:
            too_long.append(f"{name}: {lines} lines (module)")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert not too_long, "\n".join(too_long)


def test_the_type_hints_of_every_value_type_of_srs_resolve() -> None:
    # Names a value's fields are typed by must exist at run time too (typing.get_type_hints,
    # dataclasses' tooling), not only under TYPE_CHECKING.
    import dataclasses
    import importlib
    import pkgutil
    import typing

    import srs

    checked = 0
    for info in pkgutil.walk_packages(srs.__path__, "srs."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            if dataclasses.is_dataclass(value) or hasattr(value, "_fields"):
                typing.get_type_hints(value)
                checked += 1
    assert checked > 50


def test_numbers_people_write_are_read_by_parse_whole_number() -> None:
    """``str.isdigit`` (and its kin) pass ``²`` and ``٣``, which ``int`` then refuses or reads
    as 3: a number from a form, a query or a file is read by ``srs.numbers`` instead."""
    found = []
    for path in product_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in (
                "isdigit",
                "isdecimal",
                "isnumeric",
            ):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} .{node.attr}")
    assert found == []

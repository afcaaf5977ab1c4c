"""Each layer imports only what the layout in CONTRIBUTING.md lets it import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from config import PROJECT_ROOT

APP = {"app", "cli", "config", "extensions", "models", "services", "srs", "views"}
# What each folder may not import (its top-level package names).
FORBIDDEN = {
    "srs": APP - {"srs"} | {"flask", "flask_babel", "flask_login", "flask_wtf", "sqlalchemy"},
    "models": APP - {"models", "srs"},
    "services": APP - {"models", "services", "srs", "config"},
    "migrations/versions": APP,
}


def imported(path: Path) -> set[str]:
    """The top-level names ``path`` imports, at any depth (functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(folder: str) -> None:
    broken = {
        str(path.relative_to(PROJECT_ROOT)): sorted(imported(path) & FORBIDDEN[folder])
        for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))
    }
    assert {name: found for name, found in broken.items() if found} == {}


def test_the_migration_template_imports_nothing_from_the_app() -> None:
    template = (PROJECT_ROOT / "migrations/script.py.mako").read_text(encoding="utf-8")
    lines = [line for line in template.splitlines() if line.startswith(("import ", "from "))]
    assert {line.split()[1].split(".")[0] for line in lines} & APP == set()


def test_the_check_sees_a_forbidden_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from flask import g\n    import sqlalchemy.orm\n")
    assert imported(module) == {"flask", "sqlalchemy"}

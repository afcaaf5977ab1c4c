"""The scripts in static/js: small ES modules that take every URL of the app from the page."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from srs.questions import QUESTION_TYPES

SCRIPTS = Path(__file__).parents[2] / "static" / "js"
TEMPLATES = Path(__file__).parents[2] / "templates"
MODULES = sorted(SCRIPTS.rglob("*.js"))
# A string or template literal that starts with a path of the app ("/api/v1", `/review/`).
APP_PATH = re.compile(r"""["'`]/(api|login|review|cards|quiz|banks|static)\b""")


def test_scripts_take_every_url_from_the_page() -> None:
    named = [
        f"{path.relative_to(SCRIPTS)}:{number}: {line.strip()}"
        for path in MODULES
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if APP_PATH.search(line)
    ]
    assert MODULES and named == []


def test_script_modules_stay_small() -> None:
    sizes = {
        str(path.relative_to(SCRIPTS)): len(path.read_text("utf-8").splitlines())
        for path in MODULES
    }
    assert {name: lines for name, lines in sizes.items() if lines > 300} == {}


def test_scripts_are_modules_without_inline_handlers() -> None:
    for path in MODULES:
        text = path.read_text("utf-8")
        assert not re.search(r"^\(\(\) => \{", text, re.MULTILINE), path  # modules, not closures
        assert not re.search(r"\.on(click|keydown|submit)\s*=", text), path


def _imports(name: str) -> set[str]:
    """Every module that static/js/<name> imports, at any depth, as paths under static/js."""
    found: set[str] = set()
    waiting = [name]
    while waiting:
        path = SCRIPTS / waiting.pop()
        for target in re.findall(
            r'^import .* from "(\.{1,2}/[^"]+)";$', path.read_text("utf-8"), re.M
        ):
            module = (path.parent / target).resolve().relative_to(SCRIPTS.resolve()).as_posix()
            if module not in found:
                found.add(module)
                waiting.append(module)
    return found


def test_pages_preload_exactly_the_modules_their_script_imports() -> None:
    calls = re.findall(
        r"module\('([^']+)', (\[[^\]]*\])\)",
        "".join(path.read_text("utf-8") for path in TEMPLATES.rglob("*.html")),
    )
    assert {entry for entry, _ in calls} == {"review.js", "quiz.js", "editor.js"}
    for entry, preloaded in calls:
        listed = ast.literal_eval(preloaded)
        assert len(listed) == len(set(listed)) and set(listed) == _imports(entry), entry


def test_only_the_type_widgets_name_a_question_type() -> None:
    """A type's page behaviour is its widget in types/; review and quiz look it up by name."""
    named = re.compile("[\"'`](" + "|".join(QUESTION_TYPES) + ")[\"'`]")
    outside = [
        f"{path.relative_to(SCRIPTS)}: {line.strip()}"
        for path in MODULES
        if path.parent.name != "types" and path.name != "check.js"
        for line in path.read_text("utf-8").splitlines()
        if named.search(line)
    ]
    assert outside == []
    widgets = {path.stem for path in (SCRIPTS / "types").glob("*.js")} - {"index"}
    registry = (SCRIPTS / "types" / "index.js").read_text("utf-8")
    imported = set(re.findall(r'^import (\w+) from "\./(\w+)\.js";$', registry, re.M))
    assert {name for name, _ in imported} == widgets == {stem for _, stem in imported}
    assert widgets <= set(QUESTION_TYPES)

"""The documentation against the tree: CONTRIBUTING.md's layout and glossary, and every
relative link of the README, docs/, CONTRIBUTING.md and CHANGELOG.md."""

from __future__ import annotations

import importlib
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from config import PROJECT_ROOT

CONTRIBUTING = PROJECT_ROOT / "CONTRIBUTING.md"
DOCUMENTS = [
    PROJECT_ROOT / "README.md",
    CONTRIBUTING,
    PROJECT_ROOT / "CHANGELOG.md",
    *sorted((PROJECT_ROOT / "docs").glob("*.md")),
]
PACKAGES = ("models", "services", "srs", "views")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_CODE = re.compile(r"`([^`]+)`")


def section(text: str, heading: str) -> str:
    """The text under ``## heading``, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown tables in ``text``, as lists of cells."""
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.match(r"\|\s*-", line):
            rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows[1:] if rows else []


def layout() -> dict[str, str]:
    """CONTRIBUTING.md's layout table: each path of a row's first cell to the row's text."""
    rows = table_rows(section(CONTRIBUTING.read_text(), "Layout"))
    assert len(rows) > 10
    return {path: what for paths, what in rows for path in _CODE.findall(paths)}


def tracked_files() -> list[str]:
    """The project's files: those git knows, and new ones it does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if listed.returncode != 0:
        pytest.skip(f"git cannot list the tree here: {listed.stderr.strip()}")
    return [name for name in listed.stdout.splitlines() if (PROJECT_ROOT / name).exists()]


def test_every_path_in_the_layout_exists() -> None:
    missing = [path for path in layout() if not (PROJECT_ROOT / path).exists()]
    assert missing == []


def test_every_top_level_folder_is_in_the_layout() -> None:
    folders = {name.split("/")[0] + "/" for name in tracked_files() if "/" in name}
    assert folders - set(layout()) == set()


def module_named(module: Path, rows: dict[str, str]) -> bool:
    """Whether the layout names ``module``: a row of its own, a row for its package's folder
    below the top packages, or its name in backquotes in its top package's row."""
    relative = module.relative_to(PROJECT_ROOT).as_posix()
    folder = module.parent.relative_to(PROJECT_ROOT).as_posix() + "/"
    if relative in rows or (folder.count("/") > 1 and folder in rows):
        return True
    return folder in rows and module.stem in _CODE.findall(rows[folder])


def test_every_module_of_the_packages_is_in_the_layout() -> None:
    rows = layout()
    unnamed = [
        module.relative_to(PROJECT_ROOT).as_posix()
        for package in PACKAGES
        for module in sorted((PROJECT_ROOT / package).rglob("*.py"))
        if module.name != "__init__.py"
        and "__pycache__" not in module.parts
        and not module_named(module, rows)
    ]
    assert unnamed == []


def test_module_rule_sees_a_missing_module() -> None:
    rows = {"srs/": "the domain: `bank`", "srs/anki/": "Anki packages"}
    assert module_named(PROJECT_ROOT / "srs/bank.py", rows)
    assert module_named(PROJECT_ROOT / "srs/anki/writer.py", rows)
    assert not module_named(PROJECT_ROOT / "srs/render.py", rows)


def glossary_names() -> list[str]:
    rows = table_rows(section(CONTRIBUTING.read_text(), "Glossary"))
    words = [row[0] for row in rows]
    for word in ("bank", "section", "question", "card", "review", "study day", "practice", "quiz"):
        assert word in words, f"the glossary has no {word!r}"
    return [name for row in rows for name in _CODE.findall(row[-1])]


def resolve(name: str) -> object:
    """The object a dotted code name stands for: a module, or an attribute within one."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(name)


@pytest.mark.parametrize("name", glossary_names())
def test_glossary_code_name_imports(name: str) -> None:
    assert resolve(name) is not None


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    text = unicodedata.normalize("NFC", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    return {slug(line.lstrip("#")) for line in text.splitlines() if re.match(r"#{1,6} ", line)}


def relative_links(path: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", path.read_text(), flags=re.M | re.S)
    text = re.sub(r"`[^`\n]*`", "", text)
    return [link for link in _LINK.findall(text) if not re.match(r"[a-z]+:", link)]


@pytest.mark.parametrize(
    "document", DOCUMENTS, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix()
)
def test_every_relative_link_resolves(document: Path) -> None:
    broken = []
    for link in relative_links(document):
        target, _, anchor = link.partition("#")
        file = (document.parent / target).resolve() if target else document
        if (
            not file.exists()
            or not file.is_relative_to(PROJECT_ROOT)
            or (anchor and file.suffix == ".md" and anchor not in anchors(file))
        ):
            broken.append(link)
    assert broken == []


def test_link_check_sees_a_broken_anchor() -> None:
    assert slug("9. With Docker Compose") == "9-with-docker-compose"
    assert slug("Several processes: PostgreSQL and Redis") == (
        "several-processes-postgresql-and-redis"
    )
    assert "reference" in anchors(PROJECT_ROOT / "docs/hosting.md")
    assert "no-such-heading" not in anchors(PROJECT_ROOT / "docs/hosting.md")


def test_readme_is_a_front_page() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert len(readme.encode()) < 6000
    for target in ("docs/learning.md", "docs/hosting.md", "docs/banks.md", "docs/api.md"):
        assert f"]({target}" in readme, target
    assert "](CONTRIBUTING.md)" in readme


def test_readme_commands_are_labelled_and_the_ones_ci_runs() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    blocks = re.findall(r"([^\n]+)\n\n```sh\n(python3 -m venv[^\n]*)\n```", readme)
    assert [command for _, command in blocks] == [
        "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt"
        " && .venv/bin/python app.py",
        "python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt"
        " && .venv/bin/python -m pytest",
    ]
    assert all(label.endswith(":") for label, _ in blocks)
    assert blocks[1][1] in (PROJECT_ROOT / ".ci/run").read_text().replace(" -q -r", " -r")


def unqualified_anki_notes(text: str) -> list[str]:
    """Each "notes" near a mention of Anki that does not say "Anki notes" or "study notes"."""
    found = []
    for match in re.finditer(r"\bnotes\b", text):
        before = text[max(0, match.start() - 40) : match.start()]
        around = text[max(0, match.start() - 80) : match.end() + 80]
        if re.search(r"Anki|apkg", around) and not re.search(r"(Anki|study)\s+$", before):
            found.append(around.replace("\n", " "))
    return found


def test_anki_notes_are_called_so_in_the_docs() -> None:
    # "notes" alone means the study notes a bank is written from.
    assert unqualified_anki_notes("exporting again updates the notes in Anki")
    assert not unqualified_anki_notes("exporting again updates the Anki notes")
    for document in DOCUMENTS:
        assert unqualified_anki_notes(document.read_text()) == [], document.name

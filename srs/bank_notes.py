"""The bank format's keys about study notes, checked: ``notes:``, ``source:``, ``coverage:``.

``notes: [notes/docker-notes.md]`` on a bank lists its notes, Markdown files inside its folder
(a single-file bank has no folder, so no notes); ``source: docker-notes.md#docker-engine`` on a
question names the passage it comes from, resolved by :func:`srs.notes.resolve`; ``coverage:
{skip: WHY}`` on a section leaves its headings out of the coverage report's gaps, saying why.
Each problem names the key at fault, as every check of the format does.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Protocol

from srs.bank import size_over_limit
from srs.lint.rules import did_you_mean
from srs.notes import Notes, front_matter_problem, nesting_problem, resolve
from srs.render import render_problems
from srs.yamlread import UNSTORABLE, Mapping, Node, Position, Scalar, Sequence

__all__ = [
    "NOTES_SUFFIXES",
    "notes_problems",
    "read_coverage_key",
    "read_notes_key",
    "read_source_key",
    "read_text",
]

# What a ``source`` may not hold: a line break or another control character.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

NOTES_SUFFIXES = (".md", ".markdown")


class _Out(Protocol):
    def problem(self, position: Position, message: str) -> None: ...


def read_text(path: Path, max_bytes: int) -> tuple[str | None, tuple[Position, str] | None]:
    """The UTF-8 text of the file at ``path`` (a leading byte-order mark dropped); or
    ``None`` and why not, where: too large, or not UTF-8 (at the first bad byte)."""
    size = path.stat().st_size
    if size > max_bytes:
        return None, (Position(1, 1), f"file is {size_over_limit(size, max_bytes)}")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        message = f"not UTF-8 text (byte 0x{data[error.start]:02x}); save the file as UTF-8"
        return None, (Position(line, column), message)
    return text.removeprefix("\ufeff"), None


def read_notes_key(
    out: _Out, node: Node, root: Path | None, max_bytes: int
) -> tuple[tuple[Notes, ...], set[str]]:
    """The notes files the bank's ``notes`` key lists, read; and the names (paths and base
    names) of those listed that could not be, so that questions citing them are not blamed."""
    if root is None:
        out.problem(
            node.position,
            "bank: 'notes' cannot be used: a single-file bank has no folder to keep notes in "
            "(make it a folder with bank.yaml, or a .zip of one)",
        )
        return (), set()
    if not isinstance(node, Sequence):
        out.problem(node.position, "bank: 'notes' must be a list of Markdown files")
        return (), set()
    notes: dict[str, Notes] = {}
    failed: set[str] = set()
    for index, item in enumerate(node.items):
        key = f"bank: 'notes[{index}]'"
        if not isinstance(item, Scalar) or item.is_null or not item.text.strip():
            out.problem(item.position, f"{key} must be the path of a Markdown file")
            continue
        written = item.text.strip()
        path = posixpath.normpath(written)
        failed.update((path, posixpath.basename(path)))
        message = _path_problem(written, path, root)
        if message is None and path in notes:
            message = "is listed twice"
        if message is not None:
            out.problem(item.position, f"{key} '{written}' {message}")
            continue

        text, trouble = read_text(root / path, max_bytes)
        if trouble is not None:
            at, message = trouble
            out.problem(item.position, f"{key} '{written}' ({at.line}:{at.column}): {message}")
        if text is not None:
            found = Notes(path, text)
            problems = notes_problems(found)
            for line, message in problems:
                out.problem(item.position, f"{key} '{written}' (line {line}): {message}")
            if not problems:
                notes[path] = found
                failed.discard(path)
    names = {name for n in notes.values() for name in (n.file, n.name)}
    return tuple(notes.values()), failed - names


def notes_problems(notes: Notes) -> list[tuple[int, str]]:
    """Why the notes cannot be kept or shown, each at its line: a character a database
    cannot store, front matter that cannot be read, blocks nested too deep to read whole,
    or a passage a card may show that cannot be rendered (as a question's texts are
    rendered at import, so that what passes renders for every learner)."""
    text = notes.text
    if found := UNSTORABLE.search(text):
        line = text.count("\n", 0, found.start()) + 1
        return [(line, f"character U+{ord(found.group()):04X} cannot be stored; remove it")]
    problems = [p for p in (front_matter_problem(text), nesting_problem(text)) if p is not None]
    if problems:
        return problems
    seen: set[str] = set()
    for heading in notes.headings:
        shown = heading.shown
        if shown in seen:
            continue
        seen.add(shown)
        problems.extend((heading.line, f"passage {message}") for message in render_problems(shown))
    return problems


def _path_problem(written: str, path: str, root: Path) -> str | None:
    """Why the notes path ``written`` (``path`` normalised) is unusable, or ``None``."""
    if "\\" in written:
        return "must use '/' between folders"
    if "#" in written:
        return "has '#' in its name, which a source cannot name (FILE#HEADING): rename it"
    if written.startswith("/") or path == ".." or path.startswith("../") or path == ".":
        return "leaves the bank's folder"
    if not path.lower().endswith(NOTES_SUFFIXES):
        return f"is not a Markdown file ({', '.join(NOTES_SUFFIXES)})"
    full = root / path
    try:
        inside = full.resolve().is_relative_to(root.resolve())
    except OSError:
        inside = False
    if not inside:
        return "leaves the bank's folder"
    if not full.is_file():
        return "is not found in the bank's folder"
    return None


def read_source_key(
    out: _Out, where: str, node: Node, notes: tuple[Notes, ...], failed: set[str]
) -> str | None:
    """A question's ``source``, as written, once it names a heading of the bank's notes."""
    if not isinstance(node, Scalar) or node.is_null or not node.text.strip():
        out.problem(node.position, f"{where}: 'source' must be FILE#HEADING")
        return None
    ref = node.text.strip()
    if _CONTROL.search(ref):
        out.problem(
            node.position, f"{where}: 'source' must be one line, without control characters"
        )
        return None
    found = resolve(notes, ref)
    if isinstance(found, str):
        if ref.partition("#")[0].strip() not in failed:
            out.problem(node.position, f"{where}: 'source' {found}")
        return None
    return ref


def read_coverage_key(out: _Out, where: str, node: Node) -> str | None:
    """A section's ``coverage: {skip: WHY}``: the reason its headings need no question."""
    if not isinstance(node, Mapping) or "skip" not in node.values:
        out.problem(node.position, f"{where}: 'coverage' must be a mapping with 'skip: WHY'")
        return None
    for key, position in node.keys.items():
        if key != "skip":
            hint = did_you_mean(key, {"skip"})
            out.problem(position, f"{where}: unknown key 'coverage.{key}'{hint}")
    skip = node.values["skip"]
    if not isinstance(skip, Scalar) or skip.is_null or not skip.text.strip() or skip.is_bool:
        out.problem(skip.position, f"{where}: 'coverage.skip' must say why, as text")
        return None
    return skip.text.strip()

"""The bank format's keys about study notes, checked: ``notes:``, ``source:``, ``coverage:``.

``notes: [notes/docker-notes.md]`` on a bank lists its notes, Markdown files inside its folder
(a single-file bank has no folder, so no notes); ``source: docker-notes.md#docker-engine`` on a
question names the passage it comes from, resolved by :func:`srs.notes.resolve`; ``coverage:
{skip: WHY}`` on a section leaves its headings out of the coverage report's gaps, saying why.
Each problem names the key at fault, as every check of the format does.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Protocol

from srs.bank import size_over_limit
from srs.lint.rules import did_you_mean
from srs.notes import Notes, resolve
from srs.yamlread import Mapping, Node, Position, Scalar, Sequence

__all__ = ["NOTES_SUFFIXES", "read_coverage_key", "read_notes_key", "read_source_key", "read_text"]

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
            notes[path] = Notes(path, text)
            failed.discard(path)
    names = {name for n in notes.values() for name in (n.file, n.name)}
    return tuple(notes.values()), failed - names


def _path_problem(written: str, path: str, root: Path) -> str | None:
    """Why the notes path ``written`` (``path`` normalised) is unusable, or ``None``."""
    if "\\" in written:
        return "must use '/' between folders"
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

"""Question banks: the YAML format, validated into frozen values.

A bank is a folder holding ``bank.yaml``, any further ``*.yaml`` files that each hold a
``questions:`` list, and the diagram files its Markdown refers to; a single ``.yaml`` file
with the same keys is a bank without diagrams. These are the values a bank is read into;
:mod:`srs.validate` checks the parsed files and collects every :class:`Problem` found, each
with ``file:line:column`` and the key at fault, for a :class:`BankError`. Reading a bank
from where it is kept is :mod:`srs.sources`'s; nothing here touches a database.
"""

from __future__ import annotations

import posixpath
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from srs.notes import Notes
from srs.questions import QUESTION_TYPES, question_type

__all__ = [
    "DEFAULT_MAX_BYTES",
    "IMAGE_TYPES",
    "QUESTION_TYPES",
    "Bank",
    "BankError",
    "Diagram",
    "Problem",
    "Question",
    "Section",
    "diagram_path",
    "printable",
    "size_over_limit",
]

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
BANK_FILE = "bank.yaml"
DIAGRAM_FOLDER = "diagrams"


def printable(text: str) -> str:
    """``text`` with its control and format characters escaped (``\\n``, ``\\u202e``), as a
    one-line message may show a name that came from outside."""
    return "".join(
        char.encode("unicode_escape").decode() if unicodedata.category(char)[0] == "C" else char
        for char in text
    )


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a bank, where it is; printed on one line, whatever the names
    in it hold."""

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{printable(self.file)}:{self.line}:{self.column}: {printable(self.message)}"


class BankError(Exception):
    """A bank could not be read; ``problems`` lists every reason found, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Section:
    """One entry of a bank's outline; ``coverage_skip`` says why its headings of the notes
    need no question (``coverage: {skip: WHY}``), when the author left them out on purpose."""

    id: str
    title: str
    parent: str | None = None
    coverage_skip: str | None = None


@dataclass(frozen=True, slots=True)
class Question:
    """One question as written in a bank file; type-specific fields are ``None`` when unused.

    ``correct`` is a bool for ``truefalse``, an index for a one-answer ``choice`` and a tuple
    of indices for a several-answer one. ``source`` is the file (relative to the bank) and
    ``line`` where the question starts, for "edit this question" links; ``passage`` the part
    of the bank's notes it comes from, as its ``source:`` key names it (``FILE#HEADING``,
    resolved by :func:`srs.notes.resolve`). ``lint_ignore`` names
    the linter's rules the author silenced for it, ``lint_why`` says why, and ``key_places``
    holds each key's ``(key, line, column)`` so that a warning can point at the key.
    """

    id: str
    type: str
    section: str | None = None
    tags: tuple[str, ...] = ()
    explanation: str | None = None
    prompt: str | None = None
    answer: str | None = None
    accept: tuple[str, ...] = ()
    text: str | None = None
    choices: tuple[str, ...] = ()
    correct: bool | int | tuple[int, ...] | None = None
    items: tuple[str, ...] = ()
    image: str | None = None
    labels: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    mode: str | None = None
    source: str = ""
    line: int = 0
    passage: str | None = None
    lint_ignore: tuple[str, ...] = ()
    lint_why: str | None = None
    key_places: tuple[tuple[str, int, int], ...] = field(default=(), compare=False, repr=False)

    @property
    def card_ordinals(self) -> tuple[int, ...]:
        """The cards this question makes: 0 and 1 for reverse, the cN numbers for cloze."""
        return question_type(self.type).card_ordinals(self.content())

    def content(self) -> dict[str, Any]:
        """The type-specific fields, as plain JSON-ready values."""
        values: dict[str, Any] = {}
        for key in question_type(self.type).key_names:
            value = getattr(self, key)
            values[key] = list(value) if isinstance(value, tuple) else value
        return values


@dataclass(frozen=True, slots=True)
class Diagram:
    """An image file of a bank; ``path`` is relative to the bank's folder, with ``/``."""

    path: str
    data: bytes = field(repr=False)

    @property
    def media_type(self) -> str:
        return IMAGE_TYPES[posixpath.splitext(self.path)[1].lower()]


@dataclass(frozen=True, slots=True)
class Bank:
    id: str
    title: str
    language: str | None = None
    description: str | None = None
    sections: tuple[Section, ...] = ()
    questions: tuple[Question, ...] = ()
    diagrams: tuple[Diagram, ...] = ()
    notes: tuple[Notes, ...] = ()
    source: str = ""
    fingerprint: str = ""
    rendered: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Renderings of its Markdown kept at import, by :func:`srs.faces.face_key` (a bank
    read from the database has them; one read from files, none)."""
    made_ahead: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What importing it makes of its questions (:class:`srs.bank_parts.Made`), made while
    its files were read, by :func:`srs.faces.faces_of` (a large bank read by workers to be
    imported has it; any other, none)."""


def size_over_limit(size: int, limit: int) -> str:
    """``1,200 bytes; the limit is 1,000 bytes``: exact, so that the two never read as equal."""
    return f"{size:,} bytes; the limit is {limit:,} bytes"


def diagram_path(reference: str) -> str:
    """The canonical form of a diagram reference: URL-decoded, normalised, ``/``-separated."""
    path = posixpath.normpath(unquote(reference))
    return "" if path == "." else path

"""A bank's YAML files read one at a time, and a large bank's files after the first read by
worker processes, each on its own, while the others are.

:func:`read_file` reads one file of a bank into a :class:`~srs.validate.BankReader`. For a
large bank, :func:`read_parts` hands each file after ``bank.yaml`` to a worker
(:class:`srs.ahead.WorkAhead`, under its rules: more than one core, one thread) with a reader
of its own that knows the bank's sections and notes; the worker reads the file, renders and
checks its texts, and gives back what it found (:class:`PartRead`). The bank's reader takes
each in, in the files' order, as if it had read them itself: an id used in an earlier file
is a problem where it is used again. A file a worker does not give back is read here.

For a bank read to be imported, a worker that found no problem in its file also makes
what importing the file's questions makes of each (:class:`Made`), the larger part of an
import, done while the other files are read: what its kin are found from, and its kept
renderings unless a stored question of the bank keeps them already. Its renderings of the
file's texts then stay with it: what the import needs of them is in what it made. A bank
read for anything else has its renderings sent back, kept as :func:`prepare` keeps its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import NamedTuple

from srs import ahead
from srs.bank import Problem, Question
from srs.bank_notes import read_text
from srs.faces import Kept, faces_of, question_faces
from srs.kin import KinRead, kin_read
from srs.render import Prepared, prepare
from srs.validate import BankReader
from srs.yamlread import Position, read_yaml

__all__ = [
    "PARTS_AHEAD_FROM",
    "Importing",
    "Made",
    "PartRead",
    "made_of",
    "read_file",
    "read_parts",
]

# Files after the first, in bytes all told, that are worth the workers: a bank of a few
# thousand questions (the Docker bank, a fifth of this, is read here).
PARTS_AHEAD_FROM = 1 << 20

Header = tuple[str, str, str | None, str | None]
"""A bank's id, title, language and description, as read from its first file."""

Importing = Callable[[str], Collection[str] | None]
"""For a bank read to be imported: given its id, what the kept renderings of its stored
questions were made from (:func:`srs.faces.faces_of`); ``None`` where that cannot be known
(the bank is then read as for no import)."""


class Made(NamedTuple):
    """What importing a question makes of it but its row: its kept renderings
    (:func:`srs.faces.question_faces`; ``None`` where they were kept already) and what its
    kin are found from (:func:`srs.kin.kin_read`)."""

    faces: dict[str, Kept] | None
    kin: KinRead


def made_of(
    question: Question, language: str | None, kept: Collection[str] = ()
) -> tuple[str, Made]:
    """What importing ``question``, of a bank in ``language``, makes of it, by what it is
    made from (:func:`srs.faces.faces_of`); no renderings if that is among ``kept``."""
    asked = (question.type, question.content(), question.explanation)
    made_from = faces_of(*asked, language)
    faces = None if made_from in kept else question_faces(*asked, language)
    return made_from, Made(faces, kin_read(*asked))


class PartRead(NamedTuple):
    """What a reader of one file of a bank found, its texts rendered and checked: sent
    from the worker that read the file to the bank's reader."""

    problems: list[Problem]
    questions: list[Question]
    question_ids: dict[str, tuple[str, Position]]
    diagram_refs: dict[str, None]
    renderings: dict[str, Prepared]
    made: dict[str, Made]


def read_file(reader: BankReader, path: Path, shown: str, *, first: bool = False) -> Header | None:
    """Reads the bank file at ``path``, named ``shown`` in its problems, with ``reader``;
    the bank's header if it is the ``first``."""
    out = reader.file(shown)
    text, trouble = read_text(path, reader.max_bytes)
    if trouble is not None:
        out.problem(*trouble)
    if text is None:
        return None
    tree, yaml_problems = read_yaml(text)
    for found in yaml_problems:
        out.problem(found.position, found.message)
    if tree is None and yaml_problems:
        return None
    return reader.read_tree(out, path.name, tree, first=first)


def parts_ahead(parts: list[tuple[Path, str]]) -> bool:
    """Whether the bank files ``parts`` are worth reading on workers, and may be."""
    if len(parts) < 2:
        return False
    size = 0
    for path, _ in parts:
        with contextlib.suppress(OSError):  # reading it will say why
            size += path.stat().st_size
    return size >= PARTS_AHEAD_FROM and ahead.ahead_workers() > 0


def read_parts(
    reader: BankReader,
    parts: list[tuple[Path, str]],
    language: str | None,
    kept: Collection[str] | None = None,
) -> dict[str, Made]:
    """Reads the bank files ``parts`` (each a path and the name its problems give), read
    after the first by ``reader``, on workers, and takes in what they found. For a bank to
    be imported, whose stored questions keep renderings made from ``kept``: what importing
    their questions, of a bank in ``language``, makes, by what it is made from."""
    sent = None if kept is None else frozenset(kept)
    calls = [(_part_reader(reader), path, shown, language, sent) for path, shown in parts]
    made: dict[str, Made] = {}
    with ahead.WorkAhead(_read_part, calls, start_from=2, chunk=1) as work:
        for part in work.results():
            _take_part(reader, part)
            made.update(part.made)
    return made


def _part_reader(reader: BankReader) -> BankReader:
    """A reader of one more file of ``reader``'s bank, on its own: it knows the bank's
    sections and notes, and none of its questions."""
    part = BankReader(reader.root, reader.display_root, reader.max_bytes)
    part.sections = reader.sections
    part.notes = reader.notes
    part.notes_failed = reader.notes_failed
    return part


def _read_part(
    reader: BankReader,
    path: Path,
    shown: str,
    language: str | None,
    kept: frozenset[str] | None,
) -> PartRead:
    read_file(reader, path, shown)
    reader.check_renderings()
    found = (reader.problems, reader.questions, reader.question_ids, reader.diagram_refs)
    if kept is None:
        texts = {
            text: None for _, _, shown_texts in reader.renderings for _, _, text in shown_texts
        }
        return PartRead(*found, {text: prepare(text) for text in texts}, {})
    # Read to be imported, which a problem in the file keeps it from.
    made = [] if reader.problems else [made_of(q, language, kept) for q in reader.questions]
    return PartRead(*found, {}, dict(made))


def _take_part(reader: BankReader, part: PartRead) -> None:
    again = set()
    for question_id, (shown, position) in part.question_ids.items():
        where = f"question '{question_id}'"
        if not reader.note_id(reader.file(shown), where, question_id, position):
            again.add(question_id)
    reader.problems.extend(part.problems)
    reader.questions.extend(q for q in part.questions if q.id not in again)
    reader.diagram_refs.update(part.diagram_refs)
    with prepare.cache_lock or contextlib.nullcontext():
        prepare.cache.update(part.renderings)

"""Banks written out: YAML (a folder, a .zip or one file), JSON, CSV; and a learner's history.

The YAML is the bank format itself, written so that ``bank check`` accepts it and importing
it gives back the same questions: keys in the contract's order, long text as block scalars,
and anything that would read as another type (``yes``, ``2375``) quoted.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import secrets
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from srs.bank import BANK_FILE, Bank, Question, Section

__all__ = [
    "FORMATS",
    "HISTORY_COLUMNS",
    "HistoryRow",
    "atomic_write",
    "bank_csv",
    "bank_json",
    "bank_to_dict",
    "bank_yaml",
    "bank_zip",
    "csv_cell",
    "export_bank",
    "history_csv",
    "history_json",
    "write_bank_folder",
]

_QUESTION_ORDER = (
    "id", "type", "section", "tags", "prompt", "text", "image", "labels", "ids", "mode",
    "answer", "accept", "choices", "correct", "items", "explanation", "source",
)  # fmt: skip
# ``section`` is the section's title, as a reader of the sheet knows it; ``section_id`` its id.
CSV_COLUMNS = (
    "id", "type", "section", "section_id", "tags", "prompt", "text", "image", "labels", "ids",
    "mode", "answer", "accept", "choices", "correct", "items", "explanation",
)  # fmt: skip
# The columns FSRS tools (fsrs-rs, the FSRS optimizer) read a review log in.
HISTORY_COLUMNS = ("card_id", "review_time", "review_rating", "review_state", "review_duration")


def _question_dict(question: Question) -> dict[str, Any]:
    values: dict[str, Any] = {"id": question.id, "type": question.type}
    if question.section:
        values["section"] = question.section
    if question.tags:
        values["tags"] = list(question.tags)
    # Optional keys left out stay out (an occlusion question's prompt, mode, answer), and
    # labels read from the diagram for its ids are not written beside them.
    values.update((k, v) for k, v in question.content().items() if v is not None and v != [])
    if question.explanation:
        values["explanation"] = question.explanation
    if question.passage:
        values["source"] = question.passage
    if values.get("ids"):
        values.pop("labels", None)
    return {key: values[key] for key in _QUESTION_ORDER if key in values}


def _section_dict(section: Section) -> dict[str, Any]:
    values: dict[str, Any] = {"id": section.id, "title": section.title}
    if section.parent:
        values["parent"] = section.parent
    if section.coverage_skip:
        values["coverage"] = {"skip": section.coverage_skip}
    return values


def bank_to_dict(bank: Bank) -> dict[str, Any]:
    """The bank as plain values, in the bank format's keys and order."""
    values: dict[str, Any] = {"id": bank.id, "title": bank.title}
    if bank.language:
        values["language"] = bank.language
    if bank.description:
        values["description"] = bank.description
    if bank.sections:
        values["sections"] = [_section_dict(section) for section in bank.sections]
    if bank.notes:
        values["notes"] = [notes.file for notes in bank.notes]
    values["questions"] = [_question_dict(question) for question in bank.questions]
    return values


class _Dumper(yaml.SafeDumper):
    """Block scalars for text with line breaks; everything else as PyYAML decides."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def bank_yaml(bank: Bank) -> str:
    """The bank as one YAML document (its diagrams are files beside it)."""
    return yaml.dump(
        bank_to_dict(bank), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100
    )


def write_bank_folder(bank: Bank, folder: Path) -> Path:
    """Write ``bank.yaml``, the diagram files and the notes into ``folder``; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / BANK_FILE).write_text(bank_yaml(bank), encoding="utf-8")
    for diagram in bank.diagrams:
        target = folder / diagram.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(diagram.data)
    for notes in bank.notes:
        target = folder / notes.file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(notes.text, encoding="utf-8")
    return folder


def bank_zip(bank: Bank) -> bytes:
    """The bank folder zipped, with the bank's id as its one top folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{bank.id}/{BANK_FILE}", bank_yaml(bank))
        for diagram in bank.diagrams:
            archive.writestr(f"{bank.id}/{diagram.path}", diagram.data)
        for notes in bank.notes:
            archive.writestr(f"{bank.id}/{notes.file}", notes.text)
    return buffer.getvalue()


def bank_json(bank: Bank) -> str:
    """The same content as the YAML, with the diagrams (base64) and the notes' text inside:
    one file holds everything the bank's folder does."""
    values = bank_to_dict(bank)
    values["diagrams"] = [
        {
            "path": diagram.path,
            "media_type": diagram.media_type,
            "base64": base64.b64encode(diagram.data).decode(),
        }
        for diagram in bank.diagrams
    ]
    if bank.notes:
        values["notes_files"] = [{"file": notes.file, "text": notes.text} for notes in bank.notes]
    return json.dumps(values, ensure_ascii=False, indent=2) + "\n"


# A spreadsheet reads a cell starting with one of these as a formula (which can run
# commands or send the sheet away): OWASP's advice on CSV injection is a leading quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A value as a CSV cell Wengu writes: text that a spreadsheet would take for a formula
    gets a leading ``'``; numbers are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "\n".join(_cell(item) for item in value)
    return str(value)


def bank_csv(bank: Bank) -> str:
    """One row per question; lists one entry a line inside their cell.

    Written with a byte-order mark, so spreadsheet programs read the Chinese as UTF-8.
    ``correct`` holds 0-based indices (or true/false), as in the YAML. ``section`` is the
    section's title and ``section_id`` its id, as ``section`` is in the YAML.
    """
    titles = {section.id: section.title for section in bank.sections}
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for question in bank.questions:
        values = _question_dict(question)
        if question.section:
            values["section_id"] = question.section
            values["section"] = titles.get(question.section, question.section)
        if "tags" in values:
            values["tags"] = " ".join(values["tags"])
        if isinstance(values.get("correct"), list):
            values["correct"] = ", ".join(str(i) for i in values["correct"])
        writer.writerow([csv_cell(_cell(values.get(column))) for column in CSV_COLUMNS])
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class HistoryRow:
    """One review as a learner takes it away."""

    card_id: int
    reviewed_at: datetime
    rating: int
    state: int
    elapsed_ms: int | None
    bank: str
    question: str
    ordinal: int


def history_csv(rows: Iterable[HistoryRow]) -> Iterator[str]:
    """The review log in the CSV columns FSRS tools read, a line at a time.

    ``review_time`` is milliseconds since the epoch, ``review_state`` the card's state
    before the review (0 new, 1 learning, 2 review, 3 relearning), ``review_duration``
    milliseconds (0 where unknown).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORY_COLUMNS)
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        cells = (
            row.card_id,
            int(row.reviewed_at.timestamp() * 1000),
            row.rating,
            row.state,
            row.elapsed_ms or 0,
        )
        writer.writerow([csv_cell(cell) for cell in cells])
        yield buffer.getvalue()


def history_json(rows: Iterable[HistoryRow]) -> Iterator[str]:
    """The review log as a JSON list, with each card's bank and question, a row at a time."""
    yield "["
    for index, row in enumerate(rows):
        item = {
            "card_id": row.card_id,
            "bank": row.bank,
            "question": row.question,
            "ordinal": row.ordinal,
            "reviewed_at": row.reviewed_at.isoformat(),
            "rating": row.rating,
            "state": row.state,
            "elapsed_ms": row.elapsed_ms,
        }
        yield ("," if index else "") + "\n  " + json.dumps(item, ensure_ascii=False)
    yield "\n]\n"


@contextmanager
def atomic_write(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` that replaces it only if the block succeeds.

    The file gets the mode any new file gets (0644 under the usual umask 022), not the
    0600 of a temporary file: an export is for sharing. (Backups, which hold password
    hashes, are written 0600 by :mod:`services.backup`.)
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = _new_file(target)
    # The mode the kernel gave the file under the process's umask, read without changing
    # the umask (which is process-wide, and other threads may be creating files).
    mode = os.fstat(handle).st_mode & 0o777
    os.close(handle)
    try:
        yield temporary
        # The block may have replaced the file with one of its own, made 0600.
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _new_file(target: Path) -> tuple[int, Path]:
    """A new empty file beside ``target`` with a random name, created 0666 less the umask."""
    while True:
        temporary = target.parent / f".{target.name}.{secrets.token_hex(6)}"
        try:
            return os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temporary
        except FileExistsError:
            continue


FORMATS = ("apkg", "csv", "json", "yaml")


def export_bank(bank: Bank, fmt: str, target: Path, **options: Any) -> None:
    """Write ``bank`` to ``target`` in ``fmt``; nothing is left half-written.

    For ``yaml``, a ``target`` ending in ``.zip`` gets the bank folder zipped, one ending in
    ``.yaml`` gets one file (for a bank without diagrams or notes), anything else becomes a
    folder.
    ``options`` go to the Anki writer (``scheduling``).

    Raises:
        ValueError: an unknown format, a single YAML file for a bank with diagrams or notes, or a
            folder that is not empty.
    """
    if fmt == "apkg":
        from srs.anki import write_apkg

        with atomic_write(target) as temporary:
            write_apkg(bank, temporary, **options)
        return
    if fmt == "yaml" and target.suffix not in (".zip", ".yaml", ".yml"):
        if target.exists() and any(target.iterdir()):
            raise ValueError(f"{target} is not an empty folder")
        with tempfile.TemporaryDirectory(
            dir=target.parent if target.parent.exists() else None
        ) as tmp:
            written = write_bank_folder(bank, Path(tmp) / "bank")
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.rmdir()
            os.replace(written, target)
        return
    if fmt == "yaml" and target.suffix != ".zip" and bank.diagrams:
        raise ValueError(
            f"bank '{bank.id}' has {len(bank.diagrams)} diagrams: export it to a folder or a .zip"
        )
    if fmt == "yaml" and target.suffix != ".zip" and bank.notes:
        raise ValueError(f"bank '{bank.id}' keeps its notes: export it to a folder or a .zip")
    writers = {
        "csv": lambda: bank_csv(bank).encode("utf-8"),
        "json": lambda: bank_json(bank).encode("utf-8"),
        "yaml": lambda: bank_zip(bank) if target.suffix == ".zip" else bank_yaml(bank).encode(),
    }
    if fmt not in writers:
        raise ValueError(f"unknown format '{fmt}': use one of {', '.join(FORMATS)}")
    with atomic_write(target) as temporary:
        temporary.write_bytes(writers[fmt]())

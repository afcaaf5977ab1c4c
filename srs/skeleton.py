"""A new bank from study notes (``bank init``): sections that mirror the notes' headings.

The bank's id comes from the notes' file name and each section's id from its heading's
title, ASCII as the format wants: Chinese turned into pinyin without tones (with pypinyin,
which reads a character by the words around it, so that 重启 is ``chong-qi``), accented
letters without their accents, everything else a ``-``; repeats get ``-2``, ``-3``. Titles
are kept as written. The notes are copied in unchanged, and there are no questions yet.
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

from pypinyin import Style, lazy_pinyin

from srs.bank import BANK_FILE, Bank, Section
from srs.bank_notes import NOTES_SUFFIXES, notes_problems, read_text
from srs.export import bank_yaml
from srs.notes import Notes, front_matter, headings_of

__all__ = [
    "NOTES_FOLDER",
    "SkeletonError",
    "ascii_id",
    "notes_language",
    "skeleton",
    "untitled_lines",
    "write_skeleton",
]

NOTES_FOLDER = "notes"
# Room under the format's 64 characters for a ``-N`` that keeps an id unique.
_ID_ROOM = 58
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


class SkeletonError(Exception):
    """The notes cannot start a bank, or the bank cannot be written where asked."""


def ascii_id(title: str, used: set[str], fallback: str = "section") -> str:
    """An id in the bank format's alphabet for ``title``, not among ``used`` (then added)."""
    words: list[str] = []
    for part in lazy_pinyin(title, style=Style.NORMAL):
        plain = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode().lower()
        words.extend(re.findall(r"[a-z0-9]+", plain))
    base = ""
    for word in words:
        joined = f"{base}-{word}" if base else word
        if len(joined) > _ID_ROOM:
            break
        base = joined
    base = base or (words[0][:_ID_ROOM] if words else fallback)
    candidate, number = base, 1
    while candidate in used:
        number += 1
        candidate = f"{base}-{number}"
    used.add(candidate)
    return candidate


def notes_language(titles: list[str]) -> str | None:
    """``zh-CN`` when most of the titles hold Chinese (a Chinese heading often names an
    English tool, so a title counts when it has any Chinese character)."""
    chinese = sum(bool(_CJK.search(title)) for title in titles)
    return "zh-CN" if titles and chinese * 2 > len(titles) else None


def skeleton(name: str, text: str) -> Bank:
    """The bank a notes file called ``name`` (with its Markdown ``text``) starts.

    Its title is the front matter's ``title:``, else the first heading's, else the name.
    """
    headings = headings_of(text)
    stem = posixpath.splitext(name)[0]
    values, _ = front_matter(text)
    title = str(values.get("title") or "").strip()
    title = title or (headings[0].title if headings else "") or stem
    used: set[str] = set()
    parents: list[tuple[int, str]] = []
    sections = []
    for heading in headings:
        if not heading.title:
            continue  # a bare '#' names nothing a section could be titled after
        while parents and parents[-1][0] >= heading.level:
            parents.pop()
        section_id = ascii_id(heading.title, used)
        sections.append(Section(section_id, heading.title, parents[-1][1] if parents else None))
        parents.append((heading.level, section_id))
    return Bank(
        id=ascii_id(stem, set(), fallback="notes"),
        title=title,
        language=notes_language([h.title for h in headings]),
        sections=tuple(sections),
        notes=(Notes(f"{NOTES_FOLDER}/{name}", text),),
    )


def untitled_lines(text: str) -> list[int]:
    """The lines of the headings without a title (a bare ``#``), which make no section."""
    return [heading.line for heading in headings_of(text) if not heading.title]


def write_skeleton(notes: Path, output: Path, max_bytes: int) -> Bank:
    """Write the bank that the notes file ``notes`` starts into the folder ``output``.

    The folder appears whole or not at all; the notes are copied byte for byte.

    Raises:
        SkeletonError: the notes are not a readable Markdown file, or ``output`` is a file
            or a folder that is not empty.
    """
    if not notes.is_file():
        raise SkeletonError(f"{notes}: no such file")
    if notes.suffix.lower() not in NOTES_SUFFIXES:
        raise SkeletonError(f"{notes}: not a Markdown file ({', '.join(NOTES_SUFFIXES)})")
    if "#" in notes.name:
        raise SkeletonError(
            f"{notes}: '#' in the file name cannot be cited (a source is FILE#HEADING): "
            "rename the file"
        )
    if output.is_symlink():
        raise SkeletonError(f"{output} is a symbolic link: choose a new folder")
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise SkeletonError(f"{output} is not an empty folder: choose a new one")
    text, trouble = read_text(notes, max_bytes)
    if text is None:
        at, message = trouble or ((1, 1), "unreadable")
        raise SkeletonError(f"{notes}:{at[0]}:{at[1]}: {message}")
    for line, message in notes_problems(Notes(notes.name, text))[:1]:
        raise SkeletonError(f"{notes}:{line}: {message}")
    if not any(heading.title for heading in headings_of(text)):
        raise SkeletonError(f"{notes}: no headings to make sections of")
    bank = skeleton(notes.name, text)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".wengu-init-") as folder:
        written = Path(folder) / "bank"
        (written / NOTES_FOLDER).mkdir(parents=True)
        header = (
            f"# Made by `bank init` from {notes.name}: one section per heading of the notes.\n"
            "# Write questions below, each with `source: FILE#HEADING` naming its passage,\n"
            "# then run `flask --app app bank check` and `bank coverage` on this folder.\n"
        )
        (written / BANK_FILE).write_text(header + bank_yaml(bank), encoding="utf-8")
        shutil.copyfile(notes, written / NOTES_FOLDER / notes.name)
        if output.exists():
            output.rmdir()
        os.replace(written, output)
    return bank

"""Anki packages read as banks: basic and cloze notes, as genanki and Anki write them, and
Wengu's own notes as the questions they were written from (:mod:`srs.anki.wengu_notes`).

Anki (in its current format and with "Support older Anki versions") and genanki write
packages this reads; anything it cannot read safely is refused with a
:class:`~srs.bank.BankError` (see :mod:`srs.anki.package` for how a package is opened).
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import sqlite3
import unicodedata
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import quote, unquote

from srs.anki.fields import field_markdown, from_anki
from srs.anki.notetypes import MODEL_IDS
from srs.anki.package import (
    CHUNK,
    Collection,
    PackageReader,
    open_collection,
    read_collection_tables,
)
from srs.anki.stock import StockKind, stock_kind
from srs.anki.wengu_notes import DeckMark, diagram_paths, read_deck_marker, wengu_question
from srs.archive import ZIP_ERRORS
from srs.bank import (
    DEFAULT_MAX_BYTES,
    IMAGE_TYPES,
    Bank,
    BankError,
    Diagram,
    Problem,
    Question,
    Section,
    diagram_path,
)
from srs.cloze import ClozeError, parse_cloze
from srs.render import image_sources
from srs.svg import svg_problems
from srs.yamlread import UNSTORABLE

__all__ = ["read_apkg"]

_ID_MAX = 64


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_ID_MAX].strip("-")


@dataclass(slots=True)
class _Media:
    """The package's media, read on demand: only images that notes show become diagrams."""

    reader: PackageReader
    entries: dict[str, str]  # file name -> zip entry
    diagrams: dict[str, Diagram]
    paths: Mapping[str, str] = field(default_factory=dict)
    """A Wengu package's diagrams' paths in their bank, by media file name."""

    def reference(self, source: str) -> str | None:
        """The diagram reference for an ``<img src>``, reading the file the first time."""
        name = source if source in self.entries else unquote(source)
        if name not in self.entries:
            return None
        if posixpath.splitext(name)[1].lower() not in IMAGE_TYPES:
            return None
        path = self.paths.get(name) or f"diagrams/{name}"
        if path not in self.diagrams:
            entry = self.entries[name]
            if entry not in self.reader.names:
                return None
            data = self.reader.read(entry, f"media file '{name}'")
            if path.lower().endswith(".svg"):
                problems = svg_problems(data)
                if problems:
                    raise BankError(
                        [
                            Problem(f"{self.reader.name}:{name}", p.line, p.column, message)
                            for p, message in problems
                        ]
                    )
            self.diagrams[path] = Diagram(path, data)
        return quote(path)


def _sections(
    deck_paths: Iterable[tuple[str, ...]], top: int, marks: Mapping[tuple[str, ...], DeckMark]
) -> dict[tuple[str, ...], Section]:
    """A section per deck below the bank's own level ``top``, parents first; a deck Wengu
    wrote (``marks``) keeps the id and title its section had."""
    paths: set[tuple[str, ...]] = set()
    for path in deck_paths:
        for depth in range(top + 1, len(path) + 1):
            paths.add(path[:depth])
    sections: dict[tuple[str, ...], Section] = {}
    taken: set[str] = set()
    for path in sorted(paths):
        mark = marks.get(path)
        if mark and mark["section"] and mark["section"] not in taken:
            taken.add(mark["section"])
            parent = sections[path[:-1]].id if len(path) - 1 > top else None
            sections[path] = Section(mark["section"], mark["title"], parent)
            continue
        base = _slug(path[-1]) or f"s-{hashlib.sha256('::'.join(path).encode()).hexdigest()[:8]}"
        section_id, counter = base, 2
        while section_id in taken:
            suffix = f"-{counter}"
            section_id, counter = f"{base[: _ID_MAX - len(suffix)]}{suffix}", counter + 1
        taken.add(section_id)
        parent = sections[path[:-1]].id if len(path) - 1 > top else None
        sections[path] = Section(section_id, path[-1], parent)
    return sections


def _question_id(guid: str, taken: set[str]) -> str:
    candidate = "n-" + re.sub(r"[^a-z0-9]", "", guid.lower())
    if candidate == "n-" or candidate in taken or len(candidate) > _ID_MAX:
        candidate = "n-" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:16]
    base, counter = candidate, 2
    while candidate in taken:
        candidate, counter = f"{base}-{counter}", counter + 1
    taken.add(candidate)
    return candidate


_ANSWER_FIELDS = ("back", "answer")
_EXPLANATION_FIELDS = ("explanation", "back extra", "extra")


def read_apkg(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Bank:
    """Read an Anki package of basic and cloze notes as a bank.

    Notes of a cloze note type become ``cloze`` questions (their first field is the text,
    in the same syntax). Anki's stock note types are known by their card templates
    (:mod:`srs.anki.stock`), whatever their names: "type in the answer" becomes ``typing``,
    "and reversed card" ``reverse``, "optional reversed card" ``reverse`` where the field
    its reverse card needs is filled, else ``basic``. All others become ``basic``
    questions, the first field the prompt and the answer the field named Back or Answer,
    or else the second. A field named
    Explanation, Back Extra or Extra becomes the explanation. Field HTML is
    kept (Wengu sanitises it when shown), but images become Markdown diagram references
    and the image files they show become diagrams; sounds and other media are dropped.
    The deck the notes share names the bank, its subdecks become sections.
    A package Wengu wrote (its decks carry Wengu's marker) comes back as written: each note
    of Wengu's note types as a question of its type, with its id, section, tags and language.

    Args:
        path: the ``.apkg`` file.
        max_bytes: the most the collection, or any one media file, may unpack to.

    Returns:
        A bank whose ids, cloze texts and diagram references follow the bank format; the
        caller writes it out and loads it again to check it as any bank is checked.

    Raises:
        BankError: the file is not a package this reads (not a zip, no collection, a damaged
            compressed part, unsafe media names, sizes over ``max_bytes``), or a
            note cannot be a question; every problem is listed.
    """
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS:
        raise BankError([Problem(str(path), 1, 1, "not an Anki package (a zip archive)")]) from None
    with archive:
        reader = PackageReader(path, archive, max_bytes)
        entry = reader.collection_entry()
        db = open_collection(reader.read(entry, f"the collection ({entry})"), reader)
        try:
            bank = _read_collection(db, reader)
        finally:
            db.close()
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return replace(bank, source=str(path), fingerprint=digest.hexdigest())


def _read_collection(db: sqlite3.Connection, reader: PackageReader) -> Bank:
    tables = read_collection_tables(db, reader)
    used = _note_decks(tables, reader)
    marks = _deck_marks(tables)
    tops = {deck[0] for deck in used}
    if len(tops) == 1:
        title, top = next(iter(tops)), 1
    else:
        title, top = "Anki import", 0
    top_mark = marks.get((title,)) if top else None
    sections = _sections(used, top, marks)
    media = _Media(
        reader,
        {name: entry for entry, name in reader.media_map().items()},
        diagrams={},
        paths=diagram_paths(top_mark),
    )
    questions = _questions(tables, used, sections, top, media, top_mark)
    shown = {
        diagram_path(reference)
        for question in questions
        for text in (question.prompt, question.answer, question.text, question.explanation)
        for reference in image_sources(text or "")
    } | {diagram_path(q.image) for q in questions if q.image}
    return Bank(
        # Prefixed, so that bringing a deck in never takes over a bank written in YAML.
        id=f"anki-{_slug(top_mark['bank'] if top_mark else title)}".rstrip("-")[:_ID_MAX].rstrip(
            "-"
        ),
        title=title,
        language=(top_mark or {}).get("language") or None,
        description=(top_mark or {}).get("description") or None,
        sections=tuple(sections.values()),
        questions=tuple(questions),
        diagrams=tuple(d for path, d in sorted(media.diagrams.items()) if path in shown),
    )


def _deck_marks(tables: Collection) -> dict[tuple[str, ...], DeckMark]:
    """The marks of the decks Wengu wrote, by deck path."""
    marks: dict[tuple[str, ...], DeckMark] = {}
    for deck in tables.decks.values():
        mark = read_deck_marker((deck or {}).get("desc"))
        if mark is not None:
            name = str(deck.get("name") or "")
            marks[tuple(part.strip() for part in name.split("::"))] = mark
    return marks


def _note_decks(tables: Collection, reader: PackageReader) -> list[tuple[str, ...]]:
    """The deck path of each note, in note order: the deck of its first card."""
    deck_of: dict[int, tuple[str, ...]] = {}
    for note_id, deck_id in tables.cards:
        if note_id not in deck_of:
            name = str((tables.decks.get(str(deck_id)) or {}).get("name") or "Default")
            if found := UNSTORABLE.search(name):
                raise reader.refuse(
                    f"deck {name[:40]!r} has in its name character U+{ord(found.group()):04X}, "
                    "which cannot be stored in a bank"
                )
            deck_of[note_id] = tuple(part.strip() for part in name.split("::")) or ("Default",)
    return [deck_of.get(note[0], ("Default",)) for note in tables.notes]


def _questions(
    tables: Collection,
    decks: list[tuple[str, ...]],
    sections: dict[tuple[str, ...], Section],
    top: int,
    media: _Media,
    top_mark: DeckMark | None = None,
) -> list[Question]:
    """A question per note, or every note that cannot be one listed as a problem."""
    name = media.reader.name
    problems: list[Problem] = []
    questions: list[Question] = []
    taken: set[str] = set()
    for (_note_id, guid, model_id, tags, fields_text), deck in zip(
        tables.notes, decks, strict=True
    ):
        model = tables.models.get(str(model_id)) or {}
        is_cloze = model.get("type") == 1
        fields = fields_text.split("\x1f")
        if top_mark is not None:
            fields = [from_anki(field) for field in fields]
        label = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", fields[0])).strip()[:40]
        try:
            question = _question(
                fields,
                _field_roles(model, is_cloze),
                is_cloze,
                media,
                question_id=_question_id(guid, taken),
                section=sections[deck].id if len(deck) > top else None,
                tags=tuple(dict.fromkeys(tags.split())),
            )
            if model_id == MODEL_IDS["occlusion"]:
                question = _occlusion(question, fields, media)
            elif not is_cloze and (kind := stock_kind(model)) is not None:
                question = _stock(question, kind, fields, media)
            if top_mark is not None:
                read = question
                question = wengu_question(read, model_id, fields, top_mark["bank"], media.reference)
                if question.id != read.id and question.id in taken:
                    question = replace(question, id=read.id)  # a Wengu ID given twice
                taken.add(question.id)
        except ValueError as error:
            problems.append(Problem(name, 1, 1, f"note {guid} ({label!r}): {error}"))
            continue
        questions.append(question)
    if problems:
        raise BankError(problems)
    return questions


def _stock(read: Question, kind: StockKind, fields: list[str], media: _Media) -> Question:
    """A note of one of Anki's stock shapes as the question it asks: typed, or both ways
    (a note whose reverse card is optional and off is a basic question).

    Raises:
        ValueError: the field it asks or answers is empty.
    """

    def text(index: int) -> str:
        return field_markdown(fields[index], media.reference) if index < len(fields) else ""

    prompt, answer = text(kind.prompt), text(kind.answer)
    if not prompt or not answer:
        raise ValueError("the field it asks or the one it answers with is empty")
    kept = replace(read, prompt=prompt, answer=answer)
    if kind.type == "typing":
        return replace(kept, type="typing")
    filled = kind.when is None or re.sub(r"<[^>]*>|&nbsp;|\s", "", text(kind.when))
    return replace(kept, type="reverse" if filled else "basic")


def _occlusion(read: Question, fields: list[str], media: _Media) -> Question:
    """A note of Wengu's own occlusion note type as the question it was written from: its
    Occlusion field holds the keys, its Diagram field the diagram without masks.

    Raises:
        ValueError: the fields are not as Wengu writes them.
    """
    try:
        spec = json.loads(html.unescape(re.sub(r"<[^>]*>", "", fields[2])))
        source = re.search(r'<img[^>]*src="([^"]+)"', fields[1])
        image = media.reference(html.unescape(source.group(1))) if source else None
        if not isinstance(spec, dict) or image is None:
            raise ValueError
        names = {key: tuple(str(n) for n in spec.get(key) or ()) for key in ("labels", "ids")}
    except (ValueError, IndexError, TypeError):
        raise ValueError("the occlusion note's Diagram or Occlusion field cannot be read") from None
    return replace(
        read,
        type="occlusion",
        image=image,
        labels=() if names["ids"] else names["labels"],
        ids=names["ids"],
        mode=spec.get("mode"),
        answer=spec.get("answer"),
        prompt=spec.get("prompt"),
    )


def _field_roles(model: Mapping[str, object], is_cloze: bool) -> tuple[int, int | None]:
    """Which fields hold the answer and the explanation, by the note type's field names.

    The answer is the field named Back or Answer, else the second; the explanation is one
    named Explanation, Back Extra or Extra after the fields already used, if there is one.
    """
    fields = model.get("flds")
    names = [
        str(field.get("name", "")).lower()
        for field in (fields if isinstance(fields, list) else [])
        if isinstance(field, dict)
    ]
    answer = next((i for i, name in enumerate(names) if i > 0 and name in _ANSWER_FIELDS), 1)
    used = 0 if is_cloze else answer
    explanation = next(
        (i for i, name in enumerate(names) if i > used and name in _EXPLANATION_FIELDS), None
    )
    return answer, explanation


def _question(
    fields: list[str],
    roles: tuple[int, int | None],
    is_cloze: bool,
    media: _Media,
    *,
    question_id: str,
    section: str | None,
    tags: tuple[str, ...],
) -> Question:
    """One note as a question.

    Raises:
        ValueError: why the note cannot be a question.
    """
    answer_field, explanation_field = roles
    explanation = None
    if explanation_field is not None and explanation_field < len(fields):
        explanation = field_markdown(fields[explanation_field], media.reference) or None
    question = partial(
        Question, id=question_id, section=section, tags=tags, explanation=explanation
    )
    if is_cloze:
        text = field_markdown(fields[0], media.reference)
        if "image-occlusion:" in text:
            raise ValueError("image occlusion notes cannot be questions")
        try:
            parse_cloze(text)
        except ClozeError as error:
            raise ValueError(f"the cloze text cannot be read: {error}") from None
        return question(type="cloze", text=text)
    prompt = field_markdown(fields[0], media.reference)
    answer = (
        field_markdown(fields[answer_field], media.reference) if answer_field < len(fields) else ""
    )
    if not prompt:
        raise ValueError("the first field (the prompt) is empty")
    if not answer:
        raise ValueError("the second field (the answer) is empty")
    return question(type="basic", prompt=prompt, answer=answer)

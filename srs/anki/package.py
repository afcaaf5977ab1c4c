"""An Anki package opened safely: its zip entries read within limits, its collection checked.

A package is a zip of a collection (an SQLite database), ``media`` (what each media entry's
file is called) and the media files named ``0``, ``1``, ... It comes in two formats:

- the older one (genanki, and Anki with "Support older Anki versions"): ``collection.anki2``
  or ``collection.anki21`` of schema 11, whose note types and decks are JSON in its ``col``
  row, and ``media`` a JSON map from entry name to file name;
- Anki's default since 2.1.50: ``collection.anki21b``, a schema 18 collection whose note
  types, fields, templates and decks have tables of their own (their settings protobuf
  messages), with the collection, ``media`` (a protobuf ``MediaEntries`` list) and every
  media file compressed with Zstandard.

An uploaded package is hostile until shown otherwise: every entry is read, and decompressed,
within a size limit, the collection is opened in memory with every query bounded, and only
plain tables of the types Anki writes are read. Anything else is refused with a
:class:`~srs.bank.BankError`.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import sqlite3
import zipfile
from dataclasses import dataclass
from pathlib import Path

from srs.anki.compressed import media_entries, models_18, protobuf, unzstd
from srs.archive import MAX_FILES, TOTAL_FACTOR, ZIP_ERRORS
from srs.bank import BankError, Problem
from srs.yamlread import UNSTORABLE

__all__ = [
    "CHUNK",
    "COLLECTION",
    "MEDIA",
    "Collection",
    "PackageReader",
    "bound",
    "open_collection",
    "read_collection_tables",
]

COLLECTION = "collection.anki2"
_COLLECTION_21 = "collection.anki21"
_COLLECTION_21B = "collection.anki21b"
MEDIA = "media"
_META = "meta"  # the compressed format's PackageMetadata: its version, 3 for anki21b
CHUNK = 64 * 1024

# Bounds on what an uploaded collection can make the reader do. Every query on it runs
# under one budget of SQLite's virtual-machine steps, counted in units of _STEPS (about two
# seconds of work): reading the most notes and cards allowed, unindexed, takes 2,800 units.
_STEPS = 1000
_STEP_BUDGET = 20_000
_MAX_NOTES = 20_000
_MAX_CARDS = 100_000
_MAX_FIELDS = 64  # fields of one note
_MAX_FIELD_CHARS = 200_000  # one note's fields together
_MAX_DECK_DEPTH = 16
_MAX_DECK_NAME = 500
_MAX_SCHEMA = 200  # tables, indexes and the rest in the collection's schema
_TABLES = ("col", "notes", "cards")
# Schema 18 (collection.anki21b) keeps note types and decks in tables of their own.
_TABLES_18 = ("notetypes", "fields", "templates", "decks")
_MAX_NOTETYPES = 1_000
_MAX_DECKS = 10_000
_SCHEMA = {COLLECTION: 11, _COLLECTION_21: 11, _COLLECTION_21B: 18}


class PackageReader:
    """Reads one package's zip entries within the size limit, collecting problems."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, max_bytes: int) -> None:
        self.path = path
        self.name = str(path)
        self.archive = archive
        self.max_bytes = max_bytes
        self.names = set(archive.namelist())
        self.total = 0
        # In the compressed format, every entry read (collection, media list, media files)
        # is Zstandard-compressed; collection_entry() finds out which format this is.
        self.compressed = False

    def refuse(self, message: str) -> BankError:
        return BankError([Problem(self.name, 1, 1, message)])

    def read(self, entry: str, what: str) -> bytes:
        """The entry's bytes, decompressed in the compressed format, within the limits."""
        data = self._unzip(entry, what)
        if self.compressed:
            data = unzstd(data, self.max_bytes, what, self.refuse)
        # Each file is within the limit; many of them together must be too, as in a zip.
        self.total += len(data)
        if self.total > TOTAL_FACTOR * self.max_bytes:
            raise self.refuse(
                f"the package unpacks to over {TOTAL_FACTOR * self.max_bytes / 1e6:g} MB"
            )
        return data

    def _unzip(self, entry: str, what: str) -> bytes:
        info = self.archive.getinfo(entry)
        limit = f"the limit is {self.max_bytes / 1e6:g} MB"
        if info.file_size > self.max_bytes:
            raise self.refuse(f"{what} is {info.file_size / 1e6:.1f} MB unpacked; {limit}")
        if info.flag_bits & 0x1:
            raise self.refuse(f"{what} is encrypted")
        data = io.BytesIO()
        try:
            with self.archive.open(info) as source:
                while chunk := source.read(CHUNK):
                    # The header's size is the packer's claim; count what comes out.
                    if data.tell() + len(chunk) > self.max_bytes:
                        raise self.refuse(f"{what} is over {self.max_bytes / 1e6:g} MB; {limit}")
                    data.write(chunk)
        except ZIP_ERRORS as error:
            raise self.refuse(f"{what} is damaged ({error})") from None
        return data.getvalue()

    def collection_entry(self) -> str:
        """The collection to read, the newest format first (its companions are stand-ins)."""
        if _COLLECTION_21B in self.names:
            self._check_meta()
            self.compressed = True
            return _COLLECTION_21B
        if _COLLECTION_21 in self.names:
            return _COLLECTION_21
        if COLLECTION in self.names:
            return COLLECTION
        raise self.refuse(
            f"no {COLLECTION}, {_COLLECTION_21} or {_COLLECTION_21B} in the package: "
            "not an Anki deck package"
        )

    def _check_meta(self) -> None:
        """A package of a format newer than anki21b (version 3) is refused by name."""
        if _META not in self.names:
            return
        fields = protobuf(self._unzip(_META, "the package's version (meta)"), "meta", self.refuse)
        version = fields.get(1, [0])[-1]
        if isinstance(version, int) and version > 3:
            raise self.refuse(
                f"the package is of Anki's format version {version}, newer than this reads "
                "(3); export it from Anki with 'Support older Anki versions' ticked"
            )

    def media_map(self) -> dict[str, str]:
        """Zip entry -> media file name, each name checked to be a bare file name."""
        if MEDIA not in self.names:
            return {}
        raw = self.read(MEDIA, "the media list")
        found = media_entries(raw, self.refuse) if self.compressed else self._media_json(raw)
        problems = [
            Problem(self.name, 1, 1, f"media file '{name}': {message}")
            for name in found.values()
            if (message := _media_name_problem(name))
        ]
        if problems:
            raise BankError(problems)
        if len(found) > MAX_FILES:
            raise self.refuse(
                f"the media list names {len(found):,} files; the most is {MAX_FILES:,}"
            )
        return found

    def _media_json(self, raw: bytes) -> dict[str, str]:
        try:
            found = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (ValueError, RecursionError):  # not UTF-8, not JSON, too deep, huge numbers
            found = None
        if not isinstance(found, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in found.items()
        ):
            raise self.refuse("the media list is not the JSON map of a package of this format")
        return found


def _media_name_problem(name: str) -> str | None:
    if not name or name in {".", ".."}:
        return "not a file name"
    if "/" in name or "\\" in name:
        return "the name has '/' or '\\': media names must be bare file names"
    if any(ord(c) < 32 for c in name):
        return "the name has control characters"
    return None


def open_collection(data: bytes, reader: PackageReader) -> sqlite3.Connection:
    """The collection as a database in memory, every later query on it bounded.

    Only plain tables are read: a view, a trigger, a virtual table or a generated column
    runs the package's own SQL when read, which can be made to run for ever (a recursive
    view) or to build huge values; ``trusted_schema`` does not stop either.
    """
    if len(data) >= 20 and data[18:20] == b"\x02\x02":
        # A database saved in WAL mode: an in-memory copy reads it as a rollback journal.
        data = data[:18] + b"\x01\x01" + data[20:]
    db = sqlite3.connect(":memory:")
    bound(db, reader.max_bytes)
    try:
        db.deserialize(data)
        db.execute("PRAGMA trusted_schema = OFF")
        _check_schema(db, reader)
        rows = db.execute("SELECT ver FROM col LIMIT 2").fetchall()
    except sqlite3.Error as error:
        db.close()
        raise _database_error(error, reader) from None
    except BankError:
        db.close()
        raise
    version = rows[0][0] if len(rows) == 1 else None
    wanted = 18 if reader.compressed else 11
    if len(rows) != 1 or not isinstance(version, int) or version != wanted:
        db.close()
        shown = f"schema {version!r}" if len(rows) == 1 else f"{len(rows)} rows in 'col'"
        raise reader.refuse(
            f"the collection has {shown}, not the one row of schema {wanted} of shared "
            "packages; export it again from Anki with 'Support older Anki versions' ticked"
        )
    return db


def bound(db: sqlite3.Connection, max_bytes: int) -> None:
    """Give every query on ``db`` a budget of steps, and no value over ``max_bytes``."""
    steps = itertools.count()

    def over_budget() -> int:
        return int(next(steps) >= _STEP_BUDGET)

    db.set_progress_handler(over_budget, _STEPS)
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(max_bytes, 1_000_000))


def _database_error(error: sqlite3.Error, reader: PackageReader) -> BankError:
    if "interrupted" in str(error):
        return reader.refuse(
            "the collection takes too long to read: it is not a plain Anki collection"
        )
    return reader.refuse("the collection in the package is not an Anki database")


def _check_schema(db: sqlite3.Connection, reader: PackageReader) -> None:
    schema = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master LIMIT ?", (_MAX_SCHEMA + 1,)
    ).fetchall()
    if len(schema) > _MAX_SCHEMA:
        raise reader.refuse(f"the collection's schema has over {_MAX_SCHEMA} entries")
    kinds: dict[str, str] = {}
    for kind, name, _table, sql in schema:
        if kind in {"view", "trigger"}:
            raise reader.refuse(f"the collection has a {kind} '{name}': only plain tables are read")
        if kind == "table" and re.match(r"\s*create\s+virtual\b", sql or "", re.IGNORECASE):
            raise reader.refuse(
                f"the collection has a virtual table '{name}': only plain tables are read"
            )
        kinds[str(name).lower()] = kind
    for table in _TABLES + (_TABLES_18 if reader.compressed else ()):
        if kinds.get(table) != "table":
            raise reader.refuse(f"the collection has no table '{table}': not an Anki collection")
        # hidden 2 and 3 are generated columns, computed by the package's SQL when read.
        columns = db.execute("SELECT hidden FROM pragma_table_xinfo(?)", (table,)).fetchall()
        if any(hidden in {2, 3} for (hidden,) in columns):
            raise reader.refuse(
                f"the collection's table '{table}' has a generated column: "
                "only plain tables are read"
            )


def _load_json(text: object, what: str, reader: PackageReader) -> dict[str, object]:
    """A JSON object from the collection, refused if it is anything else."""
    if not isinstance(text, str):
        raise reader.refuse(f"the collection's {what} are {_kind(text)}, not JSON text")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, nested too deep, a number too long
        raise reader.refuse(f"the collection's {what} are not readable JSON") from None
    if not isinstance(value, dict):
        raise reader.refuse(f"the collection's {what} are {_kind(value)}, not a JSON object")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "NULL"
    names = {bool: "true or false", int: "a number", float: "a number", str: "text"}
    names |= {bytes: "binary data", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _checked_models(models: dict[str, object], reader: PackageReader) -> dict[str, dict]:
    """The note types, each the JSON object Anki writes, with the keys read here checked."""
    for key, model in models.items():
        where = f"the note type {key[:40]!r}"
        if not isinstance(model, dict):
            raise reader.refuse(f"{where} is {_kind(model)}, not a JSON object")
        kind = model.get("type", 0)
        if type(kind) is not int or kind not in {0, 1}:
            raise reader.refuse(f"{where} has 'type' {_kind(kind)}, not 0 (basic) or 1 (cloze)")
        fields = model.get("flds", [])
        if not isinstance(fields, list) or not all(
            isinstance(field, dict) and isinstance(field.get("name", ""), str) for field in fields
        ):
            raise reader.refuse(f"{where} has 'flds' that is not a list of named fields")
    return models  # type: ignore[return-value]


def _checked_decks(decks: dict[str, object], reader: PackageReader) -> dict[str, dict]:
    """The decks, each a JSON object whose name, if any, is text of a bounded depth."""
    for key, deck in decks.items():
        where = f"the deck {key[:40]!r}"
        if not isinstance(deck, dict):
            raise reader.refuse(f"{where} is {_kind(deck)}, not a JSON object")
        name = deck.get("name", "")
        if not isinstance(name, str):
            raise reader.refuse(f"{where} has a name that is {_kind(name)}, not text")
        if len(name) > _MAX_DECK_NAME or name.count("::") >= _MAX_DECK_DEPTH:
            raise reader.refuse(
                f"{where} has a name over {_MAX_DECK_NAME} characters or "
                f"{_MAX_DECK_DEPTH} levels deep"
            )
    return decks  # type: ignore[return-value]


_COLUMNS = {
    # table: the columns read, each with the Python type SQLite must give for it
    "notes": (("id", int), ("guid", str), ("mid", int), ("tags", str), ("flds", str)),
    "cards": (("nid", int), ("did", int)),
    "notetypes": (("id", int), ("name", str), ("config", bytes)),
    "fields": (("ntid", int), ("ord", int), ("name", str)),
    "templates": (("ntid", int), ("ord", int), ("name", str), ("config", bytes)),
    "decks": (("id", int), ("name", str)),
}


def _rows(
    db: sqlite3.Connection, table: str, order: str, most: int, reader: PackageReader
) -> list[tuple]:
    """Every row of ``table``, each column checked to be of the type Anki writes."""
    columns = _COLUMNS[table]
    names = ", ".join(name for name, _ in columns)
    rows = db.execute(
        f"SELECT {names} FROM {table} ORDER BY {order} LIMIT ?",  # noqa: S608 (fixed names)
        (most + 1,),
    ).fetchall()
    if len(rows) > most:
        raise reader.refuse(f"the package has over {most:,} {table}; the most is {most:,}")
    for row in rows:
        for (name, wanted), value in zip(columns, row, strict=True):
            if type(value) is not wanted:
                raise reader.refuse(
                    f"a row of '{table}' ({columns[0][0]} {row[0]!r}) has '{name}' {_kind(value)}, "
                    f"not {_kind(wanted())}"
                )
    return rows


@dataclass(frozen=True, slots=True)
class Collection:
    """What is read of a collection: its note types, decks, notes and cards, all checked."""

    models: dict[str, dict]
    decks: dict[str, dict]
    notes: list[tuple]  # (id, guid, mid, tags, flds)
    cards: list[tuple]  # (nid, did), in note order


def read_collection_tables(db: sqlite3.Connection, reader: PackageReader) -> Collection:
    """The collection's note types, decks, notes and cards, each checked for shape and size.

    Raises:
        BankError: a table is missing, malformed, over its bounds, or holds text a bank
            cannot store.
    """
    found_models: dict[str, object]
    found_decks: dict[str, object]
    try:
        models_text, decks_text = db.execute("SELECT models, decks FROM col").fetchone()
        notes = _rows(db, "notes", "id", _MAX_NOTES, reader)
        cards = _rows(db, "cards", "nid, ord", _MAX_CARDS, reader)
        if reader.compressed:
            found_models = models_18(
                _rows(db, "notetypes", "id", _MAX_NOTETYPES, reader),
                _rows(db, "fields", "ntid, ord", _MAX_NOTETYPES * _MAX_FIELDS, reader),
                _rows(db, "templates", "ntid, ord", _MAX_NOTETYPES * _MAX_FIELDS, reader),
                reader.refuse,
            )
            found_decks = {
                # A deck's path is kept with \x1f between its levels, shown as :: in Anki.
                str(deck_id): {"id": deck_id, "name": name.replace("\x1f", "::")}
                for deck_id, name in _rows(db, "decks", "id", _MAX_DECKS, reader)
            }
    except sqlite3.Error as error:
        raise _database_error(error, reader) from None
    if not reader.compressed:
        found_models = _load_json(models_text, "note types (models)", reader)
        found_decks = _load_json(decks_text, "decks", reader)
    models = _checked_models(found_models, reader)
    decks = _checked_decks(found_decks, reader)
    if not notes:
        raise reader.refuse("the package has no notes")
    for _note_id, guid, _model_id, tags, fields_text in notes:
        if len(fields_text) > _MAX_FIELD_CHARS or fields_text.count("\x1f") >= _MAX_FIELDS:
            raise reader.refuse(
                f"note {guid[:40]!r} has over {_MAX_FIELDS} fields or "
                f"{_MAX_FIELD_CHARS:,} characters"
            )
        for what, text in (("guid", guid), ("tags", tags), ("fields", fields_text)):
            if found := UNSTORABLE.search(text):
                raise reader.refuse(
                    f"note {guid[:40]!r} has in its {what} character U+{ord(found.group()):04X}, "
                    "which cannot be stored in a bank"
                )
    return Collection(models, decks, notes, cards)

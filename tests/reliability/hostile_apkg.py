"""A family of hostile Anki packages, each built from a good one by one change.

A good package is written by the app's own exporter; each case then changes its collection
with SQL (a column NULL or of the wrong type, a JSON column of the wrong shape, a view in
place of a table, ...) or its media list, and names a part of the message it must be
refused with. Generated, not stored: the family grows by adding a line.
"""

# The SQL here is hostile on purpose, built from fixed pieces and run on a copy in memory.
# ruff: noqa: S608

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from srs.sources import load_bank

__all__ = ["APKG_CORPUS", "HostileApkg", "good_apkg"]

_BANK = b"""\
id: deck
title: Deck
sections:
  - {id: one, title: One}
questions:
  - {id: q1, type: basic, section: one, prompt: p, answer: a}
  - {id: q2, type: cloze, text: 'x {{c1::y}}'}
"""
_RECURSIVE = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)"


@lru_cache(maxsize=1)
def good_apkg() -> bytes:
    """A package of two notes (a basic and a cloze one) in a deck with a subdeck."""
    from srs.anki import write_apkg

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "bank.yaml").write_bytes(_BANK)
        target = Path(folder) / "deck.apkg"
        write_apkg(load_bank(Path(folder) / "bank.yaml"), target)
        return target.read_bytes()


@dataclass(frozen=True)
class HostileApkg:
    """A change to the good package and a part of the message it must be refused with."""

    name: str
    sql: str = ""  # run on the collection
    loose: str = ""  # a table first rebuilt without types or NOT NULL, to store anything
    media: bytes | None = None  # the media list instead of the good one
    entries: Callable[[dict[str, bytes]], dict[str, bytes]] | None = None
    message: str = ""

    def package(self) -> bytes:
        with zipfile.ZipFile(io.BytesIO(good_apkg())) as archive:
            files = {name: archive.read(name) for name in archive.namelist()}
        if self.sql:
            db = sqlite3.connect(":memory:")
            db.deserialize(files["collection.anki2"])
            if self.loose:
                table = self.loose
                columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
                db.executescript(
                    f"CREATE TABLE loose ({', '.join(columns)}); "
                    f"INSERT INTO loose SELECT * FROM {table}; DROP TABLE {table}; "
                    f"ALTER TABLE loose RENAME TO {table};"
                )
            db.executescript(self.sql)
            files["collection.anki2"] = db.serialize()
            db.close()
        if self.media is not None:
            files["media"] = self.media
        if self.entries is not None:
            files = self.entries(files)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return buffer.getvalue()


def _json(column: str, value: str, message: str, name: str) -> HostileApkg:
    return HostileApkg(
        name, f"UPDATE col SET {column} = '{value.replace(chr(39), chr(39) * 2)}';", message=message
    )


def _model(patch: dict[str, object]) -> str:
    """The models JSON with every note type changed by ``patch``: as SQL, applied in place."""
    body = ", ".join(f"'$.{key}', json('{json.dumps(value)}')" for key, value in patch.items())
    return (
        "UPDATE col SET models = (SELECT json_group_object(key, json_set(value, "
        f"{body})) FROM json_each(col.models));"
    )


def _deck(patch: dict[str, object]) -> str:
    body = ", ".join(f"'$.{key}', json('{json.dumps(value)}')" for key, value in patch.items())
    return (
        "UPDATE col SET decks = (SELECT json_group_object(key, json_set(value, "
        f"{body})) FROM json_each(col.decks));"
    )


_DEEP = 100_000
_NOTES_VIEW = (
    "DROP TABLE notes; CREATE VIEW notes AS "
    f"{_RECURSIVE} SELECT n AS id, 'g' || n AS guid, 1 AS mid, '' AS tags, 'a' AS flds FROM r;"
)


def _only(*names: str) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def keep(files: dict[str, bytes]) -> dict[str, bytes]:
        return {name: data for name, data in files.items() if name in names}

    return keep


def _anki21b(files: dict[str, bytes]) -> dict[str, bytes]:
    # Anki 2.1.50+: the real collection zstd-compressed, beside a stub that says to update.
    return {"collection.anki21b": b"\x28\xb5\x2f\xfd" + b"\0" * 64, "media": b"\x28\xb5\x2f\xfd"}


APKG_CORPUS: list[HostileApkg] = [
    # -- the JSON columns of col, each of the wrong type or shape
    _json("models", "[]", "note types (models) are a list, not a JSON object", "models-a-list"),
    _json("models", '"x"', "note types (models) are text, not a JSON object", "models-a-string"),
    _json("models", "5", "note types (models) are a number", "models-a-number"),
    _json("models", "null", "note types (models) are NULL", "models-json-null"),
    HostileApkg("models-sql-null", "UPDATE col SET models = NULL;", loose="col", message="are NULL, not JSON text"),
    HostileApkg("models-a-blob", "UPDATE col SET models = x'00ff';", message="binary data, not JSON text"),
    HostileApkg("models-an-integer", "UPDATE col SET models = 7;", loose="col", message="a number, not JSON text"),
    _json("models", "{nope", "note types (models) are not readable JSON", "models-not-json"),
    _json("models", "[" * _DEEP + "]" * _DEEP, "not readable JSON", "models-nested-deep"),
    _json("models", '{"a":' * _DEEP + "1" + "}" * _DEEP, "not readable JSON", "models-objects-deep"),
    _json("models", '{"1": {"type": 1' + "0" * 5000 + "}}", "not readable JSON", "models-huge-int"),
    _json("models", '{"1": "x"}', "the note type '1' is text, not a JSON object", "model-a-string"),
    _json("models", '{"1": []}', "the note type '1' is a list", "model-a-list"),
    HostileApkg("model-type-text", _model({"type": "1"}), message="has 'type' text"),
    HostileApkg("model-type-huge", _model({"type": 10**30}), message="has 'type' a number, not 0"),
    HostileApkg("model-type-bool", _model({"type": True}), message="has 'type' true or false"),
    HostileApkg("model-fields-an-object", _model({"flds": {}}), message="'flds' that is not a list"),
    HostileApkg("model-field-names-ints", _model({"flds": [{"name": 1}]}), message="'flds' that is not a list"),
    HostileApkg("model-fields-strings", _model({"flds": ["Front"]}), message="'flds' that is not a list"),
    _json("decks", "[]", "decks are a list, not a JSON object", "decks-a-list"),
    _json("decks", '{"1": "Default"}', "the deck '1' is text, not a JSON object", "deck-a-string"),
    _json("decks", "[" * _DEEP + "]" * _DEEP, "decks are not readable JSON", "decks-nested-deep"),
    HostileApkg("decks-sql-null", "UPDATE col SET decks = NULL;", loose="col", message="decks are NULL"),
    HostileApkg("deck-name-a-number", _deck({"name": 5}), message="has a name that is a number"),
    HostileApkg("deck-name-a-list", _deck({"name": ["a"]}), message="has a name that is a list"),
    HostileApkg("deck-name-deep", _deck({"name": "a::" * 5000 + "b"}), message="levels deep"),
    # -- the columns of notes and cards, NULL or of the wrong type
    HostileApkg("tags-null", "UPDATE notes SET tags = NULL;", loose="notes", message="has 'tags' NULL, not text"),
    HostileApkg("tags-a-number", "UPDATE notes SET tags = 5;", loose="notes", message="has 'tags' a number, not text"),
    HostileApkg("flds-an-integer", "UPDATE notes SET flds = 5;", loose="notes", message="has 'flds' a number, not text"),
    HostileApkg("flds-null", "UPDATE notes SET flds = NULL;", loose="notes", message="has 'flds' NULL"),
    HostileApkg("flds-a-blob", "UPDATE notes SET flds = x'61';", message="has 'flds' binary data"),
    HostileApkg("guid-an-integer", "UPDATE notes SET guid = 7;", loose="notes", message="has 'guid' a number, not text"),
    HostileApkg("guid-null", "UPDATE notes SET guid = NULL;", loose="notes", message="has 'guid' NULL"),
    HostileApkg("mid-text", "UPDATE notes SET mid = 'x';", message="has 'mid' text, not a number"),
    HostileApkg("mid-a-float", "UPDATE notes SET mid = 1.5;", message="has 'mid' a number"),
    HostileApkg("card-did-null", "UPDATE cards SET did = NULL;", loose="cards", message="has 'did' NULL, not a number"),
    HostileApkg("card-nid-text", "UPDATE cards SET nid = 'x';", message="has 'nid' text"),
    HostileApkg("too-many-fields", "UPDATE notes SET flds = flds || printf('%.*c', 100, char(31));", message="over 64 fields"),
    HostileApkg("field-too-long", "UPDATE notes SET flds = flds || printf('%.*c', 200001, 'x');", message="200,000 characters"),
    HostileApkg("too-many-notes", f"INSERT INTO notes (id, guid, mid, mod, usn, tags, flds, sfld, csum, flags, data) {_RECURSIVE} SELECT 10 + n, 'n' || n, 1, 0, 0, '', 'a', 'a', 0, 0, '' FROM r LIMIT 20001;", message="over 20,000 notes"),
    # -- the schema: views, triggers, virtual tables, generated columns, missing tables
    HostileApkg("notes-a-recursive-view", _NOTES_VIEW, message="a view 'notes': only plain tables"),
    HostileApkg("cards-a-recursive-view", f"DROP TABLE cards; CREATE VIEW cards AS {_RECURSIVE} SELECT n AS nid, 1 AS did, 0 AS ord FROM r;", message="a view 'cards'"),
    HostileApkg("col-a-view", "ALTER TABLE col RENAME TO c2; CREATE VIEW col AS SELECT * FROM c2;", message="a view 'col'"),
    HostileApkg("an-unused-view", f"CREATE VIEW spin AS {_RECURSIVE} SELECT n FROM r;", message="a view 'spin'"),
    HostileApkg("a-trigger", "CREATE TRIGGER t AFTER INSERT ON notes BEGIN DELETE FROM cards; END;", message="a trigger 't'"),
    HostileApkg("a-virtual-table", "CREATE VIRTUAL TABLE v USING rtree(id, a, b);", message="a virtual table 'v'"),
    HostileApkg("a-generated-column", "ALTER TABLE notes ADD COLUMN big TEXT GENERATED ALWAYS AS (printf('%.*c', 1000000000, 'x')) VIRTUAL;", message="table 'notes' has a generated column"),
    HostileApkg("no-notes-table", "DROP TABLE notes;", message="has no table 'notes'"),
    HostileApkg("no-cards-table", "DROP TABLE cards;", message="has no table 'cards'"),
    HostileApkg("no-col-table", "DROP TABLE col;", message="has no table 'col'"),
    HostileApkg("schema-huge", "".join(f"CREATE TABLE t{i} (x);" for i in range(201)), message="schema has over 200 entries"),
    # -- col itself
    HostileApkg("col-empty", "DELETE FROM col;", message="0 rows in 'col'"),
    HostileApkg("col-two-rows", "INSERT INTO col SELECT 2, crt, mod, scm, ver, dty, usn, ls, conf, models, decks, dconf, tags FROM col;", message="2 rows in 'col'"),
    HostileApkg("ver-18", "UPDATE col SET ver = 18;", message="schema 18"),
    HostileApkg("ver-text", "UPDATE col SET ver = '11x';", message="schema '11x'"),
    HostileApkg("ver-null", "UPDATE col SET ver = NULL;", loose="col", message="schema None"),
    HostileApkg("ver-huge", "UPDATE col SET ver = 9223372036854775807;", message="schema 9223372036854775807"),
    # -- the media list and the package's entries
    HostileApkg("media-a-list", media=b"[]", message="the media list is not the JSON map"),
    HostileApkg("media-values-ints", media=b'{"0": 1}', message="the media list is not the JSON map"),
    HostileApkg("media-nested-deep", media=b"[" * _DEEP + b"]" * _DEEP, message="the media list is not the JSON map"),
    HostileApkg("media-huge-int", media=b'{"0": ' + b"9" * 5000 + b"}", message="the media list is not the JSON map"),
    HostileApkg("media-not-utf8", media=b'{"0": "\xff"}', message="the media list is not the JSON map"),
    HostileApkg("media-too-many", media=json.dumps({str(i): f"{i}.png" for i in range(2001)}).encode(), message="names 2,001 files; the most is 2,000"),
    HostileApkg("media-path", media=b'{"0": "../x.png"}', message="media names must be bare file names"),
    HostileApkg("collection-missing", entries=_only("media"), message="not an Anki deck package"),
    HostileApkg("collection-not-sqlite", entries=lambda files: {**files, "collection.anki2": b"SQLite format 3\0" + b"\xff" * 200}, message="not an Anki database"),
    HostileApkg("anki21b-zstd", entries=_anki21b, message="the collection (collection.anki21b) is cut short"),
    # -- characters no database column can keep
    HostileApkg("nul-in-a-field", "UPDATE notes SET flds = 'p' || char(0) || char(31) || 'a';", message="has in its fields character U+0000"),
    HostileApkg("nul-in-tags", "UPDATE notes SET tags = ' a' || char(0) || 'b ';", message="has in its tags character U+0000"),
    HostileApkg("nul-in-a-deck-name", _deck({"name": "De\u0000ck"}), message="has in its name character U+0000"),
]  # fmt: skip

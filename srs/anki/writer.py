"""A bank written as an Anki package (``.apkg``) that Anki imports.

One note per question in Wengu's own note types (fixed ids, so a later export updates
them), a subdeck per section following the outline, the diagrams as media, and GUIDs made
from the bank and question ids, so that importing a re-export after an edit updates the
notes in place. With ``scheduling``, a learner's own schedule goes along and Anki shows
the same due dates, with each card's answers in Anki's review log (its history, and what
Anki's FSRS optimizer fits parameters to).

genanki builds the collection database; it is built in memory and zipped here, so nothing
is written to the temporary folder (genanki's own ``write_to_file`` leaves a temporary file
behind each time).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import os
import re
import sqlite3
import tempfile
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import genanki

from srs.anki.fields import FieldRenderer
from srs.anki.notetypes import (
    FIELDS_CHANGED,
    NOTE_TYPES_CHANGED,
    SECTION_TAG,
    note_seed,
    note_types,
)
from srs.anki.package import COLLECTION, MEDIA
from srs.anki.wengu_notes import deck_marker
from srs.bank import Bank, Question
from srs.questions import question_type
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.study import study_day

__all__ = ["CardSchedule", "PastAnswer", "write_apkg"]

# Anki's card types and queues (``cards.type``, ``cards.queue``).
_ANKI_TYPE = {NEW: 0, LEARNING: 1, REVIEW: 2, RELEARNING: 3}
_QUEUE_SUSPENDED = -1
_QUEUE = {NEW: 0, LEARNING: 1, REVIEW: 2, RELEARNING: 1}
_QUEUE_DAY_LEARNING = 3  # a learning card due on a later day: due is a day number
_DEFAULT_EASE = 2500  # Anki's starting ease, per mille; FSRS does not read it
# Anki's kinds of review-log row (``revlog.type``), by the card's state when answered.
_REVLOG_TYPE = {NEW: 0, LEARNING: 0, REVIEW: 1, RELEARNING: 2}
_LONGEST_ANSWER_MS = 60_000  # Anki keeps an answer's time up to its default cap, 60 s
_DAY_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class PastAnswer:
    """One answer to a card, as Anki's review log keeps it: when, the rating (1 Again to
    4 Easy), the card's state before it, when the card was due next after it, and how long
    the answer took."""

    at: datetime
    rating: int
    state_before: int
    due_after: datetime
    learning_after: bool  # due again within its (re)learning steps
    elapsed_ms: int | None


@dataclass(frozen=True, slots=True)
class CardSchedule:
    """A learner's schedule of one card, as Wengu keeps it.

    ``state`` is one of :mod:`srs.scheduler`'s ``NEW``, ``LEARNING``, ``REVIEW``,
    ``RELEARNING``; ``stability`` and ``difficulty`` are FSRS's memory state, when known.
    """

    due: datetime
    interval_days: int
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    state: int
    suspended: bool
    history: tuple[PastAnswer, ...] = ()  # its answers, oldest first


def _stable_id(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _note_fields(bank: Bank, question: Question, render: FieldRenderer) -> list[str]:
    """The fields of a question's note, in the order of its note type's fields."""
    kind = question_type(question.type)
    return [
        *kind.anki_note(question.content(), render, note_seed(bank.id, question.id)),
        render.html(question.explanation),
        html.escape(f"{bank.id}/{question.id}"),
    ]


def _deck_names(bank: Bank) -> dict[str | None, str]:
    """Anki's ``::`` deck path of each section (``None``: the bank's own deck).

    Anki lists subdecks by name, so each section's name starts with its place among its
    siblings in the outline ("01 概述"), zero-padded to the width their count needs (two
    digits at least), and Anki lists them as the outline does.
    """

    def clean(title: str) -> str:
        # "::" separates Anki's deck levels; inside a title it would add one.
        return re.sub(r"\s+", " ", title.replace("::", ":")).strip() or "-"

    siblings: dict[str | None, list[str]] = {}
    for section in bank.sections:
        siblings.setdefault(section.parent, []).append(section.id)
    names: dict[str | None, str] = {None: clean(bank.title)}
    for section in bank.sections:  # parents come before their children
        group = siblings[section.parent]
        width = max(2, len(str(len(group))))
        place = str(group.index(section.id) + 1).zfill(width)
        names[section.id] = f"{names[section.parent]}::{place} {clean(section.title)}"
    return names


def _tags(bank: Bank, question: Question, parents: Mapping[str, str | None]) -> list[str]:
    """A note's tags, all under the bank's own tag (``docker::network``), its section's
    path of ids under ``<bank>::section`` (``docker::section::networking::bridge``)."""
    tags = [f"{bank.id}::{tag}" for tag in question.tags]
    if question.section:
        path: list[str] = []
        section: str | None = question.section
        while section is not None:
            path.insert(0, section)
            section = parents.get(section)
        tags.append("::".join([bank.id, SECTION_TAG, *path]))
    return list(dict.fromkeys(tags))


def _anki_day(moment: datetime, zone: str, rollover_hour: int, created: date) -> int:
    """The day number Anki gives the study day ``moment`` falls in, for a collection
    whose day 0 is ``created``."""
    return (study_day(moment, zone, rollover_hour).date - created).days


def _apply_scheduling(
    db: sqlite3.Connection,
    bank: Bank,
    scheduling: Mapping[tuple[str, int], CardSchedule],
    zone: str,
    rollover_hour: int,
    now: datetime,
) -> None:
    """Give the package's cards the learner's schedule.

    The collection is told to count days as Anki 2.1.50+ does (scheduler v2, the new day
    cutoff, created on a fixed UTC date); Anki's importer then moves each review card's
    day number by how far its own collection's day count differs, so the card keeps its
    date. Learning cards due today are due at a moment (epoch seconds), which needs no
    moving; those due on a later day wait in Anki's day-learning queue, by day number.
    """
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r}") from None
    crt, conf_text = db.execute("SELECT crt, conf FROM col").fetchone()
    conf = json.loads(conf_text)
    conf.update({"schedVer": 2, "rollover": rollover_hour, "creationOffset": 0})
    db.execute("UPDATE col SET conf = ?", (json.dumps(conf),))
    created = datetime.fromtimestamp(crt, timezone.utc).date()
    today = _anki_day(now, zone, rollover_hour, created)

    questions = {question.id: question for question in bank.questions}
    note_ids = _note_ids(db)
    for (question_id, ordinal), schedule in scheduling.items():
        question = questions.get(question_id)
        if question is None or ordinal not in question.card_ordinals:
            continue
        if schedule.state not in _ANKI_TYPE:
            raise ValueError(f"card {question_id}/{ordinal}: unknown state {schedule.state}")
        queue = _QUEUE[schedule.state]
        day = _anki_day(schedule.due, zone, rollover_hour, created)
        if schedule.state == NEW:
            due = None  # keeps its place among the new cards
        elif schedule.state == REVIEW:
            due = day
        elif day > today:
            queue, due = _QUEUE_DAY_LEARNING, day
        else:
            due = int(schedule.due.timestamp())
        if schedule.suspended:
            queue = _QUEUE_SUSPENDED
        note_id = note_ids[genanki.guid_for(bank.id, question.id)]
        _update_card(db, note_id, question, ordinal, schedule, queue, due)
        if schedule.history:
            card_id = db.execute(
                "SELECT id FROM cards WHERE nid = ? AND ord = ?",
                (note_id, question_type(question.type).anki_card(ordinal)),
            ).fetchone()[0]
            _write_history(db, card_id, schedule.history)


def _write_history(db: sqlite3.Connection, card_id: int, history: tuple[PastAnswer, ...]) -> None:
    """One review-log row for each answer to the card. A row's id is the moment of the
    answer in milliseconds, as Anki's own are, so that importing a later export again adds
    only the answers given since (Anki keeps a log row once, by its id)."""
    rows = []
    last_interval = 0
    for past in history:
        seconds = (past.due_after - past.at).total_seconds()
        # Anki's intervals: days for a review, negative seconds for a (re)learning step.
        interval = (
            -max(1, round(seconds))
            if past.learning_after
            else max(1, round(seconds / _DAY_SECONDS))
        )
        learning = past.state_before in {NEW, LEARNING}
        rows.append(
            (
                int(past.at.timestamp() * 1000),
                card_id,
                -1,
                past.rating,
                interval,
                last_interval,
                0 if learning else _DEFAULT_EASE,
                min(max(0, past.elapsed_ms or 0), _LONGEST_ANSWER_MS),
                _REVLOG_TYPE[past.state_before],
            )
        )
        last_interval = interval
    db.executemany(
        "INSERT OR IGNORE INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def _update_card(
    db: sqlite3.Connection,
    note_id: int,
    question: Question,
    ordinal: int,
    schedule: CardSchedule,
    queue: int,
    due: int | None,
) -> None:
    """Write one card's schedule into the package's ``cards`` row."""
    memory = None
    if schedule.stability is not None and schedule.difficulty is not None:
        # Anki keeps FSRS's memory state in cards.data as {"s": ..., "d": ...}.
        memory = json.dumps({"s": round(schedule.stability, 3), "d": round(schedule.difficulty, 3)})
    learning = schedule.state in {LEARNING, RELEARNING}
    db.execute(
        """
        UPDATE cards SET type = ?, queue = ?, due = coalesce(?, due), ivl = ?,
            factor = ?, reps = ?, lapses = ?, left = ?, data = coalesce(?, data)
        WHERE ord = ? AND nid = ?
        """,
        (
            _ANKI_TYPE[schedule.state],
            queue,
            due,
            max(0, schedule.interval_days),
            0 if schedule.state == NEW else _DEFAULT_EASE,
            schedule.reps,
            schedule.lapses,
            1 if learning else 0,
            memory,
            question_type(question.type).anki_card(ordinal),
            note_id,
        ),
    )


def _note_ids(db: sqlite3.Connection) -> dict[str, int]:
    """The id of each note of the package, by guid."""
    return {guid: note_id for note_id, guid in db.execute("SELECT id, guid FROM notes")}


def _settle(
    db: sqlite3.Connection, bank: Bank, modified: Mapping[str, datetime], top_deck: int
) -> None:
    """Give notes and note types modification times that change only with them, and leave
    no deck but the bank's.

    Anki's importer updates a note (fields and tags) or a note type it already has only
    from a newer one: stamped with the export's time, every re-export would replace them
    all, and with them the tags a learner added (marked, leech) and their changes to the
    note types. A note is stamped with when its question last changed (``modified``), and
    never before :data:`FIELDS_CHANGED`, when Wengu last changed how it writes fields; the
    note types with :data:`NOTE_TYPES_CHANGED`.

    genanki writes Anki's "Default" deck into every package and points the note types and
    the collection's current deck at it; here they point at the bank's own deck, and the
    package holds only the bank's decks.
    """
    floor = int(FIELDS_CHANGED.timestamp())
    # By note id, which the collection indexes (``notes.guid`` has no index: a statement
    # by guid reads every note, and a bank's worth of them took seconds).
    note_ids = _note_ids(db)
    stamps = []
    for question in bank.questions:
        when = modified.get(question.id)
        stamp = max(floor, int(when.timestamp())) if when else floor
        stamps.append((stamp, note_ids[genanki.guid_for(bank.id, question.id)]))
    db.executemany("UPDATE notes SET mod = ? WHERE id = ?", stamps)
    db.executemany("UPDATE cards SET mod = ? WHERE nid = ?", stamps)
    models_text, decks_text, conf_text = db.execute(
        "SELECT models, decks, conf FROM col"
    ).fetchone()
    models = json.loads(models_text)
    for model in models.values():
        model.update(mod=int(NOTE_TYPES_CHANGED.timestamp()), did=top_deck)
    decks = {key: deck for key, deck in json.loads(decks_text).items() if key != "1"}
    conf = json.loads(conf_text) | {"curDeck": top_deck, "activeDecks": [top_deck]}
    db.execute(
        "UPDATE col SET models = ?, decks = ?, conf = ?",
        (json.dumps(models), json.dumps(decks), json.dumps(conf)),
    )


def _collection_bytes(
    bank: Bank,
    modified: Mapping[str, datetime] | None,
    scheduling: Mapping[tuple[str, int], CardSchedule] | None,
    zone: str,
    rollover_hour: int,
    now: datetime,
) -> tuple[bytes, dict[str, bytes]]:
    """The package's collection database and its media files, by file name."""
    render = FieldRenderer(bank)
    models = note_types()
    names = _deck_names(bank)
    parents = {section.id: section.parent for section in bank.sections}
    decks = {
        key: genanki.Deck(
            _stable_id("deck", bank.id, key or ""),
            name,
            # The section's id, unseen, so that reading the package back keeps it.
            (html.escape(bank.description or "") if key is None else "")
            + deck_marker(bank, key, render.media if key is None else None),
        )
        for key, name in names.items()
    }
    for position, question in enumerate(bank.questions, 1):
        note = genanki.Note(
            model=models[question.type],
            fields=_note_fields(bank, question, render),
            tags=_tags(bank, question, parents),
            guid=genanki.guid_for(bank.id, question.id),
            due=position,
        )
        decks[question.section].add_note(note)

    timestamp = now.timestamp()
    db = sqlite3.connect(":memory:")
    try:
        with warnings.catch_warnings():
            # genanki warns about "invalid HTML" by a regular expression; these fields
            # come from the sanitiser, which writes well-formed HTML.
            warnings.filterwarnings("ignore", module="genanki", message="^Field contained")
            genanki.Package(list(decks.values())).write_to_db(
                db.cursor(), timestamp, itertools.count(int(timestamp * 1000))
            )
        _settle(db, bank, modified or {}, decks[None].deck_id)
        if scheduling:
            _apply_scheduling(db, bank, scheduling, zone, rollover_hour, now)
        db.commit()
        data = db.serialize()
    finally:
        db.close()
    media = {
        render.media[diagram.path]: diagram.data
        for diagram in bank.diagrams
        if diagram.path in render.used
    }
    return data, media | render.masked


def write_apkg(
    bank: Bank,
    target: Path,
    *,
    modified: Mapping[str, datetime] | None = None,
    scheduling: Mapping[tuple[str, int], CardSchedule] | None = None,
    zone: str = "UTC",
    rollover_hour: int = 4,
    now: datetime | None = None,
) -> None:
    """Write ``bank`` as an Anki package at ``target``, replacing it only once complete.

    Args:
        bank: the bank; every question becomes one note in a note type of its type.
        target: the ``.apkg`` file to write.
        scheduling: the learner's schedule by ``(question id, card ordinal)``, the ordinal as
            in :attr:`Question.card_ordinals`; cards without an entry arrive new, entries
            for cards the bank does not make are ignored.
        zone: the learner's time zone, and ``rollover_hour`` the hour their day starts:
            a review card is due in Anki on the study day its ``due`` falls in there.
        modified: when each question (by id) last changed, its note's modification time:
            Anki updates a note it already has only from a newer one, so a re-export updates
            just the notes of questions changed since (and keeps the learner's own tags on
            the others). A question without one gets :data:`FIELDS_CHANGED`.
        now: when the export is made: learning cards due on a later study day than this
            wait for that day. Defaults to now.

    Raises:
        ValueError: a schedule with an unknown state, or an unknown ``zone``.
        OSError: ``target`` cannot be written.
    """
    moment = now or datetime.now(timezone.utc)
    collection, media = _collection_bytes(bank, modified, scheduling, zone, rollover_hour, moment)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
                package.writestr(COLLECTION, collection)
                package.writestr(MEDIA, json.dumps({str(i): n for i, n in enumerate(media)}))
                for index, data in enumerate(media.values()):
                    package.writestr(str(index), data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)

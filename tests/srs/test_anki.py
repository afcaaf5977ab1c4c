"""Anki packages: the Docker bank as Anki imports it, schedules kept, packages read back.

The tests that import into Anki use the ``anki`` package (Anki's own backend); without it
they skip, or fail where ``WENGU_TESTS_REQUIRE_ALL=1``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
import sqlite3
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import genanki
import pytest

from config import PROJECT_ROOT
from srs.anki import MODEL_IDS, CardSchedule, read_apkg, write_apkg
from srs.anki import writer as anki_writer
from srs.anki.fields import FieldRenderer, field_markdown, from_anki
from srs.anki.notetypes import NOTE_TYPES_DIGEST, note_types_digest
from srs.anki.package import bound
from srs.anki.wengu_notes import diagram_paths
from srs.bank import Bank, BankError, Question
from srs.cjk import join_soft_breaks
from srs.cloze import cloze_numbers
from srs.export import write_bank_folder
from srs.questions.words import bank_words
from srs.render import render_markdown
from srs.scheduler import LEARNING, RELEARNING, REVIEW
from srs.sources import load_bank
from srs.study import study_day
from tests.support import require

if TYPE_CHECKING:
    from anki.cards import Card
    from anki.notes import Note

try:
    from anki.collection import (
        Collection,
        ExportAnkiPackageOptions,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )
except ImportError:  # pragma: no cover - depends on the machine
    Collection = None

ANKI_MISSING = (
    "the anki package (Anki's backend) is not installed: pip install -r requirements-dev.txt"
)
TITLE = "Docker 核心概念"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(PROJECT_ROOT / "quizzes/docker")


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """An empty Anki collection of its own."""
    require(Collection is not None, ANKI_MISSING)
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def import_package(col: Collection, package: Path) -> Any:  # Anki's import log
    request = ImportAnkiPackageRequest(
        package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    return col.import_anki_package(request).log


def wengu_note(col: Collection, bank_id: str, question_id: str) -> Note:
    (note_id,) = col.find_notes(f'"Wengu ID:{bank_id}/{question_id}"')
    return col.get_note(note_id)


def package_notes(package: Path) -> dict[str, list[str]]:
    """The fields of each note in a package, by GUID, read without Anki."""
    with zipfile.ZipFile(package) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    rows = db.execute("SELECT guid, flds FROM notes").fetchall()
    db.close()
    return {guid: fields.split("\x1f") for guid, fields in rows}


def local_zone() -> str:
    """An IANA name for this machine's UTC offset, which Anki's day count uses."""
    offset = datetime.now().astimezone().utcoffset() or timedelta()
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest:
        pytest.skip("this machine's UTC offset is not a whole number of hours")
    return "UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


# -- writing -------------------------------------------------------------------------------


def test_docker_bank_imports_one_note_per_question(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    log = import_package(collection, tmp_path / "docker.apkg")
    assert len(log.new) == len(bank.questions) == collection.note_count()
    for question in bank.questions[:20]:
        note = wengu_note(collection, bank.id, question.id)
        assert note.guid == genanki.guid_for(bank.id, question.id)


def test_cards_per_note_type_match_wengus_cards(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    import_package(collection, tmp_path / "docker.apkg")
    expected: Counter[int] = Counter()
    for question in bank.questions:
        expected[MODEL_IDS[question.type]] += len(question.card_ordinals)
    found = Counter(
        collection.get_card(card_id).note_type()["id"] for card_id in collection.find_cards("")
    )
    assert found == expected
    assert sum(found.values()) == collection.card_count() == sum(expected.values())


def test_every_diagram_is_shipped_and_shown(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    import_package(collection, tmp_path / "docker.apkg")
    media = {path.name for path in Path(collection.media.dir()).iterdir()}
    fields = " ".join(
        " ".join(collection.get_note(note_id).fields) for note_id in collection.find_notes("")
    )
    for diagram in bank.diagrams:
        name = f"docker-{diagram.path.replace('/', '-')}"
        assert name in media
        assert f'src="{name}"' in fields
    check = collection.media.check()
    assert list(check.missing) == [] and list(check.unused) == []


def test_sections_become_subdecks_along_the_outline(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    import_package(collection, tmp_path / "docker.apkg")
    decks = {deck.name for deck in collection.decks.all_names_and_ids()}
    # bridge sits under 网络驱动 (network-drivers), under 网络 (networking), the 4th section.
    assert f"{TITLE}::04 网络::02 网络驱动::01 bridge" in decks
    question = next(q for q in bank.questions if q.section == "bridge")
    note = wengu_note(collection, bank.id, question.id)
    assert collection.decks.name(note.cards()[0].did) == f"{TITLE}::04 网络::02 网络驱动::01 bridge"


def test_subdecks_sort_in_anki_as_the_outline(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    import_package(collection, tmp_path / "docker.apkg")
    # Anki's deck list, depth first, children in its own order.
    listed: list[str] = []

    def walk(node: Any) -> None:
        for child in node.children:
            listed.append(collection.decks.name(child.deck_id))
            walk(child)

    walk(collection.sched.deck_due_tree())
    ours = [name.split("::")[-1] for name in listed if name.startswith(f"{TITLE}::")]
    titles = {s.id: s.title for s in bank.sections}
    outline: list[str] = []

    def add(parent: str | None) -> None:
        for section in (s for s in bank.sections if s.parent == parent):
            outline.append(titles[section.id])
            add(section.id)

    add(None)
    assert [name.split(" ", 1)[1] for name in ours] == outline
    assert ours[0] == "01 概述"


def test_the_package_adds_no_default_deck(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    with zipfile.ZipFile(tmp_path / "docker.apkg") as archive:
        db = sqlite3.connect(":memory:")
        db.deserialize(archive.read("collection.anki2"))
    decks = json.loads(db.execute("SELECT decks FROM col").fetchone()[0])
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
    db.close()
    assert "Default" not in {deck["name"] for deck in decks.values()}
    assert {model["did"] for model in models.values()} <= {int(key) for key in decks}
    # Anki's own Default deck (id 1) is renamed by this learner: importing adds no other.
    default = collection.decks.get(1)
    default["name"] = "我的牌组"
    collection.decks.save(default)
    import_package(collection, tmp_path / "docker.apkg")
    names = [deck.name for deck in collection.decks.all_names_and_ids()]
    assert "Default" not in names
    assert collection.decks.card_count(1, include_subdecks=False) == 0


def test_tags_live_under_the_banks_own_tag(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    import_package(collection, tmp_path / "docker.apkg")
    parents = {s.id: s.parent for s in bank.sections}
    for question in bank.questions[::10]:
        note = wengu_note(collection, bank.id, question.id)
        path = [question.section]
        while parents[path[0]] is not None:
            path.insert(0, parents[path[0]])
        assert set(note.tags) == {
            *(f"docker::{tag}" for tag in question.tags),
            "::".join(["docker", "section", *path]),
        }


def edited_bank(bank: Bank) -> tuple[Bank, Question]:
    target = next(q for q in bank.questions if q.type == "basic")
    edited = dataclasses.replace(
        bank,
        questions=tuple(
            dataclasses.replace(q, answer="一个全新的答案") if q.id == target.id else q
            for q in bank.questions
        ),
    )
    return edited, target


def test_reexport_after_an_edit_updates_only_that_note(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    now = datetime.now(timezone.utc)
    modified = {q.id: now - timedelta(days=10) for q in bank.questions}
    write_apkg(bank, tmp_path / "first.apkg", modified=modified)
    import_package(collection, tmp_path / "first.apkg")
    kept = next(q for q in bank.questions if q.type == "cloze")
    edited, target = edited_bank(bank)
    for question in (kept, target):  # the learner marks two notes
        note = wengu_note(collection, bank.id, question.id)
        note.add_tag("marked")
        collection.update_note(note)
    modified[target.id] = now + timedelta(minutes=1)  # edited after the learner's tags
    write_apkg(edited, tmp_path / "second.apkg", modified=modified, now=now + timedelta(minutes=1))
    log = import_package(collection, tmp_path / "second.apkg")
    assert len(log.new) == 0
    assert [entry.fields[-1] for entry in log.updated] == [f"docker/{target.id}"]
    assert collection.note_count() == len(bank.questions)
    assert wengu_note(collection, bank.id, target.id)["Back"] == "<p>一个全新的答案</p>"
    assert "marked" in wengu_note(collection, bank.id, kept.id).tags
    # Anki replaces an updated note's tags with the package's: the learner's tag on the
    # edited note is gone (docs/learning.md says so).
    assert "marked" not in wengu_note(collection, bank.id, target.id).tags


def test_a_renumbered_subdeck_leaves_its_cards_in_the_old_deck(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    """What docs/banks.md tells: Anki's importer does not move a card it has to the deck of
    the package, so a section put before the others leaves every card under its old
    number, and the renumbered decks arrive empty."""
    write_apkg(bank, tmp_path / "first.apkg")
    import_package(collection, tmp_path / "first.apkg")
    first = bank.sections[0]
    inserted = dataclasses.replace(
        bank, sections=(dataclasses.replace(first, id="inserted", title="新的一节"), *bank.sections)
    )
    later = {q.id: datetime.now(timezone.utc) + timedelta(days=1) for q in bank.questions}
    write_apkg(inserted, tmp_path / "second.apkg", modified=later)
    import_package(collection, tmp_path / "second.apkg")
    names = anki_writer._deck_names(bank)
    renamed = anki_writer._deck_names(inserted)
    old_deck, new_deck = names[first.id], renamed[first.id]
    assert (old_deck, new_deck) == (f"{TITLE}::01 {first.title}", f"{TITLE}::02 {first.title}")
    assert collection.find_cards(f'deck:"{old_deck}" -deck:"{old_deck}::*"')
    assert not collection.find_cards(f'deck:"{new_deck}"')


def test_unchanged_reexport_updates_no_note_and_no_note_type(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "first.apkg")
    import_package(collection, tmp_path / "first.apkg")
    model = collection.models.get(MODEL_IDS["basic"])
    model["css"] += "\n.card { font-size: 24px; }"  # the learner's own tweak
    collection.models.update_dict(model)
    later = datetime.now(timezone.utc) + timedelta(days=30)
    write_apkg(bank, tmp_path / "second.apkg", now=later)
    log = import_package(collection, tmp_path / "second.apkg")
    assert len(log.updated) == 0 and len(log.new) == 0
    assert "font-size: 24px" in collection.models.get(MODEL_IDS["basic"])["css"]


def test_note_types_change_date_moves_with_them() -> None:
    # Change a note type, and move NOTE_TYPES_CHANGED on and NOTE_TYPES_DIGEST with it:
    # Anki updates a learner's note types only from a newer one.
    assert note_types_digest() == NOTE_TYPES_DIGEST


def test_write_leaves_nothing_in_the_temporary_folder(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    (tmp_path / "out").mkdir()
    write_apkg(bank, tmp_path / "out" / "docker.apkg")
    assert list(scratch.iterdir()) == []
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["docker.apkg"]


def test_guids_and_order_shuffles_stay_the_same_across_exports(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "a.apkg")
    write_apkg(bank, tmp_path / "b.apkg")
    first, second = package_notes(tmp_path / "a.apkg"), package_notes(tmp_path / "b.apkg")
    assert first == second
    assert set(first) == {genanki.guid_for(bank.id, q.id) for q in bank.questions}


def test_cloze_text_keeps_ankis_deletions(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    notes = package_notes(tmp_path / "docker.apkg")
    for question in bank.questions:
        if question.type == "cloze":
            text = notes[genanki.guid_for(bank.id, question.id)][0]
            assert cloze_numbers(text) == question.card_ordinals


def test_choice_backs_mark_the_right_choices_in_text(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    notes = package_notes(tmp_path / "docker.apkg")
    for question in bank.questions:
        if question.type == "choice":
            right = question.correct if isinstance(question.correct, tuple) else (0,)
            _prompt, options, answer, *_ = notes[genanki.guid_for(bank.id, question.id)]
            assert "✓" not in options
            assert answer.count("✓") == len(right)


def test_note_type_ids_follow_their_recipe() -> None:
    names = {
        "basic": "Basic",
        "reverse": "Reverse",
        "cloze": "Cloze",
        "choice": "Choice",
        "truefalse": "True/False",
        "order": "Order",
        "typing": "Typing",
    }
    for kind, name in names.items():
        digest = hashlib.sha256(f"wengu note type: Wengu {name}".encode()).digest()
        assert MODEL_IDS[kind] == (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def test_target_is_replaced_only_when_complete(
    bank: Bank, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "docker.apkg"
    target.write_bytes(b"old")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(anki_writer.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left"):
        write_apkg(bank, target)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["docker.apkg"]


# -- scheduling ----------------------------------------------------------------------------


def schedule_one(
    bank: Bank, collection: Collection, tmp_path: Path, question_type: str, schedule: CardSchedule
) -> Card:
    """Export the bank with one card of a question of ``question_type`` scheduled; that card
    as Anki imported it."""
    question = next(q for q in bank.questions if q.type == question_type)
    ordinal = question.card_ordinals[-1]
    scheduling = {(question.id, ordinal): schedule}
    write_apkg(bank, tmp_path / "docker.apkg", scheduling=scheduling, zone=local_zone())
    import_package(collection, tmp_path / "docker.apkg")
    note = wengu_note(collection, bank.id, question.id)
    template = ordinal - 1 if question_type == "cloze" else ordinal
    return next(card for card in note.cards() if card.ord == template)


def test_review_card_is_due_on_the_same_day_in_anki(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    due = datetime.now(timezone.utc) + timedelta(days=10)
    schedule = CardSchedule(due, 12, 23.5, 4.25, reps=6, lapses=1, state=REVIEW, suspended=False)
    card = schedule_one(bank, collection, tmp_path, "cloze", schedule)
    assert (card.type, card.queue) == (2, 2)
    assert card.due - collection.sched.today == 10
    assert (card.ivl, card.reps, card.lapses) == (12, 6, 1)
    assert card.memory_state.stability == pytest.approx(23.5, abs=1e-3)
    assert card.memory_state.difficulty == pytest.approx(4.25, abs=1e-3)


@pytest.mark.parametrize(("state", "anki_type"), [(LEARNING, 1), (RELEARNING, 3)])
def test_learning_card_is_due_at_the_same_moment(
    bank: Bank, collection: Collection, tmp_path: Path, state: int, anki_type: int
) -> None:
    now = datetime.now(timezone.utc)
    due = now + timedelta(minutes=10)
    if study_day(due, local_zone(), 4) != study_day(now, local_zone(), 4):
        due = now - timedelta(minutes=10)  # the next study day starts sooner: due already
    schedule = CardSchedule(due, 0, 1.2, 6.0, reps=1, lapses=0, state=state, suspended=False)
    card = schedule_one(bank, collection, tmp_path, "reverse", schedule)
    assert (card.type, card.queue) == (anki_type, 1)
    assert card.due == int(due.timestamp())


def test_learning_card_due_on_a_later_day_waits_for_that_day(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    due = datetime.now(timezone.utc) + timedelta(days=2)
    schedule = CardSchedule(due, 0, 1.2, 6.0, reps=1, lapses=0, state=LEARNING, suspended=False)
    card = schedule_one(bank, collection, tmp_path, "basic", schedule)
    assert (card.type, card.queue) == (1, 3)
    assert card.due - collection.sched.today == 2


def test_suspended_card_stays_suspended(bank: Bank, collection: Collection, tmp_path: Path) -> None:
    due = datetime.now(timezone.utc) + timedelta(days=3)
    schedule = CardSchedule(due, 3, None, None, reps=2, lapses=0, state=REVIEW, suspended=True)
    card = schedule_one(bank, collection, tmp_path, "basic", schedule)
    assert (card.type, card.queue) == (2, -1)
    assert card.due - collection.sched.today == 3
    assert card.memory_state is None


def test_cards_without_a_schedule_arrive_new(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    due = datetime.now(timezone.utc) + timedelta(days=3)
    retired = CardSchedule(due, 3, None, None, reps=2, lapses=0, state=REVIEW, suspended=False)
    write_apkg(bank, tmp_path / "docker.apkg", scheduling={("retired-question", 0): retired})
    import_package(collection, tmp_path / "docker.apkg")
    assert collection.find_cards("-is:new") == []


# -- reading -------------------------------------------------------------------------------


def genanki_package(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A package made by genanki alone, as other tools make them."""
    # genanki's write_to_file leaves a temporary file; keep it inside this test's folder.
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    basic = genanki.Model(
        1607392319,
        "Simple",
        fields=[{"name": "Front"}, {"name": "Back"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}", "afmt": "{{Back}}"}],
    )
    deck = genanki.Deck(2059400110, "Country Capitals::Europe")
    deck.add_note(
        genanki.Note(
            model=basic,
            fields=[
                'Where is this? <img src="map of france.png">',
                "<b>France</b>[sound:song.mp3]",
            ],
            tags=["geo"],
            guid="Ab~1cD",
        )
    )
    deck.add_note(
        genanki.Note(
            model=genanki.CLOZE_MODEL,
            fields=["The capital of {{c1::France}} is {{c2::Paris::city}}.", "Back extra"],
            guid="xYz9",
        )
    )
    (folder / "map of france.png").write_bytes(PNG)
    (folder / "song.mp3").write_bytes(b"ID3")
    media = [str(folder / "map of france.png"), str(folder / "song.mp3")]
    package = genanki.Package(deck, media_files=media)
    package.write_to_file(str(folder / "capitals.apkg"))
    return folder / "capitals.apkg"


def test_read_genanki_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bank = read_apkg(genanki_package(tmp_path, monkeypatch))
    assert (bank.id, bank.title) == ("anki-country-capitals", "Country Capitals")
    assert [(s.id, s.title, s.parent) for s in bank.sections] == [("europe", "Europe", None)]
    basic, cloze = bank.questions
    assert (basic.type, basic.id, basic.section, basic.tags) == (
        "basic",
        "n-ab1cd",
        "europe",
        ("geo",),
    )
    assert basic.prompt == "Where is this? ![](diagrams/map%20of%20france.png)"
    assert basic.answer == "<b>France</b>"
    assert cloze.type == "cloze"
    assert cloze.text == "The capital of {{c1::France}} is {{c2::Paris::city}}."
    assert cloze.explanation == "Back extra"
    assert [(d.path, d.data) for d in bank.diagrams] == [("diagrams/map of france.png", PNG)]


def test_read_package_exported_by_anki(collection: Collection, tmp_path: Path) -> None:
    (tmp_path / "diagram.png").write_bytes(PNG)
    name = collection.media.add_file(str(tmp_path / "diagram.png"))
    deck = collection.decks.id("Networking::DNS")
    basic = collection.new_note(collection.models.by_name("Basic"))
    basic["Front"] = f'<div>Which port does DNS use?</div><div><img src="{name}"></div>'
    basic["Back"] = "53 (<i>udp</i>)"
    basic.tags = ["ports", "dns"]
    collection.add_note(basic, deck)
    cloze = collection.new_note(collection.models.by_name("Cloze"))
    cloze["Text"] = "Containers on a user network resolve names through {{c1::127.0.0.11}}."
    collection.add_note(cloze, collection.decks.id("Networking"))
    package = tmp_path / "networking.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=True
        ),
        limit=None,
    )

    bank = read_apkg(package)
    assert (bank.id, bank.title) == ("anki-networking", "Networking")
    assert [(s.id, s.parent) for s in bank.sections] == [("dns", None)]
    first, second = bank.questions
    assert first.type == "basic" and first.section == "dns"
    assert first.prompt == f"Which port does DNS use?\n\n![](diagrams/{name})"
    assert first.answer == "53 (<i>udp</i>)"
    assert set(first.tags) == {"ports", "dns"}
    assert second.type == "cloze" and second.section is None
    assert second.text == cloze["Text"]
    assert [(d.path, d.data) for d in bank.diagrams] == [(f"diagrams/{name}", PNG)]


def test_exported_docker_bank_reads_back_as_a_valid_bank(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    read = read_apkg(tmp_path / "docker.apkg")
    assert (read.id, read.title, read.language) == ("anki-docker", TITLE, "zh-CN")
    assert len(read.questions) == len(bank.questions)
    assert len(read.diagrams) == len(bank.diagrams)
    loaded = load_bank(write_bank_folder(read, tmp_path / "bank"))
    assert [q.id for q in loaded.questions] == [q.id for q in bank.questions]
    assert Counter(q.type for q in loaded.questions) == Counter(q.type for q in bank.questions)


def same_html(text: str | None) -> str | None:
    """Markdown as the HTML it shows, blind to soft line breaks."""
    return " ".join(render_markdown(text).split()) if text else text


def as_written(text: str | None) -> str | None:
    """A bank's Markdown as it comes back from Anki, normalised only where the HTML a note
    holds cannot tell: soft line breaks beside Chinese text are joined by the renderer (they
    show as nothing), a block such as an image or a code fence on the line after a
    paragraph comes back after a blank line (the same HTML), and the renderer puts a space
    between Chinese text and inline code."""
    if not text:
        return text
    return unspaced(re.sub(r"\n+", "\n", join_soft_breaks(text.strip())))


def unspaced(text: str) -> str:
    """``text`` without a space between Chinese text and a backtick."""
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=`)|(?<=`) (?=[\u4e00-\u9fff])", "", text)


def as_read(text: str | None) -> str | None:
    """Markdown read back, blank lines as in :func:`as_written`, and a literal ``_`` or
    ``*`` the reader escaped (``\\_``, which shows as ``_``) unescaped."""
    return unspaced(re.sub(r"\\([_*])", r"\1", re.sub(r"\n+", "\n", text))) if text else text


def test_wengus_own_notes_read_back_as_their_questions(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    read = read_apkg(tmp_path / "docker.apkg")
    assert read.description == bank.description and bank.description
    assert [(s.id, s.title, s.parent) for s in read.sections] == [
        (s.id, s.title, s.parent) for s in bank.sections
    ]
    assert {d.path: d.data for d in read.diagrams} == {d.path: d.data for d in bank.diagrams}
    for source, back in zip(bank.questions, read.questions, strict=True):
        assert (back.id, back.type, back.section, back.tags) == (
            source.id,
            source.type,
            source.section,
            source.tags,
        )
        assert (back.correct, back.labels, back.ids, back.mode) == (
            source.correct,
            source.labels,
            source.ids,
            source.mode,
        ), source.id
        assert back.accept == source.accept, source.id
        for key in ("prompt", "answer", "text", "explanation"):
            assert same_html(getattr(back, key)) == same_html(getattr(source, key)), (
                source.id,
                key,
            )
            assert as_read(getattr(back, key)) == as_written(getattr(source, key)), (
                source.id,
                key,
            )
        for key in ("choices", "items"):
            assert [same_html(x) for x in getattr(back, key)] == [
                same_html(x) for x in getattr(source, key)
            ], (source.id, key)
            assert [as_read(x) for x in getattr(back, key)] == [
                as_written(x) for x in getattr(source, key)
            ], (source.id, key)


@pytest.mark.parametrize(
    "markdown",
    [
        "run `docker ps` now",
        "a backtick in code: ``a`b`` and `` `x` ``",
        "line one\nline two\n\nA **bold** and *light* word.",
        "`<b>&amp;` is code, not markup",
        "<table><tbody><tr><td><code>x</code></td></tr></tbody></table>",  # HTML in Markdown
    ],
)
def test_field_html_reads_back_as_its_markdown(markdown: str) -> None:
    rendered = FieldRenderer(Bank(id="b", title="B", sections=(), questions=())).html(markdown)
    back = field_markdown(from_anki(rendered), lambda source: None)
    assert back == markdown


def test_markdown_in_anki_text_is_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    deck = genanki.Deck(2059400111, "Python")
    deck.add_note(
        genanki.Note(
            model=genanki.BASIC_MODEL,
            fields=["What does __init__ do in *Python*?", "1. builds the object &lt;self&gt;"],
        )
    )
    genanki.Package(deck).write_to_file(str(tmp_path / "python.apkg"))
    (question,) = read_apkg(tmp_path / "python.apkg").questions
    assert question.prompt == r"What does \_\_init\_\_ do in \*Python\*?"
    assert question.answer == r"1\. builds the object &lt;self&gt;"


def test_anki_editor_html_becomes_markdown_with_images_it_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    front = (
        "<div>Steps:</div><ul><li>pull <img src='a.png' alt='pull'></li><li>run</li></ul>"
        "<script>steal()</script><table><tr><td><img src='a.png'></td></tr></table>"
    )
    deck = genanki.Deck(2059400112, "Docker")
    deck.add_note(genanki.Note(model=genanki.BASIC_MODEL, fields=[front, "done"]))
    (tmp_path / "a.png").write_bytes(PNG)
    genanki.Package(deck, media_files=[str(tmp_path / "a.png")]).write_to_file(
        str(tmp_path / "docker.apkg")
    )
    read = read_apkg(tmp_path / "docker.apkg")
    assert read.questions[0].prompt == (
        "Steps:\n\n- pull ![pull](diagrams/a.png)\n- run\n\n<table><tr><td></td></tr></table>"
    )
    assert [d.path for d in read.diagrams] == ["diagrams/a.png"]


# -- bad packages --------------------------------------------------------------------------


def zip_package(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def test_zip_without_a_collection_is_refused(tmp_path: Path) -> None:
    package = zip_package(tmp_path / "empty.apkg", {"media": b"{}", "notes.txt": b"hello"})
    with pytest.raises(
        BankError, match=r"no collection\.anki2, collection\.anki21 or collection\.anki21b"
    ):
        read_apkg(package)


def test_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    (tmp_path / "deck.apkg").write_bytes(b"not a zip at all")
    with pytest.raises(BankError, match="not an Anki package"):
        read_apkg(tmp_path / "deck.apkg")


def test_media_name_leaving_the_folder_is_refused(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    with zipfile.ZipFile(tmp_path / "docker.apkg") as archive:
        collection = archive.read("collection.anki2")
    package = zip_package(
        tmp_path / "evil.apkg",
        {
            "collection.anki2": collection,
            "media": json.dumps({"0": "../../etc/cron.d/evil.png"}).encode(),
            "0": PNG,
        },
    )
    with pytest.raises(BankError, match=r"media file '\.\./\.\./etc/cron\.d/evil\.png'.*'/'"):
        read_apkg(package)


def test_collection_over_the_size_limit_is_refused(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    with pytest.raises(BankError, match=r"the collection \(collection.anki2\) is .* MB"):
        read_apkg(tmp_path / "docker.apkg", max_bytes=100_000)


def test_svg_with_script_is_refused(bank: Bank, tmp_path: Path) -> None:
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    svg = next(d for d in bank.diagrams if d.path.endswith(".svg"))
    evil = dataclasses.replace(
        bank,
        # its diagram cards left out: they could not be masked, and the package not written
        questions=tuple(q for q in bank.questions if q.image != svg.path),
        diagrams=tuple(
            dataclasses.replace(d, data=script) if d is svg else d for d in bank.diagrams
        ),
    )
    write_apkg(evil, tmp_path / "docker.apkg")
    with pytest.raises(BankError, match="may not carry script"):
        read_apkg(tmp_path / "docker.apkg")


def test_every_query_on_an_uploaded_collection_stops_within_its_budget() -> None:
    """A query that would run for ever on a collection is interrupted, not waited for."""
    db = sqlite3.connect(":memory:")
    bound(db, 1_000_000)
    started = time.perf_counter()
    with pytest.raises(sqlite3.OperationalError, match="interrupted"):
        db.execute(
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r"
        ).fetchall()
    assert time.perf_counter() - started < 30
    with pytest.raises(sqlite3.DataError):
        db.execute("SELECT zeroblob(2000000)").fetchall()
    db.close()


def card_text(rendered: str) -> str:
    """What a rendered face shows as prose: no style, code, or markup."""
    rendered = re.sub(r"<style>.*?</style>", " ", rendered, flags=re.S)
    rendered = re.sub(r"<(pre|code)\b.*?</\1>", " ", rendered, flags=re.S)
    return html.unescape(re.sub(r"<[^>]*>", " ", rendered))


def test_a_chinese_banks_cards_show_no_english_label(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "docker.apkg")
    import_package(collection, tmp_path / "docker.apkg")
    english = bank_words("en")
    labels = [
        english["true"],
        english["false"],
        english.choose(2).split(" ")[0],
        english["order"],
        english["also_right"],
        english["typed_exact"],
        english["typed_exact_others"],
        "Also accepted",
    ]
    chinese = bank_words("zh-CN")
    seen: Counter[str] = Counter()
    for card_id in collection.find_cards(""):
        card = collection.get_card(card_id)
        faces = card_text(card.question()) + card_text(card.answer())
        for label in labels:
            assert not re.search(rf"\b{re.escape(label)}\b", faces), (
                card.note()["Wengu ID"],
                label,
            )
        for key in ("true", "false", "order", "also_right", "typed_exact", "typed_exact_others"):
            seen[key] += chinese[key] in faces
    assert all(seen.values()) and len(seen) == 6, seen


@pytest.mark.parametrize("accept", [(), ("docker container ls",)])
def test_a_typing_cards_notice_says_anki_marks_it_red_and_lists_only_real_alternatives(
    bank: Bank, tmp_path: Path, accept: tuple[str, ...]
) -> None:
    question = Question(id="t", type="typing", prompt="List containers", answer="docker ps")
    one = dataclasses.replace(
        bank, sections=(), questions=(dataclasses.replace(question, accept=accept),), diagrams=()
    )
    write_apkg(one, tmp_path / "one.apkg")
    (fields,) = package_notes(tmp_path / "one.apkg").values()
    words = bank_words(bank.language)
    notice = words["typed_exact_others" if accept else "typed_exact"]
    assert fields[1] == "docker ps"  # the field Anki compares with: the one answer alone
    assert "docker container ls" not in fields[1]
    assert html.escape(notice) in fields[2]
    assert "标红" in notice and "良好" in notice
    assert (words["also_right"] in fields[2]) == bool(accept)
    assert ('<span class="alt">docker container ls</span>' in fields[2]) == bool(accept)


def test_a_packages_diagram_paths_stay_under_diagrams() -> None:
    mark = {
        "diagrams": json.dumps(
            {
                "a.svg": "diagrams/net/a.svg",
                "b.svg": "diagrams/../../etc/b.svg",
                "c.svg": "/etc/c.svg",
                "d.svg": "diagrams/.hidden.svg",
                "e.svg": 3,
            }
        )
    }
    assert diagram_paths(mark) == {"a.svg": "diagrams/net/a.svg"}
    assert diagram_paths({"diagrams": "not json"}) == {} and diagram_paths(None) == {}


# -- Anki's stock note types ---------------------------------------------------------------

STOCK = {
    # stock name: (a localised name, as a learner's Anki may call it; the note's fields)
    "Basic (type in the answer)": ("问答题（输入答案）", {"Front": "Port of DNS?", "Back": "53"}),
    "Basic (and reversed card)": ("问答题（含反向卡片）", {"Front": "ctr", "Back": "containerd"}),
    "Basic (optional reversed card)": (
        "问答题（可选反向卡片）",
        {"Front": "PID 1", "Back": "init", "Add Reverse": "y"},
    ),
}


@pytest.mark.parametrize("legacy", [True, False], ids=["legacy", "current"])
def test_ankis_stock_note_types_keep_their_cards(
    collection: Collection, tmp_path: Path, legacy: bool
) -> None:
    deck = collection.decks.id("Stock")
    for stock, (localised, fields) in STOCK.items():
        model = collection.models.by_name(stock)
        note = collection.new_note(model)
        for name, value in fields.items():
            note[name] = value
        collection.add_note(note, deck)
        # Known by its templates, not its name.
        model["name"] = localised
        collection.models.save(model)
    optional = collection.new_note(
        collection.models.by_name(STOCK["Basic (optional reversed card)"][0])
    )
    optional["Front"], optional["Back"] = "PID 0", "swapper"
    collection.add_note(optional, deck)
    package = tmp_path / "stock.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=False, legacy=legacy
        ),
        limit=None,
    )
    read = {q.prompt: q for q in read_apkg(package).questions}
    assert [(q.type, q.prompt, q.answer) for q in read.values()] == [
        ("typing", "Port of DNS?", "53"),
        ("reverse", "ctr", "containerd"),
        ("reverse", "PID 1", "init"),
        ("basic", "PID 0", "swapper"),
    ]
    loaded = load_bank(write_bank_folder(read_apkg(package), tmp_path / "bank"))
    assert [q.type for q in loaded.questions] == ["typing", "reverse", "reverse", "basic"]

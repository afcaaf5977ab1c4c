"""Occlusion questions in Anki: one note each, a card per label, the masked diagrams as media."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import genanki
import pytest

from config import PROJECT_ROOT
from srs.anki.notetypes import MODEL_IDS
from srs.anki.reader import read_apkg
from srs.anki.writer import write_apkg
from srs.bank import Bank
from srs.export import write_bank_folder
from srs.sources import load_bank
from tests.srs.test_anki import ANKI_MISSING, import_package, wengu_note
from tests.support import require

try:
    from anki.collection import Collection
except ImportError:  # pragma: no cover - depends on the machine
    Collection = None

FIXTURE = PROJECT_ROOT / "tests/banks/diagram"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(FIXTURE)


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    require(Collection is not None, ANKI_MISSING)
    (tmp_path / "anki").mkdir()
    col = Collection(str(tmp_path / "anki/collection.anki2"))
    yield col
    col.close()


def images(html: str) -> list[str]:
    return re.findall(r'<img[^>]*src="([^"]+)"', html)


def test_a_note_per_question_a_card_per_label(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "diagram.apkg")
    log = import_package(collection, tmp_path / "diagram.apkg")
    assert len(log.new) == collection.note_count() == 3
    note = wengu_note(collection, "diagram", "engine-parts")
    assert note.note_type()["id"] == MODEL_IDS["occlusion"]
    assert note.guid == genanki.guid_for("diagram", "engine-parts")
    cards = sorted(note.cards(), key=lambda card: card.ord)
    assert [card.ord for card in cards] == [0, 1]
    media = Path(collection.media.dir())
    for card, label, other in zip(
        cards, ["dockerd", "containerd"], ["containerd", "dockerd"], strict=True
    ):
        question, answer = card.question(), card.answer()
        assert "图中被遮住的标签是什么？" in question
        (front,) = images(question)
        front_svg = (media / front).read_text(encoding="utf-8")
        assert f">{label}<" not in front_svg and f">{other}<" in front_svg
        assert 'class="wg-occ-ask"' in front_svg
        back = images(answer)[-1]
        back_svg = (media / back).read_text(encoding="utf-8")
        assert f">{label}<" in back_svg and 'class="wg-occ-reveal"' in back_svg
        assert f"<strong>{label}</strong>" in answer
    check = collection.media.check()
    assert list(check.missing) == [] and list(check.unused) == []


def test_mode_all_masks_every_label_on_each_front(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "diagram.apkg")
    import_package(collection, tmp_path / "diagram.apkg")
    note = wengu_note(collection, "diagram", "engine-all")
    media = Path(collection.media.dir())
    for card in note.cards():
        assert "哪个组件在这里？" in card.question()
        svg = (media / images(card.question())[0]).read_text(encoding="utf-8")
        assert ">dockerd<" not in svg and ">runc<" not in svg
        assert svg.count('class="wg-occ-box"') == 1


def test_a_re_export_updates_the_same_notes(
    bank: Bank, collection: Collection, tmp_path: Path
) -> None:
    write_apkg(bank, tmp_path / "one.apkg")
    import_package(collection, tmp_path / "one.apkg")
    write_apkg(bank, tmp_path / "two.apkg")
    import_package(collection, tmp_path / "two.apkg")
    assert collection.note_count() == 3 and collection.card_count() == 5


def test_the_reader_reads_its_own_export_back(bank: Bank, tmp_path: Path) -> None:
    write_apkg(bank, tmp_path / "diagram.apkg")
    read = read_apkg(tmp_path / "diagram.apkg")
    again = load_bank(write_bank_folder(read, tmp_path / "again"))
    parts, every, basic = again.questions
    assert (parts.type, parts.labels, parts.answer, parts.prompt) == (
        "occlusion",
        ("dockerd", "containerd"),
        "typed",
        None,
    )
    assert (every.ids, every.labels, every.mode) == (
        ("daemon", "runtime"),
        ("dockerd", "runc"),
        "all",
    )
    assert parts.image == every.image == "diagrams/engine.svg"
    original = {d.path: d.data for d in bank.diagrams}["diagrams/engine.svg"]
    assert [d.data for d in again.diagrams] == [original]
    assert basic.type == "basic"

    def keys(question):
        return {k: v for k, v in question.content().items() if k != "image"}

    assert [keys(q) for q in (parts, every)] == [keys(q) for q in bank.questions[:2]]

"""Anki's current package format (``collection.anki21b``, Zstandard) read as a bank, safely."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from srs.anki import read_apkg
from srs.anki.compressed import zstd
from srs.bank import BankError
from srs.sources import read_bank, read_upload
from tests.anki_packages import PNG, TITLE, anki_package, replaced


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return anki_package(tmp_path_factory.mktemp("anki") / "geography.apkg")


def test_anki_writes_its_current_format_by_default(current: Path) -> None:
    names = set(zipfile.ZipFile(current).namelist())
    assert {"collection.anki21b", "media", "meta"} <= names and "collection.anki21" not in names


@pytest.mark.parametrize("legacy", [False, True], ids=["anki21b", "anki21"])
def test_a_package_of_basic_and_cloze_notes_with_an_image_reads_as_a_bank(
    tmp_path: Path, current: Path, legacy: bool
) -> None:
    package = anki_package(tmp_path / "legacy.apkg", legacy=True) if legacy else current
    # The one reader of the CLI and of the upload, with every check of the bank format.
    bank = read_bank(package)
    uploaded = read_upload(package.name, package.read_bytes())
    assert replace(uploaded, source="", fingerprint="") == replace(bank, source="", fingerprint="")
    assert bank.title == TITLE and [s.title for s in bank.sections] == ["Europe"]
    basic, cloze = bank.questions
    assert basic.type == "basic" and basic.answer == "The Danube"
    assert basic.prompt == "Which river is this? ![](diagrams/danube.png)"
    assert cloze.type == "cloze" and cloze.text == "{{c1::Paris}} is the capital of {{c2::France}}."
    assert [(d.path, d.data) for d in bank.diagrams] == [("diagrams/danube.png", PNG)]


def entry(package: Path, name: str) -> bytes:
    with zipfile.ZipFile(package) as archive:
        return archive.read(name)


def test_a_damaged_compressed_collection_is_refused_by_name(tmp_path: Path, current: Path) -> None:
    bad = replaced(current, tmp_path / "bad.apkg", {"collection.anki21b": b"not zstd at all"})
    with pytest.raises(BankError) as error:
        read_apkg(bad)
    assert "the collection (collection.anki21b) is damaged: not Zstandard-compressed data" in str(
        error.value
    )


def test_a_cut_short_collection_is_refused(tmp_path: Path, current: Path) -> None:
    whole = entry(current, "collection.anki21b")
    cut = replaced(current, tmp_path / "cut.apkg", {"collection.anki21b": whole[: len(whole) // 2]})
    with pytest.raises(BankError, match=r"collection\.anki21b\) is cut short"):
        read_apkg(cut)


def test_a_media_file_that_unpacks_past_the_limit_is_refused(tmp_path: Path, current: Path) -> None:
    bomb = zstd.compress(b"\0" * 3_000_000)  # a few hundred bytes packed
    assert len(bomb) < 1_000
    bad = replaced(current, tmp_path / "bomb.apkg", {"0": bomb})
    with pytest.raises(
        BankError, match=r"media file 'danube\.png' is over 1 MB; the limit is 1 MB"
    ):
        read_apkg(bad, max_bytes=1_000_000)


def test_a_collection_that_unpacks_past_the_limit_is_refused(current: Path) -> None:
    packed = len(entry(current, "collection.anki21b"))
    with pytest.raises(BankError, match=r"the collection \(collection\.anki21b\) is over"):
        read_apkg(current, max_bytes=packed + 1)


@pytest.mark.parametrize(
    ("media", "message"),
    [
        (zstd.compress(b"\x0a\xff\xff"), "the media list is damaged: not a protobuf message"),
        (zstd.compress(b"\x0a\x03\x0a\x01/"), "media file '/': the name has '/'"),
        (b"{}", "the media list is damaged: not Zstandard-compressed data"),
    ],
    ids=["not-protobuf", "a-path", "not-compressed"],
)
def test_a_bad_media_list_is_refused(
    tmp_path: Path, current: Path, media: bytes, message: str
) -> None:
    bad = replaced(current, tmp_path / "media.apkg", {"media": media})
    with pytest.raises(BankError, match=message):
        read_apkg(bad)


def test_a_format_newer_than_anki21b_is_refused_by_name(tmp_path: Path, current: Path) -> None:
    newer = replaced(current, tmp_path / "newer.apkg", {"meta": b"\x08\x04"})
    with pytest.raises(BankError, match="Anki's format version 4, newer than this reads"):
        read_apkg(newer)

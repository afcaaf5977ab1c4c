"""The one reader of bank sources: folders, YAML files, zip archives, Anki packages, uploads."""

from __future__ import annotations

import contextlib
import io
import tempfile
import zipfile
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from srs.anki import write_apkg
from srs.bank import BankError
from srs.export import bank_zip
from srs.sources import bank_fingerprint, is_bank_source, load_bank, read_bank, read_upload

DOCKER = PROJECT_ROOT / "quizzes/docker"
GOOD = b"id: x\ntitle: X\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_reads_as_the_folder_it_holds(tmp_path: Path) -> None:
    archive = tmp_path / "docker.zip"
    archive.write_bytes(bank_zip(load_bank(DOCKER)))
    with zipfile.ZipFile(archive) as unpacked:
        unpacked.extractall(tmp_path / "unzipped")
    folder = load_bank(tmp_path / "unzipped/docker")
    bank = read_bank(archive)
    assert (bank.id, bank.questions, bank.diagrams) == (
        folder.id,
        folder.questions,
        folder.diagrams,
    )
    assert (bank.source, bank.fingerprint) == (str(archive), bank_fingerprint(archive))


def test_a_package_reads_with_its_own_source_and_fingerprint(tmp_path: Path) -> None:
    package = tmp_path / "docker.apkg"
    write_apkg(load_bank(DOCKER), package)
    bank = read_bank(package)
    assert bank.id == "anki-docker" and len(bank.questions) == len(load_bank(DOCKER).questions)
    assert (bank.source, bank.fingerprint) == (str(package), bank_fingerprint(package))


def test_problems_inside_a_zip_name_the_archive_and_the_entry(tmp_path: Path) -> None:
    archive = tmp_path / "bad.zip"
    archive.write_bytes(_zipped({"bank.yaml": GOOD.replace(b"answer: a", b"answer: ''")}))
    with pytest.raises(BankError) as caught:
        read_bank(archive)
    assert [str(p) for p in caught.value.problems] == [
        f"{archive}:bank.yaml:4:45: question 'q': 'answer' is empty"
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("good.zip", _zipped({"bank.yaml": GOOD})),
        ("bad.zip", _zipped({"bank.yaml": GOOD.replace(b"type: basic", b"type: basik")})),
        ("not-a-zip.zip", GOOD),
        ("bad.yaml", b"id: x\n\xff"),
        ("bad.apkg", _zipped({"bank.yaml": GOOD})),
        ("no-suffix", GOOD),
    ],
)
def test_an_upload_reads_as_the_same_file_on_disk(
    name: str, data: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(data)

    def verdict(read) -> tuple[str, ...]:
        try:
            bank = read()
        except BankError as error:
            return tuple(str(problem) for problem in error.problems)
        return (bank.id, bank.source)

    assert verdict(lambda: read_upload(name, data)) == verdict(lambda: read_bank(name))


def test_nothing_is_left_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    broken = _zipped({"bank.yaml": GOOD, "diagrams/d.svg": b"<svg><script/></svg>"})
    for name, data in [("ok.zip", _zipped({"bank.yaml": GOOD})), ("broken.zip", broken)]:
        with contextlib.suppress(BankError):
            read_upload(name, data)
    with pytest.raises(BankError):
        read_upload("bad.apkg", b"PK not a package")
    assert list(scratch.iterdir()) == []


def test_bank_sources_are_folders_with_a_bank_file_and_bank_files(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder/bank.yaml").write_bytes(GOOD)
    (tmp_path / "empty").mkdir()
    for name in ("a.yaml", "b.YML", "c.zip", "d.apkg", "notes.md", "e.json"):
        (tmp_path / name).write_bytes(b"")
    found = sorted(path.name for path in tmp_path.iterdir() if is_bank_source(path))
    assert found == ["a.yaml", "b.YML", "c.zip", "d.apkg", "folder"]


def test_a_missing_path_is_a_problem(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="no such file or folder"):
        read_bank(tmp_path / "gone.zip")

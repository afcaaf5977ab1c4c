"""The bank format's notes keys: ``notes:`` on a bank, ``source:`` on a question,
``coverage: {skip}`` on a section; each bad one named by file:line:column and key."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from srs.bank import BankError
from srs.sources import load_bank, read_bank

NOTES = "# 镜像\n\n只读模板。\n\n## 镜像摘要\n\n内容寻址。\n\n## Docker engine\n\n守护进程。\n"
BANK = """\
id: b
title: B
notes: [notes/docker-notes.md]
sections:
  - {id: jing-xiang, title: 镜像, coverage: {skip: 写在别处}}
questions:
  - id: q1
    type: basic
    prompt: p
    answer: a
    source: docker-notes.md#镜像摘要
  - id: q2
    type: basic
    prompt: p
    answer: a
    source: notes/docker-notes.md#镜像 > Docker engine
"""


def problems(root: Path, **options: int) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(root, **options)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def test_a_bank_carries_its_notes_and_each_questions_passage(write_bank) -> None:
    bank = load_bank(write_bank("b", {"bank.yaml": BANK, "notes/docker-notes.md": NOTES}))
    assert [(n.file, n.text) for n in bank.notes] == [("notes/docker-notes.md", NOTES)]
    assert [q.passage for q in bank.questions] == [
        "docker-notes.md#镜像摘要",
        "notes/docker-notes.md#镜像 > Docker engine",
    ]
    assert bank.sections[0].coverage_skip == "写在别处"


def test_a_source_naming_no_heading_says_the_nearest(write_bank) -> None:
    text = BANK.replace("#镜像摘要", "#docker-engin")
    root = write_bank("b", {"bank.yaml": text, "notes/docker-notes.md": NOTES})
    assert problems(root) == [
        "bank.yaml:11:13: question 'q1': 'source' 'docker-engin' is no heading of "
        "notes/docker-notes.md (did you mean docker-engine?)"
    ]


def test_a_source_naming_no_notes_file_lists_the_notes(write_bank) -> None:
    text = BANK.replace("docker-notes.md#镜像摘要", "notes.md#镜像摘要")
    root = write_bank("b", {"bank.yaml": text, "notes/docker-notes.md": NOTES})
    assert problems(root) == [
        "bank.yaml:11:13: question 'q1': 'source' file 'notes.md' is not one of the bank's "
        "notes (notes/docker-notes.md)"
    ]


def test_a_source_in_a_bank_without_notes(write_bank) -> None:
    text = BANK.replace("notes: [notes/docker-notes.md]\n", "")
    assert problems(write_bank("b", {"bank.yaml": text}))[0] == (
        "bank.yaml:10:13: question 'q1': 'source' not usable: the bank lists no notes"
    )


def test_a_missing_notes_file_is_named_once(write_bank) -> None:
    assert problems(write_bank("b", {"bank.yaml": BANK})) == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/docker-notes.md' is not found in the bank's folder"
    ]


@pytest.mark.parametrize(
    ("listed", "message"),
    [
        ("../outside.md", "leaves the bank's folder"),
        ("/etc/notes.md", "leaves the bank's folder"),
        ("notes\\\\x.md", "must use '/' between folders"),
        ("bank.yaml", "is not a Markdown file (.md, .markdown)"),
    ],
)
def test_a_notes_path_must_stay_in_the_bank(write_bank, listed: str, message: str) -> None:
    text = BANK.replace("[notes/docker-notes.md]", f'["{listed}"]').split("questions:")[0]
    root = write_bank("b", {"bank.yaml": text + "questions: []\n", "outside.md": NOTES})
    shown = listed.replace("\\\\", "\\")
    assert problems(root) == [f"bank.yaml:3:9: bank: 'notes[0]' '{shown}' {message}"]


def test_a_notes_link_out_of_the_bank_is_refused(write_bank, tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("# secret\n", encoding="utf-8")
    root = write_bank("b", {"bank.yaml": BANK.split("questions:")[0]})
    (root / "notes").mkdir()
    (root / "notes" / "docker-notes.md").symlink_to(tmp_path / "secret.md")
    assert problems(root) == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/docker-notes.md' leaves the bank's folder"
    ]


def test_notes_not_in_utf8_or_too_large(write_bank) -> None:
    root = write_bank("b", {"bank.yaml": BANK, "notes/docker-notes.md": b"# a\n\xff\n"})
    assert problems(root) == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/docker-notes.md' (2:1): not UTF-8 text "
        "(byte 0xff); save the file as UTF-8"
    ]
    root = write_bank("c", {"bank.yaml": BANK, "notes/docker-notes.md": NOTES * 40})
    assert problems(root, max_bytes=2000) == [
        f"bank.yaml:3:9: bank: 'notes[0]' 'notes/docker-notes.md' (1:1): file is "
        f"{len(NOTES.encode()) * 40:,} bytes; the limit is 2,000 bytes"
    ]


def test_a_single_file_bank_may_not_have_notes(tmp_path: Path) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(BANK, encoding="utf-8")
    found = problems(path)
    assert found[0] == (
        f"{path}:3:8: bank: 'notes' cannot be used: a single-file bank has no folder to keep "
        "notes in (make it a folder with bank.yaml, or a .zip of one)"
    )


def test_coverage_must_say_why(write_bank) -> None:
    text = BANK.replace("{skip: 写在别处}", "{skip: yes, reason: x}")
    root = write_bank("b", {"bank.yaml": text, "notes/docker-notes.md": NOTES})
    assert problems(root) == [
        "bank.yaml:5:50: section 'jing-xiang': 'coverage.skip' must say why, as text",
        "bank.yaml:5:55: section 'jing-xiang': unknown key 'coverage.reason'",
    ]


def test_a_zip_bank_carries_its_notes(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("b/bank.yaml", BANK)
        archive.writestr("b/notes/docker-notes.md", NOTES)
    path = tmp_path / "b.zip"
    path.write_bytes(buffer.getvalue())
    bank = read_bank(path)
    assert bank.notes[0].file == "notes/docker-notes.md"
    assert bank.questions[0].passage == "docker-notes.md#镜像摘要"


def test_a_bank_with_notes_may_have_no_questions_yet(write_bank) -> None:
    text = BANK.split("questions:")[0]
    bank = load_bank(write_bank("b", {"bank.yaml": text, "notes/docker-notes.md": NOTES}))
    assert bank.questions == () and len(bank.notes) == 1


def test_changed_notes_change_the_fingerprint(write_bank) -> None:
    root = write_bank("b", {"bank.yaml": BANK, "notes/docker-notes.md": NOTES})
    before = load_bank(root).fingerprint
    (root / "notes" / "docker-notes.md").write_text(NOTES + "\n更多。\n", encoding="utf-8")
    assert load_bank(root).fingerprint != before

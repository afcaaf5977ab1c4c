"""Banks written out and read back: YAML round trips, JSON, CSV, and the history CSV."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import json
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from srs.bank import Bank
from srs.export import (
    CSV_COLUMNS,
    HISTORY_COLUMNS,
    HistoryRow,
    bank_csv,
    bank_json,
    bank_zip,
    export_bank,
    history_csv,
    history_json,
    write_bank_folder,
)
from srs.sources import load_bank


@pytest.fixture(scope="module")
def docker() -> Bank:
    return load_bank(PROJECT_ROOT / "quizzes/docker")


def same(bank: Bank) -> tuple[object, ...]:
    """Everything a bank says, but where its questions stood in their files."""
    questions = tuple(dataclasses.replace(q, source="", line=0) for q in bank.questions)
    diagrams = tuple((d.path, d.data) for d in bank.diagrams)
    return (
        bank.id,
        bank.title,
        bank.language,
        bank.description,
        bank.sections,
        questions,
        diagrams,
    )


def test_yaml_folder_round_trip_is_equal_on_every_field(docker: Bank, tmp_path: Path) -> None:
    again = load_bank(write_bank_folder(docker, tmp_path / "docker"))
    assert same(again) == same(docker)


def test_yaml_zip_round_trip(docker: Bank, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(bank_zip(docker))) as archive:
        archive.extractall(tmp_path)
    assert same(load_bank(tmp_path / "docker")) == same(docker)


TRICKY = """
id: tricky
title: "yes"
questions:
  - {id: a, type: basic, prompt: "no", answer: "2375"}
  - {id: b, type: typing, prompt: "0o17", answer: "1e3", accept: ["true", "~", "- x"]}
  - {id: c, type: choice, prompt: "p: q", choices: ["[x]", "{y}"], correct: [1]}
  - {id: d, type: truefalse, prompt: "#hash", correct: false}
  - id: e
    type: cloze
    text: |
      line one {{c1::x}}
        indented "quoted" line
      trailing spaces here<SPACES>
    explanation: "ends without a newline"
"""


def test_text_that_looks_like_other_types_survives(tmp_path: Path) -> None:
    source = tmp_path / "tricky.yaml"
    source.write_text(TRICKY.lstrip().replace("<SPACES>", "   "), encoding="utf-8")
    bank = load_bank(source)
    export_bank(bank, "yaml", tmp_path / "out.yaml")
    again = load_bank(tmp_path / "out.yaml")
    assert same(again) == same(bank)
    assert again.questions[2].correct == (1,)  # a one-element list stays a list


def test_json_has_the_same_content_and_the_diagrams(docker: Bank) -> None:
    data = json.loads(bank_json(docker))
    assert [q["id"] for q in data["questions"]] == [q.id for q in docker.questions]
    skip = docker.sections[1].coverage_skip  # the notes' 虚拟化 is only a link
    assert skip and data["sections"][1] == {
        "id": "virtualization",
        "title": "虚拟化",
        "parent": "overview",
        "coverage": {"skip": skip},
    }
    first = docker.diagrams[0]
    assert data["diagrams"][0]["path"] == first.path
    assert base64.b64decode(data["diagrams"][0]["base64"]) == first.data


def test_csv_has_one_row_per_question_and_a_byte_order_mark(docker: Bank) -> None:
    text = bank_csv(docker)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == list(CSV_COLUMNS)
    assert len(rows) == len(docker.questions) + 1
    assert {len(row) for row in rows} == {len(CSV_COLUMNS)}
    choice = next(q for q in docker.questions if q.type == "choice")
    row = next(r for r in rows if r[0] == choice.id)
    assert row[CSV_COLUMNS.index("choices")].split("\n") == list(choice.choices)


def test_csv_names_each_section_by_its_title_beside_its_id(docker: Bank) -> None:
    rows = list(csv.DictReader(io.StringIO(bank_csv(docker).removeprefix("\ufeff"))))
    titles = {section.id: section.title for section in docker.sections}
    placed = [(q, row) for q, row in zip(docker.questions, rows, strict=True) if q.section]
    assert any(row["section"] != question.section for question, row in placed)
    for question, row in placed:
        assert row["id"] == question.id and row["section_id"] == question.section
        assert row["section"] == titles[question.section]


@pytest.mark.parametrize("umask", [0o022, 0o077])
@pytest.mark.parametrize("fmt", ["apkg", "csv", "json", "yaml"])
def test_an_export_gets_the_mode_of_any_new_file(
    docker: Bank, tmp_path: Path, fmt: str, umask: int
) -> None:
    target = tmp_path / f"docker.{'zip' if fmt == 'yaml' else fmt}"
    before = os.umask(umask)
    try:
        export_bank(docker, fmt, target)
    finally:
        os.umask(before)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary left


def test_an_export_to_a_folder_gets_the_mode_of_any_new_folder(
    docker: Bank, tmp_path: Path
) -> None:
    before = os.umask(0o022)
    try:
        export_bank(docker, "yaml", tmp_path / "out")
    finally:
        os.umask(before)
    assert (tmp_path / "out").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "out" / "bank.yaml").stat().st_mode & 0o777 == 0o644


def test_single_yaml_file_refuses_a_bank_with_diagrams(docker: Bank, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"has 13 diagrams: export it to a folder or a \.zip"):
        export_bank(docker, "yaml", tmp_path / "docker.yaml")
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_folder_that_is_not_empty_is_refused(docker: Bank, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep me")
    with pytest.raises(ValueError, match=r"is not an empty folder"):
        export_bank(docker, "yaml", tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["mine.txt"]


ROWS = [
    HistoryRow(7, datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc), 3, 0, 5200, "docker", "q", 0),
    HistoryRow(7, datetime(2026, 11, 1, 8, 10, tzinfo=timezone.utc), 1, 1, None, "docker", "q", 0),
]


def test_history_csv_is_in_the_fsrs_tools_columns() -> None:
    rows = list(csv.reader(io.StringIO("".join(history_csv(ROWS)))))
    assert rows == [
        list(HISTORY_COLUMNS),
        ["7", "1793520000000", "3", "0", "5200"],
        ["7", "1793520600000", "1", "1", "0"],
    ]


def test_history_json_lists_every_review() -> None:
    data = json.loads("".join(history_json(ROWS)))
    assert [(r["card_id"], r["rating"], r["reviewed_at"]) for r in data] == [
        (7, 3, "2026-11-01T08:00:00+00:00"),
        (7, 1, "2026-11-01T08:10:00+00:00"),
    ]
    assert json.loads("".join(history_json([]))) == []

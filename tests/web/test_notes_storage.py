"""A bank's notes stored: imported in the import's transaction and updated on re-import,
exported back (YAML folder and zip with the notes, JSON with ``source``), the card's link to
its passage and the passage served by the API to those who may see the bank."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

import views.cards
from models import Bank, NotesFile, Question, Section, db
from services.bank_import import import_bank
from services.bank_source import keep_upload, open_source, read_changed, source_zip
from services.notes import bank_coverage, passage_of
from srs.render import render_problems
from srs.sources import load_bank, read_upload
from tests.support import Auth, ends_within, make_user

NOTES = """\
---
title: 演示
---
# 镜像

镜像是**只读**的模板。<script>alert(1)</script>

## 镜像摘要

内容寻址的 sha256。

## 没有题目

这一节还没有题。
"""
BANK = """\
id: demo
title: Demo
notes: [notes/demo.md]
sections:
  - {id: jing-xiang, title: 镜像}
  - {id: other, title: Other, coverage: {skip: 以后再写}}
questions:
  - id: q1
    type: basic
    section: jing-xiang
    prompt: 镜像是什么？
    answer: 只读模板
    source: demo.md#镜像
  - id: q2
    type: basic
    prompt: 摘要？
    answer: sha256
    source: demo.md#镜像 > 镜像摘要
"""


@pytest.fixture
def folder(write_bank) -> Path:
    return write_bank("demo", {"bank.yaml": BANK, "notes/demo.md": NOTES})


@pytest.fixture
def imported(runner: FlaskCliRunner, folder: Path) -> Path:
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_import_stores_notes_passages_and_skips(app: Flask, imported: Path) -> None:
    with app.app_context():
        assert db.session.execute(select(NotesFile.file, NotesFile.text)).all() == [
            ("notes/demo.md", NOTES)
        ]
        assert db.session.execute(select(Question.key, Question.passage)).all() == [
            ("q1", "demo.md#镜像"),
            ("q2", "demo.md#镜像 > 镜像摘要"),
        ]
        skips = db.session.execute(select(Section.key, Section.coverage_skip)).all()
        assert skips == [("jing-xiang", None), ("other", "以后再写")]


def test_reimport_updates_notes_and_passages(
    app: Flask, runner: FlaskCliRunner, imported: Path
) -> None:
    (imported / "notes" / "demo.md").write_text(NOTES + "\n## 新的\n\n新内容。\n", "utf-8")
    text = BANK.replace("source: demo.md#镜像\n", "source: demo.md#新的\n")
    text = text.replace("coverage: {skip: 以后再写}", "coverage: {skip: 不写}")
    (imported / "bank.yaml").write_text(text, encoding="utf-8")
    result = runner.invoke(args=["bank", "import", str(imported)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(NotesFile.text)).endswith("新内容。\n")
        assert db.session.scalar(select(Question.passage).where(Question.key == "q1")) == (
            "demo.md#新的"
        )
        assert db.session.scalar(select(Section.coverage_skip).where(Section.key == "other")) == (
            "不写"
        )


def test_a_bad_source_imports_nothing(app: Flask, runner: FlaskCliRunner, write_bank) -> None:
    root = write_bank(
        "bad", {"bank.yaml": BANK.replace("> 镜像摘要", "> 摘要"), "notes/demo.md": NOTES}
    )
    result = runner.invoke(args=["bank", "import", str(root)])
    assert result.exit_code == 1
    assert "bank.yaml:18:13: question 'q2': 'source' '镜像 > 摘要' is no heading" in result.output
    with app.app_context():
        assert db.session.scalar(select(Bank.id)) is None
        assert db.session.scalar(select(NotesFile.id)) is None


def test_yaml_exports_carry_the_notes_back(
    runner: FlaskCliRunner, imported: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(
            args=["bank", "export", "demo", "--format", "yaml", "--output", str(out)]
        ).exit_code
        == 0
    )
    again = load_bank(out)
    original = load_bank(imported)
    assert again.notes == original.notes
    assert [q.passage for q in again.questions] == [q.passage for q in original.questions]
    assert again.sections == original.sections
    archive = tmp_path / "demo.zip"
    assert (
        runner.invoke(
            args=["bank", "export", "demo", "--format", "yaml", "--output", str(archive)]
        ).exit_code
        == 0
    )
    with zipfile.ZipFile(archive) as opened:
        assert opened.read("demo/notes/demo.md").decode() == NOTES
    single = runner.invoke(
        args=["bank", "export", "demo", "--format", "yaml", "--output", str(tmp_path / "d.yaml")]
    )
    assert single.exit_code != 0 and "keeps its notes" in single.output


def test_json_export_carries_source(runner: FlaskCliRunner, imported: Path, tmp_path: Path) -> None:
    out = tmp_path / "demo.json"
    assert (
        runner.invoke(
            args=["bank", "export", "demo", "--format", "json", "--output", str(out)]
        ).exit_code
        == 0
    )
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert [q["source"] for q in exported["questions"]] == [
        "demo.md#镜像",
        "demo.md#镜像 > 镜像摘要",
    ]
    assert exported["notes"] == ["notes/demo.md"]
    # The notes' text travels inside, as the diagrams do: the file alone holds the bank.
    assert exported["notes_files"] == [{"file": "notes/demo.md", "text": NOTES}]


def test_passage_of_and_coverage_read_the_stored_notes(app: Flask, imported: Path) -> None:
    with app.app_context():
        found = passage_of(db.session, "demo", "demo.md#镜像摘要")
        assert found is not None and found.heading.text == "内容寻址的 sha256。"
        assert passage_of(db.session, "demo", "demo.md#nothing") is None
        assert passage_of(db.session, "other", "demo.md#镜像摘要") is None
        report = bank_coverage(db.session, "demo")
        assert report is not None
        assert [(e.heading.title, len(e.questions), e.gap) for e in report.headings] == [
            ("镜像", 1, False),
            ("镜像摘要", 1, False),
            ("没有题目", 0, True),
        ]


def test_a_card_links_to_its_passage(app: Flask, signed_in: FlaskClient, imported: Path) -> None:
    card = signed_in.get("/api/v1/review/next?bank=demo").json
    assert card["source"] == {
        "ref": "demo.md#镜像",
        "title": "镜像",
        "url": "/api/v1/banks/demo/passage?ref=demo.md%23%E9%95%9C%E5%83%8F",
    }
    passage = signed_in.get(card["source"]["url"]).json
    assert passage["ref"] == "demo.md#镜像" and passage["file"] == "notes/demo.md"
    assert passage["path"] == ["镜像"] and passage["line"] == 4
    assert "<strong>只读</strong>" in passage["html"] and "<script" not in passage["html"]


def test_a_passage_by_heading_path(signed_in: FlaskClient, imported: Path) -> None:
    answer = signed_in.get(
        "/api/v1/banks/demo/passage", query_string={"ref": "demo.md#镜像 > 镜像摘要"}
    )
    assert answer.status_code == 200
    assert answer.json["title"] == "镜像 › 镜像摘要"
    assert answer.json["html"] == "<p>内容寻址的 sha256。</p>"


def test_a_card_without_source_has_no_link(
    app: Flask, signed_in: FlaskClient, runner: FlaskCliRunner, write_bank
) -> None:
    root = write_bank(
        "plain",
        {
            "bank.yaml": "id: plain\ntitle: P\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
        },
    )
    assert runner.invoke(args=["bank", "import", str(root)]).exit_code == 0
    assert "source" not in signed_in.get("/api/v1/review/next?bank=plain").json


def test_unknown_ref_or_hidden_bank_is_404(
    app: Flask, client: FlaskClient, signed_in: FlaskClient, imported: Path
) -> None:
    url = "/api/v1/banks/demo/passage"
    assert signed_in.get(url, query_string={"ref": "demo.md#nothing"}).status_code == 404
    assert signed_in.get(url).status_code == 404
    assert signed_in.get("/api/v1/banks/none/passage?ref=demo.md%23镜像").status_code == 404
    with app.app_context():
        db.session.get(Bank, "demo").hidden = True
        db.session.commit()
    hidden = signed_in.get(url, query_string={"ref": "demo.md#镜像"})
    assert hidden.status_code == 404 and hidden.json == {"error": "no bank 'demo'"}
    make_user(app, "root", admin=True)
    Auth(client).logout()
    Auth(client).login("root")
    assert client.get(url, query_string={"ref": "demo.md#镜像"}).status_code == 200


def test_the_passage_needs_an_account(client: FlaskClient, imported: Path) -> None:
    assert client.get("/api/v1/banks/demo/passage?ref=demo.md%23镜像").status_code == 401


def test_an_uploaded_zip_keeps_its_notes_through_an_edit(app: Flask) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("demo/bank.yaml", BANK)
        archive.writestr("demo/notes/demo.md", NOTES)
    data = buffer.getvalue()
    with app.app_context():
        bank = read_upload("demo.zip", data)
        import_bank(db.session, replace(bank, source="upload:demo.zip"))
        keep_upload(db.session, "demo", "demo.zip", data, 1 << 20)
        source = open_source(db.session, db.session.get(Bank, "demo"))
        changed = {"bank.yaml": BANK.replace("answer: sha256", "answer: SHA-256")}
        again = read_changed(db.session, source, changed, 1 << 20)
        assert again.notes == bank.notes
        with zipfile.ZipFile(io.BytesIO(source_zip(db.session, source))) as archive:
            assert archive.read("demo/notes/demo.md").decode() == NOTES


def test_a_heading_without_text_shows_its_subsections(
    signed_in: FlaskClient, runner: FlaskCliRunner, write_bank
) -> None:
    """An outline's heading cited as a whole: its passage is its subsections, headings kept,
    up to the next heading of its level."""
    notes = "# 概述\n\n## 虚拟化\n\n共享内核。\n\n## 命名空间\n\n隔离。\n\n# 镜像\n\n只读。\n"
    bank = (
        "id: outline\ntitle: O\nnotes: [notes/o.md]\nquestions:\n"
        "  - {id: q, type: basic, prompt: p, answer: a, source: 'o.md#概述'}\n"
    )
    root = write_bank("outline", {"bank.yaml": bank, "notes/o.md": notes})
    assert runner.invoke(args=["bank", "import", str(root)]).exit_code == 0
    html = signed_in.get("/api/v1/banks/outline/passage", query_string={"ref": "o.md#概述"}).json[
        "html"
    ]
    assert "虚拟化" in html and "共享内核" in html and "隔离" in html
    assert "只读" not in html
    # A heading with text of its own shows that text alone.
    own = signed_in.get("/api/v1/banks/outline/passage", query_string={"ref": "o.md#虚拟化"})
    assert own.json["html"] == "<p>共享内核。</p>"


def test_a_figure_the_bank_does_not_ship_is_said_to_be_missing(
    signed_in: FlaskClient, runner: FlaskCliRunner, write_bank
) -> None:
    """Notes keep pictures a bank may not ship: the passage says a figure is missing instead
    of showing its file name; a diagram the bank has is shown."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>'
    notes = "# 图\n\n![FF4F-A816.jpeg](pics/FF4F-A816.jpeg)\n\n![Untitled](pics/Untitled%201.png)\n\n![引擎](diagrams/e.svg)\n"
    bank = (
        "id: figs\ntitle: F\nnotes: [notes/f.md]\nquestions:\n"
        "  - {id: q, type: basic, prompt: p, answer: a, source: 'f.md#图',"
        " explanation: '![引擎](diagrams/e.svg)'}\n"
    )
    root = write_bank("figs", {"bank.yaml": bank, "notes/f.md": notes, "diagrams/e.svg": svg})
    assert runner.invoke(args=["bank", "import", str(root)]).exit_code == 0
    html = signed_in.get("/api/v1/banks/figs/passage", query_string={"ref": "f.md#图"}).json["html"]
    assert "FF4F" not in html and "Untitled" not in html
    assert html.count("a figure of the notes, not included") == 2
    assert '<img alt="引擎"' in html


def test_a_passage_of_images_never_closed_is_read_in_a_moment(app: Flask) -> None:
    """A hundred image openings with no ")" after them: the pattern that finds each image
    read such a text in time growing with the cube of its length (half a minute)."""
    text = ("![a](" + "x" * 195) * 100
    assert render_problems(text) == []  # within a passage's limits: it is rendered
    with app.test_request_context(), ends_within(1):
        assert views.cards._lost_figures_named("none", text) == text

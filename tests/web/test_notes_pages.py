"""The notes in the bank pages: the coverage of the notes on the bank page, for those who edit
the bank only, with its counts, gaps, headings left out, over-weighted ones and totals; and
the question editor's ``source`` field, checked as one types and written into the YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import Bank, Question, User, db
from services.bank_import import import_bank
from services.groups import create_group
from srs.sources import load_bank
from tests.support import Auth, make_user
from tests.web.editor_support import form_values

BANK = """\
id: covered
title: Covered
language: en
notes: [notes/guide.md]
sections:
  - {id: engine, title: Engine}
  - {id: history, title: History, coverage: {skip: "background only, never examined"}}
questions:
  - {id: e1, type: basic, section: engine, prompt: What creates containers?, answer: runc, source: "guide.md#runc"}
  - {id: e2, type: basic, section: engine, prompt: Who calls runc?, answer: containerd, source: "guide.md#runc"}
  - {id: e3, type: basic, section: engine, prompt: Is runc a daemon?, answer: "No", source: "guide.md#runc"}
  - {id: e4, type: basic, section: engine, prompt: What spec does runc follow?, answer: OCI, source: "guide.md#runc"}
  - {id: e5, type: basic, section: engine, prompt: What runs containers?, answer: The engine.}
  - {id: n1, type: basic, section: engine, prompt: What links containers?, answer: A bridge., source: "guide.md#Engine > Networks"}
  - {id: s1, type: basic, tags: [supplement], prompt: What is Compose?, answer: A tool for many containers.}
"""
NOTES = """\
# Guide

## Engine

The engine runs containers.

### runc

runc creates containers.

### Networks

Bridges link containers.

### Volumes

Volumes keep data.

## History

Docker began in 2013.

### dotCloud

It was a PaaS.
"""


@pytest.fixture
def covered(app: Flask, tmp_path: Path) -> Path:
    root = tmp_path / "covered"
    (root / "notes").mkdir(parents=True)
    (root / "bank.yaml").write_text(BANK, encoding="utf-8")
    (root / "notes" / "guide.md").write_text(NOTES, encoding="utf-8")
    with app.app_context():
        import_bank(db.session, load_bank(root))
        db.session.commit()
    return root


def heading_row(page: str, anchor: str) -> tuple[str, str]:
    """The classes and the text of the coverage list's row of heading ``anchor``."""
    found = re.search(
        rf'<li class="([^"]*)" data-anchor="{re.escape(anchor)}">(.*?)</li>', page, re.S
    )
    assert found is not None, anchor
    return found.group(1), re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(2))).strip()


def test_an_admin_sees_each_heading_with_its_count_gaps_and_the_totals(
    app: Flask, covered: Path, client: FlaskClient, auth: Auth
) -> None:
    make_user(app, "root", admin=True)
    auth.login("root")
    page = client.get("/banks/covered").text
    assert 'id="coverage"' in page and "Coverage of the notes" in page
    assert "<code>notes/guide.md</code>" in page
    rows = {a: heading_row(page, a) for a in ("guide", "engine", "runc", "networks", "volumes")}
    assert rows["guide"] == ("depth-0", "Guide 0 Heading only")
    assert rows["engine"] == ("depth-1", "Engine 1")  # e5, by its section's title
    assert rows["runc"] == ("depth-2 is-over", "runc 4 Over-weighted")
    assert rows["networks"] == ("depth-2", "Networks 1")  # by a heading path
    assert rows["volumes"] == ("depth-2 is-gap", "Volumes 0 No question · Add one")
    for anchor in ("history", "dotcloud"):  # the section's reason, and its subheading's
        assert heading_row(page, anchor)[1].endswith("0 Left out: background only, never examined")
        assert "is-skipped" in heading_row(page, anchor)[0]
    totals = re.sub(r"\s+", " ", re.search(r"data-coverage-totals>(.*?)</ul>", page, re.S)[1])
    assert "<li>3 of 7 headings have a question (6 have text of their own)</li>" in totals
    assert "<li>1 headings with text have no question</li>" in totals
    assert "<li>2 left out on purpose</li>" in totals
    assert "Questions: 6 of 7 count toward a heading, 1 are a supplement" in totals
    # The gap's "Add one" opens the editor with its passage filled in.
    add = re.search(r'<a href="([^"]*source=[^"]*)">Add one</a>', page)[1].replace("&amp;", "&")
    form = form_values(client.get(add).text)
    assert form["source"] == "notes/guide.md#volumes" or form["source"] == "guide.md#volumes"


def test_a_plain_learner_sees_no_coverage_and_a_group_owner_does(
    app: Flask, covered: Path, client: FlaskClient, auth: Auth
) -> None:
    ann = make_user(app, "ann")
    auth.login("ann")
    page = client.get("/banks/covered").text
    assert "Coverage of the notes" not in page and 'data-anchor="' not in page
    assert "What creates containers?" in page  # the page itself is there
    with app.app_context():
        group = create_group(db.session, db.session.get(User, ann), "Readers", ["covered"])
        db.session.get(Bank, "covered").group_id = group.id
        db.session.commit()
    page = client.get("/banks/covered").text
    assert "Coverage of the notes" in page and 'data-anchor="volumes"' in page


def test_a_bank_without_notes_shows_no_coverage(
    app: Flask, write_bank, client: FlaskClient, auth: Auth
) -> None:
    folder = write_bank(
        "plain",
        {
            "bank.yaml": "id: plain\ntitle: Plain\nquestions:\n"
            "  - {id: q, type: basic, prompt: p, answer: a}\n"
        },
    )
    with app.app_context():
        import_bank(db.session, load_bank(folder))
        db.session.commit()
    make_user(app, "root", admin=True)
    auth.login("root")
    assert "Coverage of the notes" not in client.get("/banks/plain").text


def passage(app: Flask, key: str) -> str | None:
    with app.app_context():
        return db.session.scalar(select(Question.passage).where(Question.key == key))


def test_the_editor_sets_checks_and_clears_a_questions_source(
    app: Flask, covered: Path, client: FlaskClient, auth: Auth
) -> None:
    make_user(app, "root", admin=True)
    auth.login("root")
    page = client.get("/banks/covered/questions/n1/edit").text
    form = form_values(page)
    assert form["source"] == "guide.md#Engine > Networks"
    # The notes' headings offered to choose from, by anchor, with their titles.
    assert '<option value="guide.md#volumes">Guide › Engine › Volumes</option>' in page
    assert 'list="f-source-passages"' in page

    # A source that names no heading is a problem beside the field, as one types.
    bad = client.post(
        "/banks/covered/questions/e5/check",
        data=form_values(client.get("/banks/covered/questions/e5/edit").text)
        | {"source": "guide.md#volums"},
    )
    assert bad.json["ok"] is False
    problems = [(p["key"], p["message"]) for p in bad.json["problems"]]
    assert len(problems) == 1 and problems[0][0] == "source"
    assert "volums" in problems[0][1] and "volumes" in problems[0][1]  # did you mean
    unknown = client.post(
        "/banks/covered/questions/e5/check",
        data=form_values(client.get("/banks/covered/questions/e5/edit").text)
        | {"source": "other.md#volumes"},
    )
    assert [p["key"] for p in unknown.json["problems"]] == ["source"]
    # A line break would still name the heading (titles compare without spaces): refused.
    broken = client.post(
        "/banks/covered/questions/e5/check",
        data=form_values(client.get("/banks/covered/questions/e5/edit").text)
        | {"source": "guide.md#Engine > Net\n  works"},
    )
    assert [p["message"] for p in broken.json["problems"]] == [
        "question 'e5': 'source' must be one line, without control characters"
    ]

    # Saved: written into the question's lines, and the question cites it.
    form = form_values(client.get("/banks/covered/questions/e5/edit").text)
    saved = client.post(
        "/banks/covered/questions/e5/edit", data=form | {"source": "guide.md#volumes"}
    )
    assert saved.status_code == 302
    assert "source: guide.md#volumes" in (covered / "bank.yaml").read_text("utf-8")
    assert passage(app, "e5") == "guide.md#volumes"
    # Emptied: the key leaves the file, the question cites nothing.
    form = form_values(client.get("/banks/covered/questions/e5/edit").text)
    assert form["source"] == "guide.md#volumes"
    client.post("/banks/covered/questions/e5/edit", data=form | {"source": ""})
    line = next(x for x in (covered / "bank.yaml").read_text("utf-8").splitlines() if "id: e5" in x)
    assert "source" not in line
    assert passage(app, "e5") is None


def test_the_editor_offers_only_passages_with_words_to_read(
    app: Flask, client: FlaskClient, auth: Auth, tmp_path: Path
) -> None:
    """A heading whose passage is a lost picture, or nothing, is not offered as a source."""
    root = tmp_path / "lost"
    (root / "notes").mkdir(parents=True)
    (root / "bank.yaml").write_text(
        "id: lost\ntitle: L\nnotes: [notes/l.md]\nquestions:\n"
        "  - {id: q, type: basic, prompt: p, answer: a}\n",
        encoding="utf-8",
    )
    (root / "notes" / "l.md").write_text(
        "# Kept\n\nWords.\n\n# Picture\n\n![Untitled](gone.png)\n\n# Title only\n",
        encoding="utf-8",
    )
    with app.app_context():
        import_bank(db.session, load_bank(root))
        db.session.commit()
    make_user(app, "root", admin=True)
    auth.login("root")
    page = client.get("/banks/lost/questions/q/edit").text
    offered = re.findall(r'<option value="(l\.md#[^"]*)">', page)
    assert offered == ["l.md#kept"]

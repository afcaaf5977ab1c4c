"""Renderings kept at import (srs.faces): what review, quizzes, bank pages and exports serve
from them is byte for byte what rendering afresh gives, and they follow every change of a
question's content."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

import srs.anki.fields
import srs.faces
import views.cards
from bench.measures.database import write_generated_bank
from config import PROJECT_ROOT
from models import Card, Question, User, db
from services.bank_export import stored_bank
from services.bank_import import import_bank, refresh_faces
from services.queue import add_card
from srs.export import export_bank
from srs.sources import read_bank
from srs.study import Counts
from tests.support import csrf_token, faces_follow_content
from views.cards import card_payload

NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
# What the kept path must match where it cannot serve: a raw HTML image whose source is a
# diagram URL (kept only because the resolver gave it), a diagram named with a ";" (a URL
# written back afresh), code, a cloze with code, an occlusion card.
EDGES = """
id: edges
title: Edges
language: zh-CN
questions:
  - id: raw
    type: basic
    prompt: "![a](diagrams/d0.svg) and <img src=\\"/banks/edges/diagrams/d0.svg\\">"
    answer: "![b](diagrams/a;b.svg)"
  - id: code
    type: cloze
    text: "Run {{c1::`docker ps`}} then\\n\\n```sh\\nls -l\\n```"
  - id: pick
    type: choice
    prompt: Which?
    choices: ["![x](diagrams/d0.svg)", "**b**", "`c`"]
    correct: [0, 2]
  - id: steps
    type: order
    prompt: Order
    items: ["*one*", "two", "![three](diagrams/d0.svg)"]
  - id: masked
    type: occlusion
    image: diagrams/d0.svg
    labels: [step 0]
    answer: typed
"""


def _banks(tmp_path: Path) -> list[Path]:
    edges = tmp_path / "edges"
    (edges / "diagrams").mkdir(parents=True)
    (edges / "bank.yaml").write_text(EDGES, encoding="utf-8")
    generated = write_generated_bank(tmp_path / "generated", 240, "generated")
    for name in ("d0.svg", "a;b.svg"):
        (edges / "diagrams" / name).write_bytes((generated / "diagrams/d0.svg").read_bytes())
    return [PROJECT_ROOT / "quizzes/docker", generated, edges]


@pytest.fixture
def banks(app: Flask, tmp_path: Path) -> list[str]:
    """The Docker bank, a generated bank of every type and the edge cases, imported."""
    ids = []
    with app.app_context():
        for folder in _banks(tmp_path):
            ids.append(import_bank(db.session, read_bank(folder, max_bytes=10**8)).bank)
        db.session.commit()
    return ids


class Fresh:
    """Switches kept renderings off (every text rendered afresh) and counts, with them on,
    the texts that were rendered all the same."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.rendered: list[str] = []
        self.on = False
        real_pages, real_anki = views.cards._rendered, srs.anki.fields.render_markdown

        def pages(text: str, *args: Any) -> str:
            if not self.on:
                self.rendered.append(text)
            return real_pages(text, *args)

        def anki(text: str, resolve: Any = None) -> str:
            if not self.on:
                self.rendered.append(text)
            return real_anki(text, resolve)

        monkeypatch.setattr(views.cards, "_rendered", pages)
        monkeypatch.setattr(srs.anki.fields, "render_markdown", anki)

    def __enter__(self) -> None:
        self.on = True
        for module in (views.cards, srs.anki.fields):
            self.monkeypatch.setattr(module, "face_key", lambda text: "not kept")

    def __exit__(self, *exc: object) -> None:
        self.on = False
        for module in (views.cards, srs.anki.fields):
            self.monkeypatch.setattr(module, "face_key", srs.faces.face_key)


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Fresh:
    return Fresh(monkeypatch)


def _payloads(app: Flask, user_id: int) -> Iterator[dict[str, Any]]:
    """Two showings (two shuffles) of every card of every question, for the learner."""
    with app.test_request_context():
        user = db.session.get(User, user_id)
        if not db.session.scalar(select(Card.id).limit(1)):
            for question in db.session.scalars(select(Question).order_by(Question.id)):
                for ordinal in question.card_ordinals:
                    add_card(db.session, user.id, question, ordinal, NOW)
            db.session.commit()
        for card in db.session.scalars(select(Card).order_by(Card.id)):
            for reps in (0, 1):
                card.reps = reps
                payload = card_payload(card, user, NOW, Counts())
                payload.pop("review_token")
                yield payload
        db.session.rollback()


def test_review_payloads_from_kept_renderings_equal_fresh_ones(
    app: Flask, banks: list[str], learner: int, fresh: Fresh
) -> None:
    kept = list(_payloads(app, learner))
    assert set(fresh.rendered) == set()  # every text of every card came from its question
    with fresh:
        assert kept == list(_payloads(app, learner))
    assert len(kept) > 600
    # The edge cases were rendered afresh, and equal all the same.
    assert any("/banks/edges/diagrams/a;b.svg" in str(payload) for payload in kept)
    assert any('src="/banks/edges/diagrams/d0.svg">' in str(payload) for payload in kept)


def _notes(package: Path) -> tuple[list[tuple[str, str]], dict[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        database = package.with_suffix(".anki2")
        database.write_bytes(archive.read("collection.anki2"))
        media = {name: archive.read(name) for name in archive.namelist()}
    connection = sqlite3.connect(database)
    try:
        notes = connection.execute("SELECT guid, flds FROM notes ORDER BY guid").fetchall()
    finally:
        connection.close()
    return notes, media


@pytest.mark.parametrize("fmt", ["apkg", "csv", "json", "yaml"])
def test_exports_from_kept_renderings_equal_fresh_ones(
    app: Flask, banks: list[str], fresh: Fresh, tmp_path: Path, fmt: str
) -> None:
    suffix = {"yaml": ".zip"}.get(fmt, f".{fmt}")
    with app.app_context():
        for bank_id in banks:
            bank = stored_bank(db.session, bank_id)
            assert bank is not None and bank.rendered
            export_bank(bank, fmt, tmp_path / f"kept-{bank_id}{suffix}", now=NOW)
            with fresh:
                export_bank(bank, fmt, tmp_path / f"fresh-{bank_id}{suffix}", now=NOW)
            kept, again = (tmp_path / f"{how}-{bank_id}{suffix}" for how in ("kept", "fresh"))
            if fmt == "apkg":
                assert _notes(kept) == _notes(again)
            elif fmt == "yaml":
                with zipfile.ZipFile(kept) as one, zipfile.ZipFile(again) as other:
                    assert {n: one.read(n) for n in one.namelist()} == {
                        n: other.read(n) for n in other.namelist()
                    }
            else:
                assert kept.read_bytes() == again.read_bytes()
    # Only the edge cases' texts were rendered for the Anki packages, not kept ones.
    assert all("a;b.svg" in text or "<img" in text for text in fresh.rendered)


def test_bank_pages_and_quizzes_from_kept_renderings_equal_fresh_ones(
    app: Flask, banks: list[str], signed_in: FlaskClient, fresh: Fresh
) -> None:
    quizzes = []
    for bank_id in banks:
        data = {"csrf_token": csrf_token(signed_in), "count": "40"}
        started = signed_in.post(f"/quiz/{bank_id}", data=data)
        assert started.status_code == 302, started.get_data(as_text=True)[:400]
        taken, done = started.location, f"{started.location}/result"
        answered = {"csrf_token": csrf_token(signed_in), "answers": "{}", "flags": "[]"}
        assert signed_in.post(taken, data=answered).status_code == 302
        quizzes += [taken, done]

    def pages() -> list[str]:
        shown = [f"/banks/{bank_id}" for bank_id in banks]
        return [_without_tokens(signed_in.get(path).get_data(as_text=True)) for path in shown]

    kept = pages() + [_without_tokens(signed_in.get(q).get_data(as_text=True)) for q in quizzes]
    assert fresh.rendered == []
    with fresh:
        again = pages() + [
            _without_tokens(signed_in.get(q).get_data(as_text=True)) for q in quizzes
        ]
    assert kept == again
    assert all("<pre" in page for page in kept[: len(banks)])


def _without_tokens(page: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value="|name="csrf-token" content=")[^"]*"', r"\1", page)


BANK = """
id: kept
title: Kept
language: en
questions:
  - {id: b, type: basic, prompt: "What is `ps`?", answer: "It **lists**."}
  - {id: c, type: cloze, text: "The {{c1::daemon}} runs."}
  - {id: o, type: occlusion, image: diagrams/d0.svg, labels: [step 0]}
"""


def _import(app: Flask, folder: Path, text: str) -> str:
    (folder / "diagrams").mkdir(parents=True, exist_ok=True)
    (folder / "diagrams/d0.svg").write_text(_SVG, encoding="utf-8")
    (folder / "bank.yaml").write_text(text, encoding="utf-8")
    with app.app_context():
        report = str(import_bank(db.session, read_bank(folder, max_bytes=10**7)))
        db.session.commit()
    return report


_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="80">'
    '<text x="12" y="30" font-size="14">step 0</text></svg>\n'
)


def _kept_html(app: Flask, key: str) -> dict[str, Any]:
    with app.app_context():
        return db.session.scalar(select(Question.faces).where(Question.key == key)) or {}


def test_a_changed_question_gets_renderings_of_its_new_content(app: Flask, tmp_path: Path) -> None:
    _import(app, tmp_path / "kept", BANK)
    before = _kept_html(app, "b")
    assert _import(app, tmp_path / "kept", BANK.replace("It **lists**.", "It *shows*.")) == (
        "kept: 0 added, 1 updated, 0 retired, 2 unchanged"
    )
    after = _kept_html(app, "b")
    assert "<p>It <em>shows</em>.</p>" in after.values()
    assert "<p>It <strong>lists</strong>.</p>" not in after.values()
    assert set(before) != set(after)
    assert all(faces_follow_content(app, key) for key in "bco")


def test_a_retired_question_brought_back_has_its_renderings(app: Flask, tmp_path: Path) -> None:
    _import(app, tmp_path / "kept", BANK)
    without = "\n".join(line for line in BANK.splitlines() if "id: c," not in line)
    assert "1 retired" in _import(app, tmp_path / "kept", without)
    assert "1 revived" in _import(app, tmp_path / "kept", BANK.replace("daemon", "engine"))
    assert faces_follow_content(app, "c")
    assert any("engine" in str(html) for html in _kept_html(app, "c").values())


def test_a_new_bank_language_renders_again_what_the_type_words(app: Flask, tmp_path: Path) -> None:
    _import(app, tmp_path / "kept", BANK)
    _import(app, tmp_path / "kept", BANK.replace("language: en", "language: zh-CN"))
    # The occlusion card's own prompt is now in Chinese, and kept so.
    assert faces_follow_content(app, "o")


def test_the_startup_makes_renderings_a_database_lacks_or_another_renderer_made(
    app: Flask, app_config: dict[str, object], make_app, tmp_path: Path, monkeypatch
) -> None:
    folder = tmp_path / "quizzes"
    _import(app, folder / "kept", BANK)
    with app.app_context():
        db.session.execute(update(Question).values(faces=None, faces_of=None))
        db.session.commit()
    # As a server starts: its bank folder unchanged, the renderings are made all the same.
    make_app(app_config | {"WENGU_AUTOLOAD_BANKS": True, "WENGU_BANKS_DIR": str(folder)})
    assert all(faces_follow_content(app, key) for key in "bco")
    # And by a server that loads no banks of its own.
    with app.app_context():
        db.session.execute(update(Question).values(faces=None, faces_of=None))
        db.session.commit()
    make_app(app_config | {"WENGU_AUTOLOAD_BANKS": False})
    assert all(faces_follow_content(app, key) for key in "bco")
    with app.app_context():
        assert refresh_faces(db.session) == 0
    monkeypatch.setattr(srs.faces, "RENDERER_TAG", "0ther000")
    monkeypatch.setattr("services.bank_import.RENDERER_TAG", "0ther000")
    with app.app_context():
        assert refresh_faces(db.session) == 3
        made = db.session.scalars(select(Question.faces_of)).all()
    assert made and all(value.startswith("0ther000") for value in made)


def test_a_question_stored_unreadable_does_not_stop_the_start(
    app: Flask, app_config: dict[str, object], make_app, tmp_path: Path, caplog
) -> None:
    """A question whose stored content its type cannot read (written by hand, or by a broken
    version) is left as it is, said in the log; the server starts and renders the rest."""
    _import(app, tmp_path / "kept", BANK)
    with app.app_context():
        db.session.execute(update(Question).values(faces=None, faces_of=None))
        broken = db.session.scalars(select(Question.id).where(Question.key == "b")).one()
        db.session.execute(update(Question).where(Question.id == broken).values(content={}))
        db.session.commit()
    make_app(app_config | {"WENGU_AUTOLOAD_BANKS": False})
    assert f"question {broken} cannot be rendered as stored" in caplog.text
    assert all(faces_follow_content(app, key) for key in "co")

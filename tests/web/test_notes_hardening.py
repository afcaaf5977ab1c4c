"""Notes that could once break a request or a command: a stored passage that does not
render is a 422 (and is not rendered again), front matter nested too deep is no traceback,
and ``bank init`` refuses what it cannot make into a usable bank, saying why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import NotesFile, db
from srs import render
from tests.support import Auth, make_user

NOTES = "# 镜像\n\n只读模板。\n\n## 摘要\n\n*boom*\n"
BANK = """\
id: demo
title: Demo
notes: [notes/demo.md]
questions:
  - {id: q1, type: basic, prompt: p, answer: a, source: "demo.md#镜像"}
"""
DEEP_FRONT_MATTER = "---\nx: " + "[" * 1000 + "\n---\n# 镜像\n\n只读模板。\n"


@pytest.fixture
def imported(runner: FlaskCliRunner, write_bank) -> Path:
    folder = write_bank("demo", {"bank.yaml": BANK, "notes/demo.md": NOTES})
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Rendering fails on ``boom`` from now on; the texts it was asked to sanitise."""
    sanitise, asked = render._sanitise, []

    def failing(html: str) -> str:
        asked.append(html)
        if "boom" in html:
            raise RecursionError("maximum recursion depth exceeded")
        return sanitise(html)

    monkeypatch.setattr(render, "_sanitise", failing)
    render.prepare.cache_clear()
    yield asked
    render.prepare.cache_clear()


def test_a_stored_passage_that_fails_to_render_is_422_once_rendered(
    signed_in: FlaskClient, imported: Path, rendered: list[str]
) -> None:
    url = "/api/v1/banks/demo/passage"
    answer = signed_in.get(url, query_string={"ref": "demo.md#摘要"})
    assert answer.status_code == 422
    assert answer.json == {"error": "the passage 'demo.md#摘要' of bank 'demo' cannot be rendered"}
    tries = len(rendered)
    assert signed_in.get(url, query_string={"ref": "demo.md#摘要"}).status_code == 422
    assert len(rendered) == tries  # remembered, not rendered again
    assert signed_in.get(url, query_string={"ref": "demo.md#镜像"}).status_code == 200


def test_front_matter_nested_too_deep_breaks_no_page_nor_command(
    app: Flask, runner: FlaskCliRunner, client: FlaskClient, auth: Auth, imported: Path
) -> None:
    with app.app_context():
        db.session.scalars(select(NotesFile)).one().text = DEEP_FRONT_MATTER
        db.session.commit()
    make_user(app, "root", admin=True)
    auth.login("root")
    assert client.get("/banks/demo").status_code == 200
    (imported / "notes" / "demo.md").write_text(DEEP_FRONT_MATTER, encoding="utf-8")
    for command in ("check", "coverage"):
        result = runner.invoke(args=["bank", command, str(imported)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "(line 1): front matter cannot be read: it nests too deep" in result.output
    init = runner.invoke(
        args=["bank", "init", str(imported / "notes" / "demo.md"), "--output", "new"]
    )
    assert init.exit_code == 1
    assert "demo.md:1: front matter cannot be read: it nests too deep" in init.output


def test_init_leaves_out_a_heading_without_a_title_and_says_so(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# 镜像\n\n只读。\n\n#\n\n无题。\n\n## 摘要\n\nsha256。\n", encoding="utf-8")
    out = tmp_path / "bank"
    result = runner.invoke(args=["bank", "init", str(notes), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "Left out 1 heading without a title (line 5)" in result.output
    assert "title: ''" not in (out / "bank.yaml").read_text(encoding="utf-8")
    check = runner.invoke(args=["bank", "check", str(out)])
    assert check.exit_code == 0, check.output


def test_init_refuses_a_hash_in_the_name_and_a_link_as_output(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    hashed = tmp_path / "c#.md"
    hashed.write_text("# C\n\ntext\n", encoding="utf-8")
    result = runner.invoke(args=["bank", "init", str(hashed), "--output", str(tmp_path / "c")])
    assert result.exit_code == 1 and "'#' in the file name cannot be cited" in result.output
    assert not (tmp_path / "c").exists()
    notes = tmp_path / "notes.md"
    notes.write_text("# N\n\ntext\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "empty")
    result = runner.invoke(args=["bank", "init", str(notes), "--output", str(link)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"{link} is a symbolic link: choose a new folder" in result.output
    assert link.is_symlink() and not any((tmp_path / "empty").iterdir())

"""A package in Anki's current format comes in through ``bank check``/``import`` and the upload."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from tests.anki_packages import anki_package, replaced
from tests.support import Auth, make_user
from tests.web.test_admin import bank_list, text, upload

EXPECTED = [
    {"id": "anki-geography", "title": "Geography", "questions": 2, "retired": 0,
     "types": {"basic": 1, "cloze": 1}, "diagrams": 1}
]  # fmt: skip


@pytest.fixture
def package(tmp_path: Path) -> Path:
    return anki_package(tmp_path / "geography.apkg")


@pytest.fixture
def as_admin(app: Flask, client: FlaskClient, auth: Auth) -> FlaskClient:
    make_user(app, "mei", admin=True)
    auth.login("mei")
    return client


def test_bank_check_and_import_read_it(runner: FlaskCliRunner, package: Path) -> None:
    checked = runner.invoke(args=["bank", "check", str(package)])
    assert checked.exit_code == 0, checked.output
    imported = runner.invoke(args=["bank", "import", str(package)])
    assert imported.exit_code == 0, imported.output
    assert bank_list(runner) == EXPECTED


def test_the_upload_reads_it(as_admin: FlaskClient, runner: FlaskCliRunner, package: Path) -> None:
    response = upload(as_admin, "geography.apkg", package.read_bytes())
    assert response.status_code == 302, text(response)
    assert "anki-geography: 2 added" in text(as_admin.get("/admin/banks"))
    assert bank_list(runner) == EXPECTED


def test_a_damaged_one_is_refused_saying_what(runner: FlaskCliRunner, tmp_path: Path) -> None:
    bad = replaced(
        anki_package(tmp_path / "good.apkg"), tmp_path / "bad.apkg", {"collection.anki21b": b"x"}
    )
    result = runner.invoke(args=["bank", "check", str(bad)])
    assert result.exit_code == 1
    assert (
        f"{bad}:1:1: the collection (collection.anki21b) is damaged: not Zstandard-compressed data"
        in result.output
    )

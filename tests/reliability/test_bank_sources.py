"""``bank check`` and the admin upload read a file the same way, good or bad.

Both read through :mod:`srs.sources`: the same file, checked from the command line by its
name and uploaded under that name, is accepted by both or refused by both with the same
problems, each naming the same file, line and column. The files are the hostile banks (as a
``.zip`` and, where they are one file, as a ``.yaml``), the hostile archives and the hostile
Anki packages, next to good ones of each kind.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from config import PROJECT_ROOT
from srs.export import bank_zip
from srs.sources import load_bank
from tests.reliability.hostile import CORPUS, GOOD_BANK
from tests.reliability.hostile_apkg import APKG_CORPUS, good_apkg
from tests.reliability.test_hostile_banks import ARCHIVES, _upload, _zipped
from tests.support import Auth, dump, make_user


def _files() -> dict[str, bytes]:
    """Every file both ways in are given, by name."""
    files = {
        "docker.zip": bank_zip(load_bank(PROJECT_ROOT / "quizzes/docker")),
        "good.zip": _zipped({"bank.yaml": GOOD_BANK}),
        "good.yaml": GOOD_BANK,
        "good.apkg": good_apkg(),
        "yaml-named-zip.zip": GOOD_BANK,
        "zip-named-apkg.apkg": _zipped({"bank.yaml": GOOD_BANK}),
        "zip-named-yaml.yaml": _zipped({"bank.yaml": GOOD_BANK}),
    }
    for case in CORPUS:
        files[f"{case.name}.zip"] = _zipped(case.files)
        if case.single_file:
            files[f"{case.name}.yaml"] = case.files["bank.yaml"]
    for name, (data, _expected) in ARCHIVES.items():
        files[f"archive-{name}.zip"] = data
    for package in APKG_CORPUS:
        files[f"{package.name}.apkg"] = package.package()
    return files


@pytest.fixture
def as_admin(client: FlaskClient, app: Flask, auth: Auth) -> FlaskClient:
    make_user(app, "mei", admin=True)
    auth.login("mei")
    return client


def _checked(runner: FlaskCliRunner, name: str) -> tuple[bool, list[str]]:
    """Whether ``bank check NAME`` accepts the file, and the problems it prints."""
    result = runner.invoke(args=["bank", "check", name])
    assert result.exit_code in {0, 1} and isinstance(result.exception, SystemExit | None), (
        name,
        result.output,
    )
    accepted = result.exit_code == 0
    return accepted, [] if accepted else result.stdout.splitlines()


def test_check_and_upload_give_the_same_verdicts(
    app: Flask,
    runner: FlaskCliRunner,
    as_admin: FlaskClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    monkeypatch.chdir(folder)
    files = _files()
    verdicts: dict[str, tuple[bool, list[str]]] = {}
    differences = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        checked = _checked(runner, name)
        status, lines = _upload(as_admin, name, data)
        uploaded = (status == 302, lines)
        assert status in {302, 422}, (name, status)
        if checked != uploaded:
            differences.append(f"{name}: check {checked}, upload {uploaded}")
        verdicts[name] = checked
    assert differences == []
    accepted = {name for name, (ok, _) in verdicts.items() if ok}
    assert accepted == {"docker.zip", "good.zip", "good.yaml", "good.apkg"}
    for name, (_, lines) in verdicts.items():
        assert name in accepted or (lines and all(line.startswith(f"{name}:") for line in lines))


def test_a_refused_upload_and_check_change_nothing(
    app: Flask, runner: FlaskCliRunner, as_admin: FlaskClient, tmp_path: Path
) -> None:
    bad = _zipped({"bank.yaml": GOOD_BANK.replace(b"type: basic", b"type: nonsense", 1)})
    assert bad != _zipped({"bank.yaml": GOOD_BANK})
    (tmp_path / "bad.zip").write_bytes(bad)
    before = dump(app)
    assert runner.invoke(args=["bank", "import", str(tmp_path / "bad.zip")]).exit_code == 1
    assert _upload(as_admin, "bad.zip", bad)[0] == 422
    assert dump(app) == before


def test_bank_check_and_import_read_an_exported_zip(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """A bank exported as a .zip checks and imports from the command line."""
    archive = tmp_path / "docker.zip"
    docker = load_bank(PROJECT_ROOT / "quizzes/docker")
    archive.write_bytes(bank_zip(docker))
    questions = len(docker.questions)
    checked = runner.invoke(args=["bank", "check", str(archive)])
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith(f"{archive}: bank 'docker' is valid: {questions} questions")
    imported = runner.invoke(args=["bank", "import", str(archive)])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == f"docker: {questions} added, 0 updated, 0 retired, 0 unchanged\n"

"""Exports from the command line and the pages, and the learner's own history."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from config import PROJECT_ROOT
from models import Card, Review, User, db
from services.answers import answer
from services.context import Study
from services.queue import next_card
from srs.scheduler import Rating
from srs.sources import load_bank

DOCKER = PROJECT_ROOT / "quizzes/docker"
QUESTIONS = len(load_bank(DOCKER).questions)


@pytest.fixture
def docker(runner: FlaskCliRunner) -> None:
    assert runner.invoke(args=["bank", "import", str(DOCKER)]).exit_code == 0


def question_rows(app: Flask) -> list[tuple[object, ...]]:
    from models import Question

    with app.app_context():
        return [
            (q.key, q.type, q.section_key, q.tags, q.content, q.explanation, q.card_ordinals)
            for q in db.session.scalars(select(Question).order_by(Question.position))
        ]


def test_yaml_export_reimports_to_the_same_bank(
    app: Flask, runner: FlaskCliRunner, docker: None, tmp_path: Path
) -> None:
    before = question_rows(app)
    result = runner.invoke(
        args=["bank", "export", "docker", "--format", "yaml", "--output", str(tmp_path / "out")]
    )
    assert (
        result.exit_code == 0
        and result.stdout == f"Exported 'docker' ({QUESTIONS} questions) to {tmp_path / 'out'}.\n"
    )
    check = runner.invoke(args=["bank", "check", str(tmp_path / "out")])
    assert check.exit_code == 0, check.output
    again = runner.invoke(args=["bank", "import", str(tmp_path / "out")])
    assert again.stdout == f"docker: 0 added, 0 updated, 0 retired, {QUESTIONS} unchanged\n"
    assert question_rows(app) == before


def test_yaml_zip_export_is_a_bank_folder(
    runner: FlaskCliRunner, docker: None, tmp_path: Path
) -> None:
    runner.invoke(
        args=["bank", "export", "docker", "--format", "yaml", "--output", str(tmp_path / "d.zip")]
    )
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        archive.extractall(tmp_path / "unzipped")
        names = archive.namelist()
    assert "docker/bank.yaml" in names and "docker/diagrams/engine.svg" in names
    assert len(load_bank(tmp_path / "unzipped/docker").questions) == QUESTIONS


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csv_and_json_exports(
    runner: FlaskCliRunner, docker: None, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"docker.{fmt}"
    assert (
        runner.invoke(
            args=["bank", "export", "docker", "--format", fmt, "--output", str(target)]
        ).exit_code
        == 0
    )
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
        assert len(rows) == QUESTIONS + 1 and {len(row) for row in rows} == {17}
    else:
        assert len(json.loads(target.read_text())["diagrams"]) == 13


@pytest.mark.parametrize("fmt", ["apkg", "csv", "yaml"])
def test_the_cli_writes_an_export_others_may_read(
    runner: FlaskCliRunner, docker: None, learner: int, tmp_path: Path, fmt: str
) -> None:
    """`bank export` (with a learner's schedule too) leaves a file of the usual mode, 0644
    under the usual umask, not 0600 as a temporary file has."""
    target = tmp_path / f"docker.{'zip' if fmt == 'yaml' else fmt}"
    extra = ["--scheduling-of", "ann"] if fmt == "apkg" else []
    args = ["bank", "export", "docker", "--format", fmt, "--output", str(target), *extra]
    before = os.umask(0o022)
    try:
        assert runner.invoke(args=args).exit_code == 0
    finally:
        os.umask(before)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_export_of_an_unknown_bank(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["bank", "export", "nope", "--format", "csv", "--output", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and "There is no bank 'nope'." in result.output
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize(("kind", "name", "media_type"), [
    ("csv", "docker.csv", "text/csv; charset=utf-8"),
    ("json", "docker.json", "application/json"),
    ("yaml", "docker.zip", "application/zip"),
])  # fmt: skip
def test_downloads_on_the_bank_page(
    signed_in: FlaskClient, docker: None, kind: str, name: str, media_type: str
) -> None:
    page = signed_in.get("/banks/docker").get_data(as_text=True)
    assert f'href="/banks/docker/export/{kind}"' in page
    response = signed_in.get(f"/banks/docker/export/{kind}")
    assert response.status_code == 200 and response.headers["Content-Type"] == media_type
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"


def test_downloads_need_an_account_and_a_known_format(
    client: FlaskClient, signed_in: FlaskClient, docker: None
) -> None:
    assert signed_in.get("/banks/docker/export/pdf").status_code == 404
    assert signed_in.get("/banks/nope/export/csv").status_code == 404


def review_some(app: Flask, learner: int) -> list[tuple[int, int, int]]:
    """ann answers three cards; returns (card, rating, ms since epoch) per review."""
    start = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    with app.app_context():
        user = db.session.get(User, learner)
        for step, rating in enumerate((Rating.GOOD, Rating.AGAIN, Rating.EASY)):
            now = start + timedelta(minutes=step)
            card, _ = next_card(Study.at(db.session, user, now), ["docker"])
            answer(Study.at(db.session, user, now), card, rating, elapsed_ms=1000 * (step + 1))
        db.session.commit()
        return [
            (
                r.card_id,
                r.rating,
                int(r.reviewed_at.timestamp() * 1000),
                r.state_before,
                r.elapsed_ms,
            )
            for r in db.session.scalars(select(Review).order_by(Review.id))
        ]


def test_history_csv_rows_equal_the_review_log(
    app: Flask, signed_in: FlaskClient, docker: None, learner: int
) -> None:
    log = review_some(app, learner)
    response = signed_in.get("/settings/history.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [
        (
            int(r["card_id"]),
            int(r["review_rating"]),
            int(r["review_time"]),
            int(r["review_state"]),
            int(r["review_duration"]),
        )
        for r in rows
    ] == [(card, rating, ms, state, elapsed) for card, rating, ms, state, elapsed in log]


def test_history_json_and_only_ones_own(
    app: Flask, client: FlaskClient, docker: None, learner: int
) -> None:
    from tests.support import Auth, make_user

    review_some(app, learner)
    make_user(app, "bob")
    Auth(client).login("bob")
    assert json.loads(client.get("/settings/history.json").get_data(as_text=True)) == []
    Auth(client).logout()
    Auth(client).login("ann")
    data = json.loads(client.get("/settings/history.json").get_data(as_text=True))
    assert [r["rating"] for r in data] == [3, 1, 4] and data[0]["bank"] == "docker"
    with app.app_context():
        assert db.session.scalar(select(Card.id).where(Card.user_id == learner)) is not None


def test_apkg_export_and_import_through_the_cli(
    app: Flask, runner: FlaskCliRunner, docker: None, tmp_path: Path
) -> None:
    target = tmp_path / "docker.apkg"
    result = runner.invoke(
        args=["bank", "export", "docker", "--format", "apkg", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(target)
    imported = runner.invoke(args=["bank", "import", str(target)])
    assert imported.exit_code == 0, imported.output
    listed = {b["id"]: b for b in json.loads(runner.invoke(args=["bank", "list", "--json"]).stdout)}
    assert "docker" in listed and len(listed) == 2
    [other] = [b for b in listed.values() if b["id"] != "docker"]
    assert other["questions"] == QUESTIONS and other["diagrams"] == 13


def note_times(package: bytes) -> dict[str, int]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        data = archive.read("collection.anki2")
    collection = sqlite3.connect(":memory:")
    collection.deserialize(data)
    times = dict(collection.execute("SELECT guid, mod FROM notes").fetchall())
    collection.close()
    return times


def test_apkg_with_the_learners_schedule(
    app: Flask, runner: FlaskCliRunner, signed_in: FlaskClient, docker: None, learner: int
) -> None:
    review_some(app, learner)
    response = signed_in.get("/banks/docker/export/apkg?scheduling=1")
    assert (
        response.status_code == 200
        and response.headers["Content-Disposition"]
        == "attachment; filename=docker-with-schedule.apkg"
    )
    assert zipfile.is_zipfile(io.BytesIO(response.data))
    plain = signed_in.get("/banks/docker/export/apkg")
    assert plain.headers["Content-Disposition"] == "attachment; filename=docker.apkg"
    # Notes are stamped with when their questions changed, not with the download's time.
    again = signed_in.get("/banks/docker/export/apkg")
    assert note_times(plain.data) == note_times(again.data)
    assert len(set(note_times(plain.data).values())) == 1
    result = runner.invoke(
        args=[
            "bank",
            "export",
            "docker",
            "--format",
            "csv",
            "--output",
            "x.csv",
            "--scheduling-of",
            "ann",
        ]
    )
    assert result.exit_code == 1 and "--scheduling-of goes with --format apkg." in result.output


def test_bad_apkg_is_refused_by_the_cli(runner: FlaskCliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "broken.apkg"
    bad.write_bytes(b"not a zip")
    result = runner.invoke(args=["bank", "import", str(bad)])
    assert result.exit_code == 1 and str(bad) in result.output

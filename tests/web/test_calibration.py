"""How good the schedule is, on /stats and in /api/v1/stats, for a seeded learner."""

from __future__ import annotations

import re
from collections import OrderedDict

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import services.calibration as calibration_service
from models import Card, Question, User, db
from services.answers import answer
from services.bank_import import import_bank
from services.calibration import learner_calibration
from services.context import Study
from services.optimize import review_history
from srs.calibration import Calibration, CalibrationBin, calibration
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.support import make_user
from tests.synthetic import FORGETFUL, forgetful_log

CARDS = 30
BANK = "id: b\ntitle: B\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(1, CARDS + 1)
)


@pytest.fixture
def bank(app: Flask, write_bank) -> None:
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK})))
        db.session.commit()


@pytest.fixture
def studied(app: Flask, bank: None, learner: int) -> None:
    """ann, having answered the bank as a forgetful learner would, for 150 days."""
    with app.app_context():
        user = db.session.get_one(User, learner)
        questions = {q.key: q for q in db.session.scalars(select(Question))}
        cards: dict[int, Card] = {}
        for review in forgetful_log(CARDS):
            card = cards.get(review.card_id)
            if card is None:
                question = questions[f"q{review.card_id}"]
                card = Card(user_id=user.id, question_id=question.id, bank_id="b")
                db.session.add(card)
                db.session.flush()
                cards[review.card_id] = card
            answer(Study.at(db.session, user, review.reviewed_at), card, Rating(review.rating))
        db.session.commit()


def _expected(app: Flask, learner: int, parameters=None) -> dict:
    with app.app_context():
        user = db.session.get_one(User, learner)
        log = review_history(db.session, user)
        return calibration(log, user.timezone, user.rollover_hour, parameters).to_dict()


def test_the_api_judges_the_parameters_in_use(
    app: Flask, signed_in: FlaskClient, studied: None, learner: int
) -> None:
    found = signed_in.get("/api/v1/stats").json["calibration"]

    expected = _expected(app, learner)
    assert set(found) == {"log_loss", "rmse_bins", "reviews", "bins"}
    assert found["reviews"] == expected["reviews"] > 100
    assert found["log_loss"] == pytest.approx(expected["log_loss"], rel=1e-6)
    assert found["rmse_bins"] == pytest.approx(expected["rmse_bins"], rel=1e-6)
    assert found["bins"] == expected["bins"]
    assert all(set(one) == {"predicted", "actual", "count"} for one in found["bins"])
    assert sum(one["count"] for one in found["bins"]) == found["reviews"]
    assert signed_in.get("/api/v1/stats?bank=b").json["calibration"] == found

    with app.app_context():
        db.session.get_one(User, learner).fsrs_parameters = list(FORGETFUL)
        db.session.commit()
    personal = signed_in.get("/api/v1/stats").json["calibration"]

    assert personal["log_loss"] == pytest.approx(
        _expected(app, learner, FORGETFUL)["log_loss"], rel=1e-6
    )
    assert personal["log_loss"] != pytest.approx(found["log_loss"], rel=1e-3)


def test_no_review_to_judge_gives_nulls_and_says_what_is_needed(
    signed_in: FlaskClient, bank: None
) -> None:
    assert signed_in.get("/api/v1/stats").json["calibration"] == {
        "log_loss": None,
        "rmse_bins": None,
        "reviews": 0,
        "bins": [],
    }
    page = signed_in.get("/stats").get_data(as_text=True)
    assert 'id="calibration"' in page and "How good is my schedule" in page
    assert "Nothing to judge yet" in page and "<circle" not in page


def test_the_page_shows_the_figures_the_chart_and_the_table(
    app: Flask, signed_in: FlaskClient, studied: None, learner: int
) -> None:
    expected = _expected(app, learner)

    page = signed_in.get("/stats").get_data(as_text=True)

    start = page.index('id="calibration"')
    section = page[start : page.index('<section class="chart-grid">', start)]
    assert f"{expected['log_loss']:.3f}" in section
    assert f"{expected['rmse_bins'] * 100:.1f}%" in section
    assert "default parameters" in section and "Log loss" in section
    assert section.count("<circle") == len(expected["bins"])
    assert 'class="diagonal"' in section
    rows = re.findall(r'<tr><th scope="row">', section)
    assert len(rows) == len(expected["bins"])
    for one in expected["bins"]:
        assert f"<td>{one['count']}</td>" in section


def test_settings_link_to_the_calibration(signed_in: FlaskClient) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)

    assert 'href="/stats#calibration"' in page


def test_a_learner_who_keeps_changing_their_day_pushes_out_only_their_own_result(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged: list[int] = []

    def judge(log, zone: str, rollover_hour: int, parameters) -> Calibration:
        judged.append(rollover_hour)
        return Calibration()

    monkeypatch.setattr(calibration_service, "calibration", judge)
    monkeypatch.setattr(calibration_service, "KEPT", 3)
    monkeypatch.setattr(calibration_service, "_KEPT", OrderedDict())
    ids = [make_user(app, name) for name in ("ann", "bob", "cy", "dee")]
    with app.app_context():
        *users, dee = [db.session.get_one(User, user_id) for user_id in ids]
        for user in users:
            learner_calibration(db.session, user, ["b"])
        for hour in range(72):  # ann tries every rollover hour in three zones
            users[0].rollover_hour = hour % 24
            users[0].timezone = ("UTC", "Asia/Shanghai", "Europe/Berlin")[hour // 24]
            learner_calibration(db.session, users[0], ["b"])
        asked = len(judged)
        for user in users:
            learner_calibration(db.session, user, ["b"])
        assert len(judged) == asked  # bob's and cy's were kept (64 once cleared all)
        learner_calibration(db.session, dee, ["b"])
        assert [key for key, _ in calibration_service._KEPT] == [ids[1], ids[2], ids[3]]


@pytest.mark.parametrize(
    ("rmse", "verdict"),
    [
        (0.032, "FSRS predicts your recall well."),
        (0.05, "FSRS predicts your recall fairly well."),
        (0.099, "FSRS predicts your recall fairly well."),
        (0.18, "FSRS predicts your recall poorly: optimizing your parameters may help."),
    ],
)
def test_the_page_judges_the_figures_in_one_sentence(
    signed_in: FlaskClient, bank: None, monkeypatch: pytest.MonkeyPatch, rmse: float, verdict: str
) -> None:
    judged = Calibration(0.4, rmse, (CalibrationBin(0.85, 0.8, 120),), 120)
    monkeypatch.setattr(calibration_service, "calibration", lambda *_: judged)
    monkeypatch.setattr(calibration_service, "_KEPT", OrderedDict())
    page = signed_in.get("/stats").get_data(as_text=True)
    assert verdict in page
    assert "under 5% is well" in page and "up to 10% fairly well" in page
    assert sum(page.count(one) for one in ("recall well.", "fairly well.", "poorly:")) == 1


def test_the_chart_names_its_axes(
    signed_in: FlaskClient, bank: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    judged = Calibration(0.4, 0.04, (CalibrationBin(0.85, 0.8, 120),), 120)
    monkeypatch.setattr(calibration_service, "calibration", lambda *_: judged)
    monkeypatch.setattr(calibration_service, "_KEPT", OrderedDict())
    chart = (
        signed_in.get("/stats").get_data(as_text=True).split('class="chart calibration-chart"')[1]
    )
    names = re.findall(r'class="tick axis-name"[^>]*>([^<]+)</text>', chart.split("</svg>")[0])
    assert names == ["predicted", "recalled"]

"""Help me decide: the API's options, the page, and setting the chosen retention."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

import services.retention as retention_service
from models import User, db
from services.retention import retention_advice
from srs.retention import OPTIONS, RetentionAdvice, RetentionOption, StudyPlan
from tests.support import Auth, csrf_token, make_user

BANK = "id: demo\ntitle: Demo\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(1, 41)
)


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    path = write_bank("demo", {"bank.yaml": BANK})
    assert runner.invoke(args=["bank", "import", str(path)]).exit_code == 0


def _retention(app: Flask, user_id: int) -> float:
    with app.app_context():
        return db.session.get(User, user_id).desired_retention


def test_api_gives_the_options_and_the_recommended_one(signed_in: FlaskClient, bank: None) -> None:
    answer = signed_in.get("/api/v1/retention")
    assert answer.status_code == 200
    body = answer.json
    assert set(body) == {"options", "recommended"}
    assert body["options"], "no options"
    for option in body["options"]:
        assert set(option) == {"retention", "reviews_per_day", "minutes_per_day", "memorized"}
        assert 0 < option["memorized"] <= 40  # the bank's cards
    assert 0.70 <= body["recommended"] <= 0.95
    assert body["recommended"] in [option["retention"] for option in body["options"]]


def test_api_needs_credentials(client: FlaskClient) -> None:
    answer = client.get("/api/v1/retention")
    assert answer.status_code == 401 and "error" in answer.json


def test_settings_link_to_help_me_decide(signed_in: FlaskClient) -> None:
    assert 'href="/settings/retention"' in signed_in.get("/settings").get_data(as_text=True)


def test_page_shows_charts_table_and_a_button_per_option(
    signed_in: FlaskClient, bank: None
) -> None:
    page = signed_in.get("/settings/retention").get_data(as_text=True)
    assert page.count('<svg viewBox="0 0 600') == 2
    assert page.count('class="bar marked"') == 2  # the recommended one, in each chart
    assert page.count('name="desired_retention" value="0.') >= 7
    # A recommendation, or the lowest retention offered is the cheapest and the page says so.
    assert ('<span class="badge">recommended</span>' in page) != ('id="lowest-caveat"' in page)
    assert "(yours now)" in page  # 0.90 is an option


def test_choosing_an_option_sets_desired_retention(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    sent = {"csrf_token": csrf_token(signed_in), "desired_retention": "0.85"}
    answer = signed_in.post("/settings/retention", data=sent)
    assert answer.status_code == 302 and answer.location.endswith("/settings/retention")
    assert _retention(app, learner) == 0.85
    page = signed_in.get("/settings/retention").get_data(as_text=True)
    assert "Desired retention set to 0.85." in page


@pytest.mark.parametrize("value", ["0.5", "1", "0.855", "abc", "NaN", ""])
def test_an_impossible_retention_is_refused_with_the_reason(
    app: Flask, signed_in: FlaskClient, learner: int, value: str
) -> None:
    sent = {"csrf_token": csrf_token(signed_in), "desired_retention": value}
    answer = signed_in.post("/settings/retention", data=sent, follow_redirects=True)
    page = answer.get_data(as_text=True)
    assert (
        f"&#39;{value}&#39; is not a desired retention: choose a number from 0.70 to 0.99" in page
    )
    assert _retention(app, learner) == 0.90


def test_a_forged_form_without_its_token_changes_nothing(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    answer = signed_in.post("/settings/retention", data={"desired_retention": "0.80"})
    assert answer.status_code == 400
    assert _retention(app, learner) == 0.90


def test_the_page_is_in_chinese(signed_in: FlaskClient, bank: None) -> None:
    signed_in.get("/lang/zh_Hans")
    page = signed_in.get("/settings/retention", headers={"Accept-Language": "zh-CN"})
    assert "Help me decide" not in page.get_data(as_text=True)


# -- what one learner may cost the server -----------------------------------------------------


@pytest.fixture(autouse=True)
def no_advice_kept() -> None:
    """Each test's app numbers its learners from one: advice kept by another test is not theirs."""
    retention_service._KEPT.clear()


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[StudyPlan]:
    """The simulation made instant, and the plans it was asked to simulate."""
    plans: list[StudyPlan] = []

    def simulate(plan: StudyPlan) -> RetentionAdvice:
        plans.append(plan)
        return RetentionAdvice((RetentionOption(0.9, 10.0, 5.0, 30.0),), 0.9)

    monkeypatch.setattr(retention_service, "advise", simulate)
    return plans


def _set(app: Flask, name: str, **settings: object) -> None:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        for key, value in settings.items():
            setattr(user, key, value)
        db.session.commit()


def test_simulations_are_limited_per_learner(
    make_app, app_config: dict[str, object], counted: list[StudyPlan]
) -> None:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(app, "ann")
    make_user(app, "bob")
    ann, bob = app.test_client(), app.test_client()
    Auth(ann).login()
    Auth(bob).login("bob")
    statuses = []
    for interval in range(100, 106):  # each a setting changed, so each a new simulation
        _set(app, "ann", maximum_interval=interval)
        statuses.append(ann.get("/settings/retention").status_code)
    assert statuses == [200] * 5 + [429]
    assert len(counted) == 5
    page = ann.get("/settings/retention").get_data(as_text=True)
    assert "Help me decide has simulated your year several times" in page
    # The API counts with the page, and says so in JSON.
    answer = ann.get("/api/v1/retention")
    assert answer.status_code == 429
    assert "simulated your year" in answer.json["error"]
    # Another learner on the same address is not held up.
    assert bob.get("/api/v1/retention").status_code == 200
    assert bob.get("/settings/retention").status_code == 200


def test_advice_kept_is_not_counted(
    make_app, app_config: dict[str, object], counted: list[StudyPlan]
) -> None:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(app, "ann")
    client = app.test_client()
    Auth(client).login()
    statuses = {client.get("/settings/retention").status_code for _ in range(12)}
    statuses |= {client.get("/api/v1/retention").status_code for _ in range(12)}
    assert statuses == {200} and len(counted) == 1


def test_a_learner_who_keeps_changing_settings_pushes_out_only_their_own_advice(
    app: Flask, counted: list[StudyPlan], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_service, "KEPT_LEARNERS", 3)
    ids = [make_user(app, name) for name in ("ann", "bob", "cy", "dee")]
    with app.app_context():
        *users, dee = [db.session.get(User, user_id) for user_id in ids]
        for user in users:
            retention_advice(db.session, user)
        for interval in range(100, 120):  # ann tries twenty maximum intervals
            users[0].maximum_interval = interval
            retention_advice(db.session, users[0])
        asked = len(counted)
        for user in users:
            retention_advice(db.session, user)
        assert len(counted) == asked  # bob's and cy's advice were kept
        assert len(retention_service._KEPT) == 3
        retention_advice(db.session, dee)
        # Ann, asked longest ago, makes room for dee.
        assert list(retention_service._KEPT) == [users[1].id, users[2].id, dee.id]


# -- what the page says ------------------------------------------------------------------------


def _advice(recommended: float) -> RetentionAdvice:
    return RetentionAdvice(
        tuple(RetentionOption(r, 100 * r, 50 * r, 1000 * r) for r in OPTIONS), recommended
    )


@pytest.mark.parametrize("recommended", [0.70, 0.85])
def test_a_recommendation_at_the_lowest_retention_says_so(
    signed_in: FlaskClient, monkeypatch: pytest.MonkeyPatch, recommended: float
) -> None:
    monkeypatch.setattr(retention_service, "advise", lambda plan: _advice(recommended))
    page = signed_in.get("/settings/retention").get_data(as_text=True)
    caveat = "The least time per card remembered is at 0.70 or below, the lowest offered here"
    assert (caveat in page) == (recommended == 0.70)
    assert ("most learners keep 0.85 to 0.90" in page) == (recommended == 0.70)
    # The least time per card at the edge of what is offered recommends nothing.
    assert ("Recommended: 0.85" in page) == (recommended == 0.85)
    assert ('<span class="badge">recommended</span>' in page) == (recommended == 0.85)
    assert "Recommended: 0.70" not in page


def test_the_marked_choice_is_the_learners_own_not_the_recommended_one(
    signed_in: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_service, "advise", lambda plan: _advice(0.85))
    page = signed_in.get("/settings/retention").get_data(as_text=True)
    primary = re.findall(r'class="button primary" type="submit" name="desired_retention" '
                         r'value="([0-9.]+)"', page)  # fmt: skip
    assert primary == ["0.90"]  # ann's desired retention
    assert re.search(r'<tr class="current">\s*<th scope="row">0.90', page)
    assert re.search(r'<tr class="recommended">\s*<th scope="row">0.85 <span class="badge">', page)
    marked = re.findall(r'class="bar marked"><title>([^<]*)</title>', page)
    assert marked == ["0.90: 45 min (yours now)", "0.90: 900 (yours now)"]


def test_every_bar_carries_its_value(
    signed_in: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_service, "advise", lambda plan: _advice(0.85))
    page = signed_in.get("/settings/retention").get_data(as_text=True)
    values = re.findall(r'class="value[^"]*" text-anchor="middle">([^<]*)</text>', page)
    minutes = [str(round(50 * r, 1)).removesuffix(".0") for r in OPTIONS]
    cards = [f"{round(1000 * r):,}" for r in OPTIONS]
    assert values == minutes + cards


def test_the_page_says_the_cards_start_new_where_it_names_them(
    signed_in: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention_service, "advise", lambda plan: _advice(0.85))
    page = signed_in.get("/settings/retention").get_data(as_text=True)
    assert "with your cards" not in page
    assert "as many cards as you study, all starting new as if you began today" in page

"""GET and PUT /api/v1/settings, and easy days on the settings page: one set of rules, one
message for a bad value wherever it is sent."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from models import BankProgress, User, db
from services.accounts import issue_token
from services.answers import answer
from services.context import Study
from services.queue import next_card
from services.settings import SETTINGS
from srs.scheduler import Rating
from srs.study import study_day
from tests.support import csrf_token

DEFAULTS = {
    "desired_retention": 0.9,
    "new_per_day": 20,
    "reviews_per_day": 200,
    "learning_steps": "1m 10m",
    "relearning_steps": "10m",
    "day_starts_at": 4,
    "timezone": "UTC",
    "maximum_interval": 36500,
    "easy_days": [1.0] * 7,
}
WEEK = [1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.0]


@pytest.fixture
def token(app: Flask, learner: int) -> str:
    with app.app_context():
        value = issue_token(db.session, db.session.get_one(User, learner))
        db.session.commit()
    return value


def put(client: FlaskClient, token: str, body: Any) -> Any:
    return client.put("/api/v1/settings", json=body, headers={"Authorization": f"Bearer {token}"})


def stored(app: Flask, learner: int) -> User:
    with app.app_context():
        user = db.session.get_one(User, learner)
        db.session.expunge(user)
        return user


def test_get_returns_every_setting_as_the_page_writes_it(client: FlaskClient, token: str) -> None:
    response = client.get("/api/v1/settings", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert set(response.json) == set(SETTINGS)
    assert response.json == DEFAULTS


def test_put_changes_only_what_is_sent_and_returns_every_setting(
    app: Flask, client: FlaskClient, token: str, learner: int
) -> None:
    response = put(client, token, {"new_per_day": 5, "learning_steps": "30s 5m 1h",
                                   "easy_days": WEEK})  # fmt: skip
    assert response.status_code == 200
    assert response.json == {**DEFAULTS, "new_per_day": 5, "learning_steps": "30s 5m 1h",
                             "easy_days": WEEK}  # fmt: skip
    user = stored(app, learner)
    assert (user.new_per_day, user.learning_steps, user.easy_days) == (5, [30, 300, 3600], WEEK)
    assert (user.reviews_per_day, user.desired_retention) == (200, 0.9)
    assert put(client, token, {}).json == response.json  # nothing sent, nothing changed
    put(client, token, {"easy_days": [1, 1, 1, 1, 1, 1, 1]})
    assert stored(app, learner).easy_days is None  # a normal week, as a new account has it


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("desired_retention", 1.5, "Number must be between 0.7 and 0.99."),
        ("desired_retention", "0.9", "Not a valid decimal value."),
        ("desired_retention", True, "Not a valid decimal value."),
        ("new_per_day", 10000, "Number must be between 0 and 9999."),
        ("new_per_day", -1, "Number must be between 0 and 9999."),
        ("new_per_day", 2.5, "Not a valid integer value."),
        ("new_per_day", True, "Not a valid integer value."),
        ("new_per_day", "²", "Not a valid integer value."),
        ("reviews_per_day", 10**29, "Number must be between 0 and 99999."),
        ("learning_steps", "1m 10x", "'10x' is not a step like 30s, 10m, 1h or 1d"),
        ("learning_steps", "1m ²m", "'²m' is not a step like 30s, 10m, 1h or 1d"),
        # A number with its unit written apart, or with none, is named with what follows it.
        (
            "learning_steps",
            "1 小时 abc",
            "'1 小时': write each step as a number with its unit right after it: "
            "s, m, h or d, as in 1m or 1h",
        ),
        (
            "relearning_steps",
            "1m 10",
            "'10': write each step as a number with its unit right after it: "
            "s, m, h or d, as in 10m or 10h",
        ),
        ("learning_steps", ["1m"], "Steps are text, as in Anki: 1m 10m"),
        ("relearning_steps", "400d", "'400d' is longer than a step may be (365d)."),
        ("relearning_steps", " ".join(["1m"] * 21), "At most 20 steps."),
        ("day_starts_at", 24, "Number must be between 0 and 23."),
        ("day_starts_at", "04:00", "Not a valid integer value."),
        ("timezone", "Mars/Olympus", "'Mars/Olympus' is not a time zone Wengu knows"),
        ("timezone", 8, "A time zone is a name such as Asia/Shanghai or Europe/Berlin."),
        ("maximum_interval", 0, "Number must be between 1 and 36500."),
        ("maximum_interval", None, "Enter a whole number from 1 to 36500."),
        ("easy_days", [1, 1, 1, 1, 1, 1], "Easy days are seven numbers from 0 to 1, Monday first."),
        ("easy_days", "1111111", "Easy days are seven numbers from 0 to 1, Monday first."),
        ("easy_days", [1, 1, 1, 1, 1, 1, 2], "Number must be between 0 and 1."),
        ("easy_days", [1, 1, 1, 1, 1, 1, -0.5], "Number must be between 0 and 1."),
        ("easy_days", [1, 1, 1, 1, 1, 1, True], "Not a valid decimal value."),
        ("easy_days", [0] * 7, "At least one day must be above 0 (Minimum): with every day"),
        ("colour", "blue", "No such setting."),
    ],
)
def test_a_bad_value_is_a_422_naming_the_setting_and_the_rule_and_changes_nothing(
    app: Flask, client: FlaskClient, token: str, learner: int, name: str, value: Any, message: str
) -> None:
    response = put(client, token, {"new_per_day": 7, name: value})
    assert response.status_code == 422
    assert response.json["errors"][name].startswith(message)
    if name in SETTINGS:
        assert response.json["error"].startswith(f"{name}: {message}")
    else:
        assert response.json["error"].startswith(f"No such setting: {name}. The settings are")
    assert stored(app, learner).new_per_day == 20  # the good value sent with it is not kept


def test_every_refused_setting_is_named_at_once(client: FlaskClient, token: str) -> None:
    response = put(client, token, {"new_per_day": -1, "timezone": "Nowhere", "x": 1})
    assert sorted(response.json["errors"]) == ["new_per_day", "timezone", "x"]
    # One sentence each, joined cleanly, and the settings there are named once at the end.
    assert response.json["error"] == (
        "new_per_day: Number must be between 0 and 9999. "
        "timezone: 'Nowhere' is not a time zone Wengu knows: choose one of the list, "
        "such as Asia/Shanghai or Europe/Berlin. No such setting: x. The settings are "
        + ", ".join(SETTINGS) + "."
    )  # fmt: skip


def test_unknown_keys_are_answered_briefly_and_a_flood_of_them_is_refused_unread(
    app: Flask, client: FlaskClient, token: str, learner: int
) -> None:
    names = {f"unknown{n}": 1 for n in range(32)}
    response = put(client, token, names)
    assert response.status_code == 422
    assert response.json["errors"] == dict.fromkeys(names, "No such setting.")
    assert response.json["error"].count("desired_retention") == 1
    assert response.json["error"].count("unknown31") == 1
    assert len(response.get_data()) < 1600  # some 40 bytes a key, not a list of settings each
    flood = put(client, token, {"new_per_day": 7, **{f"k{n}": 1 for n in range(400_000)}})
    assert flood.status_code == 400
    assert flood.json == {"error": "Too many keys: 400001 sent, at most 32."}
    long = put(client, token, {"x" * 100_000: 1})
    assert long.status_code == 400 and len(long.get_data()) < 200
    assert stored(app, learner).new_per_day == 20


def test_a_long_bad_step_is_quoted_cut_short(client: FlaskClient, token: str) -> None:
    response = put(client, token, {"learning_steps": "1m " + "9" * 100_000 + "x"})
    assert response.json["errors"]["learning_steps"] == (
        "'9999999999999999999…' is not a step like 30s, 10m, 1h or 1d"
    )


@pytest.mark.parametrize(
    "body", ['{"desired_retention": NaN}', '{"new_per_day": 1e999}', "[1]", '"x"', "{"]
)
def test_a_body_that_is_no_json_object_of_numbers_is_a_400(
    client: FlaskClient, token: str, body: str
) -> None:
    response = client.put(
        "/api/v1/settings",
        data=body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400 and response.json["error"]


def test_without_credentials_both_are_401(client: FlaskClient, learner: int) -> None:
    assert client.get("/api/v1/settings").status_code == 401
    assert client.put("/api/v1/settings", json={"new_per_day": 1}).status_code == 401
    bad = {"Authorization": "Bearer wengu_nope"}
    assert client.put("/api/v1/settings", json={}, headers=bad).status_code == 401


def test_a_session_cookie_put_needs_the_csrf_header_as_every_api_write(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    assert signed_in.get("/api/v1/settings").json == DEFAULTS
    refused = signed_in.put("/api/v1/settings", json={"new_per_day": 3})
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]
    assert stored(app, learner).new_per_day == 20
    accepted = signed_in.put("/api/v1/settings", json={"new_per_day": 3},
                             headers={"X-CSRFToken": csrf_token(signed_in)})  # fmt: skip
    assert accepted.status_code == 200 and accepted.json["new_per_day"] == 3


def test_a_new_zone_or_day_start_recounts_today_as_the_page_does(
    app: Flask, runner: FlaskCliRunner, write_bank, client: FlaskClient, token: str, learner: int
) -> None:
    bank = "id: z\ntitle: Z\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    runner.invoke(args=["bank", "import", str(write_bank("z", {"bank.yaml": bank}))])
    with app.app_context():
        user = db.session.get_one(User, learner)
        now = datetime.now(timezone.utc)
        card = next_card(Study.at(db.session, user, now), ["z"])[0]
        answer(Study.at(db.session, user, now), card, Rating.GOOD)
        db.session.get_one(BankProgress, (learner, "z")).new_done = 7  # not what a recount finds
        db.session.commit()
    response = put(client, token, {"timezone": "Pacific/Kiritimati", "day_starts_at": 5})
    assert (response.json["timezone"], response.json["day_starts_at"]) == ("Pacific/Kiritimati", 5)
    with app.app_context():
        kept = db.session.get_one(BankProgress, (learner, "z"))
        day = study_day(datetime.now(timezone.utc), "Pacific/Kiritimati", 5)
        assert (kept.day, kept.new_done) == (day.date, 1)


# -- the page --------------------------------------------------------------------------------


def _schedule(client: FlaskClient, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client), "group": "schedule", "desired_retention": "0.9",
            "maximum_interval": "36500", "timezone": "UTC", "rollover_hour": "4",
            **{f"easy_day_{day}": "1.0" for day in range(7)}, **fields}  # fmt: skip


def _selected(page: str, day: int) -> str:
    select = re.search(rf'<select[^>]*name="easy_day_{day}".*?</select>', page, re.S).group(0)
    return re.search(r"<option selected[^>]*>([^<]*)</option>", select).group(1)


def test_easy_days_are_chosen_on_the_page_saved_with_the_schedule_and_shown_again(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    schedule = re.search(r'id="schedule".*?Save schedule', page, re.S).group(0)
    assert "Easy days" in schedule and "move to nearby days" in schedule
    assert "cards already scheduled keep their day" in schedule
    labels = re.findall(r'<label for="easy_day_\d">([^<]*)</label>', schedule)
    assert labels == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert [_selected(page, day) for day in range(7)] == ["Normal"] * 7
    data = _schedule(signed_in, easy_day_5="0.5", easy_day_6="0.0")
    response = signed_in.post("/settings", data=data)
    assert response.location.endswith("/settings?saved=schedule#schedule-saved")
    assert stored(app, learner).easy_days == WEEK
    page = signed_in.get("/settings").get_data(as_text=True)
    assert [_selected(page, day) for day in (4, 5, 6)] == ["Normal", "Reduced", "Minimum"]
    assert signed_in.get("/api/v1/settings").json["easy_days"] == WEEK
    # The study group, saved alone, leaves them as they are.
    signed_in.post("/settings", data={"csrf_token": csrf_token(signed_in), "group": "study",
                                      "new_per_day": "9", "reviews_per_day": "90",
                                      "learning_steps": "1m", "relearning_steps": "10m"})  # fmt: skip
    assert stored(app, learner).easy_days == WEEK


def test_a_share_the_api_set_is_shown_and_kept_by_the_page(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    with app.app_context():
        db.session.get_one(User, learner).easy_days = [0.7, 1, 1, 1, 1, 1, 1]
        db.session.commit()
    page = signed_in.get("/settings").get_data(as_text=True)
    assert _selected(page, 0) == "70%"
    signed_in.post("/settings", data=_schedule(signed_in, easy_day_0="0.7"))
    assert stored(app, learner).easy_days == [0.7, 1, 1, 1, 1, 1, 1]


@pytest.mark.parametrize(
    ("field", "text", "name", "value"),
    [
        ("desired_retention", "1.5", "desired_retention", 1.5),
        ("maximum_interval", "0", "maximum_interval", 0),
        ("rollover_hour", "24", "day_starts_at", 24),
        ("timezone", "Mars/Olympus", "timezone", "Mars/Olympus"),
        ("easy_day_3", "2", "easy_days", [1, 1, 1, 2, 1, 1, 1]),
        # JSON carries no NaN (a 400 before any rule); the page's is out of range, as 1.5.
        ("easy_day_3", "nan", "easy_days", [1, 1, 1, 1.5, 1, 1, 1]),
        ("new_per_day", "10000", "new_per_day", 10000),
        ("learning_steps", "1m 10x", "learning_steps", "1m 10x"),
        ("relearning_steps", "400d", "relearning_steps", "400d"),
    ],
)
def test_the_page_and_the_api_refuse_a_bad_value_with_the_same_message(
    app: Flask,
    signed_in: FlaskClient,
    token: str,
    learner: int,
    field: str,
    text: str,
    name: str,
    value: Any,
) -> None:
    if field in ("new_per_day", "learning_steps", "relearning_steps"):
        data = {"csrf_token": csrf_token(signed_in), "group": "study", "new_per_day": "20",
                "reviews_per_day": "200", "learning_steps": "1m 10m",
                "relearning_steps": "10m", field: text}  # fmt: skip
    else:
        data = _schedule(signed_in, **{field: text})
    page = signed_in.post("/settings", data=data)
    assert page.status_code == 200
    message = put(app.test_client(), token, {name: value}).json["errors"][name]
    shown = re.findall(
        rf'<p class="error" id="{field}-error">([^<]*)</p>', page.get_data(as_text=True)
    )
    assert [html.unescape(error) for error in shown] == [message]
    assert stored(app, learner).timezone == "UTC"


def test_the_easy_days_speak_chinese(app: Flask, signed_in: FlaskClient, learner: int) -> None:
    with app.app_context():
        db.session.get_one(User, learner).locale = "zh_Hans"
        db.session.commit()
    page = signed_in.get("/settings").get_data(as_text=True)
    assert "轻松日" in page and '<label for="easy_day_0">星期一</label>' in page
    assert [_selected(page, 0)] == ["正常"]
    assert "已经安排好的卡片保持原来的日子" in page
    week = {f"easy_day_{day}": "0.0" for day in range(7)}
    refused = signed_in.post("/settings", data=_schedule(signed_in, **week))
    assert "至少要有一天高于 0（最少）" in refused.get_data(as_text=True)


def test_a_week_all_at_minimum_is_refused_on_the_page_with_the_apis_words(
    app: Flask, signed_in: FlaskClient, token: str, learner: int
) -> None:
    week = {f"easy_day_{day}": "0.0" for day in range(7)}
    page = signed_in.post("/settings", data=_schedule(signed_in, **week))
    assert page.status_code == 200
    fieldset = re.search(r'<fieldset class="easy-days has-error".*?</fieldset>',
                         page.get_data(as_text=True), re.S).group(0)  # fmt: skip
    shown = re.findall(r'<p class="error" id="easy-days-error" role="alert" data-all-minimum>'
                       r"([^<]*)</p>", fieldset)  # fmt: skip
    message = put(app.test_client(), token, {"easy_days": [0] * 7}).json["errors"]["easy_days"]
    assert [html.unescape(error) for error in shown] == [message]
    assert [_selected(page.get_data(as_text=True), day) for day in range(7)] == ["Minimum"] * 7
    assert stored(app, learner).easy_days is None
    # Until then the warning waits, hidden, for static/js/easydays.js.
    page = signed_in.get("/settings").get_data(as_text=True)
    assert re.search(r'<fieldset class="easy-days" id="easy-days" aria-describedby="easy-days-hint">'
                     r'.*<p class="error" id="easy-days-error" role="alert" data-all-minimum hidden>'
                     + re.escape(html.escape(message, quote=False)), page, re.S)  # fmt: skip
    # One day above Minimum is a week.
    signed_in.post("/settings", data=_schedule(signed_in, **{**week, "easy_day_2": "0.5"}))
    assert stored(app, learner).easy_days == [0, 0, 0.5, 0, 0, 0, 0]

"""Today, the review page, banks to add or leave, and settings."""

from __future__ import annotations

from zoneinfo import available_timezones

import pytest
import pytz
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import User, db
from services.accounts import issue_token
from tests.support import csrf_token

# Zones zoneinfo knows and pytz (which formats the pages' dates) does not.
ZONEINFO_ONLY = sorted({"Factory", "localtime"} | (available_timezones() - pytz.all_timezones_set))

BANK = "id: demo\ntitle: Demo bank\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(30)
)


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("demo", {"bank.yaml": BANK}))])


def test_today_shows_each_bank_with_its_counts(signed_in: FlaskClient, bank: None) -> None:
    page = signed_in.get("/").get_data(as_text=True)
    assert "Demo bank" in page
    assert '<div class="count count-new"><dt>New</dt><dd>20</dd></div>' in page
    assert 'href="/review/demo"' in page


def test_today_says_done_when_nothing_is_left(
    app: Flask, signed_in: FlaskClient, bank: None, learner: int
) -> None:
    with app.app_context():
        db.session.get(User, learner).new_per_day = 0
        db.session.commit()
    page = signed_in.get("/").get_data(as_text=True)
    assert "Done for today" in page and 'href="/review/demo"' not in page


def test_review_page_loads_its_script_and_no_inline_code(
    signed_in: FlaskClient, bank: None
) -> None:
    page = signed_in.get("/review/demo").get_data(as_text=True)
    assert '<script type="module" src="/static/js/review.js"></script>' in page
    assert 'data-bank="demo"' in page and 'data-url-next="/api/v1/review/next"' in page
    assert 'data-url-answer="/api/v1/review/{card}"' in page
    assert 'data-url-bury="/api/v1/cards/{card}/bury"' in page
    assert "onclick" not in page and "<script>" not in page


def test_review_page_carries_the_cards_done_today_for_its_progress_bar(
    signed_in: FlaskClient, bank: None
) -> None:
    """The bar shows the day's share done, not this visit's: it does not start empty."""
    assert 'data-done-today="0"' in signed_in.get("/review/demo").text
    for _ in range(2):
        card = signed_in.get("/api/v1/review/next?bank=demo").json
        sent = {"rating": 3, "review_token": card["review_token"]}
        headers = {"X-CSRFToken": csrf_token(signed_in)}
        answered = signed_in.post(f"/api/v1/review/{card['card_id']}", json=sent, headers=headers)
        assert answered.status_code == 200
    page = signed_in.get("/review/demo").text
    assert 'data-done-today="2"' in page and 'aria-label="Done today"' in page
    practice = signed_in.get("/review/demo?tag=x").text  # a practice counts only itself
    assert "data-done-today" not in practice and 'aria-label="Done this session"' in practice


def test_review_page_of_an_unknown_bank_is_404(signed_in: FlaskClient) -> None:
    assert signed_in.get("/review/nope").status_code == 404


def test_leaving_a_bank_takes_it_out_of_today(signed_in: FlaskClient, bank: None) -> None:
    token = csrf_token(signed_in)
    assert signed_in.post("/banks/demo/leave", data={"csrf_token": token}).status_code == 302
    assert 'href="/review/demo"' not in signed_in.get("/").get_data(as_text=True)
    assert signed_in.get("/review/demo").status_code == 404
    assert signed_in.get("/api/v1/review/next?bank=demo").status_code == 404
    assert "You left this bank" in signed_in.get("/banks").get_data(as_text=True)
    signed_in.post("/banks/demo/join", data={"csrf_token": token})
    assert 'href="/review/demo"' in signed_in.get("/").get_data(as_text=True)


def test_settings_are_saved(app: Flask, signed_in: FlaskClient, learner: int) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    assert 'value="1m 10m"' in page and 'value="0.90"' in page
    response = signed_in.post(
        "/settings",
        data={
            "csrf_token": csrf_token(signed_in),
            "desired_retention": "0.85",
            "new_per_day": "10",
            "reviews_per_day": "100",
            "learning_steps": "30s 5m 1h",
            "relearning_steps": "15m",
            "rollover_hour": "3",
            "timezone": "Asia/Shanghai",
            "maximum_interval": "365",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, learner)
        assert user.study_settings().learning_steps == (30, 300, 3600)
        assert (user.desired_retention, user.new_per_day, user.timezone) == (
            0.85,
            10,
            "Asia/Shanghai",
        )
        assert (user.rollover_hour, user.maximum_interval, user.relearning_steps) == (3, 365, [900])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("desired_retention", "1.5", "Number must be between 0.7 and 0.99."),
        ("learning_steps", "1m 10x", "&#39;10x&#39; is not a step like 30s, 10m, 1h or 1d"),
        ("rollover_hour", "24", "Number must be between 0 and 23."),
        ("timezone", "Mars/Olympus", "is not a time zone Wengu knows"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(
    app: Flask, signed_in: FlaskClient, learner: int, field: str, value: str, message: str
) -> None:
    data = {
        "csrf_token": csrf_token(signed_in),
        "desired_retention": "0.9", "new_per_day": "20", "reviews_per_day": "200",
        "learning_steps": "1m 10m", "relearning_steps": "10m", "rollover_hour": "4",
        "timezone": "UTC", "maximum_interval": "36500",
    }  # fmt: skip
    data[field] = value
    page = signed_in.post("/settings", data=data).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.session.get(User, learner).timezone == "UTC"


@pytest.mark.parametrize("zone", ZONEINFO_ONLY)
def test_a_zone_pytz_does_not_know_is_refused_in_settings(
    app: Flask, signed_in: FlaskClient, learner: int, zone: str
) -> None:
    data = {
        "csrf_token": csrf_token(signed_in),
        "desired_retention": "0.9", "new_per_day": "20", "reviews_per_day": "200",
        "learning_steps": "1m 10m", "relearning_steps": "10m", "rollover_hour": "4",
        "timezone": zone, "maximum_interval": "36500",
    }  # fmt: skip
    refused = signed_in.post("/settings", data=data).get_data(as_text=True)
    assert "is not a time zone Wengu knows" in refused
    assert f'<option value="{zone}"' not in signed_in.get("/settings").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, learner).timezone == "UTC"


@pytest.mark.parametrize("zone", ZONEINFO_ONLY)
def test_a_stored_zone_pytz_does_not_know_falls_back_to_utc(
    app: Flask, signed_in: FlaskClient, bank: None, learner: int, zone: str
) -> None:
    with app.app_context():
        user = db.session.get_one(User, learner)
        user.timezone = zone  # stored before zones were checked
        issue_token(db.session, user, name="phone")  # its date is shown in the zone
        db.session.commit()
    for path in (
        "/",
        "/settings",
        "/banks",
        "/review/demo",
        "/stats",
        "/banks/demo/export/apkg",
        "/settings/history.csv",
        "/api/v1/review/next?bank=demo",
        "/api/v1/stats",
    ):
        assert signed_in.get(path).status_code == 200, path  # fmt: skip
    assert "phone" in signed_in.get("/settings").get_data(as_text=True)


def test_password_change_needs_the_current_one(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "pw-current": "wrong-wrong",
            "pw-password": "a new password", "pw-confirm": "a new password"}  # fmt: skip
    assert "That is not your current password." in signed_in.post(
        "/settings/password", data=data
    ).get_data(as_text=True)
    data["pw-current"] = "correct horse battery"
    assert signed_in.post("/settings/password", data=data).status_code == 302
    with app.app_context():
        from services.accounts import authenticate

        assert authenticate(db.session, "ann", "a new password") is not None


def test_user_create_with_password_on_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["user", "create", "mei", "--admin", "--password-stdin"],
                           input="a long password\n")  # fmt: skip
    assert result.exit_code == 0 and result.stdout == "Created admin account 'mei'.\n"
    with app.app_context():
        assert db.session.scalar(select(User.is_admin).where(User.name == "mei")) is True


def test_user_create_from_a_prompt(runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["user", "create", "lin"], input="a long password\na long password\n"
    )
    assert result.exit_code == 0 and "Created account 'lin'." in result.output


def test_user_create_refuses_a_short_password_or_taken_name(
    runner: FlaskCliRunner, learner: int
) -> None:
    short = runner.invoke(args=["user", "create", "lin", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "The password needs at least 8 characters." in short.output
    taken = runner.invoke(
        args=["user", "create", "ANN", "--password-stdin"], input="long enough pw\n"
    )
    assert taken.exit_code == 1 and "The name 'ANN' is taken." in taken.output


def test_user_token_prints_a_working_token_last(
    client: FlaskClient, runner: FlaskCliRunner, learner: int
) -> None:
    result = runner.invoke(args=["user", "token", "ann"])
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("wengu_")
    assert (
        client.get("/api/v1/reviews", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )


def test_user_token_for_nobody(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["user", "token", "nobody"])
    assert result.exit_code == 1 and "There is no account 'nobody'." in result.output

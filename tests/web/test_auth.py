"""First-run setup, signing in and out, and CSRF on every form."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from models import User, db
from services import accounts
from services.first_run import CODE_FILE, setup_code
from tests.support import PASSWORD, Auth, csrf_token, first_run_code, make_user


def test_every_page_leads_to_setup_until_an_account_exists(client: FlaskClient) -> None:
    for path in ("/", "/banks", "/settings", "/login"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/setup", path


def _setup(client: FlaskClient, code: str, name: str = "mei", password: str = PASSWORD):
    return client.post(
        "/setup",
        data={
            "code": code,
            "name": name,
            "password": password,
            "confirm": password,
            "csrf_token": csrf_token(client),
        },
    )


def test_setup_creates_the_admin_and_signs_in(app: Flask, client: FlaskClient) -> None:
    response = _setup(client, first_run_code(app))
    assert response.status_code == 302 and response.location == "/"
    assert "Today" in client.get("/").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.name, user.is_admin) == ("mei", True)
        assert user.password_hash.startswith("pbkdf2:") and PASSWORD not in user.password_hash


def test_setup_refuses_short_or_different_passwords(app: Flask, client: FlaskClient) -> None:
    token = csrf_token(client)
    page = client.post(
        "/setup",
        data={"code": first_run_code(app), "name": "mei", "password": "short", "confirm": "other",
              "csrf_token": token},
    ).get_data(as_text=True)  # fmt: skip
    assert page.count("Use 8 to 200 characters.") == 1 and "At least 8 characters" not in page
    assert "The passwords differ." in page


def test_a_form_with_errors_focuses_its_first_field_with_an_error(
    app: Flask, client: FlaskClient
) -> None:
    assert re.search(
        r'<input[^>]*autofocus[^>]*name="name"', client.get("/setup").get_data(as_text=True)
    )
    page = client.post(
        "/setup",
        data={"code": first_run_code(app), "name": "mei", "password": "short", "confirm": "other",
              "csrf_token": csrf_token(client)},
    ).get_data(as_text=True)  # fmt: skip
    focused = re.findall(r"<(?:input|select)[^>]*\bautofocus\b[^>]*>", page)
    assert len(focused) == 1 and 'name="password"' in focused[0]


def test_setup_shows_one_message_for_a_missing_password(app: Flask, client: FlaskClient) -> None:
    page = client.post(
        "/setup",
        data={"code": first_run_code(app), "name": "mei", "password": "", "confirm": "",
              "csrf_token": csrf_token(client)},
    ).get_data(as_text=True)  # fmt: skip
    assert page.count("Use 8 to 200 characters.") == 1 and "At least 8 characters" not in page
    assert "This field is required." not in page
    assert "At least 8 characters." in client.get("/setup").get_data(as_text=True)


def test_setup_refuses_a_wrong_code_without_showing_the_right_one(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="wengu")
    code = first_run_code(app)
    wrong = "2222-2222" if code != "2222-2222" else "3333-3333"
    for guess in (wrong, ""):
        response = _setup(client, guess)
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert code not in page and code.replace("-", "") not in page
    assert "That is not the setup code." in _setup(client, wrong).get_data(as_text=True)
    assert "This field is required." in _setup(client, "").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User)) is None
    assert "setup refused: wrong setup code from 127.0.0.1" in caplog.text


def test_guessing_the_setup_code_is_rate_limited(make_app, app_config: dict[str, object]) -> None:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    client = app.test_client()
    statuses = [_setup(client, "2222-2222" if first_run_code(app) != "2222-2222" else "3333-3333").status_code
                for _ in range(11)]  # fmt: skip
    assert statuses[:10] == [200] * 10 and statuses[10] == 429
    assert _setup(client, first_run_code(app)).status_code == 429  # even the right code waits


def test_the_logged_link_never_takes_the_host_header(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="wengu")
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    assert client.get("/setup", headers=forged).status_code == 200
    assert client.get("/", headers=forged).location == "/setup"
    assert "First run: create the admin at /setup?code=" in caplog.text
    assert "evil.example" not in caplog.text


def test_setup_code_ignores_case_spaces_and_dashes(app: Flask, client: FlaskClient) -> None:
    code = first_run_code(app)
    assert _setup(client, f" {code.replace('-', ' ').lower()} ").status_code == 302


def test_the_link_in_the_log_fills_in_the_code_and_works_once(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    code = first_run_code(app)
    caplog.set_level(logging.WARNING, logger="wengu")
    assert client.get("/").location == "/setup"
    assert f"First run: create the admin at /setup?code={code} on this server" in caplog.text
    page = client.get(f"/setup?code={code}").get_data(as_text=True)
    assert f'value="{code}"' in page and "Setup code" in page
    assert _setup(client, code).status_code == 302
    assert not (Path(app.instance_path) / CODE_FILE).exists()


def test_every_worker_reads_the_same_code(tmp_path: Path) -> None:
    first = setup_code(tmp_path)
    assert first == setup_code(tmp_path)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", first)
    assert (tmp_path / CODE_FILE).stat().st_mode & 0o777 == 0o600


def test_a_code_from_the_environment_is_used(make_app, app_config: dict[str, object]) -> None:
    app = make_app({**app_config, "WENGU_SETUP_CODE": "class-2026"})
    client = app.test_client()
    assert first_run_code(app) == "class-2026"
    assert _setup(client, "CLASS 2026").status_code == 302
    assert not (Path(app.instance_path) / CODE_FILE).exists()


def test_setup_is_closed_once_an_account_exists(
    app: Flask, client: FlaskClient, learner: int
) -> None:
    assert client.get("/setup").location == "/login"
    _setup(client, first_run_code(app), name="eve")
    assert client.get("/").location.startswith("/login")


def test_login_and_logout(client: FlaskClient, learner: int, auth: Auth) -> None:
    assert client.get("/").location == "/login?next=%2F"
    assert auth.login().location == "/"
    assert client.get("/").status_code == 200
    assert auth.logout().location == "/login"
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(
    client: FlaskClient, learner: int, auth: Auth
) -> None:
    page = auth.login(password="nope-nope-nope").get_data(as_text=True)
    assert "Wrong name or password." in page
    page = auth.login(name="nobody").get_data(as_text=True)
    assert "Wrong name or password." in page


def test_login_follows_next_only_within_the_site(client: FlaskClient, learner: int) -> None:
    token = csrf_token(client)
    data = {"name": "ann", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login?next=/settings", data=data).location == "/settings"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    data["csrf_token"] = csrf_token(client)
    assert client.post("/login?next=//evil.example/x", data=data).location == "/"


def test_disabled_account_cannot_sign_in(app: Flask, client: FlaskClient, auth: Auth) -> None:
    make_user(app, "ann", disabled=True)
    assert "Wrong name or password." in auth.login().get_data(as_text=True)


def test_login_starts_a_fresh_session(client: FlaskClient, learner: int, auth: Auth) -> None:
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login()
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/login", {"name": "ann", "password": PASSWORD}),
        ("/logout", {}),
        ("/settings", {"desired_retention": "0.9"}),
        ("/settings/password", {"pw-current": PASSWORD}),
        ("/banks/docker/leave", {}),
        ("/banks/docker/join", {}),
    ],
)
def test_forms_without_a_csrf_token_are_refused(
    signed_in: FlaskClient, path: str, data: dict[str, str]
) -> None:
    response = signed_in.post(path, data=data)
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_session_cookie_is_http_only_and_same_site(
    client: FlaskClient, learner: int, auth: Auth
) -> None:
    cookie = auth.login().headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("name", ["nobody", "ann", "disabled", "ＮＯＢＯＤＹ", "Иван"])
def test_the_password_is_hashed_whether_or_not_the_name_exists(
    app: Flask, client: FlaskClient, learner: int, auth: Auth, monkeypatch, name: str
) -> None:
    with app.app_context():
        make_user(app, "disabled")
        db.session.get_one(User, 2).disabled = True
        db.session.commit()
    checked: list[str] = []

    def check(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return False

    monkeypatch.setattr(accounts, "check_password_hash", check)
    response = auth.login(name, "a wrong password")
    assert "Wrong name or password." in response.get_data(as_text=True)
    assert len(checked) == 1
    # The same work as for a real account: a hash made with the method passwords use now.
    assert checked[0].startswith(accounts.PASSWORD_METHOD + "$")

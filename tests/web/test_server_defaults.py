"""The server's defaults for new accounts and visitors: time zone and interface language."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from config import PROJECT_ROOT, SettingError
from models import SiteSetting, User, db
from models.types import now_utc
from services.groups import create_group, create_invite
from tests.support import PASSWORD, csrf_token, first_run_code, make_user

SHANGHAI = {"WENGU_DEFAULT_TIMEZONE": "Asia/Shanghai", "WENGU_DEFAULT_LANGUAGE": "zh-Hans"}


@pytest.fixture
def china(make_app: Callable[[dict[str, object]], Flask], app_config: dict[str, object]) -> Flask:
    return make_app({**app_config, **SHANGHAI})


def _account(app: Flask, name: str) -> tuple[str, str | None]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        return user.timezone, user.locale


def _form(client, **fields: str) -> dict[str, str]:
    return {"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_token(client), **fields}


def test_the_admin_made_at_setup_starts_on_the_server_defaults(china: Flask) -> None:
    client = china.test_client()
    data = _form(client, name="mei", code=first_run_code(china))
    assert client.post("/setup", data=data).status_code == 302
    assert _account(china, "mei") == ("Asia/Shanghai", "zh_Hans")


def test_sign_up_and_join_start_on_the_server_defaults(china: Flask) -> None:
    owner = make_user(china, "mei", admin=True)
    with china.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        group = create_group(db.session, db.session.get(User, owner), "Readers", [])
        code = create_invite(
            db.session, group, db.session.get(User, owner), now_utc(), days=7, max_uses=None
        ).code
        db.session.commit()
    client = china.test_client()
    assert client.post("/register", data=_form(client, name="ann")).status_code == 302
    other = china.test_client()
    assert other.post(f"/join/{code}", data=_form(other, name="bob")).status_code == 302
    assert _account(china, "ann") == _account(china, "bob") == ("Asia/Shanghai", "zh_Hans")


def test_user_create_starts_on_the_server_defaults(china: Flask) -> None:
    result = china.test_cli_runner().invoke(
        args=["user", "create", "li", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert _account(china, "li") == ("Asia/Shanghai", "zh_Hans")


def test_without_defaults_accounts_start_on_utc_and_the_browser_language(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["user", "create", "li", "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert _account(app, "li") == ("UTC", None)


def test_visitors_see_the_server_language_unless_they_chose_another(china: Flask) -> None:
    make_user(china, "mei")
    client = china.test_client()
    english = {"Accept-Language": "en-US,en;q=0.9"}
    assert '<html lang="zh-Hans"' in client.get("/login", headers=english).get_data(as_text=True)
    client.get("/language/en")
    assert '<html lang="en"' in client.get("/login", headers=english).get_data(as_text=True)


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("WENGU_DEFAULT_TIMEZONE", "Asia/Peking", "WENGU_DEFAULT_TIMEZONE: unknown time zone"),
        ("WENGU_DEFAULT_TIMEZONE", "Factory", "WENGU_DEFAULT_TIMEZONE: unknown time zone"),
        ("WENGU_DEFAULT_TIMEZONE", "localtime", "WENGU_DEFAULT_TIMEZONE: unknown time zone"),
        ("WENGU_DEFAULT_LANGUAGE", "fr", "WENGU_DEFAULT_LANGUAGE: unknown language 'fr'; use one"),
    ],
)
def test_an_unknown_default_stops_the_start(
    app_config: dict[str, object], setting: str, value: str, message: str
) -> None:
    from app import create_app

    with pytest.raises(SettingError, match=message):
        create_app({**app_config, setting: value})


@pytest.mark.slow
def test_python_app_py_names_the_bad_setting_and_exits(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WENGU_")}
    env.update({"WENGU_INSTANCE_PATH": str(tmp_path), "WENGU_DEFAULT_TIMEZONE": "Mars/Base"})
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.strip() == (
        "wengu: WENGU_DEFAULT_TIMEZONE: unknown time zone 'Mars/Base'; "
        "use an IANA name such as 'Asia/Shanghai' or 'Europe/Berlin'"
    )


def _signed_in_for_good(client) -> bool:
    """Whether the client holds a remember-me cookie (a sign-in past the browser's session)."""
    return client.get_cookie("remember_token") is not None


@pytest.mark.parametrize("remember", [True, False])
def test_a_new_account_is_kept_signed_in_when_asked(app: Flask, remember: bool) -> None:
    """Setup, registration and joining offer "Keep me signed in", as the sign-in form does: a
    phone's browser may end its session when it closes."""
    ticked = {"remember": "y"} if remember else {}
    client = app.test_client()
    assert "Keep me signed in" in client.get(f"/setup?code={first_run_code(app)}").text
    data = _form(client, name="mei", code=first_run_code(app), **ticked)
    assert client.post("/setup", data=data).status_code == 302
    assert _signed_in_for_good(client) is remember
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.name == "mei"))
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        group = create_group(db.session, owner, "Readers", [])
        code = create_invite(db.session, group, owner, now_utc(), days=7, max_uses=None).code
        db.session.commit()
    for path, name in (("/register", "ann"), (f"/join/{code}", "bob")):
        other = app.test_client()
        assert "Keep me signed in" in other.get(path).text
        assert other.post(path, data=_form(other, name=name, **ticked)).status_code == 302
        assert _signed_in_for_good(other) is remember, path

"""Behind a reverse proxy: the public host, port and sub-path in every link, and a clear
message when the proxy hides the port from the CSRF check."""

from __future__ import annotations

import re
import runpy
from collections.abc import Callable
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import PROJECT_ROOT, proxy_fix_exposure
from models import User, db
from services.groups import create_group, create_invite
from tests.support import PASSWORD, make_user

BANK = """\
id: demo
title: Demo bank
questions:
  - {id: q1, type: basic, prompt: One?, answer: "1"}
"""
# What nginx sends for https://wengu.example:8443/wengu/... (docs/hosting.md).
PROXIED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "wengu.example:8443",
    "X-Forwarded-Prefix": "/wengu",
}
PUBLIC = "https://wengu.example:8443/wengu"
BACKEND = "http://127.0.0.1:8000"  # where the proxy sends requests


@pytest.fixture
def proxied(make_app: Callable[[dict[str, object]], Flask], app_config: dict) -> Flask:
    return make_app({**app_config, "WENGU_PROXY_FIX": True})


def _token(
    client: FlaskClient, headers: dict[str, str], base_url: str = BACKEND, page: str = "/login"
) -> str:
    page = client.get(page, headers=headers, base_url=base_url).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_sub_path_behind_the_proxy_is_in_every_link(proxied: Flask, write_bank) -> None:
    runner = proxied.test_cli_runner()
    runner.invoke(args=["bank", "import", str(write_bank("demo", {"bank.yaml": BANK}))])
    make_user(proxied, "ann")
    client = proxied.test_client()
    response = client.get("/", headers=PROXIED, base_url=BACKEND)
    assert response.status_code == 302
    assert response.location.startswith("/wengu/login?next=")
    page = client.get("/login", headers=PROXIED, base_url=BACKEND).get_data(as_text=True)
    assert 'href="/wengu/static/manifest.webmanifest"' in page
    assert re.search(r'<link rel="stylesheet" href="/wengu/static/', page)
    assert not re.search(r'(href|src|action)="/(?!wengu/)', page), "a link outside /wengu/"
    response = client.post(
        "/login",
        headers={**PROXIED, "Referer": f"{PUBLIC}/login"},
        base_url=BACKEND,
        data={"name": "ann", "password": PASSWORD, "csrf_token": _token(client, PROXIED)},
    )
    assert response.status_code == 302 and response.location == "/wengu/"
    review = client.get("/review/demo", headers=PROXIED, base_url=BACKEND).get_data(as_text=True)
    assert 'data-url-next="/wengu/api/v1/review/next"' in review
    assert 'data-url-answer="/wengu/api/v1/review/{card}"' in review
    assert 'data-url-login="/wengu/login"' in review
    assert not re.search(r'(href|src|action)="/(?!wengu/)', review), "a link outside /wengu/"

    # Without a Referer to go back to (so over plain HTTP, which checks none).
    plain = {**PROXIED, "X-Forwarded-Proto": "http"}
    token = _token(client, plain, page="/banks")
    response = client.post(
        "/banks/demo/leave", headers=plain, base_url=BACKEND, data={"csrf_token": token}
    )
    assert response.status_code == 302 and response.location == "/wengu/banks"


def test_invite_and_reset_links_carry_the_public_address(proxied: Flask) -> None:
    admin = make_user(proxied, "ann", admin=True)
    with proxied.app_context():
        owner = db.session.get(User, admin)
        group = create_group(db.session, owner, "Readers", [])
        invite = create_invite(
            db.session, group, owner, datetime.now(timezone.utc), days=7, max_uses=None
        )
        db.session.commit()
        group_id, code = group.id, invite.code
    client = proxied.test_client()
    token = _token(client, PROXIED)
    client.post(
        "/login",
        headers={**PROXIED, "Referer": f"{PUBLIC}/login"},
        base_url=BACKEND,
        data={"name": "ann", "password": PASSWORD, "csrf_token": token},
    )
    board = client.get(f"/groups/{group_id}", headers=PROXIED, base_url=BACKEND).get_data(
        as_text=True
    )
    assert f"{PUBLIC}/join/{code}" in board
    bob = make_user(proxied, "bob")
    response = client.post(
        f"/admin/users/{bob}/reset-link",
        headers={**PROXIED, "Referer": f"{PUBLIC}/admin"},
        base_url=BACKEND,
        data={"csrf_token": re.search(r'name="csrf-token" content="([^"]+)"', board)[1]},
    )
    assert f"{PUBLIC}/reset/" in response.get_data(as_text=True)


def test_a_proxy_that_drops_the_port_gets_a_message_that_names_it(app: Flask) -> None:
    make_user(app, "ann")
    client = app.test_client()
    # Host $host in nginx: the browser is at :8443, Wengu is told wengu.example.
    token = _token(client, {}, base_url="https://wengu.example")
    response = client.post(
        "/login",
        base_url="https://wengu.example",
        headers={"Referer": "https://wengu.example:8443/login"},
        data={"name": "ann", "password": PASSWORD, "csrf_token": token},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "the Referer does not match the Host header" in page
    assert "proxy_set_header Host $http_host" in page
    assert "CSRF token did not match" not in page


def test_a_form_over_https_without_a_referer_says_so(app: Flask) -> None:
    make_user(app, "ann")
    client = app.test_client()
    token = _token(client, {}, base_url="https://wengu.example")
    response = client.post(
        "/login",
        base_url="https://wengu.example",
        data={"name": "ann", "password": PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 400
    assert "The browser sent no Referer header" in response.get_data(as_text=True)


def test_a_token_that_does_not_match_still_says_so(client: FlaskClient) -> None:
    response = client.post("/login", data={"name": "ann", "password": "x", "csrf_token": "bad"})
    assert response.status_code == 400
    assert "CSRF token did not match" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("binds", "exposed"),
    [
        (["127.0.0.1:8000"], False),
        (["[::1]:8000"], False),
        (["localhost:8000"], False),
        (["unix:/run/wengu/wengu.sock"], False),
        (["127.0.0.1"], False),
        (["0.0.0.0:8000"], True),
        (["127.0.0.1:8000", "[::]:8000"], True),
        (["192.0.2.10:8000"], True),
        (["wengu.example:8000"], True),
    ],
)
def test_trusting_forwarded_headers_on_a_public_address_is_warned_of(
    binds: list[str], exposed: bool
) -> None:
    warning = proxy_fix_exposure(binds, proxy_fix=True)
    assert (warning is not None) == exposed
    if warning:
        assert "X-Forwarded-For" in warning and binds[-1] in warning
    assert proxy_fix_exposure(binds, proxy_fix=False) is None


def test_gunicorn_config_binds_loopback_logs_requests_and_warns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = runpy.run_path(str(PROJECT_ROOT / "docs/gunicorn.conf.py"))
    assert settings["bind"] == ["127.0.0.1:8000"] and settings["accesslog"] == "-"
    warnings: list[str] = []

    def server(*binds: str) -> SimpleNamespace:
        return SimpleNamespace(
            cfg=SimpleNamespace(bind=list(binds)), log=SimpleNamespace(warning=warnings.append)
        )

    monkeypatch.setenv("WENGU_PROXY_FIX", "1")
    settings["when_ready"](server("127.0.0.1:8000"))
    assert warnings == []
    settings["when_ready"](server("0.0.0.0:8000"))
    assert len(warnings) == 1 and "0.0.0.0:8000" in warnings[0]
    monkeypatch.setenv("WENGU_PROXY_FIX", "0")
    settings["when_ready"](server("0.0.0.0:8000"))
    assert len(warnings) == 1

"""Security basics: sign-in rate limit, headers, cookie flags, upload size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from config import settings_from_env
from models import User, db
from services.accounts import find_user, issue_token
from tests.support import PASSWORD, csrf_token, make_user, redis_server


def test_pages_carry_a_csp_without_inline_script(client: FlaskClient, learner: int) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_api_responses_carry_the_headers_too(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_secure_cookies_when_asked() -> None:
    settings = settings_from_env({"WENGU_SECURE_COOKIES": "1"})
    assert settings["SESSION_COOKIE_SECURE"] is True and settings["REMEMBER_COOKIE_SECURE"] is True
    assert settings_from_env({})["SESSION_COOKIE_SECURE"] is False


def test_secure_flag_reaches_the_cookie(make_app, app_config: dict[str, object]) -> None:
    app = make_app({**app_config, "SESSION_COOKIE_SECURE": True})
    make_user(app, "ann")
    client = app.test_client()
    token = csrf_token(client)
    response = client.post(
        "/login", data={"name": "ann", "password": PASSWORD, "csrf_token": token}
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_uploads_over_the_limit_are_refused(make_app, app_config: dict[str, object]) -> None:
    app = make_app({**app_config, "MAX_CONTENT_LENGTH": 1000})
    make_user(app, "ann")
    response = app.test_client().post("/login", data={"name": "x" * 5000})
    assert response.status_code == 413
    assert "That file is too large to upload." in response.get_data(as_text=True)


def test_rate_limits_are_counted_in_the_shared_store() -> None:
    settings = settings_from_env({"WENGU_REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert settings["RATELIMIT_STORAGE_URI"] == "wengu://"
    assert settings["WENGU_REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert settings_from_env({})["RATELIMIT_STORAGE_URI"] == "wengu://"


def sign_in_attempts(app: Flask, count: int) -> list[TestResponse]:
    client = app.test_client()
    token = csrf_token(client)
    data = {"name": "ann", "password": "wrong guess", "csrf_token": token}
    return [client.post("/login", data=data) for _ in range(count)]


def test_sign_in_is_rate_limited(make_app, app_config: dict[str, object]) -> None:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(app, "ann")
    responses = sign_in_attempts(app, 12)
    assert [r.status_code for r in responses] == [200] * 10 + [429, 429]
    assert "Too many attempts." in responses[-1].get_data(as_text=True)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with redis_server(tmp_path) as url:
        yield url


@pytest.mark.slow
def test_rate_limit_is_shared_through_redis(
    make_app, app_config: dict[str, object], redis_url: str
) -> None:
    config = {**app_config, "RATELIMIT_ENABLED": True, "WENGU_REDIS_URL": redis_url}
    first, second = make_app(config), make_app(config)  # two processes' worth of apps
    make_user(first, "ann")
    assert [r.status_code for r in sign_in_attempts(first, 6)] == [200] * 6
    assert [r.status_code for r in sign_in_attempts(second, 6)] == [200] * 4 + [429, 429]


def test_pages_and_assets_are_compressed(client: FlaskClient, learner: int) -> None:
    for path in ("/login", "/static/css/wengu.css", "/static/js/review.js"):
        with client.get(path, headers={"Accept-Encoding": "br, gzip"}) as response:
            assert response.headers.get("Content-Encoding") in {"br", "gzip"}, path
            assert "Accept-Encoding" in response.headers.get("Vary", "")
            assert response.data
    with client.get("/static/css/wengu.css") as plain:
        assert "Content-Encoding" not in plain.headers


PRIVATE_PAGES = [
    "/", "/banks", "/settings", "/settings/history.csv", "/stats", "/admin", "/admin/banks", "/admin/groups",
    "/quiz/demo", "/api/v1/reviews", "/api/v1/stats", "/api/v1/review/next?bank=demo",
]  # fmt: skip


@pytest.fixture
def admin_with_bank(app: Flask, client: FlaskClient, runner, write_bank) -> FlaskClient:
    bank = "id: demo\ntitle: Demo\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    assert runner.invoke(args=["bank", "import", str(write_bank("demo", {"bank.yaml": bank}))])
    make_user(app, "mei", admin=True)
    return client


def _assert_private(response: TestResponse, path: str) -> None:
    assert response.status_code == 200, path
    directives = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives or "no-store" in directives, path
    vary = {part.strip() for part in response.headers.get("Vary", "").split(",")}
    assert {"Cookie", "Authorization"} <= vary, (path, vary)


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_pages_for_someone_signed_in_are_never_cached(
    admin_with_bank: FlaskClient, path: str
) -> None:
    client = admin_with_bank
    client.post(
        "/login", data={"name": "mei", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    _assert_private(client.get(path), path)


@pytest.mark.parametrize("path", [p for p in PRIVATE_PAGES if p.startswith("/api/")])
def test_answers_to_a_bearer_token_are_never_cached(
    app: Flask, admin_with_bank: FlaskClient, path: str
) -> None:
    with app.app_context():
        token = issue_token(db.session, db.session.get_one(User, find_user(db.session, "mei").id))
        db.session.commit()
    response = admin_with_bank.get(path, headers={"Authorization": f"Bearer {token}"})
    _assert_private(response, path)


def test_static_files_and_visitor_pages_keep_their_caching(
    admin_with_bank: FlaskClient,
) -> None:
    client = admin_with_bank
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    assert "Authorization" not in client.get("/login").headers.get("Vary", "")
    client.post(
        "/login", data={"name": "mei", "password": PASSWORD, "csrf_token": csrf_token(client)}
    )
    static = client.get("/static/icon.svg")
    static.close()
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")

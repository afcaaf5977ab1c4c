"""Who may do what: every route of ``app.url_map`` tried as four kinds of visitor.

The visitors: nobody signed in; bob, a learner in the group "Readers" (a plain member: not
its owner, not an admin); eve, who owns another group and is in no way part of Readers; and
root, the admin. Every route the app has must appear in ``EXPECTED`` with the status each of
them gets, so that a new route without a rule fails here. The URLs name real things (bob's
card and quiz, Readers and its invite, ann's reset link): a refusal is for who asks, not
for a missing row.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from models import ApiToken, Bank, Card, User, db
from models.reschedule import Reschedule
from models.types import now_utc
from services.accounts import issue_token
from services.bank_import import import_bank
from services.context import Study
from services.groups import create_group, create_invite, join_group
from services.queue import next_card
from services.quizzes import start_quiz
from srs.quiz import QuizSpec
from srs.sources import load_bank
from tests.support import PASSWORD, Auth, csrf_token, dump, first_run_code, make_user

ROLES = ("anonymous", "learner", "outsider", "admin")
SIGN_IN = {"learner": "bob", "outsider": "eve", "admin": "root"}

# (endpoint, method): statuses for anonymous, learner (bob), outsider (eve), admin (root).
# 302 from a page for the anonymous visitor is the way to /login (checked below); POSTs carry
# a valid CSRF token and no other field, so that a 400 or 422 means the form was reached and
# refused. A form whose fields are all missing keeps the values it had (settings: 302), and
# a quiz without choices is drawn from the whole bank (302).
EXPECTED: dict[tuple[str, str], tuple[int, int, int, int]] = {
    ("static", "GET"): (200, 200, 200, 200),
    ("errors.health", "GET"): (200, 200, 200, 200),
    ("i18n.switch", "GET"): (302, 302, 302, 302),
    ("review.service_worker", "GET"): (200, 200, 200, 200),
    ("auth.setup", "GET"): (302, 302, 302, 302),
    ("auth.setup", "POST"): (302, 302, 302, 302),
    ("auth.login", "GET"): (200, 302, 302, 302),
    ("auth.login", "POST"): (200, 302, 302, 302),
    ("auth.logout", "POST"): (302, 302, 302, 302),
    ("settings.sign_out_everywhere", "POST"): (302, 302, 302, 302),
    ("settings.set_theme", "POST"): (302, 302, 302, 302),
    ("settings.use_browser_zone", "POST"): (302, 302, 302, 302),  # no zone sent: told so
    ("settings.create_token", "POST"): (302, 400, 400, 400),
    ("settings.delete_account", "GET"): (302, 200, 200, 200),
    ("settings.delete_account", "POST"): (302, 400, 400, 400),  # no password: nothing goes
    ("settings.revoke", "POST"): (302, 302, 404, 404),  # bob's token: nobody else's to revoke
    ("review.today", "GET"): (302, 200, 200, 200),
    ("review.review", "GET"): (302, 200, 200, 200),
    ("banks.index", "GET"): (302, 200, 200, 200),
    ("banks.show", "GET"): (302, 200, 200, 200),
    ("banks.diagram", "GET"): (302, 200, 200, 200),
    ("banks.export", "GET"): (302, 200, 200, 200),
    ("banks.join", "POST"): (302, 302, 302, 302),
    ("banks.leave", "POST"): (302, 302, 302, 302),
    ("banks.source", "GET"): (302, 403, 403, 302),  # to the editor
    ("banks.edit", "GET"): (302, 403, 403, 200),
    ("banks.save", "POST"): (302, 403, 403, 409),  # no version: not the one saved now
    ("banks.check", "POST"): (302, 403, 403, 200),
    ("banks.confirm_retire", "GET"): (302, 403, 403, 200),
    ("banks.retire", "POST"): (302, 403, 403, 409),
    ("banks.restore", "POST"): (302, 403, 403, 404),  # not a retired question
    ("banks.new", "GET"): (302, 403, 403, 200),
    ("banks.add", "POST"): (302, 403, 403, 422),  # no id
    ("banks.check_new", "POST"): (302, 403, 403, 200),
    ("banks.download_source", "GET"): (302, 403, 403, 200),
    ("quiz.setup", "GET"): (302, 200, 200, 200),
    ("quiz.start", "POST"): (302, 302, 302, 302),
    ("quiz.take", "GET"): (302, 200, 404, 404),
    ("quiz.submit", "POST"): (302, 302, 404, 404),
    ("quiz.result", "GET"): (302, 302, 404, 404),
    ("quiz.study", "POST"): (302, 302, 404, 404),
    ("quiz.count_as_right", "POST"): (302, 400, 404, 404),
    ("stats.stats", "GET"): (302, 200, 200, 200),
    ("settings.settings", "GET"): (302, 200, 200, 200),
    ("settings.settings", "POST"): (302, 302, 302, 302),
    ("settings.change_password", "POST"): (302, 200, 200, 200),
    ("settings.optimize", "POST"): (302, 302, 302, 302),
    ("settings.default_parameters", "POST"): (302, 302, 302, 302),
    ("settings.history", "GET"): (302, 200, 200, 200),
    ("retention.decide", "GET"): (302, 200, 200, 200),
    ("retention.choose", "POST"): (302, 302, 302, 302),  # no retention sent: told so
    ("groups.index", "GET"): (302, 200, 200, 200),
    ("groups.create", "POST"): (302, 400, 400, 400),
    ("groups.join_by_code", "POST"): (302, 400, 400, 400),
    ("groups.show", "GET"): (302, 200, 404, 200),
    ("groups.share", "POST"): (302, 302, 404, 404),
    ("groups.leave", "POST"): (302, 302, 404, 302),
    ("groups.banks", "POST"): (302, 403, 404, 302),
    ("groups.invite", "POST"): (302, 403, 404, 302),
    ("groups.revoke", "POST"): (302, 403, 404, 302),
    ("groups.member_action", "POST"): (302, 403, 404, 302),
    ("groups.allow_rejoin", "POST"): (302, 403, 404, 404),  # ann was never removed
    ("groups.join", "GET"): (200, 302, 200, 200),  # a member already: to the group
    ("groups.join", "POST"): (200, 302, 302, 302),
    ("groups.register", "GET"): (404, 404, 404, 404),
    ("groups.register", "POST"): (404, 404, 404, 404),
    ("admin.users", "GET"): (302, 403, 403, 200),
    ("admin.banks", "GET"): (302, 403, 403, 200),
    ("admin.upload_bank", "POST"): (302, 403, 403, 422),
    ("admin.hide_bank", "POST"): (302, 403, 403, 302),
    ("admin.unhide_bank", "POST"): (302, 403, 403, 302),
    ("admin.bank_group", "POST"): (302, 403, 403, 302),
    ("admin.remove_bank_page", "GET"): (302, 403, 403, 200),
    ("admin.remove_bank_page", "POST"): (302, 403, 403, 200),
    ("admin.groups", "GET"): (302, 403, 403, 200),
    ("admin.delete_group", "POST"): (302, 403, 403, 302),
    ("admin.registration", "POST"): (302, 403, 403, 302),
    ("admin.disable_user", "POST"): (302, 403, 403, 302),
    ("admin.enable_user", "POST"): (302, 403, 403, 302),
    ("admin.reset_link", "POST"): (302, 403, 403, 200),
    ("admin.delete_user", "GET"): (302, 403, 403, 200),
    ("admin.delete_user", "POST"): (302, 403, 403, 400),  # no password: ann stays
    ("admin.reset_password", "GET"): (200, 200, 200, 200),
    ("admin.reset_password", "POST"): (200, 200, 200, 200),
    ("api.openapi", "GET"): (200, 200, 200, 200),
    ("api.review_next", "GET"): (401, 200, 200, 200),
    ("api.review_today", "GET"): (401, 200, 200, 200),
    ("api.review_answer", "POST"): (401, 422, 404, 404),
    ("api.review_undo", "POST"): (401, 409, 409, 409),
    ("api.reviews", "GET"): (401, 200, 200, 200),
    ("api.stats", "GET"): (401, 200, 200, 200),
    ("api.retention", "GET"): (401, 200, 200, 200),
    ("api.settings", "GET"): (401, 200, 200, 200),
    ("api.passage", "GET"): (401, 404, 404, 404),  # no ref, no passage: test_notes_storage
    ("api.change", "PUT"): (401, 200, 200, 200),
    ("api.card_suspend", "POST"): (401, 200, 404, 404),
    ("api.card_unsuspend", "POST"): (401, 200, 404, 404),
    ("api.card_bury", "POST"): (401, 200, 404, 404),
    ("api.card_unbury", "POST"): (401, 200, 404, 404),
    ("api.reschedule_cards", "POST"): (401, 400, 400, 400),
    ("api.reschedules", "GET"): (401, 200, 200, 200),
    ("api.reschedule_undo", "POST"): (401, 200, 404, 404),
    ("reschedule.page", "GET"): (302, 200, 200, 200),
    ("reschedule.confirm", "POST"): (302, 302, 302, 302),
    ("reschedule.undo_page", "POST"): (302, 302, 404, 404),
}

BANK = """\
id: x
title: X
sections:
  - {id: s, title: S}
questions:
  - {id: q, type: basic, section: s, prompt: p, answer: a, explanation: "![d](diagrams/d.svg)"}
"""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><title>d</title></svg>'


@dataclass(frozen=True)
class World:
    """The ids that the URLs name."""

    values: dict[str, object]


def _rules(app: Flask) -> list[tuple[Rule, str]]:
    return [
        (rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
    ]


def _world(app: Flask, tmp_path: Path) -> World:
    root = tmp_path / "bank"
    (root / "diagrams").mkdir(parents=True)
    (root / "bank.yaml").write_text(BANK)
    (root / "diagrams" / "d.svg").write_bytes(SVG)
    admin = make_user(app, "root", admin=True)
    ann, bob, eve = (make_user(app, name) for name in ("ann", "bob", "eve"))
    with app.app_context():
        session = db.session
        import_bank(session, load_bank(root))
        users = {u.name: u for u in session.scalars(select(User))}
        now = now_utc()
        readers = create_group(session, users["ann"], "Readers", ["x"])
        create_group(session, users["eve"], "Writers", ["x"])
        invite = create_invite(session, readers, users["ann"], now, days=7, max_uses=None)
        join_group(session, users["bob"], invite, now)
        card, _ = next_card(Study.at(session, users["bob"], now), ["x"])
        assert isinstance(card, Card)
        quiz = start_quiz(session, users["bob"], "x", QuizSpec(seed=1, count=1), now)
        issue_token(session, users["bob"], name="phone")
        token_id = session.scalar(select(ApiToken.id))
        reschedule = Reschedule(user_id=users["bob"].id, kind="postpone")
        session.add(reschedule)
        session.commit()
        values = {
            "bank_id": "x",
            "path": "d.svg",
            "kind": "csv",
            "key": "q",
            "group_id": readers.id,
            "user_id": ann,
            "invite_id": invite.id,
            "action": "promote",
            "code": invite.code,
            "card_id": card.id,
            "quiz_id": quiz.id,
            "filename": "css/wengu.css",
            "locale": "zh_Hans",
            "token_id": token_id,
            "reschedule_id": reschedule.id,
        }
    with app.test_request_context():
        from views.reset_links import reset_token

        with app.app_context():
            values["token"] = reset_token(db.session.get(User, ann), 1)  # root's
    assert (admin, bob, eve) == (1, 3, 4)
    return World(values)


def _url(app: Flask, rule: Rule, world: World) -> str:
    values = {name: world.values[name] for name in rule.arguments}
    if rule.endpoint == "settings.history":
        values["kind"] = "csv"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        response = Auth(client).login(SIGN_IN[role])
        assert response.status_code == 302, f"{role} could not sign in"
    return client


# Open to anyone, and redirecting elsewhere than /login: the language switch goes back to
# the page it was used on.
ELSEWHERE = {"i18n.switch"}


def _status(app: Flask, role: str, rule: Rule, method: str, world: World) -> int:
    client = _client(app, role)
    url = _url(app, rule, world)
    if method == "GET":
        response = client.get(url)
    elif rule.endpoint.startswith("api."):
        response = client.open(
            url, method=method, json={}, headers={"X-CSRFToken": csrf_token(client)}
        )
    else:
        response = client.post(url, data={"csrf_token": csrf_token(client)})
    response.close()
    if role == "anonymous" and response.status_code == 302 and rule.endpoint not in ELSEWHERE:
        assert response.location.startswith("/login"), f"{url} sends nobody to {response.location}"
    return response.status_code


def test_every_route_has_an_expectation(app: Flask) -> None:
    routes = {(rule.endpoint, method) for rule, method in _rules(app)}
    assert sorted(routes - EXPECTED.keys()) == [], "routes with no expected statuses"
    assert sorted(EXPECTED.keys() - routes) == [], "expected statuses for routes that are gone"


@pytest.mark.slow
@pytest.mark.parametrize(("endpoint", "method"), sorted(EXPECTED))
def test_each_visitor_gets_the_expected_status(
    app: Flask, tmp_path: Path, endpoint: str, method: str
) -> None:
    world = _world(app, tmp_path)
    rules = [rule for rule, m in _rules(app) if rule.endpoint == endpoint and m == method]
    assert len(rules) == 1
    got = tuple(_status(app, role, rules[0], method, world) for role in ROLES)
    assert got == EXPECTED[(endpoint, method)], dict(zip(ROLES, got, strict=True))


def test_a_hidden_bank_is_not_found_at_any_address_a_learner_may_use(
    app: Flask, tmp_path: Path
) -> None:
    """Hidden by an admin, a bank is as missing to its learners as one that never was: every
    route that names it answers 404, not a title in a message nor a form refused. (A card
    of it already shown is the learner's own: an answer queued before the bank was hidden
    still counts, by the card's id.)"""
    world = _world(app, tmp_path)
    with app.app_context():
        db.session.get_one(Bank, "x").hidden = True
        db.session.commit()
    before = dump(app)
    got = {
        (rule.endpoint, method): _status(app, "learner", rule, method, world)
        for rule, method in _rules(app)
        if "bank_id" in rule.arguments and not rule.endpoint.startswith("admin.")
    }
    assert len(got) > 20
    assert {route: status for route, status in got.items() if status != 404} == {}
    changed = [table for table, rows in dump(app) if rows != dict(before)[table]]
    assert changed in ([], ["sign_ins"])  # each request above signed bob in anew


# -- CSRF ------------------------------------------------------------------------------------


def _forms(app: Flask) -> list[tuple[Rule, str]]:
    """Every route that writes: the pages' POSTs, the API's POSTs and PUTs."""
    return [(rule, method) for rule, method in _rules(app) if method in ("POST", "PUT")]


@pytest.mark.parametrize("role", ROLES)
def test_every_form_refuses_a_post_without_its_csrf_token(
    app: Flask, tmp_path: Path, role: str
) -> None:
    world = _world(app, tmp_path)
    client = _client(app, role)
    other = _client(app, "learner")  # a token from someone else's session is no better
    stolen = csrf_token(other)
    before = dump(app)  # signed in: each sign-in is a row
    refused = {}
    for rule, method in _forms(app):
        url = _url(app, rule, world)
        if rule.endpoint.startswith("api."):
            if role == "anonymous":
                continue  # no session to ride on: 401 (in EXPECTED)
            tries = [
                client.open(url, method=method, json={}),
                client.open(url, method=method, json={}, headers={"X-CSRFToken": stolen}),
            ]
        else:
            tries = [client.post(url, data={}), client.post(url, data={"csrf_token": stolen})]
        refused[rule.endpoint] = [
            (r.status_code, "CSRF" in r.get_data(as_text=True)) for r in tries
        ]
    assert {k: v for k, v in refused.items() if v != [(400, True), (400, True)]} == {}
    forms = {r.endpoint for r, _ in _forms(app) if role != "anonymous" or r.endpoint[:4] != "api."}
    assert set(refused) == forms
    assert dump(app) == before


def test_a_bearer_token_opens_the_api_only_every_other_route_treats_it_as_nobody(
    app: Flask, tmp_path: Path
) -> None:
    world = _world(app, tmp_path)
    token = _token(app, "root")  # an admin's: the most a stolen token could open
    anonymous = ROLES.index("anonymous")
    got, nobody = {}, {}
    for rule, method in _rules(app):
        if rule.endpoint.startswith("api."):
            continue
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        url = _url(app, rule, world)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": csrf_token(client)})
        response.close()
        got[rule.endpoint, method] = response.status_code
        nobody[rule.endpoint, method] = EXPECTED[rule.endpoint, method][anonymous]
    assert got == nobody
    assert len(got) > 50
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/reviews", headers=headers).status_code == 200


def test_a_bearer_token_needs_no_csrf_token_but_a_session_cookie_does(
    app: Flask, tmp_path: Path
) -> None:
    world = _world(app, tmp_path)
    token = _token(app, "bob")
    card = world.values["card_id"]
    bearer = app.test_client().post(
        f"/api/v1/cards/{card}/bury", headers={"Authorization": f"Bearer {token}"}
    )
    assert bearer.status_code == 200
    session = _client(app, "learner").post(f"/api/v1/cards/{card}/unbury")
    assert session.status_code == 400 and "CSRF" in session.get_json()["error"]


# -- sessions --------------------------------------------------------------------------------


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_signing_in_issues_a_new_session_and_the_planted_one_stays_anonymous(
    app: Flask, tmp_path: Path
) -> None:
    _world(app, tmp_path)
    victim = app.test_client()
    token = csrf_token(victim)  # the pre-sign-in session: one an attacker could have planted
    planted = _session_cookie(victim)
    assert planted
    response = victim.post(
        "/login", data={"name": "bob", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert _session_cookie(victim) not in (None, planted)
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/").status_code == 302  # still nobody: sent to /login
    assert victim.get("/").status_code == 200


def test_signing_out_ends_the_session_and_the_remember_cookie(app: Flask, tmp_path: Path) -> None:
    _world(app, tmp_path)
    client = app.test_client()
    token = csrf_token(client)
    client.post(
        "/login", data={"name": "bob", "password": PASSWORD, "remember": "y", "csrf_token": token}
    )
    assert client.get_cookie("remember_token") is not None
    assert client.get("/").status_code == 200
    response = Auth(client).logout()
    assert response.status_code == 302 and response.location == "/login"
    assert client.get_cookie("remember_token") is None
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/review/next").status_code == 401


def _remembered(app: Flask) -> FlaskClient:
    client = app.test_client()
    token = csrf_token(client)
    client.post(
        "/login", data={"name": "bob", "password": PASSWORD, "remember": "y", "csrf_token": token}
    )
    assert client.get("/").status_code == 200
    return client


def _copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding copies of ``client``'s session and remember-me cookies."""
    thief = app.test_client()
    for name in ("session", "remember_token"):
        cookie = client.get_cookie(name)
        assert cookie is not None
        thief.set_cookie(name, cookie.value)
    assert thief.get("/").status_code == 200
    return thief


def test_signing_out_everywhere_ends_copied_cookies(app: Flask, tmp_path: Path) -> None:
    _world(app, tmp_path)
    client = _remembered(app)
    thief = _copy(app, client)
    only_session = app.test_client()
    only_session.set_cookie("session", _session_cookie(client) or "")
    response = client.post("/settings/sign-out-everywhere", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.location == "/login"
    for browser in (client, thief, only_session):
        assert browser.get("/").status_code == 302
        assert browser.get("/api/v1/review/next").status_code == 401
    assert Auth(app.test_client()).login("bob").status_code == 302  # the password still works


def test_signing_out_ends_that_browsers_copied_cookies_and_no_other_browser(
    app: Flask, tmp_path: Path
) -> None:
    _world(app, tmp_path)
    client, laptop = _remembered(app), _remembered(app)
    thief = _copy(app, client)
    only_session, only_remembered = app.test_client(), app.test_client()
    only_session.set_cookie("session", _session_cookie(client) or "")
    only_remembered.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert only_remembered.get("/").status_code == 200
    Auth(client).logout()
    for browser in (client, thief, only_session, only_remembered):
        assert browser.get("/").status_code == 302
        assert browser.get("/api/v1/review/next").status_code == 401
    assert laptop.get("/").status_code == 200  # signed in on its own


def test_a_new_password_ends_other_sessions_and_keeps_this_one(app: Flask, tmp_path: Path) -> None:
    _world(app, tmp_path)
    client = _remembered(app)
    thief = _copy(app, client)
    change = {
        "pw-current": PASSWORD,
        "pw-password": "a brand new password",
        "pw-confirm": "a brand new password",
        "csrf_token": csrf_token(client),
    }
    assert client.post("/settings/password", data=change).status_code == 302
    assert client.get("/").status_code == 200
    assert thief.get("/").status_code == 302
    # This browser's remember-me cookie was issued again for the new session.
    again = app.test_client()
    remember = client.get_cookie("remember_token")
    assert remember is not None
    again.set_cookie("remember_token", remember.value)
    assert again.get("/").status_code == 200


def test_a_session_cookie_with_a_forged_id_is_nobody(app: Flask) -> None:
    client = app.test_client()
    made_up = "A" * 43  # the shape of a sign-in's id, but none the server made
    for forged in ("1", "1.x", "99999999999999999999.0", "", "-1.0", "1.0", "².0." + made_up,
                   f"1.0.{made_up}", f"3.0.{made_up}"):  # fmt: skip
        with client.session_transaction() as session:
            session["_user_id"] = forged
            session["_fresh"] = True
        assert client.get("/").status_code == 302, forged


def test_a_disabled_account_loses_its_open_session(app: Flask, tmp_path: Path) -> None:
    _world(app, tmp_path)
    bob = _client(app, "learner")
    assert bob.get("/").status_code == 200
    admin = _client(app, "admin")
    assert (
        admin.post("/admin/users/3/disable", data={"csrf_token": csrf_token(admin)}).status_code
        == 302
    )
    assert bob.get("/").status_code == 302


# -- sign-in rate limits ---------------------------------------------------------------------


def _limited(make_app, app_config: dict[str, object], tmp_path: Path) -> tuple[Flask, World]:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    return app, _world(app, tmp_path)


@pytest.mark.parametrize(
    ("endpoint", "fields"),
    [
        ("auth.login", {"name": "bob", "password": "wrong guess"}),
        ("auth.setup", {"code": "WRONG-CODE", "name": "x", "password": "wrong guess"}),
        ("settings.change_password", {"pw-current": "wrong guess", "pw-password": "x" * 10, "pw-confirm": "x" * 10}),
    ],
)  # fmt: skip
def test_password_guessing_is_stopped_after_ten_tries_a_minute(
    make_app, app_config: dict[str, object], tmp_path: Path, endpoint: str, fields: dict[str, str]
) -> None:
    app, world = _limited(make_app, app_config, tmp_path)
    client = _client(app, "learner") if endpoint.startswith("settings.") else app.test_client()
    rule = next(rule for rule, m in _rules(app) if rule.endpoint == endpoint and m == "POST")
    url = _url(app, rule, world)
    data = {**fields, "csrf_token": csrf_token(client)}
    statuses = [client.post(url, data=data).status_code for _ in range(12)]
    assert 429 not in statuses[:10] and statuses[10:] == [429, 429], statuses
    assert "Too many attempts." in client.post(url, data=data).get_data(as_text=True)


def test_one_addresss_mistypes_over_many_accounts_stop_it_at_thirty_a_minute_not_ten(
    make_app, app_config: dict[str, object], tmp_path: Path
) -> None:
    """A class signs in from one school network: ten of its members mistyping do not stop
    the eleventh signing in; thirty wrong passwords a minute from it do."""
    app, _ = _limited(make_app, app_config, tmp_path)
    client = app.test_client()

    def sign_in(name: str, password: str) -> int:
        data = {"name": name, "password": password, "csrf_token": csrf_token(client)}
        return client.post("/login", data=data).status_code

    names = ["ann", "eve", "root"] + [f"pupil{n}" for n in range(27)]
    assert [sign_in(name, "wrong guess") for name in names[:10]] == [200] * 10
    assert sign_in("bob", PASSWORD) == 302
    Auth(client).logout()
    assert [sign_in(name, "wrong guess") for name in names[10:]] == [200] * 20
    assert sign_in("bob", PASSWORD) == 429


# -- API tokens ------------------------------------------------------------------------------


def _token(app: Flask, name: str) -> str:
    result = app.test_cli_runner().invoke(args=["user", "token", name])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


def test_api_tokens_work_until_revoked(app: Flask, tmp_path: Path) -> None:
    _world(app, tmp_path)
    first, second, eves = _token(app, "bob"), _token(app, "bob"), _token(app, "eve")
    api = app.test_client()

    def status(token: str) -> int:
        return api.get("/api/v1/reviews", headers={"Authorization": f"Bearer {token}"}).status_code

    assert [status(first), status(second), status(eves)] == [200, 200, 200]
    result = app.test_cli_runner().invoke(args=["user", "revoke-tokens", "bob"])
    # The world's token of bob too.
    assert result.exit_code == 0 and result.stdout == "Revoked 3 API tokens of 'bob'.\n"
    assert [status(first), status(second), status(eves)] == [401, 401, 200]
    assert status(_token(app, "bob")) == 200  # a new one works again
    assert status("not a token") == 401
    unknown = app.test_cli_runner().invoke(args=["user", "revoke-tokens", "nobody"])
    assert unknown.exit_code == 1 and "There is no account 'nobody'." in unknown.output


def test_a_disabled_accounts_tokens_and_sessions_end_for_good(app: Flask, tmp_path: Path) -> None:
    _world(app, tmp_path)
    token = _token(app, "bob")
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/reviews", headers=headers).status_code == 200
    admin = _client(app, "admin")
    bob = _client(app, "learner")
    admin.post("/admin/users/3/disable", data={"csrf_token": csrf_token(admin)})
    assert app.test_client().get("/api/v1/reviews", headers=headers).status_code == 401
    # Enabled again, the account keeps none of what it had: a disabled account may have
    # been taken over, and whoever held its sessions or tokens may not come back with it.
    admin.post("/admin/users/3/enable", data={"csrf_token": csrf_token(admin)})
    assert app.test_client().get("/api/v1/reviews", headers=headers).status_code == 401
    assert bob.get("/settings").status_code == 302
    assert _client(app, "learner").get("/settings").status_code == 200


# -- passwords in logs -----------------------------------------------------------------------

SECRETS = {
    "setup": "Setup-Secret-9f3a",
    "register": "Register-Secret-4be1",
    "join": "Join-Secret-77c2",
    "wrong": "Wrong-Guess-0d5e",
    "changed": "Changed-Secret-a1b9",
    "reset": "Reset-Secret-3c8d",
    "cli": "Cli-Secret-e52f",
}


def test_no_password_reaches_the_logs(
    make_app, app_config: dict[str, object], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # everything any library logs, at every level
    app = make_app({**app_config, "SQLALCHEMY_ECHO": True})
    client = app.test_client()
    setup = {"code": first_run_code(app), "name": "root", "password": SECRETS["setup"],
             "confirm": SECRETS["setup"]}  # fmt: skip
    assert (
        client.post("/setup", data={**setup, "csrf_token": csrf_token(client)}).status_code == 302
    )
    client.post(
        "/admin/registration", data={"open_registration": "y", "csrf_token": csrf_token(client)}
    )
    with app.app_context():
        root = db.session.scalar(select(User).where(User.name == "root"))
        group = create_group(db.session, root, "Readers", [])
        code = create_invite(db.session, group, root, now_utc(), days=7, max_uses=None).code
        db.session.commit()
    Auth(client).logout()

    def account(url: str, name: str, secret: str) -> None:
        visitor = app.test_client()
        data = {"name": name, "password": secret, "confirm": secret}
        assert (
            visitor.post(url, data={**data, "csrf_token": csrf_token(visitor)}).status_code == 302
        )

    account("/register", "ann", SECRETS["register"])
    account(f"/join/{code}", "bob", SECRETS["join"])
    assert Auth(client).login("ann", SECRETS["wrong"]).status_code == 200
    assert Auth(client).login("ann", SECRETS["register"]).status_code == 302
    change = {"pw-current": SECRETS["register"], "pw-password": SECRETS["changed"],
              "pw-confirm": SECRETS["changed"], "csrf_token": csrf_token(client)}  # fmt: skip
    assert client.post("/settings/password", data=change).status_code == 302
    Auth(client).logout()
    Auth(client).login("root", SECRETS["setup"])
    page = client.post("/admin/users/2/reset-link", data={"csrf_token": csrf_token(client)})
    link = re.search(r"http://localhost(/reset/[^\"<\s]+)", page.get_data(as_text=True))
    assert link
    visitor = app.test_client()
    reset = {"password": SECRETS["reset"], "confirm": SECRETS["reset"]}
    response = visitor.post(link.group(1), data={**reset, "csrf_token": csrf_token(visitor)})
    assert response.status_code == 302
    created = app.test_cli_runner().invoke(
        args=["user", "create", "cy", "--password-stdin"], input=SECRETS["cli"] + "\n"
    )
    assert created.exit_code == 0
    assert Auth(app.test_client()).login("cy", SECRETS["cli"]).status_code == 302
    assert len(caplog.records) > 50  # the engine's statements were logged, so logging was on
    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert [name for name, secret in SECRETS.items() if secret in logged] == []


# -- ids past any column ---------------------------------------------------------------------


def test_an_id_past_any_column_is_not_found_rather_than_an_overflow(
    app: Flask, tmp_path: Path
) -> None:
    _world(app, tmp_path)
    huge = 2**63
    admin = _client(app, "admin")
    assert admin.get(f"/groups/{huge}").status_code == 404
    assert admin.get(f"/quiz/x/{huge}").status_code == 404
    headers = {"Authorization": f"Bearer {_token(app, 'bob')}"}
    api = app.test_client()
    assert api.post(f"/api/v1/cards/{huge}/bury", headers=headers).status_code == 404
    assert api.post(f"/api/v1/cards/{huge - 1}/bury", headers=headers).status_code == 404
    assert api.get(f"/api/v1/reviews?after_id={2**70}", headers=headers).get_json() == []
    assert api.get(f"/api/v1/reviews?after_id=-{2**70}", headers=headers).status_code == 200
    refused = api.get("/api/v1/reviews?after_id=x", headers=headers)
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "'after_id' must be a review id, not 'x'"}

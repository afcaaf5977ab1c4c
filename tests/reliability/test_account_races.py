"""Check-then-act races on accounts, invites and quizzes, over HTTP against a live server.

Each test makes several requests reach the same point at once: a barrier inside the app
holds every request just after its check (the name is free, the invite has a use left,
the quiz is not submitted yet) until all of them have made it, then lets them act. So the
race happens on every run, not only when the timing is unlucky, and what the database
lets through is what is tested: exactly one wins, the others are told why, nothing 500s.
"""

from __future__ import annotations

import html
import http.cookiejar
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

import services.groups
import views.groups
import views.quiz
from models import Invite, Membership, Quiz, QuizAnswer, Review, SiteSetting, User, db
from models.group import MEMBER, OWNER, Group
from models.types import now_utc
from services import accounts
from services.groups import create_group, create_invite, remove_member
from tests.support import PASSWORD, TEST_DATABASE_URL, dump, first_run_code, make_user

pytestmark = pytest.mark.slow

RACERS = 6
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class Browser:
    """One visitor with its own cookies, speaking plain HTTP to the live server."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=60) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, path: str) -> str:
        status, page = self.request(path)
        match = _CSRF.search(page)
        assert match, f"no CSRF token in {path} ({status})"
        return match.group(1)

    def sign_in(self, name: str) -> None:
        token = self.csrf("/login")
        status, _ = self.request(
            "/login", {"name": name, "password": PASSWORD, "csrf_token": token}
        )
        assert status == 302


def hold_until_all_arrive(
    monkeypatch: pytest.MonkeyPatch,
    target: object,
    name: str,
    parties: int = RACERS,
    *,
    before: bool = False,
) -> None:
    """Make the first ``parties`` calls of ``target.name`` wait, once each has its result,
    until all of them have it: the moment every racer has checked and none has acted yet.
    With ``before``, wait before the call instead (a call that takes a lock: the racers
    reach it together, and the lock lets one through at a time). Later calls (a retry, the
    next page) pass straight through."""
    barrier = threading.Barrier(parties, timeout=30)
    original = getattr(target, name)
    calls = Counter[str]()
    lock = threading.Lock()

    def waiting(*args: Any, **kwargs: Any) -> Any:
        with lock:
            calls["made"] += 1
            held = calls["made"] <= parties
        if held and before:
            barrier.wait()
        result = original(*args, **kwargs)
        if held and not before:
            barrier.wait()
        return result

    monkeypatch.setattr(target, name, waiting)


def at_once(calls: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result() for future in [pool.submit(call) for call in calls]]


def text(page: str) -> str:
    return html.unescape(page)


def count(app: Flask, model: type, *where: Any) -> int:
    with app.app_context():
        number = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return number or 0


@pytest.fixture
def racers(app: Flask, live_server: str) -> list[Browser]:
    return [Browser(live_server) for _ in range(RACERS)]


def _group_with_invite(app: Flask, max_uses: int | None) -> str:
    owner = make_user(app, "owner")
    with app.app_context():
        user = db.session.get_one(User, owner)
        group = create_group(db.session, user, "Readers", [])
        invite = create_invite(
            db.session, group, user, datetime.now(UTC), days=1, max_uses=max_uses
        )
        db.session.commit()
        code = invite.code
        db.session.remove()
        return code


def test_one_use_invite_redeemed_at_once_makes_one_account(
    app: Flask, racers: list[Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _group_with_invite(app, max_uses=1)
    tokens = [browser.csrf(f"/join/{code}") for browser in racers]
    hold_until_all_arrive(monkeypatch, accounts, "generate_password_hash")
    replies = at_once([
        lambda b=browser, t=token, n=number: b.request(f"/join/{code}", {
            "name": f"racer{n}", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": t,
        })
        for number, (browser, token) in enumerate(zip(racers, tokens, strict=True))
    ])  # fmt: skip
    assert Counter(status for status, _ in replies) == {302: 1, 409: RACERS - 1}
    for status, page in replies:
        if status == 409:
            assert "This invite is used up or no longer valid" in text(page)
    assert count(app, User) == 2  # the owner and the one who joined
    assert count(app, Membership) == 2
    with app.app_context():
        assert db.session.scalar(select(Invite.uses)) == 1


def test_an_invite_with_uses_left_lets_everyone_in_at_once(
    app: Flask, racers: list[Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _group_with_invite(app, max_uses=RACERS - 2)
    tokens = [browser.csrf(f"/join/{code}") for browser in racers]
    hold_until_all_arrive(monkeypatch, accounts, "generate_password_hash")
    replies = at_once([
        lambda b=browser, t=token, n=number: b.request(f"/join/{code}", {
            "name": f"racer{n}", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": t,
        })
        for number, (browser, token) in enumerate(zip(racers, tokens, strict=True))
    ])  # fmt: skip
    assert Counter(status for status, _ in replies) == {302: RACERS - 2, 409: 2}
    with app.app_context():
        assert db.session.scalar(select(Invite.uses)) == RACERS - 2
    assert count(app, Membership) == RACERS - 1


def test_one_name_registered_at_once_makes_one_account(
    app: Flask, racers: list[Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, "admin", admin=True)
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()
        db.session.remove()
    tokens = [browser.csrf("/register") for browser in racers]
    hold_until_all_arrive(monkeypatch, accounts, "generate_password_hash")
    # The same name as different people type it: one normal form.
    spellings = ["Ärger", "ärger", "ÄRGER", "A\u0308rger", "ärger ", "Ａ\u0308rger"]
    replies = at_once([
        lambda b=browser, t=token, n=name: b.request("/register", {
            "name": n, "password": PASSWORD, "confirm": PASSWORD, "csrf_token": t,
        })
        for browser, token, name in zip(racers, tokens, spellings, strict=True)
    ])  # fmt: skip
    assert Counter(status for status, _ in replies) == {302: 1, 200: RACERS - 1}
    for status, page in replies:
        if status == 200:
            assert re.search(r"The name '[^']+' is taken\.", text(page))
    assert count(app, User) == 2


def test_first_run_setup_twice_at_once_makes_one_admin(
    app: Flask, racers: list[Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = [browser.csrf("/setup") for browser in racers]
    code = first_run_code(app)
    hold_until_all_arrive(monkeypatch, accounts, "generate_password_hash")
    replies = at_once([
        lambda b=browser, t=token, n=number: b.request("/setup", {
            "name": f"admin{n}", "password": PASSWORD, "confirm": PASSWORD, "csrf_token": t,
            "code": code,
        })
        for number, (browser, token) in enumerate(zip(racers, tokens, strict=True))
    ])  # fmt: skip
    assert [status for status, _ in replies] == [302] * RACERS
    assert count(app, User) == 1 and count(app, User, User.is_admin.is_(True)) == 1
    # Only the winner is signed in; the others were sent to the sign-in page.
    signed_in = [b for b in racers if b.request("/settings")[0] == 200]
    assert len(signed_in) == 1


def test_one_learner_joining_twice_at_once_joins_once(
    app: Flask, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = _group_with_invite(app, max_uses=None)
    make_user(app, "ann")
    tabs = [Browser(live_server) for _ in range(3)]
    for tab in tabs:
        tab.sign_in("ann")
    tokens = [tab.csrf(f"/join/{code}") for tab in tabs]
    hold_until_all_arrive(monkeypatch, services.groups, "membership", parties=len(tabs))
    replies = at_once([
        lambda b=tab, t=token: b.request(f"/join/{code}", {"csrf_token": t})
        for tab, token in zip(tabs, tokens, strict=True)
    ])  # fmt: skip
    assert [status for status, _ in replies] == [302] * len(tabs)
    assert count(app, Membership) == 2
    with app.app_context():
        assert db.session.scalar(select(Invite.uses)) == 1


def _group_of_two_owners(app: Flask) -> tuple[int, dict[str, int]]:
    """Readers: ann and bob its owners, cat a member."""
    ids = {name: make_user(app, name) for name in ("ann", "bob", "cat")}
    with app.app_context():
        group = create_group(db.session, db.session.get_one(User, ids["ann"]), "Readers", [])
        db.session.add_all([
            Membership(group_id=group.id, user_id=ids["bob"], role=OWNER),
            Membership(group_id=group.id, user_id=ids["cat"], role=MEMBER),
        ])  # fmt: skip
        db.session.commit()
        group_id = group.id
        db.session.remove()
    return group_id, ids


def _owners_at_once(
    app: Flask, live_server: str, monkeypatch: pytest.MonkeyPatch, paths: list[str]
) -> tuple[list[Browser], list[tuple[int, str]]]:
    """ann and bob, each posting their path of ``paths`` at once: held together past the
    check that they are members (leaving), or just before the group's row is taken (an
    owner's action, whose check follows it)."""
    owners = [Browser(live_server) for _ in paths]
    for owner, name in zip(owners, ("ann", "bob"), strict=True):
        owner.sign_in(name)
    tokens = [owner.csrf("/groups") for owner in owners]
    if paths[0].endswith("/leave"):  # past the check that they are members
        hold_until_all_arrive(monkeypatch, views.groups, "membership", parties=len(paths))
    else:  # an owner's action takes the group's row, then checks: both reach it at once
        hold_until_all_arrive(monkeypatch, views.groups, "hold_group", len(paths), before=True)
    replies = at_once([
        lambda b=owner, t=token, p=path: b.request(p, {"csrf_token": t})
        for owner, token, path in zip(owners, tokens, paths, strict=True)
    ])  # fmt: skip
    return owners, replies


def test_two_owners_leaving_at_once_leave_the_group_one_owner(
    app: Flask, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    group_id, _ = _group_of_two_owners(app)
    path = f"/groups/{group_id}/leave"
    owners, replies = _owners_at_once(app, live_server, monkeypatch, [path, path])
    assert [status for status, _ in replies] == [302, 302]
    in_group = Membership.group_id == group_id
    assert count(app, Membership, in_group, Membership.role == OWNER) == 1
    assert count(app, Membership, in_group) == 2
    pages = [text(owner.request(f"/groups/{group_id}")[1]) for owner in owners]
    assert sum("Make another member an owner before you leave." in page for page in pages) == 1


def test_two_owners_removing_each_other_at_once_remove_no_one(
    app: Flask, live_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Owners are equals: neither removes the other, whichever is first."""
    group_id, ids = _group_of_two_owners(app)
    paths = [f"/groups/{group_id}/members/{ids[name]}/remove" for name in ("bob", "ann")]
    _owners, replies = _owners_at_once(app, live_server, monkeypatch, paths)
    assert [status for status, _ in replies] == [403, 403]
    assert all("An owner cannot remove another owner" in text(page) for _, page in replies)
    in_group = Membership.group_id == group_id
    assert count(app, Membership, in_group, Membership.role == OWNER) == 2
    assert count(app, Membership, in_group) == 3


@pytest.mark.skipif(
    bool(TEST_DATABASE_URL),
    reason="SQLite only: on PostgreSQL the owner's request holds the group's row from its "
    "check, so a removal cannot come between (as two owners leaving at once play out above)",
)
@pytest.mark.parametrize("action", ["promote", "invite", "banks"])
def test_an_owner_removed_between_their_check_and_their_change_changes_nothing(
    app: Flask,
    live_server: str,
    monkeypatch: pytest.MonkeyPatch,
    runner: FlaskCliRunner,
    write_bank,
    action: str,
) -> None:
    bank = write_bank("b", {"bank.yaml": "id: b\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"})  # fmt: skip
    assert runner.invoke(args=["bank", "import", str(bank)]).exit_code == 0
    group_id, ids = _group_of_two_owners(app)
    root = make_user(app, "root", admin=True)
    bob = Browser(live_server)
    bob.sign_in("bob")
    token = bob.csrf("/groups")
    before = dump(app)
    checked = views.groups.membership
    removed: list[int] = []

    def removed_by_an_admin_once_checked(session: Any, group: int, user: int) -> Any:
        found = checked(session, group, user)
        if not removed:  # bob's own check, passed: an admin removes bob, committed at once
            removed.append(user)
            with Session(db.engine) as other:
                remove_member(other, other.get_one(Group, group), other.get_one(User, root), user, now_utc())  # fmt: skip
                other.commit()
        return found

    monkeypatch.setattr(views.groups, "membership", removed_by_an_admin_once_checked)
    path, data = {
        "promote": (f"/groups/{group_id}/members/{ids['cat']}/promote", {}),
        "invite": (f"/groups/{group_id}/invites", {"invite-days": "7", "invite-max_uses": ""}),
        "banks": (f"/groups/{group_id}/banks", {"banks-banks": "b"}),
    }[action]
    status, _ = bob.request(path, {"csrf_token": token, **data})
    assert (removed, status) == ([ids["bob"]], 403)
    after = dict(dump(app))
    assert [row[1] for row in after["memberships"]] == [ids["ann"], ids["cat"]]
    assert dict(before)["invites"] == after["invites"]
    assert dict(before)["group_banks"] == after["group_banks"]
    with app.app_context():
        assert db.session.get_one(Membership, (group_id, ids["cat"])).role == MEMBER


QUIZ_BANK = """
id: q
title: Quiz bank
questions:
  - {id: c1, type: choice, prompt: pick, choices: [a, b, c], correct: 1}
  - {id: y1, type: typing, prompt: type, answer: runc}
"""


def test_a_quiz_submitted_at_once_is_stored_once(
    app: Flask,
    runner: FlaskCliRunner,
    write_bank,
    live_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("q", {"bank.yaml": QUIZ_BANK}))])
    make_user(app, "ann")
    tabs = [Browser(live_server) for _ in range(3)]
    for tab in tabs:
        tab.sign_in("ann")
    status, _ = tabs[0].request("/quiz/q", {"csrf_token": tabs[0].csrf("/quiz/q"), "count": "2"})
    assert status == 302
    with app.app_context():
        quiz = db.session.scalars(select(Quiz)).one()
        quiz_id, keys = quiz.id, [key for key, _, _ in quiz.items]
        shuffles = {key: shuffle for key, _, shuffle in quiz.items}
        db.session.remove()
    right = {"c1": [shuffles["c1"].index(1)], "y1": "runc"}  # a choice by its place
    answers = json.dumps({str(i): right[key] for i, key in enumerate(keys)})
    tokens = [tab.csrf(f"/quiz/q/{quiz_id}") for tab in tabs]
    hold_until_all_arrive(monkeypatch, views.quiz, "_own_quiz", parties=len(tabs))
    replies = at_once([
        lambda b=tab, t=token: b.request(f"/quiz/q/{quiz_id}", {
            "csrf_token": t, "answers": answers, "flags": "[]",
        })
        for tab, token in zip(tabs, tokens, strict=True)
    ])  # fmt: skip
    assert [status for status, _ in replies] == [302] * len(tabs)
    assert count(app, QuizAnswer) == 2
    with app.app_context():
        assert db.session.get_one(Quiz, quiz_id).score == 1.0
    # Each tab sees the one result.
    for tab in tabs:
        status, page = tab.request(f"/quiz/q/{quiz_id}/result")
        assert status == 200 and "data-score>100%<" in page


def test_studying_a_quizs_mistakes_at_once_puts_them_back_once(
    app: Flask,
    runner: FlaskCliRunner,
    write_bank,
    live_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("q", {"bank.yaml": QUIZ_BANK}))])
    make_user(app, "ann")
    tabs = [Browser(live_server) for _ in range(3)]
    for tab in tabs:
        tab.sign_in("ann")
    tabs[0].request("/quiz/q", {"csrf_token": tabs[0].csrf("/quiz/q"), "count": "2"})
    with app.app_context():
        quiz_id = db.session.scalars(select(Quiz.id)).one()
        db.session.remove()
    tabs[0].request(f"/quiz/q/{quiz_id}", {
        "csrf_token": tabs[0].csrf(f"/quiz/q/{quiz_id}"), "answers": "{}", "flags": "[]",
    })  # fmt: skip
    tokens = [tab.csrf(f"/quiz/q/{quiz_id}/result") for tab in tabs]
    hold_until_all_arrive(monkeypatch, views.quiz, "_own_quiz", parties=len(tabs))
    replies = at_once([
        lambda b=tab, t=token: b.request(f"/quiz/q/{quiz_id}/study", {"csrf_token": t})
        for tab, token in zip(tabs, tokens, strict=True)
    ])  # fmt: skip
    assert [status for status, _ in replies] == [302] * len(tabs)
    assert count(app, Review) == 2  # the two missed cards, answered Again once each

"""Deleting an account: everything of it goes, nothing of anyone else's, and never the
last admin nor a group's last owner with members left."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import delete, func, select, update

import views.account_removal
import views.admin
from models import Group, Invite, Membership, User, db
from services.account_removal import RemovalError, delete_account
from services.accounts import issue_token
from services.answers import answer
from services.context import Study
from services.groups import create_group, create_invite, join_group
from services.queue import next_card
from srs.scheduler import Rating
from tests.support import PASSWORD, Auth, csrf_token, make_user

BANK = "id: net\ntitle: Networks\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(4)
)
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    result = runner.invoke(args=["bank", "import", str(write_bank("net", {"bank.yaml": BANK}))])
    assert result.exit_code == 0, result.output


def _study(app: Flask, name: str, answers: int) -> None:
    """``name`` answers cards of the bank and makes an API token."""
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == name))
        for _ in range(answers):
            card, _ = next_card(Study.at(db.session, user, NOW), ["net"])
            assert card is not None
            answer(Study.at(db.session, user, NOW), card, Rating.GOOD)
        issue_token(db.session, user, name="phone")
        db.session.commit()


def _delete_own(user_id: int) -> None:
    user = db.session.get(User, user_id)
    delete_account(db.session, user, by=user)


def _rows_of(app: Flask, user_id: int) -> dict[str, int]:
    """The rows naming ``user_id`` in each table with a user column."""
    with app.app_context():
        found = {}
        for table in db.metadata.sorted_tables:
            for column in ("user_id", "created_by"):
                if column in table.c:
                    count = db.session.scalar(
                        select(func.count()).select_from(table).where(table.c[column] == user_id)
                    )
                    found[f"{table.name}.{column}"] = count or 0
        db.session.remove()
        return found


@pytest.fixture
def two_learners(app: Flask, bank: None) -> tuple[int, int]:
    """ann and bob, each with answers and a token, in a group owned by both."""
    ann, bob = make_user(app, "ann"), make_user(app, "bob")
    _study(app, "ann", 3)
    _study(app, "bob", 2)
    with app.app_context():
        owner = db.session.get(User, bob)
        group = create_group(db.session, owner, "Readers", ["net"])
        invite = create_invite(db.session, group, owner, NOW, days=7, max_uses=None)
        join_group(db.session, db.session.get(User, ann), invite, NOW)
        db.session.get(Membership, (group.id, ann)).role = "owner"
        create_invite(db.session, group, db.session.get(User, ann), NOW, days=7, max_uses=None)
        db.session.commit()
    return ann, bob


def test_deleting_an_account_deletes_its_rows_and_no_one_elses(
    app: Flask, client: FlaskClient, two_learners: tuple[int, int]
) -> None:
    ann, bob = two_learners
    before = _rows_of(app, bob)
    assert before["cards.user_id"] and before["reviews.user_id"] and before["api_tokens.user_id"]
    assert _rows_of(app, ann)["reviews.user_id"] == 3
    with app.app_context():
        _delete_own(ann)
        db.session.commit()
    assert not any(_rows_of(app, ann).values())
    assert _rows_of(app, bob) == before
    with app.app_context():
        assert db.session.get(User, ann) is None
        # The invite ann made is revoked, bob's is not; the group keeps its other owner.
        invites = db.session.execute(select(Invite.created_by, Invite.revoked_at)).all()
        assert sorted((made or 0, revoked is None) for made, revoked in invites) == [
            (0, False),
            (bob, True),
        ]
        assert db.session.scalar(select(Group.name)) == "Readers"


def test_a_groups_last_owner_with_members_left_is_not_deleted(
    app: Flask, two_learners: tuple[int, int]
) -> None:
    ann, bob = two_learners
    with app.app_context():
        db.session.get(Membership, (db.session.scalar(select(Group.id)), ann)).role = "member"
        db.session.commit()
    before = _rows_of(app, bob)
    with app.app_context():
        with pytest.raises(RemovalError, match="“Readers”"):
            _delete_own(bob)
        db.session.rollback()
    assert _rows_of(app, bob) == before


def test_the_only_admin_who_can_sign_in_is_not_deleted(app: Flask) -> None:
    admin = make_user(app, "mei", admin=True)
    other = make_user(app, "sam", admin=True, disabled=True)
    with app.app_context():
        with pytest.raises(RemovalError, match="only admin"):
            _delete_own(admin)
        db.session.rollback()
        db.session.get(User, other).disabled = False
        db.session.commit()
        _delete_own(admin)
        db.session.commit()
        assert db.session.scalar(select(User.name)) == "sam"


def test_a_learner_deletes_their_account_with_their_password(
    app: Flask, client: FlaskClient, two_learners: tuple[int, int]
) -> None:
    ann, _ = two_learners
    Auth(client).login("ann")
    settings = client.get("/settings").get_data(as_text=True)
    assert "/settings/delete" in settings
    page = client.get("/settings/delete").get_data(as_text=True)
    assert "3 cards studied" in page and "3 answers in the review history" in page
    assert "membership of 1 group" in page
    assert "/settings/history.csv" in page
    wrong = client.post(
        "/settings/delete", data={"current": "not it", "csrf_token": csrf_token(client)}
    )
    assert wrong.status_code == 400 and "That is not your password." in wrong.get_data(True)
    no_csrf = client.post("/settings/delete", data={"current": PASSWORD})
    assert no_csrf.status_code == 400
    assert _rows_of(app, ann)["reviews.user_id"] == 3
    done = client.post(
        "/settings/delete", data={"current": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert done.status_code == 302 and done.location == "/login"
    assert "Your account and everything in it are deleted." in client.get("/login").get_data(True)
    assert client.get("/settings").status_code == 302  # signed out
    assert Auth(client).login("ann").status_code != 302  # the name no longer signs in
    assert not any(_rows_of(app, ann).values())


def test_the_page_says_why_an_account_cannot_go_and_offers_no_button(
    app: Flask, client: FlaskClient, two_learners: tuple[int, int]
) -> None:
    ann, bob = two_learners
    with app.app_context():
        db.session.get(Membership, (db.session.scalar(select(Group.id)), ann)).role = "member"
        db.session.commit()
    Auth(client).login("bob")
    page = client.get("/settings/delete").get_data(as_text=True)
    assert "Make another member an owner of “Readers” first" in page
    assert "Delete my account" not in page
    refused = client.post(
        "/settings/delete", data={"current": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert refused.status_code == 400 and "“Readers”" in refused.get_data(True)
    assert _rows_of(app, bob)["reviews.user_id"] == 2


def test_an_admin_deletes_another_account_with_the_admins_password(
    app: Flask, client: FlaskClient, two_learners: tuple[int, int]
) -> None:
    ann, bob = two_learners
    admin = make_user(app, "mei", admin=True)
    Auth(client).login("ann")
    assert client.get(f"/admin/users/{bob}/delete").status_code == 403
    Auth(client).logout()
    Auth(client).login("mei")
    assert f"/admin/users/{bob}/delete" in client.get("/admin").get_data(as_text=True)
    assert client.get(f"/admin/users/{admin}/delete").location == "/settings/delete"
    assert client.get("/admin/users/999999/delete").status_code == 404
    page = client.get(f"/admin/users/{bob}/delete").get_data(as_text=True)
    assert "Delete bob" in page and "2 answers in the review history" in page
    wrong = client.post(
        f"/admin/users/{bob}/delete", data={"current": "bob's?", "csrf_token": csrf_token(client)}
    )
    assert wrong.status_code == 400
    done = client.post(
        f"/admin/users/{bob}/delete", data={"current": PASSWORD, "csrf_token": csrf_token(client)}
    )
    assert done.location == "/admin"
    assert "bob&#39;s account and everything in it are deleted." in client.get("/admin").get_data(
        True
    )
    assert not any(_rows_of(app, bob).values())
    assert _rows_of(app, ann)["reviews.user_id"] == 3


def _behind_the_check(monkeypatch: pytest.MonkeyPatch, app: Flask, change: Any) -> None:
    """Make ``change`` (a statement) in a transaction of its own, committed just after the
    deleting request's password was checked: another admin's request landing then."""
    checked = views.account_removal.check_password

    def check_then_change(user: User, password: str) -> bool:
        right = checked(user, password)
        with db.engine.begin() as connection:
            connection.execute(change)
        return right

    monkeypatch.setattr(views.account_removal, "check_password", check_then_change)


@pytest.mark.parametrize("lost", ["deleted", "disabled", "no longer admin"])
def test_an_admin_who_loses_the_right_as_they_delete_deletes_nothing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, lost: str
) -> None:
    make_user(app, "root", admin=True)  # another admin stays whatever happens to mei
    mei, bob = make_user(app, "mei", admin=True), make_user(app, "bob")
    Auth(client).login("mei")
    token = csrf_token(client)
    mine = update(User).where(User.id == mei)
    _behind_the_check(monkeypatch, app, {
        "deleted": delete(User).where(User.id == mei),
        "disabled": mine.values(disabled=True),
        "no longer admin": mine.values(is_admin=False),
    }[lost])  # fmt: skip
    refused = client.post(f"/admin/users/{bob}/delete", data={"current": PASSWORD,
                                                              "csrf_token": token})  # fmt: skip
    assert refused.status_code == 403
    assert "You are no longer an admin: nothing was deleted." in refused.get_data(True)
    with app.app_context():
        assert db.session.get(User, bob) is not None


def test_an_admin_who_loses_the_right_as_they_disable_changes_nothing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    mei, bob = make_user(app, "mei", admin=True), make_user(app, "bob")
    Auth(client).login("mei")
    hold = views.admin.hold_accounts

    def demoted_meanwhile(session: Any, ids: list[int], **options: bool) -> None:
        # Committed after the page's check of mei, before her change takes its rows.
        with db.engine.begin() as connection:
            connection.execute(update(User).where(User.id == mei).values(is_admin=False))
        hold(session, ids, **options)

    monkeypatch.setattr(views.admin, "hold_accounts", demoted_meanwhile)
    refused = client.post(f"/admin/users/{bob}/disable", data={"csrf_token": csrf_token(client)})
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(User, bob).disabled is False


def make_app_client(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    Auth(client).login(name)
    return client


def test_wrong_passwords_asked_again_are_counted_by_account_not_by_address(
    make_app, app_config: dict[str, object]
) -> None:
    app = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(app, "ann"), make_user(app, "bob")
    ann, bob = app.test_client(), app.test_client()
    Auth(ann).login("ann")
    Auth(bob).login("bob")
    token = csrf_token(ann)
    statuses = [
        ann.post("/settings/delete", data={"current": "guess", "csrf_token": token}).status_code
        for _ in range(11)
    ]
    assert statuses == [400] * 10 + [429]
    # The limit is shared by every form that asks for the password again.
    again = {"pw-current": "guess", "pw-password": "x" * 12, "pw-confirm": "x" * 12}
    assert ann.post("/settings/password", data={**again, "csrf_token": token}).status_code == 429
    # Nor by signing in again: the account is counted, not the sign-in.
    again_in = make_app_client(app, "ann")
    refused = again_in.post("/settings/delete", data={"current": "guess",
                                                       "csrf_token": csrf_token(again_in)})  # fmt: skip
    assert refused.status_code == 429
    # bob, behind the same address, is not stopped.
    done = bob.post("/settings/delete", data={"current": PASSWORD,
                                              "csrf_token": csrf_token(bob)})  # fmt: skip
    assert done.status_code == 302


@pytest.mark.parametrize("lost", ["deleted", "disabled"])
def test_a_reset_link_stops_working_when_the_admin_who_made_it_goes(
    app: Flask, client: FlaskClient, lost: str
) -> None:
    make_user(app, "root", admin=True)
    mei, bob = make_user(app, "mei", admin=True), make_user(app, "bob")
    Auth(client).login("mei")
    page = client.post(f"/admin/users/{bob}/reset-link", data={"csrf_token": csrf_token(client)})
    link = re.search(r'id="reset-url" type="text" readonly value="http://[^/]+([^"]+)"',
                     page.get_data(as_text=True))  # fmt: skip
    assert link, "no reset link shown"
    Auth(client).logout()
    assert client.get(link.group(1)).status_code == 200  # good while mei is an admin
    root = make_app_client(app, "root")
    action = f"/admin/users/{mei}/" + ("delete" if lost == "deleted" else "disable")
    data = {"csrf_token": csrf_token(root), "current": PASSWORD}
    assert root.post(action, data=data).status_code == 302
    assert client.get(link.group(1)).status_code == 400
    new = {"password": "a new password", "confirm": "a new password",
           "csrf_token": csrf_token(client)}  # fmt: skip
    assert client.post(link.group(1), data=new).status_code == 400
    assert Auth(client).login("bob").status_code == 302  # the old password still works

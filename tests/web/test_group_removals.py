"""A member an owner removed stays out until an owner lets them back in; a group's form sent
twice starts one group."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from models import Group, Invite, Membership, Removal, User, db
from services.groups import create_group, create_invite, join_group
from tests.support import Auth, csrf_token, make_user

BANK = """
id: net
title: Networks
questions:
  - {id: a, type: basic, prompt: p, answer: a}
"""


@pytest.fixture
def readers(app: Flask, runner: FlaskCliRunner, write_bank) -> tuple[int, str, int]:
    """'Readers': ann owns it, bob joined it with an invite that stays open. The group's id,
    the invite's code, and bob's id."""
    runner.invoke(args=["bank", "import", str(write_bank("net", {"bank.yaml": BANK}))])
    make_user(app, "ann")
    bob_id = make_user(app, "bob")
    with app.app_context():
        ann = db.session.scalar(select(User).where(User.name == "ann"))
        group = create_group(db.session, ann, "Readers", ["net"])
        now = datetime.now(timezone.utc)
        invite = create_invite(db.session, group, ann, now, days=7, max_uses=None)
        join_group(db.session, db.session.get(User, bob_id), invite, now)
        db.session.commit()
        return group.id, invite.code, bob_id


def remove_bob(client: FlaskClient, group_id: int, bob_id: int) -> None:
    Auth(client).login("ann")
    response = client.post(
        f"/groups/{group_id}/members/{bob_id}/remove", data={"csrf_token": csrf_token(client)}
    )
    assert response.location == f"/groups/{group_id}"
    page = client.get(response.location).get_data(as_text=True)
    assert (
        "bob was removed from Readers. An invite no longer lets them in: "
        "you can let them back in under Members."
    ) in page
    Auth(client).logout()


def invite_uses(app: Flask, code: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Invite.uses).where(Invite.code == code))


def test_a_removed_member_cannot_come_back_with_an_invite_still_open(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, code, bob_id = readers
    remove_bob(client, group_id, bob_id)
    uses = invite_uses(app, code)
    Auth(client).login("bob")
    said = "An owner of Readers removed you from it: ask them to let you back in."
    # The invite's page says so in place of the button ...
    page = client.get(f"/join/{code}")
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert re.search(rf"<p [^>]*role=\"alert\"[^>]*>{re.escape(said)}</p>", text)
    assert "Join the group" not in text
    # ... and the join, sent all the same, is refused, taking no use of the invite.
    joined = client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)})
    assert joined.status_code == 403
    assert said in joined.get_data(as_text=True)
    assert invite_uses(app, code) == uses
    with app.app_context():
        assert db.session.get(Membership, (group_id, bob_id)) is None
    assert client.get(f"/groups/{group_id}").status_code == 404


def test_an_owner_lets_a_removed_member_back_in(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, code, bob_id = readers
    remove_bob(client, group_id, bob_id)
    Auth(client).login("ann")
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    removed = page[page.index('id="removed-title"') :]
    assert re.search(r"<li>bob <span class=\"meta\">removed [^<]+</span>", removed)
    let_back = f"/groups/{group_id}/removed/{bob_id}/let-back-in"
    assert f'action="{let_back}"' in removed
    response = client.post(let_back, data={"csrf_token": csrf_token(client)})
    assert response.location == f"/groups/{group_id}"
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "bob can join Readers again with an invite." in page
    assert 'id="removed-title"' not in page
    # Let back in twice: there is no one left to let in.
    assert client.post(let_back, data={"csrf_token": csrf_token(client)}).status_code == 404
    Auth(client).logout()
    Auth(client).login("bob")
    joined = client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)})
    assert joined.location == f"/groups/{group_id}"
    with app.app_context():
        assert db.session.get(Membership, (group_id, bob_id)) is not None


def test_only_an_owner_lets_a_removed_member_back_in(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, code, bob_id = readers
    remove_bob(client, group_id, bob_id)
    cat_id = make_user(app, "cat")
    with app.app_context():
        invite = db.session.scalar(select(Invite).where(Invite.code == code))
        join_group(db.session, db.session.get(User, cat_id), invite, invite.created_at)
        db.session.commit()
    Auth(client).login("cat")
    assert 'id="removed-title"' not in client.get(f"/groups/{group_id}").get_data(as_text=True)
    response = client.post(
        f"/groups/{group_id}/removed/{bob_id}/let-back-in",
        data={"csrf_token": csrf_token(client)},
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.get(Removal, (group_id, bob_id)) is not None


def test_who_leaves_of_their_own_accord_may_come_back(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, code, bob_id = readers
    Auth(client).login("bob")
    client.post(f"/groups/{group_id}/leave", data={"csrf_token": csrf_token(client)})
    # The group's page says why it is gone, as it says for a group that never was.
    said = "There is no such group, or you are not in it."
    for path in (f"/groups/{group_id}", f"/groups/{group_id + 1}"):
        response = client.get(path)
        assert response.status_code == 404
        assert said in response.get_data(as_text=True)
    joined = client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)})
    assert joined.location == f"/groups/{group_id}"
    with app.app_context():
        assert db.session.get(Membership, (group_id, bob_id)) is not None


def test_a_removal_goes_with_the_account_removed(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, _code, bob_id = readers
    remove_bob(client, group_id, bob_id)
    with app.app_context():
        db.session.delete(db.session.get(User, bob_id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Removal)) == 0


@pytest.mark.parametrize("again", ["Readers", " readers ", "ＲＥＡＤＥＲＳ"])
def test_a_groups_form_sent_twice_starts_one_group(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int], again: str
) -> None:
    Auth(client).login("ann")
    response = client.post(
        "/groups",
        data={"csrf_token": csrf_token(client), "new-name": again, "new-banks": ["net"]},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"You are already in a group named {again.strip()}: choose another name." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 1
    # Another learner may name a group of their own so.
    Auth(client).logout()
    make_user(app, "dee")
    Auth(client).login("dee")
    response = client.post(
        "/groups",
        data={"csrf_token": csrf_token(client), "new-name": "Readers", "new-banks": ["net"]},
    )
    assert response.status_code == 302

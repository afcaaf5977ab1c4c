"""A member an owner removed stays out until an owner allows them to rejoin; a group's name is
one group's, and cannot pass for another's."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from models import Group, Invite, Membership, Removal, User, db
from services.account_removal import delete_account
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
        "bob was removed from Readers. An invite no longer lets their account in (you can"
        " allow them to rejoin under Members); revoke the invites they know if they might"
        " join under another name."
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
    said = "An owner of Readers removed you from it: ask an owner to allow you to rejoin."
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


def test_an_owner_allows_a_removed_member_to_rejoin(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, code, bob_id = readers
    remove_bob(client, group_id, bob_id)
    Auth(client).login("ann")
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    removed = page[page.index('id="removed-title"') :]
    assert re.search(r"<li>bob <span class=\"meta\">removed [^<]+</span>", removed)
    allow = f"/groups/{group_id}/removed/{bob_id}/allow-rejoin"
    assert f'action="{allow}"' in removed
    response = client.post(allow, data={"csrf_token": csrf_token(client)})
    assert response.location == f"/groups/{group_id}"
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "bob may rejoin Readers with an invite: send them one." in page
    assert 'id="removed-title"' not in page
    # Allowed twice: there is no one kept out any more.
    assert client.post(allow, data={"csrf_token": csrf_token(client)}).status_code == 404
    Auth(client).logout()
    Auth(client).login("bob")
    joined = client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)})
    assert joined.location == f"/groups/{group_id}"
    with app.app_context():
        assert db.session.get(Membership, (group_id, bob_id)) is not None


def test_only_an_owner_allows_a_removed_member_to_rejoin(
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
        f"/groups/{group_id}/removed/{bob_id}/allow-rejoin",
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
@pytest.mark.parametrize("who", ["ann", "dee"])
def test_a_group_name_is_one_groups(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int], again: str, who: str
) -> None:
    """ann sending her form again (Back, then the form again) starts no twin; dee cannot
    start a group whose invites would pass for ann's."""
    make_user(app, "dee")
    Auth(client).login(who)
    response = client.post(
        "/groups",
        data={"csrf_token": csrf_token(client), "new-name": again, "new-banks": ["net"]},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A group named Readers exists already: choose another name." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 1


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Readers\u200b", "invisible, control or format characters"),
        ("\u200b", "invisible, control or format characters"),
        ("\u202eesrever", "invisible, control or format characters"),
        ("Bad\x01Name", "invisible, control or format characters"),
        ("Line\nBreak", "invisible, control or format characters"),
        ("R\u0435aders", "may not mix letters of different scripts"),  # a Cyrillic e
    ],
)
def test_a_group_name_cannot_pass_for_another(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int], name: str, said: str
) -> None:
    Auth(client).login("bob")
    response = client.post(
        "/groups",
        data={"csrf_token": csrf_token(client), "new-name": name, "new-banks": ["net"]},
    )
    assert response.status_code == 400
    assert said in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Group)) == 1


@pytest.mark.parametrize("how", ["leaves", "is removed by an admin", "is deleted"])
def test_once_its_last_member_is_gone_a_groups_invites_stop(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int], how: str
) -> None:
    """Else whoever holds an old link would own a group no one runs, and the banks an admin
    gave it to edit."""
    group_id, code, _bob_id = readers
    Auth(client).login("bob")
    client.post(f"/groups/{group_id}/leave", data={"csrf_token": csrf_token(client)})
    Auth(client).logout()
    assert client.get(f"/join/{code}").status_code == 200  # ann is still in it
    make_user(app, "root", admin=True)
    Auth(client).login("root" if how == "is removed by an admin" else "ann")
    if how == "leaves":
        page = client.get(f"/groups/{group_id}").get_data(as_text=True)
        assert "You are its last member: its invites stop working" in page
        client.post(f"/groups/{group_id}/leave", data={"csrf_token": csrf_token(client)})
    elif how == "is removed by an admin":
        with app.app_context():
            ann_id = db.session.scalar(select(User.id).where(User.name == "ann"))
        client.post(
            f"/groups/{group_id}/members/{ann_id}/remove",
            data={"csrf_token": csrf_token(client)},
        )
    else:
        with app.app_context():
            ann = db.session.scalar(select(User).where(User.name == "ann"))
            delete_account(db.session, ann, ann)
            db.session.commit()
    Auth(client).logout()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0
        assert db.session.scalar(select(Invite.revoked_at).where(Invite.code == code))
    make_user(app, "mallory")
    Auth(client).login("mallory")
    assert client.get(f"/join/{code}").status_code == 404
    assert client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Membership)) == 0


def test_an_owner_removes_members_and_an_admin_owners_too(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    """Owners are equals: the page offers an owner no Remove of another owner, and the
    server refuses it; an admin removes anyone."""
    group_id, _code, bob_id = readers
    cat_id = make_user(app, "cat")
    root_id = make_user(app, "root", admin=True)
    with app.app_context():
        db.session.add(Membership(group_id=group_id, user_id=cat_id, role="owner"))
        db.session.commit()
    Auth(client).login("ann")
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert f'action="/groups/{group_id}/members/{bob_id}/remove"' in page
    assert f'action="/groups/{group_id}/members/{cat_id}/remove"' not in page
    assert "they stay owners until they leave" in page  # said before making bob one
    refused = client.post(
        f"/groups/{group_id}/members/{cat_id}/remove", data={"csrf_token": csrf_token(client)}
    )
    assert refused.status_code == 403
    assert "An owner cannot remove another owner" in refused.get_data(as_text=True)
    Auth(client).logout()
    Auth(client).login("root")
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert f'action="/groups/{group_id}/members/{cat_id}/remove"' in page
    removed = client.post(
        f"/groups/{group_id}/members/{cat_id}/remove", data={"csrf_token": csrf_token(client)}
    )
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(Membership, (group_id, cat_id)) is None
        assert db.session.get(Removal, (group_id, cat_id)).removed_by == root_id


def test_making_an_owner_of_an_owner_changes_nothing_and_says_so(
    app: Flask, client: FlaskClient, readers: tuple[int, str, int]
) -> None:
    group_id, _code, _bob_id = readers
    Auth(client).login("ann")
    with app.app_context():
        ann_id = db.session.scalar(select(User.id).where(User.name == "ann"))
    response = client.post(
        f"/groups/{group_id}/members/{ann_id}/promote", data={"csrf_token": csrf_token(client)}
    )
    page = client.get(response.location).get_data(as_text=True)
    assert "ann is an owner already." in page
    assert "is now an owner" not in page


def test_joining_signed_in_counts_against_no_account_limit(
    app: Flask, make_app, app_config: dict[str, object], readers: tuple[int, str, int]
) -> None:
    """A class whose members have accounts joins from one network: only accounts made
    count against the limit of new accounts (60 an hour from one address)."""
    from views.groups import NEW_ACCOUNT_LIMIT

    assert NEW_ACCOUNT_LIMIT.startswith("60 per hour")
    limited = make_app({**app_config, "RATELIMIT_ENABLED": True})
    client = limited.test_client()
    with limited.app_context():
        group = db.session.scalar(select(Group))
        ann = db.session.scalar(select(User).where(User.name == "ann"))
        code = create_invite(db.session, group, ann, datetime.now(timezone.utc), days=7, max_uses=None).code  # fmt: skip
        db.session.commit()
    Auth(client).login("bob")
    statuses = [
        client.post(f"/join/{code}", data={"csrf_token": csrf_token(client)}).status_code
        for _ in range(61)
    ]
    assert 429 not in statuses

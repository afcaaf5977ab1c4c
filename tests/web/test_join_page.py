"""The join page tells who invites, to which group, to study what, before one joins."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from models import Group, User, db
from services.groups import create_group, create_invite, join_group
from tests.support import make_user

NET = """
id: net
title: Networks
questions:
  - {id: a, type: basic, prompt: p, answer: a}
  - {id: b, type: basic, prompt: q, answer: b}
  - {id: c, type: basic, prompt: r, answer: c}
"""
DNS = """
id: dns
title: Name service
questions:
  - {id: a, type: basic, prompt: p, answer: a}
"""


@pytest.fixture
def code(app: Flask, runner: FlaskCliRunner, write_bank) -> str:
    """An invite to 'Readers' (ann owns it, bo is a member), made by ann."""
    for name, text in (("net", NET), ("dns", DNS)):
        runner.invoke(args=["bank", "import", str(write_bank(name, {"bank.yaml": text}))])
    make_user(app, "ann")
    make_user(app, "bo")
    with app.app_context():
        ann = db.session.scalar(db.select(User).where(User.name == "ann"))
        bo = db.session.scalar(db.select(User).where(User.name == "bo"))
        group = create_group(db.session, ann, "Readers", ["net", "dns"])
        now = datetime.now(timezone.utc)
        join_group(
            db.session, bo, create_invite(db.session, group, ann, now, days=7, max_uses=None), now
        )
        invite = create_invite(db.session, group, ann, now, days=7, max_uses=None)
        db.session.commit()
        return invite.code


def test_the_join_page_names_the_inviter_the_banks_and_the_members(
    client: FlaskClient, code: str
) -> None:
    page = client.get(f"/join/{code}").get_data(as_text=True)
    assert "Join Readers" in page
    assert "ann invites you to study together." in page
    assert "2 members" in page
    banks = re.findall(r'<span class="bank-name">([^<]+)</span> <span class="meta">([^<]+)<', page)
    assert banks == [("Name service", "1 question"), ("Networks", "3 questions")]


def test_an_invite_whose_maker_is_gone_names_the_owner(
    app: Flask, client: FlaskClient, code: str
) -> None:
    with app.app_context():
        group = db.session.scalar(db.select(Group))
        invite = next(i for i in group.invites if i.code == code)
        invite.created_by = None
        db.session.commit()
    assert "ann invites you" in client.get(f"/join/{code}").get_data(as_text=True)

"""One way to make an account: ``services.accounts.sign_up``, used by the setup, the
registration and the invite pages."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import views.auth
import views.groups
from models import Membership, SiteSetting, User, db
from services.accounts import AccountError, AlreadySetUpError, sign_up
from services.groups import InviteUsedUpError, create_group, create_invite
from tests.support import PASSWORD, csrf_token, first_run_code, make_user

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)
CONFIG = {"WENGU_DEFAULT_TIMEZONE": "Asia/Shanghai", "WENGU_DEFAULT_LANGUAGE": "zh_Hans"}


def _accounts() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_sign_up_commits_an_account_with_the_servers_defaults(app: Flask) -> None:
    with app.app_context():
        user = sign_up(db.session, "lin", PASSWORD, CONFIG)
        db.session.rollback()  # committed already: a rollback keeps it
        assert (user.name, user.timezone, user.locale, user.is_admin) == (
            "lin", "Asia/Shanghai", "zh_Hans", False,
        )  # fmt: skip
        assert _accounts() == 1


def test_sign_up_with_an_invite_joins_the_group_in_the_same_transaction(app: Flask) -> None:
    owner = make_user(app, "owner")
    with app.app_context():
        by = db.session.get_one(User, owner)
        group = create_group(db.session, by, "Readers", [])
        invite = create_invite(db.session, group, by, T0, days=7, max_uses=1)
        db.session.commit()
        user = sign_up(db.session, "lin", PASSWORD, {}, invite=invite, now=T0)
        assert db.session.get(Membership, (group.id, user.id)) is not None
        with pytest.raises(InviteUsedUpError):
            sign_up(db.session, "kai", PASSWORD, {}, invite=invite, now=T0)
        # The account of a join that failed is not kept.
        assert db.session.scalar(select(User).where(User.name == "kai")) is None


def test_sign_up_refuses_a_taken_name_and_keeps_nothing(app: Flask) -> None:
    make_user(app, "lin")
    with app.app_context():
        with pytest.raises(AccountError, match="taken"):
            sign_up(db.session, "LIN", PASSWORD, {})
        assert _accounts() == 1


def test_a_second_first_admin_is_refused(app: Flask) -> None:
    with app.app_context():
        admin = sign_up(db.session, "mei", PASSWORD, {}, first_admin=True)
        assert admin.is_admin
        with pytest.raises(AlreadySetUpError):
            sign_up(db.session, "kai", PASSWORD, {}, first_admin=True)
        assert _accounts() == 1


def _open_registration(app: Flask) -> None:
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()


@pytest.mark.parametrize("page", ["setup", "register", "join"])
def test_every_account_page_signs_up_through_the_one_service(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    calls: list[dict] = []

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return sign_up(*args, **kwargs)

    monkeypatch.setattr(views.auth, "sign_up", spy)
    monkeypatch.setattr(views.groups, "sign_up", spy)
    form = {"name": "lin", "password": PASSWORD, "confirm": PASSWORD}
    if page == "setup":
        path, form["code"] = "/setup", first_run_code(app)
    else:
        owner = make_user(app, "owner", admin=True)
        _open_registration(app)
        with app.app_context():
            by = db.session.get_one(User, owner)
            group = create_group(db.session, by, "Readers", [])
            now = datetime.now(timezone.utc)  # the page checks the invite against the clock
            code = create_invite(db.session, group, by, now, days=7, max_uses=None).code
            db.session.commit()
        path = "/register" if page == "register" else f"/join/{code}"
    response = client.post(path, data=form | {"csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert len(calls) == 1
    with app.app_context():
        assert db.session.scalar(select(User).where(User.name == "lin")) is not None

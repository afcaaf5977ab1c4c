"""API tokens: every recovery step revokes them; learners list, make and revoke their own;
tokens may expire; their last use is kept without a write on every request."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from models import ApiToken, User, db
from services.accounts import AccountError, end_sessions, issue_token, user_for_token
from services.sign_ins import MOST_SIGN_INS, open_sign_in, user_for_sign_in
from tests.support import PASSWORD, Auth, csrf_token, make_user
from tests.web.test_admin import reset_link_for

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)  # in the past of any run
_NEW_TOKEN = re.compile(r'<code class="new-token">(wengu_[^<]+)</code>')


def token_for(app: Flask, user_id: int, **options: object) -> str:
    with app.app_context():
        token = issue_token(db.session, db.session.get_one(User, user_id), **options)
        db.session.commit()
        return token


def status(client: FlaskClient, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return client.get("/api/v1/reviews", headers=headers).status_code


def test_a_password_change_revokes_every_token(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    tokens = [token_for(app, learner), token_for(app, learner, days=30)]
    visitor = app.test_client()
    assert [status(visitor, t) for t in tokens] == [200, 200]
    new = "another good password"
    response = signed_in.post("/settings/password", data={
        "pw-current": PASSWORD, "pw-password": new, "pw-confirm": new,
        "csrf_token": csrf_token(signed_in),
    })  # fmt: skip
    assert response.status_code == 302
    assert [status(visitor, t) for t in tokens] == [401, 401]


def test_signing_out_everywhere_revokes_every_token(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    token = token_for(app, learner)
    signed_in.post("/settings/sign-out-everywhere", data={"csrf_token": csrf_token(signed_in)})
    assert status(app.test_client(), token) == 401


def test_a_used_reset_link_revokes_every_token(app: Flask, client: FlaskClient) -> None:
    make_user(app, "mei", admin=True)
    ann = make_user(app, "ann")
    token = token_for(app, ann)
    Auth(client).login("mei")
    path = reset_link_for(client, ann).removeprefix("http://localhost")
    visitor = app.test_client()
    assert status(visitor, token) == 200  # a link made, not used: nothing changes yet
    new = "a brand new password"
    visitor.post(path, data={"csrf_token": csrf_token(visitor), "password": new, "confirm": new})
    assert status(visitor, token) == 401


def test_the_settings_page_makes_shows_once_lists_and_revokes_tokens(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    page = signed_in.post("/settings/tokens", data={
        "token-name": "phone app", "token-days": "30", "csrf_token": csrf_token(signed_in),
    })  # fmt: skip
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    match = _NEW_TOKEN.search(page.get_data(as_text=True))
    assert match, "the new token is not shown"
    # Where the page opens, above the settings, not far below them with the token list.
    assert match.start() < page.get_data(as_text=True).index('id="study"')
    token = match.group(1)
    visitor = app.test_client()
    assert status(visitor, token) == 200
    listed = html.unescape(signed_in.get("/settings").get_data(as_text=True))
    assert token not in listed  # shown once only
    row = re.search(r"<tr>\s*<td>phone app</td>(.*?)</tr>", listed, re.S)
    assert row, "the token is not listed"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    assert 'data-label="Created"' in row.group(1)  # a phone shows each cell with its name
    assert "Never" not in cells[1] and "Never" not in cells[2]  # used once; expires
    with app.app_context():
        row_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "phone app"))
    response = signed_in.post(
        f"/settings/tokens/{row_id}/revoke", data={"csrf_token": csrf_token(signed_in)}
    )
    assert response.status_code == 302
    assert status(visitor, token) == 401
    assert "<td>phone app</td>" not in signed_in.get("/settings").get_data(as_text=True)


def test_a_learner_cannot_revoke_anothers_token(
    app: Flask, signed_in: FlaskClient, learner: int
) -> None:
    bob = make_user(app, "bob")
    token = token_for(app, bob, name="bob's")
    with app.app_context():
        row_id = db.session.scalar(select(ApiToken.id))
    response = signed_in.post(
        f"/settings/tokens/{row_id}/revoke", data={"csrf_token": csrf_token(signed_in)}
    )
    assert response.status_code == 404
    assert status(app.test_client(), token) == 200
    assert "bob&#39;s" not in signed_in.get("/settings").get_data(as_text=True)


@pytest.mark.parametrize(
    ("days", "name", "message"),
    [
        ("0", "x", "Number must be between 1 and 3650."),
        ("3651", "x", "Number must be between 1 and 3650."),
        ("ten", "x", "Not a valid integer value."),
        ("", "", "This field is required."),
        ("", "x" * 81, "Field cannot be longer than 80 characters."),
    ],
)
def test_a_token_form_with_bad_values_says_what_is_wrong(
    signed_in: FlaskClient, days: str, name: str, message: str
) -> None:
    response = signed_in.post("/settings/tokens", data={
        "token-name": name, "token-days": days, "csrf_token": csrf_token(signed_in),
    })  # fmt: skip
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


def test_an_expired_token_is_refused(app: Flask, learner: int) -> None:
    token = token_for(app, learner, days=1, now=T0)
    with app.app_context():
        assert user_for_token(db.session, token, T0 + timedelta(hours=23)) is not None
        assert user_for_token(db.session, token, T0 + timedelta(days=1)) is None
    assert status(app.test_client(), token) == 401  # now is long after T0


def test_last_use_is_written_at_most_once_a_minute(app: Flask, learner: int) -> None:
    token = token_for(app, learner, now=T0)
    writes: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            writes.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            for seconds in (0, 10, 59, 60, 61, 200):
                assert user_for_token(db.session, token, T0 + timedelta(seconds=seconds))
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert db.session.scalar(select(ApiToken.last_used_at)) == T0 + timedelta(seconds=200)
    assert len(writes) == 3  # at 0, at 60 and at 200 seconds


def test_cli_token_prints_the_token_last_and_may_expire(
    app: Flask, runner: FlaskCliRunner, learner: int
) -> None:
    result = runner.invoke(args=["user", "token", "ann", "--expires-days", "7"])
    assert result.exit_code == 0, result.output
    token = result.output.splitlines()[-1]
    with app.app_context():
        row = db.session.scalars(select(ApiToken)).one()
        assert row.token_hash == ApiToken.digest(token) and row.name == "command line"
        assert timedelta(days=6, hours=23) < row.expires_at - row.created_at <= timedelta(days=7)
    result = runner.invoke(args=["user", "token", "ann", "--expires-days", "0"])
    assert result.exit_code == 2 and "0 is not in the range 1<=x<=3650" in result.output


def test_a_token_asked_for_as_the_accounts_sessions_end_is_refused(
    app: Flask, learner: int
) -> None:
    """A copied session asks for a token while the owner signs out everywhere: the request
    read the account first, the owner's commit came between, so no token outlives it."""
    with app.app_context():
        user = db.session.get_one(User, learner)
        sign_in = open_sign_in(db.session, user)
        db.session.commit()
        assert user.session_version == 0  # read, as the request's start reads it
        with Session(db.engine) as owner:
            end_sessions(owner.get_one(User, learner))
            owner.commit()
        with pytest.raises(AccountError, match="signed out meanwhile"):
            issue_token(db.session, user, name="copied", sign_in=sign_in)
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
        db.session.remove()


def test_signing_in_again_and_again_keeps_the_newest_sign_ins_only(
    app: Flask, learner: int
) -> None:
    with app.app_context():
        user = db.session.get_one(User, learner)
        made = []
        for _ in range(MOST_SIGN_INS + 5):
            made.append(open_sign_in(db.session, user))
            db.session.commit()
        kept = [user_for_sign_in(db.session, learner, one) is not None for one in made]
        assert kept == [False] * 5 + [True] * MOST_SIGN_INS
        db.session.remove()

"""The admin area: who may enter, accounts, reset links, registration, bank uploads, groups."""

from __future__ import annotations

import html
import io
import json
import re
import tempfile
import textwrap
import time
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from itsdangerous.timed import TimestampSigner
from sqlalchemy import select

from models import Bank, Group, Membership, SiteSetting, User, db
from tests.support import PASSWORD, Auth, csrf_token, dump, make_user

GOOD = """
    id: demo
    title: Demo
    questions:
      - {id: q1, type: basic, prompt: p1, answer: a1}
      - {id: q2, type: basic, prompt: p2, answer: "![x](diagrams/x.svg)"}
"""
SINGLE = """
    id: single
    title: Single file
    questions:
      - {id: s1, type: truefalse, prompt: p, correct: true}
"""
BROKEN = """
    id: broken
    title: Broken
    questions:
      - {id: b1, type: basic, prompt: p}
"""
MISSING_DIAGRAM = """
    id: broken
    title: Broken
    questions:
      - {id: b1, type: basic, prompt: "![d](diagrams/gone.svg)", answer: a}
"""
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>'
BROKEN_LINE = "question 'b1': missing required key 'answer' for a basic question"
GET_PAGES = ["/admin", "/admin/banks", "/admin/groups"]
POST_ACTIONS = [
    "/admin/registration",
    "/admin/users/1/disable",
    "/admin/users/1/enable",
    "/admin/users/1/reset-link",
    "/admin/banks",
    "/admin/groups/1/delete",
]
_RESET_LINK = re.compile(r'value="(http://localhost/reset/[^"]+)"')


def yaml(text: str) -> bytes:
    return textwrap.dedent(text).lstrip("\n").encode()


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def admin(app: Flask) -> int:
    """An admin account named mei; returns its id."""
    return make_user(app, "mei", admin=True)


@pytest.fixture
def as_admin(client: FlaskClient, admin: int, learner: int, auth: Auth) -> FlaskClient:
    """A client signed in as mei, with ann on the server too."""
    auth.login("mei")
    return client


def upload(client: FlaskClient, name: str, data: bytes):
    return client.post(
        "/admin/banks",
        data={"csrf_token": csrf_token(client), "bank": (io.BytesIO(data), name)},
    )


def bank_list(runner: FlaskCliRunner) -> list[dict[str, object]]:
    return json.loads(runner.invoke(args=["bank", "list", "--json"]).stdout)


def reset_link_for(client: FlaskClient, user_id: int) -> str:
    response = client.post(
        f"/admin/users/{user_id}/reset-link", data={"csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    match = _RESET_LINK.search(response.get_data(as_text=True))
    assert match, "no reset link in the page"
    return match.group(1)


def registration_is_checked(client: FlaskClient) -> bool:
    box = re.search(r'<input[^>]*name="open_registration"[^>]*>', text(client.get("/admin")))
    assert box, "no registration checkbox"
    return " checked" in box.group(0)


# -- who may enter ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", GET_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, admin: int, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")


@pytest.mark.parametrize("path", GET_PAGES)
def test_learners_get_403_on_every_admin_page(signed_in: FlaskClient, path: str) -> None:
    assert signed_in.get(path).status_code == 403


@pytest.mark.parametrize("path", POST_ACTIONS)
def test_learners_get_403_on_every_admin_action(
    app: Flask, signed_in: FlaskClient, admin: int, path: str
) -> None:
    before = dump(app)
    assert signed_in.post(path, data={"csrf_token": csrf_token(signed_in)}).status_code == 403
    assert dump(app) == before


@pytest.mark.parametrize("path", GET_PAGES)
def test_admins_see_every_admin_page(as_admin: FlaskClient, path: str) -> None:
    assert as_admin.get(path).status_code == 200


def test_the_admin_link_is_shown_to_admins_only(
    client: FlaskClient, as_admin: FlaskClient, auth: Auth
) -> None:
    assert 'href="/admin"' in as_admin.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("ann")
    assert 'href="/admin"' not in client.get("/").get_data(as_text=True)


def test_a_post_without_csrf_token_is_refused(
    app: Flask, as_admin: FlaskClient, learner: int
) -> None:
    assert as_admin.post(f"/admin/users/{learner}/disable").status_code == 400
    with app.app_context():
        assert db.session.get(User, learner).disabled is False


# -- users -----------------------------------------------------------------------------------


def test_users_are_listed_with_their_roles(as_admin: FlaskClient) -> None:
    page = text(as_admin.get("/admin"))
    assert "ann" in page and "mei" in page and "(you)" in page


def test_a_disabled_user_cannot_sign_in_until_enabled(
    app: Flask, as_admin: FlaskClient, learner: int
) -> None:
    ann = app.test_client()
    Auth(ann).login("ann")
    assert ann.get("/").status_code == 200

    response = as_admin.post(
        f"/admin/users/{learner}/disable", data={"csrf_token": csrf_token(as_admin)}
    )
    assert response.status_code == 302 and response.location == "/admin"
    assert "ann is disabled" in text(as_admin.get("/admin"))
    assert ann.get("/").location.startswith("/login")  # signed out at once
    assert "Wrong name or password." in text(Auth(ann).login("ann"))

    as_admin.post(f"/admin/users/{learner}/enable", data={"csrf_token": csrf_token(as_admin)})
    assert Auth(ann).login("ann").location == "/"
    with app.app_context():
        assert db.session.get(User, learner).disabled is False


def test_an_admin_cannot_disable_themselves(app: Flask, as_admin: FlaskClient, admin: int) -> None:
    as_admin.post(f"/admin/users/{admin}/disable", data={"csrf_token": csrf_token(as_admin)})
    assert "You cannot disable your own account." in text(as_admin.get("/admin"))
    with app.app_context():
        assert db.session.get(User, admin).disabled is False


def test_disabling_an_unknown_user_is_404(as_admin: FlaskClient) -> None:
    response = as_admin.post("/admin/users/999/disable", data={"csrf_token": csrf_token(as_admin)})
    assert response.status_code == 404


def test_a_reset_link_sets_the_password_once(
    app: Flask, as_admin: FlaskClient, learner: int
) -> None:
    link = reset_link_for(as_admin, learner)
    path = link.removeprefix("http://localhost")
    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200 and "For ann." in text(page)
    assert page.headers.getlist("Referrer-Policy") == ["no-referrer"]  # the app's not added

    new = "a brand new password"
    response = visitor.post(
        path, data={"csrf_token": csrf_token(visitor), "password": new, "confirm": new}
    )
    assert response.status_code == 302 and response.location == "/login"
    assert "Your password is set." in text(visitor.get("/login"))
    assert "Wrong name or password." in text(Auth(visitor).login("ann"))
    assert Auth(visitor).login("ann", new).location == "/"

    again = app.test_client().get(path)
    assert again.status_code == 400
    assert "This reset link has expired or was already used." in text(again)


def test_a_tampered_reset_link_is_refused(as_admin: FlaskClient, learner: int) -> None:
    path = reset_link_for(as_admin, learner).removeprefix("http://localhost")
    # Change a character inside the signature: the last one may carry only padding bits.
    tampered = path[:-5] + ("A" if path[-5] != "A" else "B") + path[-4:]
    for target in (tampered, "/reset/nonsense"):
        response = as_admin.get(target)
        assert response.status_code == 400
        assert "This reset link has expired or was already used." in text(response)


def test_a_reset_link_expires_after_a_day(
    app: Flask, as_admin: FlaskClient, learner: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = reset_link_for(as_admin, learner).removeprefix("http://localhost")
    made = int(time.time())
    # itsdangerous reads "now" from the signer: move it, for the visitor alone.
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: made + 23 * 60 * 60)
    assert app.test_client().get(path).status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: made + 24 * 60 * 60 + 60)
    assert app.test_client().get(path).status_code == 400


def test_a_reset_refuses_a_short_password_and_keeps_the_link(
    app: Flask, as_admin: FlaskClient, learner: int
) -> None:
    path = reset_link_for(as_admin, learner).removeprefix("http://localhost")
    visitor = app.test_client()
    page = visitor.post(
        path, data={"csrf_token": csrf_token(visitor), "password": "short", "confirm": "short"}
    )
    assert page.status_code == 200 and "Use 8 to 200 characters." in text(page)
    assert Auth(visitor).login("ann", PASSWORD).location == "/"
    assert visitor.get(path).status_code == 200


def test_open_registration_is_off_until_turned_on(app: Flask, as_admin: FlaskClient) -> None:
    with app.app_context():
        assert SiteSetting.get(db.session, SiteSetting.OPEN_REGISTRATION, False) is False
    assert not registration_is_checked(as_admin)

    data = {"csrf_token": csrf_token(as_admin), "open_registration": "y"}
    assert as_admin.post("/admin/registration", data=data).location == "/admin"
    with app.app_context():
        assert SiteSetting.get(db.session, SiteSetting.OPEN_REGISTRATION) is True
    assert registration_is_checked(as_admin)

    as_admin.post("/admin/registration", data={"csrf_token": csrf_token(as_admin)})
    with app.app_context():
        assert SiteSetting.get(db.session, SiteSetting.OPEN_REGISTRATION) is False


# -- banks -----------------------------------------------------------------------------------


def test_uploading_a_yaml_file_imports_it(
    app: Flask, as_admin: FlaskClient, runner: FlaskCliRunner
) -> None:
    response = upload(as_admin, "single.yaml", yaml(SINGLE))
    assert response.status_code == 302 and response.location == "/admin/banks"
    page = text(as_admin.get("/admin/banks"))
    assert "single: 1 added, 0 updated, 0 retired, 0 unchanged" in page
    assert "upload:single.yaml" in page
    assert bank_list(runner) == [
        {"id": "single", "title": "Single file", "questions": 1, "retired": 0,
         "types": {"truefalse": 1}, "diagrams": 0}
    ]  # fmt: skip


@pytest.mark.parametrize("top", ["", "demo/"], ids=["flat", "in-a-folder"])
def test_uploading_a_zip_imports_the_bank_with_its_diagrams(
    app: Flask, as_admin: FlaskClient, runner: FlaskCliRunner, top: str
) -> None:
    data = zipped({f"{top}bank.yaml": yaml(GOOD), f"{top}diagrams/x.svg": SVG})
    assert upload(as_admin, "docker.zip", data).location == "/admin/banks"
    assert "demo: 2 added" in text(as_admin.get("/admin/banks"))
    assert bank_list(runner) == [
        {"id": "demo", "title": "Demo", "questions": 2, "retired": 0,
         "types": {"basic": 2}, "diagrams": 1}
    ]  # fmt: skip
    with app.app_context():
        assert db.session.get(Bank, "demo").source == "upload:docker.zip"
    assert as_admin.get("/banks/demo/diagrams/x.svg").status_code == 200


def test_uploading_a_changed_bank_updates_it_in_place(
    as_admin: FlaskClient, runner: FlaskCliRunner
) -> None:
    upload(as_admin, "docker.zip", zipped({"bank.yaml": yaml(GOOD), "diagrams/x.svg": SVG}))
    changed = yaml(GOOD).replace(b"answer: a1", b"answer: a1 changed")
    upload(as_admin, "docker.zip", zipped({"bank.yaml": changed, "diagrams/x.svg": SVG}))
    assert "demo: 0 added, 1 updated, 0 retired, 1 unchanged" in text(as_admin.get("/admin/banks"))


@pytest.mark.parametrize(
    ("name", "data", "lines"),
    [
        ("mybank.yaml", yaml(BROKEN), [f"mybank.yaml:4:5: {BROKEN_LINE}"]),
        ("docker.zip", zipped({"bank.yaml": yaml(BROKEN)}), [f"docker.zip:bank.yaml:4:5: {BROKEN_LINE}"]),
        ("docker.zip", zipped({"docker/bank.yaml": yaml(BROKEN)}),
         [f"docker.zip:docker/bank.yaml:4:5: {BROKEN_LINE}"]),
        ("docker.zip", zipped({"bank.yaml": yaml(MISSING_DIAGRAM)}),
         ["docker.zip:bank.yaml:4:35: question 'b1': 'prompt': diagram 'diagrams/gone.svg' "
          "not found in docker.zip"]),
        ("evil.zip", zipped({"bank.yaml": yaml(GOOD), "../evil.yaml": "x"}),
         ["evil.zip:../evil.yaml:1:1: the path leaves the archive's folder ('..')"]),
        ("fake.zip", b"not a zip at all", ["fake.zip:1:1: not a zip archive"]),
    ],
    ids=["yaml", "zip", "zip-folder", "zip-diagram", "zip-slip", "not-a-zip"],
)  # fmt: skip
def test_a_bad_upload_shows_each_problem_as_the_cli_does_and_imports_nothing(
    app: Flask, as_admin: FlaskClient, name: str, data: bytes, lines: list[str]
) -> None:
    before = dump(app)
    response = upload(as_admin, name, data)
    assert response.status_code == 422
    page = text(response)
    found = re.search(r"<pre>(.*?)</pre>", page, re.S)
    assert found and found.group(1).splitlines() == lines
    assert f"{len(lines)} problem{'s' if len(lines) != 1 else ''}; nothing was imported." in page
    assert "wengu-upload-" not in page and tempfile.gettempdir() not in page
    assert dump(app) == before


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a .yaml file or a .zip of a bank folder."),
        (
            {"bank": (io.BytesIO(b"x"), "bank.txt")},
            "Upload a .yaml file, a .zip of a bank folder, or an Anki .apkg package.",
        ),
    ],
    ids=["no-file", "wrong-type"],
)
def test_an_upload_must_be_a_yaml_or_zip_file(
    app: Flask, as_admin: FlaskClient, data: dict[str, object], message: str
) -> None:
    before = dump(app)
    response = as_admin.post("/admin/banks", data={"csrf_token": csrf_token(as_admin)} | data)
    assert response.status_code == 422 and message in text(response)
    assert dump(app) == before


def test_an_upload_may_not_take_a_shipped_banks_id(
    app: Flask, as_admin: FlaskClient, runner: FlaskCliRunner, write_bank
) -> None:
    shipped = write_bank("quizzes/demo", {"bank.yaml": GOOD, "diagrams/x.svg": SVG})
    assert runner.invoke(args=["bank", "import", str(shipped)]).exit_code == 0
    app.config["WENGU_AUTOLOAD_BANKS"] = True
    before = dump(app)
    response = upload(
        as_admin, "demo.zip", zipped({"bank.yaml": yaml(GOOD), "diagrams/x.svg": SVG})
    )
    assert response.status_code == 422
    assert f"demo.zip:1:1: bank: 'id' 'demo' is the id of a bank shipped in {shipped}" in text(
        response
    )
    assert dump(app) == before


def test_an_upload_over_the_size_limit_gets_a_page_saying_so(
    app: Flask, as_admin: FlaskClient
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 4000
    before = dump(app)
    response = upload(as_admin, "big.yaml", b"#" * 5000)
    assert response.status_code == 413
    assert "larger than this server accepts (0.004 MB), so nothing was imported" in text(response)
    assert dump(app) == before


# -- groups ----------------------------------------------------------------------------------


@pytest.fixture
def group(app: Flask, learner: int, admin: int) -> int:
    """A group, Readers, with ann and mei in it; returns its id."""
    with app.app_context():
        row = Group(name="Readers")
        db.session.add(row)
        db.session.flush()
        db.session.add_all(
            [
                Membership(group_id=row.id, user_id=learner),
                Membership(group_id=row.id, user_id=admin),
            ]
        )
        db.session.commit()
        return row.id


def test_groups_are_listed_with_their_member_counts(as_admin: FlaskClient, group: int) -> None:
    page = as_admin.get("/admin/groups").get_data(as_text=True)
    # Each opens its page, where an admin acts as its owners do (an empty group's invites).
    assert f'<th scope="row" class="chosen-name"><a href="/groups/{group}">Readers</a></th>' in page
    assert '<td class="number" data-label="Members">2</td>' in page


def test_deleting_a_group_needs_the_confirmation(
    app: Flask, as_admin: FlaskClient, group: int
) -> None:
    as_admin.post(f"/admin/groups/{group}/delete", data={"csrf_token": csrf_token(as_admin)})
    with app.app_context():
        assert db.session.get(Group, group) is not None
    assert "Tick “Yes, delete” to delete Readers." in text(as_admin.get("/admin/groups"))


def test_deleting_a_group_removes_it_and_its_memberships_only(
    app: Flask, as_admin: FlaskClient, group: int, learner: int
) -> None:
    response = as_admin.post(
        f"/admin/groups/{group}/delete",
        data={"csrf_token": csrf_token(as_admin), "confirm": "yes"},
    )
    assert response.location == "/admin/groups"
    assert "Readers is deleted." in text(as_admin.get("/admin/groups"))
    with app.app_context():
        assert db.session.get(Group, group) is None
        assert db.session.scalars(select(Membership)).all() == []
        assert db.session.get(User, learner) is not None


def test_the_registration_hint_speaks_to_the_admin_not_in_commands(as_admin: FlaskClient) -> None:
    page = html.unescape(as_admin.get("/admin").get_data(as_text=True))
    assert "flask user create" not in page
    assert "from an admin on the server's command line (see the hosting guide" in page

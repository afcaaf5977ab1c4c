"""Hostile values at the edge of every request: redirect targets, characters the database
cannot store, numbers, JSON, settings; and CSRF with a stray ``Authorization`` header, CSV
cells a spreadsheet would run, and caching of what lies behind sign-in.

The app under test re-raises any exception (``TESTING``), so a request that would have been
a 500 fails the test with its traceback; every test here runs on SQLite and, under
``.ci/postgres``, on PostgreSQL, where NUL bytes and over-long values are refused by the
database itself.
"""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import Bank, Card, Group, Quiz, User, db
from models.quiz import SHARE_KEY_LENGTH
from services.accounts import issue_token
from services.groups import create_group
from srs.export import csv_cell
from tests.support import PASSWORD, Auth, csrf_token, make_user
from views import inputs

SECTIONS = 40  # enough that choosing them all once made a share key past 200 characters

BANK = "\n".join(
    [
        "id: edge",
        "title: Edges",
        "sections:",
        *(f"  - {{id: section-number-{n:02d}, title: S{n}}}" for n in range(SECTIONS)),
        "questions:",
        "  - id: q1",
        "    type: basic",
        "    section: section-number-00",
        '    prompt: \'=HYPERLINK("http://evil.example", "click")\'',
        "    answer: '+1+1'",
        "    explanation: |",
        "      @SUM(A1)",
        "",
        "      ![d](diagrams/d.svg)",
        "  - id: q2",
        "    type: choice",
        "    section: section-number-01",
        "    prompt: '-2+3'",
        '    choices: ["\\t=1+1", "\\r=cmd", plain]',
        "    correct: 2",
        "  - {id: q3, type: typing, prompt: type, answer: runc}",
        "  - {id: q4, type: truefalse, prompt: yes?, correct: true}",
    ]
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="5" height="5"/></svg>'


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    folder = write_bank("edge", {"bank.yaml": BANK, "diagrams/d.svg": SVG})
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def token(app: Flask, learner: int) -> str:
    with app.app_context():
        value = issue_token(db.session, db.session.get(User, learner))
        db.session.commit()
        return value


def _card_id(app: Flask, client: FlaskClient, headers: dict[str, str]) -> int:
    response = client.get("/api/v1/review/next?bank=edge", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return int(response.json["card_id"])


# --- 1. redirect targets ---------------------------------------------------------------------

EVIL = "evil.example"
# Each is the value ``next`` (or the Referer) arrives with, already percent-decoded once.
BYPASSES = [
    f"//{EVIL}",
    f"///{EVIL}",
    f"////{EVIL}",
    f"/\\{EVIL}",
    f"\\/{EVIL}",
    f"\\\\{EVIL}",
    f"/\\/{EVIL}",
    f"/\t/{EVIL}",
    f"/\n/{EVIL}",
    f"/\r\n/{EVIL}",
    f"\t//{EVIL}",
    f" //{EVIL}",
    f"/ /{EVIL}",
    f"/\x0b/{EVIL}",
    f"/\x1f/{EVIL}",
    f"/\x7f/{EVIL}",
    f"/\u200b/{EVIL}",
    f"/\u2028/{EVIL}",
    f"/\u3000/{EVIL}",
    f"%2f%2f{EVIL}",
    f"%2F%2F{EVIL}",
    f"/%2f{EVIL}",
    f"/%09/{EVIL}",
    f"/%0a/{EVIL}",
    f"/%5c{EVIL}",
    f"%5c%5c{EVIL}",
    f"/%5C/{EVIL}",
    f"https:{EVIL}",
    f"https:/{EVIL}",
    f"https://{EVIL}",
    f"HtTpS://{EVIL}",
    f"http:/\\{EVIL}",
    f"http:\\\\{EVIL}",
    f"ftp://{EVIL}",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    f"mailto:x@{EVIL}",
    f"\uff0f\uff0f{EVIL}",
    f"/\uff0f{EVIL}",
    f"//{EVIL}\uff0f",
    "//evil\u2100example",
    f"@{EVIL}",
    f"//localhost@{EVIL}",
    f"/.//{EVIL}",
    f"//{EVIL}/%2f..",
    "//%65vil.example",
    EVIL,
    "/" + "a" * 3000,
]
GOOD = ["/banks", "/review/edge?section=section-number-01", "/stats#week", "/quiz/edge?seed=3"]


def _stays_on_site(location: str) -> bool:
    """Whether a browser on http://localhost/ that follows ``location`` stays there: it
    drops tabs and newlines and reads backslashes as slashes first."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    if cleaned != cleaned.strip("\x00- "):
        return False
    parts = urlsplit(urljoin("http://localhost/language/en", cleaned))
    return (
        parts.scheme == "http"
        and parts.netloc == "localhost"
        and location.startswith("/")
        and not location.startswith("//")
    )


def _redirected_home(response, target: str) -> None:
    assert response.status_code == 302, (target, response.get_data(as_text=True)[:200])
    assert _stays_on_site(response.headers["Location"]), (target, response.headers["Location"])


def test_the_bypass_table_is_long_and_the_check_is_not_blind() -> None:
    assert len(BYPASSES) >= 25
    for target in (f"//{EVIL}", f"/\t/{EVIL}", f"/\\{EVIL}", f"https://{EVIL}", f"\t//{EVIL}"):
        assert not _stays_on_site(target), target


# Each table is walked inside one test (one app, one database): a test per row costs a
# database per row, minutes on PostgreSQL. Every assertion names its row.


def test_the_language_switch_never_leaves_the_site(client: FlaskClient) -> None:
    for target in BYPASSES:
        _redirected_home(client.get("/language/en", query_string={"next": target}), target)


def test_signing_in_never_leaves_the_site(app: Flask, learner: int) -> None:
    for target in BYPASSES:
        client = app.test_client()
        data = {"name": "ann", "password": PASSWORD, "csrf_token": csrf_token(client)}
        _redirected_home(client.post("/login", query_string={"next": target}, data=data), target)
        # Signed in already, /login sends on to the same target.
        _redirected_home(client.get("/login", query_string={"next": target}), target)


def test_leaving_a_bank_never_follows_a_foreign_referrer(
    signed_in: FlaskClient, bank: None
) -> None:
    token = csrf_token(signed_in)
    for target in BYPASSES:
        for referrer in (target, f"http://localhost{target}", f"http://{EVIL}/banks"):
            headers = {"Referer": referrer.replace("\n", "").replace("\r", "")}
            response = signed_in.post(
                "/banks/edge/leave", data={"csrf_token": token}, headers=headers
            )
            _redirected_home(response, referrer)


def test_local_targets_are_kept(client: FlaskClient, learner: int) -> None:
    for target in GOOD:
        response = client.get("/language/en", query_string={"next": target})
        assert response.headers["Location"] == target
    data = {"name": "ann", "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login", query_string={"next": "/banks"}, data=data)
    assert response.headers["Location"] == "/banks"


def test_a_nul_in_the_target_is_a_400(client: FlaskClient) -> None:
    response = client.get("/language/en?next=/%00/evil.example")
    assert response.status_code == 400


# --- 7. characters the database cannot store --------------------------------------------------


def test_nul_in_the_address_or_query_is_a_400_without_an_account(
    client: FlaskClient, learner: int
) -> None:
    for path in (
        "/join/AB%00CD",
        "/banks/%00",
        "/banks/edge/diagrams/%00.svg",
        "/review/edge?section=%00",
        "/login?next=%00",
        "/?x%00=1",
        "/api/v1/review/next?bank=%00",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "cannot be stored" in response.get_data(as_text=True), path


def test_nul_in_a_sign_in_is_a_400(client: FlaskClient, learner: int) -> None:
    token = csrf_token(client)
    for name in ("a\x00b", "ann\x00"):
        response = client.post("/login", data={"name": name, "password": "x", "csrf_token": token})
        assert response.status_code == 400
        assert "the field &#39;name&#39;" in response.get_data(as_text=True)


def test_nul_anywhere_signed_in_is_a_400(signed_in: FlaskClient, bank: None) -> None:
    token = csrf_token(signed_in)
    for path in (
        "/banks/%00",
        "/banks/edge/diagrams/%00.svg",
        "/review/edge?section=%00",
        "/review/edge?tag=a%00",
        "/groups/%00",
        "/quiz/edge?sections=%00",
    ):
        assert signed_in.get(path).status_code == 400, path
    # The diagram's path is percent-decoded once more, after the check: still no NUL reaches
    # the database, and no such diagram exists.
    for path in ("/banks/edge/diagrams/%2500.svg", "/banks/edge/diagrams/a%2500/%25ud800"):
        assert signed_in.get(path).status_code == 404, path
    form = {"csrf_token": token, "new-name": "club\x00", "new-banks": "edge"}
    assert signed_in.post("/groups", data=form).status_code == 400
    form = {"csrf_token": token, "code": "AB\x00CD"}
    assert signed_in.post("/groups/join", data=form).status_code == 400
    with signed_in.application.app_context():
        assert db.session.scalar(select(Group)) is None


def test_unstorable_json_is_a_400(client: FlaskClient, token: str, bank: None) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    card_id = _card_id(client.application, client, headers)
    for body in (
        '{"rating": 3, "review_token": "a\\u0000b"}',
        '{"rating": 3, "review_token": "\\ud800"}',
        '{"rating": 3, "review_token": "x", "\\u0000": 1}',
        '{"rating": 3, "review_token": "x", "bank": ["ok", {"deep": "\\udfff"}]}',
    ):
        response = client.post(f"/api/v1/review/{card_id}", data=body, headers=headers)
        assert response.status_code == 400, body
        assert "cannot be stored" in response.json["error"]


def test_unstorable_quiz_answers_are_a_400(signed_in: FlaskClient, bank: None) -> None:
    quiz_id = _start_quiz(signed_in, count="4")
    for answers, flags in (
        ('{"0": "a\\u0000"}', "[]"),
        ('{"0": ["\\ud83d"]}', "[]"),
        ('{"\\u0000": 1}', "[]"),
    ):
        response = _submit(signed_in, quiz_id, answers, flags)
        assert response.status_code == 400, answers
    assert signed_in.get(f"/quiz/edge/{quiz_id}").status_code == 200  # not submitted


def _start_quiz(client: FlaskClient, **fields: object):
    data = {"csrf_token": csrf_token(client), "count": "4", **fields}
    response = client.post("/quiz/edge", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def _submit(client: FlaskClient, quiz_id: int, answers: str, flags: str):
    data = {"csrf_token": csrf_token(client), "answers": answers, "flags": flags}
    return client.post(f"/quiz/edge/{quiz_id}", data=data)


def test_a_quiz_over_every_section_keeps_a_short_share_key(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    every = [f"section-number-{n:02d}" for n in range(SECTIONS)]
    first = _start_quiz(signed_in, sections=every, seed="7")
    again = _start_quiz(signed_in, sections=every * 5, seed="7")  # repeats choose nothing more
    other = _start_quiz(signed_in, sections=every, seed="8")
    with app.app_context():
        keys = {q.id: q.share_key for q in db.session.scalars(select(Quiz))}
    assert all(len(key) <= SHARE_KEY_LENGTH for key in keys.values())
    assert keys[first] == keys[again] != keys[other]
    short = _start_quiz(signed_in, sections=every[:1], seed="7")
    assert keys[first] != (short_key := _share_key(app, short)) and short_key.startswith("edge:{")


def _share_key(app: Flask, quiz_id: int) -> str:
    with app.app_context():
        return db.session.get(Quiz, quiz_id).share_key


# --- 8. numbers -------------------------------------------------------------------------------

NOT_NUMBERS = ["²", "٣", "1e3", "", "0x10", " 5", "5 ", "+5", "1_0", "5.0", "٣٣", "NaN", "Infinity"]
TOO_BIG = ["9" * 5000, "9" * 25, "18446744073709551616", "-1"]


def test_every_numeric_query_parameter_refuses_what_is_not_a_whole_number(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    card_id = _card_id(app, signed_in, {})  # the learner has cards: refusals are not for want
    for value in NOT_NUMBERS + TOO_BIG:
        _numeric_queries_refuse(signed_in, value)
    assert card_id


def _numeric_queries_refuse(signed_in: FlaskClient, value: str) -> None:
    section = {"bank": "edge", "practice": "section:section-number-00"}
    refused = [
        ("/api/v1/review/next", {"bank": "edge", "ahead": value}),
        ("/api/v1/review/next", {"bank": "edge", "practice": f"forgotten:{value}"}),
        ("/quiz/edge", {"seed": value}),
        ("/quiz/edge", {"seed": "1", "count": value}),
        ("/quiz/edge", {"seed": "1", "minutes": value}),
    ]
    if value:  # ?forgotten= with nothing is no practice session; ?exclude= excludes nothing
        refused.append(("/review/edge", {"forgotten": value}))
        if value.strip() == value:  # ids in the list may have space around them
            refused.append(("/api/v1/review/next", {**section, "exclude": f"1,{value}"}))
    for path, query in refused:
        response = signed_in.get(path, query_string=query)
        assert response.status_code == 400, (path, str(query)[:80], response.status_code)
        text = response.get_data(as_text=True)
        assert re.search(r"whole number|forgotten|exclude", text), (path, text[:200])
    # after_id: a number past every id either way is clamped; anything else is refused.
    response = signed_in.get("/api/v1/reviews", query_string={"after_id": value})
    clamped = value.lstrip("-").isascii() and value.lstrip("-").isdigit()
    assert response.status_code == (200 if clamped else 400), value[:30]


def test_every_numeric_form_field_refuses_what_is_not_a_whole_number(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    token = csrf_token(signed_in)
    with app.app_context():
        before = _settings(db.session.scalar(select(User)))
    for value in NOT_NUMBERS + TOO_BIG:
        for field in ("count", "minutes", "seed"):
            if field in ("minutes", "seed") and value == "":
                continue  # no time limit; a quiz that was not shared gets a new seed
            data = {"csrf_token": token, "count": "4", field: value}
            assert signed_in.post("/quiz/edge", data=data).status_code == 400, (field, value[:20])
        for field in ("new_per_day", "reviews_per_day", "rollover_hour", "maximum_interval"):
            response = signed_in.post("/settings", data={**_settings_form(signed_in), field: value})
            assert response.status_code == 200, (field, value[:20])
            assert "Settings saved" not in response.get_data(as_text=True), (field, value[:20])
    with app.app_context():
        assert db.session.scalar(select(Quiz)) is None
        assert _settings(db.session.scalar(select(User))) == before


def test_a_group_given_a_bank_by_an_admin_is_named_by_a_whole_number(
    app: Flask, client: FlaskClient, bank: None
) -> None:
    make_user(app, "root", admin=True)
    Auth(client).login("root")
    with app.app_context():
        root = db.session.scalar(select(User).where(User.name == "root"))
        group_id = create_group(db.session, root, "club", []).id
        db.session.commit()
    token = csrf_token(client)
    for value in [v for v in NOT_NUMBERS + TOO_BIG if v] + ["0", str(group_id + 1)]:
        response = client.post(
            "/admin/banks/edge/group", data={"csrf_token": token, "group": value}
        )
        assert response.status_code == 400, value[:20]
        assert "There is no such group." in response.get_data(as_text=True), value[:20]
    response = client.post("/admin/banks/edge/group", data={"csrf_token": token, "group": group_id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get_one(Bank, "edge").group_id == group_id


def test_invite_numbers_refuse_what_is_not_a_whole_number(
    app: Flask, signed_in: FlaskClient
) -> None:
    with app.app_context():
        group = create_group(db.session, db.session.scalar(select(User)), "club", [])
        db.session.commit()
        group_id = group.id
    token = csrf_token(signed_in)
    for value in NOT_NUMBERS + TOO_BIG:
        for field in ("invite-days", "invite-max_uses"):
            if field == "invite-max_uses" and value == "":
                continue  # any number of uses
            data = {"csrf_token": token, "invite-days": "7", field: value}
            response = signed_in.post(f"/groups/{group_id}/invites", data=data)
            assert response.status_code == 302
            page = signed_in.get(f"/groups/{group_id}").get_data(as_text=True)
            assert "An invite lasts 1 to 90 days" in page, (field, value[:20])


def _settings(user: User) -> tuple[object, ...]:
    return (
        user.desired_retention, user.new_per_day, user.reviews_per_day, user.learning_steps,
        user.relearning_steps, user.rollover_hour, user.maximum_interval,
    )  # fmt: skip


def _settings_form(client: FlaskClient) -> dict[str, str]:
    return {
        "csrf_token": csrf_token(client),
        "desired_retention": "0.9",
        "new_per_day": "20",
        "reviews_per_day": "200",
        "learning_steps": "1m 10m",
        "relearning_steps": "10m",
        "rollover_hour": "4",
        "timezone": "UTC",
        "maximum_interval": "36500",
        "locale": "",
    }


OUT_OF_BOUNDS = [
    ("learning_steps", "1" * 400 + "m"),
    ("learning_steps", "1m " * 21),
    ("learning_steps", "²m"),
    ("learning_steps", "٣m"),
    ("learning_steps", "1e3m"),
    ("learning_steps", "0s"),
    ("learning_steps", "0.1s"),
    ("learning_steps", "infm"),
    ("learning_steps", "nanm"),
    ("relearning_steps", "99999999999999d"),
    ("relearning_steps", "366d"),
    ("relearning_steps", "1" * 5000 + "s"),
    ("desired_retention", "NaN"),
    ("desired_retention", "sNaN"),
    ("desired_retention", "Infinity"),
    ("desired_retention", "-Infinity"),
    ("desired_retention", "1e999"),
    ("desired_retention", "0.5"),
    ("rollover_hour", "24"),
    ("maximum_interval", "0"),
    ("maximum_interval", "36501"),
    ("new_per_day", "10000"),
    ("reviews_per_day", "100000"),
]


def test_settings_out_of_bounds_are_refused_before_they_are_stored(
    app: Flask, signed_in: FlaskClient
) -> None:
    with app.app_context():
        before = _settings(db.session.scalar(select(User)))
    for field, value in OUT_OF_BOUNDS:
        response = signed_in.post("/settings", data={**_settings_form(signed_in), field: value})
        assert response.status_code == 200, (field, value[:20])
        assert "Settings saved" not in response.get_data(as_text=True), (field, value[:20])
    with app.app_context():
        assert _settings(db.session.scalar(select(User))) == before


def test_settings_at_their_bounds_are_kept(app: Flask, signed_in: FlaskClient) -> None:
    data = {**_settings_form(signed_in), "learning_steps": "1s 365d", "relearning_steps": "1.5m"}
    response = signed_in.post("/settings", data=data, follow_redirects=True)
    assert "Settings saved" in response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalar(select(User))
        assert (user.learning_steps, user.relearning_steps) == ([1, 365 * 86400], [90])


def test_a_huge_step_stored_before_does_not_break_review_or_stats(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    with app.app_context():
        user = db.session.scalar(select(User))
        user.learning_steps = [10**30]
        user.relearning_steps = [10**20, "x", -5]
        db.session.commit()
    headers = {"X-CSRFToken": csrf_token(signed_in)}
    for _ in range(3):
        card = signed_in.get("/api/v1/review/next?bank=edge").json
        body = {"rating": 1, "review_token": card["review_token"]}
        assert signed_in.post(f"/api/v1/review/{card['card_id']}", json=body, headers=headers).status_code == 200  # fmt: skip
    assert signed_in.get("/api/v1/stats").status_code == 200
    assert signed_in.get("/stats").status_code == 200
    assert signed_in.get("/settings").status_code == 200


HOSTILE_BODIES = [
    '{"rating": Infinity, "review_token": "t"}',
    '{"rating": NaN, "review_token": "t"}',
    '{"rating": -Infinity, "review_token": "t"}',
    '{"rating": 1e999, "review_token": "t"}',
    '{"rating": 3, "review_token": "t", "elapsed_ms": ' + "9" * 5000 + "}",
    '{"rating": 3, "review_token": "t", "x": ' + "[" * 5000 + "]" * 5000 + "}",
    "[" * 100_000,
    '{"rating": 3, "review_token": "t", "x": ' + '{"a":' * 40 + "1" + "}" * 40 + "}",
]


def test_json_bodies_with_non_finite_huge_or_deep_values_are_a_400(
    client: FlaskClient, token: str, bank: None
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    card_id = _card_id(client.application, client, headers)
    for body in HOSTILE_BODIES:
        response = client.post(f"/api/v1/review/{card_id}", data=body, headers=headers)
        assert response.status_code == 400, body[:60]
        assert "JSON" in response.json["error"], body[:60]


def test_json_strings_that_look_deep_are_not(client: FlaskClient, token: str, bank: None) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    card = client.get("/api/v1/review/next?bank=edge", headers=headers).json
    body = {"rating": 3, "review_token": card["review_token"], "note": "[" * 1000 + "{" * 1000}
    response = client.post(f"/api/v1/review/{card['card_id']}", json=body, headers=headers)
    assert response.status_code == 200


def test_a_json_body_is_read_once(
    client: FlaskClient, token: str, bank: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before the view parses the body, and the view is given what it parsed."""
    headers = {"Authorization": f"Bearer {token}"}
    card = client.get("/api/v1/review/next?bank=edge", headers=headers).json
    reads = []
    real = inputs.load_json
    monkeypatch.setattr(inputs, "load_json", lambda data: reads.append(data) or real(data))
    body = {"rating": 3, "review_token": card["review_token"]}
    response = client.post(f"/api/v1/review/{card['card_id']}", json=body, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(reads) == 1


HOSTILE_ANSWERS = [
    ('{"0": Infinity}', "[]"),
    ('{"0": NaN}', "[]"),
    ('{"0": 1e999}', "[]"),
    ("{}", "[Infinity]"),
    ("{}", "[1e999]"),
    ("{}", '["²"]'),
    ("{}", '["٣"]'),
    ("{}", "[" + "9" * 5000 + "]"),
    ("{}", "[-1]"),
    ("{}", "[true]"),
    ('{"²": "a"}', "[]"),
    ('{"٣": "a"}', "[]"),
    ('{"0": ' + "[" * 5000 + "]" * 5000 + "}", "[]"),
    ("[" * 5000, "[]"),
    ("{}", "{" * 5000),
]


def test_quiz_answers_with_bad_numbers_or_nesting_are_a_400(
    signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = _start_quiz(signed_in)
    for answers, flags in HOSTILE_ANSWERS:
        response = _submit(signed_in, quiz_id, answers, flags)
        assert response.status_code == 400, (answers[:40], flags[:40])
    assert _submit(signed_in, quiz_id, "{}", "[0]").status_code == 302  # none spent it


HOSTILE_SINCE = [
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00 23:59",
    "not a time",
    "2024-13-01",
    "²⁰²⁴-01-01",
]


def test_since_at_the_edge_of_the_calendar_is_a_400(client: FlaskClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for since in HOSTILE_SINCE:
        response = client.get("/api/v1/reviews", query_string={"since": since}, headers=headers)
        assert response.status_code == 400, since
        assert "'since'" in response.json["error"], since
    ok = client.get("/api/v1/reviews?since=0001-01-02T00:00:00%2B23:59", headers=headers)
    assert ok.status_code == 200


# --- 13. CSRF, CSV cells, caching -------------------------------------------------------------


def test_a_junk_authorization_header_does_not_spare_a_session_its_csrf_token(
    app: Flask, signed_in: FlaskClient, token: str, bank: None
) -> None:
    card_id = _card_id(app, signed_in, {})
    for header in ("Bearer junk", "Bearer ", "Basic YW5uOnB3", "junk", token):
        response = signed_in.post(
            f"/api/v1/cards/{card_id}/bury", headers={"Authorization": header}
        )
        assert response.status_code == 400, header
        assert "CSRF" in response.json["error"]
    with app.app_context():
        assert db.session.get(Card, card_id).buried_until is None
    # A session with its CSRF token, and a valid bearer token alone, are both let through.
    headers = {"X-CSRFToken": csrf_token(signed_in), "Authorization": "Bearer junk"}
    assert signed_in.post(f"/api/v1/cards/{card_id}/bury", headers=headers).status_code == 200
    fresh = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert fresh.post(f"/api/v1/cards/{card_id}/unbury", headers=bearer).status_code == 200


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a=1", "a=1"),
        (" =1", " =1"),
        ("", ""),
        (-1, -1),
        (7, 7),
    ],
)
def test_a_csv_cell_that_would_be_a_formula_gets_a_quote(value: object, cell: object) -> None:
    assert csv_cell(value) == cell


def _formula_cells(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    return [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_every_csv_export_escapes_formulas(
    app: Flask, signed_in: FlaskClient, runner: FlaskCliRunner, bank: None, tmp_path
) -> None:
    page = signed_in.get("/banks/edge/export/csv").get_data(as_text=True)
    assert _formula_cells(page) == []
    assert "'=HYPERLINK(" in page and "'+1+1" in page and "'@SUM(A1)" in page
    assert "'-2+3" in page and "'\t=1+1" in page
    target = tmp_path / "edge.csv"
    result = runner.invoke(
        args=["bank", "export", "edge", "--format", "csv", "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert _formula_cells(target.read_text(encoding="utf-8")) == []
    card = signed_in.get("/api/v1/review/next?bank=edge").json
    body = {"rating": 3, "review_token": card["review_token"]}
    headers = {"X-CSRFToken": csrf_token(signed_in)}
    signed_in.post(f"/api/v1/review/{card['card_id']}", json=body, headers=headers)
    history = signed_in.get("/settings/history.csv").get_data(as_text=True)
    assert len(history.splitlines()) == 2 and _formula_cells(history) == []


def test_nothing_behind_sign_in_may_be_kept_by_a_shared_cache(
    signed_in: FlaskClient, bank: None
) -> None:
    diagram = signed_in.get("/banks/edge/diagrams/d.svg")
    assert diagram.status_code == 200
    assert diagram.cache_control.private and not diagram.cache_control.public
    paths = [
        "/", "/banks", "/banks/edge", "/stats", "/settings", "/quiz/edge", "/groups",
        "/review/edge", "/banks/edge/export/csv", "/banks/edge/export/apkg",
        "/settings/history.csv", "/api/v1/stats", "/api/v1/review/next",
    ]  # fmt: skip
    for path in paths:
        response = signed_in.get(path)
        assert response.status_code in (200, 204), path
        assert "public" not in response.headers.get("Cache-Control", ""), path
    again = signed_in.get(
        "/banks/edge/diagrams/d.svg", headers={"If-None-Match": diagram.get_etag()[0]}
    )
    assert again.status_code == 304 and again.cache_control.private

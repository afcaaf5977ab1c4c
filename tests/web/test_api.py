"""The JSON API contract: next card, answer, double submit, undo, the log, errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from models import Card, Review, User, db
from services.accounts import issue_token
from tests.support import csrf_token, make_user

BANK = """
    id: demo
    title: Demo
    questions:
      - {id: q1, type: basic, prompt: "**p1**", answer: a1, explanation: "why 1"}
      - {id: q2, type: choice, prompt: p2, choices: [x, y, z], correct: 1}
      - {id: q3, type: reverse, prompt: front, answer: back}
"""


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    assert (
        runner.invoke(
            args=["bank", "import", str(write_bank("demo", {"bank.yaml": BANK}))]
        ).exit_code
        == 0
    )


@pytest.fixture
def token(app: Flask, learner: int) -> str:
    with app.app_context():
        value = issue_token(db.session, db.session.get(User, learner))
        db.session.commit()
        return value


@pytest.fixture
def api(client: FlaskClient, token: str, bank: None):
    """Calls the API as ann with a bearer token."""

    def call(method: str, path: str, json: object = None):
        return client.open(
            f"/api/v1{path}", method=method, json=json, headers={"Authorization": f"Bearer {token}"}
        )

    return call


def test_next_returns_the_first_card_with_intervals_and_counts(api) -> None:
    response = api("GET", "/review/next?bank=demo")
    assert response.status_code == 200
    card = response.json
    assert (card["bank"], card["question"], card["type"], card["state"]) == (
        "demo",
        "q1",
        "basic",
        "new",
    )
    assert card["prompt_html"] == "<p><strong>p1</strong></p>"
    assert card["answer_html"] == "<p>a1</p>" and card["explanation_html"] == "<p>why 1</p>"
    assert card["counts"] == {"new": 4, "learning": 0, "review": 0}
    assert set(card["intervals"]) == {"again", "hard", "good", "easy"}
    assert card["intervals"]["again"] == 60 and card["intervals"]["good"] == 600
    assert card["intervals"]["easy"] >= 86400
    assert isinstance(card["review_token"], str) and card["review_token"]
    assert "edit" not in card  # not an admin


def test_next_without_bank_takes_all_banks(api) -> None:
    assert api("GET", "/review/next").json["question"] == "q1"


def test_answer_schedules_and_logs_once(app: Flask, api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    response = api("POST", f"/review/{card['card_id']}",
                   {"rating": 3, "review_token": card["review_token"], "elapsed_ms": 4200})  # fmt: skip
    assert response.status_code == 200
    result = response.json
    assert result["interval_seconds"] == 600 and result["state"] == "learning"
    assert result["repeated"] is False
    due = datetime.fromisoformat(result["due"])
    assert (due - datetime.fromisoformat(result["reviewed_at"])).total_seconds() == 600
    with app.app_context():
        review = db.session.scalar(select(Review))
        assert (review.rating, review.elapsed_ms, review.card_id) == (3, 4200, card["card_id"])
        assert db.session.get(Card, card["card_id"]).due == due


def test_same_review_token_twice_counts_once(app: Flask, api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    body = {"rating": 3, "review_token": card["review_token"]}
    first = api("POST", f"/review/{card['card_id']}", body).json
    again = api("POST", f"/review/{card['card_id']}", {**body, "rating": 1}).json
    assert again["repeated"] is True
    assert {k: again[k] for k in ("due", "rating", "review_id")} == {
        k: first[k] for k in ("due", "rating", "review_id")
    }
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_answer_can_bring_the_next_card(app: Flask, api) -> None:
    with app.app_context():
        # The learning card is due in ten minutes: keep the learner's next study day hours
        # away, so that it counts today whenever the test runs.
        user = db.session.scalar(select(User).where(User.name == "ann"))
        user.rollover_hour = (datetime.now(UTC).hour + 12) % 24
        db.session.commit()
    card = api("GET", "/review/next?bank=demo").json
    result = api("POST", f"/review/{card['card_id']}",
                 {"rating": 3, "review_token": card["review_token"], "next": True, "bank": "demo"}).json  # fmt: skip
    assert result["next"]["question"] == "q2"
    shown = result["next"]
    # Shuffled for this showing, the check by place; nothing tells the bank's order (a
    # bank's author tends to put the right answer first).
    assert sorted(shown["choices"]) == ["x", "y", "z"] and "choice_indices" not in shown
    assert shown["check"] == {"correct": [shown["choices"].index("y")], "multiple": False}
    # The grade each verdict suggests comes from the question types, not the page.
    assert result["next"]["suggest"] == {"right": 3, "partly": 2, "wrong": 1}
    assert "suggest" not in card  # a basic card is not checked in the page
    assert result["next"]["counts"] == {"new": 3, "learning": 1, "review": 0}


def test_next_can_bring_the_cards_that_follow(api) -> None:
    card = api("GET", "/review/next?bank=demo&ahead=3").json
    ahead = card["ahead"]
    assert [c["question"] for c in ahead] == ["q2", "q3"]  # one card of the reverse question
    assert len({card["review_token"], *(c["review_token"] for c in ahead)}) == 3
    assert all("ahead" not in c for c in ahead)
    assert "ahead" not in api("GET", "/review/next?bank=demo").json


def test_cards_ahead_can_be_answered_later_each_once(app: Flask, api) -> None:
    card = api("GET", "/review/next?bank=demo&ahead=3").json
    answers = [
        (c["card_id"], {"rating": 3, "review_token": c["review_token"], "elapsed_ms": 1000})
        for c in [card, *card["ahead"]]
    ]
    for card_id, body in answers + answers:  # the queue sent twice, as after a lost reply
        assert api("POST", f"/review/{card_id}", body).status_code == 200
    with app.app_context():
        logged = db.session.scalars(select(Review.card_id).order_by(Review.id)).all()
    assert logged == [card_id for card_id, _ in answers]


def test_answer_can_bring_the_next_card_with_those_that_follow(api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    result = api("POST", f"/review/{card['card_id']}",
                 {"rating": 3, "review_token": card["review_token"], "next": True, "ahead": 2}).json  # fmt: skip
    assert result["next"]["question"] == "q2"
    # q1, answered Good, is due again in ten minutes: shown early once nothing else is left.
    assert [c["question"] for c in result["next"]["ahead"]] == ["q3", "q1"]


@pytest.mark.parametrize("value", ["11", "-1", "two", ""])
def test_bad_ahead_in_the_query_is_400(api, value: str) -> None:
    response = api("GET", f"/review/next?bank=demo&ahead={value}")
    assert response.status_code == 400
    assert response.json == {"error": "'ahead' must be a whole number from 0 to 10"}


def test_bad_ahead_in_an_answer_is_422(api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    body = {"rating": 3, "review_token": card["review_token"], "next": True, "ahead": 99}
    response = api("POST", f"/review/{card['card_id']}", body)
    assert response.status_code == 422
    assert response.json == {"error": "'ahead' must be a whole number from 0 to 10"}


def test_nothing_due_is_204(api, app: Flask, learner: int) -> None:
    with app.app_context():
        db.session.get(User, learner).new_per_day = 0
        db.session.commit()
    response = api("GET", "/review/next?bank=demo")
    assert response.status_code == 204 and response.data == b""


def test_unknown_bank_is_404(api) -> None:
    response = api("GET", "/review/next?bank=nope")
    assert response.status_code == 404 and response.json == {"error": "you study no bank 'nope'"}


def test_no_credentials_is_401(client: FlaskClient, bank: None) -> None:
    for method, path in [("GET", "/review/next"), ("POST", "/review/1"), ("POST", "/review/undo"),
                         ("GET", "/reviews")]:  # fmt: skip
        response = client.open(f"/api/v1{path}", method=method, json={})
        assert response.status_code == 401, path
        assert response.json == {"error": "sign in, or send Authorization: Bearer TOKEN"}


def test_wrong_token_is_401(client: FlaskClient, bank: None, token: str) -> None:
    response = client.get("/api/v1/review/next", headers={"Authorization": "Bearer wengu_nope"})
    assert response.status_code == 401


def test_another_learners_card_is_404_whatever_else_is_wrong(
    app: Flask, api, client: FlaskClient
) -> None:
    card = api("GET", "/review/next?bank=demo").json
    make_user(app, "bob")
    with app.app_context():
        bob_token = issue_token(
            db.session, db.session.scalar(select(User).where(User.name == "bob"))
        )
        db.session.commit()
    for body in ({"rating": 3, "review_token": card["review_token"]}, {"rating": 99}, "not json"):
        response = client.post(f"/api/v1/review/{card['card_id']}", json=body,
                               headers={"Authorization": f"Bearer {bob_token}"})  # fmt: skip
        assert response.status_code == 404 and response.json == {
            "error": f"no card {card['card_id']}"
        }
    assert (
        client.post(
            "/api/v1/review/999999", json={}, headers={"Authorization": f"Bearer {bob_token}"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("text", 400, "send a JSON object"),
        (
            {"rating": 5, "review_token": "x"},
            422,
            "'rating' must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)",
        ),
        ({"rating": "3", "review_token": "x"}, 422, "'rating' must be a whole number"),
        ({"rating": True, "review_token": "x"}, 422, "'rating' must be a whole number"),
        ({"rating": 3}, 400, "'review_token' is required: take it from /review/next"),
        (
            {"rating": 3, "review_token": "forged"},
            422,
            "'review_token' was not issued for this card",
        ),
        (
            {"rating": 3, "review_token": None, "elapsed_ms": 5},
            400,
            "'review_token' is required: take it from /review/next",
        ),
    ],
)
def test_bad_answers_are_refused_with_reasons(api, body: object, status: int, error: str) -> None:
    card = api("GET", "/review/next?bank=demo").json
    response = api("POST", f"/review/{card['card_id']}", body)
    assert (response.status_code, response.json) == (status, {"error": error})


def test_token_for_another_card_is_refused(api) -> None:
    first = api("GET", "/review/next?bank=demo").json
    api("POST", f"/review/{first['card_id']}", {"rating": 3, "review_token": first["review_token"]})
    second = api("GET", "/review/next?bank=demo").json
    response = api(
        "POST", f"/review/{second['card_id']}", {"rating": 3, "review_token": first["review_token"]}
    )
    assert response.status_code == 422


def test_negative_elapsed_is_refused(api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    response = api("POST", f"/review/{card['card_id']}",
                   {"rating": 3, "review_token": card["review_token"], "elapsed_ms": -1})  # fmt: skip
    assert (response.status_code, response.json) == (
        422,
        {"error": "'elapsed_ms' may not be negative"},
    )


def test_undo_restores_the_card_and_removes_its_row(app: Flask, api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    api("POST", f"/review/{card['card_id']}", {"rating": 4, "review_token": card["review_token"]})
    restored = api("POST", "/review/undo")
    assert restored.status_code == 200
    assert (restored.json["card_id"], restored.json["state"]) == (card["card_id"], "new")
    assert restored.json["counts"] == card["counts"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
        assert db.session.get(Card, card["card_id"]).reps == 0
    assert api("POST", "/review/undo").status_code == 409
    assert api("POST", "/review/undo").json == {"error": "nothing to undo"}


def test_an_answer_after_an_undo_has_an_id_never_given_before(api) -> None:
    """A client reading the log from the last id it has (after_id) sees the new answer."""
    card = api("GET", "/review/next?bank=demo").json
    body = {"rating": 3, "review_token": card["review_token"]}
    first = api("POST", f"/review/{card['card_id']}", body).json["review_id"]
    assert [r["id"] for r in api("GET", "/reviews").json] == [first]
    assert api("POST", "/review/undo").status_code == 200
    card = api("GET", "/review/next?bank=demo").json
    body = {"rating": 4, "review_token": card["review_token"]}
    again = api("POST", f"/review/{card['card_id']}", body).json["review_id"]
    assert again > first
    assert [r["id"] for r in api("GET", f"/reviews?after_id={first}").json] == [again]


def test_reviews_lists_the_log_oldest_first(api) -> None:
    for _ in range(2):
        card = api("GET", "/review/next?bank=demo").json
        api(
            "POST",
            f"/review/{card['card_id']}",
            {"rating": 3, "review_token": card["review_token"]},
        )
    log = api("GET", "/reviews").json
    assert [(r["question"], r["rating"], r["state_before"], r["state_after"]) for r in log] == [
        ("q1", 3, "new", "learning"), ("q2", 3, "new", "learning"),
    ]  # fmt: skip
    since = log[1]["reviewed_at"]
    assert [r["id"] for r in api("GET", f"/reviews?since={since}").json] == [log[1]["id"]]
    assert [r["id"] for r in api("GET", f"/reviews?after_id={log[0]['id']}").json] == [log[1]["id"]]
    assert api("GET", "/reviews?since=yesterday").status_code == 400


def test_paging_by_id_follows_the_order_logged_not_the_times(app: Flask, api) -> None:
    """Two answers at once can be logged in the other order than their times: a client
    paging from the last id it saw must miss neither."""
    for _ in range(2):
        card = api("GET", "/review/next?bank=demo").json
        api("POST", f"/review/{card['card_id']}", {"rating": 3, "review_token": card["review_token"]})  # fmt: skip
    with app.app_context():
        first, second = db.session.scalars(select(Review).order_by(Review.id)).all()
        first.reviewed_at, second.reviewed_at = second.reviewed_at, first.reviewed_at
        db.session.commit()
        ids = [first.id, second.id]
    assert [r["id"] for r in api("GET", "/reviews").json] == ids[::-1]  # oldest first
    assert [r["id"] for r in api("GET", f"/reviews?after_id={ids[0] - 1}").json] == ids
    assert [r["id"] for r in api("GET", f"/reviews?after_id={ids[0]}").json] == ids[1:]


def test_an_id_in_a_path_is_ascii_digits(api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    arabic = "".join(chr(0x0660 + int(d)) for d in str(card["card_id"]))  # ١ is 1 to int()
    body = {"rating": 3, "review_token": card["review_token"]}
    assert api("POST", f"/review/{arabic}", body).status_code == 404
    assert api("POST", f"/review/{card['card_id']}", body).status_code == 200


def test_reviews_are_the_callers_own(app: Flask, api, client: FlaskClient) -> None:
    card = api("GET", "/review/next?bank=demo").json
    api("POST", f"/review/{card['card_id']}", {"rating": 3, "review_token": card["review_token"]})
    make_user(app, "bob")
    with app.app_context():
        bob = issue_token(db.session, db.session.scalar(select(User).where(User.name == "bob")))
        db.session.commit()
    assert client.get("/api/v1/reviews", headers={"Authorization": f"Bearer {bob}"}).json == []


def test_bury_and_suspend_take_the_card_out_of_the_queue(api) -> None:
    card = api("GET", "/review/next?bank=demo").json
    assert api("POST", f"/cards/{card['card_id']}/bury").json["buried_until"] is not None
    assert api("GET", "/review/next?bank=demo").json["question"] == "q2"
    second = api("GET", "/review/next?bank=demo").json
    assert api("POST", f"/cards/{second['card_id']}/suspend").json["suspended"] is True
    assert api("GET", "/review/next?bank=demo").json["question"] == "q3"
    api("POST", f"/cards/{card['card_id']}/unbury")
    assert api("GET", "/review/next?bank=demo").json["question"] == "q1"


def test_session_requests_need_the_csrf_header(signed_in: FlaskClient, bank: None) -> None:
    card = signed_in.get("/api/v1/review/next").json
    body = {"rating": 3, "review_token": card["review_token"]}
    refused = signed_in.post(f"/api/v1/review/{card['card_id']}", json=body)
    assert refused.status_code == 400 and "CSRF" in refused.json["error"]
    accepted = signed_in.post(f"/api/v1/review/{card['card_id']}", json=body,
                              headers={"X-CSRFToken": csrf_token(signed_in)})  # fmt: skip
    assert accepted.status_code == 200


def test_admin_gets_the_edit_location(app: Flask, client: FlaskClient, bank: None) -> None:
    make_user(app, "root", admin=True)
    with app.app_context():
        token = issue_token(db.session, db.session.scalar(select(User).where(User.name == "root")))
        db.session.commit()
    card = client.get("/api/v1/review/next", headers={"Authorization": f"Bearer {token}"}).json
    assert card["edit"]["path"].endswith("demo/bank.yaml") and card["edit"]["line"] == 4


def test_openapi_describes_every_route(client: FlaskClient, app: Flask) -> None:
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {f"/api/v1{path}" for path in spec["paths"]}
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi"
    }
    assert routes == documented


def test_admin_gets_a_link_to_the_questions_editor(
    app: Flask, client: FlaskClient, bank: None, write_bank
) -> None:
    from tests.support import Auth

    make_user(app, "root", admin=True)
    Auth(client).login("root")
    card = client.get("/api/v1/review/next").json
    page = client.get(card["edit"]["url"]).get_data(as_text=True)
    assert card["edit"]["url"] == "/banks/demo/questions/q1/edit"
    assert card["edit"]["line"] == 4
    assert "Written in <code>bank.yaml</code>" in page
    assert '<textarea id="f-prompt" name="prompt"' in page and ">**p1**</textarea>" in page


def test_learners_do_not_see_bank_files(signed_in: FlaskClient, bank: None) -> None:
    assert signed_in.get("/banks/demo/questions/q1/source").status_code == 403
    assert signed_in.get("/banks/demo/questions/q1/edit").status_code == 403
    assert "edit" not in signed_in.get("/api/v1/review/next").json


def test_a_truefalse_card_says_its_answer_in_the_callers_language(
    client: FlaskClient, token: str, runner: FlaskCliRunner, write_bank
) -> None:
    fact = "id: tf\ntitle: TF\nquestions:\n  - {id: f, type: truefalse, prompt: 容器共享内核, correct: true}\n"
    runner.invoke(args=["bank", "import", str(write_bank("tf", {"bank.yaml": fact}))])
    headers = {"Authorization": f"Bearer {token}"}
    chinese = client.get(
        "/api/v1/review/next?bank=tf", headers={**headers, "Accept-Language": "zh-CN"}
    ).json
    assert chinese["answer_html"] == "<p><strong>对</strong></p>"
    assert chinese["check"] == {"correct": True}
    english = client.get(
        "/api/v1/review/next?bank=tf", headers={**headers, "Accept-Language": "en"}
    ).json
    assert english["answer_html"] == "<p><strong>True</strong></p>"

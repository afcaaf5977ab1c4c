"""Choice and true/false cards in the app: options shuffled for each showing and kept on a
reload, in a quiz as the quiz drew them; true and false in the bank's language; a quiz's
multi-answer mistake marked right-and-chosen, right-but-missed and wrong-but-chosen."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from models import Quiz, User, db
from services.accounts import issue_token
from tests.support import csrf_token

BANK = """
id: zh
title: 中文
language: zh-CN
questions:
  - {id: c, type: choice, prompt: 选, choices: [甲, 乙, 丙, 丁, 戊, 己], correct: 0}
  - {id: t, type: truefalse, prompt: 对吗, correct: true}
  - {id: m, type: choice, prompt: 多选, choices: [a, b, c, d], correct: [0, 1]}
"""


@pytest.fixture
def api(app: Flask, client: FlaskClient, learner: int, runner: FlaskCliRunner, write_bank):
    """Calls the API as the learner, over the bank above."""
    assert (
        runner.invoke(args=["bank", "import", str(write_bank("zh", {"bank.yaml": BANK}))]).exit_code
        == 0
    )
    with app.app_context():
        token = issue_token(db.session, db.session.get(User, learner))
        db.session.commit()

    def call(method: str, path: str, body: object = None):
        headers = {"Authorization": f"Bearer {token}"}
        return client.open(f"/api/v1{path}", method=method, json=body, headers=headers).json

    return call


def answer(api, card: dict, rating: int = 1) -> dict:
    body = {"rating": rating, "review_token": card["review_token"], "next": True, "bank": "zh"}
    return api("POST", f"/review/{card['card_id']}", body)["next"]


def test_a_showing_keeps_its_order_on_reload_and_the_next_showing_changes_it(api) -> None:
    card = api("GET", "/review/next?bank=zh")
    assert card["question"] == "c"
    again = api("GET", "/review/next?bank=zh")
    assert (again["choices"], again["check"]) == (card["choices"], card["check"])
    answer(api, card)
    undone = api("POST", "/review/undo")  # the card as it was, so its showing as it was
    assert (undone["card_id"], undone["choices"]) == (card["card_id"], card["choices"])
    orders = {tuple(card["choices"])}
    shown = undone
    for _ in range(4):  # answered Again, it comes back as a learning card
        shown = answer(api, shown)
        while shown["question"] != "c":
            shown = answer(api, shown, rating=4)
        assert sorted(shown["choices"]) == sorted(card["choices"])
        assert shown["choices"][shown["check"]["correct"][0]] == "甲"
        orders.add(tuple(shown["choices"]))
    assert len(orders) > 1


def test_true_and_false_are_in_the_banks_language_in_review(api) -> None:
    shown = api("GET", "/review/next?bank=zh")
    while shown["question"] != "t":
        shown = answer(api, shown, rating=4)
    assert shown["choices"] == ["正确", "错误"]
    assert "正确" in shown["answer_html"] and "True" not in shown["answer_html"]


def test_the_bank_page_words_a_true_false_answer_in_the_banks_language(
    api, signed_in: FlaskClient
) -> None:
    page = signed_in.get("/banks/zh").get_data(as_text=True)
    assert '<p class="verdict">正确</p>' in page and ">True<" not in page


def quiz_of(client: FlaskClient, types: list[str]) -> int:
    data = {"csrf_token": csrf_token(client), "count": "1", "types": types}
    return int(client.post("/quiz/zh", data=data).location.rsplit("/", 1)[1])


def test_a_quiz_shows_options_in_its_drawn_order_and_words_truth_in_the_banks_language(
    app: Flask, signed_in: FlaskClient, api
) -> None:
    quiz_id = quiz_of(signed_in, ["choice"])
    with app.app_context():
        key, _, shuffle = db.session.get(Quiz, quiz_id).items[0]
    page = signed_in.get(f"/quiz/zh/{quiz_id}").get_data(as_text=True)
    # Each button carries its place on screen; the quiz keeps which option stands there.
    assert [int(i) for i in re.findall(r'data-choice="(\d+)"', page)] == list(range(len(shuffle)))
    assert sorted(shuffle) == list(range(6 if key == "c" else 4))
    quiz_id = quiz_of(signed_in, ["truefalse"])
    page = signed_in.get(f"/quiz/zh/{quiz_id}").get_data(as_text=True)
    assert "正确" in page and "错误" in page and ">True<" not in page
    signed_in.post(f"/quiz/zh/{quiz_id}", data={
        "csrf_token": csrf_token(signed_in), "answers": json.dumps({"0": False}), "flags": "[]",
    })  # fmt: skip
    page = signed_in.get(f"/quiz/zh/{quiz_id}/result").get_data(as_text=True)
    assert "<strong>正确</strong>" in page and "True" not in page


def test_a_quiz_marks_what_was_chosen_and_missed_of_a_multi_answer_choice(
    app: Flask, signed_in: FlaskClient, api
) -> None:
    quiz_id = quiz_of(signed_in, ["choice"])
    with app.app_context():
        key, _, shuffle = db.session.get(Quiz, quiz_id).items[0]
    right, chosen = ({0, 1}, [0, 2]) if key == "m" else ({0}, [2])
    places = [shuffle.index(i) for i in chosen]  # the page sends places on screen
    signed_in.post(f"/quiz/zh/{quiz_id}", data={
        "csrf_token": csrf_token(signed_in), "answers": json.dumps({"0": places}), "flags": "[]",
    })  # fmt: skip
    page = signed_in.get(f"/quiz/zh/{quiz_id}/result").get_data(as_text=True)
    marked = page[page.index('<ol class="choices marked"') :]
    marked = marked[: marked.index("</ol>")]
    assert marked.count("is-hit") == len(right & set(chosen))
    assert marked.count("is-missed") == len(right - set(chosen))
    assert marked.count("is-wrong is-chosen") == 1
    assert "Wrong, chosen:" in marked and "Right, missed:" in marked


def test_a_quiz_result_says_how_a_partly_right_answer_scores_and_what_its_marks_mean(
    app: Flask, signed_in: FlaskClient, api
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "count": "2", "types": ["choice"]}
    quiz_id = int(signed_in.post("/quiz/zh", data=data).location.rsplit("/", 1)[1])
    with app.app_context():
        items = db.session.get(Quiz, quiz_id).items
    # The multi-answer one half right (a of a and b), the single-answer one wrong.
    answers = {
        str(place): [shuffle.index(0 if key == "m" else 2)]
        for place, (key, _, shuffle) in enumerate(items)
    }
    signed_in.post(f"/quiz/zh/{quiz_id}", data={
        "csrf_token": csrf_token(signed_in), "answers": json.dumps(answers), "flags": "[]",
    })  # fmt: skip
    page = signed_in.get(f"/quiz/zh/{quiz_id}/result").get_data(as_text=True)
    assert "A question answered partly right scores its share" in page
    assert "✓ right and chosen · ○ right, not chosen · ✗ chosen, not right" in page
    assert ">50%</span>" in page  # the half-right answer's score

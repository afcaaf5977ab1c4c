"""The review page asks the server for cards ahead only when its hand runs low."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Card, Question, Review
from tests.support import browser_sign_in, logged_reviews

BANK = "id: ten\ntitle: Ten\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: 'question {i}', answer: 'answer {i}'}}\n"
    for i in range(20)
)
FRONT = '[data-review][data-phase="front"] [data-card]:not([hidden])'
ANSWERS = 9


@pytest.fixture
def page(app: Flask, runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser):
    runner.invoke(args=["bank", "import", str(write_bank("ten", {"bank.yaml": BANK}))])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(tab, live_server)
    yield tab
    context.close()
    assert errors == []


def answer_good(page) -> str:
    """Answer the card on screen Good; returns its id once the page has moved past it."""
    page.wait_for_selector(FRONT)
    card_id = page.get_attribute("[data-card]", "data-card-id")
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.keyboard.press("3")
    page.wait_for_function(
        """id => document.querySelector('[data-review]').dataset.phase !== 'back'
            && (document.querySelector('[data-card]').hidden
                || document.querySelector('[data-card]').dataset.cardId !== id)""",
        arg=card_id,
    )
    page.wait_for_selector('[data-review][data-queued="0"]')  # sent, its reply read
    return card_id


def test_answers_ask_for_more_cards_only_when_the_hand_runs_low(
    app: Flask, page, live_server: str
) -> None:
    sent: list[tuple[str, str, dict]] = []

    def seen(request) -> None:
        path = urlparse(request.url).path
        if path.startswith("/api/v1/review"):
            body = request.post_data_json if request.method == "POST" else {}
            sent.append((request.method, path, body or {}))

    page.on("request", seen)
    page.goto(f"{live_server}/review/ten")
    shown = [answer_good(page) for _ in range(ANSWERS)]
    page.wait_for_selector(FRONT)
    rows = logged_reviews(
        app,
        ANSWERS,
        select(Review.card_id, Question.key)
        .join(Card, Card.id == Review.card_id)
        .join(Question, Question.id == Card.question_id)
        .order_by(Review.id),
    )
    # Each card answered once, new cards in bank order, none shown twice.
    assert [key for _card, key in rows] == [f"q{i}" for i in range(ANSWERS)]
    assert [str(card) for card, _key in rows] == shown
    answers = [body for method, path, body in sent if method == "POST"]
    loads = [path for method, path, _body in sent if method == "GET"]
    assert len(answers) == ANSWERS and loads == ["/api/v1/review/next"]
    # Three cards in hand after the first shown (the first load waits for them): the first
    # answer leaves two, and asks for five more; then every third answer does.
    asked = [bool(body.get("next")) for body in answers]
    assert asked == [True, False, False] * (ANSWERS // 3), asked
    assert all(body["ahead"] == 5 for body in answers if body.get("next"))

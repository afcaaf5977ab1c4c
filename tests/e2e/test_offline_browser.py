"""Reviewing through a lost connection: cards in hand, answers queued, each logged once."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Review, db
from tests.support import browser_sign_in

BANK = "id: ten\ntitle: Ten\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: 'question {i}', answer: 'answer {i}'}}\n"
    for i in range(10)
)
FRONT = '[data-review][data-phase="front"] [data-card]:not([hidden])'


@pytest.fixture
def context(
    app: Flask, runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser
):
    runner.invoke(args=["bank", "import", str(write_bank("ten", {"bank.yaml": BANK}))])
    context = browser.new_context(viewport={"width": 360, "height": 780})
    yield context
    context.close()


@pytest.fixture
def page(context, live_server: str):
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(tab, live_server)
    yield tab
    assert errors == []


def answer(page, rating: str) -> str:
    """Answer the card on screen; returns its id once the page has moved past it."""
    page.wait_for_selector(FRONT)
    card_id = page.get_attribute("[data-card]", "data-card-id")
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.keyboard.press(rating)
    page.wait_for_function(
        """id => document.querySelector('[data-review]').dataset.phase !== 'back'
            && (document.querySelector('[data-card]').hidden
                || document.querySelector('[data-card]').dataset.cardId !== id)""",
        arg=card_id,
    )
    return card_id


def logged(app: Flask) -> list[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(select(Review.card_id, Review.rating).order_by(Review.id))
        result = [(str(card_id), rating) for card_id, rating in rows]
        db.session.remove()
        return result


def test_answers_made_offline_are_sent_once_when_back_online(
    app: Flask, context, page, live_server: str, artifacts: Path
) -> None:
    page.goto(f"{live_server}/review/ten")
    made = [(answer(page, "3"), 3)]
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert logged(app) == made

    context.set_offline(True)
    ratings = ["3", "1", "4", "3"]  # the card on screen and the three in hand
    for rating in ratings:
        made.append((answer(page, rating), int(rating)))
    status = page.locator("[data-sync]")
    assert status.inner_text() == "Offline, 4 answers waiting"
    assert status.get_attribute("role") == "status"
    page.wait_for_selector("section[data-waiting]:not([hidden])")  # nothing more in hand
    page.screenshot(path=str(artifacts / "offline-waiting-phone.png"))
    stored = page.evaluate("Object.keys(localStorage).map(k => JSON.parse(localStorage[k]).length)")
    assert stored == [4]  # a reload would find them
    assert logged(app) == made[:1]
    assert len({card_id for card_id, _ in made}) == 5  # no card shown twice

    context.set_offline(False)
    page.wait_for_selector(FRONT)
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert status.is_hidden() and page.locator("section[data-waiting]").is_hidden()
    assert logged(app) == made
    assert page.get_attribute("[data-card]", "data-card-id") not in {c for c, _ in made}
    made.append((answer(page, "3"), 3))
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert logged(app) == made
    assert page.evaluate("localStorage.length") == 0


def test_an_answer_whose_reply_is_lost_counts_once_even_after_a_reload(
    app: Flask, page, live_server: str
) -> None:
    lost: list[str] = []

    def lose_the_reply(route) -> None:
        route.fetch()  # the server gets the answer and stores it...
        lost.append(route.request.url)
        route.abort()  # ...but the page never hears back

    page.goto(f"{live_server}/review/ten")
    page.route("**/api/v1/review/*", lose_the_reply)
    made = [(answer(page, "3"), 3)]
    page.wait_for_function("() => document.querySelector('[data-sync]').textContent !== ''")
    assert lost and page.locator("[data-sync]").inner_text().startswith("Offline, 1 answer")

    page.unroute("**/api/v1/review/*")
    page.reload()  # the queue is read back from localStorage and sent first
    page.wait_for_selector(FRONT)
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert logged(app) == made  # sent twice, stored once
    assert page.get_attribute("[data-card]", "data-card-id") != made[0][0]


def test_undo_offline_takes_back_an_answer_not_yet_sent(
    app: Flask, context, page, live_server: str
) -> None:
    page.goto(f"{live_server}/review/ten")
    page.wait_for_selector(FRONT)
    context.set_offline(True)
    first = answer(page, "1")
    assert page.locator("[data-sync]").inner_text() == "Offline, 1 answer waiting"
    page.wait_for_selector(FRONT)  # undo is not taken while the next card loads
    page.keyboard.press("u")
    page.wait_for_selector('[data-review][data-queued="0"]')
    page.wait_for_selector(FRONT)
    assert page.get_attribute("[data-card]", "data-card-id") == first
    assert page.inner_text("[data-status]") == "Undone: the card is back as it was."
    second = answer(page, "3")  # the same card, answered anew
    assert second == first
    context.set_offline(False)
    page.wait_for_selector('[data-review][data-queued="0"]')
    page.wait_for_selector(FRONT)
    assert logged(app) == [(first, 3)]


def queue_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('wengu.answers.'))")


def test_signing_out_sends_the_queued_answers_then_clears_the_queue(
    app: Flask, context, page, live_server: str
) -> None:
    page.goto(f"{live_server}/review/ten")
    page.wait_for_selector(FRONT)
    context.set_offline(True)
    made = [(answer(page, rating), int(rating)) for rating in ("3", "1")]
    assert page.locator("[data-sync]").inner_text() == "Offline, 2 answers waiting"
    page.close()  # the queue stays in this browser's storage, unsent
    context.set_offline(False)

    other = context.new_page()  # a page without the review loop
    other.goto(f"{live_server}/settings")
    assert len(queue_keys(other)) == 1 and logged(app) == []
    other.click("form.settings-form[data-sign-out] button[type=submit]")
    other.wait_for_url(f"{live_server}/login")
    assert queue_keys(other) == []
    assert logged(app) == made


def test_signing_out_clears_the_queue_even_when_it_cannot_be_sent(
    app: Flask, page, live_server: str
) -> None:
    page.goto(f"{live_server}/review/ten")
    page.wait_for_selector(FRONT)
    page.route("**/api/v1/review/*", lambda route: route.abort())  # the API is unreachable
    answer(page, "3")
    page.wait_for_function("() => document.querySelector('[data-sync]').textContent !== ''")
    assert len(queue_keys(page)) == 1
    page.click("form.sign-out button[type=submit]")  # the header's, on a phone too
    page.wait_for_url(f"{live_server}/login")
    assert queue_keys(page) == []
    assert logged(app) == []

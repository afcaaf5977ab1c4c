"""The review page asks the server for cards ahead only when its hand runs low."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Card, Question, Review, db
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


def shown_card(page, other_than: str) -> str:
    """The card on screen once it is another than ``other_than``."""
    page.wait_for_function(
        """id => document.querySelector('[data-review]').dataset.phase === 'front'
            && document.querySelector('[data-card]').dataset.cardId !== id""",
        arg=other_than,
    )
    return page.get_attribute("[data-card]", "data-card-id")


def on_screen(page) -> str:
    page.wait_for_selector(FRONT)
    return page.get_attribute("[data-card]", "data-card-id")


def grade_good(page) -> None:
    """Show the card's answer and grade it Good, without waiting for the answer to land."""
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.keyboard.press("3")


def status(page) -> str:
    return page.inner_text("[data-status]")


class Held:
    """A slow connection: the requests ``wanted`` picks, up to ``most``, held back (with the
    server's reply when ``answered``: the server has done it, the page not heard) until
    the test lets each go; every other request goes on."""

    def __init__(self, wanted, most: int = 1, answered: bool = False) -> None:
        self.wanted, self.most, self.answered = wanted, most, answered
        self.routes: list = []
        self.replies: list = []

    def __call__(self, route) -> None:
        if not self.wanted(route.request) or len(self.routes) >= self.most:
            route.continue_()
            return
        self.replies.append(route.fetch() if self.answered else None)
        self.routes.append(route)

    def wait(self, page, count: int = 1) -> None:
        while len(self.routes) < count:
            page.wait_for_timeout(20)

    def release(self, at: int = 0) -> None:
        """Let the request ``at`` go on: its held reply reaches the page, or it is sent."""
        route, reply = self.routes[at], self.replies[at]
        if reply is None:
            route.continue_()
        else:
            route.fulfill(response=reply)


def posted(request) -> bool:
    return request.method == "POST"


def answers_then_seen(page, first: str, count: int = 4) -> list[str]:
    """``first`` on screen and the ``count`` cards after it, each answered Good."""
    seen = [first]
    for _ in range(count):
        grade_good(page)
        seen.append(shown_card(page, seen[-1]))
    return seen


@pytest.mark.parametrize("action", ["bury", "suspend"])
def test_a_card_put_aside_while_an_answer_was_on_its_way_is_not_shown_again(
    page, live_server: str, action: str
) -> None:
    """The answer before it is still on its way when the card on screen is buried: the
    cards that answer brings back were picked before the bury, the buried one among them,
    and the page leaves it out."""
    held = Held(posted, answered=True)
    page.goto(f"{live_server}/review/ten")
    first = on_screen(page)
    page.route("**/api/v1/review/**", held)
    grade_good(page)
    put_aside = shown_card(page, first)
    held.wait(page)
    page.click(f'[data-action="{action}"]')
    following = shown_card(page, put_aside)
    assert put_aside in held.replies[0].text()  # the reply names the card put aside since
    held.release()
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert put_aside not in answers_then_seen(page, following)


def test_cards_that_land_while_a_bury_is_undone_leave_the_screen_to_the_undo(
    page, live_server: str
) -> None:
    """The answer before a bury brings cards back while the bury's Undo is on its way: the
    card buried comes back on screen once, and the card shown in its place comes after it."""
    answer = Held(posted, answered=True)
    undo = Held(lambda request: request.url.endswith("/unbury"))
    page.goto(f"{live_server}/review/ten")
    first = on_screen(page)
    page.route("**/api/v1/review/**", answer)
    page.route("**/api/v1/cards/**", undo)
    grade_good(page)
    buried = shown_card(page, first)
    page.click('[data-action="bury"]')
    following = shown_card(page, buried)
    page.click('[data-action="undo"]')
    undo.wait(page)
    answer.release()
    page.wait_for_selector('[data-review][data-queued="0"]')
    undo.release()
    assert shown_card(page, following) == buried
    seen = answers_then_seen(page, buried)
    assert seen[1] == following and len(set(seen)) == len(seen), seen


def test_an_undo_tapped_while_a_bury_is_on_its_way_takes_it_back_once_it_lands(
    app: Flask, page, live_server: str
) -> None:
    held = Held(lambda request: request.url.endswith("/bury"))
    page.goto(f"{live_server}/review/ten")
    buried = on_screen(page)
    page.route("**/api/v1/cards/**", held)
    page.click('[data-action="bury"]')
    held.wait(page)
    page.click('[data-action="undo"]')  # the bury not confirmed yet
    held.release()
    page.wait_for_function(
        "() => document.querySelector('[data-status]').textContent.startsWith('Unburied')"
    )
    assert on_screen(page) == buried
    with app.app_context():
        assert db.session.get_one(Card, int(buried)).buried_until is None
        db.session.remove()


def test_a_second_undo_while_the_first_is_on_its_way_is_refused_not_kept(
    app: Flask, page, live_server: str
) -> None:
    """Two taps on Undo while the answer before is still on its way take back that answer
    only: the second says to wait, and is not run later on an earlier answer."""
    page.goto(f"{live_server}/review/ten")
    first = answer_good(page)
    held = Held(posted)
    page.route("**/api/v1/review/**", held)
    second = on_screen(page)
    grade_good(page)
    held.wait(page)
    page.keyboard.press("u")  # waits for the answer on its way, then takes it back
    page.keyboard.press("u")
    assert status(page) == "One Undo at a time: the last is still on its way."
    held.release()
    page.wait_for_function(
        "() => document.querySelector('[data-status]').textContent.startsWith('Undone')"
    )
    assert on_screen(page) == second
    page.wait_for_timeout(500)  # a second Undo kept would have gone by now
    with app.app_context():
        assert [str(r) for r in db.session.scalars(select(Review.card_id))] == [first]
        db.session.remove()


def test_a_reload_while_answers_are_on_their_way_shows_the_cards_in_hand(
    app: Flask, page, live_server: str
) -> None:
    """A slow connection: the page reloaded with an answer not yet confirmed shows the next
    card kept in hand and the counts at once, not an empty page until the answer lands."""
    page.goto(f"{live_server}/review/ten")
    answered = on_screen(page)
    held = Held(posted, most=2)
    page.route("**/api/v1/review/**", held)
    grade_good(page)
    following = shown_card(page, answered)
    page.reload()
    assert on_screen(page) == following
    assert page.inner_text('[data-count="new"]') != "–"
    held.wait(page, 2)  # the first send, cut by the reload, and this page's
    held.release(1)
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert on_screen(page) == following
    with app.app_context():
        assert [str(r) for r in db.session.scalars(select(Review.card_id))] == [answered]
        db.session.remove()

"""Reviewing through a lost connection: cards in hand, answers queued, each logged once."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from werkzeug.wsgi import get_current_url

from config import VERSION
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


KEPT = """async url => {
  for (const name of await caches.keys()) if (await (await caches.open(name)).match(url)) return name;
  return null;
}"""


def kept_by_the_worker(page, url: str) -> str:
    """The name of the service worker's cache that holds ``url``, once it does."""
    for _ in range(100):
        if name := page.evaluate(KEPT, url):
            return name
        page.wait_for_timeout(100)
    raise AssertionError(f"{url} was never kept by the service worker")


def open_review(page, base: str) -> None:
    """The review page, once its service worker controls it and has kept it: only then
    does going offline cut the worker off too (Chromium emulates it per target)."""
    page.goto(f"{base}/review/ten")
    page.wait_for_selector(FRONT)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    kept_by_the_worker(page, f"{base}/review/ten")


class Connection:
    """The browser's connection, lost and found. Offline emulation leaves out a service
    worker's own requests, and a page being left (a reload, another page) hears "online"
    as Chromium ends the emulation for it, then sends what it queued unseen by
    context.route. So every request is also failed as a lost connection fails it: by the
    browser where Playwright sees it, by the server (the socket closed unanswered) where
    it does not; ``cut`` lists them."""

    def __init__(self, context, app: Flask) -> None:
        self.context = context
        self.cut: list[str] = []
        self.lost = False
        served = app.wsgi_app

        def gate(environ: dict, start_response):
            if not self.lost:
                return served(environ, start_response)
            self.cut.append(get_current_url(environ))
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            start_response("503 Service Unavailable", [])  # never reaches the browser
            return []

        app.wsgi_app = gate

    def _unreachable(self, route) -> None:
        self.cut.append(route.request.url)
        route.abort("internetdisconnected")

    def lose(self) -> None:
        self.lost = True
        self.context.route("**/*", self._unreachable)
        self.context.set_offline(True)

    def restore(self) -> None:
        self.lost = False
        self.context.unroute("**/*", self._unreachable)
        self.context.set_offline(False)


def logged(app: Flask) -> list[tuple[str, int]]:
    with app.app_context():
        rows = db.session.execute(select(Review.card_id, Review.rating).order_by(Review.id))
        result = [(str(card_id), rating) for card_id, rating in rows]
        db.session.remove()
        return result


def test_answers_made_offline_are_sent_once_when_back_online(
    app: Flask, context, page, live_server: str, artifacts: Path
) -> None:
    open_review(page, live_server)
    made = [(answer(page, "3"), 3)]
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert logged(app) == made

    connection = Connection(context, app)
    connection.lose()
    # The card on screen and the five in hand: the page's first request brought three ahead,
    # and the first answer, leaving two, brought five more.
    ratings = ["3", "1", "4", "3", "2", "3"]
    for rating in ratings:
        made.append((answer(page, rating), int(rating)))
    status = page.locator("[data-sync]")
    assert status.inner_text() == "Offline, 6 answers waiting"
    assert status.get_attribute("role") == "status"
    page.wait_for_selector("section[data-waiting]:not([hidden])")  # nothing more in hand
    # The counts above still say cards are due: the screen says why none is shown.
    assert "the next cards come with it" in page.inner_text("section[data-waiting]")
    page.screenshot(path=str(artifacts / "offline-waiting-phone.png"))
    stored = page.evaluate("Object.keys(localStorage).map(k => JSON.parse(localStorage[k]).length)")
    assert stored == [6]  # a reload would find them
    assert logged(app) == made[:1]
    assert len({card_id for card_id, _ in made}) == 7  # no card shown twice

    connection.restore()
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
    open_review(page, live_server)
    connection = Connection(context, app)
    connection.lose()
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
    connection.restore()
    page.wait_for_selector('[data-review][data-queued="0"]')
    page.wait_for_selector(FRONT)
    assert logged(app) == [(first, 3)]


# An answer's POST fails as a lost connection fails it, but only after 1.5 s on its way.
SLOW_LOSS = """
(() => {
  const fetch = window.fetch.bind(window);
  window.fetch = async (url, options) => {
    if (options && options.method === "POST" && /\\/api\\/v1\\/review\\/\\d+$/.test(String(url))) {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      throw new TypeError("Failed to fetch");
    }
    return fetch(url, options);
  };
})();
"""


def test_undo_while_a_failing_send_is_on_its_way_takes_back_the_answer(
    app: Flask, context, page, live_server: str
) -> None:
    """U pressed while the answer's send is still on its way, a send that then fails: the
    answer was never sent, so it is taken back here, not refused for want of a connection."""
    context.add_init_script(SLOW_LOSS)
    open_review(page, live_server)
    first = answer(page, "1")
    page.wait_for_selector(FRONT)
    page.keyboard.press("u")  # the send is still on its way
    page.wait_for_selector('[data-review][data-queued="0"]')
    page.wait_for_selector(FRONT)
    assert page.get_attribute("[data-card]", "data-card-id") == first
    assert page.inner_text("[data-status]") == "Undone: the card is back as it was."
    assert logged(app) == []


def queue_keys(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('wengu.answers.'))")


def test_signing_out_sends_the_queued_answers_then_clears_the_queue(
    app: Flask, context, page, live_server: str
) -> None:
    open_review(page, live_server)
    connection = Connection(context, app)
    connection.lose()
    made = [(answer(page, rating), int(rating)) for rating in ("3", "1", "4")]
    assert page.locator("[data-sync]").inner_text() == "Offline, 3 answers waiting"
    # The queue stays in this browser's storage. Left for a blank page first, as closing
    # alone may leave the page a moment longer (its service worker shares its process), to
    # send an answer as the connection comes back; being left, it hears "online" and sends
    # one, which the connection, still lost, cuts at the server once it arrives. Should it
    # arrive only after the connection is back, it is stored, and signing out sends it again
    # with the rest (counted once: its review token is the same).
    tried = len(connection.cut)
    page.goto("about:blank")
    page.close()
    for _ in range(30):
        if any("/api/v1/review/" in url for url in connection.cut[tried:]):
            break
        time.sleep(0.1)
    connection.restore()

    other = context.new_page()  # a page without the review loop
    other.goto(f"{live_server}/settings")
    assert len(queue_keys(other)) == 1
    waiting = other.evaluate(f"JSON.parse(localStorage['{queue_keys(other)[0]}']).length")
    sent = logged(app)
    assert waiting >= len(made) - 1 and len(sent) <= 1 and sent == made[: len(sent)]
    other.click("form.settings-form[data-sign-out] button[type=submit]")
    other.wait_for_url(f"{live_server}/login")
    assert queue_keys(other) == []
    assert logged(app) == made


def test_signing_out_clears_the_queue_even_when_it_cannot_be_sent(
    app: Flask, page, live_server: str
) -> None:
    open_review(page, live_server)
    page.route("**/api/v1/review/*", lambda route: route.abort())  # the API is unreachable
    answer(page, "3")
    page.wait_for_function("() => document.querySelector('[data-sync]').textContent !== ''")
    assert len(queue_keys(page)) == 1
    page.click("form.sign-out button[type=submit]")  # the header's, on a phone too
    page.wait_for_url(f"{live_server}/login")
    assert queue_keys(page) == []
    assert logged(app) == []


@pytest.mark.parametrize("size", [(360, 740), (1280, 900)], ids=["phone", "desktop"])
def test_a_reload_offline_shows_the_card_in_hand_and_the_queued_answers(
    app: Flask, context, page, live_server: str, artifacts: Path, size: tuple[int, int]
) -> None:
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_review(page, live_server)
    assert kept_by_the_worker(page, f"{live_server}/review/ten") == "wengu-" + VERSION
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(u => u.includes('/static/'))"
    )
    assert any(url.endswith("/static/js/review/schedule.js") for url in loaded)
    for url in loaded:  # every script, style and icon the page loaded
        kept_by_the_worker(page, url)

    connection = Connection(context, app)
    connection.lose()
    first = answer(page, "3")
    page.wait_for_selector(FRONT)
    in_hand = page.get_attribute("[data-card]", "data-card-id")
    page.reload()  # no connection: the page, its scripts and styles from the worker's cache
    page.wait_for_selector(FRONT)
    # Tried, failed, and served from the worker's cache.
    assert f"{live_server}/review/ten" in connection.cut
    assert page.get_attribute("[data-card]", "data-card-id") == in_hand
    assert page.locator("[data-sync]").inner_text() == "Offline, 1 answer waiting"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.screenshot(path=str(artifacts / f"offline-reload-{size[0]}.png"))
    second = answer(page, "1")  # answered offline after the reload, from the hand

    connection.restore()
    page.wait_for_selector('[data-review][data-queued="0"]')
    page.wait_for_selector(FRONT)
    assert logged(app) == [(first, 3), (second, 1)]


def test_undo_after_a_reload_offline_takes_back_the_answers_not_yet_sent(
    app: Flask, context, page, live_server: str
) -> None:
    """The card each queued answer was given on is kept with it: Undo after a reload
    without a connection shows it again, as before the reload, one answer after another."""
    open_review(page, live_server)
    loaded = page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name).filter(u => u.includes('/static/'))"
    )
    for url in loaded:  # kept by the worker for the reload offline
        kept_by_the_worker(page, url)
    connection = Connection(context, app)
    connection.lose()
    first = answer(page, "3")
    second = answer(page, "1")
    page.reload()
    page.wait_for_selector(FRONT)
    for undone, left in [(second, "1"), (first, "0")]:
        page.keyboard.press("u")
        page.wait_for_function(
            "id => document.querySelector('[data-card]').dataset.cardId === id", arg=undone
        )
        assert page.get_attribute("[data-review]", "data-queued") == left
        assert page.inner_text("[data-status]") == "Undone: the card is back as it was."
    third = answer(page, "4")
    assert third == first  # the same card, answered anew
    connection.restore()
    page.wait_for_selector('[data-review][data-queued="0"]')
    assert logged(app) == [(first, 4)]


def test_signing_out_deletes_what_the_worker_kept(page, live_server: str) -> None:
    open_review(page, live_server)
    page.set_viewport_size({"width": 1280, "height": 800})  # the header's sign-out shows
    page.click("form.sign-out button[type=submit]")
    page.wait_for_url(f"{live_server}/login")
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    assert page.evaluate("sessionStorage.length") == 0


def test_the_worker_is_served_from_the_root_with_the_version(page, live_server: str) -> None:
    response = page.request.get(f"{live_server}/sw.js")
    assert response.ok and response.headers["content-type"].startswith("text/javascript")
    assert f'const VERSION = "{VERSION}";' in response.text()
    assert response.headers["cache-control"] == "no-cache"
    policy = page.request.get(f"{live_server}/login").headers["content-security-policy"]
    assert "worker-src 'self'" in policy

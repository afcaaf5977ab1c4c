"""A learner reviews cards of every type in real Chromium, by keyboard alone."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Card, Question, Review, User, db
from tests.support import browser_sign_in, logged_reviews

BANK = """
id: tour
title: 每种题型
language: zh-CN
questions:
  - {id: basic, type: basic, prompt: 容器比它的镜像多了哪一层？, answer: 可写层, explanation: "镜像的层只读，容器在其上多一层可写层。"}
  - {id: reverse, type: reverse, prompt: CNM, answer: 容器网络模型}
  - {id: cloze, type: cloze, text: "{{c1::docker0}} 是默认的 {{c2::网桥}}"}
  - {id: single, type: choice, prompt: 默认存储驱动？, choices: [aufs, overlay2, devicemapper], correct: 1}
  - {id: multi, type: choice, prompt: 哪些属于 engine？, choices: [shim, nginx, containerd], correct: [0, 2]}
  - {id: fact, type: truefalse, prompt: "dockerd 默认监听 TCP 2375。", correct: false}
  - {id: steps, type: order, prompt: 请求经过的顺序, items: [client, dockerd, containerd, shim]}
  - {id: typed, type: typing, prompt: 容器运行时叫什么？, answer: runc}
"""


@pytest.fixture
def page(app: Flask, runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser):
    runner.invoke(args=["bank", "import", str(write_bank("tour", {"bank.yaml": BANK}))])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(tab, live_server)
    yield tab
    context.close()
    assert errors == []


def wait_front(page, previous: str | None = None) -> str:
    """Wait for the next card's front; returns its card id."""
    page.wait_for_selector('[data-review][data-phase="front"] [data-card]:not([hidden])')
    if previous is not None:
        page.wait_for_function(
            "id => document.querySelector('[data-card]').dataset.cardId !== id", arg=previous
        )
        page.wait_for_selector('[data-review][data-phase="front"]')
    return page.get_attribute("[data-card]", "data-card-id")


def wait_back(page) -> None:
    page.wait_for_selector('[data-review][data-phase="back"]')


def answer_good(page, card_id: str) -> str:
    """Show the card on screen, grade it Good, and wait for the next; returns its card id."""
    page.keyboard.press("Space")
    wait_back(page)
    page.keyboard.press("3")
    return wait_front(page, card_id)


def key_of(page, label: str) -> str:
    """The number key of the option labelled ``label``: its place on screen."""
    labels = page.eval_on_selector_all(
        "[data-response] .option-text", "nodes => nodes.map(n => n.textContent)"
    )
    return str(labels.index(label) + 1)


def card_type(page) -> str:
    return page.get_attribute("[data-card]", "data-type")


def test_review_every_type_by_keyboard_then_undo(
    app: Flask, page, live_server: str, artifacts: Path, axe
) -> None:
    page.goto(f"{live_server}/review/tour")
    shown: list[str] = []
    card_id = wait_front(page)

    def answer_with(*keys: str) -> None:
        for key in keys:
            page.keyboard.press(key)

    # basic: reveal with Space, grade Good.
    assert card_type(page) == "basic"
    page.screenshot(path=str(artifacts / "review-front.png"))
    answer_with("Space")
    wait_back(page)
    assert "多一层可写层" in page.inner_text("[data-explanation]")
    page.screenshot(path=str(artifacts / "review-back.png"))
    answer_with("3")
    shown.append("basic")

    # reverse (its other card is buried for today): Enter reveals, Easy.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "reverse"
    answer_with("Enter")
    wait_back(page)
    answer_with("4")

    # cloze c1: the blank fills in where it stands; Again.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "cloze"
    assert "[...]" in page.inner_text("[data-prompt]")
    answer_with("Space")
    wait_back(page)
    assert "docker0" in page.inner_text("[data-prompt]")
    answer_with("1")

    # one-answer choice: the options are shuffled and the keys follow the screen; the number
    # checks at once; Space takes the suggested Good.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "choice"
    answer_with(key_of(page, "overlay2"))
    wait_back(page)
    assert page.inner_text("[data-verdict]").startswith("✓ Right")
    assert page.get_attribute(".grade-good", "class").endswith("suggested")
    # Right and wrong are marked, not only coloured, and said to a screen reader.
    assert page.text_content(".option.is-right .option-mark") == "✓"
    assert page.text_content(".option.is-right .visually-hidden") == "right answer, chosen"
    assert axe(page) == []
    answer_with("Space")

    # several-answer choice: toggle two, Enter checks, then Good.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "choice"
    assert page.inner_text("[data-show-key]") == "Space"
    assert page.locator("[data-response] .hint:visible").count() == 1
    answer_with(key_of(page, "shim"), key_of(page, "containerd"), "Enter")
    wait_back(page)
    assert page.inner_text("[data-verdict]").startswith("✓ Right")
    assert page.locator("[data-response] .hint:visible").count() == 0  # "then press Enter" is done
    answer_with("3")

    # true/false: F answers, a wrong answer would suggest Again; this one is right.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "truefalse"
    answer_with("f")
    wait_back(page)
    assert page.inner_text("[data-verdict]").startswith("✓ Right")
    answer_with("Enter")

    # order: pick the shuffled items in their right order by number; nothing is checked
    # until Enter, and Backspace takes the last pick back.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "order"
    labels = page.eval_on_selector_all(
        ".options .option-text", "nodes => nodes.map(n => n.textContent)"
    )
    # The order not begun says where its picks will go; a pick takes the words' place.
    empty = "getComputedStyle(document.querySelector('.picked'), '::before').content"
    assert page.evaluate(empty) == '"Your picks appear here, in order"'
    answer_with(str(labels.index("dockerd") + 1))
    assert page.inner_text(".order-heading") == "Your order 1/4"  # Check waits for all
    answer_with("Backspace")
    assert page.inner_text(".order-heading") == "Your order"
    for item in ["client", "dockerd", "containerd", "shim"]:
        answer_with(str(labels.index(item) + 1))
    assert page.evaluate(empty) == "none"
    # Each pick shows it taps back out until the order is checked.
    cross = "getComputedStyle(document.querySelector('.picked-item'), '::after').content"
    assert page.evaluate(cross).startswith('"×"')
    assert page.get_attribute("[data-review]", "data-phase") == "front"
    answer_with("Enter")
    wait_back(page)
    assert page.inner_text("[data-verdict]").startswith("✓ Right")
    assert page.locator(".picked-item.is-placed").count() == 4  # each pick marked in place
    assert page.evaluate(cross) == "none"
    assert page.text_content(".picked-item .visually-hidden") == "in the right place"
    answer_with("3")

    # typing: full-width letters from a Chinese input method count as right; in a text box
    # Space types a space, so the Check button's key is Enter.
    card_id = wait_front(page, card_id)
    assert card_type(page) == "typing"
    assert page.inner_text("[data-show-key]") == "Enter"
    page.keyboard.type("ｒｕｎｃ")
    answer_with("Enter")
    wait_back(page)
    assert page.inner_text("[data-verdict]").startswith("✓ Right")
    answer_with("3")
    typed_card = card_id

    # undo brings the typing card back as it was; answer it again with Hard.
    card_id = wait_front(page, card_id)
    answer_with("u")
    page.wait_for_function(
        "id => document.querySelector('[data-card]').dataset.cardId === id", arg=typed_card
    )
    wait_front(page)
    assert card_type(page) == "typing"
    page.keyboard.type("runc")
    answer_with("Enter")
    wait_back(page)
    answer_with("2")
    wait_front(page, typed_card)

    rows = logged_reviews(
        app,
        8,
        select(Question.key, Card.ordinal, Review.rating, Review.correct)
        .join(Card, Card.id == Review.card_id)
        .join(Question, Question.id == Card.question_id)
        .order_by(Review.id),
    )
    with app.app_context():
        typed = db.session.scalar(select(Card).join(Question).where(Question.key == "typed"))
    assert [tuple(row) for row in rows] == [
        ("basic", 0, 3, None),
        ("reverse", 0, 4, None),
        ("cloze", 1, 1, None),
        ("single", 0, 3, True),
        ("multi", 0, 3, True),
        ("fact", 0, 3, True),
        ("steps", 0, 3, True),
        ("typed", 0, 2, True),
    ]
    assert typed.reps == 1 and typed.state == 1


def test_shortcut_overlay_and_phone_layout(page, live_server: str, artifacts: Path) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/review/tour")
    wait_front(page)
    page.keyboard.press("?")
    page.wait_for_selector("[data-help]:not([hidden])")
    assert "Undo the last answer" in page.inner_text("[data-help]")
    page.screenshot(path=str(artifacts / "shortcuts-phone.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-help]", state="hidden")
    page.screenshot(path=str(artifacts / "review-front-phone.png"))
    bar = page.locator(".action-bar").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(844, abs=1)  # grade bar fixed at the bottom
    page.keyboard.press("Space")
    wait_back(page)
    page.screenshot(path=str(artifacts / "review-back-phone.png"))
    grades = page.locator(".grade").all()
    assert all(g.bounding_box()["height"] >= 44 for g in grades)  # big enough to tap
    assert page.locator(".action-bar").bounding_box() == bar  # no shift when the answer shows


def test_bury_by_key_and_suspend_by_button(app: Flask, page, live_server: str) -> None:
    page.goto(f"{live_server}/review/tour")
    buried = wait_front(page)
    page.keyboard.press("b")
    suspended = wait_front(page, buried)
    assert page.inner_text("[data-status]") == "Buried until tomorrow: Undo brings it back."
    page.click('[data-action="suspend"]')
    wait_front(page, suspended)
    assert page.inner_text("[data-status]") == "Suspended: Undo brings it back."
    with app.app_context():
        cards = {str(card.id): card for card in db.session.scalars(select(Card))}
        assert cards[buried].buried_until is not None and not cards[buried].suspended
        assert cards[suspended].suspended
        assert db.session.scalar(select(Review)) is None  # neither counts as an answer
    page.keyboard.press("Space")
    wait_back(page)
    assert page.inner_text("[data-status]").startswith("Suspended")  # still there (4 s)
    page.keyboard.press("3")  # the notice was about the card before: answering this one clears it
    assert page.inner_text("[data-status]") == ""


@pytest.mark.parametrize("action", ["suspend", "bury"])
def test_undo_takes_back_a_suspend_or_bury_not_the_answer_before(
    app: Flask, page, live_server: str, action: str
) -> None:
    page.goto(f"{live_server}/review/tour")
    answered = wait_front(page)
    put_aside = answer_good(page, answered)
    page.click(f'[data-action="{action}"]')
    following = wait_front(page, put_aside)
    page.click('[data-action="undo"]')
    page.wait_for_function(
        "id => document.querySelector('[data-card]').dataset.cardId === id", arg=put_aside
    )
    wait_front(page)
    done = {"suspend": "Unsuspended: the card is back.", "bury": "Unburied: the card is back."}
    assert page.inner_text("[data-status]") == done[action]
    with app.app_context():
        card = db.session.get_one(Card, int(put_aside))
        assert not card.suspended and card.buried_until is None
        assert [str(r.card_id) for r in db.session.scalars(select(Review))] == [answered]
        db.session.remove()
    # The card it had moved on to is still to come; the next Undo takes back the answer.
    assert answer_good(page, put_aside) == following
    page.keyboard.press("u")
    page.wait_for_function(
        "id => document.querySelector('[data-card]').dataset.cardId === id", arg=put_aside
    )
    assert page.inner_text("[data-status]") == "Undone: the card is back as it was."


def shown(page, card_id: str) -> None:
    page.wait_for_function(
        "id => document.querySelector('[data-review]').dataset.phase === 'front'"
        " && document.querySelector('[data-card]').dataset.cardId === id",
        arg=card_id,
    )


def test_undo_takes_back_each_card_put_aside_in_turn_even_after_a_reload(
    app: Flask, page, live_server: str
) -> None:
    """Answer, suspend, answer, bury: Undo takes back the bury, the answer, the suspend,
    then the first answer, in turn, the history kept through a reload."""
    page.goto(f"{live_server}/review/tour")
    first = wait_front(page)
    suspended = answer_good(page, first)
    page.click('[data-action="suspend"]')
    answered = wait_front(page, suspended)
    page.keyboard.press("Space")  # the cloze: graded by the learner
    wait_back(page)
    page.keyboard.press("3")
    buried = wait_front(page, answered)
    page.click('[data-action="bury"]')
    wait_front(page, buried)
    page.wait_for_selector('[data-review][data-queued="0"]')
    page.reload()
    wait_front(page)
    page.keyboard.press("u")
    shown(page, buried)
    assert page.inner_text("[data-status]") == "Unburied: the card is back."
    page.keyboard.press("u")
    shown(page, answered)
    assert page.inner_text("[data-status]") == "Undone: the card is back as it was."
    page.keyboard.press("u")
    shown(page, suspended)
    assert page.inner_text("[data-status]") == "Unsuspended: the card is back."
    with app.app_context():
        cards = {str(card.id): card for card in db.session.scalars(select(Card))}
        assert not cards[suspended].suspended and cards[buried].buried_until is None
        assert [str(r.card_id) for r in db.session.scalars(select(Review))] == [first]
        db.session.remove()
    page.keyboard.press("u")  # nothing put aside is left: the answer before
    shown(page, first)
    with app.app_context():
        assert db.session.scalar(select(Review)) is None
        db.session.remove()


def test_the_finished_screen_offers_no_card_actions(
    app: Flask, learner: int, page, live_server: str
) -> None:
    with app.app_context():  # an admin, whose cards carry a link to edit them
        db.session.get_one(User, learner).is_admin = True
        db.session.commit()
    page.goto(f"{live_server}/review/tour")
    shown = wait_front(page)
    assert page.is_visible("[data-edit]")
    while True:
        page.click('[data-action="suspend"]')  # not S: a typing card's field takes keys
        page.wait_for_function(
            """id => document.querySelector('[data-review]').dataset.phase === 'done'
                || document.querySelector('[data-card]').dataset.cardId !== id""",
            arg=shown,
        )
        if page.get_attribute("[data-review]", "data-phase") == "done":
            break
        shown = wait_front(page, shown)
    assert page.is_hidden('[data-action="bury"]') and page.is_hidden('[data-action="suspend"]')
    assert page.is_hidden("[data-edit]")  # the last card's edit page is not this screen's
    assert page.is_visible('[data-action="undo"]')


def test_a_double_tap_on_a_grade_does_not_show_the_next_answer(
    app: Flask, runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser
) -> None:
    """The second tap lands where the next card's Show answer is: it is not taken as one."""
    runner.invoke(args=["bank", "import", str(write_bank("tour", {"bank.yaml": BANK}))])
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/review/tour")
    first = wait_front(page)
    page.locator('[data-action="show"]').tap()
    wait_back(page)
    good = page.locator('[data-rating="3"]').bounding_box()
    x, y = good["x"] + good["width"] / 2, good["y"] + good["height"] / 2
    page.touchscreen.tap(x, y)
    page.touchscreen.tap(x, y)  # the thumb again, at once
    second = wait_front(page, first)
    page.wait_for_timeout(500)
    assert page.get_attribute("[data-review]", "data-phase") == "front"
    show = page.locator('[data-action="show"]').bounding_box()
    assert (
        show["x"] <= x <= show["x"] + show["width"] and show["y"] <= y <= show["y"] + show["height"]
    )
    page.touchscreen.tap(x, y)  # a tap of its own, later: the answer shows
    wait_back(page)
    assert page.get_attribute("[data-card]", "data-card-id") == second
    for _ in range(3):  # a triple tap: the third lands on the next card's bar too
        page.touchscreen.tap(x, y)
    wait_front(page, second)
    page.wait_for_timeout(500)
    assert page.get_attribute("[data-review]", "data-phase") == "front"
    page.wait_for_selector('[data-review][data-queued="0"]')
    with app.app_context():
        assert [str(r.card_id) for r in db.session.scalars(select(Review))] == [first, second]
        db.session.remove()
    context.close()


# From the bottom of a notice's text to the top of the card below it, in px.
NOTICE_GAP = """() => {
  const text = document.createRange();
  text.selectNodeContents(document.querySelector('[data-status]'));
  return document.querySelector('[data-card]').getBoundingClientRect().top
    - text.getBoundingClientRect().bottom;
}"""


def test_a_notice_stands_apart_from_the_card_on_a_phone(
    page, live_server: str, artifacts: Path
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server}/review/tour")
    buried = wait_front(page)
    page.keyboard.press("b")
    answered = wait_front(page, buried)
    assert page.inner_text("[data-status]") == "Buried until tomorrow: Undo brings it back."
    assert page.evaluate(NOTICE_GAP) >= 8  # not flush against the card's border
    page.screenshot(path=str(artifacts / "buried-phone.png"))
    answer_good(page, answered)
    page.keyboard.press("u")
    page.wait_for_function(
        "id => document.querySelector('[data-card]').dataset.cardId === id", arg=answered
    )
    assert page.inner_text("[data-status]") == "Undone: the card is back as it was."
    assert page.evaluate(NOTICE_GAP) >= 8
    page.screenshot(path=str(artifacts / "undone-phone.png"))


def test_a_second_bury_while_the_first_is_on_its_way_does_nothing(
    app: Flask, page, live_server: str
) -> None:
    held = []
    page.route("**/bury", lambda route: held.append(route))  # the first bury waits
    page.goto(f"{live_server}/review/tour")
    buried = wait_front(page)
    page.keyboard.press("b")
    page.wait_for_selector('[data-review][data-phase="sending"]')
    page.keyboard.press("b")
    page.click('[data-action="bury"]')
    page.wait_for_timeout(200)
    assert len(held) == 1
    held[0].continue_()
    following = wait_front(page, buried)
    page.unroute("**/bury")
    with app.app_context():
        cards = {str(card.id): card for card in db.session.scalars(select(Card))}
        assert cards[buried].buried_until is not None
        assert cards[following].buried_until is None  # shown, not skipped or buried


def test_practice_counts_answers_when_asked(
    app: Flask, runner: FlaskCliRunner, write_bank, page, live_server: str
) -> None:
    bank = "id: tagged\ntitle: Tagged\nquestions:\n" + "".join(
        f"  - {{id: q{i}, type: basic, prompt: 'p{i}', answer: 'a{i}', tags: [net]}}\n"
        for i in range(3)
    )
    runner.invoke(args=["bank", "import", str(write_bank("tagged", {"bank.yaml": bank}))])
    page.goto(f"{live_server}/review/tagged?tag=net")
    first = wait_front(page)
    page.keyboard.press("Space")
    wait_back(page)
    # The schedule stays as it is: the grades show no intervals that would not apply.
    assert not page.locator('[data-ivl="good"]').is_visible()
    page.keyboard.press("3")  # not counted: the box is not ticked
    second = wait_front(page, first)
    page.check("[data-reschedule]")
    page.focus("[data-card]")
    page.keyboard.press("Space")
    wait_back(page)
    assert page.locator('[data-ivl="good"]').is_visible()  # counted now: the intervals apply
    page.keyboard.press("4")
    wait_front(page, second)
    rows = logged_reviews(app, 1, select(Review.card_id, Review.rating))
    assert [(str(card), rating) for card, rating in rows] == [(second, 4)]


def test_a_checked_card_suggests_the_grades_the_server_sends(
    app: Flask, runner: FlaskCliRunner, write_bank, page, live_server: str
) -> None:
    fact = "id: fact\ntitle: Fact\nquestions:\n  - {id: f, type: truefalse, prompt: Yes?, correct: true}\n"
    runner.invoke(args=["bank", "import", str(write_bank("fact", {"bank.yaml": fact}))])

    def suggest_others(route) -> None:
        response = route.fetch()
        card = response.json()
        card["suggest"] = {"right": 4, "wrong": 2}
        route.fulfill(response=response, json=card)

    page.route("**/review/next?*", suggest_others)
    page.goto(f"{live_server}/review/fact")
    wait_front(page)
    page.keyboard.press("f")
    wait_back(page)
    assert page.inner_text("[data-verdict]").startswith("✗ Not quite")
    assert page.get_attribute(".grade-hard", "class").endswith("suggested")
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.keyboard.press("Space")
    with app.app_context():
        assert db.session.execute(select(Review.rating, Review.correct)).one() == (2, False)


def test_the_counts_after_a_suspend_and_its_undo_are_the_servers(
    app: Flask, page, live_server: str, learner: int
) -> None:
    """With more new cards than the day's limit, a suspended new card's place is taken by
    another: the count of new cards stays, and its Undo does not add one."""
    with app.app_context():
        db.session.get_one(User, learner).new_per_day = 3
        db.session.commit()
        db.session.remove()
    page.goto(f"{live_server}/review/tour")
    wait_front(page)
    assert page.inner_text('[data-count="new"]') == "3"
    with page.expect_response(lambda response: "/review/today" in response.url):
        page.click('[data-action="suspend"]')
    page.wait_for_function(
        "() => document.querySelector('[data-count=\"new\"]').textContent === '3'"
    )
    with page.expect_response(lambda response: "/review/today" in response.url):
        page.click('[data-action="undo"]')
    wait_front(page)
    page.wait_for_timeout(200)  # nothing else changes it
    assert page.inner_text('[data-count="new"]') == "3"


# What the page shows of its loop, for a failure's message.
LOOP_STATE = """() => {
    const root = document.querySelector("[data-review]");
    const card = document.querySelector("[data-card]");
    const counts = [...document.querySelectorAll("[data-count]")].map((el) => el.textContent);
    const status = document.querySelector("[data-status]").textContent;
    return { ...root.dataset, card: card.dataset.cardId, type: card.dataset.type, counts, status };
}"""


def test_an_answer_that_brings_its_card_back_today_counts_in_learning_at_once(
    page, live_server: str
) -> None:
    """A new card answered Good comes back after its learning step: the counts say so with
    the answer, not at the page's next request, and its undo takes it back."""
    page.goto(f"{live_server}/review/tour")
    wait_front(page)
    count = "(kind) => document.querySelector(`[data-count='${kind}']`).textContent"
    new, learning = int(page.evaluate(count, "new")), int(page.evaluate(count, "learning"))
    page.route("**/api/v1/review/**", lambda route: route.abort())  # the server out of reach
    page.keyboard.press("Space")
    wait_back(page)
    page.keyboard.press("3")
    assert (int(page.evaluate(count, "new")), int(page.evaluate(count, "learning"))) == (
        new - 1, learning + 1,
    )  # fmt: skip
    page.keyboard.press("u")  # not sent yet: taken out of the queue
    page.wait_for_selector('[data-review][data-queued="0"]')
    wait_front(page)
    assert (int(page.evaluate(count, "new")), int(page.evaluate(count, "learning"))) == (
        new, learning,
    ), page.evaluate(LOOP_STATE)  # fmt: skip


BACK_IN_SIGHT = """() => {
    // The page hidden, then shown again a minute and more later.
    const now = Date.now.bind(Date);
    let later = 0;
    Date.now = () => now() + later;
    const become = (state) => {
        Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
    };
    become("hidden");
    later = 61000;
    become("visible");
}"""


def test_a_page_back_in_sight_shows_what_another_device_left(
    page, browser, live_server: str
) -> None:
    """The card on screen was answered on another device while this page lay hidden: back
    in sight, the page shows the server's next card and counts, not its stale hand."""
    page.goto(f"{live_server}/review/tour")
    first = wait_front(page)
    count = "() => document.querySelector(`[data-count='new']`).textContent"
    before = int(page.evaluate(count))
    other = browser.new_context(viewport={"width": 390, "height": 844})
    phone = other.new_page()
    browser_sign_in(phone, live_server)
    phone.goto(f"{live_server}/review/tour")
    assert wait_front(phone) == first
    phone.keyboard.press("Space")
    wait_back(phone)
    with phone.expect_response(lambda response: response.request.method == "POST"):
        phone.keyboard.press("3")
    other.close()
    page.evaluate(BACK_IN_SIGHT)
    assert wait_front(page, first) != first
    assert int(page.evaluate(count)) == before - 1


def test_undo_over_an_answer_begun_warns_once_before_it_drops_it(
    runner: FlaskCliRunner, write_bank, page, live_server: str
) -> None:
    """A learner part-way through a card who taps Undo meant what they began, not the last
    card."""
    two = "id: two\ntitle: Two\nquestions:\n  - {id: first, type: basic, prompt: 一, answer: 二}\n" \
          "  - {id: typed, type: typing, prompt: 容器运行时叫什么？, answer: runc}\n"  # fmt: skip
    runner.invoke(args=["bank", "import", str(write_bank("two", {"bank.yaml": two}))])
    page.goto(f"{live_server}/review/two")
    answered = wait_front(page)
    begun = answer_good(page, answered)
    page.fill("[data-response] input", "ru")
    page.click('[data-action="undo"]')
    assert page.inner_text("[data-status]") == (
        "Undo takes back your last answer, and drops what you began on this card. "
        "Undo again to go on."
    )
    assert page.get_attribute("[data-card]", "data-card-id") == begun
    assert page.input_value("[data-response] input") == "ru"
    page.click('[data-action="undo"]')
    shown(page, answered)


TYPED = """
id: typed
title: Typed
questions:
  - {id: runtime, type: typing, prompt: Which runtime creates the container?, answer: runc}
  - {id: shim, type: typing, prompt: What keeps a container's stdio open?, answer: shim}
"""


def test_esc_leaves_a_typed_answer_and_the_keys_are_shortcuts_again(
    runner: FlaskCliRunner, write_bank, page, live_server: str
) -> None:
    """In a typed answer's box every key is the answer's ("?", "b", "s" too); Esc leaves the
    box, what was typed stays, and the keys are the page's shortcuts again."""
    runner.invoke(args=["bank", "import", str(write_bank("typed", {"bank.yaml": TYPED}))])
    page.goto(f"{live_server}/review/typed")
    first = wait_front(page)
    box = page.locator("[data-response] input")
    assert box.evaluate("input => input === document.activeElement")  # typed into at once
    page.keyboard.type("b?")
    assert box.input_value() == "b?" and page.is_hidden("[data-help]")
    assert page.get_attribute("[data-card]", "data-card-id") == first  # not buried
    page.keyboard.press("Escape")
    assert not box.evaluate("input => input === document.activeElement")
    assert box.input_value() == "b?"
    page.keyboard.press("?")
    page.wait_for_selector("[data-help]:not([hidden])")
    assert "leave the box" in page.inner_text("[data-help]")
    page.keyboard.press("Escape")
    page.wait_for_selector("[data-help]", state="hidden")
    page.keyboard.press("b")  # buried: the other card comes
    second = wait_front(page, first)
    assert second != first and page.get_attribute("[data-card]", "data-type") == "typing"

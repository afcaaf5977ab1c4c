"""A ten-question quiz taken in Chromium by keyboard alone, and its score."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import yaml
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Quiz, db
from tests.support import browser_sign_in

QUESTIONS = "".join(
    [
        f"  - {{id: c{i}, type: choice, prompt: 'pick {i}', choices: [a, b, c], correct: 1}}\n"
        for i in range(3)
    ]
    + ["  - {id: m1, type: choice, prompt: several, choices: [a, b, c], correct: [0, 2]}\n"]
    + [f"  - {{id: t{i}, type: truefalse, prompt: 'true {i}?', correct: true}}\n" for i in range(2)]
    + ["  - {id: y1, type: typing, prompt: 容器运行时？, answer: runc}\n"]
    # No question states another's answer: a quiz would take only one of the two.
    + ["  - {id: z1, type: cloze, text: '{{c1::containerd}} 管理容器'}\n"]
    + ["  - {id: o1, type: order, prompt: order, items: [client, dockerd, kernel]}\n"]
    + ["  - {id: b1, type: basic, prompt: 你知道吗？, answer: 知道}\n"]
)
BANK = "id: k\ntitle: Keyboard\nquestions:\n" + QUESTIONS


def test_ten_question_quiz_by_keyboard(app: Flask, runner: FlaskCliRunner, write_bank, learner: int,
                                       live_server: str, browser, artifacts: Path) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(write_bank("k", {"bank.yaml": BANK}))])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/quiz/k")
    page.focus("#count")
    page.keyboard.press("Enter")  # start with the defaults: ten questions
    page.wait_for_selector("[data-quiz]")
    page.screenshot(path=str(artifacts / "quiz-first.png"))

    wrong = 0
    flagged = False
    for position in range(10):
        if position == 6:  # halfway: off to another page, as a phone leaves for another app
            answered, quiz_url = page.inner_text("[data-answered]"), page.url
            page.goto(f"{live_server}/stats")
            page.goto(quiz_url)
            page.wait_for_selector("[data-quiz]")
            # Each answer as it was given, the flag, and the question left on.
            assert page.inner_text("[data-answered]") == answered == "6"
            assert page.inner_text("[data-flagged]") == "1"
        section = page.locator(f'.quiz-question[data-position="{position}"]')
        section.wait_for(state="visible")
        # Next is the filled button until the last question; only there is Submit.
        primary = page.locator(".quiz-actions .button.primary").get_attribute("data-action")
        assert primary == ("submit" if position == 9 else "next"), position
        # Nothing comes before the first question: Previous does not look as if it led anywhere.
        assert page.is_disabled('[data-action="previous"]') == (position == 0), position
        kind = section.get_attribute("data-type")
        prompt = section.locator(".prompt").inner_text()
        # A choice's options stand in the quiz's shuffled order; the keys follow the screen.
        labels = section.locator(".options .option-text").all_inner_texts()
        if kind == "choice" and "several" in prompt:
            page.keyboard.press(str(labels.index("a") + 1))
            page.keyboard.press(str(labels.index("c") + 1))
        elif kind == "choice" and not wrong:
            page.keyboard.press(str(labels.index("a") + 1))  # one wrong answer on purpose
            wrong += 1
        elif kind == "choice":
            page.keyboard.press(str(labels.index("b") + 1))
        elif kind == "truefalse":
            page.keyboard.press("1")
        elif kind == "typing":
            before = page.inner_text("[data-answered]")
            page.keyboard.type("\u3000 ")  # only space says nothing: the question stays blank
            assert page.inner_text("[data-answered]") == before
            page.keyboard.press("Control+a")
            page.keyboard.type("ｒｕｎｃ")
            page.keyboard.press("Escape")  # out of the box: "?" is the shortcut list's again
            page.keyboard.press("?")
            page.wait_for_selector("[data-help]:not([hidden])")
            page.keyboard.press("Escape")
            page.wait_for_selector("[data-help]", state="hidden")
            assert section.locator("input").input_value() == "ｒｕｎｃ"
        elif kind == "cloze":
            page.keyboard.type("containerd")
        elif kind == "order":
            for item in ("client", "dockerd", "kernel"):
                page.keyboard.press(str(labels.index(item) + 1))
        elif kind == "basic":
            page.keyboard.press(" ")
            page.keyboard.press("y")
        if not flagged and kind not in ("typing", "cloze"):
            page.keyboard.press("f")  # flag one for later (F types an f in a text answer)
            flagged = True
        page.keyboard.press("Enter")  # next; on the last, submit
    page.wait_for_url(f"{live_server}/quiz/k/*/result")
    page.screenshot(path=str(artifacts / "quiz-result.png"), full_page=True)
    assert page.inner_text("[data-score]") == "90%"  # the answers given before leaving count
    assert (
        page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('wengu.quiz'))") == []
    )
    with app.app_context():
        quiz = db.session.scalar(select(Quiz))
        assert quiz.score == 0.9 and len(quiz.items) == 10
        assert [a.flagged for a in quiz.answers].count(True) == 1
    assert errors == [] and wrong == 1


NESTED = """id: nest
title: Nested
sections:
  - {id: engine, title: Engine}
  - {id: runc, title: Runtime, parent: engine}
  - {id: net, title: Networks}
questions:
  - {id: e1, type: basic, section: engine, prompt: e1, answer: a}
  - {id: r1, type: basic, section: runc, prompt: r1, answer: a}
  - {id: n1, type: basic, section: net, prompt: n1, answer: a}
"""


def test_ticking_a_section_ticks_its_subsections(runner: FlaskCliRunner, write_bank, learner: int,
                                                 live_server: str, browser, artifacts: Path) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(write_bank("nest", {"bank.yaml": NESTED}))])
    page = browser.new_page(viewport={"width": 360, "height": 740})
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/quiz/nest")
    # Folded away, so that Start stays near the top on a phone: a tap opens them.
    start = page.locator(".quiz-setup button[type=submit]").bounding_box()
    assert start["y"] + start["height"] <= 740
    assert not page.locator('.section-tree input[value="engine"]').is_visible()
    page.screenshot(path=str(artifacts / "quiz-setup-folded-phone.png"))
    page.locator(".narrowing summary", has_text="Sections").click()
    page.screenshot(path=str(artifacts / "quiz-setup-sections-phone.png"))
    box = {
        key: page.locator(f'.section-tree input[value="{key}"]')
        for key in ("engine", "runc", "net")
    }
    box["engine"].check()
    assert [box[key].is_checked() for key in ("engine", "runc", "net")] == [True, True, False]
    box["engine"].uncheck()
    assert not box["runc"].is_checked()
    assert "Up to 100." in page.inner_text(".quiz-setup")


def test_a_diagram_questions_answer_takes_the_masked_diagrams_place_in_sight(
    runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser, artifacts: Path
) -> None:
    from config import PROJECT_ROOT

    # The fixture bank's self-graded diagram question alone: a quiz takes one question a
    # diagram, and its typed one shares the diagram.
    fixture = PROJECT_ROOT / "tests/banks/diagram"
    bank = yaml.safe_load((fixture / "bank.yaml").read_text("utf-8"))
    bank["questions"] = [q for q in bank["questions"] if q["id"] == "engine-all"]
    folder = write_bank("diagram", {
        "bank.yaml": yaml.safe_dump(bank, allow_unicode=True),
        "diagrams/engine.svg": (fixture / "diagrams/engine.svg").read_bytes(),
    })  # fmt: skip
    assert runner.invoke(args=["bank", "import", str(folder)]).exit_code == 0
    page = browser.new_page(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/quiz/diagram")
    page.click(".quiz-setup button[type=submit]")
    page.wait_for_selector("[data-quiz]")
    for _ in range(10):  # to the first diagram question graded by the learner
        section = page.locator(".quiz-question:not([hidden])")
        if section.locator("[data-reveal]").count():
            break
        page.click('[data-action="next"]')
    section.locator(".prompt img").first.wait_for()
    section.locator("[data-reveal]").click()
    answer = section.locator("[data-self-answer]")
    assert answer.is_visible() and not section.locator(".prompt img").is_visible()
    page.screenshot(path=str(artifacts / "quiz-diagram-answer-phone.png"))
    # Its top in sight above the bar of buttons, not below a second copy of the diagram.
    bar = page.locator(".action-bar").bounding_box()
    assert 0 <= answer.bounding_box()["y"] < bar["y"] - 100


def _order_quiz_on_a_phone(runner: FlaskCliRunner, write_bank, live_server: str, browser) -> Any:
    """A page on a phone, signed in, at the start of a quiz of one order question."""
    bank = "id: o\ntitle: Order\nquestions:\n" + (
        "  - {id: o1, type: order, prompt: order, items: [client, dockerd, containerd, runc]}\n"
    )
    assert (
        runner.invoke(args=["bank", "import", str(write_bank("o", {"bank.yaml": bank}))]).exit_code
        == 0
    )
    page = browser.new_page(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/quiz/o")
    return page


def test_an_order_question_of_a_quiz_is_taken_back_by_tapping_on_a_phone(
    runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser, artifacts: Path
) -> None:
    """On a phone, with no Backspace: the hint speaks of taps; a tap on any pick (in your
    order or among the items) takes it back, as Undo pick and Clear do; each picked item
    shows its rank; an order with items left to pick is not answered, and handing it in
    asks first; the order given is the one submitted."""
    page = _order_quiz_on_a_phone(runner, write_bank, live_server, browser)
    page.click(".quiz-setup button[type=submit]")
    page.wait_for_selector("[data-quiz]")
    section = page.locator(".quiz-question:not([hidden])")
    hint = section.locator(".hint").inner_text()
    assert "tap a picked one" in hint and "Backspace" not in hint, hint
    undo = section.locator('[data-action="unpick"]')
    clear = section.locator('[data-action="clear"]')
    assert undo.is_disabled() and clear.is_disabled()
    # The order not begun says where its picks will go.
    empty = section.locator("[data-picked]").evaluate(
        "list => getComputedStyle(list, '::before').content"
    )
    assert empty == '"Your picks appear here, in order"'
    page.screenshot(path=str(artifacts / "quiz-order-empty-phone.png"))
    options = section.locator("[data-item]")
    text = {options.nth(i).locator(".option-text").inner_text(): i for i in range(4)}
    for name in ("runc", "client", "dockerd"):
        options.nth(text[name]).tap()
    picked = section.locator("[data-picked] li")
    assert picked.all_inner_texts() == ["runc", "client", "dockerd"]
    assert section.locator(".order-heading").inner_text() == "Your order 3/4"

    def ranks() -> dict[str, str]:
        return {n: options.nth(i).locator(".option-rank").inner_text() for n, i in text.items()}

    assert ranks() == {"runc": "1", "client": "2", "dockerd": "3", "containerd": ""}
    picked.nth(1).locator("button").tap()  # a pick in the middle, from your order
    assert picked.all_inner_texts() == ["runc", "dockerd"]
    assert ranks() == {"runc": "1", "client": "", "dockerd": "2", "containerd": ""}
    options.nth(text["runc"]).tap()  # a pick, from the items
    assert picked.all_inner_texts() == ["dockerd"]
    options.nth(text["client"]).tap()
    undo.tap()
    assert picked.all_inner_texts() == ["dockerd"]
    # Items left to pick: not answered yet, and handing it in asks first.
    assert page.inner_text("[data-answered]") == "0"
    page.click('[data-action="submit"]')
    dialog = page.locator("dialog[data-confirm-dialog]")
    dialog.wait_for(state="visible")
    message = dialog.locator("[data-confirm-message]").inner_text()
    assert message == "1 question is blank or not finished. Submit anyway?"
    dialog.locator('button[value="no"]').click()
    dialog.wait_for(state="hidden")
    clear.tap()
    assert picked.count() == 0 and undo.is_disabled() and clear.is_disabled()
    for name in ("client", "dockerd", "containerd", "runc"):
        options.nth(text[name]).tap()
    assert page.inner_text("[data-answered]") == "1"
    page.screenshot(path=str(artifacts / "quiz-order-phone.png"))
    page.click('[data-action="submit"]')
    page.wait_for_url("**/result")
    assert "100%" in page.locator("[data-score]").inner_text()
    page.close()


def test_a_page_reached_by_a_click_is_read_once_its_stylesheet_has_arrived(
    app: Flask, runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser
) -> None:
    """The stylesheet of the page a click leads to arrives late (a busy server): what the
    test reads of it is still what a user sees, one hint, the touch screen's."""
    page = _order_quiz_on_a_phone(runner, write_bank, live_server, browser)
    served = app.wsgi_app

    def late(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ["PATH_INFO"].endswith("/wengu.css"):
            time.sleep(1.5)
        return served(environ, start_response)

    app.wsgi_app = late
    page.click(".quiz-setup button[type=submit]")
    page.wait_for_selector("[data-quiz]")
    hint = page.locator(".quiz-question:not([hidden]) .hint").inner_text()
    assert hint == "Tap the items in order; tap a picked one to take it back.", hint
    page.close()

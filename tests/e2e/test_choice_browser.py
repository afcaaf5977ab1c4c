"""Choice and true/false cards in Chromium: options shuffled afresh for each showing with the
keys following the screen; a multi-answer check marking the three kinds; and on a touch
screen, a tap that only selects (and can be changed) until Check confirms it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Review, db
from tests.support import browser_sign_in, logged_reviews

BANK = """
id: pick
title: 选择
language: zh-CN
questions:
  - {id: single, type: choice, prompt: 默认存储驱动？, choices: [overlay2, aufs, btrfs, zfs, vfs], correct: 0}
  - {id: multi, type: choice, prompt: 哪些属于 engine？, choices: [runc, containerd, dockerd, shim, nginx], correct: [0, 1, 2, 3]}
  - {id: fact, type: truefalse, prompt: "dockerd 默认监听 TCP 2375。", correct: false}
"""

FRONT = '[data-review][data-phase="front"] [data-card]:not([hidden])'
BACK = '[data-review][data-phase="back"]'


def labels(page) -> list[str]:
    return page.locator("[data-response] .option-text").all_inner_texts()


def key_of(page, label: str) -> str:
    return str(labels(page).index(label) + 1)


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank, learner: int) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("pick", {"bank.yaml": BANK}))])


@contextmanager
def review(browser, live_server: str, bank_id: str = "pick", **context: object) -> Iterator:
    """The review page of ``bank_id`` in a new browser context, signed in; no script errors."""
    opened = browser.new_context(**context)
    page = opened.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/review/{bank_id}")
    page.wait_for_selector(FRONT)
    yield page
    opened.close()
    assert errors == []


def wait_for_multi(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('[data-review]').dataset.phase === 'front' && "
        "document.querySelector('[data-prompt]').innerText.includes('engine')"
    )


def test_the_order_changes_between_showings_and_keys_follow_the_screen(
    runner: FlaskCliRunner, write_bank, learner: int, browser, live_server: str, artifacts: Path
) -> None:
    single = next(line for line in BANK.splitlines() if "id: single" in line)
    solo = f"id: solo\ntitle: Solo\nquestions:\n{single}\n"
    runner.invoke(args=["bank", "import", str(write_bank("solo", {"bank.yaml": solo}))])
    with review(browser, live_server, "solo", viewport={"width": 1280, "height": 900}) as page:
        card = page.get_attribute("[data-card]", "data-card-id")
        orders = []
        for showing in range(3):
            page.wait_for_selector(FRONT)
            assert page.get_attribute("[data-card]", "data-card-id") == card
            orders.append(labels(page))
            page.screenshot(path=str(artifacts / f"choice-showing-{showing}.png"))
            wrong = next(n for n, label in enumerate(orders[-1], 1) if label != "overlay2")
            page.keyboard.press(str(wrong))  # the wrong option standing at place `wrong` on screen
            page.wait_for_selector(BACK)
            chosen = page.locator(
                "[data-response] .option.is-chosen .option-text"
            ).all_inner_texts()
            assert chosen == [orders[-1][wrong - 1]]
            assert page.locator(".grade-again").get_attribute("class").endswith("suggested")
            page.keyboard.press("1")  # Again: the card comes back at once, as a new showing
        assert sorted(orders[0]) == sorted(orders[1]) == sorted(orders[2])
        assert len({tuple(order) for order in orders}) > 1


def test_a_multi_answer_check_marks_three_kinds_and_suggests_hard(
    app: Flask, bank: None, browser, live_server: str, artifacts: Path
) -> None:
    with review(browser, live_server, viewport={"width": 1280, "height": 900}) as page:
        page.keyboard.press(key_of(page, "overlay2"))
        page.wait_for_selector(BACK)
        page.keyboard.press("4")
        wait_for_multi(page)
        for label in ("runc", "containerd", "dockerd", "nginx"):  # shim missed, nginx wrong
            page.keyboard.press(key_of(page, label))
        page.keyboard.press("Enter")
        page.wait_for_selector(BACK)
        page.screenshot(path=str(artifacts / "choice-multi-marked.png"))

        def texts(selector: str) -> list[str]:
            return page.locator(f"[data-response] {selector} .option-text").all_inner_texts()

        assert sorted(texts(".option.is-hit")) == ["containerd", "dockerd", "runc"]
        assert texts(".option.is-missed") == ["shim"]
        assert texts(".option.is-wrong.is-chosen") == ["nginx"]
        marks = {
            kind: page.locator(f".option.{kind} .option-mark").first.text_content()
            for kind in ("is-hit", "is-missed", "is-wrong")
        }
        assert marks == {"is-hit": "✓", "is-missed": "○", "is-wrong": "✗"}
        said = page.locator(".option.is-missed .visually-hidden").text_content()
        assert said == "right answer, missed"
        assert page.locator(".grade-hard").get_attribute("class").endswith("suggested")
        page.keyboard.press("Enter")  # the suggested Hard
        page.wait_for_selector(FRONT)
        ratings = logged_reviews(app, 2, select(Review.rating).order_by(Review.id))
        assert [rating for (rating,) in ratings] == [4, 2]


def test_on_a_touch_screen_a_tap_selects_and_check_confirms(
    app: Flask, bank: None, browser, live_server: str, artifacts: Path
) -> None:
    with review(
        browser, live_server, viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True
    ) as page:
        options = page.locator("[data-response] .option")
        options.nth(labels(page).index("aufs")).tap()  # a mis-tap: selected, not checked
        assert page.get_attribute("[data-review]", "data-phase") == "front"
        options.nth(labels(page).index("overlay2")).tap()  # corrected
        chosen = page.locator("[data-response] .option.is-chosen .option-text").all_inner_texts()
        assert chosen == ["overlay2"]
        page.screenshot(path=str(artifacts / "choice-touch-selected.png"))
        page.locator('[data-action="show"]').tap()  # Check
        page.wait_for_selector(BACK)
        assert page.inner_text("[data-verdict]").startswith("✓")
        page.locator('[data-rating="4"]').tap()

        wait_for_multi(page)
        page.locator('[data-rating="4"]').wait_for(state="hidden")
        for label in ("runc", "containerd", "dockerd", "shim"):
            options.nth(labels(page).index(label)).tap()
        page.locator('[data-action="show"]').tap()
        page.wait_for_selector(BACK)
        page.locator('[data-rating="4"]').tap()

        page.wait_for_function("() => document.querySelector('[data-card]').dataset.type === 'truefalse' && "
                               "document.querySelector('[data-review]').dataset.phase === 'front'")  # fmt: skip
        assert labels(page) == ["正确", "错误"]  # the bank's language, not the page's
        options.nth(0).tap()  # true, a mis-tap
        assert page.get_attribute("[data-review]", "data-phase") == "front"
        options.nth(1).tap()
        page.screenshot(path=str(artifacts / "truefalse-touch-selected.png"))
        page.locator('[data-action="show"]').tap()
        page.wait_for_selector(BACK)
        assert page.inner_text("[data-verdict]").startswith("✓")
        assert "错误" in page.inner_text("[data-answer]")
        page.locator('[data-rating="3"]').tap()
        page.screenshot(path=str(artifacts / "truefalse-touch-graded.png"))
        page.wait_for_selector(".state-learning")  # Good on a new card: back in ten minutes
        with app.app_context():
            rows = db.session.execute(
                select(Review.rating, Review.correct).order_by(Review.id)
            ).all()
        assert [tuple(row) for row in rows] == [(4, True), (4, True), (3, True)]

"""Every type of card answered, put right before it is checked, and given up on, in real
Chromium with taps (a phone, 360×740 with touch) or clicks (a desktop, 1280×900) alone: no
key is pressed once the review is open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Review, db
from tests.support import browser_sign_in

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A touch screen the size of the desktop (a tablet, a touch laptop).
TABLET = {"viewport": {"width": 1280, "height": 900}, "has_touch": True}
DEVICES = {"phone": PHONE, "desktop": DESKTOP, "tablet": TABLET}

QUESTIONS = {
    "basic": "{id: q, type: basic, prompt: 真正创建容器的是谁？, answer: runc}",
    "reverse": "{id: q, type: reverse, prompt: CNM, answer: 容器网络模型}",
    "cloze": "{id: q, type: cloze, text: '{{c1::docker0}} 是默认网桥'}",
    "single": "{id: q, type: choice, prompt: 默认存储驱动？, choices: [aufs, overlay2, devicemapper], correct: 1}",
    "multi": "{id: q, type: choice, prompt: 哪些属于 engine？, choices: [runc, nginx, containerd], correct: [0, 2]}",
    "truefalse": "{id: q, type: truefalse, prompt: dockerd 默认监听 TCP 2375。, correct: false}",
    "order": "{id: q, type: order, prompt: 请求经过的顺序, items: [client, dockerd, containerd, runc, kernel]}",
    "typing": "{id: q, type: typing, prompt: 配置文件叫什么？, answer: daemon.json}",
}
CHECKED = ["single", "multi", "truefalse", "order", "typing"]

# Words a hint may use only where there is a keyboard.
KEY_WORDS = re.compile(r"\b(Enter|Space|Backspace|Esc|Tab)\b|1–9|[Pp]ress")


@pytest.fixture(params=["desktop", "phone"])
def device(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def review(
    app: Flask,
    runner: FlaskCliRunner,
    write_bank,
    learner: int,
    live_server: str,
    browser,
    device: str,
):
    """Opens the review of a bank of one question (a key of QUESTIONS) on the device."""
    context = browser.new_context(**DEVICES[device])
    errors: list[str] = []

    def open_review(name: str):
        bank = f"id: one\ntitle: 一题\nlanguage: zh-CN\nquestions:\n  - {QUESTIONS[name]}\n"
        result = runner.invoke(args=["bank", "import", str(write_bank("one", {"bank.yaml": bank}))])
        assert result.exit_code == 0, result.output
        tab = context.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        browser_sign_in(tab, live_server)
        tab.goto(f"{live_server}/review/one")
        tab.wait_for_selector('[data-review][data-phase="front"]')
        return tab

    yield open_review
    context.close()
    assert errors == []


def touch(page, selector: str, device: str) -> None:
    """A tap on a touch screen, a click on the desktop: never a key."""
    target = page.locator(selector)
    if device != "desktop":
        target.tap()
    else:
        target.click()


def option(text: str) -> str:
    return f'[data-response] .option:has(.option-text:text-is("{text}"))'


def check_and_grade(page, device: str, rating: int) -> str:
    """Tap Check, wait for the back, tap the rating; returns the verdict."""
    touch(page, '[data-action="show"]', device)
    page.wait_for_selector('[data-review][data-phase="back"]')
    verdict = page.inner_text("[data-verdict]")
    touch(page, f'[data-rating="{rating}"]', device)
    return verdict


def saved(app: Flask) -> list[tuple[int, bool | None]]:
    """The reviews saved, as (rating, correct)."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(select(Review.rating, Review.correct))]


def wait_saved(page) -> None:
    """Wait until the answer is sent and the page has moved on (a failed card may come back)."""
    page.wait_for_function(
        """() => { const root = document.querySelector('[data-review]');
                   return root.dataset.queued === '0' && ['front', 'done'].includes(root.dataset.phase); }"""
    )


@pytest.mark.parametrize("name", ["basic", "reverse", "cloze"])
def test_a_self_graded_card_is_shown_and_graded_by_touch(
    app: Flask, review, device: str, name: str
) -> None:
    page = review(name)
    assert page.is_hidden('[data-action="giveup"]')  # Show answer, then Again, is giving up
    touch(page, '[data-action="show"]', device)
    page.wait_for_selector('[data-review][data-phase="back"]')
    touch(page, '[data-rating="1"]', device)
    wait_saved(page)
    assert saved(app) == [(1, None)]


@pytest.mark.parametrize("name", CHECKED)
def test_a_checked_card_is_given_up_on_by_touch(
    app: Flask, review, device: str, name: str, artifacts: Path
) -> None:
    """I don't know shows the answer and suggests Again, which one more tap gives."""
    page = review(name)
    touch(page, '[data-action="giveup"]', device)
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.screenshot(path=str(artifacts / f"given-up-{name}-{device}.png"))
    assert page.inner_text("[data-verdict]").startswith("✗")
    assert "suggested" in page.get_attribute('[data-rating="1"]', "class")
    if name == "typing":  # the empty box no longer asks for an answer
        placeholder = (
            "getComputedStyle(document.querySelector('#typed-answer'), '::placeholder').color"
        )
        assert page.evaluate(placeholder) == "rgba(0, 0, 0, 0)"
    assert page.inner_text("[data-answer]").strip() or page.inner_text("[data-prompt]")
    if name in ("single", "multi", "truefalse"):  # the right options marked: the one answer
        # of a one-answer card as the answer (✓), those of a multi as missed (○)
        kind, right = {"single": ("answer", 1), "multi": ("missed", 2), "truefalse": ("answer", 1)}[
            name
        ]
        marked = page.locator(f"[data-response] .option.is-{kind}")
        assert marked.count() == right
        assert marked.first.locator(".option-mark").text_content() == (
            "✓" if kind == "answer" else "○"
        )
        assert page.locator("[data-response] .option:is(.is-missed, .is-answer)").count() == right
    touch(page, '[data-rating="1"]', device)
    wait_saved(page)
    assert saved(app) == [(1, False)]


def test_an_order_pick_is_taken_back_by_tap_and_checked_by_button(
    app: Flask, review, device: str, artifacts: Path, axe
) -> None:
    page = review("order")
    for item in ["dockerd", "client", "containerd"]:
        touch(page, option(item), device)
    assert page.inner_text(".picked").split() == ["dockerd", "client", "containerd"]
    touch(page, '.picked-item:has-text("dockerd")', device)  # the mis-tap, taken back
    touch(page, option("client"), device)  # a picked item tapped again goes back too
    assert page.inner_text(".picked").split() == ["containerd"]
    touch(page, '.order-tools button:has-text("Undo pick")', device)
    assert page.locator(".picked-item").count() == 0
    touch(page, option("runc"), device)
    touch(page, '.order-tools button:has-text("Clear")', device)
    assert page.locator(".picked-item").count() == 0
    bar = page.locator(".action-bar").bounding_box()
    for item in ["client", "dockerd", "containerd", "runc", "kernel"]:
        assert page.is_disabled('[data-action="show"]')
        touch(page, option(item), device)
        picked = page.locator(".picked").bounding_box()  # in the viewport, above the bar
        assert picked["y"] >= 0 and picked["y"] + picked["height"] <= bar["y"], (item, picked)
    # The last pick checks nothing: Check does.
    assert page.get_attribute("[data-review]", "data-phase") == "front"
    page.screenshot(path=str(artifacts / f"order-picked-{device}.png"))
    assert axe(page) == []
    touch(page, '[data-action="show"]', device)
    page.wait_for_selector('[data-review][data-phase="back"]')
    assert page.inner_text("[data-verdict]").startswith("✓ Right")
    # How to answer is past: no hint, no tools, no items to pick from between the order
    # picked and the verdict.
    assert (
        page.locator("[data-response] :is(.hint, .order-tools button, .option):visible").count()
        == 0
    )
    assert page.locator(".picked-item:visible").count() == 5
    touch(page, '[data-rating="3"]', device)
    wait_saved(page)
    assert saved(app) == [(3, True)]


def test_a_typed_answer_is_checked_by_button(app: Flask, review, device: str) -> None:
    page = review("typing")
    # Nothing typed, or only spaces: Check waits (a blank is no answer; "I don't know" is).
    assert page.is_disabled('[data-action="show"]')
    page.fill("#typed-answer", "  ")
    assert page.is_disabled('[data-action="show"]')
    page.press("#typed-answer", "Enter")
    assert page.get_attribute("[data-review]", "data-phase") == "front"
    page.fill("#typed-answer", "daemon")  # the on-screen keyboard's text, then put right
    assert page.is_enabled('[data-action="show"]')
    page.fill("#typed-answer", "daemon.json")
    assert check_and_grade(page, device, 3).startswith("✓ Right")
    wait_saved(page)
    assert saved(app) == [(3, True)]


def test_a_typed_near_miss_shows_its_diff(review, device: str, artifacts: Path, axe) -> None:
    page = review("typing")
    page.fill("#typed-answer", "Daemon.jsan")
    touch(page, '[data-action="show"]', device)
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.screenshot(path=str(artifacts / f"typed-diff-{device}.png"))
    assert page.inner_text("[data-verdict]").startswith("✗ Not quite")
    diff = page.locator("[data-diff] .diff-text").first
    assert diff.locator(".diff-same").first.inner_text() == "daemon.js"
    assert diff.locator("del.diff-wrong").inner_text().endswith("a")
    assert diff.locator("ins.diff-missing").inner_text().endswith("o")
    # Not colour alone: struck through and underlined, and said in words to a screen reader.
    styles = page.evaluate(
        """() => ['del.diff-wrong', 'ins.diff-missing'].map(
             (s) => getComputedStyle(document.querySelector('[data-diff] ' + s)).textDecorationLine)"""
    )
    assert styles == ["line-through", "underline"]
    assert diff.locator("del .visually-hidden").text_content() == "(wrong:)"
    assert "daemon.json" in page.inner_text("[data-diff] p:nth-child(2)")
    assert axe(page) == []


def test_a_multiple_choice_is_changed_before_check_by_touch(
    app: Flask, review, device: str
) -> None:
    page = review("multi")
    for text in ["runc", "nginx", "nginx", "containerd"]:
        touch(page, option(text), device)
    assert check_and_grade(page, device, 3).startswith("✓ Right")
    wait_saved(page)
    assert saved(app) == [(3, True)]


@pytest.mark.parametrize("device", ["phone", "tablet", "desktop"])
@pytest.mark.parametrize(
    ("name", "first", "then"),
    [
        ("single", option("aufs"), option("overlay2")),
        # True, then False, in whatever words the bank's language has for them
        ("truefalse", "[data-response] .option >> nth=0", "[data-response] .option >> nth=1"),
    ],
)
def test_a_one_answer_choice_is_changed_before_check_by_touch(
    app: Flask, review, device: str, name: str, first: str, then: str
) -> None:
    """Tap to select, tap another to change, then Check: a mis-tap is not an answer. (With a
    mouse, a click answers at once, as a key does.)"""
    page = review(name)
    assert page.is_disabled('[data-action="show"]')  # Check waits for a choice
    touch(page, first, device)
    assert page.get_attribute("[data-review]", "data-phase") == "front"
    assert page.is_enabled('[data-action="show"]')
    touch(page, then, device)
    assert check_and_grade(page, device, 3).startswith("✓ Right")
    wait_saved(page)
    assert saved(app) == [(3, True)]


@pytest.mark.parametrize("name", [*CHECKED, "basic"])
def test_hints_speak_of_keys_only_where_there_is_a_keyboard(review, device: str, name: str) -> None:
    page = review(name)
    shown = page.inner_text("[data-review]")  # only what is rendered and visible
    placeholder = page.get_attribute("#typed-answer", "placeholder") if name == "typing" else ""
    visible_keys = page.locator("[data-review] kbd:visible").count()
    if device == "phone":
        assert not KEY_WORDS.search(shown + placeholder), shown + placeholder
        assert visible_keys == 0
        assert page.is_hidden('[data-action="help"]')  # the keyboard shortcuts
    else:
        assert visible_keys > 0
        if name != "basic":  # how keys answer (a choice's key checks at once: said)
            assert KEY_WORDS.search(shown + placeholder), shown + placeholder


def test_a_tapped_button_keeps_no_hover_look(review, device: str) -> None:
    """A touch screen keeps :hover on the last thing tapped: the grade tapped would look
    suggested on the next card, the option tapped chosen, Undo pressed. Hover looks are a
    pointer's only."""
    page = review("multi")
    look = "(s) => { const c = getComputedStyle(document.querySelector(s)); return [c.borderColor, c.color, c.backgroundColor]; }"
    undo, first = '[data-action="undo"]', '[data-response] .option[data-index="0"]'
    before = [page.evaluate(look, undo), page.evaluate(look, first)]
    touch(page, undo, device)
    touch(page, first, device)
    touch(page, first, device)  # chosen, then not: as before but for the hover
    after = [page.evaluate(look, undo), page.evaluate(look, first)]
    if device == "desktop":  # the pointer rests on the option: it shows
        assert after[1] != before[1]
    else:
        assert after == before

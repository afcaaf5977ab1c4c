"""The main pages on a phone and a desktop, light and dark: screenshots, axe-core, tap sizes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from models import LeftBank, User, db
from tests.seeding import seed_history
from tests.support import browser_sign_in

LEFT_BANK = (
    "id: left\ntitle: A bank left\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
)
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
PAGES = {
    "today": "/",
    "banks": "/banks",
    "bank": "/banks/docker",
    "stats": "/stats",
    "groups": "/groups",
    "settings": "/settings",
    "quiz": "/quiz/docker",
}
# Grade and answer buttons, page buttons, form controls and the main navigation: what a
# thumb aims at. Links inside running text are exempt (WCAG 2.5.8).
TAP_TARGETS = (
    ".site-nav a, .button, .tool, .grade, .option, .link-button, "
    ".field input:not([type=checkbox]):not([type=radio]), .field select"
)
MIN_TAP = 44


@pytest.fixture
def studied(app: Flask, runner: FlaskCliRunner, write_bank, learner: int) -> None:
    """Ann studies the shipped Docker bank, with a month of history behind her, and has
    left a second bank."""
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    runner.invoke(args=["bank", "import", str(write_bank("left", {"bank.yaml": LEFT_BANK}))])
    with app.app_context():
        user = db.session.get(User, learner)
        db.session.add(LeftBank(user_id=learner, bank_id="left"))
        seed_history(db.session, user, ["docker"], datetime.now(timezone.utc), days=30, per_day=4)


def show_back(page) -> None:
    """Answer the card on screen by keyboard, whatever its type, and wait for its back."""
    kind = page.get_attribute("[data-card]", "data-type")
    if kind == "typing":
        page.keyboard.type("x")
    options = page.locator("[data-response] .option").count()
    for number in range(1, options + 1 if kind == "order" else 2 if options else 1):
        page.keyboard.press(str(number))
    if page.get_attribute("[data-review]", "data-phase") == "front":
        page.keyboard.press("Space" if kind != "typing" else "Enter")  # show, or check
    page.wait_for_selector('[data-review][data-phase="back"]')


def small_targets(page) -> list[str]:
    """Visible tap targets smaller than MIN_TAP pixels in either direction."""
    return page.eval_on_selector_all(
        TAP_TARGETS,
        """(elements, least) => elements
            .filter((e) => e.offsetParent !== null && !e.closest('table, [hidden]'))
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([, r]) => r.width < least || r.height < least)
            .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        MIN_TAP,
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_main_pages_look_right_and_pass_axe(
    studied, live_server: str, browser, axe, artifacts: Path, device: str, scheme: str
) -> None:
    phone = device == "phone"
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP, color_scheme=scheme, has_touch=phone
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    found: dict[str, list[str]] = {}
    small: dict[str, list[str]] = {}

    def check(name: str) -> None:
        # The review page's grade bar stays at the bottom of the screen: show the screen.
        whole = not name.startswith("review")
        page.screenshot(path=str(artifacts / f"{name}-{device}-{scheme}.png"), full_page=whole)
        found[name] = axe(page)
        if phone:
            small[name] = small_targets(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                small[name].append(f"the page is {width} px wide")

    page.goto(f"{live_server}/login")
    check("login")
    browser_sign_in(page, live_server)
    for name, path in PAGES.items():
        page.goto(live_server + path)
        check(name)
    page.click(".quiz-setup button[type=submit]")
    page.wait_for_selector("[data-quiz]")
    check("quiz-question")
    page.goto(f"{live_server}/review/docker")
    page.wait_for_selector('[data-review][data-phase="front"]')
    check("review-front")
    show_back(page)
    check("review-back")
    context.close()
    problems = {name: v for name, v in found.items() if v}
    problems.update({f"{name} taps": s for name, s in small.items() if s})
    assert problems == {}
    assert errors == []


def test_a_chosen_theme_overrides_the_system_setting(
    studied, live_server: str, browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    page = context.new_page()
    browser_sign_in(page, live_server)
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(251, 250, 247)"
    page.goto(f"{live_server}/settings")
    page.check("#theme-2")  # Dark
    page.click("#theme button[type=submit]")
    page.wait_for_url(f"{live_server}/settings#theme")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.evaluate(background) == "rgb(21, 23, 26)"
    page.goto(f"{live_server}/review/docker")
    page.wait_for_selector('[data-review][data-phase="front"]')
    page.screenshot(path=str(artifacts / "review-dark-by-choice.png"))
    assert page.evaluate(background) == "rgb(21, 23, 26)"
    context.close()

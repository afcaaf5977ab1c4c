"""Help me decide in Chromium: phone and desktop, light and dark, English and Chinese."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from models import User, db
from tests.support import PAST_THE_SCREEN, browser_sign_in

VIEWS = (
    ("phone", {"width": 360, "height": 740}),
    ("desktop", {"width": 1280, "height": 900}),
)


def test_help_me_decide_fits_and_sets_retention(app: Flask, runner: FlaskCliRunner, learner: int, live_server: str,
                                                browser, artifacts: Path, axe) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    for locale in ("en", "zh-CN"):
        for name, viewport in VIEWS:
            for scheme in ("light", "dark"):
                if locale != "en" and scheme == "dark":
                    continue
                context = browser.new_context(viewport=viewport, color_scheme=scheme, locale=locale)
                page = context.new_page()
                browser_sign_in(page, live_server)
                page.goto(f"{live_server}/settings")
                page.click("a[href='/settings/retention']")
                page.wait_for_selector(".retention-options")
                page.screenshot(
                    path=str(artifacts / f"retention-{locale}-{name}-{scheme}.png"), full_page=True
                )
                assert page.locator(".chart svg").count() == 2
                assert page.locator(".bar.marked").count() == 2
                assert page.evaluate(PAST_THE_SCREEN) <= 0, (
                    f"{locale} {name} {scheme} scrolls sideways"
                )
                assert page.evaluate(
                    "[...document.querySelectorAll('.table-wrap')]"
                    ".every(box => box.scrollWidth <= box.clientWidth)"
                ), f"{locale} {name} {scheme}: the table scrolls sideways"
                assert axe(page) == []
                context.close()

    page = browser.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings/retention")
    chosen = "0.85"
    page.click(f"button[name=desired_retention][value='{chosen}']")
    page.wait_for_selector(".flash-success")
    assert chosen in page.inner_text(".flash-success")
    with app.app_context():
        assert db.session.get(User, learner).desired_retention == float(chosen)


def test_the_links_to_help_me_decide_and_the_calibration_are_a_thumb_high(
    learner: int, live_server: str, browser
) -> None:
    context = browser.new_context(viewport=VIEWS[0][1], has_touch=True, is_mobile=True)
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings")
    for link in ("a[href='/settings/retention']", "a[href='/stats#calibration']"):
        box = page.locator(link).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, (link, box)
    context.close()


def test_the_marked_button_is_the_learners_own_and_labels_are_legible(
    runner: FlaskCliRunner, learner: int, live_server: str, browser
) -> None:
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    page = browser.new_page(viewport=VIEWS[1][1])
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings/retention")
    assert page.get_attribute(".retention-options .button.primary", "value") == "0.90"
    # Every bar's name and value some 13 px or more on the screen (a box of 15 px).
    heights = page.eval_on_selector_all(
        ".chart svg text.tick, .chart svg text.value",
        "texts => texts.map((t) => t.getBoundingClientRect().height)",
    )
    assert len(heights) >= 4 * 7 and min(heights) >= 14.5, heights

"""How good the schedule is, on /stats in Chromium: phone and desktop, light and dark, Chinese."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from models import User, db
from tests.seeding import seed_history
from tests.support import browser_sign_in

VIEWS = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}


def test_calibration_on_phone_and_desktop_in_both_themes(app: Flask, runner: FlaskCliRunner, learner: int,
                                                         live_server: str, browser, artifacts: Path,
                                                         axe) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    with app.app_context():
        user = db.session.get(User, learner)
        seed_history(db.session, user, ["docker"], datetime.now(timezone.utc), days=90, per_day=6)
    for name, viewport in VIEWS.items():
        for scheme in ("light", "dark"):
            context = browser.new_context(viewport=viewport, color_scheme=scheme)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            browser_sign_in(page, live_server)
            page.goto(f"{live_server}/settings")
            page.click("a[href='/stats#calibration']")
            page.wait_for_url("**/stats#calibration")
            section = page.locator("#calibration")
            dots = section.locator("svg.calibration circle").count()
            assert dots >= 2
            assert section.locator("tbody tr").count() == dots
            assert "Log loss" in section.inner_text()
            box = section.locator("svg.calibration").bounding_box()
            assert box is not None and box["width"] <= viewport["width"]
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            # The dots and the diagonal stand out from the page in either theme.
            fill = section.locator("circle").first.evaluate("e => getComputedStyle(e).fill")
            background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert fill != background
            assert axe(page) == []
            section.screenshot(path=str(artifacts / f"calibration-{name}-{scheme}.png"))
            assert errors == []
            context.close()


def test_calibration_in_chinese_and_with_nothing_to_judge(runner: FlaskCliRunner, learner: int,
                                                          live_server: str, browser,
                                                          artifacts: Path) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    context = browser.new_context(locale="zh-CN", viewport=VIEWS["phone"])
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/stats")
    section = page.locator("#calibration")
    text = section.inner_text()
    assert "我的复习计划有多准" in text and "还没有可评估的复习" in text
    assert section.locator("circle").count() == 0
    section.screenshot(path=str(artifacts / "calibration-phone-zh-empty.png"))
    context.close()

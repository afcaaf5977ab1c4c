"""/reschedule on a 360 px phone and a desktop, light and dark, English and Chinese: a
learner back after three weeks previews a postpone, moves the cards, sees the reschedule
in the list and undoes it; no page wider than the screen, every control in reach, and
axe-core clean."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from config import PROJECT_ROOT
from models import User, db
from tests.e2e.test_look_browser import MIN_TAP, TAP_TARGETS
from tests.e2e.test_phone_pages_browser import DESKTOP, PHONE, SMALL_TARGETS, UNREACHABLE
from tests.seeding import seed_history
from tests.support import PAST_THE_SCREEN, browser_sign_in, make_user


@pytest.fixture
def away(app: Flask, runner: FlaskCliRunner) -> None:
    """ann studied the Docker bank for two months and stopped three weeks ago, with a
    day's reviews capped at 5: cards have piled up."""
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    make_user(app, "ann", reviews_per_day=5)
    with app.app_context():
        ann = db.session.scalar(select(User).where(User.name == "ann"))
        end = datetime.now(timezone.utc) - timedelta(days=21)
        seed_history(db.session, ann, ["docker"], end, days=60, per_day=4)


def _problems(page, axe, phone: bool) -> list[str]:
    found = axe(page)
    width = page.evaluate(PAST_THE_SCREEN)
    if width > 0:
        found.append(f"the page is {width} px wider than the screen")
    if phone:
        found += page.evaluate(SMALL_TARGETS, [TAP_TARGETS, MIN_TAP])
    return found + page.evaluate(UNREACHABLE)


@pytest.mark.parametrize(
    ("device", "scheme", "language"),
    [
        ("phone", "light", "en"),
        ("phone", "dark", "zh"),
        ("desktop", "light", "en"),
        ("desktop", "dark", "zh"),
    ],
)
def test_postpone_preview_move_and_undo(
    away: None, live_server: str, browser, axe, artifacts: Path,
    device: str, scheme: str, language: str,
) -> None:  # fmt: skip
    phone = device == "phone"
    context = browser.new_context(
        **(PHONE if phone else DESKTOP),
        color_scheme=scheme,
        locale="zh-CN" if language == "zh" else "en-GB",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems: dict[str, list[str]] = {}

    def look(name: str) -> None:
        page.screenshot(path=str(artifacts / f"{name}-{device}-{scheme}-{language}.png"),
                        full_page=True)  # fmt: skip
        if found := _problems(page, axe, phone):
            problems[name] = found

    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/")
    link = page.locator("a[href^='/reschedule?count='][href$='#postpone']")
    assert link.count() == 1, "Today does not offer to postpone"
    look("today")
    link.click()
    page.wait_for_load_state()
    look("reschedule")
    page.fill("#postpone-count", "6")
    page.fill("#postpone-days", "3")
    page.click("#postpone form button[type=submit]")
    page.wait_for_selector("#preview")
    assert page.locator(".reschedule-days li").count() == 3
    look("reschedule-preview")
    page.click("#preview button[type=submit]")
    page.wait_for_selector(".flash-success")
    assert page.locator(".reschedules tbody tr").count() == 1
    look("reschedule-done")
    page.click(".reschedules form button")
    page.wait_for_selector(".flash-success")
    look("reschedule-undone")
    if language == "zh":
        assert "重新安排" in page.inner_text("h1")
    context.close()
    assert problems == {}
    assert errors == []

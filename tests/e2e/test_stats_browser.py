"""The statistics page in Chromium over a seeded year, and a practice session from it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

import views.stats
from config import PROJECT_ROOT
from models import User, db
from tests.e2e.test_phone_pages_browser import CUT_LABELS
from tests.seeding import seed_history
from tests.support import browser_sign_in


def test_stats_of_a_seeded_year(app: Flask, runner: FlaskCliRunner, learner: int, live_server: str,
                                browser, artifacts: Path) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    with app.app_context():
        user = db.session.get(User, learner)
        user.timezone = "Asia/Shanghai"
        seed_history(db.session, user, ["docker"], datetime.now(timezone.utc), days=365, per_day=3)
    for name, viewport, scheme in (
        ("desktop", {"width": 1280, "height": 900}, "light"),
        ("phone", {"width": 390, "height": 844}, "dark"),
    ):
        assert (
            screenshot_stats(
                browser, live_server, artifacts / f"stats-{name}.png", viewport, scheme
            )
            == []
        )


def screenshot_stats(
    browser, live_server: str, path: Path, viewport: dict[str, int], scheme: str
) -> list[str]:
    """Sign in, open /stats, check it is whole, keep a screenshot; returns the page's errors."""
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/stats")
    assert page.locator(".heatmap rect").count() >= 365
    assert page.locator(".mastery-row").count() == 38
    # The cards' intervals and difficulties in a few bars, each named under it with its count.
    for kind, first, last in (("intervals", "0–1", "366+"), ("difficulty", "1–2", "9–10")):
        chart = page.locator(f"svg.bars.{kind}")
        names = chart.locator("text.tick").all_text_contents()
        assert (
            names[0] == first and names[-1] == last and len(names) == chart.locator("rect").count()
        )
        assert chart.locator("text.value").count() == len(names)
        chart.screenshot(path=str(path.with_name(f"{path.stem}-{kind}.png")))
    page.screenshot(path=str(path), full_page=True)
    context.close()
    return errors


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_a_month_beginning_in_the_last_column_is_named_whole(
    app: Flask, runner: FlaskCliRunner, learner: int, live_server: str, browser, artifacts: Path,
    monkeypatch: pytest.MonkeyPatch, locale: str,
) -> None:  # fmt: skip
    """On 4 November 2026 the calendar's last column is the week of November's first Monday:
    its name starts there, at the right edge, and must not run past it."""
    today = datetime(2026, 11, 4, 12, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(views.stats, "now_utc", lambda: today)
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    with app.app_context():
        user = db.session.get(User, learner)
        user.timezone = "UTC"
        seed_history(db.session, user, ["docker"], today, days=60, per_day=3)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/stats")
    last = page.locator(".heatmap:not(.weekdays) text").last.text_content()
    assert last == {"en-GB": "Nov", "zh-CN": "11月"}[locale]
    page.locator(".heatmap-chart").screenshot(path=str(artifacts / f"heatmap-{locale}.png"))
    assert page.evaluate(CUT_LABELS) == []
    context.close()


def test_practice_from_the_mastery_map(app: Flask, runner: FlaskCliRunner, learner: int, live_server: str,
                                       browser, artifacts: Path) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    page = browser.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/stats")
    page.click("a[href='/review/docker?section=runc']")
    page.wait_for_selector('[data-review][data-phase="front"]')
    assert "Extra study of" in page.inner_text(".practice-note")
    first = page.get_attribute("[data-card]", "data-card-id")
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.screenshot(path=str(artifacts / "practice-back.png"))
    page.keyboard.press("3")
    page.wait_for_function(
        "id => document.querySelector('[data-card]').dataset.cardId !== id", arg=first
    )
    with app.app_context():
        from sqlalchemy import func, select

        from models import Review

        assert (
            db.session.scalar(select(func.count()).select_from(Review)) == 0
        )  # the schedule is untouched
    page.close()

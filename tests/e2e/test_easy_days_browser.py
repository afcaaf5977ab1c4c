"""Easy days on the settings page in a real Chromium: on a 360 px phone and a desktop, light
and dark (and in Chinese), chosen, saved with the Schedule group's button and shown again;
no sideways scroll, each select a thumb's size, axe-core clean; a week all at Minimum warned of
at once; and the parameters' result in view where a phone comes back after "Back to defaults"."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from fsrs.scheduler import DEFAULT_PARAMETERS

from models import User, db
from tests.e2e.test_look_browser import MIN_TAP, TAP_TARGETS
from tests.e2e.test_phone_pages_browser import DESKTOP, PHONE, SMALL_TARGETS, UNREACHABLE
from tests.support import PAST_THE_SCREEN, browser_sign_in


@pytest.mark.parametrize(
    ("device", "scheme", "language"),
    [
        ("phone", "light", "en"),
        ("phone", "dark", "en"),
        ("phone", "light", "zh"),
        ("desktop", "light", "en"),
        ("desktop", "dark", "en"),
    ],
)
def test_easy_days_are_chosen_saved_and_fit_the_screen(
    app: Flask, learner: int, live_server: str, browser, axe, artifacts: Path,
    device: str, scheme: str, language: str,
) -> None:  # fmt: skip
    context = browser.new_context(
        **(PHONE if device == "phone" else DESKTOP),
        color_scheme=scheme,
        locale="zh-CN" if language == "zh" else "en-GB",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings#schedule")
    days = page.locator(".easy-days select")
    assert days.count() == 7
    saturday = "星期六" if language == "zh" else "Saturday"
    assert page.locator("label[for=easy_day_5]").inner_text() == saturday
    page.select_option("#easy_day_5", "0.5")
    page.select_option("#easy_day_6", "0.0")
    page.click("#schedule button[type=submit]")
    page.wait_for_url("**/settings?saved=schedule#schedule-saved")
    # The page comes back at the button's confirmation, whole on the screen.
    saved = page.locator("#schedule-saved")
    assert saved.inner_text() == ("✓ 已保存" if language == "zh" else "✓ Saved")
    box, height = saved.bounding_box(), page.evaluate("innerHeight")
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
    button = page.locator("#schedule .save-row button").bounding_box()
    assert button is not None and button["y"] >= 0 and button["y"] + button["height"] <= height
    assert [days.nth(day).input_value() for day in range(7)] == ["1.0"] * 5 + ["0.5", "0.0"]
    with app.app_context():
        assert db.session.get_one(User, learner).easy_days == [1, 1, 1, 1, 1, 0.5, 0]

    name = f"settings-{device}-{scheme}-{language}"
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)
    page.locator(".easy-days").screenshot(path=str(artifacts / f"{name}-easy-days.png"))
    problems = axe(page)
    width = page.evaluate(PAST_THE_SCREEN)
    if width > 0:
        problems.append(f"the page is {width} px wider than the screen")
    if device == "phone":
        problems += page.evaluate(SMALL_TARGETS, [TAP_TARGETS, MIN_TAP])
    problems += page.evaluate(UNREACHABLE)
    # Each day's name and its select share a row, both whole inside the fieldset.
    rows = page.eval_on_selector_all(
        ".easy-days-grid .field",
        """rows => rows.map((row) => {
          const [label, select] = [row.querySelector('label'), row.querySelector('select')];
          const box = row.closest('fieldset').getBoundingClientRect();
          const [l, s] = [label.getBoundingClientRect(), select.getBoundingClientRect()];
          return Math.abs(l.top + l.height / 2 - (s.top + s.height / 2)) < 4
            && s.right <= box.right + 0.5 && l.left >= box.left - 0.5;
        })""",
    )
    assert rows == [True] * 7
    context.close()
    assert problems == []
    assert errors == []


def test_every_day_at_minimum_is_warned_of_at_once(
    learner: int, live_server: str, browser, axe
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings#schedule")
    warning = page.locator("#easy-days-error")
    assert warning.is_hidden()
    for day in range(7):
        page.select_option(f"#easy_day_{day}", "0.0")
    assert warning.is_visible()
    assert warning.inner_text().startswith("At least one day must be above 0 (Minimum)")
    assert "easy-days-error" in page.get_attribute("#easy-days", "aria-describedby")
    assert axe(page) == []
    page.select_option("#easy_day_2", "0.5")
    assert warning.is_hidden()
    assert page.get_attribute("#easy-days", "aria-describedby") == "easy-days-hint"
    context.close()


@pytest.mark.parametrize("language", ["en", "zh"])
def test_back_to_defaults_says_what_it_did_where_the_phone_lands(
    app: Flask, learner: int, live_server: str, browser, language: str
) -> None:
    with app.app_context():
        db.session.get_one(User, learner).fsrs_parameters = list(DEFAULT_PARAMETERS)
        db.session.commit()
    context = browser.new_context(**PHONE, locale="zh-CN" if language == "zh" else "en-GB")
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings#parameters")
    page.click("#parameters .optimize-row form:last-child button")
    page.wait_for_url("**/settings#parameters-result")
    result = page.locator("#parameters-result")
    expected = ("已改用默认参数；0 张卡片已重新安排；今天到期：0 → 0。" if language == "zh"
                else "Default parameters in use; 0 cards rescheduled; due today: 0 → 0.")  # fmt: skip
    assert result.inner_text().endswith(expected)
    box, height = result.bounding_box(), page.evaluate("innerHeight")
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height
    assert page.locator(".flashes").count() == 0
    context.close()

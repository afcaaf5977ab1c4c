"""The settings page in real Chromium: a change typed into one group is not lost without a
word when another group's Save (or a link) leaves the page."""

from __future__ import annotations

from flask import Flask

from models import User, db
from tests.support import browser_sign_in


def test_a_change_not_saved_is_not_lost_to_another_groups_save(
    app: Flask, learner: int, live_server: str, browser
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings")
    asked: list[str] = []

    def stay(dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.fill("#new_per_day", "25")
    page.click("#appearance button[type=submit]")
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]  # the browser asks whether to leave the change
    assert page.input_value("#new_per_day") == "25"  # and staying keeps it
    page.click("#study button[type=submit]")  # its own Save takes it, without asking
    page.wait_for_url("**/settings?saved=study*")
    assert asked == ["beforeunload"]
    with app.app_context():
        assert db.session.get_one(User, learner).new_per_day == 25
    page.click("#appearance button[type=submit]")  # nothing left unsaved: nothing asked
    page.wait_for_url("**/settings?saved=appearance*")
    assert asked == ["beforeunload"]

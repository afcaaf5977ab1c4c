"""The learner's day in the browser's zone: a browser in Shanghai makes accounts in Shanghai,
and a learner still on the server's default is offered it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from models import User, db
from services.groups import create_group, create_invite
from tests.support import PASSWORD, browser_sign_in, first_run_code

ZONE = "Asia/Shanghai"


@pytest.fixture
def shanghai(browser) -> Iterator[object]:
    """A desktop page of a browser whose clock is in Shanghai, failing on script errors."""
    context = browser.new_context(timezone_id=ZONE, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def zone_of(app: Flask, name: str) -> str | None:
    with app.app_context():
        db.session.remove()  # read what the server committed, not an older snapshot
        return db.session.scalar(select(User.timezone).where(User.name == name))


def make_account(page, submit: str) -> None:
    page.fill("#name", "mei")
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    page.get_by_role("button", name=submit).click()


def test_setup_makes_the_admin_in_the_browsers_zone(
    app: Flask, live_server: str, shanghai, artifacts: Path
) -> None:
    page = shanghai
    page.goto(f"{live_server}/setup?code={first_run_code(app)}")
    assert page.input_value("#timezone") == ZONE
    page.screenshot(path=str(artifacts / "setup-zone.png"))
    make_account(page, "Create admin account")
    page.wait_for_url(f"{live_server}/")
    assert zone_of(app, "mei") == ZONE


def test_joining_from_an_invite_makes_the_member_in_the_browsers_zone(
    app: Flask, learner: int, live_server: str, shanghai, artifacts: Path
) -> None:
    with app.app_context():
        owner = db.session.get(User, learner)
        group = create_group(db.session, owner, "Readers", [])
        code = create_invite(
            db.session, group, owner, datetime.now(timezone.utc), days=7, max_uses=None
        ).code
        db.session.commit()
    page = shanghai
    page.goto(f"{live_server}/join/{code}")
    assert page.input_value("#timezone") == ZONE
    page.screenshot(path=str(artifacts / "join-zone.png"))
    make_account(page, "Make my account and join")
    page.wait_for_url(f"{live_server}/groups/*")
    assert zone_of(app, "mei") == ZONE


def test_a_learner_on_the_default_zone_is_offered_the_browsers(
    app: Flask, learner: int, live_server: str, shanghai, artifacts: Path
) -> None:
    page = shanghai
    browser_sign_in(page, live_server)
    offer = page.locator("[data-zone-offer]")
    offer.wait_for(state="visible")
    assert ZONE in offer.inner_text()
    page.screenshot(path=str(artifacts / "zone-offer.png"))
    page.get_by_role("button", name="Keep UTC").click()
    assert offer.is_hidden()
    page.reload()
    assert page.locator("[data-zone-offer]").is_hidden()  # kept away in this browser
    page.evaluate("localStorage.clear()")
    page.reload()
    page.get_by_role("button", name="Use my browser's time zone").click()
    page.wait_for_url(f"{live_server}/")
    assert "now follow the time zone Asia/Shanghai" in page.inner_text("main")
    assert page.locator("[data-zone-offer]").count() == 0
    assert zone_of(app, "ann") == ZONE

"""The study pages as a newcomer meets them in Chromium: named counters on a phone, the arrow
keys in a typed quiz answer, the copy buttons, the app's own dialog; and screenshots of each
page at 360 × 740 and 1280 × 900, light and dark, English and Chinese."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func

from models import Card, Group, Membership, User, db
from services.accounts import create_user
from services.groups import create_group, create_invite
from srs.scheduler import LEARNING
from tests.support import PASSWORD, browser_sign_in

BANK = """
id: typed
title: Typed answers
sections:
  - {id: engine, title: Engine}
  - {id: runtime, title: Runtime, parent: engine}
  - {id: net, title: Networks}
questions:
  - {id: a, type: typing, section: engine, prompt: 'first?', answer: one}
  - {id: b, type: typing, section: runtime, prompt: 'second?', answer: two}
  - {id: c, type: typing, section: net, prompt: 'third?', answer: three}
"""
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank, learner: int) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("typed", {"bank.yaml": BANK}))])


def _page(browser, live_server: str, **options: object):
    context = browser.new_context(**{"viewport": DESKTOP, **options})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, live_server)
    return context, page, errors


def _start_quiz(page, live_server: str, count: int = 3) -> None:
    page.goto(f"{live_server}/quiz/typed")
    page.fill("#count", str(count))
    page.click(".quiz-setup button[type=submit]")
    page.wait_for_selector("[data-quiz]")
    page.locator("[data-typed]:focus").wait_for()  # quiz.js has started: it focuses the answer


def test_review_counters_are_named_on_a_phone(
    bank: None, live_server: str, browser, artifacts: Path
) -> None:
    context, page, errors = _page(browser, live_server, viewport=PHONE, has_touch=True)
    page.goto(f"{live_server}/review/typed")
    page.wait_for_selector('[data-review][data-phase="front"]')
    labels = page.locator(".review-counts .count-label")
    assert labels.all_inner_texts() == ["New", "Learning", "Review"]
    for index in range(3):
        box = labels.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.inner_text('[data-count="new"]') == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "review-counters-phone.png"))
    context.close()
    assert errors == []


def test_arrow_keys_move_the_caret_first_then_the_question(
    bank: None, live_server: str, browser, artifacts: Path
) -> None:
    context, page, errors = _page(browser, live_server)
    _start_quiz(page, live_server)
    first = page.locator('.quiz-question[data-position="0"] [data-typed]')
    page.keyboard.type("abc")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("[data-place]") == "1"  # the caret moved, not the quiz
    assert first.evaluate("input => input.selectionStart") == 1
    page.keyboard.press("ArrowRight")
    assert page.inner_text("[data-place]") == "1"
    page.keyboard.type("X")  # typing goes on where the caret is
    assert first.input_value() == "abXc"
    page.keyboard.press("End")
    page.keyboard.press("ArrowRight")  # from the end of the text: the next question
    assert page.inner_text("[data-place]") == "2"
    page.keyboard.press("ArrowLeft")  # an empty answer is at its start: back again
    assert page.inner_text("[data-place]") == "1"
    assert first.input_value() == "abXc"
    page.keyboard.press("Home")
    page.keyboard.press("Shift+ArrowLeft")  # selecting stays in the text
    assert page.inner_text("[data-place]") == "1"
    page.keyboard.press("ArrowDown")  # ↓ moves at once
    assert page.inner_text("[data-place]") == "2"
    page.screenshot(path=str(artifacts / "quiz-typed.png"))
    context.close()
    assert errors == []


def test_submitting_blanks_asks_in_the_apps_dialog_not_the_browsers(
    bank: None, live_server: str, browser, artifacts: Path
) -> None:
    context, page, errors = _page(browser, live_server, viewport=PHONE, has_touch=True)
    native: list[str] = []
    page.on("dialog", lambda dialog: (native.append(dialog.message), dialog.dismiss()))
    _start_quiz(page, live_server)
    page.click('[data-action="submit"]')
    dialog = page.locator("dialog[data-confirm-dialog]")
    dialog.wait_for(state="visible")
    assert dialog.locator("[data-confirm-message]").inner_text() == (
        "3 questions are blank. Submit anyway?"
    )
    page.screenshot(path=str(artifacts / "quiz-confirm-phone.png"))
    dialog.locator('button[value="no"]').click()
    dialog.wait_for(state="hidden")
    assert "/result" not in page.url
    page.click('[data-action="submit"]')
    dialog.locator('button[value="yes"]').click()
    page.wait_for_url(f"{live_server}/quiz/typed/*/result")
    assert native == []
    context.close()
    assert errors == []


def _copy(page, field) -> str:
    field.locator("[data-copy-button]").click()
    field.locator("[data-copy-done]").wait_for(state="visible")
    assert field.locator("[data-copy-done]").inner_text() == "Copied"
    return page.evaluate("navigator.clipboard.readText()")


def test_the_share_link_and_the_invite_link_copy_with_one_click(
    app: Flask, bank: None, learner: int, live_server: str, browser, artifacts: Path
) -> None:
    with app.app_context():
        ann = db.session.get_one(User, learner)
        group = create_group(db.session, ann, "Readers", ["typed"])
        now = datetime.now(timezone.utc)
        code = create_invite(db.session, group, ann, now, days=7, max_uses=None).code
        db.session.commit()
        group_id = db.session.scalar(db.select(Group.id))
    context, page, errors = _page(browser, live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    _start_quiz(page, live_server)
    page.click('[data-action="submit"]')
    page.locator('dialog[data-confirm-dialog] button[value="yes"]').click()
    page.wait_for_url(f"{live_server}/quiz/typed/*/result")
    share = page.locator("[data-copy]")
    copied = _copy(page, share)
    assert copied == share.locator("[data-copy-text]").inner_text()
    assert copied.startswith(f"{live_server}/quiz/typed?seed=")
    page.screenshot(path=str(artifacts / "quiz-share-copied.png"), full_page=True)
    page.goto(f"{live_server}/groups/{group_id}")
    assert _copy(page, page.locator("[data-copy]")) == f"{live_server}/join/{code}"
    page.screenshot(path=str(artifacts / "invite-copied.png"), full_page=True)
    context.close()
    assert errors == []


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_study_pages_look_right(
    app: Flask, bank: None, learner: int, live_server: str, browser, artifacts: Path,
    scheme: str, language: str,
) -> None:  # fmt: skip
    with app.app_context():
        ann = db.session.get_one(User, learner)
        group = create_group(db.session, ann, "Readers", ["typed"])
        code = create_invite(
            db.session, group, ann, datetime.now(timezone.utc), days=7, max_uses=None
        ).code
        db.session.commit()
    for name, viewport, touch in (("phone", PHONE, True), ("desktop", DESKTOP, False)):
        context, page, errors = _page(
            browser, live_server, viewport=viewport, has_touch=touch, color_scheme=scheme,
            locale=language,
        )  # fmt: skip
        shots = {
            "today": "/",
            "review": "/review/typed",
            "practice": "/review/typed?section=engine",
            "quiz-setup": "/quiz/typed",
            "settings": "/settings",
            "group": "/groups/1",
        }
        for shot, path in shots.items():
            page.goto(f"{live_server}{path}")
            if path.startswith("/review"):  # the desktop's turn comes once all are buried
                page.wait_for_selector(
                    "[data-review][data-phase=front], [data-review][data-phase=done]"
                )
            page.screenshot(path=str(artifacts / f"{shot}-{name}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        if name == "phone":
            page.goto(f"{live_server}/review/typed")
            page.wait_for_selector('[data-review][data-phase="front"]')
            page.click('[data-action="bury"]')
            page.wait_for_selector("[data-status]:not(:empty)")
            page.screenshot(path=str(artifacts / f"review-buried-{name}.png"))
            for _ in range(2):
                page.wait_for_selector('[data-review][data-phase="front"]')
                page.click('[data-action="bury"]')
            page.wait_for_selector('[data-review][data-phase="done"]')
            page.locator(".progress-bar").evaluate(
                "bar => Promise.all(bar.getAnimations().map((a) => a.finished))"
            )
            page.screenshot(path=str(artifacts / f"review-done-{name}.png"))
        _start_quiz(page, live_server)
        page.screenshot(path=str(artifacts / f"quiz-take-{name}.png"))
        page.click('[data-action="submit"]')
        page.locator("dialog[data-confirm-dialog]").wait_for(state="visible")
        page.screenshot(path=str(artifacts / f"quiz-confirm-{name}.png"))
        page.locator('dialog[data-confirm-dialog] button[value="yes"]').click()
        page.wait_for_url(f"{live_server}/quiz/typed/*/result")
        page.screenshot(path=str(artifacts / f"quiz-result-{name}.png"), full_page=True)
        context.close()
        join = browser.new_context(viewport=viewport, color_scheme=scheme, locale=language)
        guest = join.new_page()
        guest.goto(f"{live_server}/join/{code}")
        guest.screenshot(path=str(artifacts / f"join-{name}.png"), full_page=True)
        join.close()
        assert errors == []


def test_the_review_page_ends_saying_when_the_learning_card_comes_back(
    app: Flask, bank: None, learner: int, live_server: str, browser, artifacts: Path
) -> None:
    context, page, errors = _page(browser, live_server, viewport=PHONE, has_touch=True)
    page.goto(f"{live_server}/review/typed")
    page.wait_for_selector('[data-review][data-phase="front"]')  # the first card is made
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(second=0, microsecond=0)
    with app.app_context():
        user = db.session.get_one(User, learner)
        user.timezone = "UTC"
        user.rollover_hour = (datetime.now(timezone.utc).hour + 12) % 24
        user.new_per_day = 0
        card = db.session.scalar(db.select(Card).where(Card.user_id == learner))
        card.state, card.due = LEARNING, due
        db.session.commit()
    page.goto(f"{live_server}/review/typed")
    page.wait_for_selector('[data-review][data-phase="done"]')
    # The page opens saying "Done for now" and fills in when once the server has said: wait
    # for that, not for the title it starts with.
    page.locator("[data-done-text]", has_text="learning card").wait_for()
    assert page.inner_text("[data-done-title]") == "Done for now"
    assert page.inner_text("[data-done-text]") == (
        f"1 learning card comes back at {due.strftime('%H:%M')}."
    )
    assert page.inner_text('[data-count="learning"]') == "1"
    assert not page.locator(".action-bar").is_visible()  # no empty frame at the end
    page.screenshot(path=str(artifacts / "review-done-for-now-phone.png"))
    context.close()
    assert errors == []


def test_what_a_group_cannot_take_back_is_asked_first(
    app: Flask, bank: None, learner: int, live_server: str, browser, artifacts: Path
) -> None:
    """Revoke, Make owner, Remove and Leave ask in the app's dialog; Cancel changes nothing."""
    with app.app_context():
        ann = db.session.get_one(User, learner)
        group = create_group(db.session, ann, "Readers", ["typed"])
        bob = create_user(db.session, "bob", PASSWORD)
        db.session.add(Membership(group_id=group.id, user_id=bob.id))
        create_invite(db.session, group, ann, datetime.now(timezone.utc), days=7, max_uses=None)
        db.session.commit()
        group_id = group.id
    context, page, errors = _page(browser, live_server)
    page.goto(f"{live_server}/groups/{group_id}")
    dialog = page.locator("dialog[data-confirm-dialog]")
    remove = page.locator("form[data-ask] button", has_text="Remove")
    remove.click()
    assert dialog.is_visible()
    assert page.inner_text("[data-confirm-message]") == (
        "Remove bob from the group? An invite will not let them back in until you allow it."
    )
    yes = dialog.locator('button[value="yes"]')
    assert yes.inner_text() == "Remove" and yes.get_attribute("class") == "button danger"
    page.screenshot(path=str(artifacts / "group-remove-asked.png"))
    dialog.locator('button[value="no"]').click()
    assert dialog.is_hidden() and page.url == f"{live_server}/groups/{group_id}"
    with app.app_context():
        assert db.session.scalar(db.select(func.count()).select_from(Membership)) == 2
    page.locator("form[data-ask] button", has_text="Revoke").click()
    assert page.inner_text("[data-confirm-message]").startswith("Revoke the invite ")
    assert yes.get_attribute("class") == "button danger"
    dialog.locator('button[value="no"]').click()
    page.locator("form[data-ask] button", has_text="Make owner").click()
    assert yes.get_attribute("class") == "button primary"  # nothing lost by it
    dialog.locator('button[value="no"]').click()
    remove.click()
    dialog.locator('button[value="yes"]').click()
    page.locator(".members li", has_text="bob").wait_for(state="detached")
    with app.app_context():
        members = db.session.scalars(db.select(Membership.user_id)).all()
        assert members == [learner]
    assert [f.get_attribute("data-ask") is not None for f in page.locator(
        "form:has(button:text-is('Leave the group'))").all()] == [True]  # fmt: skip
    context.close()
    assert errors == []

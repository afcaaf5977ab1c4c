"""The question editor in Chromium: typing updates the preview and shows a lint warning,
saving rewrites only that question's lines and keeps a learner's history; on a phone and
a desktop, light and dark, in English and Chinese."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from models import Card, Review, User, db
from services.answers import answer
from services.bank_import import import_bank
from services.context import Study
from services.queue import next_card
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.support import browser_sign_in, make_user
from tests.web.editor_support import changed_lines, question_lines, write_editor_bank

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# The page's first check answers 1.5 s late (its response held back, not its request).
HOLD_FIRST_CHECK = """
(() => {
  const fetch = window.fetch.bind(window);
  let held = false;
  window.fetch = async (url, options) => {
    const response = await fetch(url, options);
    if (String(url).endsWith("/check") && !held) {
      held = true;
      await new Promise((resolve) => setTimeout(resolve, 1500));
    }
    return response;
  };
})();
"""
DEVICES = {
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture
def edited(app: Flask, tmp_path: Path) -> tuple[Path, int]:
    """A copy of the editor's bank, an admin, and ann's review of b1: the folder and the
    card's id."""
    root = write_editor_bank(tmp_path / "ed")
    make_user(app, "root", admin=True)
    ann = make_user(app, "ann")
    with app.app_context():
        import_bank(db.session, load_bank(root))
        study = Study.at(db.session, db.session.get(User, ann), NOW)
        card, _ = next_card(study, ["ed"])
        answer(study, card, Rating.GOOD)
        db.session.commit()
        return root, card.id


def test_edit_a_question_with_its_live_preview_and_save_it(
    app: Flask, edited: tuple[Path, int], live_server: str, browser, axe, artifacts: Path
) -> None:
    root, card_id = edited
    before = (root / "bank.yaml").read_text()
    with app.app_context():
        due = db.session.get(Card, card_id).due
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, live_server, "root")
    page.goto(f"{live_server}/banks/ed")
    page.click("#q-b1 .edit-link")
    page.wait_for_url("**/banks/ed/questions/b1/edit")
    assert axe(page) == []
    page.fill("#f-answer", "a single thing")
    page.click("#f-prompt")
    page.keyboard.press("Control+A")
    page.keyboard.type("Is it *a single thing*?")
    page.wait_for_selector("[data-preview] em:text('a single thing')")
    warning = page.wait_for_selector("#f-prompt-problems .warning, [data-general] .warning")
    assert "prompt-leak" in warning.text_content()
    page.screenshot(path=str(artifacts / "editor-live-desktop.png"), full_page=True)
    page.click("#editor-form button[type=submit]")
    page.wait_for_url("**/banks/ed#q-b1")
    context.close()
    after = (root / "bank.yaml").read_text()
    start, end = question_lines(before, "b1")
    changes = changed_lines(before, after)
    assert changes and all(start <= i1 and i2 <= end for i1, i2 in changes)
    assert "    prompt: Is it *a single thing*?\n    answer: a single thing\n" in after
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert (card.due, card.retired, card.question.content["prompt"]) == (
            due,
            False,
            "Is it *a single thing*?",
        )
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    assert errors == []


def test_a_diagram_chosen_from_the_banks_folder_goes_where_the_cursor_was(
    edited: tuple[Path, int], live_server: str, browser, artifacts: Path
) -> None:
    root, _ = edited
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    browser_sign_in(page, live_server, "root")
    page.goto(f"{live_server}/banks/ed/questions/b1/edit")
    offered = page.locator("[data-picker] option").evaluate_all("os => os.map((o) => o.value)")
    assert offered == ["diagrams/engine.svg"]  # the bank's folder, nothing else
    page.click("#f-prompt")
    page.keyboard.press("End")
    page.click("[data-insert]")
    assert page.input_value("#f-prompt").endswith("\n\n![engine](diagrams/engine.svg)\n")
    page.wait_for_selector("[data-preview] img[src='/banks/ed/diagrams/engine.svg']")
    page.screenshot(path=str(artifacts / "editor-diagram.png"), full_page=True)
    page.click("#editor-form button[type=submit]")
    page.wait_for_url("**/banks/ed#q-b1")
    context.close()
    assert "![engine](diagrams/engine.svg)" in (root / "bank.yaml").read_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_editor_fits_a_phone_and_a_desktop(
    edited: tuple[Path, int],
    live_server: str,
    browser,
    axe,
    artifacts: Path,
    device: str,
    scheme: str,
) -> None:
    context = browser.new_context(**DEVICES[device], color_scheme=scheme)
    page = context.new_page()
    browser_sign_in(page, live_server, "root")
    width = DEVICES[device]["viewport"]["width"]
    found = {}
    for name, path in {
        "edit-choice": "/banks/ed/questions/ch1/edit",
        "edit-occlusion": "/banks/ed/questions/occ1/edit",
        "new": "/banks/ed/add?type=order&section=two",
        "retire": "/banks/ed/questions/t1/retire",
    }.items():
        for language in ("en", "zh_Hans"):
            page.goto(f"{live_server}/language/{language}?next={path}")
            page.wait_for_load_state()
            shot = artifacts / f"{name}-{language}-{device}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            found[f"{name} {language}"] = axe(page) + (
                [f"{scroll} px wide"] if scroll > width else []
            )
    context.close()
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_preview_ends_on_the_latest_text_when_an_older_check_answers_last(
    edited: tuple[Path, int], live_server: str, browser
) -> None:
    """A check still out when the prompt changes again (here held back 1.5 s, so it would
    answer after the newer one) never leaves the preview or the status on an older draft."""
    context = browser.new_context(**DEVICES["desktop"])
    context.add_init_script(HOLD_FIRST_CHECK)
    page = context.new_page()
    browser_sign_in(page, live_server, "root")
    page.goto(f"{live_server}/banks/ed/questions/b1/edit")
    page.click("#f-prompt")
    page.keyboard.press("Control+A")
    page.keyboard.type("First draft")
    page.wait_for_timeout(450)  # the first check is out, held back
    page.keyboard.type(" and the final words")
    page.wait_for_timeout(2500)
    preview = page.locator("[data-preview]")
    assert "First draft and the final words" in preview.inner_text()
    assert "stale" not in (preview.get_attribute("class") or "")
    status = page.locator("[data-status]").inner_text()
    assert "Checking" not in status and "No problems" in status
    context.close()


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "1 problem: it cannot be saved like this."), ("zh_Hans", "1 个问题：这样无法保存。")],
)
def test_the_checks_count_in_the_pages_plural_forms(
    edited: tuple[Path, int], live_server: str, browser, language: str, said: str
) -> None:
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    browser_sign_in(page, live_server, "root")
    page.goto(f"{live_server}/language/{language}?next=/banks/ed/questions/b1/edit")
    page.fill("#f-answer", "")
    page.wait_for_function(
        "text => document.querySelector('[data-status]').textContent === text", arg=said
    )
    assert page.get_attribute("#f-answer", "aria-invalid") == "true"
    context.close()


@pytest.mark.parametrize("path", ["/banks/ed/questions/b1/edit", "/banks/ed/add?type=basic"])
def test_the_editor_sits_in_the_sites_centred_column(
    edited: tuple[Path, int], live_server: str, browser, path: str
) -> None:
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    browser_sign_in(page, live_server, "root")
    page.goto(f"{live_server}{path}")
    editor = page.locator(".editor").bounding_box()
    nav = page.locator(".site-nav").bounding_box()
    # centred, within the header's width (its padding inside), and two columns side by side
    assert abs(editor["x"] - (1280 - (editor["x"] + editor["width"]))) <= 1
    assert nav["x"] < editor["x"] and editor["width"] <= nav["width"]
    form = page.locator("#editor-form").bounding_box()
    side = page.locator(".editor-side").bounding_box()
    assert side["x"] >= form["x"] + form["width"] and abs(side["y"] - form["y"]) < 80
    context.close()


def test_leaving_the_editor_with_changes_not_saved_asks_first(
    edited: tuple[Path, int], live_server: str, browser
) -> None:
    """A page left unchanged closes without a question; a changed one asks (the browser's
    "leave site?" dialog), and saving does not ask."""
    context = browser.new_context(**DEVICES["phone"])
    asked: list[str] = []

    def open_editor():
        page = context.new_page()
        page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
        page.goto(f"{live_server}/banks/ed/questions/b1/edit")
        page.wait_for_selector("#editor-form")
        return page

    browser_sign_in(context.new_page(), live_server, "root")
    page = open_editor()
    page.close(run_before_unload=True)
    page.wait_for_event("close") if not page.is_closed() else None
    assert asked == []
    page = open_editor()
    page.fill("#f-answer", "changed, not saved")
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert asked == ["beforeunload"]
    page = open_editor()
    page.fill("#f-answer", "changed and saved")
    page.click("#editor-form button[type=submit]")
    page.wait_for_url("**/banks/ed#q-b1")
    assert asked == ["beforeunload"]
    context.close()

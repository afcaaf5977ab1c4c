"""From the notes: after an answer, the passage of the notes a card comes from, in a panel
beside the explanation on a desktop and below it on a phone; reached by keyboard without
taking the review's keys, in both themes, axe-core clean, and said to be unavailable
offline when there is no connection."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from tests.support import PAST_THE_SCREEN, browser_sign_in, make_user

BANK = """\
id: panel
title: 笔记面板
language: zh-CN
notes: [notes/study.md]
sections:
  - {id: images, title: 镜像}
questions:
  - id: digest
    type: basic
    section: images
    prompt: 镜像摘要（digest）由什么算出？
    answer: 镜像内容的 sha256
    explanation: 内容一变，摘要就变；tag 却可以移动。
    source: study.md#镜像 > 镜像摘要
"""
# A long unbroken command and a table: what would push a phone's page sideways.
NOTES = """\
# 镜像

镜像是容器的只读模板。

## 镜像摘要

摘要（digest）是镜像内容的 `sha256` 哈希，内容一变摘要就变：

```
docker pull ubuntu@sha256:4b1d0c4a2d2aaf63b37111f34eb9fa89fa1bf53dd6e4ca954d47caebca4005c2 --platform=linux/arm64/v8
```

| 名称 | 含义 |
| --- | --- |
| tag | 可以移动的名字，例如 `ubuntu:24.04-with-a-rather-long-suffix` |
| digest | 不可变的内容地址 |

## 镜像分层

每一层是一组文件的改动。
"""
DEVICES = {
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
TOGGLE = '[data-action="passage"]'
PANEL = "[data-passage]"


@pytest.fixture
def panel_bank(runner: FlaskCliRunner, write_bank, learner: int) -> str:
    folder = write_bank("panel", {"bank.yaml": BANK, "notes/study.md": NOTES})
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return "panel"


def to_back(page, base: str) -> None:
    page.goto(f"{base}/review/panel")
    page.wait_for_selector('[data-review][data-phase="front"]')
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')


def focus_by_tab(page, selector: str) -> bool:
    """Move the focus backwards with Shift+Tab until ``selector`` has it (the grades come
    after the card in the page)."""
    for _ in range(12):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return True
        page.keyboard.press("Shift+Tab")
    return False


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_passage_opens_beside_or_below_the_explanation(
    panel_bank: str, live_server: str, browser, axe, artifacts: Path, device: str, scheme: str
) -> None:
    context = browser.new_context(**DEVICES[device], color_scheme=scheme)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    browser_sign_in(page, live_server)
    to_back(page, live_server)
    toggle = page.locator(TOGGLE)
    assert toggle.is_visible()
    assert "镜像 › 镜像摘要" in toggle.inner_text()
    assert page.locator(PANEL).is_hidden()

    # By keyboard: Tab reaches the button, Enter opens the panel and grades nothing.
    assert focus_by_tab(page, TOGGLE)
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{PANEL} .passage-body code")
    assert page.get_attribute("[data-review]", "data-phase") == "back"
    assert toggle.get_attribute("aria-expanded") == "true"
    panel = page.locator(PANEL)
    assert "镜像 › 镜像摘要" in panel.locator("[data-passage-path]").inner_text()
    assert "内容一变摘要就变" in panel.inner_text()
    assert "镜像分层" not in panel.inner_text()  # the passage ends at the next heading
    assert "study.md" in panel.locator("[data-passage-where]").inner_text()

    explanation = page.locator("[data-explanation]").bounding_box()
    box = panel.bounding_box()
    if device == "desktop":
        # Beside: to the right of the explanation, level with it.
        assert box["x"] >= explanation["x"] + explanation["width"]
        assert box["y"] < explanation["y"] + explanation["height"]
    else:
        assert box["y"] >= explanation["y"] + explanation["height"]
    wide = page.evaluate(PAST_THE_SCREEN)
    assert wide <= 0, f"the page is {wide} px wider than the screen"
    panel.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"passage-{device}-{scheme}.png"))
    page.screenshot(path=str(artifacts / f"passage-{device}-{scheme}-whole.png"), full_page=True)
    assert axe(page) == []

    # Esc closes it and gives the focus back to its button; N opens it again.
    page.keyboard.press("Escape")
    assert panel.is_hidden()
    assert page.evaluate("(s) => document.activeElement.matches(s)", TOGGLE)
    page.keyboard.press("n")
    page.wait_for_selector(f"{PANEL}:not([hidden]) .passage-body code")
    # The review's own keys still answer the card with the panel open.
    page.keyboard.press("3")
    page.wait_for_selector('[data-review][data-phase="front"], [data-review][data-phase="done"]')
    assert panel.is_hidden() and page.locator("[data-passage-offer]").is_hidden()
    context.close()
    assert errors == []


def test_without_a_connection_the_panel_says_the_notes_are_unavailable_offline(
    panel_bank: str, live_server: str, browser, artifacts: Path
) -> None:
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    browser_sign_in(page, live_server)
    to_back(page, live_server)
    context.set_offline(True)
    page.click(TOGGLE)
    status = page.locator("[data-passage-status]")
    status.filter(has_text="offline").wait_for()
    assert status.get_attribute("class").split().count("is-failed") == 1
    wide = page.evaluate(PAST_THE_SCREEN)
    assert wide <= 0
    page.screenshot(path=str(artifacts / "passage-offline-phone.png"))
    # Back online, the same button fetches it.
    context.set_offline(False)
    page.click(TOGGLE)  # closes
    page.click(TOGGLE)
    page.wait_for_selector(f"{PANEL} .passage-body code")
    assert page.locator("[data-passage-status]").inner_text() == ""
    context.close()


def test_the_editor_marks_a_bad_source_beside_its_field_as_one_types(
    app, panel_bank: str, live_server: str, browser
) -> None:
    make_user(app, "root", admin=True)
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    browser_sign_in(page, live_server, "root")
    page.goto(f"{live_server}/banks/panel/questions/digest/edit")
    field = page.locator("#f-source")
    assert field.input_value() == "study.md#镜像 > 镜像摘要"
    field.fill("study.md#镜像分")
    problem = page.locator('[data-problems-for="source"] li')
    problem.filter(has_text="镜像分").wait_for()
    assert "镜像分层" in problem.inner_text()  # did you mean
    assert page.get_attribute("#f-source", "aria-invalid") == "true"
    field.fill("study.md#镜像分层")
    page.wait_for_selector('[data-field="source"]:not(.has-error)')
    page.locator('[data-problems-for="source"]:empty').wait_for(state="attached")
    context.close()


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_coverage_of_the_notes_fits_and_passes_axe(
    app, panel_bank: str, live_server: str, browser, axe, artifacts: Path, device: str
) -> None:
    make_user(app, "root", admin=True)
    problems: dict[str, object] = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(**DEVICES[device], color_scheme=scheme)
        page = context.new_page()
        browser_sign_in(page, live_server, "root")
        page.goto(f"{live_server}/banks/panel#coverage")
        coverage = page.locator("#coverage")
        assert coverage.locator('.is-gap[data-anchor="镜像分层"]').is_visible()
        coverage.screenshot(path=str(artifacts / f"coverage-{device}-{scheme}.png"))
        wide = page.evaluate(PAST_THE_SCREEN)
        if wide > 0:
            problems[f"{scheme} width"] = wide
        if found := axe(page):
            problems[f"{scheme} axe"] = found
        if device == "phone":  # the bank page's links and buttons are whole tap targets
            small = page.evaluate(
                """[...document.querySelectorAll('.outline a, .coverage-list a, .bank-tools a')]
                   .filter((a) => a.getBoundingClientRect().height < 44).map((a) => a.textContent)"""
            )
            if small:
                problems[f"{scheme} small taps"] = small
        context.close()
    assert problems == {}


def test_a_practice_session_offers_the_passage_too(
    panel_bank: str, live_server: str, browser
) -> None:
    context = browser.new_context(**DEVICES["desktop"])
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/review/panel?section=images")
    page.wait_for_selector('[data-review][data-practice][data-phase="front"]')
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.keyboard.press("n")
    page.wait_for_selector(f"{PANEL} .passage-body code")
    assert "镜像 › 镜像摘要" in page.locator("[data-passage-path]").inner_text()
    context.close()

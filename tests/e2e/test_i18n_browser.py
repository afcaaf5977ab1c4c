"""The review loop in a Chinese browser: the script's texts come translated from the page."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from tests.support import browser_sign_in

BANK = """
id: zh
title: 中文界面
language: zh-CN
questions:
  - {id: pick, type: choice, prompt: 默认存储驱动？, choices: [aufs, overlay2], correct: 1}
  - {id: plain, type: basic, prompt: 真正创建容器的是谁？, answer: runc}
"""


def test_review_speaks_chinese_in_a_chinese_browser(
    app: Flask, runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser,
    artifacts: Path,
) -> None:  # fmt: skip
    runner.invoke(args=["bank", "import", str(write_bank("zh", {"bank.yaml": BANK}))])
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        browser_sign_in(page, live_server)
        assert page.get_attribute("html", "lang") == "zh-Hans"
        page.goto(f"{live_server}/review/zh")
        page.wait_for_selector('[data-review][data-phase="front"] [data-card]:not([hidden])')
        assert page.text_content("[data-state]") == "新卡片"
        labels = page.locator("[data-response] .option-text").all_inner_texts()
        page.keyboard.press(str(labels.index("overlay2") + 1))  # the right choice, shuffled
        page.wait_for_selector('[data-review][data-phase="back"]')
        assert page.text_content("[data-verdict]") == "✓ 答对了"
        intervals = page.locator("[data-ivl]").all_text_contents()
        assert all(text.endswith(("分钟", "小时", "天", "个月", "年")) for text in intervals)
        assert page.text_content('[data-rating="3"] .grade-name') == "良好"
        page.screenshot(path=str(artifacts / "review-zh.png"))
        page.keyboard.press("3")
        page.wait_for_selector('[data-review][data-phase="front"] [data-show-label]')
        assert page.text_content("[data-show-label]") == "显示答案"
    finally:
        context.close()
    assert errors == []

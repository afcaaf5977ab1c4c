"""A Chinese paragraph broken over source lines reads as one on the page."""

from __future__ import annotations

from flask.testing import FlaskClient, FlaskCliRunner

BANK = """
id: zh
title: 中文
language: zh-CN
questions:
  - id: q
    type: basic
    prompt: |
      数据卷可以在容器间
      共享。
      Docker 不会删除它。
    answer: 是
    explanation: |
      Volumes outlive
      containers.
"""


def test_bank_page_joins_chinese_lines_without_a_space(
    runner: FlaskCliRunner, write_bank, signed_in: FlaskClient
) -> None:
    assert (
        runner.invoke(args=["bank", "import", str(write_bank("zh", {"bank.yaml": BANK}))]).exit_code
        == 0
    )
    page = signed_in.get("/banks/zh").get_data(as_text=True)
    assert "数据卷可以在容器间共享。Docker 不会删除它。" in page
    assert "Volumes outlive\ncontainers." in page

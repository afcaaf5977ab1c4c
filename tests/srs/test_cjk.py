"""Soft line breaks beside Chinese or Japanese text join without a space; others stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from srs.anki import write_apkg
from srs.cjk import is_cjk, join_soft_breaks
from srs.render import render_markdown
from srs.sources import load_bank
from tests.srs.test_anki import package_notes


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ("数据卷\n共享", "数据卷共享"),  # CJK–CJK
        ("共享。\nDocker", "共享。Docker"),  # CJK punctuation, then Latin
        ("Docker\n共享", "Docker 共享"),  # Latin, then Han: one space, as copy-editing asks
        ("放进\ndockerd", "放进 dockerd"),  # Han, then Latin
        ("版本\n29", "版本 29"),  # Han, then a digit
        ("Docker\nvolumes", "Docker\nvolumes"),  # Latin–Latin: a space on the page
        ("コンテナ\nを", "コンテナを"),  # kana
        ("１２\n３", "１２３"),  # full-width forms
        ("文本 \n  续行", "文本续行"),  # the spaces around the break go with it
        ("도커\n컨테이너", "도커\n컨테이너"),  # Korean words are spaced
        ("a\n\nb", "a\n\nb"),  # not a soft break
    ],
)
def test_soft_break_rule(text: str, joined: str) -> None:
    assert join_soft_breaks(text) == joined


def test_neighbours_outside_the_run_decide_at_its_edges() -> None:
    assert join_soft_breaks("\nDocker", before="享") == " Docker"
    assert join_soft_breaks("\nDocker", before="。") == "Docker"
    assert join_soft_breaks("Docker\n", after="共") == "Docker "
    assert join_soft_breaks("Docker\n", after="v") == "Docker\n"
    assert not is_cjk("") and not is_cjk("a") and is_cjk("，") and is_cjk("𠀋")


def test_rendered_paragraph_joins_chinese_lines_across_emphasis() -> None:
    html = render_markdown(
        "数据卷可以在容器间\n共享。\n**Docker** 不会删除它，\n*unless* asked\nto."
    )
    assert (
        html
        == "<p>数据卷可以在容器间共享。<strong>Docker</strong> 不会删除它，<em>unless</em> asked\nto.</p>"
    )


def test_list_items_join_too() -> None:
    assert render_markdown("- 镜像\n  分层\n- layers\n  stack") == (
        "<ul>\n<li>镜像分层</li>\n<li>layers\n  stack</li>\n</ul>"
    )


def test_code_is_left_as_written() -> None:
    block = render_markdown("```\n数据卷\n共享\n```")
    assert "数据卷\n共享" in block
    inline = render_markdown("运行 `docker\n卷` 命令")
    assert "<code>docker\n卷</code>" in inline


def test_anki_export_joins_chinese_lines(tmp_path: Path) -> None:
    folder = tmp_path / "zh"
    folder.mkdir()
    (folder / "bank.yaml").write_text(
        "id: zh\ntitle: 中文\nquestions:\n"
        "  - id: q\n    type: basic\n    prompt: |\n      数据卷可以在容器间\n      共享。\n"
        "      Docker 不会删除它。\n    answer: 是\n",
        encoding="utf-8",
    )
    write_apkg(load_bank(folder), tmp_path / "zh.apkg")
    fields = " ".join(" ".join(f) for f in package_notes(tmp_path / "zh.apkg").values())
    assert "数据卷可以在容器间共享。Docker 不会删除它。" in fields

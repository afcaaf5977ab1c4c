"""srs.quickmark writes what Python-Markdown writes, for every text it takes."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from srs import render
from srs.faces import question_texts
from srs.quickmark import quick_html
from srs.sources import read_bank

ROOT = Path(__file__).resolve().parents[2]
BANKS = [ROOT / "quizzes" / "docker", ROOT / "tests" / "banks" / "diagram"]


def markdown(text: str) -> str:
    """``text`` as Python-Markdown alone renders it, before sanitising."""
    return render._markdown_convert(text)


def quick(text: str) -> str | None:
    return quick_html(text, render._markdown()[0])


def bank_texts() -> list[str]:
    texts: list[str] = []
    for folder in BANKS:
        bank = read_bank(folder)
        for question in bank.questions:
            content = question.content()
            texts += question_texts(question.type, content, question.explanation, bank.language)
    return list(dict.fromkeys(texts))


def test_every_text_of_the_shipped_banks_it_takes_renders_as_python_markdown_renders_it() -> None:
    texts = bank_texts()
    taken = [text for text in texts if quick(text) is not None]
    assert [text for text in taken if quick(text) != markdown(text)] == []
    # Most of a bank's texts are of the shapes it reads (those left have images, lists,
    # headings, quotes or links).
    assert len(taken) > len(texts) / 2, (len(taken), len(texts))


# Pieces that sit near the edges of the rules: emphasis, code, brackets, raw HTML, entities,
# the starts of blocks, Chinese beside Latin at line breaks, fences with and without blanks.
PIECES = [
    "a", "Word", "主题", "文。", "（", "“", "ｘ", "한국", "é", "§", "—", "2989 ", "1", "$",
    " ", "  ", "`x`", "`a<b & c>`", "``", "`", "**b**", "*e*", "**a & b>**", "**", "*", "x**b**y", "中*e*文",
    "_", "__x__", "a_b", "&", "&amp;", "&#1;", "&\u212a;", "&\u017f;", "`&#1`", "`<!--x--!>`",
    "`<!--`", "--!>`", ">", "<", "<b>", '<span class="wg1-cloze">',
    "</span>", "[x]", "[...]", "[a](b)", "[a][b]", "![i](d.svg)", "(", ")", ".", ",", "!", "?",
    ":", ";", "\\", "#", "-", "+", "1.", "2)", "|", "~", "'", '"', "=", "---", "{{c1::a}}",
    "http://x.y", "<http://x.y>", "x@y.z", "    ", "\t", "\n", "\n\n", "\n中", "\nx", "\n`c`",
    "\n**s**", '\n<span class="wg1-cloze">', "\n2. ", "\n# ", "\n> ", "\n===", "\n- ",
    "\n```", "```sh\nls -l\n```", "\n\n```sh\nls -l\n```\n\n", "\n\n```\n<b>&\n```\n\n",
    "```py\n```\n\n", "```\ncode\n\nmore\n```", "- ", "-  ", "1. ", "3. ", "01. ", "1.", "\n1. ",
    "\n\n- ", "\n\n2. ", "- item\n- ", "1. one\n2. ", "\n    - ", "* ", "+ ",
]  # fmt: skip


def made_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PIECES, k=rng.randint(1, 8))) for _ in range(count)]


@pytest.mark.parametrize("seed", [1, 2])
def test_every_made_text_it_takes_renders_as_python_markdown_renders_it(seed: int) -> None:
    texts = made_texts(12_000, seed)
    taken = [text for text in texts if quick(text) is not None]
    assert [text for text in taken if quick(text) != markdown(text)] == []
    assert len(taken) > len(texts) / 10, len(taken)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("What does `cmd` do?", "<p>What does <code>cmd</code> do?</p>"),
        ("It **waits**; see [...].", "<p>It <strong>waits</strong>; see [...].</p>"),
        ("A & B > C", "<p>A &amp; B &gt; C</p>"),
        # A soft break beside Chinese is dropped, or is one space between Han and Latin;
        # between English words it is kept.
        ("容器\n镜像", "<p>容器镜像</p>"),
        ("放进\ndockerd", "<p>放进 dockerd</p>"),
        ("one\ntwo", "<p>one\ntwo</p>"),
        (
            "- a **list**\n- `of` two",
            "<ul>\n<li>a <strong>list</strong></li>\n<li><code>of</code> two</li>\n</ul>",
        ),
        ("3. pull\n4. run", '<ol start="3">\n<li>pull</li>\n<li>run</li>\n</ol>'),
        ("Steps:\n\n1. pull\n\nDone.", "<p>Steps:</p>\n<ol>\n<li>pull</li>\n</ol>\n<p>Done.</p>"),
        (
            "Run it:\n\n```sh\nls\n```\n\nDone.",
            '<p>Run it:</p>\n<div class="codehilite"><pre><span></span><code>ls\n'
            "</code></pre></div>\n\n<p>Done.</p>",
        ),
    ],
)
def test_the_common_shapes_are_read(text: str, html: str) -> None:
    assert quick(text) == html == markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        "# a heading",
        "> a quote",
        "a [link](https://example.com)",
        "![a diagram](d.svg)",
        "snake_case",
        "&copy; an entity",
        # "&" and a letter that is one of [a-z] ignoring case (the Kelvin sign: K).
        "a &\u212a; b",
        # What Python's HTML parser rewrites inside a code span too.
        "`&#1`",
        "`<!--x--!>`",
        "<b>raw HTML</b>",
        "a line\n===",
        "| a | table |\n|---|---|",
        "```sh {hl_lines='1'}\nls\n```",
        "```sh\nno end",
        "    indented code",
        "two spaces  inside",
        "a line\n```sh\nls\n```",
        # Lists of several lines an item, of both kinds, or one after another.
        "- a list\nits item goes on",
        "- a list\n1. of both kinds",
        "- a list\n\n- of paragraphs",
        "- a list\n    - nested",
        "* another bullet",
        "a line\n- and a list",
    ],
)
def test_anything_else_is_left_to_python_markdown(text: str) -> None:
    assert quick(text) is None


def test_rendering_takes_the_quick_way_and_still_sanitises(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, resolve: object = None) -> str:
        raise AssertionError(f"Python-Markdown asked to render {text!r}")

    monkeypatch.setattr(render, "_markdown_convert", refuse)
    hostile = 'Click `x` <span class="overlay">**here**</span>\n\n```sh\nls\n```'
    assert render.render_markdown(hostile) == (
        "<p>Click <code>x</code> <span><strong>here</strong></span></p>\n"
        '<div class="codehilite"><pre tabindex="0"><span></span><code>ls\n</code></pre></div>'
    )

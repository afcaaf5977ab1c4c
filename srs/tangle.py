"""Texts whose Markdown would take minutes to read.

Python-Markdown reads each ``[`` (a link's text may start there) and each ``<`` (raw HTML)
against the rest of the text after it: its time grows with their number times the text's
length. Twenty thousand ``[`` in a row take over a minute; three hundred before a long
paragraph, seconds. No card needs that many, so such a text is a problem of the bank it is
in (:func:`srs.render.prepare` says so) and, wherever it is rendered all the same, is shown
as the plain text it is.
"""

from __future__ import annotations

from markdown.extensions.fenced_code import FencedBlockPreprocessor

__all__ = ["MOST_WORK", "tangle"]

MOST_WORK = 2_000_000
"""The most ``[`` and ``<`` outside code blocks times the characters outside them a text
may have: a few tenths of a second of Python-Markdown's reading. The shipped bank's most is
near 6,000: a 400-character text with 15 of them."""


def tangle(text: str) -> str | None:
    """Why ``text`` would take too long to render as Markdown, or ``None``."""
    if (text.count("[") + text.count("<")) * len(text) <= MOST_WORK:
        return None
    # A fenced code block is set aside before any of that reading.
    outside = FencedBlockPreprocessor.FENCED_BLOCK_RE.sub("", text)
    openers = outside.count("[") + outside.count("<")
    if openers * len(outside) <= MOST_WORK:
        return None
    return (
        f"has {openers:,} '[' and '<' in {len(outside):,} characters outside code blocks: "
        "too many to render as Markdown in time; write fewer, make the text shorter or "
        "put them in a code block"
    )

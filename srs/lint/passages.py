"""The rule on the passages questions cite: a ``source`` whose passage shows no words.

A passage is what a learner reads under **From the notes**: a heading's own text, or, for an
outline heading with none, its subsections. Notes copied from another tool often keep a
heading whose only content was a picture that did not come along (``![Untitled](...)``), or
only the heading: citing it sends the learner to nothing. Words are looked for with
markdown-it-py, as the notes are read: text, code and HTML outside images and heading titles.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it import MarkdownIt

from srs.bank import Bank, Question
from srs.notes import resolve

__all__ = ["empty_passages", "has_words"]

_PARSER = MarkdownIt("commonmark")
_IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_WORDLESS = ("image", "softbreak", "hardbreak")


def has_words(markdown: str) -> bool:
    """Whether ``markdown`` holds any text besides images and heading titles."""
    tokens = _PARSER.parse(markdown)
    for index, token in enumerate(tokens):
        if token.type in ("fence", "code_block") and token.content.strip():
            return True
        if token.type == "html_block" and _IMAGE_TAG.sub("", token.content).strip():
            return True
        if token.type != "inline" or (index and tokens[index - 1].type == "heading_open"):
            continue
        for child in token.children or ():
            if child.type in _WORDLESS:
                continue
            content = (
                _IMAGE_TAG.sub("", child.content) if child.type == "html_inline" else child.content
            )
            if content.strip():
                return True
    return False


def empty_passages(bank: Bank) -> Iterator[tuple[Question, str]]:
    """Each question whose ``source`` names a passage with no words, and what to do."""
    for question in bank.questions:
        if not question.passage:
            continue
        found = resolve(bank.notes, question.passage)
        if isinstance(found, str):
            continue  # bank check says what is wrong with the reference
        if not has_words(found.heading.shown):
            what = (
                "only images"
                if "![" in found.heading.text or "<img" in found.heading.text
                else "no text"
            )
            yield (
                question,
                (
                    f"source '{question.passage}' names a passage with {what}: cite the passage "
                    "that holds the fact, or tag the question 'supplement' and leave 'source' out"
                ),
            )

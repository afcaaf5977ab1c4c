"""Texts whose Markdown would take minutes to read.

Rendering takes time in step with a text's length, and Python-Markdown's time grows with its
square in two ways:

* each ``[`` (a link's text may start there) and each ``<`` (raw HTML) is read against the
  rest of the text after it: twenty thousand ``[`` in a row take over a minute;
* each line of a run of lines with no blank line between them that starts a block (a
  heading, a rule, a list item) splits the rest of the run off to read again: twelve
  thousand underlined headings in a row take 45 seconds.

No card needs a text longer than :data:`MOST_CHARACTERS`, nor more of either than
:data:`MOST_WORK` allows, so such a text is a problem of the bank it is in
(:func:`srs.render.prepare` says so). A card's face may join a few texts checked so; one four
times past the limits, wherever it is rendered all the same, is shown as the plain text it
is. A fenced code block is set aside before any of that reading: what it holds counts toward
the length only.
"""

from __future__ import annotations

import re

from markdown.extensions.fenced_code import FencedBlockPreprocessor

__all__ = ["MOST_CHARACTERS", "MOST_WORK", "tangle", "unrenderable"]

MOST_CHARACTERS = 20_000
"""The longest text: a few tenths of a second to render, forty times the shipped bank's."""

MOST_WORK = 2_000_000
"""The most a text may hold of ``[`` and ``<`` times its characters, and of lines times the
characters of the run of lines they stand in, outside code blocks: a few tenths of a second
of Python-Markdown's reading at most. The shipped bank's most is near 6,000."""

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_ADVICE = "too many to render as Markdown in time"


def _openers(text: str) -> int:
    return text.count("[") + text.count("<")


def _lines(run: str) -> int:
    return run.strip("\n").count("\n") + 1


def _run_work(run: str) -> int:
    """A run of lines' work: its lines times its characters."""
    return _lines(run) * len(run)


def tangle(text: str, scale: int = 1) -> str | None:
    """Why ``text`` would take too long to render as Markdown, or ``None``; with the limits
    ``scale`` times as long (the work, its square)."""
    most_characters, most_work = MOST_CHARACTERS * scale, MOST_WORK * scale * scale
    if len(text) > most_characters:
        return (
            f"is {len(text):,} characters long: at most {most_characters:,} in one text; "
            "split it over several questions or make it shorter"
        )
    # The whole text read as one run bounds each of its runs.
    if _openers(text) * len(text) <= most_work and _run_work(text) <= most_work:
        return None
    outside = FencedBlockPreprocessor.FENCED_BLOCK_RE.sub("", text)
    if (found := _openers(outside)) * len(outside) > most_work:
        return (
            f"has {found:,} '[' and '<' in {len(outside):,} characters outside code blocks: "
            f"{_ADVICE}; write fewer, make the text shorter or put them in a code block"
        )
    run = max(_BLANK_LINE.split(outside), key=_run_work)
    if _run_work(run) > most_work:
        return (
            f"has {_lines(run):,} lines in {len(run):,} characters with no blank "
            f"line between them outside code blocks: {_ADVICE}; put blank lines between "
            "them or make the text shorter"
        )
    return None


def unrenderable(error: Exception) -> str:
    """The problem of a text whose rendering raised ``error``, in the author's words where
    the cause is the text's shape: Python-Markdown reads a list inside a list by calling
    itself, so a line such as ``1. 1. 1. …`` a few hundred deep runs out of Python's stack."""
    if isinstance(error, RecursionError):
        return (
            'cannot be rendered: lists are nested too deeply (each "1. ", "- " or "* "'
            " at the start of a line's text opens a list inside the last); write them flatter"
        )
    return f"cannot be rendered: {type(error).__name__}: {error}"

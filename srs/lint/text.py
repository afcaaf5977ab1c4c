"""What the linter reads of a question: its texts as a learner sees them, and their widths."""

from __future__ import annotations

import re
import sys
import unicodedata

from srs.bank import Question
from srs.cloze import parse_cloze
from srs.questions import question_type
from srs.render import CODE_SPAN

__all__ = [
    "display_width",
    "fill_cloze",
    "markdown_fields",
    "normal",
    "place",
    "plain",
    "without_code",
]

# The opening fence taken whole, as CODE_SPAN's run: no shorter fence is tried again.
_FENCE = re.compile(r"^[ \t]*(`{3,}+|~{3,}+).*?^[ \t]*\1[ \t]*$", re.DOTALL | re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)")
_LIST_MARK = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
_SPACES = re.compile(r"\s+")
_FORMAT = dict.fromkeys(
    code for code in range(sys.maxunicode + 1) if unicodedata.category(chr(code)) == "Cf"
)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a monospace font: wide (CJK) characters count 2."""
    return sum(
        2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in text
        if not unicodedata.combining(char)
    )


def normal(text: str) -> str:
    """``text`` as the linter compares it: NFKC (full-width letters, composed accents), format
    characters (zero-width spaces and joiners) dropped, case-folded."""
    text = unicodedata.normalize("NFKC", text).translate(_FORMAT)
    return unicodedata.normalize("NFKC", text.casefold())


def code_as_words(text: str) -> str:
    """``text`` with each code span read as one Latin word (``x``) and each fenced code
    block as a line break: what sits beside code, as a reader sees it."""
    return CODE_SPAN.sub("x", _FENCE.sub("\n", text))


def without_code(text: str) -> str:
    """``text`` with fenced code blocks and code spans left out (each replaced by a space)."""
    return CODE_SPAN.sub(" ", _FENCE.sub(" ", text))


def plain(text: str) -> str:
    """Markdown as the words a learner reads: markup, tags and extra spaces dropped."""
    text = _FENCE.sub(lambda found: found[0].split("\n", 1)[-1].rsplit("\n", 1)[0], text)
    text = CODE_SPAN.sub(lambda found: found[2].strip(), text)
    text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
    text = _LIST_MARK.sub("", _TAG.sub("", text))
    return _SPACES.sub(" ", _EMPHASIS.sub("", text)).strip()


def fill_cloze(text: str) -> str:
    """A cloze text with each deletion replaced by its answer: the sentence it tests."""
    parts, position = [], 0
    for deletion in parse_cloze(text):
        parts += [text[position : deletion.start], deletion.answer]
        position = deletion.end
    return "".join([*parts, text[position:]])


def markdown_fields(question: Question) -> list[tuple[str, str]]:
    """Every Markdown text of the question as ``(key, text)``, list entries one by one."""
    found: list[tuple[str, str]] = []
    names = [spec.name for spec in question_type(question.type).keys if spec.markdown]
    for name in [*names, "explanation"]:
        value = getattr(question, name)
        if isinstance(value, str):
            found.append((name, value))
        elif isinstance(value, tuple):
            found.extend((name, entry) for entry in value if isinstance(entry, str))
    return found


def place(question: Question, key: str | None) -> tuple[int, int]:
    """Where ``key`` of the question is written; else where the question starts."""
    for name, line, column in question.key_places:
        if name == key:
            return line, column
    for name, line, column in question.key_places:
        if name == "id":
            return line, column
    return question.line, 1

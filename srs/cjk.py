"""Soft line breaks in Chinese and Japanese text: joined without a space.

Markdown keeps a line break inside a paragraph, and a browser shows it as a space. Between
words of English that is right; inside a Chinese sentence the space is wrong ("共享。 Docker"),
since the author broke the line only to keep the source short. The rule, applied once where
Markdown becomes HTML: a single line break inside a paragraph, with the spaces around it, is
dropped when the character before or after it is Han, kana or full-width (CJK punctuation,
full-width forms), and kept as a space otherwise; but between Han or kana and a Latin letter
or digit it is one space, the spacing Chinese copy-editing asks for there ("放进 dockerd",
as ``bank lint``'s ``cjk-style`` rule checks the source).

Hangul is not in the set: Korean separates its words with spaces, so a break between two
Korean words is a space, as between English ones (CSS Text's segment break rules likewise
keep Hangul out).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree  # noqa: N813 (the name Markdown uses)
from collections.abc import Iterable

from markdown.treeprocessors import Treeprocessor

__all__ = ["SOFT_BREAK", "SoftBreaks", "is_cjk", "join_soft_breaks", "unspaced"]

# CJK symbols and punctuation (3000–303F), kana (3040–30FF, 31F0–31FF), radicals and Kangxi
# radicals (2E80–2FDF), Han (3400–4DBF, 4E00–9FFF, F900–FAFF, the supplementary planes),
# CJK compatibility forms (FE30–FE4F) and full-width forms (FF00–FF60, FFE0–FFE6).
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003134f]"
)
# Han and kana, without the punctuation and full-width forms of _CJK: the letters a space
# separates from Latin ones.
_IDEOGRAPH = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0003134f]"
)
_LATIN = re.compile("[A-Za-z0-9]")
_BESIDE_IDEOGRAPH = re.compile(f" (?={_IDEOGRAPH.pattern})|(?<={_IDEOGRAPH.pattern}) ")

SOFT_BREAK = re.compile(r"[ \t]*\n[ \t]*")
"""A line break inside a paragraph, with the spaces and tabs either side of it."""


def is_cjk(char: str) -> bool:
    """Whether ``char`` (one character, or ``""``) is one that a soft break beside joins."""
    return bool(char) and _CJK.match(char) is not None


def join_soft_breaks(text: str, before: str = "", after: str = "") -> str:
    """``text`` with each soft break dropped where a character beside it is CJK.

    Args:
        text: a run of a paragraph's text (no code in it).
        before: the character just before ``text`` in its paragraph, ``""`` if none.
        after: the character just after ``text`` in its paragraph, ``""`` if none.

    Returns:
        The text with those breaks (and the spaces around them) removed; every other break
        is left as it is, for the browser to show as a space.
    """
    if "\n" not in text:
        return text

    def join(found: re.Match[str]) -> str:
        start, end = found.start(), found.end()
        left = text[start - 1] if start else before
        right = text[end] if end < len(text) else after
        if not left or not right:
            return found[0]  # the paragraph's edge: nothing to join
        if not (is_cjk(left) or is_cjk(right)):
            return found[0]
        return " " if _spaced(left, right) or _spaced(right, left) else ""

    return SOFT_BREAK.sub(join, text)


def _spaced(ideograph: str, latin: str) -> bool:
    return _IDEOGRAPH.match(ideograph) is not None and _LATIN.match(latin) is not None


def unspaced(text: str) -> str:
    """``text`` without the spaces beside Han or kana: in Chinese and Japanese they are a
    matter of style ("UTS 命名空间" and "UTS命名空间" are one answer). Hangul keeps them."""
    return _BESIDE_IDEOGRAPH.sub("", text)


# Elements inside a paragraph's text; a line break across any other is not a soft break.
_INLINE = {
    "a", "abbr", "b", "br", "code", "del", "em", "i", "img", "kbd", "mark", "s", "span",
    "strong", "sub", "sup", "u",
}  # fmt: skip
_Run = tuple[etree.Element, str, bool]  # an element, "text" or "tail", and whether it is code


class SoftBreaks(Treeprocessor):
    """A Markdown tree step that joins soft line breaks by the rule above, in every block's
    text but not in code."""

    def run(self, root: etree.Element) -> None:
        for block in root.iter():
            if block.tag not in _INLINE and block.tag != "pre":
                self._join(self._flow(block))

    def _flow(self, block: etree.Element) -> list[_Run | None]:
        """The runs of text of ``block`` itself, in order; ``None`` where a block child is."""
        runs: list[_Run | None] = [(block, "text", False)]
        for child in block:
            if child.tag in _INLINE:
                runs += self._inline(child, code=False)
            else:
                runs.append(None)
            runs.append((child, "tail", False))
        return runs

    def _inline(self, element: etree.Element, code: bool) -> list[_Run | None]:
        code = code or element.tag == "code"
        runs: list[_Run | None] = [(element, "text", code)]
        for child in element:
            runs += self._inline(child, code)
            runs.append((child, "tail", code))
        return runs

    @staticmethod
    def _join(runs: list[_Run | None]) -> None:
        texts = [getattr(run[0], run[1]) or "" if run else None for run in runs]
        for index, run in enumerate(runs):
            text = texts[index]
            if run is None or run[2] or not text or "\n" not in text:
                continue
            before = _beside(reversed(texts[:index]), -1)
            after = _beside(texts[index + 1 :], 0)
            joined = join_soft_breaks(text, before, after)
            if joined != text:
                # Markdown marks text it must not process again (code) as AtomicString;
                # keep that type.
                setattr(run[0], run[1], type(text)(joined))
                texts[index] = joined


def _beside(texts: Iterable[str | None], end: int) -> str:
    """The character at ``end`` of the first non-empty text, up to a block (``None``)."""
    for text in texts:
        if text is None:
            return ""
        if text:
            return text[end]
    return ""

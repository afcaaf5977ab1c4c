"""The common shapes of a bank's texts, read without Python-Markdown.

Most texts of a bank are paragraphs of words (Chinese ones broken over lines too) with code
spans, emphasis and the cloze blanks the app writes, lists of one line an item, and fenced
code blocks, separated by blank lines. For such a text :func:`quick_html` writes what
Python-Markdown (as :mod:`srs.render` configures it) writes, running only its fence
preprocessor on each fenced block; for any other text it gives ``None`` and the caller
renders the whole text with Python-Markdown. Reading these shapes costs a small part of what
Python-Markdown's dozens of block and inline rules do, which is most of the time of importing
a large bank.

What is read here is kept narrow on purpose: a character, a start of line or a pairing that
any Markdown rule could read otherwise makes the text go to Python-Markdown.
``tests/srs/test_quickmark.py`` compares the two renderers on every text of the shipped banks
and on many thousands of texts made from the pieces that sit near these rules' edges.
"""

from __future__ import annotations

import re

from markdown import Markdown

from srs.cjk import join_soft_breaks

__all__ = ["quick_html"]


# A fence opening: three backticks and at most a language (no attributes, no hl_lines).
_FENCE_OPEN = re.compile(r"```([A-Za-z0-9][\w#.+-]{0,39})?")
_FENCE_CLOSE = "```"

# Characters that no inline rule of Python-Markdown reads and that its serializer writes
# as themselves ("&" and ">" are escaped, below): "&" only before a space or the end, since
# the serializer reads "&" and letters, any that match [a-z] ignoring case, as an entity.
# A space may not follow a space.
_WORD = r"[^\s&<>\\*_`\[\]!\x00-\x1f\x7f]|&(?![^ ])|>|!(?!\[)"
_TEXT = f"(?:{_WORD}|[ ](?! ))+"
# Emphasis around words that begin and end with a non-space.
_EMPHASIS = f"(?:{_WORD})(?:{_TEXT})?"
_EMPHASIS_END = r"(?<! )"
# A code span's character. Python's HTML parser, which Python-Markdown runs over the text
# before any inline rule, rewrites a character reference ("&#1") or a comment ("<!--")
# even inside a code span.
_CODE = r"(?:[^`\\\n&<]|&(?!#)|<(?!!))"
_PIECE = re.compile(
    rf"(?P<text>{_TEXT})"
    rf"|`(?P<code>(?!\s){_CODE}(?:{_CODE}*(?<!\s))?)`(?!`)"
    rf"|\*\*(?P<strong>{_EMPHASIS}){_EMPHASIS_END}\*\*(?!\*)"
    rf"|\*(?P<em>{_EMPHASIS}){_EMPHASIS_END}\*(?!\*)"
    # The app's own markup (cloze blanks): a span with classes, and its end.
    r'|(?P<html><span class="[a-z0-9][a-z0-9 -]*">|</span>)'
    # Brackets that cannot make a link: with no reference defined, and not followed by a
    # URL in parentheses, Python-Markdown writes them as they are.
    r"|\[(?P<bracket>[^\s\[\]`*_\\<>&!](?:[^\[\]`*_\\<>&!\n]*[^\s\[\]`*_\\<>&!])?)\](?![(\[])"
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace(">", "&gt;")


def _code(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Characters that may start a line of a paragraph: not one that opens a heading, a quote, a
# list, a table, a reference or raw HTML; a digit unless it could number a list.
_RISKY_START = frozenset("#>-+=|~<[]!_\\&:")
_NUMBERED = re.compile(r"\d+[.)]")
# Python-Markdown stands raw HTML in for a placeholder until its text is written; the soft
# break rule sees that placeholder's first and last character beside a break.
_PLACEHOLDER_EDGE = "\x02"


def _starts_line(line: str) -> bool:
    first = line[0]
    if first == "*":
        rest = line.lstrip("*")
        return len(line) - len(rest) <= 2 and bool(rest) and not rest[0].isspace()
    if first == "`":
        return not line.startswith("``")
    return not (first.isspace() or first in _RISKY_START or _NUMBERED.match(line))


# A piece of a line: its HTML, and the first and last character the soft break rule sees.
_Piece = tuple[str, str, str]


def _pieces(line: str) -> list[_Piece] | None:
    """The pieces of one line of a paragraph, or ``None`` where it holds more than these."""
    if not _starts_line(line) or line.endswith(" "):
        return None
    found: list[_Piece] = []
    position = 0
    for match in _PIECE.finditer(line):
        if match.start() != position:
            return None
        position = match.end()
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "text":
            html = _escape(value)
        elif kind == "code":
            html = f"<code>{_code(value)}</code>"
        elif kind == "strong" or kind == "em":
            html = f"<{kind}>{_escape(value)}</{kind}>"
        elif kind == "bracket":
            value = f"[{value}]"
            html = _escape(value)
        else:
            html = value
            value = _PLACEHOLDER_EDGE
        found.append((html, value[0], value[-1]))
    return found if position == len(line) else None


def _paragraph(lines: list[str]) -> str | None:
    """The HTML of a paragraph of ``lines``, or ``None`` where it holds more than these
    shapes. A line break is kept, or dropped beside Chinese or Japanese text as
    :mod:`srs.render` drops it (:func:`srs.cjk.join_soft_breaks`)."""
    parts: list[str] = []
    last = ""
    for number, line in enumerate(lines):
        pieces = _pieces(line)
        if pieces is None:
            return None
        if number:
            # The break between two single characters, as joined between them.
            parts.append(join_soft_breaks(f"{last}\n{pieces[0][1]}")[1:-1])
        parts += (html for html, _, _ in pieces)
        last = pieces[-1][2]
    return f"<p>{''.join(parts)}</p>"


# A list item's start: "- " or a number, a dot and a space, then the item's first character.
_ITEM = re.compile(r"(?:(?P<bullet>-)|(?P<number>[0-9]{1,9})\.) (?=\S)")


def _list(lines: list[str]) -> str | None:
    """The HTML of a list of ``lines``, one item each, all ``-`` or all numbered, or ``None``
    where it holds more than these. A numbered list starts at its first item's number, as
    written."""
    kind = start = ""
    items: list[str] = []
    for line in lines:
        found = _ITEM.match(line)
        if found is None or kind not in ("", "ul" if found["bullet"] else "ol"):
            return None
        if not kind:
            kind, start = ("ul", "") if found["bullet"] else ("ol", found["number"])
        pieces = _pieces(line[found.end() :])
        if pieces is None:
            return None
        items.append(f"<li>{''.join(html for html, _, _ in pieces)}</li>")
    numbered = f' start="{start}"' if start not in ("", "1") else ""
    body = "\n".join(items)
    return f"<{kind}{numbered}>\n{body}\n</{kind}>"


def _fence_html(source: str, md: Markdown) -> str:
    """A fenced code block alone, as ``md`` renders it: only its fence preprocessor runs."""
    md.htmlStash.reset()
    md.preprocessors["fenced_code_block"].run([*source.split("\n"), "", ""])
    return str(md.htmlStash.rawHtmlBlocks[0]).strip()


def quick_html(text: str, md: Markdown) -> str | None:
    """The HTML ``md`` writes for ``text``, before sanitising, or ``None`` if ``text``
    holds anything but these shapes; ``md`` renders only its fenced code blocks."""
    if "\r" in text or "\t" in text or "\x02" in text or "\x03" in text:
        return None
    lines = text.split("\n")
    if any(line.isspace() for line in lines):
        return None
    found: list[str] = []
    index = 0
    # Blocks are written a line apart; Python-Markdown leaves an empty line after a fenced
    # block that something follows.
    separator = ""
    listed = False  # whether the last block was a list
    while index < len(lines):
        if not lines[index]:
            index += 1
            continue
        if _FENCE_OPEN.fullmatch(lines[index]):
            try:
                end = lines.index(_FENCE_CLOSE, index + 1)
            except ValueError:
                return None
            if any(row.startswith(_FENCE_CLOSE) for row in lines[index + 1 : end]):
                return None
            found += (separator, _fence_html("\n".join(lines[index : end + 1]), md))
            separator, listed = "\n\n", False
            index = end + 1
            if index < len(lines) and lines[index]:
                return None
            continue
        end = index + 1
        while end < len(lines) and lines[end]:
            end += 1
        if _ITEM.match(lines[index]):
            # A list after a list, a blank line between, would be one list of paragraphs.
            block = None if listed else _list(lines[index:end])
            listed = True
        else:
            block, listed = _paragraph(lines[index:end]), False
        if block is None:
            return None
        found += (separator, block)
        separator = "\n"
        index = end
    return "".join(found)

"""Cloze deletions in Anki's syntax: ``{{c1::answer}}`` or ``{{c1::answer::hint}}``.

One card is made per distinct number. On card N the deletions numbered N are hidden (showing
the hint, or ``[...]``) and every other deletion shows its answer, as in Anki.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from srs.render import CODE_SPAN, own_class

__all__ = ["CLOZE_MAX", "ClozeError", "Deletion", "cloze_numbers", "parse_cloze", "render_cloze"]

CLOZE_MAX = 999
"""The highest cloze number: each number is a card, and its ordinal is stored as an integer."""

_BLANK = f"{own_class('cloze')} {own_class('cloze-blank')}"
_ANSWER = f"{own_class('cloze')} {own_class('cloze-answer')}"
# A deletion's opening; it ends at the first "}}" after it, its answer at the first "::" in
# it (what follows is the hint). Found with str.find: a pattern that tried each end for each
# split of answer and hint took seconds over a text of thousands of "{{c1::".
_OPENING = re.compile(r"\{\{c(\d++)::")


@dataclass(frozen=True, slots=True)
class Deletion:
    number: int
    answer: str
    hint: str | None
    start: int
    end: int


class ClozeError(ValueError):
    """The text's cloze markup is malformed; ``offset`` is where, in characters."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


def parse_cloze(text: str) -> list[Deletion]:
    """Find every deletion in ``text``.

    Raises:
        ClozeError: see :func:`_deletions`.
    """
    return list(_deletions(text))


# A cloze text is parsed for each of its cards' faces, for its bank page and for its Anki
# note, at import and again when shown.
@lru_cache(maxsize=4096)
def _deletions(text: str) -> tuple[Deletion, ...]:
    """Every deletion in ``text``.

    Raises:
        ClozeError: an opening ``{{`` that is not a well-formed deletion, a number below 1
            or above :data:`CLOZE_MAX`,
            an empty answer, a deletion inside another, or no deletion at all.
    """
    deletions: list[Deletion] = []
    position = 0
    while (start := text.find("{{", position)) != -1:
        opening = _OPENING.match(text, start)
        end = text.find("}}", opening.end()) if opening is not None else -1
        if opening is None or end == -1:
            raise ClozeError(
                "malformed cloze: expected {{c1::answer}} or {{c1::answer::hint}}", start
            )
        digits = opening[1]
        answer, between, hint_text = text[opening.end() : end].partition("::")
        hint = hint_text if between else None
        # Counted before converting: a number of thousands of digits is refused by int().
        if len(digits.lstrip("0")) > len(str(CLOZE_MAX)) or int(digits) > CLOZE_MAX:
            shown = digits if len(digits) <= 12 else f"{digits[:12]}…"
            raise ClozeError(f"cloze number c{shown} is over c{CLOZE_MAX}, the highest", start)
        number = int(digits)
        if number < 1:
            raise ClozeError(f"cloze number c{number} must be 1 or more", start)
        if "{{" in answer or (hint is not None and "{{" in hint):
            raise ClozeError("a cloze deletion may not contain another", start)
        if not answer.strip():
            raise ClozeError(f"cloze c{number} has an empty answer", start)
        deletions.append(Deletion(number, answer, hint, start, end + 2))
        position = end + 2
    if not deletions:
        raise ClozeError("no cloze deletion: write {{c1::answer}} around what to recall", 0)
    return tuple(deletions)


def cloze_numbers(text: str) -> tuple[int, ...]:
    """The distinct deletion numbers of ``text``, ascending: one card each."""
    return tuple(sorted({deletion.number for deletion in parse_cloze(text)}))


# Each face of a cloze card is written for the bank's check, for its kept renderings and for
# its Anki note, and a card's back again as the face shown once answered.
@lru_cache(maxsize=4096)
def render_cloze(text: str, number: int | None, *, reveal: bool) -> str:
    """Replace deletions with HTML spans, ready for Markdown rendering.

    A deletion inside a code span (`` `docker {{c1::save}} -o app.tar` ``) would show its span
    as code text: such a code span is written as HTML instead, its text kept as code.

    Args:
        text: the cloze text.
        number: the card's deletion number; ``None`` treats every deletion as the card's.
        reveal: show the card's answers (the back) instead of the blanks (the front).
    """
    deletions = parse_cloze(text)
    spans = _code_spans_around(text, deletions)
    inside = {span: [d for d in deletions if span[0] < d.start < span[1]] for span in spans}
    within = {id(d) for found in inside.values() for d in found}
    pieces: list[tuple[int, int, Deletion | None]] = [(a, b, None) for a, b in spans]
    pieces += [(d.start, d.end, d) for d in deletions if id(d) not in within]
    parts: list[str] = []
    position = 0
    for start, end, deletion in sorted(pieces, key=lambda piece: piece[0]):
        parts.append(text[position:start])
        if deletion is None:
            parts.append(_code_html(text, start, end, inside[start, end], number, reveal=reveal))
        else:
            parts.append(_shown(deletion, number, reveal=reveal, code=False))
        position = end
    parts.append(text[position:])
    return "".join(parts)


def _shown(deletion: Deletion, number: int | None, *, reveal: bool, code: bool) -> str:
    """What a deletion shows: a blank, its answer marked, or (another card's) its answer."""
    answer = _code_text(deletion.answer) if code else deletion.answer
    mine = number is None or deletion.number == number
    if mine and not reveal:
        blank = f"[{deletion.hint}]" if deletion.hint else "[...]"
        return f'<span class="{_BLANK}">{html.escape(blank)}</span>'
    if mine:
        return f'<span class="{_ANSWER}">{answer}</span>'
    return answer


def _code_spans_around(text: str, deletions: list[Deletion]) -> list[tuple[int, int]]:
    """Where the code spans that hold a deletion start and end in ``text`` (deletions
    masked first, so that a deletion's own backticks pair with nothing outside it)."""
    masked = list(text)
    for deletion in deletions:
        masked[deletion.start : deletion.end] = "x" * (deletion.end - deletion.start)
    return [
        found.span()
        for found in CODE_SPAN.finditer("".join(masked))
        if any(found.start() < d.start < found.end() for d in deletions)
    ]


def _code_text(text: str) -> str:
    """``text`` as code inside raw HTML: every ASCII sign an entity, so that Markdown reads
    none of it (``*``, ``_``, ``<``, a backslash) and the code shows as written."""
    return "".join(c if c.isalnum() or c == " " or ord(c) > 127 else f"&#{ord(c)};" for c in text)


def _code_html(
    text: str, start: int, end: int, inside: list[Deletion], number: int | None, *, reveal: bool
) -> str:
    """The code span ``text[start:end]`` as ``<code>`` HTML, its deletions as spans in it."""
    ticks = len(text[start:end]) - len(text[start:end].lstrip("`"))
    body_start, body_end = start + ticks, end - ticks
    parts: list[str] = []
    position = body_start
    for deletion in inside:
        parts.append(_code_text(text[position : deletion.start]))
        parts.append(_shown(deletion, number, reveal=reveal, code=True))
        position = deletion.end
    parts.append(_code_text(text[position:body_end]))
    return f"<code>{''.join(parts).strip()}</code>"

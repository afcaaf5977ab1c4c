"""What a question type needs to fill its Anki note: the field renderer's shape, and the
HTML of a list of options that several note types share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

__all__ = ["OPTIONS", "AnkiLayout", "NoteRender", "NoteType", "letter", "options_list"]

AnkiLayout = Literal["front_back", "both_ways", "cloze", "options", "typing", "occlusion"]
"""The card templates of a note type: a front and a back; the same both ways; Anki's cloze;
a question with options and an answer; a typed answer Anki checks; a card per masked label
of a diagram."""


@dataclass(frozen=True, slots=True)
class NoteType:
    """A question type's Anki note type.

    ``id`` is fixed, so that every export of any bank uses the same note type and a
    re-export updates it: (1 << 30) + the first 8 bytes of sha256("wengu note type: " +
    name), big-endian, modulo 1 << 30, the range genanki advises. ``fields`` are the
    question's; every note type ends with Explanation and Wengu ID besides.
    """

    name: str
    id: int
    layout: AnkiLayout = "front_back"
    fields: tuple[str, ...] = ("Front", "Back")


OPTIONS: tuple[str, ...] = ("Question", "Options", "Answer")
"""The fields of a note that asks with options."""


class NoteRender(Protocol):
    """Turns a question's Markdown into the HTML of an Anki field."""

    @property
    def language(self) -> str | None:
        """The bank's language, which the note's own words (true, false, hints) follow."""
        ...

    def html(self, text: str | None) -> str:
        """A text as block HTML (paragraphs, lists, code)."""
        ...

    def inline(self, text: str) -> str:
        """A short text as HTML without its paragraph, for an option or an item."""
        ...

    def cloze(self, text: str) -> str:
        """A cloze text as HTML with its deletions kept in Anki's syntax."""
        ...


def options_list(rows: Iterable[tuple[str, str, str]]) -> str:
    """An HTML list of ``(class, label, HTML)`` rows."""
    items = []
    for css_class, label, content in rows:
        attribute = f' class="{css_class}"' if css_class else ""
        items.append(f'<li{attribute}><span class="label">{label}</span> {content}</li>')
    return f'<ul class="options">{"".join(items)}</ul>'


def letter(index: int) -> str:
    """An option's label: A to Z, then numbers."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)

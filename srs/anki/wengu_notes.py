"""Wengu's own notes read back as the questions they were written from.

A package Wengu wrote marks each deck with its bank and section (an HTML comment in the
deck's description, unseen in Anki), names the question in each note's Wengu ID field, and
puts its tags under the bank's own tag. Reading such a package, a note of one of Wengu's note
types becomes a question of its type again (choice, true/false, order, typing, reverse),
with the question's id, section and tags as written, not a ``basic`` question.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from srs.anki.fields import field_markdown, from_anki
from srs.anki.notetypes import MODEL_IDS, SECTION_TAG, note_seed
from srs.bank import Bank, Question
from srs.questions.base import shuffled_choices
from srs.questions.words import every_language

__all__ = [
    "DeckMark",
    "deck_marker",
    "diagram_paths",
    "read_deck_marker",
    "wengu_question",
    "wengu_tags",
]

_MARK = re.compile(r"<!-- wengu (\{.*?\}) -->")
_TYPE_OF_MODEL = {model_id: name for name, model_id in MODEL_IDS.items()}
_ID_FIELD = re.compile(r"^([a-z0-9][a-z0-9_-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)$")

DeckMark = dict[str, str]
"""What a deck's marker says: ``bank``, ``section`` (empty for the bank's own deck),
``title`` (the section's title without its outline number), ``language``; the bank's
deck also ``diagrams``, a JSON object of each diagram's path by its media file name, and
``description``, the bank's description as written (when it has one)."""


def deck_marker(bank: Bank, section: str | None, media: Mapping[str, str] | None = None) -> str:
    """The unseen marker of a deck: its bank, section and title as written; the bank's own
    deck also its description and the path in the bank of each diagram, by ``media`` file
    name."""
    titles = {s.id: s.title for s in bank.sections}
    mark = {
        "bank": bank.id,
        "section": section or "",
        "title": titles.get(section or "", bank.title),
        "language": bank.language or "",
    }
    if section is None and bank.description:
        mark["description"] = bank.description  # the Markdown; Anki shows it escaped
    if media:
        mark["diagrams"] = json.dumps(
            {name: path for path, name in sorted(media.items())}, ensure_ascii=False
        )
    text = json.dumps(mark, ensure_ascii=False, sort_keys=True).replace("--", "-\\u002d")
    return f"<!-- wengu {text} -->"


def read_deck_marker(description: object) -> DeckMark | None:
    """A deck's marker, or ``None`` for a deck Wengu did not write."""
    found = _MARK.search(description) if isinstance(description, str) else None
    if found is None:
        return None
    try:
        mark = json.loads(found.group(1))
    except ValueError:
        return None
    if not isinstance(mark, dict) or not all(isinstance(v, str) for v in mark.values()):
        return None
    return mark


_SAFE_PATH = re.compile(r"diagrams/(?:[\w-][\w.-]*/)*[\w-][\w.-]*")


def diagram_paths(mark: DeckMark | None) -> dict[str, str]:
    """The diagrams' paths a bank's deck marker gives, by media file name: only plain paths
    under ``diagrams/`` (no ``..``, no hidden names), the others left to their file names."""
    try:
        paths = json.loads((mark or {}).get("diagrams") or "{}")
    except ValueError:
        return {}
    if not isinstance(paths, dict):
        return {}
    return {
        name: path
        for name, path in paths.items()
        if isinstance(name, str)
        and isinstance(path, str)
        and _SAFE_PATH.fullmatch(path)
        and ".." not in path
    }


def wengu_tags(tags: tuple[str, ...], bank_id: str) -> tuple[str, ...]:
    """A note's tags as the question's: the bank's prefix taken off, its section path
    dropped (the deck gives the section), the learner's own tags kept."""
    kept: list[str] = []
    for tag in tags:
        head, _, rest = tag.partition("::")
        if head != bank_id or not rest:
            kept.append(tag)
        elif not rest.startswith(f"{SECTION_TAG}::"):
            kept.append(rest)
    return tuple(dict.fromkeys(kept))


_CODE = re.compile(r'<div class="codehilite" data-lang="([^"]*)"><pre[^>]*>(.*?)</pre></div>', re.S)


def code_markdown(field: str, image: Callable[[str], str | None]) -> str:
    """A field Wengu wrote as Markdown, its highlighted code blocks as fenced code again."""
    parts: list[str] = []
    position = 0
    for block in _CODE.finditer(field):
        parts.append(field_markdown(field[position : block.start()], image))
        code = html.unescape(re.sub(r"<[^>]*>", "", block.group(2)))
        fence = "~~~" if "```" in code else "```"
        parts.append(f"{fence}{html.unescape(block.group(1))}\n{code.rstrip(chr(10))}\n{fence}")
        position = block.end()
    parts.append(field_markdown(field[position:], image))
    return "\n\n".join(part for part in parts if part)


def _items(field: str) -> list[tuple[str, str, str]]:
    """The ``(class, label, HTML)`` of each ``<li>`` of an options list Wengu wrote."""
    rows = re.findall(
        r'<li(?: class="([a-z]+)")?><span class="label">(.*?)</span> (.*?)</li>', field, re.S
    )
    return [(css, label, content) for css, label, content in rows]


Markdown = Callable[[str], str]


def _truefalse(question: Question, fields: list[str], markdown: Markdown) -> Question:
    verdict = re.sub(r"<[^>]*>|✓", "", fields[2]).strip()
    for words in every_language():
        if verdict in (words["true"], words["false"]):
            return replace(
                question,
                type="truefalse",
                prompt=markdown(fields[0]),
                answer=None,
                correct=verdict == words["true"],
            )
    raise ValueError("the true/false note's answer is neither true nor false")


def _choice(question: Question, fields: list[str], markdown: Markdown, seed: int) -> Question:
    """The options are shown shuffled by the note's seed: put back in the bank's order."""
    shown = _items(fields[1])
    marks = re.findall(r'<li class="(right|wrong)">', fields[2])
    if len(marks) != len(shown):
        raise ValueError("the choice note's options and answer do not match")
    order = shuffled_choices(len(shown), seed)
    choices: list[str] = [""] * len(shown)
    right: list[int] = []
    for place, ((_, _, content), css) in enumerate(zip(shown, marks, strict=True)):
        choices[order[place]] = markdown(content)
        if css == "right":
            right.append(order[place])
    if len(choices) < 2 or not right:
        raise ValueError("the choice note's answer has no options or no right one")
    several = 'class="hint"' in fields[1]  # checkboxes: "Choose N."
    return replace(
        question,
        type="choice",
        prompt=markdown(fields[0]),
        answer=None,
        choices=tuple(choices),
        correct=tuple(sorted(right)) if several else right[0],
    )


def _typed(question: Question, fields: list[str], markdown: Markdown) -> Question:
    accept = tuple(
        html.unescape(a) for a in re.findall(r'<span class="alt">(.*?)</span>', fields[2])
    )
    return replace(
        question,
        type="typing",
        prompt=markdown(fields[0]),
        answer=markdown(fields[1]),
        accept=accept,
    )


def _order(question: Question, fields: list[str], markdown: Markdown) -> Question:
    items = tuple(markdown(content) for _, _, content in _items(fields[2]))
    if len(items) < 2:
        raise ValueError("the order note's answer lists fewer than two items")
    return replace(question, type="order", prompt=markdown(fields[0]), answer=None, items=items)


def wengu_question(
    read: Question,
    model_id: int,
    fields: list[str],
    bank_id: str,
    image: Callable[[str], str | None],
) -> Question:
    """``read`` (the note as a basic question) as the question of Wengu's note type it is in.

    Raises:
        ValueError: the fields are not as Wengu writes them.
    """
    kind = _TYPE_OF_MODEL.get(model_id)
    match = _ID_FIELD.match(html.unescape(fields[-1]).strip()) if fields else None
    if kind is None or match is None:
        return read

    def markdown(field: str) -> str:
        return code_markdown(from_anki(field), image)

    question = replace(
        read,
        id=match.group(2),
        tags=wengu_tags(read.tags, match.group(1)) if bank_id else read.tags,
        explanation=markdown(fields[-2]) or None,
    )
    if kind == "cloze":
        return replace(question, text=markdown(fields[0]))
    if kind in {"basic", "reverse"}:
        return replace(question, type=kind, prompt=markdown(fields[0]), answer=markdown(fields[1]))
    if kind == "typing":
        return _typed(question, fields, markdown)
    if kind == "truefalse":
        return _truefalse(question, fields, markdown)
    if kind == "order":
        return _order(question, fields, markdown)
    if kind == "choice":
        return _choice(question, fields, markdown, note_seed(match.group(1), match.group(2)))
    return question  # occlusion: the reader has made it

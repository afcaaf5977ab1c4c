"""Anki's stock note types recognised by their card templates, not their names (Anki names
them in the learner's language): a type-in answer, a note asked both ways, and a reverse card
made only when a field is filled.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["StockKind", "stock_kind"]

_REFERENCE = re.compile(r"\{\{([^#/^{}!][^{}]*)\}\}")
_CONDITION = re.compile(r"\{\{#([^{}]+)\}\}")
_SPECIAL = {"FrontSide", "Tags", "Deck", "Subdeck", "Card", "CardFlag", "Type"}


@dataclass(frozen=True, slots=True)
class StockKind:
    """What a note type's templates make of its notes: ``typing`` (``answer`` is the field
    the learner types), or ``reverse`` (asked ``prompt`` → ``answer`` and back; only when the
    field ``when`` is filled, if one is named, else ``basic``)."""

    type: str
    prompt: int
    answer: int
    when: int | None = None


def _fields(template: str) -> tuple[list[str], list[str]]:
    """The fields a template shows, in order, and those it types in (``{{type:Field}}``)."""
    shown: list[str] = []
    typed: list[str] = []
    for reference in _REFERENCE.findall(template):
        parts = [part.strip() for part in reference.split(":")]
        name = parts[-1]
        if name in _SPECIAL or "cloze" in parts[:-1]:
            continue
        (typed if "type" in parts[:-1] else shown).append(name)
    return shown, typed


def stock_kind(model: Mapping[str, object]) -> StockKind | None:
    """The kind of a (non-cloze) note type's notes, or ``None`` when its templates are none
    of Anki's stock shapes beyond front and back."""
    found_fields, found_templates = model.get("flds"), model.get("tmpls")
    fields = found_fields if isinstance(found_fields, list) else []
    names = [str(f.get("name", "")) for f in fields if isinstance(f, dict)]
    templates = [
        t
        for t in (found_templates if isinstance(found_templates, list) else [])
        if isinstance(t, dict)
    ]
    index = {name: i for i, name in enumerate(names)}
    sides = [
        (_fields(str(t.get("qfmt") or "")), _fields(str(t.get("afmt") or ""))) for t in templates
    ]
    if len(sides) == 1:
        (front, typed), _ = sides[0]
        asked = [name for name in front if name not in typed and name in index]
        if len(typed) == 1 and typed[0] in index and asked:
            return StockKind("typing", index[asked[0]], index[typed[0]])
        return None
    if len(sides) != 2 or any(typed for (_, typed), _ in sides):
        return None
    ((front1, _), (back1, _)), ((front2, _), (back2, _)) = sides
    one = [name for name in dict.fromkeys(front1) if name in index]
    two = [name for name in dict.fromkeys(front2) if name in index]
    if len(one) != 1 or len(two) != 1 or one == two:
        return None
    prompt, answer = one[0], two[0]
    if answer not in back1 or prompt not in back2:
        return None
    condition = [
        name
        for name in _CONDITION.findall(str(templates[1].get("qfmt") or ""))
        if name.strip() in index and name.strip() not in {prompt, answer}
    ]
    when = index[condition[0].strip()] if condition else None
    return StockKind("reverse", index[prompt], index[answer], when)

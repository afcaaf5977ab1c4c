"""The editor's form of a question, built from its type's keys in the registry: which field
each key gets, the text a field shows for a value, and the value a submitted field gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from srs.numbers import parse_whole_number
from srs.questions import question_type

__all__ = ["Field", "form_fields", "form_text", "form_values"]

_LABELS = {
    "section": _l("Section"),
    "tags": _l("Tags"),
    "prompt": _l("Prompt"),
    "answer": _l("Answer"),
    "text": _l("Text with gaps"),
    "choices": _l("Choices"),
    "items": _l("Items, in the right order"),
    "accept": _l("Other answers accepted"),
    "image": _l("Diagram"),
    "labels": _l("Labels to mask"),
    "ids": _l("Shapes to mask, by id"),
    "mode": _l("What is masked"),
    "explanation": _l("Explanation"),
    "source": _l("From the notes"),
}

_HINTS = {
    "markdown": _l("Markdown. A diagram: ![what it shows](diagrams/name.svg)."),
    "lines": _l("One a line."),
    "tags": _l("Separated by spaces."),
    "indices": _l("The numbers of the right choices, counting from 0, separated by commas."),
    "text": _l("Each gap as {{c1::answer}}; c2, c3… make more cards."),
    "source": _l(
        "The passage of the bank's notes it comes from, shown after an answer: the notes"
        " file, #, and a heading's anchor (notes.md#docker-engine) or its titles joined by >"
        " (notes.md#Images > Digests)."
    ),
}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of the form: the key it writes and the control that edits it."""

    name: str
    widget: str  # markdown, line, lines, tags, truth, indices, options, diagram, section, passage
    required: bool
    label: str
    hint: str | None = None
    options: tuple[str, ...] = ()


def _label(type_name: str, name: str, kind: str) -> str:
    if kind == "truth":
        return str(_l("The statement is"))
    if kind == "indices":
        return str(_l("Right choices"))
    if type_name == "occlusion" and name == "answer":
        return str(_l("How it is answered"))
    return str(_LABELS.get(name, name))


def form_fields(type_name: str) -> list[Field]:
    """The fields of a question of type ``type_name``: section and tags, the type's own
    keys in the registry's order, then the explanation and the passage of the notes it
    comes from (its ``source``)."""
    fields = [
        Field("section", "section", False, str(_LABELS["section"])),
        Field("tags", "tags", False, str(_LABELS["tags"]), str(_HINTS["tags"])),
    ]
    for key in question_type(type_name).keys:
        label = _label(type_name, key.name, key.kind)
        if key.diagram:
            fields.append(Field(key.name, "diagram", key.required, label))
        elif key.options:
            fields.append(Field(key.name, "options", key.required, label, options=key.options))
        elif key.kind == "texts":
            fields.append(Field(key.name, "lines", key.required, label, str(_HINTS["lines"])))
        elif key.kind in ("truth", "indices"):
            hint = str(_HINTS["indices"]) if key.kind == "indices" else None
            fields.append(Field(key.name, key.kind, key.required, label, hint))
        elif key.markdown:
            hint = str(_HINTS["text"] if key.name == "text" else _HINTS["markdown"])
            fields.append(Field(key.name, "markdown", key.required, label, hint))
        else:
            fields.append(Field(key.name, "line", key.required, label))
    fields.append(
        Field(
            "explanation", "markdown", False, str(_LABELS["explanation"]), str(_HINTS["markdown"])
        )
    )
    fields.append(Field("source", "passage", False, str(_LABELS["source"]), str(_HINTS["source"])))
    return fields


def form_text(field: Field, value: Any) -> str:
    """A key's value as its field shows it."""
    if value is None:
        return ""
    if field.widget == "truth":
        return "true" if value is True else "false" if value is False else str(value)
    if field.widget == "indices":
        items = value if isinstance(value, list | tuple) else [value]
        return ", ".join(str(item) for item in items)
    if isinstance(value, list | tuple):
        return (" " if field.widget == "tags" else "\n").join(str(item) for item in value)
    return str(value)


# Larger than any question's choices, so that the bank says which index is out of range.
_MOST_INDEX = 10**6


def _indices(text: str) -> Any:
    tokens = [token.strip() for token in text.replace("，", ",").split(",") if token.strip()]
    try:
        numbers = [parse_whole_number(token, 0, _MOST_INDEX) for token in tokens]
    except ValueError:
        return text.strip()  # read as the bank reads it: a problem with the key
    return numbers[0] if len(numbers) == 1 else numbers


def form_values(type_name: str, form: Mapping[str, str]) -> dict[str, Any]:
    """The values a submitted form gives each key of the type; an empty field gives
    ``None`` (its key is left out of the question)."""
    values: dict[str, Any] = {}
    for field in form_fields(type_name):
        text = (form.get(field.name) or "").replace("\r\n", "\n").replace("\r", "\n")
        value: Any
        if field.widget == "lines":
            value = [line.strip() for line in text.split("\n") if line.strip()]
        elif field.widget == "tags":
            value = text.split()
        elif field.widget == "truth":
            value = {"true": True, "false": False}.get(text.strip())
        elif field.widget == "indices":
            value = _indices(text)
        elif field.widget == "markdown":
            value = text.strip()
        else:
            value = text.strip()
        values[field.name] = None if value in ("", []) else value
    return values

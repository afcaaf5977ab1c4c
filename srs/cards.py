"""What each side of a card shows, by question type (Markdown, before rendering).

A ``reverse`` question's card 1 asks with the answer; a cloze card N hides deletion N. For
questions answered in the page, ``check`` holds what the answer is checked against.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from srs.cloze import render_cloze

__all__ = ["AUTO_CHECKED", "Faces", "card_faces", "shuffled_order"]

AUTO_CHECKED = {"choice", "truefalse", "order", "typing"}


@dataclass(frozen=True, slots=True)
class Faces:
    """The two sides of a card, in Markdown, and how an answer in the page is checked."""

    front: str
    back: str
    choices: tuple[str, ...] = ()
    items: tuple[tuple[int, str], ...] = ()
    check: Mapping[str, Any] = field(default_factory=dict)


def shuffled_order(count: int, seed: int) -> list[int]:
    """A fixed shuffle of ``range(count)`` for one card, never the answer itself."""
    order = list(range(count))
    if count < 2:
        return order
    random.Random(seed).shuffle(order)  # noqa: S311 (presentation, not security)
    if order == sorted(order):
        order = order[1:] + order[:1]
    return order


def card_faces(question_type: str, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
    """The faces of card ``ordinal`` of a question of ``question_type`` with ``content``."""
    if question_type == "reverse" and ordinal == 1:
        return Faces(front=content["answer"], back=content["prompt"])
    if question_type in {"basic", "reverse"}:
        return Faces(front=content["prompt"], back=content["answer"])
    if question_type == "cloze":
        text = content["text"]
        return Faces(
            front=render_cloze(text, ordinal, reveal=False),
            back=render_cloze(text, ordinal, reveal=True),
        )
    if question_type == "typing":
        return Faces(
            front=content["prompt"],
            back=content["answer"],
            check={"accept": [content["answer"], *content.get("accept", [])]},
        )
    if question_type == "choice":
        correct = content["correct"]
        right = [correct] if isinstance(correct, int) else list(correct)
        choices = tuple(content["choices"])
        back = "\n".join(f"- {choices[i]}" for i in right)
        return Faces(
            front=content["prompt"],
            back=back,
            choices=choices,
            check={"correct": right, "multiple": not isinstance(correct, int)},
        )
    if question_type == "truefalse":
        return Faces(
            front=content["prompt"],
            back="**True**" if content["correct"] else "**False**",
            check={"correct": bool(content["correct"])},
        )
    if question_type == "order":
        items = list(content["items"])
        order = shuffled_order(len(items), seed)
        back = "\n".join(f"{n}. {item}" for n, item in enumerate(items, 1))
        return Faces(
            front=content["prompt"],
            back=back,
            items=tuple((index, items[index]) for index in order),
            check={"count": len(items)},
        )
    raise ValueError(f"unknown question type {question_type!r}")

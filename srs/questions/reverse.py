"""``reverse``: a prompt and its answer, asked both ways: card 1 asks with the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from srs.questions.base import Faces, Shown
from srs.questions.basic import Basic
from srs.questions.note_fields import NoteType

__all__ = ["Reverse"]


class Reverse(Basic):
    name = "reverse"
    anki = NoteType("Wengu Reverse", 1103855513, "both_ways")

    def card_ordinals(self, content: Mapping[str, Any]) -> tuple[int, ...]:
        return (0, 1)

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        if ordinal == 1:
            return Faces(front=content["answer"], back=content["prompt"])
        return super().faces(content, ordinal, seed)

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return str(content.get("prompt" if ordinal == 1 else "answer") or "")

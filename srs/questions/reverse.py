"""``reverse``: a prompt and its answer, asked both ways: card 1 asks with the answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from srs.questions.base import Faces, Key, QuestionType, Shown

__all__ = ["Reverse"]


class Reverse(QuestionType):
    name = "reverse"
    keys = (Key("prompt"), Key("answer"))
    anki_name = "Wengu Reverse"
    anki_id = 1103855513

    def card_ordinals(self, content: Mapping[str, Any]) -> tuple[int, ...]:
        return (0, 1)

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        if ordinal == 1:
            return Faces(front=content["answer"], back=content["prompt"])
        return super().faces(content, ordinal, seed)

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return str(content.get("prompt" if ordinal == 1 else "answer") or "")

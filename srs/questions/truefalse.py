"""``truefalse``: a statement, true or false; the pages word the answer in their language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from srs.questions.base import Faces, Key, QuestionType, Shown, Verdict

__all__ = ["TrueFalse"]


class TrueFalse(QuestionType):
    name = "truefalse"
    keys = (Key("prompt"), Key("correct", "truth", markdown=False))
    anki_name = "Wengu True/False"
    anki_id = 1105331578
    checked_in_review = True

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        truth = bool(content["correct"])
        return Faces(front=content["prompt"], back="", check={"correct": truth}, truth=truth)

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        if not isinstance(response, bool):
            raise TypeError("a true/false answer is true or false")
        return Verdict.of(response is check["correct"])

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return bool(content.get("correct"))

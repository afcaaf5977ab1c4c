"""``truefalse``: a statement, true or false; the pages word the answer in their language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from srs.questions.base import Faces, Key, QuestionType, Shown, Verdict
from srs.questions.note_fields import OPTIONS, NoteRender, NoteType, options_list
from srs.questions.words import bank_words, speaks

__all__ = ["TrueFalse"]


class TrueFalse(QuestionType):
    name = "truefalse"
    keys = (Key("prompt"), Key("correct", "truth", markdown=False))
    anki = NoteType("Wengu True/False", 1105331578, "options", OPTIONS)
    checked_in_review = True

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        truth = bool(content["correct"])
        return Faces(front=content["prompt"], back="", check={"correct": truth}, truth=truth)

    def faces_in(
        self, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None
    ) -> Faces:
        """True and false in the bank's language, as the card's choices, where it is known
        (else the page words them in its own)."""
        faces = self.faces(content, ordinal, seed)
        if not speaks(language):
            return faces
        words = bank_words(language)
        return replace(faces, choices=(words["true"], words["false"]))

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        # An Anki package has no page language: its words are the bank's.
        words = bank_words(render.language)
        options = options_list([("", "", words["true"]), ("", "", words["false"])])
        verdict = words["true"] if content["correct"] else words["false"]
        answer = f'<div class="answer"><span class="mark">✓</span> {verdict}</div>'
        return [render.html(content["prompt"]), options, answer]

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        if not isinstance(response, bool):
            raise TypeError("a true/false answer is true or false")
        return Verdict.of(response is check["correct"])

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        return None if isinstance(response, bool) else "not true or false"

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return bool(content.get("correct"))

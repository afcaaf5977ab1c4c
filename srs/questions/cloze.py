"""``cloze``: a text with deletions in Anki's syntax, one card per number (see srs.cloze).

Review shows the blanks and the learner grades; a quiz takes the hidden words typed, checked
as a ``typing`` answer is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from srs.cloze import ClozeError, cloze_numbers, parse_cloze, render_cloze
from srs.questions.base import Faces, Key, QuestionType, Shown, Verdict, typed_problem
from srs.questions.note_fields import NoteRender, NoteType
from srs.questions.typing import shown_text, typed_verdict

__all__ = ["Cloze"]


def _answers(text: str, ordinal: int) -> list[str]:
    return [d.answer for d in parse_cloze(text) if d.number == ordinal]


def _accepted(text: str, ordinal: int) -> list[str]:
    """The hidden words as written and as shown: a blank hiding `` `-a` `` takes ``-a``, as
    the learner sees it revealed, not only the Markdown that writes it."""
    answers = _answers(text, ordinal)
    return list(dict.fromkeys([*answers, *(shown_text(answer) for answer in answers)]))


class Cloze(QuestionType):
    name = "cloze"
    keys = (Key("text"),)
    anki = NoteType("Wengu Cloze", 1147584125, "cloze", ("Text",))

    def problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        if not fields.get("text"):
            return []  # missing or unreadable: said already
        try:
            parse_cloze(fields["text"])
        except ClozeError as error:
            return [("text", str(error))]
        return []

    def card_ordinals(self, content: Mapping[str, Any]) -> tuple[int, ...]:
        return cloze_numbers(content.get("text") or "")

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        text = content["text"]
        return Faces(
            front=render_cloze(text, ordinal, reveal=False),
            back=render_cloze(text, ordinal, reveal=True),
            check={"accept": _accepted(text, ordinal)},
        )

    def answered_face(
        self, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None
    ) -> str:
        # As review's back: its own deletion filled in and marked, the others as plain text.
        return self.faces(content, ordinal, seed).back

    def rendered(self, content: Mapping[str, Any]) -> list[tuple[str, str]]:
        text = content["text"]
        return [
            ("text", render_cloze(text, number, reveal=reveal))
            for number in (*cloze_numbers(text), None)
            for reveal in (False, True)
        ]

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        return typed_verdict(check["accept"], response)

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        return typed_problem(response)

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        return [render.cloze(content["text"])]

    def anki_card(self, ordinal: int) -> int:
        return ordinal - 1  # Anki counts cloze cards from 0, c1 being the first

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return " / ".join(_answers(content.get("text") or "", ordinal))

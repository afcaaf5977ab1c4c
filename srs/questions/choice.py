"""``choice``: pick the right one of ``choices``, or every right one when ``correct`` lists
several. Several right answers score (right chosen − wrong chosen) / right, never below 0.

The options are shown shuffled, afresh for each showing of a card, in a quiz and in the Anki
export, so that no place on screen gives the answer away.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from srs.questions.base import (
    Faces,
    Key,
    QuestionType,
    Shown,
    Verdict,
    distinct_indices,
    indices,
    repeated,
    shuffled_choices,
    whole_numbers,
)
from srs.questions.note_fields import OPTIONS, NoteRender, NoteType, letter, options_list
from srs.questions.words import bank_words

__all__ = ["Choice"]


class Choice(QuestionType):
    name = "choice"
    keys = (
        Key("prompt"),
        Key("choices", "texts", minimum=2),
        Key("correct", "indices", markdown=False),
    )
    anki = NoteType("Wengu Choice", 1316452310, "options", OPTIONS)
    checked_in_review = True

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        """The options in the order ``seed`` shuffles them to; ``check`` and ``shown`` speak
        of places on screen, ``shown`` giving each place's index in the bank."""
        correct = content["correct"]
        right = indices(correct)
        choices = tuple(content["choices"])
        order = shuffled_choices(len(choices), seed)
        return Faces(
            front=content["prompt"],
            back="\n".join(f"- {choices[i]}" for i in right),
            choices=tuple(choices[i] for i in order),
            check={
                "correct": sorted(order.index(i) for i in right),
                "multiple": not isinstance(correct, int),
            },
            shown=tuple(order),
        )

    def bank_check(self, content: Mapping[str, Any], ordinal: int) -> Mapping[str, Any]:
        correct = content["correct"]
        return {"correct": indices(correct), "multiple": not isinstance(correct, int)}

    def problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        twice = repeated(fields.get("choices"))
        return [("choices", f"the option '{twice}' is there twice")] if twice else []

    def rendered(self, content: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [("correct", self.faces(content, 0, seed=0).back)]

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        right = set(indices(check["correct"]))
        chosen = set(whole_numbers(response))
        if chosen == right:
            return Verdict(True, 1.0)
        if len(right) == 1:
            return Verdict(False, 0.0)
        return Verdict(False, max(0.0, (len(chosen & right) - len(chosen - right)) / len(right)))

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        right = set(indices(content["correct"]))
        choices = [render.inline(choice) for choice in content["choices"]]
        order = shuffled_choices(len(choices), seed)
        options = options_list(("", letter(n), choices[i]) for n, i in enumerate(order))
        if not isinstance(content["correct"], int):  # checkboxes, however many are right
            options += f'<div class="hint">{bank_words(render.language).choose(len(right))}</div>'
        answer = options_list(
            ("right", f'<span class="mark">✓</span> {letter(n)}', choices[i])
            if i in right
            else ("wrong", f"&nbsp;&nbsp; {letter(n)}", choices[i])
            for n, i in enumerate(order)
        )
        return [render.html(content["prompt"]), options, answer]

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return tuple(content["choices"][i] for i in indices(content.get("correct")))

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        problem = distinct_indices(response, len(content["choices"]))
        if problem is None and isinstance(content["correct"], int) and len(response) != 1:
            return "one choice, not several"
        return problem

    def said(self, content: Mapping[str, Any], response: Any) -> Shown:
        if distinct_indices(response, len(content["choices"])):
            raise ValueError("not indices of this question's choices")
        return tuple(content["choices"][i] for i in response)

    def quiz_shuffle(self, content: Mapping[str, Any], rng: random.Random) -> tuple[int, ...]:
        order = list(range(len(content["choices"])))
        rng.shuffle(order)
        return tuple(order)

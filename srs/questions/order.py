"""``order``: put ``items`` (written in the right order) back in order; shown shuffled.

A response lists item indices, as written, in the order given; it scores the share of items
standing in their right place.
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
    repeated,
    shuffled_order,
    whole_numbers,
)
from srs.questions.note_fields import OPTIONS, NoteRender, NoteType, letter, options_list
from srs.questions.words import bank_words

__all__ = ["Order"]


class Order(QuestionType):
    name = "order"
    keys = (Key("prompt"), Key("items", "texts", minimum=2))
    anki = NoteType("Wengu Order", 1658045374, "options", OPTIONS)
    checked_in_review = True

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        items = list(content["items"])
        order = shuffled_order(len(items), seed)
        return Faces(
            front=content["prompt"],
            back="\n".join(f"{n}. {item}" for n, item in enumerate(items, 1)),
            items=tuple((index, items[index]) for index in order),
            check={"count": len(items)},
        )

    def problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        twice = repeated(fields.get("items"))
        return [("items", f"the item '{twice}' is there twice")] if twice else []

    def rendered(self, content: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [("items", self.faces(content, 0, seed=0).back)]

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        count = int(check["count"])
        given = whole_numbers(response)
        in_place = sum(1 for place, item in enumerate(given[:count]) if item == place)
        return Verdict(given == list(range(count)), in_place / count)

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        items = [render.inline(item) for item in content["items"]]
        order = shuffled_order(len(items), seed)
        options = options_list(("", letter(n), items[i]) for n, i in enumerate(order))
        options += f'<div class="hint">{bank_words(render.language)["order"]}</div>'
        # The back lists the items in the right order, each with the letter it had in front.
        place = {index: n for n, index in enumerate(order)}
        answer = '<ol class="answer order">' + "".join(
            f'<li><span class="label">{letter(place[i])}</span> {item}</li>'
            for i, item in enumerate(items)
        )
        answer += "</ol>"
        return [render.html(content["prompt"]), options, answer]

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        return tuple(content["items"])

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        # The quiz page sends the items picked so far: all of them, or the first few.
        return distinct_indices(response, len(content["items"]))

    def said(self, content: Mapping[str, Any], response: Any) -> Shown:
        if distinct_indices(response, len(content["items"])):
            raise ValueError("not indices of this question's items")
        return tuple(content["items"][i] for i in response)

    def quiz_shuffle(self, content: Mapping[str, Any], rng: random.Random) -> tuple[int, ...]:
        order = list(range(len(content["items"])))
        while len(order) > 1 and order == sorted(order):
            rng.shuffle(order)
        return tuple(order)

"""``occlusion``: a diagram of the bank with its labels masked, one card per label.

``labels`` names the diagram's ``<text>`` elements by their text, or ``ids`` by their ``id``
(then ``labels`` holds their texts, read from the diagram when the bank is read). Each card
shows the diagram with its label masked (``mode: one``, the default, leaves the others
shown; ``mode: all`` masks them all) and asks for it: typed (``answer: typed``, checked as a
``typing`` answer is) or self-graded (``answer: self``, the default). The masking itself is
:mod:`srs.occlusion`'s; the faces only refer to the diagram with the mask in its query.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from srs.occlusion import Mask, asked_box_note, default_prompt, mask_query, selector
from srs.questions.base import Faces, Key, QuestionType, Shown, Verdict, typed_problem
from srs.questions.note_fields import NoteRender, NoteType
from srs.questions.typing import typed_verdict

__all__ = ["MAX_LABELS", "MODES", "Occlusion", "occlusion_names"]

MAX_LABELS = 20
"""The most labels one question may ask: Anki's note type has a card template per label."""
MODES = ("one", "all")
ANSWERS = ("self", "typed")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def occlusion_names(content: Mapping[str, Any]) -> tuple[list[str], bool]:
    """The names the question's cards mask, in order, and whether they are ids."""
    ids = list(content.get("ids") or ())
    return (ids, True) if ids else (list(content.get("labels") or ()), False)


def _mask(content: Mapping[str, Any], ordinal: int, *, revealed: bool) -> str:
    names, by_id = occlusion_names(content)
    others = (
        tuple(selector(n, by_id=by_id) for i, n in enumerate(names) if i != ordinal)
        if content.get("mode") == "all"
        else ()
    )
    return mask_query(Mask(selector(names[ordinal], by_id=by_id), others, revealed))


def _image(content: Mapping[str, Any], ordinal: int, alt: str, *, revealed: bool) -> str:
    alt = re.sub(r"[\[\]\\\n]", " ", alt)
    return f"![{alt}]({content['image']}?{_mask(content, ordinal, revealed=revealed)})"


def masked_whole(content: Mapping[str, Any]) -> str:
    """The question's diagram with every label it asks masked, as Markdown: what a bank's
    page shows under the question's prompt, the labels to name."""
    names, by_id = occlusion_names(content)
    asked = [selector(name, by_id=by_id) for name in names]
    return f"![]({content['image']}?{mask_query(Mask(asked[0], tuple(asked[1:])))})"


def _prompt(content: Mapping[str, Any], language: str | None) -> str:
    return str(content.get("prompt") or default_prompt(language))


class Occlusion(QuestionType):
    name = "occlusion"
    keys = (
        Key("image", markdown=False, diagram=True),
        Key("labels", "texts", required=False, markdown=False),
        Key("ids", "texts", required=False, markdown=False),
        Key("mode", required=False, markdown=False, options=MODES),
        Key("answer", required=False, markdown=False, options=ANSWERS),
        Key("prompt", required=False),
    )
    anki = NoteType(
        "Wengu Occlusion",
        1686882261,
        "occlusion",
        (
            "Prompt",
            "Diagram",
            "Occlusion",
            *(f"Front {n}" for n in range(1, MAX_LABELS + 1)),
            *(f"Back {n}" for n in range(1, MAX_LABELS + 1)),
        ),
    )

    def problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        image = fields.get("image")
        if image and not image.split("?")[0].lower().endswith(".svg"):
            found.append(("image", f"'{image}' is not an SVG diagram"))
        if image and ("?" in image or "#" in image):
            found.append(("image", f"'{image}' must be a plain path, without '?' or '#'"))
        if "labels" in fields and "ids" in fields:
            found.append(("ids", "give 'labels' or 'ids', not both"))
        elif image and "labels" not in fields and "ids" not in fields:
            found.append(("image", "missing 'labels' (the texts to mask) or 'ids'"))
        for key in ("labels", "ids"):
            names = fields.get(key) or ()
            if len(names) > MAX_LABELS:
                found.append((key, f"at most {MAX_LABELS} entries, not {len(names)}"))
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                found.append((key, f"'{repeated[0]}' is listed twice"))
        if fields.get("mode") not in (None, *MODES):
            found.append(("mode", f"'{fields['mode']}' is not one of {', '.join(MODES)}"))
        if fields.get("answer") not in (None, *ANSWERS):
            found.append(("answer", f"'{fields['answer']}' is not one of {', '.join(ANSWERS)}"))
        return found

    def checks_in_review(self, content: Mapping[str, Any]) -> bool:
        return content.get("answer") == "typed"

    def card_ordinals(self, content: Mapping[str, Any]) -> tuple[int, ...]:
        return tuple(range(len(occlusion_names(content)[0])))

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        return self.faces_in(content, ordinal, seed, None)

    def faces_in(
        self, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None
    ) -> Faces:
        prompt = _prompt(content, language)
        label = self.right_answer(content, ordinal)
        shown = _MARKDOWN_PUNCTUATION.sub(r"\\\1", str(label))
        front = f"{prompt}\n\n{_image(content, ordinal, prompt, revealed=False)}"
        if content.get("mode") == "all" and len(self.card_ordinals(content)) > 1:
            front += f"\n\n*{asked_box_note(language)}*"
        return Faces(
            front=front,
            back=f"{_image(content, ordinal, str(label), revealed=True)}\n\n**{shown}**",
            check={"accept": [label]} if content.get("answer") == "typed" else {},
        )

    def answered_face(
        self, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None
    ) -> str:
        # The prompt over the diagram with the asked label shown and outlined.
        label = str(self.right_answer(content, ordinal))
        return f"{_prompt(content, language)}\n\n{_image(content, ordinal, label, revealed=True)}"

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        if "accept" in check:
            return typed_verdict(check["accept"], response)
        return super().check(check, response)

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        if content.get("answer") == "typed":
            return typed_problem(response)
        return super().response_problem(content, ordinal, response)

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        labels = list(content.get("labels") or ())
        return labels[ordinal] if ordinal < len(labels) else ""

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        count = len(occlusion_names(content)[0])
        fronts = [_image(content, n, "", revealed=False) for n in range(count)]
        backs = [self.faces(content, n, seed).back for n in range(count)]
        blank = [""] * (MAX_LABELS - count)
        # The keys as written, for reading the note back as this question.
        keys = ("image", "labels", "ids", "mode", "answer", "prompt")
        spec = {k: content[k] for k in keys if content.get(k)}
        return [
            render.html(_prompt(content, render.language)),
            render.html(f"![]({content['image']})"),
            html.escape(json.dumps(spec, ensure_ascii=False, sort_keys=True)),
            *(render.html(front) for front in fronts),
            *blank,
            *(render.html(back) for back in backs),
            *blank,
        ]

"""``typing``: the learner types the answer; ``accept`` lists other right answers.

Typed text is compared after :func:`~srs.questions.base.normalise_typed`: width, case
(folded: ``Straße`` is ``STRASSE``) and space do not count.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from srs.questions.base import Faces, Key, QuestionType, Verdict, normalise_typed
from srs.questions.note_fields import NoteRender, NoteType

__all__ = ["Typing", "typed_verdict"]


def typed_verdict(accept: Sequence[str], response: Any) -> Verdict:
    """Whether ``response`` is one of the ``accept``ed answers; blank is never right."""
    if not isinstance(response, str):
        raise TypeError("a typed answer is text")
    typed = normalise_typed(response)
    return Verdict.of(bool(typed) and any(typed == normalise_typed(a) for a in accept))


class Typing(QuestionType):
    name = "typing"
    keys = (
        Key("prompt"),
        Key("answer"),
        Key("accept", "texts", required=False, markdown=False),
    )
    anki = NoteType("Wengu Typing", 1327962182, "typing", ("Question", "Answer", "Accepted"))
    checked_in_review = True

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        return Faces(
            front=content["prompt"],
            back=content["answer"],
            check={"accept": [content["answer"], *(content.get("accept") or ())]},
        )

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        accepted = " · ".join(html.escape(a) for a in content.get("accept") or ())
        return [render.html(content["prompt"]), render.inline(content["answer"]), accepted]

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        return typed_verdict(check["accept"], response)

"""``basic``: a prompt and its answer; the learner grades themselves."""

from __future__ import annotations

from srs.questions.base import Key, QuestionType

__all__ = ["Basic"]


class Basic(QuestionType):
    name = "basic"
    keys = (Key("prompt"), Key("answer"))
    anki_name = "Wengu Basic"
    anki_id = 2035394092

"""``basic``: a prompt and its answer; the learner grades themselves."""

from __future__ import annotations

from srs.questions.base import Key, QuestionType
from srs.questions.note_fields import NoteType

__all__ = ["Basic"]


class Basic(QuestionType):
    name = "basic"
    keys = (Key("prompt"), Key("answer"))
    anki = NoteType("Wengu Basic", 2035394092)

"""The question types, one module each, and the registry that finds them by name.

Adding a type means a module here (its keys, cards, faces, checking, scoring and Anki note
type), one macro in ``templates/questions/_types.html`` and, if the page does more with it
than show its faces, one widget module ``static/js/types/<type>.js`` registered in
``static/js/types/index.js``. Everything else asks the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from srs.questions.base import (
    PARTLY_RIGHT,
    Faces,
    Key,
    QuestionType,
    Shown,
    Verdict,
    is_blank,
    normalise_typed,
    showing_seed,
    shuffled_order,
)
from srs.questions.basic import Basic
from srs.questions.choice import Choice
from srs.questions.cloze import Cloze
from srs.questions.occlusion import Occlusion
from srs.questions.order import Order
from srs.questions.reverse import Reverse
from srs.questions.truefalse import TrueFalse
from srs.questions.typing import Typing

__all__ = [
    "ALL_KEYS",
    "AUTO_CHECKED",
    "PARTLY_RIGHT",
    "QUESTION_TYPES",
    "TYPES",
    "Faces",
    "Key",
    "QuestionType",
    "Shown",
    "Verdict",
    "answered_face",
    "card_faces",
    "check_answer",
    "is_blank",
    "normalise_typed",
    "question_type",
    "showing_seed",
    "shuffled_order",
]

TYPES: dict[str, QuestionType] = {
    kind.name: kind
    for kind in (Basic(), Reverse(), Cloze(), Choice(), TrueFalse(), Order(), Typing(), Occlusion())
}
QUESTION_TYPES = tuple(TYPES)
ALL_KEYS = frozenset(key.name for kind in TYPES.values() for key in kind.keys)
"""Every key some question type has."""
AUTO_CHECKED = frozenset(name for name, kind in TYPES.items() if kind.checked_in_review)
"""The types review checks in the page; the others the learner grades."""


def question_type(name: str) -> QuestionType:
    """The type called ``name``.

    Raises:
        ValueError: no type is called that.
    """
    try:
        return TYPES[name]
    except KeyError:
        raise ValueError(f"unknown question type {name!r}") from None


def card_faces(
    name: str,
    content: Mapping[str, Any],
    ordinal: int,
    seed: int,
    language: str | None = None,
) -> Faces:
    """The faces of card ``ordinal`` of a question of type ``name`` with ``content``; text
    the type adds of its own is in the bank's ``language``."""
    return question_type(name).faces_in(content, ordinal, seed, language)


def answered_face(
    name: str, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None = None
) -> str:
    """Card ``ordinal`` as a quiz result shows a mistake (:meth:`QuestionType.answered_face`)."""
    return question_type(name).answered_face(content, ordinal, seed, language)


def check_answer(name: str, check: Mapping[str, Any], response: Any) -> Verdict:
    """How right ``response`` is, against the ``check`` the page received with the card."""
    return question_type(name).check(check, response)

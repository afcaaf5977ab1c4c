"""What every question type declares, and the values that leave it.

A type is a :class:`QuestionType`: its keys in the bank format, the cards a question makes,
the faces of each card, how an answer given in the page is checked and scored, and its Anki
note type. Results leave as values (:class:`Verdict`, :data:`Shown`), never as sentences:
the pages put them in the reader's language.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from srs.cjk import unspaced
from srs.questions.note_fields import NoteRender, NoteType
from srs.scheduler import Rating

__all__ = [
    "MAX_TYPED",
    "PARTLY_RIGHT",
    "Faces",
    "Key",
    "QuestionType",
    "Shown",
    "Verdict",
    "distinct_indices",
    "is_blank",
    "normalise_typed",
    "repeated",
    "showing_seed",
    "shuffled_choices",
    "shuffled_order",
    "typed_form",
    "typed_problem",
    "whole_numbers",
]

Shown = str | bool | tuple[str, ...]
"""An answer as the results page shows it: a text, a truth value (true/false, or "I knew
it" for a self-graded card), or texts in order (choices, items); the page words it."""

_SPACE = re.compile(r"\s+")

PARTLY_RIGHT = 0.5
"""The least score of an answer not wholly right that suggests Hard rather than Again
(static/js/check.js keeps the same)."""


@dataclass(frozen=True, slots=True)
class Key:
    """One key of a question type in the bank format.

    ``kind`` says how it is read: ``text`` one text, ``texts`` a list of them (at least
    ``minimum``), ``truth`` true or false, ``indices`` 0-based indices into ``choices``.
    ``markdown`` texts are rendered, so their images must be the bank's diagrams.
    ``options`` lists the only texts a key may hold, and ``diagram`` says it names one of
    the bank's diagrams: the editor in the browser offers those to choose from.
    """

    name: str
    kind: Literal["text", "texts", "truth", "indices"] = "text"
    required: bool = True
    minimum: int = 0
    markdown: bool = True
    options: tuple[str, ...] = ()
    diagram: bool = False


@dataclass(frozen=True, slots=True)
class Faces:
    """The two sides of a card, in Markdown, and what an answer in the page is checked against.

    ``truth`` is the right answer of a true/false card: the page words it in its language
    (or the bank's, when the page is given its words as ``choices``). ``shown`` gives each
    shown choice's index in the bank, when they are shuffled.
    """

    front: str
    back: str
    choices: tuple[str, ...] = ()
    shown: tuple[int, ...] = ()
    items: tuple[tuple[int, str], ...] = ()
    check: Mapping[str, Any] = field(default_factory=dict)
    truth: bool | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """How right an answer is: ``correct`` only when wholly right; ``score`` in [0, 1]."""

    correct: bool
    score: float

    @classmethod
    def of(cls, correct: bool) -> Verdict:
        """All or nothing."""
        return cls(correct, 1.0 if correct else 0.0)

    @property
    def rating(self) -> Rating:
        """The rating the check suggests: Good when right, Hard when partly right (a score of
        at least :data:`PARTLY_RIGHT`), else Again; the learner may change it."""
        if self.correct:
            return Rating.GOOD
        return Rating.HARD if self.score >= PARTLY_RIGHT else Rating.AGAIN


MAX_TYPED = 1000
"""The most characters a typed answer may have: far above any answer a card asks for."""


def distinct_indices(response: object, count: int | None) -> str | None:
    """What is wrong with ``response`` as a list of distinct indices into ``count`` things
    (whole numbers, not true or false, from 0 to ``count`` - 1, or any from 0 when ``count``
    is ``None``); ``None`` when nothing is."""
    if not isinstance(response, list):
        return "not a list"
    for i in response:
        if isinstance(i, bool) or not isinstance(i, int):
            return f"{i!r} is not a whole number"
        if i < 0 or (count is not None and i >= count):
            return f"{i} is not an index of these"
    if len(set(response)) != len(response):
        return "an index is given twice"
    return None


def whole_numbers(response: object) -> list[int]:
    """``response`` as a list of whole numbers (not true or false).

    Raises:
        TypeError: it is not one.
    """
    if not isinstance(response, list) or any(
        isinstance(i, bool) or not isinstance(i, int) for i in response
    ):
        raise TypeError("not a list of whole numbers")
    return response


def typed_problem(response: object) -> str | None:
    """What is wrong with ``response`` as a typed answer; ``None`` when nothing is."""
    if not isinstance(response, str):
        return "not text"
    if len(response) > MAX_TYPED:
        return f"longer than {MAX_TYPED} characters"
    return None


# A whole text written as one Markdown code span: `` `-f` `` or ``` `` -f `` ```.
_CODE_SPAN = re.compile(r"(`+)([^`]+)\1")


def normalise_typed(text: str) -> str:
    """The form typed answers are compared in: Unicode NFKC (full-width and half-width
    agree), runs of white space made one and trimmed, a text that is one code span taken
    without its backticks (`` `-f` `` is ``-f``, typed or accepted), and case folded (``ß``
    is ``ss``), the spaces beside Han or kana dropped (:func:`srs.cjk.unspaced`), and one
    colon or slash ending it dropped. ``static/js/check.js`` compares the same way."""
    return typed_form(text).casefold()


def typed_form(text: str) -> str:
    """:func:`normalise_typed` but its case folding: the form a typed answer is shown in."""
    plain = _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()
    span = _CODE_SPAN.fullmatch(plain)
    if span:
        plain = span.group(2).strip(" ")
    plain = unspaced(plain)
    # A key's colon (env_file:) and a folder's slash (/var/lib/docker/) name the same thing.
    return plain[:-1] if len(plain) > 1 and plain[-1] in ":/" else plain


def repeated(texts: Sequence[str] | None) -> str | None:
    """The first of ``texts`` that repeats an earlier one, compared as typed answers are and
    with format characters (zero-width spaces) dropped; ``None`` when all differ."""
    seen: set[str] = set()
    for text in texts or ():
        key = normalise_typed("".join(c for c in text if unicodedata.category(c) != "Cf"))
        if key in seen:
            return text
        seen.add(key)
    return None


def is_blank(response: object) -> bool:
    """Whether nothing was answered."""
    return response is None or response == "" or response == []


def shuffled_order(count: int, seed: int) -> list[int]:
    """A fixed shuffle of ``range(count)`` for one card (the same for the same ``seed``).

    From three items on, it is never the answer itself nor the answer reversed, either of
    which would give the answer away at a glance. Two items have no other order than those
    two, so they come in either, as ``seed`` falls: a fixed swap would teach "swap them".
    """
    order = list(range(count))
    rng = random.Random(seed)  # noqa: S311 (presentation, not security)
    if count == 2:
        return order if rng.random() < 0.5 else order[::-1]
    if count < 3:
        return order
    given = list(order)
    while order in (given, given[::-1]):
        rng.shuffle(order)
    return order


def shuffled_choices(count: int, seed: int) -> list[int]:
    """A shuffle of ``range(count)`` for one showing, every order as likely (bank order too),
    so that no place is more often the right one's."""
    order = list(range(count))
    random.Random(seed).shuffle(order)  # noqa: S311 (presentation, not security)
    return order


def showing_seed(card_id: int, showing: int) -> int:
    """The seed of one showing of a card: ``showing`` changes with each answer to it (its
    count of reviews), so a reload shows the same faces and the next showing new ones."""
    digest = hashlib.sha256(f"{card_id}/{showing}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def indices(correct: object) -> list[int]:
    """The right choices of a ``choice`` question or check: one index or a list of them."""
    if isinstance(correct, int) and not isinstance(correct, bool):
        return [correct]
    return [int(i) for i in correct] if isinstance(correct, Sequence) else []


class QuestionType:
    """A question type; each module of this package defines one and registers it.

    Subclasses set ``name`` and ``keys`` and override what differs from a prompt with an
    answer the learner grades themselves.
    """

    name: ClassVar[str]
    keys: ClassVar[tuple[Key, ...]]
    anki: ClassVar[NoteType]
    checked_in_review: ClassVar[bool] = False
    """Whether review checks an answer given in the page (else the learner grades)."""

    def checks_in_review(self, content: Mapping[str, Any]) -> bool:
        """Whether review checks an answer to this question in the page (else the learner
        grades): the type's ``checked_in_review``, unless the question chooses."""
        return self.checked_in_review

    @property
    def key_names(self) -> tuple[str, ...]:
        return tuple(key.name for key in self.keys)

    def problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        """What is wrong beyond each key's own reading, as ``(key, message)``."""
        return []

    def card_ordinals(self, content: Mapping[str, Any]) -> tuple[int, ...]:
        """The cards a question makes, by ordinal."""
        return (0,)

    def faces(self, content: Mapping[str, Any], ordinal: int, seed: int) -> Faces:
        """The faces of card ``ordinal``; ``seed`` fixes any shuffle shown on it."""
        return Faces(front=content["prompt"], back=content["answer"])

    def bank_check(self, content: Mapping[str, Any], ordinal: int) -> Mapping[str, Any]:
        """What a response in the bank's own terms (a quiz's, whatever order it showed) is
        checked against: a card's ``check`` as it stands however its faces are shuffled."""
        return self.faces(content, ordinal, seed=0).check

    def faces_in(
        self, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None
    ) -> Faces:
        """:meth:`faces` for a bank in ``language``, for a type that words something itself."""
        return self.faces(content, ordinal, seed)

    def answered_face(
        self, content: Mapping[str, Any], ordinal: int, seed: int, language: str | None
    ) -> str:
        """Card ``ordinal`` as a quiz result shows a mistake: its front, with the answer in
        place where the type has one (a cloze's blank filled, a diagram's label uncovered)."""
        return self.faces_in(content, ordinal, seed, language).front

    def rendered(self, content: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Texts the pages build from the keys, beyond the keys themselves, as ``(key, text)``:
        each must render as the keys do."""
        return []

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        """How right ``response`` is against a card's ``check``; for a self-graded card the
        response is the learner's own verdict, a bool.

        Raises:
            TypeError, ValueError: a response of the wrong shape.
        """
        if not isinstance(response, bool):
            raise TypeError("a self-graded answer is true or false")
        return Verdict.of(response)

    def right_answer(self, content: Mapping[str, Any], ordinal: int) -> Shown:
        """The right answer of card ``ordinal``, for the results page."""
        return str(content.get("answer") or "")

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        """What is wrong with the shape of a non-blank ``response`` to card ``ordinal`` (in
        the bank's terms, as :meth:`bank_check` reads it); ``None`` when nothing is. A
        self-graded answer is the learner's own verdict, true or false."""
        return None if isinstance(response, bool) else "not true or false"

    def said(self, content: Mapping[str, Any], response: Any) -> Shown:
        """A (non-blank) response, for the results page."""
        return response if isinstance(response, bool) else str(response)

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        """The values of the note type's fields for a question; ``seed`` fixes any shuffle."""
        return [render.html(content["prompt"]), render.html(content["answer"])]

    def anki_card(self, ordinal: int) -> int:
        """The index of card ``ordinal``'s template in its note type (Anki's ``ord``)."""
        return ordinal

    def quiz_shuffle(self, content: Mapping[str, Any], rng: random.Random) -> tuple[int, ...]:
        """The order a quiz shows the question's items or options in, by their index in the
        bank; drawn from the quiz's ``rng``."""
        return ()

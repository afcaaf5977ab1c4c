"""Quizzes: a seeded sample of a bank's questions, and how each kind of answer is scored.

The same seed and choices give the same quiz, so a group can share one by a link. Questions
that can be checked (choice, true/false, order, typing, and cloze answered by typing) are
scored in [0, 1]; basic and reverse cards are graded by the learner, right or wrong.

Partial credit, stated:

* choice with several right answers: (right ones chosen − wrong ones chosen) / right ones,
  never below 0; with one right answer, 1 or 0.
* order: the share of items standing in their right place.
* typing and cloze: 1 when the typed text matches after normalisation (Unicode NFKC, so
  full-width and half-width agree; case; surrounding and repeated space), or an ``accept``
  alternative; else 0.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from srs.bank import Question
from srs.cloze import parse_cloze
from srs.grading import check_typing

__all__ = [
    "QUIZ_TYPES",
    "SELF_GRADED",
    "QuizItem",
    "QuizSpec",
    "expected_answer",
    "sample_quiz",
    "score_answer",
]

QUIZ_TYPES = ("choice", "truefalse", "order", "typing", "cloze", "basic", "reverse")
SELF_GRADED = {"basic", "reverse"}


@dataclass(frozen=True, slots=True)
class QuizSpec:
    """What a quiz draws from: sections (with their subsections), tags, types; how many."""

    seed: int
    count: int = 10
    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    time_limit: int | None = None  # seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "count": self.count,
            "sections": list(self.sections),
            "tags": list(self.tags),
            "types": list(self.types),
            "time_limit": self.time_limit,
        }


@dataclass(frozen=True, slots=True)
class QuizItem:
    """One question of a quiz: which question, which of its cards (cloze N, reverse side)."""

    question: str
    ordinal: int = 0
    shuffle: tuple[int, ...] = field(default=())  # the order items are shown in (order type)


def _in_sections(question: Question, wanted: set[str], parents: Mapping[str, str | None]) -> bool:
    section = question.section
    while section is not None:
        if section in wanted:
            return True
        section = parents.get(section)
    return False


def sample_quiz(
    questions: Sequence[Question], spec: QuizSpec, parents: Mapping[str, str | None]
) -> list[QuizItem]:
    """Draw the quiz: the same questions, cards and item orders for the same spec.

    Args:
        questions: the bank's active questions, in bank order.
        parents: each section's parent, so that a section takes in its subsections.
    """
    pool = [
        q
        for q in questions
        if (not spec.types or q.type in spec.types)
        and (not spec.sections or _in_sections(q, set(spec.sections), parents))
        and (not spec.tags or set(spec.tags) & set(q.tags))
    ]
    rng = random.Random(spec.seed)  # noqa: S311 (a shared quiz, not a secret)
    chosen = rng.sample(pool, min(spec.count, len(pool)))
    items = []
    for question in chosen:
        ordinal = rng.choice(question.card_ordinals)
        shuffle: tuple[int, ...] = ()
        if question.type == "order":
            order = list(range(len(question.items)))
            while len(order) > 1 and order == sorted(order):
                rng.shuffle(order)
            shuffle = tuple(order)
        items.append(QuizItem(question.id, ordinal, shuffle))
    return items


def _cloze_answer(text: str, ordinal: int) -> list[str]:
    return [d.answer for d in parse_cloze(text) if d.number == ordinal]


def expected_answer(question: Question, ordinal: int) -> str:
    """The right answer in words, for the results page."""
    if question.type == "cloze":
        return " / ".join(_cloze_answer(question.text or "", ordinal))
    if question.type == "reverse" and ordinal == 1:
        return question.prompt or ""
    if question.type == "choice":
        right = [question.correct] if isinstance(question.correct, int) else question.correct
        return "; ".join(question.choices[i] for i in right or ())
    if question.type == "truefalse":
        return "True" if question.correct else "False"
    if question.type == "order":
        return " → ".join(question.items)
    return question.answer or ""


def describe_response(question: Question, response: Any) -> str | None:
    """A response in words, as the results page shows it; ``None`` for a blank."""
    if response is None or response == "" or response == []:
        return None
    try:
        if question.type == "choice":
            return "; ".join(question.choices[int(i)] for i in response)
        if question.type == "order":
            return " → ".join(question.items[int(i)] for i in response)
        if question.type == "truefalse":
            return "True" if response is True else "False"
        if question.type in SELF_GRADED:
            return "I knew it" if response is True else "I didn't know it"
    except (IndexError, TypeError, ValueError):
        return str(response)
    return str(response)


def score_answer(question: Question, ordinal: int, response: Any) -> float | None:
    """The score of ``response`` in [0, 1]; ``None`` when nothing was answered.

    Responses: choice, a list of 0-based indices; truefalse, a bool; order, the item
    indices (as written in the bank) in the order given; typing and cloze, the text;
    basic and reverse, the learner's own verdict as a bool.
    """
    if response is None or response == "" or response == []:
        return None
    kind = question.type
    if kind in SELF_GRADED:
        return 1.0 if response is True else 0.0
    if kind == "truefalse":
        return 1.0 if response is question.correct else 0.0
    if kind == "typing":
        return 1.0 if check_typing(question.answer or "", question.accept, str(response)) else 0.0
    if kind == "cloze":
        answers = _cloze_answer(question.text or "", ordinal)
        return 1.0 if check_typing(answers[0], answers[1:], str(response)) else 0.0
    if kind == "choice":
        right = (
            {question.correct} if isinstance(question.correct, int) else set(question.correct or ())
        )
        chosen = {int(i) for i in response}
        if len(right) == 1:
            return 1.0 if chosen == right else 0.0
        return max(0.0, (len(chosen & right) - len(chosen - right)) / len(right))
    if kind == "order":
        given = [int(i) for i in response]
        return sum(1 for place, item in enumerate(given) if item == place) / len(question.items)
    raise ValueError(f"unknown question type {kind!r}")

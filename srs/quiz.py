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
from srs.kin import gives_away, question_answers, question_diagrams, quiz_text
from srs.questions import QUESTION_TYPES, Shown, check_answer, is_blank, question_type
from srs.questions.base import distinct_indices

__all__ = [
    "QUIZ_TYPES",
    "OutlineEntry",
    "QuizItem",
    "QuizSpec",
    "describe_response",
    "expected_answer",
    "from_screen",
    "response_problem",
    "sample_quiz",
    "score_answer",
    "section_outline",
]

QUIZ_TYPES = QUESTION_TYPES
"""The types a quiz may be limited to: every type (those the learner grades count right or
wrong)."""


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
    # The order items (order) or options (choice) are shown in, by their index in the bank.
    shuffle: tuple[int, ...] = field(default=())


def _in_sections(question: Question, wanted: set[str], parents: Mapping[str, str | None]) -> bool:
    section = question.section
    while section is not None:
        if section in wanted:
            return True
        section = parents.get(section)
    return False


@dataclass(frozen=True, slots=True)
class OutlineEntry:
    """A section as a quiz offers it: its place in the tree and the questions it takes in."""

    key: str
    title: str
    depth: int  # 0 for a top-level section
    questions: int  # its own and its subsections'


def section_outline(
    sections: Sequence[tuple[str, str, str | None]], question_sections: Sequence[str | None]
) -> list[OutlineEntry]:
    """The sections as a tree, each after its parent, with the questions each would draw from.

    Args:
        sections: ``(key, title, parent)`` in the bank's order.
        question_sections: the section of each active question (``None`` for none).
    """
    keys = {key for key, _, _ in sections}
    parents = {key: parent if parent in keys else None for key, _, parent in sections}
    own: dict[str, int] = {}
    for section in question_sections:
        if section in keys:
            own[section] = own.get(section, 0) + 1
    totals = dict.fromkeys(keys, 0)
    for key, count in own.items():
        seen: set[str] = set()
        node: str | None = key
        while node is not None and node not in seen:  # a loop in the file cannot hang us
            seen.add(node)
            totals[node] += count
            node = parents[node]
    children: dict[str | None, list[tuple[str, str]]] = {}
    for key, title, _ in sections:
        children.setdefault(parents[key], []).append((key, title))
    outline: list[OutlineEntry] = []

    def walk(parent: str | None, depth: int) -> None:
        for key, title in children.get(parent, []):
            if any(entry.key == key for entry in outline):
                continue
            outline.append(OutlineEntry(key, title, depth, totals[key]))
            walk(key, depth + 1)

    walk(None, 0)
    return outline


def sample_quiz(
    questions: Sequence[Question],
    spec: QuizSpec,
    parents: Mapping[str, str | None],
    labels: Mapping[str, str] | None = None,
) -> list[QuizItem]:
    """Draw the quiz: the same questions, cards and item orders for the same spec.

    Args:
        questions: the bank's active questions, in bank order.
        parents: each section's parent, so that a section takes in its subsections.
        labels: the words of the bank's diagrams (:func:`srs.kin.diagram_words`).
    """
    pool = [
        q
        for q in questions
        if (not spec.types or q.type in spec.types)
        and (not spec.sections or _in_sections(q, set(spec.sections), parents))
        and (not spec.tags or set(spec.tags) & set(q.tags))
    ]
    rng = random.Random(spec.seed)  # noqa: S311 (a shared quiz, not a secret)
    chosen: list[Question] = []
    asked: list[tuple[set[str], list[str], str]] = []  # diagrams, answers, what each shows
    # No two questions showing one diagram, nor one showing the other's answer, in its words
    # or its diagram's labels (a quiz can go back): a quiz may come out shorter than asked.
    for question in rng.sample(pool, len(pool)):
        if len(chosen) == spec.count:
            break
        content = question.content()
        diagrams = set(question_diagrams(question.type, content, None))
        answers = question_answers(question.type, content)
        shows = quiz_text(question.type, content, question.card_ordinals, labels or {})
        if not any(
            diagrams & seen or gives_away(answers, other) or gives_away(said, shows)
            for seen, said, other in asked
        ):
            chosen.append(question)
            asked.append((diagrams, answers, shows))
    items = []
    for question in chosen:
        ordinal = rng.choice(question.card_ordinals)
        shuffle = question_type(question.type).quiz_shuffle(question.content(), rng)
        items.append(QuizItem(question.id, ordinal, shuffle))
    return items


def from_screen(question: Question, item: QuizItem, response: Any) -> Any:
    """A response as the quiz page sends it, in the bank's terms: the page names a choice's
    options by their place on screen, so that its source does not tell the bank's order;
    the quiz's shuffle gives each place's index in the bank (bank order in a quiz drawn
    before options were shuffled). A response of the wrong shape is left as sent."""
    if question.type != "choice" or not item.shuffle:
        return response
    if is_blank(response) or distinct_indices(response, len(item.shuffle)):
        return response
    return [item.shuffle[place] for place in response]


def response_problem(question: Question, ordinal: int, response: Any) -> str | None:
    """What is wrong with the shape of ``response`` (in the bank's terms) to card
    ``ordinal``; ``None`` when nothing is, or nothing was answered."""
    if is_blank(response):
        return None
    return question_type(question.type).response_problem(question.content(), ordinal, response)


def expected_answer(question: Question, ordinal: int) -> Shown:
    """The right answer of card ``ordinal``, for the results page to word."""
    return question_type(question.type).right_answer(question.content(), ordinal)


def describe_response(question: Question, response: Any) -> Shown | None:
    """A response as the results page words it; ``None`` for a blank, the raw text for a
    response of the wrong shape."""
    if is_blank(response):
        return None
    try:
        return question_type(question.type).said(question.content(), response)
    except (IndexError, TypeError, ValueError):
        return str(response)


def score_answer(question: Question, ordinal: int, response: Any) -> float | None:
    """The score of ``response`` in [0, 1]; ``None`` when nothing was answered.

    The response is checked against the card's ``check``, as review checks it. Responses:
    choice, a list of 0-based indices; truefalse, a bool; order, the item indices (as
    written in the bank) in the order given; typing and cloze, the text; basic and reverse,
    the learner's own verdict as a bool.

    Raises:
        TypeError, ValueError: a response of the wrong shape.
    """
    if is_blank(response):
        return None
    check = question_type(question.type).bank_check(question.content(), ordinal)
    return check_answer(question.type, check, response).score

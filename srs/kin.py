"""Questions near one another in a bank that show the same diagram, or state one another's
answers: kin.

An answer shows its question's back, and with it every diagram the question shows. A question
close by in bank order that shows or asks about one of those diagrams would then be answered
from what was just on screen: a diagram labelled in full, and next a card that masks one of
its labels, or a blank the diagram names. So the answer to a new card buries, until the study
day ends, the new cards of its question's kin, as it buries its siblings (``services.answers``):
each kin question is first seen on a day of its own.

The same holds for words: a question whose card states, anywhere from its prompt to its
explanation or in the labels of a diagram it shows, the short answer another question close by
asks for (a label an occlusion card masks among them) is its kin too. An answer that many of
the questions around it state (``KIN_TERM_MOST``) is what that part of the bank is about, not
one question's answer, and makes no kin.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from srs.bank import Diagram, diagram_path
from srs.cloze import parse_cloze
from srs.lint.cards import holds_term, worth_matching
from srs.lint.text import fill_cloze, normal, plain
from srs.occlusion import label_texts
from srs.questions import question_type
from srs.render import image_sources

__all__ = [
    "KIN_REACH",
    "KIN_TERM_MOST",
    "KinRead",
    "diagram_words",
    "gives_away",
    "kin_of",
    "kin_positions",
    "kin_read",
    "question_answers",
    "question_diagrams",
    "question_text",
    "quiz_text",
]

KIN_REACH = 20
"""How far apart in bank order two questions may stand and still be kin: about a day's new
cards. Farther apart, the second comes on another day anyway, and an answer never buries
more than this many questions on each side."""

KIN_TERM_MOST = 3
"""The most questions within reach of one that may state its answer for them to be its kin:
an answer more of them state is the subject of that part of the bank."""

_TERM_LONGEST = 30
"""The longest answer, in characters, that is looked for in other questions: a longer one is
a sentence, which no other card states word for word."""


def question_diagrams(
    type_name: str, content: Mapping[str, Any], explanation: str | None
) -> list[str]:
    """The diagrams a question shows, as paths in its bank, in order, each once: those in
    its Markdown (explanation included) and an occlusion question's own."""
    found: dict[str, None] = {}
    image = content.get("image") if type_name == "occlusion" else None
    if isinstance(image, str) and image:
        found[diagram_path(image)] = None
    texts: list[str] = []
    for key in question_type(type_name).keys:
        value = content.get(key.name)
        if key.markdown and value:
            texts.extend([value] if isinstance(value, str) else value)
    texts.append(explanation or "")
    for text in texts:
        for reference in image_sources(text):
            found[diagram_path(reference)] = None
    return list(found)


def kin_positions(diagrams: Sequence[Collection[str]], reach: int = KIN_REACH) -> list[list[int]]:
    """For a bank's questions in order, each given by the diagrams it shows: the positions
    of each one's kin, the other questions at most ``reach`` places away that show one of
    the same diagrams, in order."""
    by_diagram: dict[str, list[int]] = {}
    for position, shown in enumerate(diagrams):
        for diagram in shown:
            by_diagram.setdefault(diagram, []).append(position)
    kin: list[set[int]] = [set() for _ in diagrams]
    for positions in by_diagram.values():
        for index, position in enumerate(positions):
            for other in positions[index + 1 :]:
                if other - position > reach:
                    break
                kin[position].add(other)
                kin[other].add(position)
    return [sorted(near) for near in kin]


def question_answers(type_name: str, content: Mapping[str, Any]) -> list[str]:
    """The short answers a question asks to recall, as plain normalised words: a short or
    typed answer (and a reverse question's prompt, which its reverse card asks for), each
    cloze blank's, each diagram label an occlusion question masks. Longer ones are left out,
    and a choice's: its options are on its front anyway, and a card naming one says nothing
    of which is right."""
    found: list[str] = []
    if type_name == "occlusion":
        found.extend(content.get("labels") or ())
    elif type_name in ("basic", "reverse", "typing"):
        found.append(content.get("answer") or "")
        if type_name == "reverse":
            found.append(content.get("prompt") or "")
    elif type_name == "cloze":
        found.extend(deletion.answer for deletion in parse_cloze(content.get("text") or ""))
    terms = (normal(plain(answer)) for answer in found if isinstance(answer, str))
    return list(dict.fromkeys(t for t in terms if len(t) <= _TERM_LONGEST and worth_matching(t)))


def diagram_words(diagrams: Iterable[Diagram]) -> dict[str, str]:
    """The labels of each of a bank's SVG diagrams, by path, as plain normalised words: what
    a learner reads in it. Other images, and an SVG that is not well-formed, have none."""
    words: dict[str, str] = {}
    for diagram in diagrams:
        if not diagram.path.lower().endswith(".svg"):
            continue
        try:
            labels = label_texts(diagram.data)
        except ValueError:
            continue
        words[diagram_path(diagram.path)] = normal("\n".join(labels))
    return words


def question_text(type_name: str, content: Mapping[str, Any], explanation: str | None) -> str:
    """Everything a question's cards show, prompt to explanation, as plain normalised words
    (a cloze text with its blanks filled in)."""
    texts: list[str] = []
    for key in question_type(type_name).keys:
        value = content.get(key.name)
        if key.markdown and value:
            texts.extend([value] if isinstance(value, str) else value)
    if type_name == "cloze" and texts:
        texts[0] = fill_cloze(texts[0])
    texts.append(explanation or "")
    return normal(plain("\n".join(t for t in texts if isinstance(t, str))))


def quiz_text(
    type_name: str, content: Mapping[str, Any], ordinals: Iterable[int], labels: Mapping[str, str]
) -> str:
    """What the cards ``ordinals`` of a question show in a quiz, as plain normalised words:
    their prompts, choices and items, a self-graded card's answer (shown to be graded), and
    every word of the diagrams they show, from ``labels`` (:func:`diagram_words`): a label
    masked on the front is in sight once the card is answered."""
    texts: list[str] = []
    kind = question_type(type_name)
    for ordinal in ordinals:
        faces = kind.faces(content, ordinal, seed=0)
        texts += [faces.front, *faces.choices, *(item for _, item in faces.items)]
        if not kind.checks_in_review(content):
            texts.append(faces.back)
    shown = dict.fromkeys(diagram_path(s.split("?", 1)[0]) for t in texts for s in image_sources(t))
    return "\n".join([normal(plain("\n".join(texts))), *(labels[d] for d in shown if d in labels)])


def gives_away(answers: Iterable[str], text: str) -> bool:
    """Whether ``text`` (:func:`question_text`) states one of ``answers``
    (:func:`question_answers`)."""
    return any(term in text and holds_term(text, term) for term in answers)


class _Joined:
    """A bank's texts joined into one, to look for a word in many of them at once: one
    search in C for the texts around a question, where most of its answers are in none."""

    def __init__(self, texts: Sequence[str]) -> None:
        # NUL joins them: no bank text holds it (srs.yamlread.UNSTORABLE), so no word found
        # runs from one text into the next.
        self.whole = "\x00".join(texts)
        self.starts: list[int] = []
        start = 0
        for text in texts:
            self.starts.append(start)
            start += len(text) + 1

    def holding(self, term: str, first: int, stop: int) -> list[int]:
        """The positions, from ``first`` up to ``stop``, of the texts ``term`` occurs in."""
        if not term or first >= stop:
            return []
        starts, found = self.starts, []
        end = starts[stop] - 1 if stop < len(starts) else len(self.whole)
        at = self.whole.find(term, starts[first], end)
        while at >= 0:
            position = bisect_right(starts, at) - 1
            found.append(position)
            if position + 1 >= stop:
                break
            at = self.whole.find(term, starts[position + 1], end)
        return found


class KinRead(NamedTuple):
    """What a question's kin are found from (:func:`kin_read`)."""

    diagrams: list[str]
    text: str
    answers: list[str]


def kin_read(type_name: str, content: Mapping[str, Any], explanation: str | None) -> KinRead:
    """The diagrams a question shows, its text and its short answers: what :func:`kin_of`
    reads of it, the same whatever bank it is in."""
    return KinRead(
        question_diagrams(type_name, content, explanation),
        question_text(type_name, content, explanation),
        question_answers(type_name, content),
    )


def kin_of(
    questions: Sequence[KinRead], reach: int = KIN_REACH, labels: Mapping[str, str] | None = None
) -> list[list[int]]:
    """For a bank's questions in order, each as :func:`kin_read` reads it: the positions of
    each one's kin, those at most ``reach`` places away that show one of the same diagrams
    or state one of its answers, in their text or the ``labels`` of their diagrams
    (:func:`diagram_words`), but an answer more than ``KIN_TERM_MOST`` of them state."""
    kin = [set(near) for near in kin_positions([read.diagrams for read in questions], reach)]
    labels = labels or {}
    texts = [
        "\n".join([read.text, *(labels[d] for d in read.diagrams if d in labels)])
        for read in questions
    ]
    every = _Joined(texts)
    for position, read in enumerate(questions):
        window = (max(0, position - reach), min(len(texts), position + reach + 1))
        for term in read.answers:
            stating = [
                other
                for other in every.holding(term, *window)
                if other != position and holds_term(texts[other], term)
            ]
            if len(stating) <= KIN_TERM_MOST:
                for other in stating:
                    kin[position].add(other)
                    kin[other].add(position)
    return [sorted(near) for near in kin]

"""``typing``: the learner types the answer; ``accept`` lists other right answers.

Typed text is compared after :func:`~srs.questions.base.normalise_typed`: width, case
(folded: ``Straße`` is ``STRASSE``) and space do not count.
"""

from __future__ import annotations

import difflib
import html
from collections.abc import Mapping, Sequence
from typing import Any

import nh3

from srs.questions.base import (
    Faces,
    Key,
    QuestionType,
    Verdict,
    normalise_typed,
    typed_form,
    typed_problem,
)
from srs.questions.note_fields import NoteRender, NoteType
from srs.questions.words import bank_words
from srs.render import render_markdown

__all__ = ["Typing", "shown_text", "typed_answers", "typed_diff", "typed_verdict"]


def typed_verdict(accept: Sequence[str], response: Any) -> Verdict:
    """Whether ``response`` is one of the ``accept``ed answers; blank is never right."""
    if not isinstance(response, str):
        raise TypeError("a typed answer is text")
    typed = normalise_typed(response)
    return Verdict.of(bool(typed) and any(typed == normalise_typed(a) for a in accept))


def shown_text(text: str) -> str:
    """The text a reader sees of Markdown ``text``: rendered, its tags dropped and its
    entities read (`` `-a` `` is ``-a``, ``**up**`` is ``up``), runs of space made one."""
    return " ".join(html.unescape(nh3.clean(render_markdown(text), tags=set())).split())


def typed_answers(answer: str, accept: Sequence[str]) -> list[str]:
    """The answers a typed response is checked against: ``answer`` as written and as shown
    (an answer written `` `-d` `` is typed ``-d``), then the ``accept``ed ones."""
    return list(dict.fromkeys([answer, shown_text(answer), *accept]))


NEAR_MISS = 0.5
"""The share of characters a near miss has in common with the right answer."""

MOST_COMPARED = 250_000
"""The most characters typed times characters of the right answer compared character by
character: difflib's time grows with both, and an answer's thousand characters can grow
to eighteen thousand in the form compared (NFKC writes "ﷺ" as 18 letters)."""


def typed_diff(typed: str, right: str) -> list[tuple[str, str]]:
    """A typed answer against the right one, both as :func:`normalise_typed` compares them, in
    runs of ``(kind, text)``: ``same``, ``wrong`` (typed, not in the right answer) and
    ``missing`` (in the right answer, not typed). ``static/js/check.js`` does the same in review.
    Answers too long to compare in time (:data:`MOST_COMPARED`) are one run of each.
    Each run is shown as written (:func:`typed_form`), the same ones as the right answer
    writes them, unless folding the case made a character more than one (``ß``).
    """
    a, b = normalise_typed(typed), normalise_typed(right)
    shown_a, shown_b = _as_written(typed_form(typed), a), _as_written(typed_form(right), b)
    if len(a) * len(b) > MOST_COMPARED:
        return [("same", shown_b)] if a == b else [("wrong", shown_a), ("missing", shown_b)]
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append(("same", shown_b[j1:j2]))
            continue
        if i2 > i1:
            runs.append(("wrong", shown_a[i1:i2]))
        if j2 > j1:
            runs.append(("missing", shown_b[j1:j2]))
    return runs


def _as_written(written: str, folded: str) -> str:
    """``written``, where each of its characters is one of ``folded``; else ``folded``."""
    aligned = len(written) == len(folded) and all(
        c.casefold() == f for c, f in zip(written, folded, strict=True)
    )
    return written if aligned else folded


def is_near_miss(runs: list[tuple[str, str]]) -> bool:
    """Whether a typed answer is near the right one, so a diff of it teaches: at least half
    the characters of both are shared (difflib's ratio). A far miss shows as typed, beside
    the right answer, not as a diff that mixes in letters never typed."""
    same = sum(len(text) for kind, text in runs if kind == "same")
    total = sum(len(text) * (2 if kind == "same" else 1) for kind, text in runs)
    return total > 0 and 2 * same >= total * NEAR_MISS


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
            check={"accept": typed_answers(content["answer"], content.get("accept") or ())},
        )

    def anki_note(self, content: Mapping[str, Any], render: NoteRender, seed: int) -> list[str]:
        """Anki compares the typed text with the Answer field exactly, so the Answer is the
        canonical answer alone, and the Accepted field says in the bank's language what else
        is right (the other answers, and differences of case, width and space), for the
        learner to judge: Anki cannot be told to accept them."""
        words = bank_words(render.language)
        others = content.get("accept")
        notice = words["typed_exact_others" if others else "typed_exact"]
        accepted = f'<div class="typed-exact">{html.escape(notice)}</div>'
        if others:
            alternatives = " · ".join(f'<span class="alt">{html.escape(a)}</span>' for a in others)
            accepted += f'<div class="also-right">{html.escape(words["also_right"])} '
            accepted += f"{alternatives}</div>"
        return [render.html(content["prompt"]), render.inline(content["answer"]), accepted]

    def check(self, check: Mapping[str, Any], response: Any) -> Verdict:
        return typed_verdict(check["accept"], response)

    def response_problem(
        self, content: Mapping[str, Any], ordinal: int, response: Any
    ) -> str | None:
        return typed_problem(response)

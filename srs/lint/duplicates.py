"""Near-duplicate questions: two cards that ask the same thing, found with rapidfuzz.

Each question is read as the fact it tests (prompt and answer; a cloze's sentence; a choice's
prompt and right options), lower-cased, with Chinese and Japanese split into characters and
other text into words. Each question is scored against every earlier one by
:func:`rapidfuzz.process.extract` (the loop over pairs runs in rapidfuzz's compiled code).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from rapidfuzz import fuzz, process

from srs.bank import Question
from srs.lint.text import fill_cloze, plain

__all__ = ["SIMILAR", "fact", "near_duplicates"]

SIMILAR = 69.0
"""The score (0–100) from which two questions are reported as near-duplicates."""
_TOKEN = re.compile(r"[A-Za-z0-9_.:/-]+|\S")


def fact(question: Question) -> str:
    """What the question tests, as plain text."""
    if question.type == "cloze" and question.text:
        parts = [fill_cloze(question.text)]
    else:
        parts = [question.prompt or ""]
        if question.type == "choice":
            right = question.correct if isinstance(question.correct, tuple) else (question.correct,)
            parts += [question.choices[i] for i in right if isinstance(i, int)]
        elif question.type in ("basic", "reverse", "typing"):
            parts.append(question.answer or "")
        parts += [*question.items, *question.labels]
    return " ".join(plain(part) for part in parts)


def _tokens(text: str) -> str:
    """Words and CJK characters, space-separated, lower-case; punctuation left out."""
    tokens = _TOKEN.findall(text.lower())
    return " ".join(token for token in tokens if token.isalnum() or len(token) > 1)


def near_duplicates(questions: Sequence[Question]) -> Iterator[tuple[Question, Question, float]]:
    """Each pair of questions at least :data:`SIMILAR` alike: ``(earlier, later, score)``."""
    texts = [_tokens(fact(question)) for question in questions]
    for later in range(1, len(texts)):
        found = process.extract(
            texts[later],
            texts[:later],
            scorer=fuzz.token_sort_ratio,
            score_cutoff=SIMILAR,
            limit=None,
        )
        for _, score, earlier in sorted(found, key=lambda hit: hit[2]):
            yield questions[earlier], questions[later], float(score)

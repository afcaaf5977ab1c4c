"""Checking answers typed or chosen in the page, and the rating a check suggests.

A right answer suggests Good and a wrong one Again; the learner may change it before moving
on. Typed answers are compared after Unicode NFKC normalisation (so full-width ``ｒｕｎｃ``
and half-width ``runc`` agree), case folding, and with runs of white space made one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from srs.scheduler import Rating

__all__ = [
    "check_choice",
    "check_order",
    "check_truefalse",
    "check_typing",
    "normalise_typed",
    "suggested_rating",
]

_SPACE = re.compile(r"\s+")


def normalise_typed(text: str) -> str:
    """The form typed answers are compared in."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def check_typing(answer: str, accept: Sequence[str], response: str) -> bool:
    """Whether ``response`` is the answer or one of the accepted alternatives."""
    typed = normalise_typed(response)
    return any(typed == normalise_typed(option) for option in (answer, *accept))


def check_choice(correct: int | Sequence[int], selected: Sequence[int]) -> bool:
    """Whether exactly the right choices (0-based) were selected."""
    right = {correct} if isinstance(correct, int) else set(correct)
    return set(selected) == right and len(selected) == len(set(selected))


def check_truefalse(correct: bool, response: bool) -> bool:
    return correct is response


def check_order(count: int, response: Sequence[int]) -> bool:
    """Whether ``response`` lists the item indices (0-based, as written) in order."""
    return list(response) == list(range(count))


def suggested_rating(correct: bool) -> Rating:
    return Rating.GOOD if correct else Rating.AGAIN

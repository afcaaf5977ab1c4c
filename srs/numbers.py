"""Whole numbers written by people: ASCII digits only, within bounds.

``str.isdigit`` and ``int`` accept far more than a form or a query string should: ``²``
(isdigit, and then ``int`` fails), ``٣`` (Arabic-Indic, which ``int`` reads as 3), ``" 5"``,
``"1_000"``, and thousands of digits (``int`` refuses past 4300). Every number a request
carries is read here, so that each of those is one clear refusal instead of a traceback or
a silent surprise.
"""

from __future__ import annotations

import re

__all__ = ["parse_whole_number"]

_WHOLE = re.compile(r"-?[0-9]+", re.ASCII)
# Longer than any bound a caller may pass (ids stop at 2**63): refused before int() reads it.
_MAX_DIGITS = 20


def parse_whole_number(text: str, low: int, high: int) -> int:
    """The whole number ``text`` writes, in ASCII digits (a leading ``-`` allowed).

    Raises:
        ValueError: ``text`` is not such a number, or it lies outside ``low``..``high``.
    """
    if not _WHOLE.fullmatch(text) or len(text.lstrip("-")) > _MAX_DIGITS:
        raise ValueError(f"not a whole number from {low} to {high}")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"not a whole number from {low} to {high}")
    return value

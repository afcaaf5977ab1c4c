"""Tags that are near-duplicates of each other: one thing tagged two ways.

``network`` and ``networking``, ``bind-mount`` and ``bind-mounts``, ``build-cache`` and
``build cache`` split what belongs together when a learner studies or filters by tag (in
Wengu and in Anki's browser, where a note's section is a tag too). A tag is checked against
the other tags and the sections' ids. Two are near-duplicates when they read the same once
case, hyphens, underscores and spaces, and a plural ``-s``/``-es`` or an ``-ing`` ending are
left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from srs.bank import Bank, Question

__all__ = ["near_duplicate_tags", "tag_stem"]


def tag_stem(tag: str) -> str:
    """What a tag says once case, separators and an ending are left out."""
    words = [word for word in re.split(r"[-_\s.:/]+", tag.lower()) if word]
    return "".join(_word_stem(word) for word in words)


def _word_stem(word: str) -> str:
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "aeiouls":
            word = word[:-1]  # running -> run
        return word
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def near_duplicate_tags(bank: Bank) -> Iterator[tuple[Question, str, str]]:
    """Each tag that is a near-duplicate of another tag or of a section's id: the first
    question that uses it, the tag, and the spelling to use instead (the section's id, or
    the more used tag)."""
    uses: Counter[str] = Counter(tag for question in bank.questions for tag in question.tags)
    sections = {tag_stem(section.id): section.id for section in bank.sections}
    by_stem: dict[str, list[str]] = {}
    for tag in uses:
        by_stem.setdefault(tag_stem(tag), []).append(tag)
    for stem, tags in by_stem.items():
        section = sections.get(stem)
        if len(tags) < 2 and (section is None or tags == [section]):
            continue
        kept = section or max(tags, key=lambda tag: (uses[tag], -tags.index(tag)))
        for tag in tags:
            if tag != kept:
                first = next(q for q in bank.questions if tag in q.tags)
                yield first, tag, kept

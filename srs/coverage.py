"""How well a bank covers its notes: each heading with the questions that count toward it.

A question counts toward a heading when its ``source`` names that heading; a question without
a ``source`` counts toward the heading whose title is its section's title (compared with case
folded and spaces left out; where several headings have that title, the one whose parent's
title is the section's parent's, else the first). Questions tagged ``supplement`` (written from
beyond the notes) count toward none. A heading is a **gap** when its passage has content and no
question counts toward it, unless it sits under a section with ``coverage: {skip: WHY}`` (the
section matched to a heading by title, as above, or one of that section's ancestors; and every
heading below a skipped one), which is shown as skipped with the reason.

A heading is **over-weighted** when more than :data:`OVER_WEIGHT` times as many questions count
toward it as toward the median heading that has any, and more than :data:`OVER_WEIGHT_FLOOR`
do: a passage drilled far beyond the rest, which a learner meets over and over while the rest
of the notes wait. (The median, not the mean, so that one heavy passage does not raise the bar
it is measured by.)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from srs.bank import Bank, Question, Section
from srs.notes import Heading, Notes, Passage, normal_title, resolve

__all__ = [
    "OVER_WEIGHT",
    "OVER_WEIGHT_FLOOR",
    "SUPPLEMENT",
    "Coverage",
    "HeadingCoverage",
    "bank_coverage",
    "coverage",
]

SUPPLEMENT = "supplement"
OVER_WEIGHT = 3
OVER_WEIGHT_FLOOR = 3


@dataclass(frozen=True, slots=True)
class HeadingCoverage:
    """One heading of the notes and the questions that count toward it."""

    file: str
    heading: Heading
    questions: tuple[str, ...]
    skip: str | None = None
    over_weighted: bool = False

    @property
    def gap(self) -> bool:
        """A heading with content, no question, and no reason to have none."""
        return self.heading.has_content and not self.questions and self.skip is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "anchor": self.heading.anchor,
            "title": self.heading.title,
            "level": self.heading.level,
            "line": self.heading.line,
            "path": list(self.heading.path),
            "has_content": self.heading.has_content,
            "questions": len(self.questions),
            "question_ids": list(self.questions),
            "gap": self.gap,
            "skip": self.skip,
            "over_weighted": self.over_weighted,
        }


@dataclass(frozen=True, slots=True)
class Coverage:
    """Every heading of a bank's notes, in order, and the questions counted nowhere."""

    headings: tuple[HeadingCoverage, ...]
    supplement: tuple[str, ...] = ()
    unplaced: tuple[str, ...] = ()
    """Questions neither citing a passage nor in a section titled like a heading."""
    totals: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report as ``bank coverage`` prints it: each notes file, then each heading
        indented by its level after its question count, marked where it is a gap, skipped
        or over-weighted; the questions counted nowhere; a total."""
        lines: list[str] = []
        file = None
        for entry in self.headings:
            if entry.file != file:
                file = entry.file
                lines.append(file)
            heading = entry.heading
            mark = ""
            if entry.gap:
                mark = f"  <- no question (line {heading.line})"
            elif entry.skip is not None and not entry.questions:
                mark = f"  (skipped: {entry.skip})"
            if entry.over_weighted:
                mark += "  <- over-weighted"
            indent = "  " * (heading.level - 1)
            lines.append(f"{len(entry.questions):>4}  {indent}{heading.title}{mark}")
        if self.unplaced:
            lines.append(f"Counted toward no heading: {', '.join(self.unplaced)}")
        t = self.totals
        lines.append(
            f"Total: {t['headings']} headings, {t['with_content']} with content, "
            f"{t['covered']} with questions, {t['gaps']} with content and no question, "
            f"{t['skipped']} skipped, {t['over_weighted']} over-weighted; "
            f"{t['questions']} questions: {t['placed']} counted, {t['supplement']} supplement, "
            f"{t['unplaced']} counted toward no heading"
        )
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "headings": [entry.to_dict() for entry in self.headings],
            "supplement": list(self.supplement),
            "unplaced": list(self.unplaced),
            "totals": dict(self.totals),
        }


def bank_coverage(bank: Bank) -> Coverage:
    """The coverage of ``bank``'s notes by its questions."""
    return coverage(bank.notes, bank.sections, bank.questions)


def coverage(
    notes: tuple[Notes, ...], sections: tuple[Section, ...], questions: tuple[Question, ...]
) -> Coverage:
    """Each heading of ``notes`` with the ``questions`` that count toward it (see above)."""
    headings = [(file.file, heading) for file in notes for heading in file.headings]
    by_section = _headings_of_sections(headings, sections)
    counted: dict[tuple[str, int], list[str]] = defaultdict(list)
    supplement, unplaced = [], []
    for question in questions:
        if SUPPLEMENT in question.tags:
            supplement.append(question.id)
            continue
        place = None
        if question.passage:
            found = resolve(notes, question.passage)
            if isinstance(found, Passage):
                place = (found.file, found.heading.line)
        elif question.section:
            place = by_section.get(question.section)
        if place is None:
            unplaced.append(question.id)
        else:
            counted[place].append(question.id)
    skips = _skips(headings, sections, by_section)
    cited = [len(ids) for ids in counted.values()]
    bar = max(OVER_WEIGHT * median(cited), OVER_WEIGHT_FLOOR) if cited else 0
    entries = tuple(
        HeadingCoverage(
            file=file,
            heading=heading,
            questions=tuple(counted.get((file, heading.line), ())),
            skip=skips.get((file, heading.line)),
            over_weighted=len(counted.get((file, heading.line), ())) > bar,
        )
        for file, heading in headings
    )
    totals = {
        "headings": len(entries),
        "with_content": sum(e.heading.has_content for e in entries),
        "covered": sum(bool(e.questions) for e in entries),
        "gaps": sum(e.gap for e in entries),
        "skipped": sum(e.skip is not None and not e.questions for e in entries),
        "over_weighted": sum(e.over_weighted for e in entries),
        "questions": len(questions),
        "placed": sum(len(ids) for ids in counted.values()),
        "supplement": len(supplement),
        "unplaced": len(unplaced),
    }
    return Coverage(entries, tuple(supplement), tuple(unplaced), totals)


def _headings_of_sections(
    headings: list[tuple[str, Heading]], sections: tuple[Section, ...]
) -> dict[str, tuple[str, int]]:
    """Each section's heading, by title: ``(file, line)``, for the sections that have one."""
    titles = {section.id: section.title for section in sections}
    found: dict[str, tuple[str, int]] = {}
    for section in sections:
        title = normal_title(section.title)
        same = [(f, h) for f, h in headings if normal_title(h.title) == title]
        if not same:
            continue
        parent = normal_title(titles.get(section.parent or "", ""))
        under = [(f, h) for f, h in same if len(h.path) > 1 and normal_title(h.path[-2]) == parent]
        file, heading = (under or same)[0]
        found[section.id] = (file, heading.line)
    return found


def _skips(
    headings: list[tuple[str, Heading]],
    sections: tuple[Section, ...],
    by_section: dict[str, tuple[str, int]],
) -> dict[tuple[str, int], str]:
    """Why each skipped heading needs no question: its section's (or an ancestor's) reason,
    or that of a heading above it."""
    parents = {section.id: section.parent for section in sections}
    reasons = {section.id: section.coverage_skip for section in sections}
    own: dict[tuple[str, int], str] = {}
    for section_id, place in by_section.items():
        ancestor: str | None = section_id
        while ancestor is not None and not reasons.get(ancestor):
            ancestor = parents.get(ancestor)
        if ancestor is not None:
            own[place] = reasons[ancestor] or ""
    skips: dict[tuple[str, int], str] = {}
    stack: list[tuple[int, str | None]] = []
    current_file = None
    for file, heading in headings:
        if file != current_file:
            stack, current_file = [], file
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        inherited = next((reason for _, reason in reversed(stack) if reason), None)
        reason = own.get((file, heading.line)) or inherited
        stack.append((heading.level, reason))
        if reason:
            skips[(file, heading.line)] = reason
    return skips

"""The card linter: the rules of formulating knowledge, checked over a bank that loads.

:func:`lint_bank` reads a :class:`~srs.bank.Bank` and returns a :class:`Report`: warnings,
each with ``file:line:column`` and its rule's name (the rules are listed in
:data:`srs.lint.rules.RULES`), and a summary of the bank's mix of questions and of where its
right answers sit. A warning is advice, not an error: the bank still imports. A question's
``lint: {ignore: [RULE...], why: ...}`` silences those rules for it (and leaves it out of the
counts a bank-wide rule tests).
"""

from __future__ import annotations

import posixpath
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from srs.bank import BANK_FILE, Bank, Question, diagram_path
from srs.lint.balance import RECALL_TYPES, Tally, balance_warnings, tally
from srs.lint.cards import CARD_CHECKS
from srs.lint.duplicates import near_duplicates
from srs.lint.passages import empty_passages
from srs.lint.rules import RULES
from srs.lint.tags import near_duplicate_tags
from srs.lint.text import markdown_fields, place
from srs.render import image_sources

__all__ = ["RULES", "LintWarning", "Report", "Summary", "lint_bank"]


@dataclass(frozen=True, slots=True)
class LintWarning:
    """One piece of advice, where it applies: ``file`` as ``bank check`` names files."""

    file: str
    line: int
    column: int
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.rule}]"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Summary:
    """The bank's mix: questions per type, the recall share, where right answers sit."""

    questions: int
    types: dict[str, int]
    recall: int
    counted: int
    files: dict[str, dict[str, Any]]
    positions: dict[int, int]
    longest_right: int
    longest_of: int
    longest_chance: float
    sets: dict[str, int]
    true: int
    false: int

    @property
    def recall_share(self) -> float:
        return self.recall / self.counted if self.counted else 1.0

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["recall_share"] = round(self.recall_share, 4)
        values["positions"] = {str(k): v for k, v in self.positions.items()}
        return values

    def lines(self) -> list[str]:
        """The summary as a few lines of text."""
        types = ", ".join(f"{name} {count}" for name, count in self.types.items())
        lines = [
            f"{self.questions} question{'s' * (self.questions != 1)}: {types}",
            f"recall share: {self.recall} of {self.counted} ({self.recall_share:.0%})",
        ]
        if self.positions:
            by_index = ", ".join(f"{k}: {v}" for k, v in sorted(self.positions.items()))
            lines.append(f"right answer of single-answer choices by position: {by_index}")
        if self.longest_of:
            lines.append(
                f"longest option right: {self.longest_right} of {self.longest_of} "
                f"(chance: {self.longest_chance:.1f})"
            )
        if self.sets:
            listed = ", ".join(f"{name} ×{count}" for name, count in self.sets.items())
            lines.append(f"several-answer sets: {listed}")
        if self.true or self.false:
            lines.append(f"true/false: {self.true} true, {self.false} false")
        if len(self.files) > 1:
            lines.append("by file:")
            lines.extend(f"  {name}: {_file_line(counts)}" for name, counts in self.files.items())
        return lines


@dataclass(frozen=True, slots=True)
class Report:
    """What the linter found in one bank."""

    bank: str
    source: str
    warnings: tuple[LintWarning, ...]
    summary: Summary

    def by_rule(self) -> dict[str, int]:
        """How many warnings each rule gave, in the rules' order; rules with none left out."""
        counts = Counter(warning.rule for warning in self.warnings)
        return {rule: counts[rule] for rule in RULES if counts[rule]}

    def lines(self) -> list[str]:
        """The report as text: each warning, a line on the bank, the summary indented."""
        rules = ", ".join(f"{rule} {count}" for rule, count in self.by_rule().items())
        count = len(self.warnings)
        head = f"{self.source}: bank '{self.bank}': {count} warning{'s' * (count != 1)}"
        return [
            *(str(warning) for warning in self.warnings),
            head + (f" ({rules})" if rules else ""),
            *(f"  {line}" for line in self.summary.lines()),
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.bank,
            "source": self.source,
            "warnings": [warning.to_dict() for warning in self.warnings],
            "summary": self.summary.to_dict(),
        }


def lint_bank(bank: Bank) -> Report:
    """Every rule over ``bank``; the warnings sorted by file, line and column."""
    ignored = {question.id: set(question.lint_ignore) for question in bank.questions}
    warnings = _card_warnings(bank, ignored)
    warnings += _duplicate_warnings(bank, ignored)
    warnings += _diagram_warnings(bank)
    warnings += [
        _at(bank, question, "source", message, "empty-passage")
        for question, message in empty_passages(bank)
        if "empty-passage" not in ignored[question.id]
    ]
    warnings += [
        _at(
            bank,
            question,
            "tags",
            f"tag '{tag}' is nearly '{kept}': spell it '{kept}'",
            "tag-spelling",
        )
        for question, tag, kept in near_duplicate_tags(bank)
    ]
    warnings += _unused_ignores(bank)
    counts = tally(bank.questions, ignored)
    for rule, question, message in balance_warnings(counts):
        if question is None:
            warnings.append(LintWarning(_shown(bank, _bank_file(bank)), 1, 1, message, rule))
        else:
            warnings.append(_at(bank, question, None, message, rule))
    warnings.sort(key=lambda w: (w.file, w.line, w.column, list(RULES).index(w.rule)))
    return Report(bank.id, bank.source, tuple(warnings), _summary(bank, counts))


def _shown(bank: Bank, relative: str) -> str:
    """A file of the bank as ``bank check`` names it: joined to the path as given."""
    source = bank.source
    if not source:
        return relative
    if source.lower().endswith((".yaml", ".yml")):
        return source
    if source.lower().endswith((".zip", ".apkg")):
        return f"{source}:{relative}"
    return posixpath.join(source, relative)


def _bank_file(bank: Bank) -> str:
    if bank.source.lower().endswith((".yaml", ".yml")) and bank.questions:
        return bank.questions[0].source
    return BANK_FILE


def _at(bank: Bank, question: Question, key: str | None, message: str, rule: str) -> LintWarning:
    line, column = place(question, key)
    return LintWarning(_shown(bank, question.source), line, column, message, rule)


def _card_warnings(bank: Bank, ignored: dict[str, set[str]]) -> list[LintWarning]:
    warnings = []
    for question in bank.questions:
        for rule, check in CARD_CHECKS.items():
            if rule not in ignored[question.id]:
                for key, message in check(question):
                    warnings.append(_at(bank, question, key, message, rule))
    return warnings


def _duplicate_warnings(bank: Bank, ignored: dict[str, set[str]]) -> list[LintWarning]:
    rule = "near-duplicate"
    kept = [q for q in bank.questions if rule not in ignored[q.id]]
    warnings = []
    for earlier, later, score in near_duplicates(kept):
        message = (
            f"nearly the same as '{earlier.id}' at {_shown(bank, earlier.source)}:"
            f"{earlier.line} ({score:.0f}% alike): merge them, or make each ask its own fact"
        )
        warnings.append(_at(bank, later, None, message, rule))
    return warnings


def _unused_ignores(bank: Bank) -> list[LintWarning]:
    """A warning for each rule a question silences that would not fire on it (the rules on
    one question, and near-duplicate; a bank-wide rule counts the questions, so is left)."""
    silencing = [q for q in bank.questions if q.lint_ignore]
    empty = {q.id for q, _ in empty_passages(bank)} if silencing else set()
    paired: set[str] = set()
    if any("near-duplicate" in q.lint_ignore for q in silencing):
        for earlier, later, _ in near_duplicates(bank.questions):
            paired.update((earlier.id, later.id))
    warnings = []
    for question in silencing:
        for rule in question.lint_ignore:
            if rule == "near-duplicate":
                fires = question.id in paired
            elif rule in CARD_CHECKS:
                fires = any(True for _ in CARD_CHECKS[rule](question))
            elif rule == "empty-passage":
                fires = question.id in empty
            else:
                continue
            if not fires:
                message = f"'lint' silences '{rule}', which does not fire here: leave it out"
                warnings.append(_at(bank, question, "lint", message, "unused-ignore"))
    return warnings


def _diagram_warnings(bank: Bank) -> list[LintWarning]:
    shown: set[str] = set()
    for question in bank.questions:
        if question.image:
            shown.add(diagram_path(question.image))
        for _, text in markdown_fields(question):
            shown.update(diagram_path(path) for path in image_sources(text))
    return [
        LintWarning(
            _shown(bank, diagram.path), 1, 1, "no question shows this diagram", "unshown-diagram"
        )
        for diagram in bank.diagrams
        if diagram.path not in shown
    ]


def _by_file(counts: Tally) -> dict[str, dict[str, Any]]:
    """Recall share, right-answer positions and true/false of each file, for its author."""
    files: dict[str, dict[str, Any]] = {}

    def of(name: str) -> dict[str, Any]:
        empty = {"recall": 0, "counted": 0, "positions": {}, "true": 0, "false": 0}
        return files.setdefault(name, empty)

    for name, (recall, counted) in counts.files.items():
        of(name).update(recall=recall, counted=counted)
    for index, questions in sorted(counts.positions.items()):
        for question in questions:
            positions = of(question.source)["positions"]
            positions[index] = positions.get(index, 0) + 1
    for truth, questions in counts.truth.items():
        for question in questions:
            of(question.source)["true" if truth else "false"] += 1
    return dict(sorted(files.items()))


def _file_line(counts: dict[str, Any]) -> str:
    parts = []
    if counts["counted"]:
        share = counts["recall"] / counts["counted"]
        parts.append(f"recall {counts['recall']} of {counts['counted']} ({share:.0%})")
    if counts["positions"]:
        listed = ", ".join(f"{k}: {v}" for k, v in sorted(counts["positions"].items()))
        parts.append(f"right answers by position {listed}")
    if counts["true"] or counts["false"]:
        parts.append(f"{counts['true']} true, {counts['false']} false")
    return "; ".join(parts)


def _summary(bank: Bank, counts: Tally) -> Summary:
    types = {name: counts.types[name] for name in counts.types}
    return Summary(
        questions=len(bank.questions),
        types=dict(sorted(types.items(), key=lambda kv: (kv[0] not in RECALL_TYPES, -kv[1]))),
        recall=counts.recall,
        counted=counts.counted,
        files=_by_file(counts),
        positions={k: len(v) for k, v in sorted(counts.positions.items())},
        longest_right=sum(1 for _, hit, _ in counts.longest if hit),
        longest_of=len(counts.longest),
        longest_chance=round(sum(chance for _, _, chance in counts.longest), 2),
        sets={str(list(k)): v for k, v in sorted(counts.sets.items())},
        true=len(counts.truth[True]),
        false=len(counts.truth[False]),
    )

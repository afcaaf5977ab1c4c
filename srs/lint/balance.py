"""The rules over the whole bank: where right answers sit, and the mix of question types.

A learner who has seen many recognition cards learns their habits: the right option is the
first, or the longest; the statement is usually false. Each habit is tested as a count
against chance: the exact tail probability of a Poisson-binomial count (each question its own
chance, ``1 / len(choices)``), warned about below :data:`LEVEL`, after a Bonferroni correction
where several positions are tried.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from math import comb

from srs.bank import Question
from srs.lint.text import display_width, plain

__all__ = [
    "LEVEL",
    "MINIMUM",
    "RECALL_SHARE",
    "RECALL_TYPES",
    "Habit",
    "Tally",
    "Warned",
    "at_least",
    "balance_warnings",
    "longest_option",
    "tally",
]

LEVEL = 0.01
"""A habit is warned about when chance makes it this unlikely, or less."""
MINIMUM = 6
"""Fewer questions than this say nothing about habits: their tests are skipped."""
MULTI_MINIMUM = 3
"""Several-answer sets are fewer: from this many, first-options-only sets are tested."""
RECALL_TYPES = ("basic", "reverse", "cloze", "typing", "occlusion")
RECALL_SHARE = 0.75
"""The least share of recall questions."""
TRUEFALSE_SHARE = 0.4
TRUEFALSE_LEAD = 3
"""True/false is off balance when one side has under this share and trails by this many."""


def at_least(chances: Sequence[float], observed: int) -> float:
    """P(X >= observed) for X the number of successes of independent trials with these chances."""
    if observed <= 0:
        return 1.0
    counts = [1.0]  # counts[k] = P(k successes so far)
    for chance in chances:
        grown = [0.0] * (len(counts) + 1)
        for k, p in enumerate(counts):
            grown[k] += p * (1 - chance)
            grown[k + 1] += p * chance
        counts = grown
    return min(1.0, sum(counts[observed:]))


def longest_option(choices: Sequence[str]) -> int | None:
    """The index of the strictly widest option as shown, ``None`` if two share the width."""
    widths = [display_width(plain(choice)) for choice in choices]
    widest = max(widths)
    return widths.index(widest) if widths.count(widest) == 1 else None


@dataclass(frozen=True, slots=True)
class Habit:
    """One count tested against chance: ``hits`` of ``len(chances)``, ``p`` its tail."""

    hits: int
    chances: tuple[float, ...]
    first: Question | None = None

    @property
    def expected(self) -> float:
        return sum(self.chances)

    def p(self, tests: int = 1) -> float:
        return min(1.0, at_least(self.chances, self.hits) * tests)


@dataclass(slots=True)
class Tally:
    """What the summary shows and the bank-wide rules test, counted once."""

    types: Counter[str] = field(default_factory=Counter)
    counted: int = 0
    recall: int = 0
    files: dict[str, list[int]] = field(default_factory=dict)
    positions: dict[int, list[Question]] = field(default_factory=dict)
    single: list[Question] = field(default_factory=list)
    longest: list[tuple[Question, bool, float]] = field(default_factory=list)
    sets: Counter[tuple[int, ...]] = field(default_factory=Counter)
    prefix: list[tuple[Question, bool, float]] = field(default_factory=list)
    truth: dict[bool, list[Question]] = field(default_factory=lambda: {True: [], False: []})

    def position_habits(self) -> dict[int, Habit]:
        """Each position's count of right answers there, against its chance."""
        habits = {}
        for index in range(max((len(q.choices) for q in self.single), default=0)):
            hits = self.positions.get(index, [])
            chances = tuple(
                1 / len(q.choices) if index < len(q.choices) else 0.0 for q in self.single
            )
            habits[index] = Habit(len(hits), chances, hits[0] if hits else None)
        return habits

    def habit(self, rows: list[tuple[Question, bool, float]]) -> Habit:
        hits = [question for question, hit, _ in rows if hit]
        return Habit(len(hits), tuple(c for _, _, c in rows), hits[0] if hits else None)


def tally(questions: Iterable[Question], ignored: dict[str, set[str]]) -> Tally:
    """Count the bank's questions; a question that silences a rule is left out of its count."""
    counts = Tally()
    for question in questions:
        skip = ignored.get(question.id, set())
        counts.types[question.type] += 1
        if "recall-share" not in skip:
            counts.counted += 1
            counts.recall += question.type in RECALL_TYPES
            file = counts.files.setdefault(question.source, [0, 0])
            file[0] += question.type in RECALL_TYPES
            file[1] += 1
        if question.type == "choice":
            _choice(counts, question, skip)
        elif question.type == "truefalse" and "truefalse-balance" not in skip:
            counts.truth[bool(question.correct)].append(question)
    return counts


def _choice(counts: Tally, question: Question, skip: set[str]) -> None:
    right = question.correct if isinstance(question.correct, tuple) else (question.correct,)
    options = len(question.choices)
    if "longest-answer" not in skip and (longest := longest_option(question.choices)) is not None:
        counts.longest.append((question, longest in right, len(right) / options))
    if "answer-position" in skip:
        return
    if isinstance(question.correct, int) and not isinstance(question.correct, bool):
        counts.single.append(question)
        counts.positions.setdefault(question.correct, []).append(question)
    elif isinstance(question.correct, tuple) and len(question.correct) > 1:
        ordered = tuple(sorted(question.correct))
        counts.sets[ordered] += 1
        chance = 1 / comb(options, len(ordered))
        counts.prefix.append((question, ordered == tuple(range(len(ordered))), chance))


Warned = tuple[str, Question | None, str]
"""A bank-wide warning: its rule, the question to point at (``None``: the bank), the message."""


def balance_warnings(counts: Tally) -> list[Warned]:
    """The bank-wide warnings, rule by rule."""
    return [
        *_positions(counts),
        *_prefixes(counts),
        *_longest(counts),
        *_truefalse(counts),
        *_recall(counts),
    ]


def _chance(habit: Habit, p: float) -> str:
    return f"(chance: {habit.expected:.1f}, p = {p:.2g})"


def _positions(counts: Tally) -> list[Warned]:
    if len(counts.single) < MINIMUM:
        return []
    habits = counts.position_habits()
    found = []
    for index, habit in habits.items():
        if (p := habit.p(len(habits))) < LEVEL:
            message = (
                f"the right answer is option {index} in {habit.hits} of {len(counts.single)} "
                f"single-answer choices {_chance(habit, p)}: vary 'correct'"
            )
            found.append(("answer-position", habit.first, message))
    return found


def _prefixes(counts: Tally) -> list[Warned]:
    habit = counts.habit(counts.prefix)
    if len(counts.prefix) < MULTI_MINIMUM or (p := habit.p()) >= LEVEL:
        return []
    message = (
        f"{habit.hits} of {len(counts.prefix)} several-answer choices have the first options "
        f"right ([0, 1], [0, 1, 2]…) {_chance(habit, p)}: vary 'correct'"
    )
    return [("answer-position", habit.first, message)]


def _longest(counts: Tally) -> list[Warned]:
    habit = counts.habit(counts.longest)
    if len(counts.longest) < MINIMUM or (p := habit.p()) >= LEVEL:
        return []
    message = (
        f"the longest option is right in {habit.hits} of {len(counts.longest)} choices "
        f"{_chance(habit, p)}: make the wrong options as long"
    )
    return [("longest-answer", habit.first, message)]


def _truefalse(counts: Tally) -> list[Warned]:
    true, false = len(counts.truth[True]), len(counts.truth[False])
    few, many = sorted((true, false))
    if few >= TRUEFALSE_SHARE * (true + false) or many - few < TRUEFALSE_LEAD:
        return []
    side = true > false
    message = (
        f"{true} true and {false} false statements: under {TRUEFALSE_SHARE:.0%} are "
        f"{'false' if side else 'true'}; make it about half and half"
    )
    return [("truefalse-balance", counts.truth[side][0], message)]


def _recall(counts: Tally) -> list[Warned]:
    if not counts.counted or counts.recall / counts.counted >= RECALL_SHARE:
        return []
    message = (
        f"{counts.recall} of {counts.counted} questions ({counts.recall / counts.counted:.0%}) "
        f"are recall (basic, reverse, cloze, typing, occlusion): at least "
        f"{RECALL_SHARE:.0%} should be"
    )
    return [("recall-share", None, message)]

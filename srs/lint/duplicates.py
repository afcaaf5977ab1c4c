"""Near-duplicate questions: two cards that ask the same fact, found with rapidfuzz.

Each question is read as a prompt and an answer (a cloze: its text with the deletions blanked,
and the deletions; a choice: its prompt, and its right options; a true/false statement: the
statement, and its truth), normalised (:func:`~srs.lint.text.normal`), with Chinese and
Japanese split into characters and other text into words. Two questions are near-duplicates
when their answers are alike and their prompts are alike, or when the whole of the two is
nearly the same (the only way for true/false statements, whose answer is one of two). Similar
prompts with different answers are a template (the capital of France, of Japan), not a
duplicate.

Only candidates are scored: the earlier questions that share one of the rarer words of the
answer (of the statement, for true/false) or the same prompt. Each question is reported once,
against its most alike earlier question, so the warnings grow with the bank, not its square.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from srs.bank import Question
from srs.cloze import parse_cloze
from srs.lint.text import normal, plain

__all__ = ["ALIKE", "NEAR", "SIMILAR", "near_duplicates"]

SIMILAR = 69.0
"""The score (0–100) from which two whole questions are compared further."""
ALIKE = 60.0
"""The score from which two prompts, and two answers, count as alike."""
NEAR = 90.0
"""The score from which two whole questions count as nearly the same, whatever the answers."""
_TOKEN = re.compile(r"[^\W_]+(?:[-_.:/][^\W_]+)*|\S")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_CJK_SPACE = re.compile(f"(?<={_CJK.pattern}) (?={_CJK.pattern})")
_LONGEST = 2000
"""How much of a prompt or answer is compared: the start of a longer one tells it apart."""
_KEYS = 3
"""How many of its rarest answer words a question is indexed and looked up by."""
_LATEST = 200
"""How many of the latest questions indexed under a word are candidates: a word more
questions share than that says little of what they ask."""


@dataclass(frozen=True, slots=True)
class _Read:
    prompt: str
    answer: str
    whole: str
    keys: tuple[str, ...]
    statement: bool


def _spaced(found: re.Match[str]) -> str:
    return f" {found[0]} "


def _tokens(text: str) -> list[str]:
    """Words and CJK characters, normalised; punctuation left out."""
    spaced = _CJK.sub(_spaced, normal(plain(text[:_LONGEST])))
    return [token for token in _TOKEN.findall(spaced) if token.isalnum() or len(token) > 1]


def _parts(question: Question) -> tuple[str, str, str]:
    """The question's prompt, answer and the text its candidates are looked up by."""
    prompt = question.prompt or ""
    if question.type == "cloze" and question.text:
        deletions = parse_cloze(question.text)
        blanked, position = [], 0
        for deletion in deletions:
            blanked.append(question.text[position : deletion.start] + " ")
            position = deletion.end
        answer = " ".join(deletion.answer for deletion in deletions)
        return "".join([*blanked, question.text[position:]]), answer, answer
    if question.type == "truefalse":
        return prompt, str(question.correct), prompt
    if question.type == "choice":
        right = question.correct if isinstance(question.correct, tuple) else (question.correct,)
        answer = " ".join(question.choices[i] for i in right if isinstance(i, int))
    else:
        answer = " ".join([question.answer or "", *question.items, *question.labels])
    return prompt, answer, answer


def _read(question: Question) -> _Read:
    prompt, answer, lookup = (_tokens(part) for part in _parts(question))
    words = sorted(set(lookup))
    whole = " ".join(sorted(prompt + answer))
    statement = question.type == "truefalse"
    return _Read(" ".join(sorted(prompt)), _joined(answer), whole, tuple(words), statement)


def _joined(tokens: list[str]) -> str:
    """Tokens as one text: words spaced, CJK characters side by side (two answers that
    share one of two characters are not alike)."""
    text = " ".join(tokens)
    return _CJK_SPACE.sub("", text)


def _alike(earlier: _Read, later: _Read, whole: float) -> bool:
    """Whether two questions ``whole`` alike ask the same fact."""
    if whole >= NEAR:
        return True
    if earlier.statement or later.statement:
        return False
    answers = fuzz.ratio(earlier.answer, later.answer)
    if len(min(earlier.answer, later.answer, key=len)) >= 4:
        answers = max(answers, fuzz.partial_ratio(earlier.answer, later.answer))
    return answers >= ALIKE and fuzz.ratio(earlier.prompt, later.prompt) >= ALIKE


def _most_alike(reads: list[_Read], later: int, candidates: list[int]) -> tuple[int, float]:
    """The earlier question most alike ``later`` among ``candidates``, and its score."""
    read = reads[later]
    wholes = [reads[earlier].whole for earlier in candidates]
    found = process.extract(read.whole, wholes, scorer=fuzz.ratio, score_cutoff=SIMILAR, limit=None)
    for _, score, at in sorted(found, key=lambda hit: (-hit[1], hit[2])):
        if _alike(reads[candidates[at]], read, score):
            return candidates[at], float(score)
    return -1, 0.0


def near_duplicates(questions: Sequence[Question]) -> Iterator[tuple[Question, Question, float]]:
    """Each question alike enough to an earlier one, with the most alike earlier one:
    ``(earlier, later, score)``."""
    reads = [_read(question) for question in questions]
    counts = Counter(word for read in reads for word in read.keys)
    index: dict[str, list[int]] = defaultdict(list)
    first: dict[tuple[str, str], int] = {}
    for later, read in enumerate(reads):
        same = first.setdefault((read.prompt, read.answer), later)
        if same != later:
            yield questions[same], questions[later], 100.0
            continue
        keys = sorted(read.keys, key=lambda word: (counts[word], word))[:_KEYS]
        keys.append("\0" + read.prompt)
        candidates = sorted({earlier for key in keys for earlier in index[key][-_LATEST:]})
        best, score = _most_alike(reads, later, candidates)
        if best >= 0:
            yield questions[best], questions[later], score
        for key in keys:
            index[key].append(later)

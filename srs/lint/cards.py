"""The rules that look at one question at a time.

Each check takes a question and yields ``(key, message)``: the key at fault (``None`` for the
question as a whole) and what is wrong, in words the author can act on.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator

import autocorrect_py

from srs.bank import Question
from srs.cloze import parse_cloze
from srs.lint.text import (
    code_as_words,
    display_width,
    fill_cloze,
    markdown_fields,
    normal,
    plain,
    without_code,
)

__all__ = ["ANSWER_WIDTH", "CARD_CHECKS", "holds_term", "worth_matching"]

Found = Iterator[tuple[str | None, str]]

ANSWER_WIDTH = 80
"""The widest answer, in columns (a CJK character is 2): one line of the card's measure."""
_SHORT_ANSWER_TYPES = ("basic", "reverse", "typing")
_PARTS = re.compile(r"[、，;；]|(?<!\d),|,(?!\d)")
_CONJUNCTION = re.compile(r"(?:^|\s)(?:and|or|&)\s+", re.IGNORECASE)
_ITEM_WIDTH = 12
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]+\S", re.MULTILINE)
# Chinese has no spaces to bound a word, and a dictionary segmenter is not a dependency: a
# term counts unless the next character makes its last one part of a longer word (笔记本
# "notebook", 上图书馆 "go to the library", 上文件 "upload a file"), which these few
# look-aheads name. English "above" and "below" count only in a referring phrase.
_NOTES = r"笔记(?![本簿])|上文(?![件字化])|前文(?![件字化])"
_PLACES = r"(?:figure|table|diagram|list|image|picture|example|code|section|text|chart|steps?)"
_OUTSIDE = re.compile(
    _NOTES + r"|如上|[上下]图(?![书片])|(?<!上)下文(?![件字化])|(?<![^\s\W如见按据照])上面"
    r"|\b(?:the|my|these|our) (?:notes|slides|lecture)\b"
    r"|\b(?:see|seen|shown|given|listed|described|mentioned|noted|explained|defined|as)"
    r" (?:above|below)\b"
    rf"|\b(?:the|this|that) {_PLACES} (?:above|below)\b"
    rf"|\b(?:above|below) {_PLACES}\b",
    re.IGNORECASE,
)
_OUTSIDE_EXPLANATION = re.compile(_NOTES + r"|\b(?:the|my|these|our) (?:notes|slides)\b")
_QUOTED = re.compile(r'"[^"\n]*"|“[^”]*”|「[^」]*」')
_OUTSIDE_KEYS = ("prompt", "text", "answer", "choices", "items")
_PUNCTUATION = re.compile(r"[\W_]+\Z")
_WORD_EDGE = re.compile(r"[A-Za-z0-9_]")
_HAS_CJK = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffe6]"
)
_HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_CJK_SPACE = re.compile(rf"({_HAN}{{1,3}})( +)({_HAN}{{1,3}})")
_PIECE = 4000
_WORD = re.compile(r"[^\W_]")
_BREAK = re.compile(r"[\s\W]")


def _contains(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack``, both normalised (:func:`normal`: width,
    accents, zero-width characters and case do not hide it); a Latin word or number only as
    a whole word (``run`` is not in ``runc``)."""
    return holds_term(normal(haystack), normal(needle))


def holds_term(haystack: str, needle: str) -> bool:
    """Whether ``needle`` occurs in ``haystack``, a Latin word or number only as a whole word
    (``run`` is not in ``runc``); both already normalised."""
    if not needle:
        return False
    start = haystack.find(needle)
    while start >= 0:
        end = start + len(needle)
        cut_before = _WORD_EDGE.match(needle[0]) and _WORD_EDGE.match(haystack[start - 1 : start])
        cut_after = _WORD_EDGE.match(needle[-1]) and _WORD_EDGE.match(haystack[end : end + 1])
        if not (cut_before or cut_after):
            return True
        start = haystack.find(needle, start + 1)
    return False


def worth_matching(answer: str) -> bool:
    """Whether ``answer`` is worth looking for in other text: more than one character, and
    not only punctuation."""
    return len(answer) > 1 and not _PUNCTUATION.match(answer)


def cloze_leak(question: Question) -> Found:
    if question.type != "cloze" or not question.text:
        return
    deletions = parse_cloze(question.text)
    for number in sorted({d.number for d in deletions}):
        parts, position = [], 0
        for deletion in deletions:
            parts.append(question.text[position : deletion.start])
            if deletion.number != number:
                parts.append(deletion.answer)
            elif deletion.hint:
                parts.append(f" {deletion.hint} ")
            parts.append("\n")
            position = deletion.end
        card = plain("".join([*parts, question.text[position:]]))
        for deletion in deletions:
            answer = plain(deletion.answer)
            if deletion.number == number and worth_matching(answer) and _contains(card, answer):
                yield "text", f"c{number}'s answer '{answer}' also shows on its card"
                break


# An answer that ends in a gloss in brackets, or words either side of a slash (outside code,
# not a path, not an acronym such as TCP/IP): two ways of saying the answer, which a quiz
# takes typed only whole.
_GLOSS = re.compile(r"\S\s*[（(][^（）()]+[）)]\s*\Z")
_SLASHED = re.compile(r"\A[^\W\d_][^/]*/[^\W\d_][^/]*\Z")
_ACRONYM = re.compile(r"\A[A-Z]{1,5}/[A-Z]{1,5}\Z")


def _slashed(words: str) -> bool:
    return any(_SLASHED.match(token) and not _ACRONYM.match(token) for token in words.split())


def cloze_alternatives(question: Question) -> Found:
    if question.type != "cloze" or not question.text:
        return
    for deletion in parse_cloze(question.text):
        words = without_code(deletion.answer).strip()
        if _GLOSS.search(deletion.answer.strip()) or _slashed(words):
            yield (
                "text",
                f"c{deletion.number}'s answer '{plain(deletion.answer)}' holds two ways of "
                "saying it, which a quiz takes typed only whole: hide one, say the other "
                "outside the blank or in the explanation",
            )


def prompt_leak(question: Question) -> Found:
    if question.type not in _SHORT_ANSWER_TYPES or not question.prompt or not question.answer:
        return
    prompt, answer = plain(question.prompt), plain(question.answer)
    if worth_matching(answer) and _contains(prompt, answer):
        yield "prompt", f"the prompt holds its own answer '{answer}'"
    elif question.type == "reverse" and worth_matching(prompt) and _contains(answer, prompt):
        yield "answer", "the answer holds the prompt, which its reverse card asks for"


# A stand-in for a value, as command references write one: <name>, <容器名>, <ID>.
_STAND_IN = re.compile(r"<[^<>\s/=]{1,24}>")


def stand_in_answer(question: Question) -> Found:
    if question.type == "typing":
        typed = [("answer", question.answer or ""), *(("accept", a) for a in question.accept)]
    elif question.type == "cloze" and question.text:
        typed = [("text", d.answer) for d in parse_cloze(question.text)]
    else:
        return
    for key, text in typed:
        if found := _STAND_IN.search(text):
            yield (
                key,
                f"'{text}' holds the stand-in {found[0]}, which no one types: accept real values",
            )
            return


def long_answer(question: Question) -> Found:
    if question.type not in _SHORT_ANSWER_TYPES or not question.answer:
        return
    width = display_width(plain(question.answer))
    if width > ANSWER_WIDTH:
        yield (
            "answer",
            f"the answer is {width} columns wide (over {ANSWER_WIDTH}, about "
            f"{ANSWER_WIDTH // 2} Chinese characters): keep it to one fact",
        )


def enumeration(question: Question) -> Found:
    if question.type not in ("basic", "reverse") or not question.answer:
        return
    items = max(len(_LIST_ITEM.findall(question.answer)), _listed(without_code(question.answer)))
    if items >= 3:
        yield (
            "answer",
            f"the answer lists {items} items: one fact a card, or an order question",
        )


def _listed(text: str) -> int:
    """How many items ``text`` lists: parts between 、 (the list comma), or between commas
    and semicolons when the parts inside are short (items, not clauses). A comma between
    digits is a thousands separator; Latin parts of several words (``New York City, New
    York, USA``) are a list only with ``and``/``or`` before the last."""
    if text.count("、") >= 2:
        return text.count("、") + 1
    parts = [part.strip() for part in _PARTS.split(text)]
    joined = len(parts) > 1 and _CONJUNCTION.search(parts[-1]) is not None
    if joined:
        parts[-1:] = [part for part in _CONJUNCTION.split(parts[-1], maxsplit=1) if part]
    inner = parts[1:-1]
    if not inner or not all(part and display_width(part) <= _ITEM_WIDTH for part in inner):
        return 0
    if _HAS_CJK.search(text) or joined:
        return len(parts)
    return len(parts) if all(len(part.split()) == 1 for part in parts) else 0


def outside_reference(question: Question) -> Found:
    for key, text in markdown_fields(question):
        pattern = _OUTSIDE_EXPLANATION if key == "explanation" else _OUTSIDE
        if key not in _OUTSIDE_KEYS and key != "explanation":
            continue
        found = pattern.search(_QUOTED.sub(" ", without_code(text)))
        if found:
            yield key, f"'{found[0]}' refers to something outside the card"
            return


def no_explanation(question: Question) -> Found:
    if not question.explanation or not _WORD.search(plain(question.explanation)):
        yield None, "no explanation: say why the answer is right"


def blank_answer(question: Question) -> Found:
    if question.answer is not None and not normal(plain(question.answer)).strip():
        yield "answer", "the answer shows nothing to recall: write it out"


def cjk_style(question: Question) -> Found:
    for key, text in markdown_fields(question):
        if not _HAS_CJK.search(text):
            continue
        if question.type == "cloze" and key == "text":
            text = fill_cloze(text)  # the sentence as read, not the {{c1::…}} markup
        for piece in _pieces(text):
            fixed = _formatted(piece)
            if fixed is not None and fixed != piece:
                before, after = _first_difference(piece, fixed)
                yield key, f"'{before}' reads better as '{after}'"
                break
        else:
            # A space between two Chinese characters (often left beside a cloze blank: a gap
            # once filled in), which the formatter, adding spaces, leaves.
            if spaced := _CJK_SPACE.search(code_as_words(text)):
                yield key, f"'{spaced[0]}' reads better as '{spaced[1]}{spaced[3]}'"


def _pieces(text: str) -> Iterator[str]:
    """``text`` in pieces of at most :data:`_PIECE` characters, cut after a line or a
    sentence where one ends inside the piece (the formatter has a limit on what it reads)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + _PIECE)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind("。", start, end))
            end = cut + 1 if cut > start else end
        yield text[start:end]
        start = end


def _formatted(text: str) -> str | None:
    """``text`` as autocorrect formats it, or ``None`` where it cannot (such as its "call
    limit reached" on a long run of one pattern): that text is not checked."""
    try:
        return autocorrect_py.format_for(text, "markdown")
    except Exception:
        return None


def _first_difference(old: str, new: str, context: int = 6) -> tuple[str, str]:
    """The first place ``old`` and ``new`` differ (changes closer than ``context`` taken
    together), from and to a word boundary about ``context`` characters either side (``…``
    where none is near), on one line. Only a window after the common start is compared."""
    pairs = zip(old, new, strict=False)
    same = next((at for at, (a, b) in enumerate(pairs) if a != b), min(len(old), len(new)))
    base = max(0, same - 3 * context)
    old, new = old[base : same + 10 * context], new[base : same + 12 * context]
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    changes = [op for op in matcher.get_opcodes() if op[0] != "equal"]
    first = last = changes[0]
    for change in changes[1:]:
        if change[1] - last[2] > context or change[2] - first[1] > 2 * context:
            break
        last = change
    start, cut_start = _edge(old, first[1], -context)
    end, cut_end = _edge(old, last[2], context)
    old_part = cut_start + old[start:end] + cut_end
    new_part = cut_start + new[first[3] - (first[1] - start) : last[4] + end - last[2]] + cut_end
    return old_part.replace("\n", " "), new_part.replace("\n", " ")


def _edge(text: str, index: int, step: int) -> tuple[int, str]:
    """Where an excerpt ``step`` characters from ``index`` starts (``step`` < 0) or ends,
    moved out to a space or punctuation up to ``step`` further; ``…`` if there is none."""
    at = max(0, min(len(text), index + step))
    farthest = max(0, min(len(text), index + 2 * step))
    inward = step < 0
    while at != farthest and not _BREAK.match(text[at - 1 if inward else at]):
        at += -1 if inward else 1
    bounded = at in (0, len(text)) or _BREAK.match(text[at - 1 if inward else at])
    return at, "" if bounded else "…"


CARD_CHECKS: dict[str, Callable[[Question], Found]] = {
    "cloze-leak": cloze_leak,
    "cloze-alternatives": cloze_alternatives,
    "prompt-leak": prompt_leak,
    "long-answer": long_answer,
    "enumeration": enumeration,
    "outside-reference": outside_reference,
    "no-explanation": no_explanation,
    "blank-answer": blank_answer,
    "stand-in-answer": stand_in_answer,
    "cjk-style": cjk_style,
}
"""The rules that look at one question, by name."""

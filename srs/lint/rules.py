"""The linter's rules by name, and the ``lint:`` key that silences some of them for a question.

The names are kebab-case and stable: banks name them in ``lint: {ignore: [...], why: ...}``.
Each rule has one line saying what it flags; the checks are in the other modules of
:mod:`srs.lint`. The ``lint:`` key is read here, beside the names it checks, for
:mod:`srs.validate`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any, Protocol

from srs.yamlread import Mapping, Node, Position, Scalar, Sequence

__all__ = ["PER_BANK", "RULES", "did_you_mean", "read_lint_key"]

RULES: dict[str, str] = {
    "answer-position": "the right answer of choices sits at one position more often than chance",
    "longest-answer": "the right option is the longest one more often than chance",
    "truefalse-balance": "true and false answers far from half and half",
    "recall-share": "recall formats are under 75 % of the questions",
    "cloze-leak": "a cloze answer appears elsewhere in its own text",
    "cloze-alternatives": "a cloze answer that holds two ways of saying it: A (B), A/B",
    "prompt-leak": "an answer appears in its own prompt",
    "blank-answer": "an answer that shows nothing: only spaces, or a code span of spaces",
    "stand-in-answer": "a typed answer holding a stand-in (<name>) no one types as written",
    "near-duplicate": "two questions ask nearly the same thing",
    "long-answer": "an answer too long to check oneself against at a glance",
    "enumeration": "an answer that lists three or more items",
    "outside-reference": "a card that refers to material outside it (the notes, above, below)",
    "no-explanation": "a question without an explanation, or one with no words",
    "empty-passage": "a source whose passage has no text besides images (or no text at all)",
    "unshown-diagram": "a diagram of the bank that no question shows",
    "tag-spelling": "a tag spelled nearly as another tag or a section id (network, networking)",
    "cjk-style": "spacing or punctuation slips in Chinese or Japanese text",
    "unused-ignore": "a question's lint: ignore names a rule that would not fire on it",
}
"""Every rule: its name and what it flags, in the order the guide lists them."""

PER_BANK = ("unshown-diagram", "tag-spelling")
"""The rules about the bank, not a question: a question's ``lint:`` cannot silence them."""
_LINT_KEYS = ("ignore", "why")


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A hint for an unknown key: the closest known one, or where ``lint:`` goes."""
    if word == "lint" and "lint" not in choices:
        return " ('lint:' goes on a question, to silence rules for that question)"
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Out(Protocol):
    def problem(self, position: Position, message: str) -> None: ...


def read_lint_key(out: _Out, where: str, node: Node) -> dict[str, Any]:
    """A question's ``lint: {ignore: [RULE...], why: TEXT}`` as ``lint_ignore`` and
    ``lint_why`` fields; each problem is said to ``out`` at its place."""
    if not isinstance(node, Mapping):
        out.problem(node.position, f"{where}: 'lint' must be a mapping with 'ignore' and 'why'")
        return {}
    for key, position in node.keys.items():
        if key not in _LINT_KEYS:
            close = difflib.get_close_matches(key, _LINT_KEYS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            out.problem(position, f"{where}: 'lint': unknown key '{key}'{hint}")
    for key in _LINT_KEYS:
        if key not in node.values:
            out.problem(node.position, f"{where}: 'lint': missing required key '{key}'")
    fields: dict[str, Any] = {}
    if "ignore" in node.values:
        fields["lint_ignore"] = _rule_names(out, where, node.values["ignore"])
    why = node.values.get("why")
    if why is not None:
        if isinstance(why, Scalar) and not why.is_null and why.text.strip():
            fields["lint_why"] = why.text
        else:
            out.problem(why.position, f"{where}: 'lint': 'why' must say why, in words")
    return fields


def _rule_names(out: _Out, where: str, node: Node) -> tuple[str, ...]:
    if not isinstance(node, Sequence):
        out.problem(node.position, f"{where}: 'lint': 'ignore' must be a list of rule names")
        return ()
    if not node.items:
        out.problem(node.position, f"{where}: 'lint': 'ignore' must name at least one rule")
        return ()
    names: list[str] = []
    for item in node.items:
        name = item.text if isinstance(item, Scalar) else ""
        problem = _name_problem(name, names)
        if problem:
            out.problem(item.position, f"{where}: 'lint': 'ignore' {problem}")
        else:
            names.append(name)
    return tuple(names)


def _name_problem(name: str, named: list[str]) -> str | None:
    """What is wrong with ``name`` in a question's ``ignore`` after ``named``, if anything."""
    if name not in RULES:
        return f"names no rule '{name or '(not a name)'}'; the rules are " + ", ".join(RULES)
    if name in PER_BANK:
        return f"names '{name}', which is about the bank and cannot be silenced per question"
    if name in named:
        return f"names '{name}' twice"
    return None

"""The linter's rules by name, and the ``lint:`` key that silences some of them for a question.

The names are kebab-case and stable: banks name them in ``lint: {ignore: [...], why: ...}``.
Each rule has one line saying what it flags; the checks are in the other modules of
:mod:`srs.lint`. The ``lint:`` key is read here, beside the names it checks, for
:mod:`srs.validate`.
"""

from __future__ import annotations

import difflib
from typing import Any, Protocol

from srs.yamlread import Mapping, Node, Position, Scalar, Sequence

__all__ = ["RULES", "read_lint_key"]

RULES: dict[str, str] = {
    "answer-position": "the right answer of choices sits at one position more often than chance",
    "longest-answer": "the right option is the longest one more often than chance",
    "truefalse-balance": "true and false answers far from half and half",
    "recall-share": "recall formats are under 75 % of the questions",
    "cloze-leak": "a cloze answer appears elsewhere in its own text",
    "prompt-leak": "an answer appears in its own prompt",
    "near-duplicate": "two questions ask nearly the same thing",
    "long-answer": "an answer too long to check oneself against at a glance",
    "enumeration": "an answer that lists three or more items",
    "outside-reference": "a card that refers to material outside it (the notes, above, below)",
    "no-explanation": "a question without an explanation, or one with no words",
    "blank-answer": "an answer that shows nothing: only spaces, or a code span of spaces",
    "unshown-diagram": "a diagram of the bank that no question shows",
    "cjk-style": "spacing or punctuation slips in Chinese or Japanese text",
    "unused-ignore": "a question's lint: ignore names a rule that would not fire on it",
}
"""Every rule: its name and what it flags, in the order the guide lists them."""

_LINT_KEYS = ("ignore", "why")


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
    items = node.items if isinstance(node, Sequence) else []
    if not items:
        out.problem(node.position, f"{where}: 'lint': 'ignore' must be a list of rule names")
        return ()
    names = []
    for item in items:
        name = item.text if isinstance(item, Scalar) else ""
        if name not in RULES:
            shown = name or "(not a name)"
            out.problem(
                item.position,
                f"{where}: 'lint': 'ignore' names no rule '{shown}'; the rules are "
                + ", ".join(RULES),
            )
        else:
            names.append(name)
    return tuple(names)

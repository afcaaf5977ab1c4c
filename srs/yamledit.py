"""A question of a bank file changed in place: the lines that hold it and nothing else.

The file is parsed with ruamel.yaml's round-trip loader to find where each question of its
``questions:`` list starts and ends; a changed question is written with the same loader's
dumper (block texts stay block texts, a flow list stays a flow list, quotes stay as written)
and spliced into the text in place of its old lines. Every other line of the file, its
comments and its layout, is kept byte for byte. A question's own comments go with it when it
is changed: the comments of its keys stay with them.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import LiteralScalarString

__all__ = [
    "Place",
    "YamlEditError",
    "insert_question",
    "lines_of",
    "question_places",
    "question_values",
    "question_version",
    "remove_question",
    "replace_question",
]

# Where the dumper puts a top-level list's "-" (``indent(..., offset=2)``).
_DUMPED_DASH = 2
# Lists written on one line when a question gains them: short words, as authors write them.
_FLOW_KEYS = frozenset({"tags", "labels", "ids", "correct", "lint"})


class YamlEditError(ValueError):
    """The file cannot be edited here: not YAML, or no such question in it."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a question stands in its file: lines ``start`` to ``end`` (0-based, end
    excluded), its ``- `` at ``dash`` and its keys at ``column``."""

    start: int
    end: int
    dash: int
    column: int
    index: int


def _yaml() -> YAML:
    yaml = YAML()
    yaml.width = 4096  # a long line stays one line
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _questions(text: str) -> CommentedSeq:
    try:
        document = _yaml().load(text)
    except YAMLError as error:
        raise YamlEditError(f"the file is not YAML: {error}") from None
    questions = document.get("questions") if isinstance(document, CommentedMap) else None
    if not isinstance(questions, CommentedSeq):
        raise YamlEditError("the file has no list of questions")
    return questions


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


# The line breaks YAML counts (and so the line numbers ruamel gives): not the other breaks
# str.splitlines() also splits at (U+2028, U+2029, U+0085, \v, \f, \x1c-\x1e), which a
# pasted text may carry inside a value.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def lines_of(text: str) -> list[str]:
    """``text`` cut into its lines as YAML counts them, each with its line break."""
    return _LINE.findall(text)


def question_places(text: str) -> dict[str, Place]:
    """Each question of the file by its id, with the lines it stands on.

    A question runs from its ``- `` to its last line of its own: blank lines and comments
    indented no deeper than its ``- `` before the next question belong to what follows.

    Raises:
        YamlEditError: the file is not YAML or has no ``questions:`` list.
    """
    questions = _questions(text)
    lines = lines_of(text)
    starts: list[tuple[int, int, int]] = []
    for index in range(len(questions)):
        line, column = questions.lc.item(index)
        start = line
        while start > 0 and not lines[start].lstrip().startswith("-"):
            start -= 1
        starts.append((start, _indent(lines[start]), column))
    places: dict[str, Place] = {}
    for index, (start, dash, column) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(lines)
        while end - 1 > start:
            line = lines[end - 1]
            if line.strip() and not (line.lstrip().startswith("#") and _indent(line) <= dash):
                break
            end -= 1
        item = questions[index]
        key = item.get("id") if isinstance(item, CommentedMap) else None
        if isinstance(key, str) and key not in places:
            places[key] = Place(start, end, dash, column, index)
    return places


def _place(text: str, key: str) -> Place:
    place = question_places(text).get(key)
    if place is None:
        raise YamlEditError(f"no question '{key}' in the file")
    return place


def question_version(text: str, key: str) -> str:
    """A token for the question's lines as they stand: changes whenever they do."""
    place = _place(text, key)
    lines = lines_of(text)[place.start : place.end]
    return hashlib.sha256("".join(lines).encode()).hexdigest()[:32]


def question_values(text: str, key: str) -> dict[str, Any]:
    """Question ``key``'s keys and their values, as plain Python values.

    Raises:
        YamlEditError: no such question, or the file is not YAML.
    """
    value = _plain(_questions(text)[_place(text, key).index])
    return value if isinstance(value, dict) else {}


# Line and paragraph separators pasted from a PDF or a word processor are line breaks to a
# reader; the other breaks Python knows are not characters a YAML file may hold.
_SEPARATORS = str.maketrans(
    {"\u2028": "\n", "\u2029": "\n", "\u0085": "\n", "\v": " ", "\f": " "}
    | {chr(code): " " for code in range(0x1C, 0x1F)}
)


def _styled(value: Any, old: Any, key: str) -> Any:
    """``value`` dressed as ``old`` was written (block text, flow list, quotes)."""
    if isinstance(value, str):
        value = value.translate(_SEPARATORS)
        if isinstance(old, str) and old.rstrip("\n") == value.rstrip("\n"):
            return old
        if "\n" in value:
            return LiteralScalarString(value.rstrip("\n") + "\n")
        if isinstance(old, str) and type(old) is not str and type(old) is not LiteralScalarString:
            return type(old)(value)
        return value
    if isinstance(value, list | tuple):
        seq = CommentedSeq(_styled(item, None, key) for item in value)
        if isinstance(old, CommentedSeq):
            flow = old.fa.flow_style()
        else:
            flow = key in _FLOW_KEYS and not any(isinstance(i, str) and "\n" in i for i in value)
        if flow:
            seq.fa.set_flow_style()
        else:
            seq.fa.set_block_style()
        return seq
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, CommentedMap):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, CommentedSeq):
        return [_plain(v) for v in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _same(before: Any, value: Any) -> bool:
    if isinstance(before, str) and isinstance(value, str):
        return before.rstrip("\n") == value.rstrip("\n")
    plain = _plain(before)
    if isinstance(plain, list) and isinstance(value, list | tuple):
        return len(plain) == len(value) and all(map(_same, plain, value))
    return type(plain) is type(value) and plain == value


def _trim_tail(node: Any) -> None:
    """Drop what ruamel.yaml files under the last key of ``node`` from after it (blank lines,
    the next question's heading): that is the file's, not the question's; a comment on the
    key's own line stays."""
    if not isinstance(node, CommentedMap | CommentedSeq) or not len(node):
        return
    last = next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1
    slots = node.ca.items.get(last)
    for index, token in enumerate(slots or ()):
        if token is not None and not isinstance(token, list) and hasattr(token, "value"):
            own = token.value.split("\n", 1)[0]
            if own.strip():
                token.value = own + "\n"
            else:
                slots[index] = None
    _trim_tail(node[last])


def _rebuilt(old: CommentedMap, values: Mapping[str, Any]) -> bool:
    """Set ``values`` in the question's mapping ``old`` in place (an empty value drops its
    key; a new key goes last), keeping the comments of the keys it leaves; whether
    anything changed."""
    changed = False
    _trim_tail(old)
    for key, value in values.items():
        if _empty(value):
            if key in old:
                del old[key]
                changed = True
        elif key not in old:
            old.insert(len(old), key, _styled(value, None, key))
            changed = True
        elif not _same(old[key], value):
            old[key] = _styled(value, old[key], key)
            changed = True
    return changed


def _dumped(mapping: CommentedMap, dash: int) -> str:
    """The question as a list item with its ``-`` at column ``dash`` (its keys two further,
    as the dumper writes them; comments at the end of a key's line keep their column)."""
    buffer = io.StringIO()
    _yaml().dump(CommentedSeq([mapping]), buffer)
    body = lines_of(buffer.getvalue())
    # Comments after the last key are what follows the question (the next one's heading),
    # which ruamel.yaml files under it; they stay where they are in the file.
    while len(body) > 1 and (not body[-1].strip() or body[-1].lstrip().startswith("#")):
        body.pop()
    shift = dash - _DUMPED_DASH
    if shift >= 0:
        return "".join(" " * shift + line if line.strip() else line for line in body)
    return "".join(line[-shift:] if line.strip() else line for line in body)


def replace_question(text: str, key: str, values: Mapping[str, Any]) -> str:
    """``text`` with question ``key``'s keys set to ``values`` (an empty one removed).

    Raises:
        YamlEditError: no such question, or the file is not YAML.
    """
    place = _place(text, key)
    old = _questions(text)[place.index]
    if not _rebuilt(old, values):
        return text
    lines = lines_of(text)
    ending = "" if lines[place.end - 1].endswith("\n") else "\n"
    new = _dumped(old, place.dash)
    if ending:
        new = new.removesuffix("\n")
    return "".join([*lines[: place.start], new, *lines[place.end :]])


def insert_question(text: str, values: Mapping[str, Any], after: str | None = None) -> str:
    """``text`` with a new question of ``values`` after question ``after`` (else last).

    Raises:
        YamlEditError: the file has no question to place it by, or is not YAML.
    """
    places = question_places(text)
    if not places:
        raise YamlEditError("the file has no question to add one beside")
    place = places[after] if after in places else max(places.values(), key=lambda p: p.end)
    lines = lines_of(text)
    before = lines[: place.end]
    if before and not before[-1].endswith("\n"):
        before[-1] += "\n"
    mapping = CommentedMap()
    _rebuilt(mapping, values)
    new = _dumped(mapping, place.dash)
    return "".join([*before, "\n", new, *lines[place.end :]])


def remove_question(text: str, key: str) -> str:
    """``text`` without question ``key``'s lines (and one blank line of the two around it).

    Raises:
        YamlEditError: no such question, or the file is not YAML.
    """
    place = _place(text, key)
    lines = lines_of(text)
    kept = lines[: place.start] + lines[place.end :]
    at = place.start
    if 0 < at < len(kept) and not kept[at - 1].strip() and not kept[at].strip():
        del kept[at]
    return "".join(kept)

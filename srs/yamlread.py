"""A strict YAML reader that keeps the source position of every value.

Banks are written by hand, so every value remembers where it stood: errors can then name
``file:line:column``. The reader builds plain trees from libyaml's event stream itself, which
lets it refuse what a bank never needs and what makes YAML dangerous:

* anchors and aliases (no "billion laughs" expansion, no shared nodes),
* any tag outside YAML's core schema (``!!python/object`` and friends),
* more than one document, and nesting deeper than :data:`MAX_DEPTH`,
* a key repeated in one mapping (PyYAML would silently keep the last one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import yaml
from yaml.resolver import Resolver

__all__ = [
    "MAX_DEPTH",
    "UNSTORABLE",
    "Mapping",
    "Node",
    "Position",
    "Scalar",
    "Sequence",
    "YamlProblem",
    "read_yaml",
]

MAX_DEPTH = 32

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map")}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolver = Resolver()

# Characters a database cannot keep in text: NUL (PostgreSQL refuses it) and lone UTF-16
# surrogates (not text at all). YAML's "\\0" and "\\ud800" escapes can write them.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Position(NamedTuple):
    """A place in a text file, both numbers counted from 1."""

    line: int
    column: int

    @classmethod
    def of(cls, mark: Mark | None) -> Position:
        # libyaml gives every event its marks; None only in PyYAML's own type stubs.
        return cls(mark.line + 1, mark.column + 1) if mark else cls(0, 0)


class Mark(Protocol):
    """Where libyaml stands in the text (its pure-Python and C marks both have these)."""

    line: int
    column: int


@dataclass(slots=True)
class Scalar:
    """A scalar as written: ``text`` is the source text, ``tag`` its resolved YAML tag."""

    text: str
    tag: str
    position: Position

    @property
    def is_null(self) -> bool:
        return self.tag == f"{_CORE}null"

    @property
    def is_bool(self) -> bool:
        return self.tag == f"{_CORE}bool"

    @property
    def is_int(self) -> bool:
        return self.tag == f"{_CORE}int"

    def as_bool(self) -> bool:
        return self.text.lower() in {"yes", "true", "on", "y"}

    def as_int(self) -> int:
        return yaml.constructor.SafeConstructor().construct_yaml_int(
            yaml.ScalarNode(self.tag, self.text)
        )


@dataclass(slots=True)
class Mapping:
    """A mapping whose keys are strings; ``keys`` keeps where each key was written."""

    position: Position
    values: dict[str, Node] = field(default_factory=dict)
    keys: dict[str, Position] = field(default_factory=dict)


@dataclass(slots=True)
class Sequence:
    position: Position
    items: list[Node] = field(default_factory=list)


Node = Scalar | Mapping | Sequence


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Something wrong in the YAML itself, at ``position``."""

    position: Position
    message: str


def _tag_name(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


_STR = f"{_CORE}str"
_NULL = f"{_CORE}null"


class _Builder:
    """Turns libyaml events into a tree of :data:`Node`, collecting problems as it goes."""

    def __init__(self) -> None:
        self.problems: list[YamlProblem] = []
        self.stack: list[tuple[Mapping | Sequence, Scalar | None]] = []
        self.documents = 0
        self.root: Node | None = None
        # The tag of each plain scalar read so far: a bank repeats its keys and values
        # ("id", "type", "basic"...) thousands of times.
        self.resolved: dict[str, str] = {}

    def problem(self, mark: Mark | None, message: str) -> None:
        self.problems.append(YamlProblem(Position.of(mark), message))

    def check_node(self, event: yaml.ScalarEvent | yaml.CollectionStartEvent) -> None:
        """Refuse an anchor, or a tag outside the core schema, on a scalar or a collection."""
        if event.anchor is not None:
            self.problem(
                event.start_mark, f"anchor '&{event.anchor}': anchors and aliases are not allowed"
            )
        tag = event.tag
        if tag is not None and tag != "!" and tag not in _ALLOWED_TAGS:
            self.problem(event.start_mark, f"tag '{_tag_name(tag)}' is not allowed")

    def tag_of(self, event: yaml.ScalarEvent) -> str:
        tag = event.tag
        if tag is not None and tag != "!":
            return tag
        if not event.implicit[0]:
            return _STR  # quoted, or tagged "!": a string whatever it reads like
        value = event.value
        tag = self.resolved.get(value)
        if tag is None:
            tag = self.resolved[value] = _resolver.resolve(yaml.ScalarNode, value, event.implicit)
        return tag

    def add(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        parent, pending_key = self.stack[-1]
        if isinstance(parent, Sequence):
            parent.items.append(node)
            return
        if pending_key is None:
            if not isinstance(node, Scalar):
                self.problems.append(YamlProblem(node.position, "a key must be a plain value"))
                key = Scalar("", _STR, node.position)
            else:
                key = node
            self.stack[-1] = (parent, key)
            return
        self.stack[-1] = (parent, None)
        name = pending_key.text
        if name in parent.values:
            first = parent.keys[name]
            self.problems.append(
                YamlProblem(
                    pending_key.position,
                    f"repeated key '{name}' (first at line {first.line})",
                )
            )
            return
        parent.values[name] = node
        parent.keys[name] = pending_key.position

    def unstorable(self, event: yaml.ScalarEvent, character: int) -> None:
        # Name the key the value belongs to (for an item of a list, the list's key).
        where = "a key: "
        for depth, (container, key) in enumerate(reversed(self.stack)):
            if isinstance(container, Mapping):
                # A list being filled is the value of the key added last.
                name = key.text if depth == 0 and key is not None else None
                if depth and container.values:
                    name = next(reversed(container.values))
                if name is not None and not UNSTORABLE.search(name):
                    where = f"key '{name}': "
                break
        self.problem(
            event.start_mark,
            f"{where}character U+{character:04X} cannot be stored in a bank; remove it",
        )

    def open(self, container: Mapping | Sequence, mark: Mark | None) -> bool:
        if len(self.stack) >= MAX_DEPTH:
            self.problem(mark, f"nesting deeper than {MAX_DEPTH} levels")
            return False
        self.add(container)
        self.stack.append((container, None))
        return True

    def feed(self, event: yaml.Event) -> bool:
        """Take one event; return False when reading must stop."""
        match event:
            case yaml.ScalarEvent():
                self.check_node(event)
                if found := UNSTORABLE.search(event.value):
                    self.unstorable(event, ord(found.group()))
                tag = self.tag_of(event)
                self.add(Scalar(event.value, tag, Position.of(event.start_mark)))
            case yaml.MappingStartEvent():
                self.check_node(event)
                return self.open(Mapping(Position.of(event.start_mark)), event.start_mark)
            case yaml.SequenceStartEvent():
                self.check_node(event)
                return self.open(Sequence(Position.of(event.start_mark)), event.start_mark)
            case yaml.MappingEndEvent() | yaml.SequenceEndEvent():
                self.stack.pop()
            case yaml.AliasEvent():
                self.problem(
                    event.start_mark,
                    f"alias '*{event.anchor}': anchors and aliases are not allowed",
                )
                self.add(Scalar("", _NULL, Position.of(event.start_mark)))
            case yaml.DocumentStartEvent():
                self.documents += 1
                if self.documents > 1:
                    self.problem(event.start_mark, "only one YAML document is allowed per file")
                    return False
        return True


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> YamlProblem:
    """A character YAML may not hold (NUL, most control characters, U+FFFE), where it stands."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    character = error.character if isinstance(error.character, int) else ord(error.character)
    return YamlProblem(
        Position(line, column),
        f"character U+{character:04X} is not allowed in YAML; remove it",
    )


def read_yaml(text: str) -> tuple[Node | None, list[YamlProblem]]:
    """Read one YAML document from ``text``.

    Returns:
        The tree and every problem found. The tree is ``None`` for an empty document or
        when reading had to stop (a syntax error, too deep a nesting, a second document);
        after other problems it is still whole enough to validate further: a repeated key
        keeps its first value, an alias reads as null.
    """
    builder = _Builder()
    complete = True
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if not builder.feed(event):
                complete = False
                break
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = error.problem or error.context or "not valid YAML"
        if error.context and error.problem:
            message = f"{error.context}, {error.problem}"
        builder.problems.append(YamlProblem(Position.of(mark) if mark else Position(1, 1), message))
        complete = False
    except yaml.reader.ReaderError as error:
        builder.problems.append(_reader_problem(text, error))
        complete = False
    except yaml.YAMLError as error:
        builder.problems.append(YamlProblem(Position(1, 1), str(error)))
        complete = False
    return (builder.root if complete else None), builder.problems

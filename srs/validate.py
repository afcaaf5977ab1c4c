"""The bank format's checks: the parsed YAML files of one bank to its frozen values.

:class:`BankReader` checks every key of every file against the format (the question types'
own keys are the registry's, in :mod:`srs.questions`), renders each Markdown text as review
will, reads the diagrams the texts refer to, and collects every :class:`~srs.bank.Problem`
with ``file:line:column`` and the key at fault instead of stopping at the first.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from srs.ahead import RenderAhead
from srs.bank import (
    IMAGE_TYPES,
    Problem,
    Question,
    Section,
    diagram_path,
)
from srs.bank_notes import read_coverage_key, read_notes_key, read_source_key
from srs.lint.rules import did_you_mean as _did_you_mean
from srs.lint.rules import read_lint_key
from srs.notes import Notes
from srs.occlusion import diagram_labels
from srs.questions import ALL_KEYS, QUESTION_TYPES, Key, QuestionType, question_type
from srs.render import image_sources, render_problems
from srs.yamlread import Mapping, Node, Position, Scalar, Sequence

__all__ = ["BankReader"]

_ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
_ID_MAX = 64
_TAG = re.compile(r"[^\s]+\Z")
_BANK_KEYS = {"id", "title", "language", "description", "sections", "notes", "questions"}
_PART_KEYS = {"questions"}
_SECTION_KEYS = {"id", "title", "parent", "coverage"}
_COMMON_KEYS = {"id", "type", "section", "tags", "explanation", "source", "lint"}
_ALL_QUESTION_KEYS = _COMMON_KEYS | ALL_KEYS
# The longest integer literal read as an index: anything longer is out of range, and
# converting thousands of digits is refused by int() itself.
_INDEX_DIGITS = 9


class _File:
    """Collects the problems of one file and names them by its display path."""

    def __init__(self, display: str, problems: list[Problem]) -> None:
        self.display = display
        self.problems = problems

    def problem(self, position: Position, message: str) -> None:
        self.problems.append(Problem(self.display, position.line, position.column, message))


class BankReader:
    """Validates the parsed files of one bank and builds its values."""

    def __init__(self, root: Path | None, display_root: str, max_bytes: int) -> None:
        self.root = root
        self.display_root = display_root
        self.max_bytes = max_bytes
        self.problems: list[Problem] = []
        self.sections: dict[str, Section] = {}
        self.question_ids: dict[str, tuple[str, Position]] = {}
        self.questions: list[Question] = []
        self.diagram_refs: dict[str, None] = {}
        self.notes: tuple[Notes, ...] = ()
        self.notes_failed: set[str] = set()
        # Each question's texts, checked once every file is read (check_renderings).
        self.renderings: list[tuple[_File, str, list[tuple[str, Node, str]]]] = []
        self.ahead = RenderAhead()

    # -- helpers ---------------------------------------------------------------------------

    def file(self, display: str) -> _File:
        return _File(display, self.problems)

    def text(self, out: _File, where: str, key: str, node: Node) -> str | None:
        if isinstance(node, Scalar) and not node.is_null and node.text.strip():
            return node.text
        position = node.position
        if isinstance(node, Scalar):
            out.problem(position, f"{where}: '{key}' is empty")
        else:
            out.problem(position, f"{where}: '{key}' must be text, not a list or mapping")
        return None

    def text_list(
        self, out: _File, where: str, key: str, node: Node, minimum: int = 0
    ) -> tuple[str, ...] | None:
        if not isinstance(node, Sequence):
            out.problem(node.position, f"{where}: '{key}' must be a list")
            return None
        values = []
        for index, item in enumerate(node.items):
            value = self.text(out, where, f"{key}[{index}]", item)
            if value is None:
                return None
            values.append(value)
        if len(values) < minimum:
            out.problem(node.position, f"{where}: '{key}' needs at least {minimum} entries")
            return None
        return tuple(values)

    def check_keys(self, out: _File, where: str, mapping: Mapping, allowed: set[str]) -> None:
        for key, position in mapping.keys.items():
            if key not in allowed:
                out.problem(position, f"{where}: unknown key '{key}'{_did_you_mean(key, allowed)}")

    def identifier(self, out: _File, where: str, node: Node | None, at: Position) -> str | None:
        if node is None:
            out.problem(at, f"{where}: missing required key 'id'")
            return None
        if not isinstance(node, Scalar) or not _ID.match(node.text) or len(node.text) > _ID_MAX:
            shown = node.text if isinstance(node, Scalar) else "(a list or mapping)"
            out.problem(
                node.position,
                f"{where}: 'id' '{shown}' must be lowercase letters, digits and '-', "
                f"starting with a letter or digit, at most {_ID_MAX} characters",
            )
            return None
        return node.text

    # -- bank and parts --------------------------------------------------------------------

    def read_tree(
        self, out: _File, relative: str, tree: Node | None, *, first: bool
    ) -> tuple[str, str, str | None, str | None] | None:
        """Validate one parsed file of the bank; returns the bank's header from the first."""
        if not isinstance(tree, Mapping):
            expected = "the bank's keys" if first else "'questions:'"
            position = tree.position if tree is not None else Position(1, 1)
            out.problem(position, f"expected a mapping with {expected}")
            return None
        header = self.bank_header(out, tree) if first else None
        if not first:
            self.check_keys(out, "file", tree, _PART_KEYS)
        if "questions" in tree.values:
            self.read_questions(out, relative, tree.values["questions"])
        elif not first:
            out.problem(tree.position, "missing required key 'questions'")
        return header

    def bank_header(self, out: _File, root: Mapping) -> tuple[str, str, str | None, str | None]:
        self.check_keys(out, "bank", root, _BANK_KEYS)
        bank_id = self.identifier(out, "bank", root.values.get("id"), root.position) or ""
        title = None
        if "title" in root.values:
            title = self.text(out, "bank", "title", root.values["title"])
        else:
            out.problem(root.position, "bank: missing required key 'title'")
        language = description = None
        if "language" in root.values:
            language = self.text(out, "bank", "language", root.values["language"])
        if "description" in root.values:
            description = self.text(out, "bank", "description", root.values["description"])
        if "notes" in root.values:
            self.notes, self.notes_failed = read_notes_key(
                out, root.values["notes"], self.root, self.max_bytes
            )
        if "sections" in root.values:
            self.read_sections(out, root.values["sections"])
        return bank_id, title or "", language, description

    def read_sections(self, out: _File, node: Node) -> None:
        if not isinstance(node, Sequence):
            out.problem(node.position, "bank: 'sections' must be a list")
            return
        for index, item in enumerate(node.items):
            where = f"sections[{index}]"
            if not isinstance(item, Mapping):
                out.problem(item.position, f"{where}: must be a mapping with 'id' and 'title'")
                continue
            section_id = self.identifier(out, where, item.values.get("id"), item.position)
            if section_id:
                where = f"section '{section_id}'"
            self.check_keys(out, where, item, _SECTION_KEYS)
            title = None
            if "title" in item.values:
                title = self.text(out, where, "title", item.values["title"])
            else:
                out.problem(item.position, f"{where}: missing required key 'title'")
            parent = None
            if "parent" in item.values:
                parent = self.text(out, where, "parent", item.values["parent"])
                if parent is not None and parent not in self.sections:
                    out.problem(
                        item.values["parent"].position,
                        f"{where}: 'parent' '{parent}' is not a section listed before it"
                        + _did_you_mean(parent, self.sections),
                    )
                    parent = None
            skip = None
            if "coverage" in item.values:
                skip = read_coverage_key(out, where, item.values["coverage"])
            if section_id is None or title is None:
                continue
            if section_id in self.sections:
                out.problem(item.values["id"].position, f"{where}: 'id' is listed twice")
                continue
            self.sections[section_id] = Section(section_id, title, parent, skip)

    def read_questions(self, out: _File, relative: str, node: Node) -> None:
        if not isinstance(node, Sequence):
            out.problem(node.position, "'questions' must be a list")
            return
        for index, item in enumerate(node.items):
            if not isinstance(item, Mapping):
                out.problem(item.position, f"questions[{index}]: must be a mapping")
                continue
            question = self.read_question(out, relative, index, item)
            if question is not None:
                self.questions.append(question)

    def note_id(self, out: _File, where: str, question_id: str, position: Position) -> bool:
        """Notes where question ``question_id`` is; whether no question had it before."""
        if question_id in self.question_ids:
            first_file, first = self.question_ids[question_id]
            out.problem(
                position,
                f"{where}: 'id' is used twice (first at {first_file}:{first.line}:{first.column})",
            )
            return False
        self.question_ids[question_id] = (out.display, position)
        return True

    # -- one question ----------------------------------------------------------------------

    def read_question(
        self, out: _File, relative: str, index: int, item: Mapping
    ) -> Question | None:
        before = len(self.problems)
        where = f"questions[{index}]"
        question_id = self.identifier(out, where, item.values.get("id"), item.position)
        if question_id:
            where = f"question '{question_id}'"
            self.note_id(out, where, question_id, item.values["id"].position)

        kind = self.question_kind(out, where, item)
        if kind is None:
            self.check_keys(out, where, item, _ALL_QUESTION_KEYS)
            return None
        fields = self.question_fields(out, where, kind, item)
        if len(self.problems) > before or question_id is None:
            return None
        self.check_rendering(out, where, kind.name, item.values, fields)
        if kind.name == "occlusion":
            self.check_occlusion(out, where, item.values, fields)
        if len(self.problems) > before:
            return None
        return Question(
            id=question_id,
            type=kind.name,
            source=relative,
            line=item.position.line,
            key_places=tuple((key, at.line, at.column) for key, at in item.keys.items()),
            **fields,
        )

    def question_kind(self, out: _File, where: str, item: Mapping) -> QuestionType | None:
        """The question's type, from its ``type`` key; ``None`` (with a problem) if none."""
        type_node = item.values.get("type")
        if type_node is None:
            out.problem(item.position, f"{where}: missing required key 'type'")
        elif not isinstance(type_node, Scalar) or type_node.text not in QUESTION_TYPES:
            shown = type_node.text if isinstance(type_node, Scalar) else "a list or mapping"
            out.problem(
                type_node.position,
                f"{where}: 'type' '{shown}' is not one of {', '.join(QUESTION_TYPES)}"
                + _did_you_mean(shown, QUESTION_TYPES),
            )
        else:
            return question_type(type_node.text)
        return None

    def question_fields(
        self, out: _File, where: str, kind: QuestionType, item: Mapping
    ) -> dict[str, Any]:
        """The question's keys read as its type declares them, each problem said."""
        allowed = _COMMON_KEYS | set(kind.key_names)
        for key, position in item.keys.items():
            if key in allowed:
                continue
            if key in _ALL_QUESTION_KEYS:
                out.problem(position, f"{where}: '{key}' is not a key of a {kind.name} question")
            else:
                out.problem(position, f"{where}: unknown key '{key}'{_did_you_mean(key, allowed)}")
        for spec in kind.keys:
            if spec.required and spec.name not in item.values:
                out.problem(
                    item.position,
                    f"{where}: missing required key '{spec.name}' for a {kind.name} question",
                )

        fields: dict[str, Any] = {}
        values = item.values
        if "explanation" in values:
            fields["explanation"] = self.text(out, where, "explanation", values["explanation"])
        if "section" in values:
            fields["section"] = self.section_ref(out, where, values["section"])
        if "tags" in values:
            tags = self.text_list(out, where, "tags", values["tags"])
            for tag in tags or ():
                if not _TAG.match(tag):
                    out.problem(
                        values["tags"].position, f"{where}: 'tags' entry '{tag}' has a space"
                    )
            fields["tags"] = tags or ()
        if "source" in values:
            fields["passage"] = read_source_key(
                out, where, values["source"], self.notes, self.notes_failed
            )
        if "lint" in values:
            fields.update(read_lint_key(out, where, values["lint"]))
        for spec in kind.keys:
            if spec.name in values:
                fields[spec.name] = self.value(out, where, spec, values[spec.name], fields)
        for name, message in kind.problems(fields):
            out.problem(values[name].position, f"{where}: '{name}': {message}")
        markdown = [spec.name for spec in kind.keys if spec.markdown] + ["explanation"]
        for name in markdown:
            for label, node, text in _texts(name, values, fields):
                self.check_images(out, where, label, node, text)
        return fields

    def value(self, out: _File, where: str, key: Key, node: Node, fields: dict[str, Any]) -> object:
        """One type-specific key read as its kind says; ``None`` (with a problem) if bad."""
        if key.kind == "texts":
            return self.text_list(out, where, key.name, node, minimum=key.minimum)
        if key.kind == "truth":
            return self.truth(out, where, node)
        if key.kind == "indices":
            return self.indices(out, where, node, fields.get("choices"))
        return self.text(out, where, key.name, node)

    def section_ref(self, out: _File, where: str, node: Node) -> str | None:
        name = self.text(out, where, "section", node)
        if name is None:
            return None
        if name not in self.sections:
            listed = (
                "not usable: the bank lists no sections"
                if not self.sections
                else ("not one of the bank's sections" + _did_you_mean(name, self.sections))
            )
            out.problem(node.position, f"{where}: 'section' '{name}' is {listed}")
            return None
        return name

    def truth(self, out: _File, where: str, node: Node) -> bool | None:
        if isinstance(node, Scalar) and node.is_bool:
            return node.as_bool()
        out.problem(node.position, f"{where}: 'correct' must be true or false")
        return None

    def indices(
        self, out: _File, where: str, node: Node, choices: object
    ) -> int | tuple[int, ...] | None:
        count = len(choices) if isinstance(choices, tuple) else None
        nodes = node.items if isinstance(node, Sequence) else [node]
        found: list[int] = []
        for item in nodes:
            if not isinstance(item, Scalar) or not item.is_int:
                out.problem(
                    item.position,
                    f"{where}: 'correct' must be a 0-based index into 'choices', or a list of them",
                )
                return None
            digits = item.text.lstrip("+-0").replace("_", "")
            value = item.as_int() if len(digits) <= _INDEX_DIGITS else None
            if value is None or (count is not None and not 0 <= value < count):
                shown = item.text if len(item.text) <= 20 else f"{item.text[:20]}…"
                listed = f": 'choices' has {count} entries (0 to {count - 1})" if count else ""
                out.problem(
                    item.position, f"{where}: 'correct' index {shown} is out of range{listed}"
                )
                return None
            if value in found:
                out.problem(item.position, f"{where}: 'correct' lists index {value} twice")
                return None
            found.append(value)
        if not found:
            out.problem(node.position, f"{where}: 'correct' lists no index")
            return None
        return tuple(found) if isinstance(node, Sequence) else found[0]

    def check_rendering(
        self,
        out: _File,
        where: str,
        question_type_name: str,
        values: dict[str, Node],
        fields: dict[str, Any],
    ) -> None:
        """Keeps every text of the question to be rendered as review, quizzes and the bank
        page will, once the bank is read (:meth:`check_renderings`).

        What passes renders for every learner: a text that fails to render, or a code fence
        with an option rendering drops, is a problem at the field it comes from.
        """
        kind = question_type(question_type_name)
        shown: list[tuple[str, Node, str]] = []
        for spec in kind.keys:
            if spec.markdown:
                shown.extend(_texts(spec.name, values, fields))
        shown.extend(_texts("explanation", values, fields))
        content = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
        shown.extend((key, values[key], text) for key, text in kind.rendered(content))
        first: dict[str, tuple[str, Node, str]] = {}
        for each in shown:
            first.setdefault(each[2], each)
        self.renderings.append((out, where, list(first.values())))
        self.ahead.add(first)

    def check_renderings(self) -> None:
        """The problems of every text the questions read show, rendered ahead on other cores
        where the bank is large enough to be worth it (:mod:`srs.ahead`)."""
        self.ahead.collect()
        for out, where, shown in self.renderings:
            for key, node, text in shown:
                for message in render_problems(text):
                    out.problem(node.position, f"{where}: '{key}' {message}")

    def check_occlusion(
        self, out: _File, where: str, values: dict[str, Node], fields: dict[str, Any]
    ) -> None:
        """An occlusion question's labels, each naming one ``<text>`` of its diagram."""
        if message := self.diagram_problem(fields["image"]):
            out.problem(values["image"].position, f"{where}: 'image': {message}")
            return
        self.diagram_refs[path := diagram_path(fields["image"])] = None
        key = "ids" if fields.get("ids") else "labels"
        full = (self.root or Path()) / path  # a bank without a folder was refused above
        texts, problems = diagram_labels(full, self.max_bytes, fields[key], by_id=key == "ids")
        node = values[key]
        for index, problem in problems:
            at = node.items[index].position if isinstance(node, Sequence) else node.position
            out.problem(at, f"{where}: '{key}[{index}]': {problem} in {path}")
        fields["labels"] = tuple(texts) if key == "ids" else fields["labels"]

    def check_images(self, out: _File, where: str, key: str, node: Node, text: str) -> None:
        for reference in image_sources(text):
            message = self.diagram_problem(reference)
            if message:
                out.problem(node.position, f"{where}: '{key}': {message}")
            else:
                self.diagram_refs[diagram_path(reference)] = None

    def diagram_problem(self, reference: str) -> str | None:
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc or reference.startswith(("/", "\\")):
            return f"diagram '{reference}' must be a path relative to the bank's folder"
        if "\\" in reference:
            return f"diagram '{reference}' must use '/' between folders"
        if self.root is None:
            return f"diagram '{reference}' cannot be used: a single-file bank has no diagrams"
        path = diagram_path(reference)
        if path == ".." or path.startswith("../") or not path or path == ".":
            return f"diagram '{reference}' leaves the bank's folder"
        suffix = posixpath.splitext(path)[1].lower()
        if suffix not in IMAGE_TYPES:
            return f"diagram '{reference}' is not an image ({', '.join(sorted(IMAGE_TYPES))})"
        full = self.root / path
        try:
            inside = full.resolve().is_relative_to(self.root.resolve())
        except OSError:
            inside = False
        if not inside:
            return f"diagram '{reference}' leaves the bank's folder"
        if not full.is_file():
            return f"diagram '{reference}' not found in {self.display_root}"
        return None


def _texts(
    name: str, values: dict[str, Node], fields: dict[str, Any]
) -> list[tuple[str, Node, str]]:
    """The Markdown of key ``name`` as ``(label, node, text)``: one, or one per entry."""
    value = fields.get(name)
    if not value:
        return []
    if isinstance(value, str):
        return [(name, values[name], value)]
    entries = values[name]
    if not isinstance(entries, Sequence):  # not so: a list key is read from a list
        return []
    return [(f"{name}[{i}]", entries.items[i], text) for i, text in enumerate(value)]

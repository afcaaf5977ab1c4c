"""A bank for the question editor's tests, and the form as a browser would send it."""

from __future__ import annotations

import difflib
import re
from html.parser import HTMLParser
from pathlib import Path

from config import PROJECT_ROOT

SVG = (PROJECT_ROOT / "tests/banks/diagram/diagrams/engine.svg").read_bytes()

BANK = """\
# The editor's test bank: every comment here must outlive every edit.
id: ed
title: Editor test
language: en
sections:
  - {id: one, title: One}   # the first section
  - {id: two, title: Two}
questions:
  # basic, first of all
  - id: b1
    type: basic
    section: one
    tags: [alpha]
    prompt: What is **one**?
    answer: A single thing.
    explanation: |
      Because it is.

  # a comment between two questions
  - id: c1
    type: cloze
    section: one
    text: The {{c1::cat}} sat on the {{c2::mat}}.
    explanation: Cats do.
"""

PART = """\
# Part two, with the other types.
questions:
  - id: ch1
    type: choice
    section: two
    prompt: Pick the even one.
    choices: [one, two, three]
    correct: 1   # two
    explanation: Two is even.

  # order, its items in a block list
  - id: o1
    type: order
    section: two
    prompt: Count up.
    items:
      - one
      - two
      - three
    explanation: As counted.

  - id: t1
    type: typing
    section: two
    prompt: Capital of France?
    answer: Paris
    explanation: On the Seine.

  - id: occ1
    type: occlusion
    section: two
    image: diagrams/engine.svg
    labels: [dockerd, containerd]
    answer: self
    explanation: The engine.
# the end of part two
"""

FILES = {"bank.yaml": BANK, "20-more.yaml": PART}
FILE_OF = {"b1": "bank.yaml", "c1": "bank.yaml"} | dict.fromkeys(
    ("ch1", "o1", "t1", "occ1"), "20-more.yaml"
)


def write_editor_bank(root: Path) -> Path:
    """The bank in folder ``root`` (a copy for one test)."""
    (root / "diagrams").mkdir(parents=True)
    for name, text in FILES.items():
        (root / name).write_text(text, encoding="utf-8")
    (root / "diagrams" / "engine.svg").write_bytes(SVG)
    return root


class _Form(HTMLParser):
    """The values a browser would send for the form with ``id``."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.values = form_id, False, {}
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside:
            return
        if tag == "input" and "name" in a:
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.values[self.textarea] = ""
        elif tag == "select" and "name" in a:
            self.select = a["name"]
            self.values.setdefault(self.select, None)
        elif (
            tag == "option"
            and self.select
            and (self.values[self.select] is None or "selected" in a)
        ):
            self.values[self.select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_values(page: str, form_id: str = "editor-form") -> dict[str, str]:
    """The editor form's fields as the page fills them in."""
    parser = _Form(form_id)
    parser.feed(page)
    # A textarea's first newline is the markup's, not the value's.
    return {k: (v or "").removeprefix("\n") for k, v in parser.values.items()}


def changed_lines(before: str, after: str) -> list[tuple[int, int]]:
    """The ranges of lines of ``before`` (0-based, end excluded) the change replaced."""
    matcher = difflib.SequenceMatcher(None, before.splitlines(), after.splitlines())
    return [(i1, i2) for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"]


def question_lines(text: str, key: str) -> tuple[int, int]:
    """The lines question ``key`` stands on in ``text``: its ``- id:`` line to its last."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if re.match(rf"\s*- id: {key}\s*$", line))
    end = start + 1
    while end < len(lines) and (
        lines[end].startswith("    ")
        or (
            lines[end].strip() == ""
            and end + 1 < len(lines)
            and lines[end + 1].startswith("      ")
        )
    ):
        end += 1
    return start, end

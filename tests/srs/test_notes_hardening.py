"""Notes a bank cannot keep or show are refused at file:line, and reading notes stays cheap:
deep nesting, unreadable front matter, unstorable characters, passages that do not render,
file names and sources that cannot be cited, and many headings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from srs import render
from srs.bank import BankError
from srs.notes import Notes, front_matter, headings_of, resolve
from srs.sources import load_bank

BANK = """\
id: b
title: B
notes: [notes/n.md]
questions:
  - {id: q1, type: basic, prompt: p, answer: a, source: "n.md#a"}
"""


def problems(root: Path) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(root)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def notes_problems(write_bank, notes: str, bank: str = BANK, name: str = "n.md") -> list[str]:
    return problems(write_bank("b", {"bank.yaml": bank, f"notes/{name}": notes}))


@pytest.fixture
def failing_render(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Rendering fails on any text with ``boom`` in it (as a RecursionError would)."""
    sanitise = render._sanitise

    def failing(html: str) -> str:
        if "boom" in html:
            raise RecursionError("maximum recursion depth exceeded")
        return sanitise(html)

    monkeypatch.setattr(render, "_sanitise", failing)
    render.prepare.cache_clear()
    yield
    render.prepare.cache_clear()


def test_a_passage_that_cannot_be_rendered_is_refused(write_bank, failing_render: None) -> None:
    # The outline heading 'b' has no text of its own: its whole section is what a card shows.
    notes = "# a\n\ntext\n\n# b\n\n## c\n\nboom\n"
    assert notes_problems(write_bank, notes) == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/n.md' (line 5): passage cannot be rendered: "
        'lists are nested too deeply (each "1. ", "- " or "* " at the start of a line\'s'
        " text opens a list inside the last); write them flatter"
    ]


def test_blocks_nested_too_deep_are_refused_not_read_in_part(write_bank) -> None:
    lists = "\n".join("  " * i + "- x" for i in range(1000))
    assert notes_problems(write_bank, f"# a\n\n{lists}\n\n# after\n") == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/n.md' (line 51): blocks nest deeper than 98 levels"
    ]
    quotes = "> " * 30 + "x\n\n# after\n"
    assert [h.title for h in headings_of(quotes)] == ["after"]


def test_front_matter_nested_too_deep_is_a_problem_not_a_crash(write_bank) -> None:
    text = "---\nx: " + "[" * 1000 + "\n---\n# a\n\ntext\n"
    assert front_matter(text) == ({}, 3)
    assert notes_problems(write_bank, text) == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/n.md' (line 1): "
        "front matter cannot be read: it nests too deep"
    ]


def test_a_character_that_cannot_be_stored_is_refused(write_bank) -> None:
    assert notes_problems(write_bank, "# a\n\nx\0y\n") == [
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/n.md' (line 3): "
        "character U+0000 cannot be stored; remove it"
    ]


def test_a_notes_file_with_a_hash_in_its_name_is_refused(write_bank) -> None:
    bank = BANK.replace("notes/n.md", "notes/c#.md").replace("n.md#a", "c#.md#a")
    found = notes_problems(write_bank, "# a\n\ntext\n", bank, "c#.md")
    assert found[0] == (
        "bank.yaml:3:9: bank: 'notes[0]' 'notes/c#.md' has '#' in its name, which a source "
        "cannot name (FILE#HEADING): rename it"
    )


def test_a_source_of_more_than_one_line_is_refused(write_bank) -> None:
    bank = BANK.replace('source: "n.md#a"', 'source: "n.md#a\\n  b"')
    assert notes_problems(write_bank, "# a\n\ntext\n", bank) == [
        "bank.yaml:5:57: question 'q1': 'source' must be one line, without control characters"
    ]


def test_sections_end_where_they_should_and_many_headings_read_quickly() -> None:
    headings = headings_of("# A\nx\n## B\ny\n### C\nz\n## D\nw\n# E\nv\n")
    assert [h.whole for h in headings] == [
        "x\n## B\ny\n### C\nz\n## D\nw",
        "y\n### C\nz",
        "z",
        "w",
        "v",
    ]
    text = "# a\n" * 20000 + "\n"
    started = time.perf_counter()
    found = headings_of(text)
    assert len(found) == 20000 and found[-1].anchor == "a-19999"
    assert time.perf_counter() - started < 5  # was quadratic: minutes at this size
    notes = (Notes("n.md", text),)
    started = time.perf_counter()
    for _ in range(1000):
        assert not isinstance(resolve(notes, "n.md#a-19999"), str)
    assert time.perf_counter() - started < 1  # parsed once, found by anchor

"""The YAML reader runs no code and expands nothing, whatever a bank file contains."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from srs.bank import BankError
from srs.sources import load_bank
from srs.yamlread import read_yaml

BILLION_LAUGHS = """\
id: b
title: B
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
questions: *i
"""


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch pwned']",
        "!!python/object/new:os.system ['touch pwned']",
        "!!python/name:os.system",
        "!!binary aGVsbG8=",
        "!custom value",
    ],
)
def test_tags_outside_the_core_schema_are_refused(tmp_path: Path, tag: str) -> None:
    bank = tmp_path / "b.yaml"
    bank.write_text(
        f"id: b\ntitle: B\nquestions:\n  - id: q\n    type: basic\n    prompt: {tag}\n    answer: a\n"
    )
    with pytest.raises(BankError) as caught:
        load_bank(bank)
    shown = tag.split(" ")[0].replace("!!", "!!")
    assert f"{bank}:6:13: tag '{shown}' is not allowed" in [str(p) for p in caught.value.problems]
    assert not (tmp_path / "pwned").exists()


def test_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    bank = tmp_path / "b.yaml"
    bank.write_text(
        "id: b\ntitle: B\nquestions:\n  - &q {id: q, type: basic, prompt: p, answer: a}\n  - *q\n"
    )
    with pytest.raises(BankError) as caught:
        load_bank(bank)
    assert [str(p) for p in caught.value.problems][:2] == [
        f"{bank}:4:5: anchor '&q': anchors and aliases are not allowed",
        f"{bank}:5:5: alias '*q': anchors and aliases are not allowed",
    ]


def test_alias_bomb_is_refused_without_expanding(tmp_path: Path) -> None:
    bank = tmp_path / "bomb.yaml"
    bank.write_text(BILLION_LAUGHS)
    # In a child process held to 300 MB and 20 s: expanding the bomb (10^9 strings) would
    # exhaust either, so a clean refusal proves nothing was expanded.
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (300 * 2**20, 300 * 2**20))
        from srs.bank import BankError
        from srs.sources import load_bank
        try:
            load_bank({str(bank)!r})
        except BankError as error:
            anchors = [p for p in error.problems if "anchors and aliases" in p.message]
            print(len(anchors), anchors[0])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=20,
        cwd=Path(__file__).resolve().parents[2],
        check=True,
    )
    count, first = done.stdout.split(" ", 1)
    assert first.strip() == f"{bank}:3:4: anchor '&a': anchors and aliases are not allowed"
    assert int(count) == 9 + 8 * 9 + 1  # nine anchors, 72 aliases in lists, one more: all named


def test_reader_builds_no_python_objects() -> None:
    tree, problems = read_yaml("a: !!python/object:builtins.dict {x: 1}\n")
    assert [p.message for p in problems] == ["tag '!!python/object:builtins.dict' is not allowed"]
    assert tree is not None
    assert type(tree.values["a"]).__name__ == "Mapping"


def test_each_scalar_keeps_its_own_tag_however_often_its_text_repeats() -> None:
    tree, problems = read_yaml("a: 1\nb: '1'\nc: 1\ne: !!str 1\nf: yes\ng: 'yes'\nh: yes\n")
    assert problems == [] and tree is not None
    tags = {key: node.tag.rsplit(":", 1)[1] for key, node in tree.values.items()}
    assert tags == {
        "a": "int", "b": "str", "c": "int", "e": "str",
        "f": "bool", "g": "str", "h": "bool",
    }  # fmt: skip
    assert (tree.values["c"].position.line, tree.values["c"].position.column) == (3, 4)

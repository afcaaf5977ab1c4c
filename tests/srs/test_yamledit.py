"""A question's lines rewritten in place: the rest of the file kept byte for byte."""

from __future__ import annotations

import pytest

from srs.yamledit import (
    YamlEditError,
    insert_question,
    question_places,
    question_values,
    question_version,
    remove_question,
    replace_question,
)

TEXT = """\
id: t   # the bank
questions:
  # first
  - id: a
    type: basic
    prompt: "quoted: yes"
    answer: one   # keep me
    explanation: |
      Two lines,

      with a gap.

  # second, a flow mapping
  - {id: b, type: choice, prompt: p, choices: [x, y], correct: 0}
"""


def test_places_run_from_the_dash_to_the_last_own_line() -> None:
    places = question_places(TEXT)
    assert (places["a"].start, places["a"].end) == (3, 11)
    assert (places["b"].start, places["b"].end) == (13, 14)


def test_a_changed_key_changes_only_its_lines() -> None:
    changed = replace_question(TEXT, "a", {"prompt": "new: yes"})
    assert changed == TEXT.replace('prompt: "quoted: yes"', 'prompt: "new: yes"')


def test_nothing_changed_is_the_same_text() -> None:
    values = {k: v for k, v in question_values(TEXT, "a").items() if k not in ("id", "type")}
    assert replace_question(TEXT, "a", values) == TEXT


def test_an_emptied_key_is_dropped_and_a_new_one_goes_last() -> None:
    changed = replace_question(TEXT, "a", {"explanation": None, "tags": ["k1", "k2"]})
    assert "explanation" not in changed and "    tags: [k1, k2]\n\n  # second" in changed
    assert "answer: one   # keep me" in changed


def test_the_version_follows_the_question_only() -> None:
    other = replace_question(TEXT, "b", {"prompt": "q"})
    assert question_version(other, "a") == question_version(TEXT, "a")
    assert question_version(other, "b") != question_version(TEXT, "b")


def test_insert_and_remove_touch_only_their_lines() -> None:
    added = insert_question(TEXT, {"id": "c", "type": "basic", "prompt": "p", "answer": "a"}, "a")
    assert (
        "with a gap.\n\n  - id: c\n    type: basic\n    prompt: p\n    answer: a\n\n  # second"
        in added
    )
    assert remove_question(added, "c") == TEXT


def test_a_file_without_questions_is_refused() -> None:
    with pytest.raises(YamlEditError):
        question_places("id: t\n")
    with pytest.raises(YamlEditError):
        replace_question(TEXT, "zzz", {})


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\u0085", "\x1c"])
def test_a_break_yaml_does_not_count_moves_no_later_question(odd: str) -> None:
    """A pasted line separator inside a value is one line to YAML, however Python splits it."""
    changed = replace_question(TEXT, "a", {"prompt": f"one{odd}two\nthree", "answer": f"x{odd}y"})
    expected = "one two\nthree\n" if odd == "\x1c" else "one\ntwo\nthree\n"
    assert question_values(changed, "a")["prompt"] == expected
    places = question_places(changed)
    # The next question is still found, edited and removed as itself, and only itself.
    edited = replace_question(changed, "b", {"prompt": "q"})
    assert question_values(edited, "a") == question_values(changed, "a")
    assert question_values(edited, "b")["prompt"] == "q"
    removed = remove_question(changed, "b")
    assert set(question_places(removed)) == {"a"} and places["a"] == question_places(removed)["a"]
    assert question_values(removed, "a") == question_values(changed, "a")


def test_a_raw_separator_written_by_hand_moves_no_later_question() -> None:
    text = TEXT.replace('prompt: "quoted: yes"', 'prompt: "quoted:\u2028yes"')
    assert question_places(text) == question_places(TEXT)
    removed = remove_question(TEXT, "b").replace('"quoted: yes"', '"quoted:\u2028yes"')
    assert remove_question(text, "b") == removed

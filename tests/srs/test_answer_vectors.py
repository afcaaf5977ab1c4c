"""The shared answer-check vectors, run through the Python registry.

The browser's checker runs the same file in Chromium, so review in the page and scoring on
the server cannot disagree about what is right.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from config import PROJECT_ROOT
from srs.questions import check_answer
from srs.questions.typing import is_near_miss, typed_diff

VECTORS: list[dict[str, Any]] = json.loads(
    (PROJECT_ROOT / "tests/vectors/answers.json").read_text(encoding="utf-8")
)["vectors"]


def test_the_vectors_cover_every_type_checked_in_the_page() -> None:
    assert {v["type"] for v in VECTORS} == {"typing", "choice", "truefalse", "order", "occlusion"}
    assert len({v["name"] for v in VECTORS}) == len(VECTORS)


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_vector(vector: dict[str, Any]) -> None:
    verdict = check_answer(vector["type"], vector["check"], vector["response"])
    assert verdict.correct is vector["correct"]
    if "rating" in vector:
        assert int(verdict.rating) == vector["rating"]


def test_some_vectors_give_the_suggested_rating_of_a_partly_right_answer() -> None:
    assert {v["rating"] for v in VECTORS if "rating" in v} == {1, 2, 3}


DIFFS: list[dict[str, Any]] = json.loads(
    (PROJECT_ROOT / "tests/vectors/typed_diffs.json").read_text(encoding="utf-8")
)["diffs"]


@pytest.mark.parametrize("case", DIFFS, ids=[case["typed"] for case in DIFFS])
def test_typed_diff(case: dict[str, Any]) -> None:
    """A typed near miss against the right answer, as the quiz's result page shows it."""
    runs = typed_diff(case["typed"], case["right"])
    assert [list(run) for run in runs] == case["runs"]
    assert is_near_miss(runs) is case["near"]


def test_answers_too_long_to_compare_in_time_are_one_run_of_each() -> None:
    # A thousand characters typed that NFKC makes eighteen thousand, against a long answer:
    # difflib would take about a minute.
    typed, right = "\ufdfa" * 1_000, "a b " * 700
    runs = typed_diff(typed, right)
    assert [kind for kind, _ in runs] == ["wrong", "missing"]
    assert runs[1][1] == right.strip()
    assert not is_near_miss(runs)
    assert typed_diff(right, right.upper()) == [("same", right.upper().strip())]

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

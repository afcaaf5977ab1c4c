"""The browser's answer checker (static/js/check.js), imported as a module by a page of the
running app in real Chromium, against every shared vector in tests/vectors/answers.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask, url_for

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "answers.json").read_text("utf-8"))

# Runs in the page: the module loads as the page's own scripts do (same origin, under the
# page's Content-Security-Policy), then checks each vector.
_RUN = """async ([module, vectors]) => {
  const { isRight } = await import(module);
  return vectors.map((vector) => isRight(vector.type, vector.check, vector.response));
}"""


@pytest.fixture
def page(live_server: str, browser):
    context = browser.new_context()
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(f"{live_server}/login")
    yield tab
    context.close()
    assert errors == []


def _module(app: Flask) -> str:
    with app.test_request_context():
        return url_for("static", filename="js/check.js")


def test_browser_checker_agrees_with_every_vector(app: Flask, page) -> None:
    vectors = VECTORS["vectors"]
    got = page.evaluate(_RUN, [_module(app), vectors])
    wrong = [
        f"{vector['name']}: expected {vector['correct']}, got {answer}"
        for vector, answer in zip(vectors, got, strict=True)
        if answer is not vector["correct"]
    ]
    assert wrong == []
    assert {vector["type"] for vector in vectors} == {
        "typing",
        "choice",
        "truefalse",
        "order",
        "occlusion",
    }


def test_browser_suggests_the_rating_of_every_vector_that_gives_one(app: Flask, page) -> None:
    vectors = [vector for vector in VECTORS["vectors"] if "rating" in vector]
    got = page.evaluate(
        """async ([module, vectors]) => {
          const { suggestedRating } = await import(module);
          const suggest = { right: 3, partly: 2, wrong: 1 };
          return vectors.map((v) => suggestedRating(v.type, v.check, v.response, suggest));
        }""",
        [_module(app), vectors],
    )
    assert got == [vector["rating"] for vector in vectors]
    assert set(got) == {1, 2, 3}


def test_browser_checker_refuses_an_unknown_type(app: Flask, page) -> None:
    message = page.evaluate(
        """async (module) => {
          const { isRight } = await import(module);
          try { isRight("essay", {}, "text"); return null; } catch (error) { return error.message; }
        }""",
        _module(app),
    )
    assert message == "no answer check for type essay"


def test_browser_diff_agrees_with_every_typed_diff_vector(app: Flask, page) -> None:
    """Review's diff of a typed near miss is the one the quiz's result page shows."""
    cases = json.loads(
        (Path(__file__).parents[1] / "vectors" / "typed_diffs.json").read_text("utf-8")
    )["diffs"]
    got = page.evaluate(
        """async ([module, cases]) => {
          const { isNearMiss, typedDiff } = await import(module);
          return cases.map((c) => {
            const runs = typedDiff(c.typed, c.right);
            return [runs.map((run) => [run.kind, run.text]), isNearMiss(runs)];
          });
        }""",
        [_module(app), cases],
    )
    assert got == [[case["runs"], case["near"]] for case in cases]


def test_the_nearest_accepted_answer_is_the_one_diffed(app: Flask, page) -> None:
    nearest = page.evaluate(
        """async (module) => {
          const { nearestAnswer } = await import(module);
          return [nearestAnswer("dockr", ["container engine", "docker"]), nearestAnswer("", ["a", "b"])];
        }""",
        _module(app),
    )
    assert nearest == ["docker", "a"]

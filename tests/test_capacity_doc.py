"""docs/hosting.md's capacity model: its arithmetic holds, and its measured inputs are the
benchmark's.

Every step of the section's arithmetic is written in a code span, ``A × B = C`` (equal to the
digits shown) or ``A / B ≈ C`` (within 1 %); each is computed here again.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable

import pytest

from config import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "hosting.md"
BENCH_README = PROJECT_ROOT / "bench" / "README.md"
_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Add: operator.add,
    ast.Sub: operator.sub,
}
_NUMBER = r"\d[\d,]*(?:\.\d+)?"
_STEP = re.compile(rf"^([\d,.()\s×/+-]+?)\s*(=|≈)\s*({_NUMBER})$")


def capacity_section(text: str | None = None) -> str:
    text = GUIDE.read_text() if text is None else text
    found = re.search(r"^### Capacity\n(.*?)(?=^#{1,3} )", text, re.M | re.S)
    assert found, "docs/hosting.md has no '### Capacity' section"
    return found.group(1)


def _value(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _value(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_value(node.left), _value(node.right))
    raise ValueError(f"not plain arithmetic: {ast.dump(node)}")


def arithmetic(section: str) -> list[tuple[str, float, str, float, str]]:
    """Each code span of ``section`` that is a step of arithmetic: the span, the left side's
    value, the sign, the right side's value, and the right side as written."""
    steps = []
    for span in re.findall(r"`([^`]+)`", section):
        span = " ".join(span.split())
        match = _STEP.match(span)
        if not match or not re.search(r"[×/+-]", match.group(1)):
            continue
        left = match.group(1).replace("×", "*").replace(",", "")
        steps.append((span, _value(ast.parse(left, mode="eval")), match.group(2),
                      float(match.group(3).replace(",", "")), match.group(3)))  # fmt: skip
    return steps


def wrong_steps(section: str) -> list[str]:
    """The steps whose result is not what they compute."""
    wrong = []
    for span, value, sign, result, written in arithmetic(section):
        decimals = len(written.split(".")[1]) if "." in written else 0
        if sign == "=":
            holds = abs(value - result) <= 0.5 * 10**-decimals + 1e-9
        else:
            holds = abs(value - result) <= 0.01 * abs(value)
        if not holds:
            wrong.append(f"{span} (computes to {value:,.4f})")
    return wrong


def test_every_step_of_the_capacity_arithmetic_holds() -> None:
    section = capacity_section()
    assert len(arithmetic(section)) >= 20, arithmetic(section)
    assert wrong_steps(section) == []


def test_the_arithmetic_check_sees_a_wrong_step() -> None:
    text = "### Capacity\n`175 × 90 = 15,750` and `2,000 / 10.6 ≈ 189`, then `80 × 90 = 7,300`\n## Next\n"
    section = capacity_section(text)
    assert len(arithmetic(section)) == 3
    assert wrong_steps(section) == ["80 × 90 = 7,300 (computes to 7,200.0000)"]


def test_the_answers_a_second_are_the_benchmarks() -> None:
    """The rates the model starts from are those of a reference run in bench/README.md."""
    section = capacity_section()
    rates = re.findall(r"^\| (SQLite|PostgreSQL)[^|]* \| [^|]+ \| (\d+) \|", section, re.M)
    assert {database for database, _ in rates} == {"SQLite", "PostgreSQL"}, rates
    readme = BENCH_README.read_text()
    for database, rate in rates:
        assert f"({rate} answers/s)" in readme, (database, rate)


def test_the_connections_are_those_of_the_gunicorn_settings() -> None:
    """The connections a host takes are docs/gunicorn.conf.py's workers times threads."""
    conf = (PROJECT_ROOT / "docs" / "gunicorn.conf.py").read_text()
    found = {name: re.search(rf"^{name} = (\d+)$", conf, re.M) for name in ("workers", "threads")}
    assert all(found.values()), f"docs/gunicorn.conf.py sets no {found}"
    workers, threads = (match.group(1) for match in found.values() if match)
    section = " ".join(capacity_section().split())
    assert f"{workers} workers of {threads} threads" in section
    assert f"`{workers} × {threads} = " in section


@pytest.mark.parametrize("learners", ["24,840", "15,480"])
def test_the_learners_of_one_host_are_the_rate_times_90(learners: str) -> None:
    """The learner counts the later steps reuse are the ones the host's rates give."""
    steps = {written: value for _, value, _, _, written in arithmetic(capacity_section())}
    assert learners in steps and f"{learners} ×" in capacity_section().replace("\n", " ")

"""Texts whose Markdown would take minutes to read: refused by a bank's check, shown plain."""

from __future__ import annotations

import pytest

from srs.bank import BankError
from srs.render import prepare, render_markdown, render_problems
from srs.sources import load_bank

TANGLED = {
    "brackets": ("[" * 20_000, "has 20,000 '[' and '<' in 20,000 characters"),
    "before a long paragraph": ("[" * 300 + "a" * 10_000, "has 300 '[' and '<' in 10,300 "),
    "raw tags": ("<a " * 300 + "x" * 10_000, "has 300 '[' and '<' in 10,900 "),
    "spread": (("[" + "a" * 100) * 150, "has 150 '[' and '<' in 15,150 "),
}


@pytest.mark.parametrize(("text", "counted"), TANGLED.values(), ids=TANGLED.keys())
def test_a_tangled_text_is_a_problem_and_shown_as_its_plain_text(text: str, counted: str) -> None:
    (problem,) = render_problems(text)
    assert problem.startswith(counted)
    assert problem.endswith("outside code blocks: too many to render as Markdown in time; "
                            "write fewer, make the text shorter or put them in a code block")  # fmt: skip
    assert prepare(text).html is None
    shown = render_markdown(text).removeprefix("<p>").removesuffix("</p>")
    assert shown.replace("&lt;", "<") == text


def test_brackets_in_a_code_block_and_links_by_the_dozen_are_not_tangled() -> None:
    code = "Listing:\n\n```json\n" + "[" * 20_000 + "\n```\n"
    assert render_problems(code) == []
    assert "[" * 20_000 in render_markdown(code)
    links = " ".join(f"[step {n}](https://example.org/{n})" for n in range(60))
    assert render_problems(links) == []
    assert render_markdown(links).count("<a href=") == 60


def test_a_bank_with_a_tangled_text_is_refused_at_its_key(write_bank) -> None:
    folder = write_bank(
        "tangled",
        {
            "bank.yaml": f"""
                id: t
                title: T
                questions:
                  - id: q1
                    type: basic
                    prompt: p
                    answer: a
                    explanation: "{"[" * 3_000}"
            """
        },
    )
    with pytest.raises(BankError) as raised:
        load_bank(folder)
    assert [str(problem) for problem in raised.value.problems] == [
        f"{folder}/bank.yaml:8:18: question 'q1': 'explanation' has 3,000 '[' and '<' in 3,000 "
        "characters outside code blocks: too many to render as Markdown in time; write fewer, "
        "make the text shorter or put them in a code block"
    ]

"""Texts whose Markdown would take minutes to read: refused by a bank's check, shown plain."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from srs.bank import BankError
from srs.cloze import ClozeError, parse_cloze, render_cloze
from srs.lint.text import plain, without_code
from srs.render import prepare, render_markdown, render_problems
from srs.sources import load_bank
from srs.tangle import MOST_CHARACTERS
from tests.support import ends_within

OPENERS = " outside code blocks: too many to render as Markdown in time; write fewer, make the text shorter or put them in a code block"
RUN = " with no blank line between them outside code blocks: too many to render as Markdown in time; put blank lines between them or make the text shorter"
TANGLED = {
    "brackets": ("[" * 20_000, "has 20,000 '[' and '<' in 20,000 characters" + OPENERS),
    "before a long paragraph": ("[" * 300 + "a" * 10_000, "has 300 '[' and '<' in 10,300 characters" + OPENERS),
    "raw tags": ("<a " * 300 + "x" * 10_000, "has 300 '[' and '<' in 10,900 characters" + OPENERS),
    "spread": (("[" + "a" * 100) * 150, "has 150 '[' and '<' in 15,150 characters" + OPENERS),
    "underlined headings": ("a\n=\n" * 2_000, "has 4,000 lines in 8,000 characters" + RUN),
    "headings": ("Intro\n\n" + "# a\n" * 1_000 + "\nEnd", "has 1,000 lines in 3,999 characters" + RUN),
    "rules": ("***\n" * 1_000, "has 1,000 lines in 4,000 characters" + RUN),
    "list items": ("- a\n" * 1_000, "has 1,000 lines in 4,000 characters" + RUN),
    "long": ("word " * 4_001, "is 20,005 characters long: at most 20,000 in one text; split it over several questions or make it shorter"),
    "long words alone": ("word " * 4_000 + "end", "is 20,003 characters long: at most 20,000 in one text; split it over several questions or make it shorter"),
    "long Chinese": ("中" * 20_001, "is 20,001 characters long: at most 20,000 in one text; split it over several questions or make it shorter"),
}  # fmt: skip


@pytest.mark.parametrize(("text", "problem"), TANGLED.values(), ids=TANGLED.keys())
def test_a_tangled_text_is_a_problem_of_its_bank(text: str, problem: str) -> None:
    assert render_problems(text) == [problem]
    assert prepare(text).html is None


@pytest.mark.parametrize(
    "text",
    ["[" * 20_000, "<a " * 2_000 + "x" * 20_000, "a\n=\n" * 12_000, "# a\n\n" * 20_000],
    ids=["brackets", "raw tags", "underlined headings", "long"],
)
def test_a_text_four_times_past_the_limits_is_shown_as_its_plain_text(text: str) -> None:
    shown = render_markdown(text).removeprefix("<p>").removesuffix("</p>")
    assert shown.replace("&lt;", "<") == text


def test_a_face_joining_a_few_checked_texts_is_rendered() -> None:
    texts = ["[a](b) " * 30 + "word " * 3_000] * 3
    assert [render_problems(text) for text in texts] == [[], [], []]
    joined = "\n\n".join(texts)
    assert render_markdown(joined).count("<a href=") == 90


def test_code_blocks_links_by_the_dozen_and_headings_apart_are_not_tangled() -> None:
    code = "Listing:\n\n```json\n" + "[\n" * 5_000 + "```\n"
    assert render_problems(code) == []
    assert render_markdown(code).count('<span class="p">[</span>') == 5_000
    headings = "# a\n\n" * 1_000
    assert render_problems(headings) == []
    assert render_markdown(headings).count("<h1>") == 1_000
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


@pytest.mark.parametrize("marker", ["1. ", "- ", "* "])
def test_lists_nested_past_pythons_stack_are_a_problem_in_the_authors_words(marker: str) -> None:
    text = marker * 500 + "deep"
    [problem] = render_problems(text)
    assert problem.startswith("cannot be rendered: lists are nested too deeply")
    assert "RecursionError" not in problem
    assert render_problems(marker * 5 + "shallow") == []
    # The failure left nothing behind in the renderer this thread keeps.
    after = "Text *after*\n\n- one\n- two\n\n![](missing.svg)"
    assert render_markdown(after).startswith("<p>Text <em>after</em></p>\n<ul>\n<li>one</li>")


# Texts within the length limit that the bank's check and a cloze card's faces read in time
# growing with the cube of their length (minutes for a run of backticks): each now a moment.
READ_IN_A_MOMENT: dict[str, Callable[[], object]] = {
    "a run of backticks": lambda: plain("`" * MOST_CHARACTERS),
    "a fence of backticks": lambda: without_code("`" * MOST_CHARACTERS),
    "cloze openings": lambda: render_cloze("{{c1::a}}" + "`" * MOST_CHARACTERS, 1, reveal=False),
}


@pytest.mark.parametrize("read", READ_IN_A_MOMENT.values(), ids=READ_IN_A_MOMENT.keys())
def test_a_text_of_repeated_marks_is_read_in_a_moment(read: Callable[[], object]) -> None:
    with ends_within(1):
        read()


def test_a_cloze_never_closed_is_a_problem_read_in_a_moment() -> None:
    with ends_within(1), pytest.raises(ClozeError, match="malformed cloze"):
        parse_cloze("{{c1::" + "::" * (MOST_CHARACTERS // 2))
    deletions = parse_cloze("{{c1::a:::b}} {{c2::c:}} {{c3::d::}}")
    assert [(d.answer, d.hint) for d in deletions] == [("a", ":b"), ("c:", None), ("d", "")]

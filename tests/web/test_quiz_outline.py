"""The quiz's setup page: sections as a tree with their questions, and a quiz shorter than
asked for says so."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from models import Quiz, db
from tests.support import csrf_token

BANK = """
id: nest
title: Nested
sections:
  - {id: engine, title: Engine}
  - {id: runc, title: Runtime, parent: engine}
  - {id: net, title: Networks}
questions:
  - {id: e1, type: basic, section: engine, prompt: e1, answer: a}
  - {id: r1, type: basic, section: runc, prompt: r1, answer: a}
  - {id: r2, type: basic, section: runc, prompt: r2, answer: a}
  - {id: n1, type: basic, section: net, prompt: n1, answer: a}
  - {id: n2, type: basic, section: net, prompt: n2, answer: a}
"""


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("nest", {"bank.yaml": BANK}))])


def test_sections_show_as_a_tree_with_their_questions(signed_in: FlaskClient, bank: None) -> None:
    page = signed_in.get("/quiz/nest").get_data(as_text=True)
    tree = re.search(r'<ul class="section-tree".*?</ul>', page, re.S).group(0)
    rows = re.findall(
        r'<li class="depth-(\d)" data-depth="\d">.*?value="(\w+)".*?(\d+) questions?', tree, re.S
    )
    assert rows == [("0", "engine", "3"), ("1", "runc", "2"), ("0", "net", "2")]
    assert "A section takes in its subsections: ticking it ticks them." in page
    assert "Up to 100. This bank has 5 questions." in page  # the limit is said, not only enforced
    count = re.search(r'<input[^>]*name="count"[^>]*>', page).group(0)
    assert 'value="5"' in count  # not the usual 10: there are only 5


def test_a_parent_section_draws_from_its_subsections(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "count": "3", "sections": "engine"}
    response = signed_in.post("/quiz/nest", data=data)
    quiz_id = int(response.location.rsplit("/", 1)[1])
    with app.app_context():
        keys = {key for key, _, _ in db.session.get(Quiz, quiz_id).items}
    assert keys == {"e1", "r1", "r2"}


def test_asking_for_more_than_there_are_says_how_many_the_quiz_has(
    signed_in: FlaskClient, bank: None
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "count": "10", "sections": "net"}
    page = signed_in.post("/quiz/nest", data=data, follow_redirects=True).get_data(as_text=True)
    assert (
        "Only 2 questions fit those choices, leaving out any that would give another&#39;s "
        "answer away: the quiz has 2." in page
    )


def test_a_quiz_as_long_as_asked_says_nothing_of_it(signed_in: FlaskClient, bank: None) -> None:
    data = {"csrf_token": csrf_token(signed_in), "count": "2", "sections": "net"}
    page = signed_in.post("/quiz/nest", data=data, follow_redirects=True).get_data(as_text=True)
    assert "fit those choices" not in page


def test_the_bank_page_counts_a_section_as_the_quiz_does(
    signed_in: FlaskClient, bank: None
) -> None:
    page = signed_in.get("/banks/nest").get_data(as_text=True)
    outline = re.search(r'<nav class="outline".*?</nav>', page, re.S).group(0)
    counts = re.findall(r'href="#s-(\w+)".*?<span class="count">(\d+)</span>', outline, re.S)
    assert counts == [("engine", "3"), ("runc", "2"), ("net", "2")]  # the setup page's numbers
    assert "Each count takes in the subsections." in outline


def test_each_section_of_the_bank_page_ends_with_the_way_back_to_the_outline(
    signed_in: FlaskClient, bank: None
) -> None:
    page = signed_in.get("/banks/nest").get_data(as_text=True)
    assert '<nav class="outline" id="outline"' in page
    sections = re.findall(r'<section class="bank-section" id="s-\w+">.*?</section>', page, re.S)
    assert len(sections) == 3
    for section in sections:
        assert (
            section.rstrip("</section>")
            .rstrip()
            .endswith('<a href="#outline"><span aria-hidden="true">↑ </span>Sections</a></p>')
        )


def test_the_questions_outside_every_section_end_with_it_too(
    runner: FlaskCliRunner, write_bank, signed_in: FlaskClient
) -> None:
    loose = (
        BANK.replace("id: nest", "id: loose") + "  - {id: x1, type: basic, prompt: x1, answer: a}\n"
    )
    runner.invoke(args=["bank", "import", str(write_bank("loose", {"bank.yaml": loose}))])
    page = signed_in.get("/banks/loose").get_data(as_text=True)
    other = re.search(r'<section class="bank-section" id="s-none">.*?</section>', page, re.S)
    assert "Other questions" in other.group(0)
    assert other.group(0).rstrip("</section>").rstrip().endswith("Sections</a></p>")

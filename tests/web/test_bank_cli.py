"""``flask bank check|import|list``: output, exit codes, and one transaction per command."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from models import Card, Question, Review, User, db
from services.answers import answer
from services.context import Study
from srs.scheduler import Rating
from tests.support import dump

GOOD = """
    id: good
    title: Good bank
    sections:
      - {id: one, title: One}
    questions:
      - {id: q1, type: basic, section: one, prompt: p1, answer: a1}
      - {id: q2, type: reverse, prompt: p2, answer: a2}
      - {id: q3, type: cloze, text: "{{c1::x}} and {{c2::y}}"}
      - {id: q4, type: choice, prompt: p4, choices: [a, b], correct: 1, explanation: "![d](diagrams/d.svg)"}
"""
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><title>d</title></svg>'
OTHER = """
    id: other
    title: Other bank
    questions:
      - {id: o1, type: truefalse, prompt: p, correct: false}
"""
BROKEN = """
    id: broken
    title: Broken
    questions:
      - {id: b1, type: basic, prompt: p}
"""


def test_check_prints_a_summary_for_a_good_bank(runner: FlaskCliRunner, write_bank) -> None:
    root = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    result = runner.invoke(args=["bank", "check", str(root)])
    assert result.exit_code == 0
    assert result.stdout == (
        f"{root}: bank 'good' is valid: 4 questions, 6 cards, 1 section, 1 diagram\n"
    )


def test_check_prints_each_problem_and_exits_1(runner: FlaskCliRunner, write_bank) -> None:
    root = write_bank("broken", {"bank.yaml": BROKEN})
    result = runner.invoke(args=["bank", "check", str(root)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{root}/bank.yaml:4:5: question 'b1': missing required key 'answer' for a basic question"
    ]
    assert result.stderr == "1 problem.\n"  # check imports nothing, so says nothing of it


def test_import_then_list(runner: FlaskCliRunner, write_bank) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    other = write_bank("other", {"bank.yaml": OTHER})
    result = runner.invoke(args=["bank", "import", str(good), str(other)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "good: 4 added, 0 updated, 0 retired, 0 unchanged",
        "other: 1 added, 0 updated, 0 retired, 0 unchanged",
    ]
    listed = runner.invoke(args=["bank", "list"])
    assert listed.stdout.splitlines() == [
        "good\tGood bank\t4 questions, 1 diagram",
        "other\tOther bank\t1 question, 0 diagrams",
    ]


def test_list_json_counts_questions_not_cards(runner: FlaskCliRunner, write_bank) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    result = runner.invoke(args=["bank", "list", "--json"])
    assert json.loads(result.stdout) == [
        {
            "id": "good",
            "title": "Good bank",
            "questions": 4,
            "retired": 0,
            "types": {"basic": 1, "reverse": 1, "cloze": 1, "choice": 1},
            "diagrams": 1,
        }
    ]


def test_bad_bank_in_a_multi_bank_import_changes_nothing(
    app: Flask, runner: FlaskCliRunner, write_bank
) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    changed = GOOD.replace("p1", "p1 changed").replace("- {id: q2", "- {id: q9")
    write_bank("good", {"bank.yaml": changed})
    other = write_bank("other", {"bank.yaml": OTHER})
    broken = write_bank("broken", {"bank.yaml": BROKEN})
    before = dump(app)
    result = runner.invoke(args=["bank", "import", str(good), str(other), str(broken)])
    assert result.exit_code == 1
    assert dump(app) == before


def test_failure_during_the_write_rolls_everything_back(
    app: Flask, runner: FlaskCliRunner, write_bank, monkeypatch
) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    other = write_bank("other", {"bank.yaml": OTHER})
    before = dump(app)
    import cli

    real = cli.import_bank
    calls = []

    def fail_on_second(session, bank):
        calls.append(bank.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(session, bank)

    monkeypatch.setattr(cli, "import_bank", fail_on_second)
    result = runner.invoke(args=["bank", "import", str(good), str(other)])
    assert isinstance(result.exception, RuntimeError)
    assert dump(app) == before


def seed_history(app: Flask) -> tuple[int, int]:
    """A learner who has answered q1 once; returns (question id, card id)."""
    with app.app_context():
        user = User(name="ann", password_hash="x")
        db.session.add(user)
        db.session.flush()
        question = db.session.scalar(select(Question).where(Question.key == "q1"))
        card = Card(user_id=user.id, question_id=question.id, bank_id="good")
        db.session.add(card)
        db.session.flush()
        answer(
            Study.at(db.session, user, datetime(2026, 11, 1, tzinfo=timezone.utc)),
            card,
            Rating.GOOD,
        )
        db.session.commit()
        return question.id, card.id


def question_rows(app: Flask) -> dict[str, tuple[int, bool, str | None]]:
    with app.app_context():
        return {
            q.key: (q.id, q.retired, q.content.get("prompt"))
            for q in db.session.scalars(select(Question))
        }


def test_reimport_updates_in_place_and_keeps_history(
    app: Flask, runner: FlaskCliRunner, write_bank
) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    question_id, card_id = seed_history(app)
    write_bank("good", {"bank.yaml": GOOD.replace("prompt: p1", "prompt: p1 reworded")})
    result = runner.invoke(args=["bank", "import", str(good)])
    assert result.stdout == "good: 0 added, 1 updated, 0 retired, 3 unchanged\n"
    rows = question_rows(app)
    assert rows["q1"] == (question_id, False, "p1 reworded")
    with app.app_context():
        assert db.session.get(Card, card_id).question_id == question_id
        assert db.session.scalar(select(Review.card_id)) == card_id


def test_unchanged_reimport_reports_nothing_changed(runner: FlaskCliRunner, write_bank) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    result = runner.invoke(args=["bank", "import", str(good)])
    assert result.stdout == "good: 0 added, 0 updated, 0 retired, 4 unchanged\n"


def test_question_gone_is_retired_and_revived_when_it_returns(
    app: Flask, runner: FlaskCliRunner, write_bank
) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    question_id, card_id = seed_history(app)
    without_q1 = GOOD.replace(
        "      - {id: q1, type: basic, section: one, prompt: p1, answer: a1}\n", ""
    )
    write_bank("good", {"bank.yaml": without_q1})
    result = runner.invoke(args=["bank", "import", str(good)])
    assert result.stdout == "good: 0 added, 0 updated, 1 retired, 3 unchanged\n"
    assert question_rows(app)["q1"] == (question_id, True, "p1")
    with app.app_context():
        assert db.session.get(Card, card_id).retired is True
        assert db.session.scalar(select(Review.card_id)) == card_id
    listed = runner.invoke(args=["bank", "list", "--json"])
    assert json.loads(listed.stdout)[0]["retired"] == 1

    write_bank("good", {"bank.yaml": GOOD})
    result = runner.invoke(args=["bank", "import", str(good)])
    assert result.stdout == "good: 0 added, 0 updated, 0 retired, 1 revived, 3 unchanged\n"
    assert question_rows(app)["q1"] == (question_id, False, "p1")
    with app.app_context():
        assert db.session.get(Card, card_id).retired is False


def test_removed_cloze_deletion_retires_only_its_card(
    app: Flask, runner: FlaskCliRunner, write_bank
) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    with app.app_context():
        user = User(name="ann", password_hash="x")
        db.session.add(user)
        db.session.flush()
        cloze = db.session.scalar(select(Question).where(Question.key == "q3"))
        for ordinal in (1, 2):
            db.session.add(
                Card(user_id=user.id, question_id=cloze.id, bank_id="good", ordinal=ordinal)
            )
        db.session.commit()
    write_bank("good", {"bank.yaml": GOOD.replace(" and {{c2::y}}", " and y")})
    result = runner.invoke(args=["bank", "import", str(good)])
    assert result.stdout == "good: 0 added, 1 updated, 0 retired, 3 unchanged\n"
    with app.app_context():
        cards = db.session.execute(select(Card.ordinal, Card.retired).order_by(Card.ordinal))
        assert cards.all() == [(1, False), (2, True)]


def test_diagrams_are_replaced_and_removed_with_the_bank(
    app: Flask, runner: FlaskCliRunner, write_bank
) -> None:
    good = write_bank("good", {"bank.yaml": GOOD, "diagrams/d.svg": SVG, "diagrams/e.svg": SVG})
    runner.invoke(args=["bank", "import", str(good)])
    (good / "diagrams/e.svg").unlink()
    runner.invoke(args=["bank", "import", str(good)])
    listed = json.loads(runner.invoke(args=["bank", "list", "--json"]).stdout)
    assert listed[0]["diagrams"] == 1


def test_import_of_nothing_readable_names_the_path(runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = runner.invoke(args=["bank", "import", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path / 'nowhere'}:1:1: no such file or folder\n"

"""Personal parameters from the command line and from /settings, on a seeded learner."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import Card, Question, User, db
from services.answers import answer
from services.bank_import import import_bank
from services.context import Study
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.support import csrf_token, make_user
from tests.synthetic import forgetful_log

CARDS = 90
BANK = "id: b\ntitle: B\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(1, CARDS + 1)
)
FITTED = re.compile(r"Log loss 0\.\d{4} → 0\.\d{4} over \d+ reviews; your cards are rescheduled\.")


def _dues(app: Flask) -> dict[str, tuple[datetime, datetime | None]]:
    """Each of ann's cards: its due and last review, by question."""
    with app.app_context():
        rows = db.session.execute(
            select(Question.key, Card.due, Card.last_review)
            .join(Question, Question.id == Card.question_id)
            .join(User, User.id == Card.user_id)
            .where(User.name == "ann")
        )
        return {key: (due, last) for key, due, last in rows}


def _parameters(app: Flask, name: str = "ann") -> list[float] | None:
    with app.app_context():
        return db.session.scalar(select(User.fsrs_parameters).where(User.name == name))


@pytest.fixture
def studied(app: Flask, write_bank, learner: int) -> dict[str, tuple[datetime, datetime | None]]:
    """ann, having answered a bank of 90 cards as a forgetful learner would, for 150 days."""
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK})))
        user = db.session.get_one(User, learner)
        questions = {q.key: q for q in db.session.scalars(select(Question))}
        cards: dict[int, Card] = {}
        for review in forgetful_log(CARDS):
            card = cards.get(review.card_id)
            if card is None:
                question = questions[f"q{review.card_id}"]
                card = Card(user_id=user.id, question_id=question.id, bank_id="b")
                db.session.add(card)
                db.session.flush()
                cards[review.card_id] = card
            answer(Study.at(db.session, user, review.reviewed_at), card, Rating(review.rating))
        db.session.commit()
    return _dues(app)


def test_cli_fits_stores_and_uses_the_parameters(
    app: Flask, runner: FlaskCliRunner, studied: dict
) -> None:
    done = runner.invoke(args=["fsrs", "optimize", "ann"])

    assert done.exit_code == 0, done.output
    assert re.fullmatch(r"ann: \d+ reviews, log loss 0\.\d{4} → 0\.\d{4}\n", done.stdout)
    before, after = map(float, re.findall(r"0\.\d{4}", done.stdout))
    assert after < before
    parameters = _parameters(app)
    assert parameters is not None and len(parameters) == 21
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == "ann"))
        assert user.study_settings().parameters == tuple(parameters)


def test_cli_reschedules_from_each_cards_last_review(
    app: Flask, runner: FlaskCliRunner, studied: dict
) -> None:
    runner.invoke(args=["fsrs", "optimize", "ann"])

    now = _dues(app)
    assert {key: last for key, (_, last) in now.items()} == {
        key: last for key, (_, last) in studied.items()
    }
    sooner = [key for key in studied if now[key][0] < studied[key][0]]
    later = [key for key in studied if now[key][0] > studied[key][0]]
    # The forgetful learner's cards mostly come back sooner.
    assert len(sooner) > CARDS // 2 > len(later)


def test_cli_without_a_name_runs_for_every_active_account(
    app: Flask, runner: FlaskCliRunner, studied: dict
) -> None:
    make_user(app, "bo")
    make_user(app, "cy", disabled=True)

    done = runner.invoke(args=["fsrs", "optimize"])

    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert re.fullmatch(r"ann: \d+ reviews, log loss 0\.\d{4} → 0\.\d{4}", lines[0])
    assert lines[1:] == ["bo: Personal parameters need at least 400 reviews; you have 0."]
    assert _parameters(app, "bo") is None


def test_cli_names_an_account_that_does_not_exist(runner: FlaskCliRunner) -> None:
    done = runner.invoke(args=["fsrs", "optimize", "zed"])

    assert done.exit_code == 1
    assert "There is no account 'zed'." in done.output


def test_settings_show_the_defaults_and_the_count(signed_in: FlaskClient, studied: dict) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)

    assert "Personal scheduling parameters" in page
    assert "<strong>default parameters</strong>" in page
    assert re.search(r"You have <strong>\d{3,}</strong> such reviews", page)
    assert "need at least 400" in page
    assert "Optimize now" in page
    assert "Back to defaults" not in page


def test_optimize_now_fits_and_reschedules(
    app: Flask, signed_in: FlaskClient, studied: dict
) -> None:
    sent = signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})

    assert sent.status_code == 302
    assert sent.headers["Location"].endswith("/settings#parameters")
    page = signed_in.get("/settings").get_data(as_text=True)
    assert FITTED.search(page)
    assert "<strong>personal parameters</strong>" in page
    assert "Back to defaults" in page
    assert _parameters(app) is not None
    assert _dues(app) != studied


def test_back_to_defaults_restores_the_schedule(
    app: Flask, signed_in: FlaskClient, studied: dict
) -> None:
    signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})

    sent = signed_in.post(
        "/settings/default-parameters", data={"csrf_token": csrf_token(signed_in)}
    )

    assert sent.status_code == 302
    assert _parameters(app) is None
    # Replayed with the defaults, every card is as its answers left it.
    assert _dues(app) == studied
    page = signed_in.get("/settings").get_data(as_text=True)
    assert "You use the default parameters again; your cards are rescheduled." in page


def test_too_little_history_keeps_the_defaults(app: Flask, signed_in: FlaskClient) -> None:
    signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})

    page = signed_in.get("/settings").get_data(as_text=True)
    assert "Personal parameters need at least 400 reviews; you have 0." in page
    assert _parameters(app) is None


def test_optimize_without_a_csrf_token_is_refused(
    app: Flask, signed_in: FlaskClient, studied: dict
) -> None:
    assert signed_in.post("/settings/optimize").status_code == 400
    assert _parameters(app) is None
    assert _dues(app) == studied


def test_optimize_now_is_enabled_with_reviews_enough(signed_in: FlaskClient, studied: dict) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    button = re.search(r"<button[^>]*>Optimize now</button>", page).group(0)
    assert "disabled" not in button
    assert "of 400 reviews" not in page

"""Personal parameters from the command line and from /settings, on a seeded learner."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

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
from srs.study import study_day
from tests.support import csrf_token, make_user
from tests.synthetic import forgetful_log

CARDS = 90
BANK = "id: b\ntitle: B\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(1, CARDS + 1)
)
FITTED = re.compile(
    r"Log loss 0\.\d{4} → 0\.\d{4} over [\d,]+ reviews\. Personal parameters in use; "
    r"(\d+) cards rescheduled; due today: (\d+) → (\d+)\."
)
DEFAULTS = re.compile(
    r"Default parameters in use; (\d+) cards rescheduled; due today: (\d+) → (\d+)\."
)


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


def _today_end(app: Flask) -> datetime:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.name == "ann"))
        return study_day(datetime.now(timezone.utc), user.timezone, user.rollover_hour).end


def _due_today(app: Flask) -> int:
    """ann's studied cards due by the end of her study day, as the message counts them."""
    return sum(1 for due, _ in _dues(app).values() if due < _today_end(app))


def _result(page: str) -> str:
    """The parameters' result, shown beside their buttons, not among the page's flashes."""
    assert 'class="flashes"' not in page
    section = re.search(r'<section class="settings-form" id="parameters".*?</section>', page, re.S)
    result = re.search(r'<p class="flash [^"]*" id="parameters-result" role="status">([^<]*)</p>',
                       section.group(0))  # fmt: skip
    assert result is not None
    return html.unescape(result.group(1))


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
    assert re.search(r"once you have 400 reviews .*? You have <strong>\d{3,}</strong>\.", page)
    # How it is done, in FSRS's words, is there for who opens it.
    assert '<details class="reveal">\n      <summary>How optimizing works</summary>' in page
    assert "Optimize now" in page
    assert "Back to defaults" not in page


def test_optimize_now_fits_and_reschedules(
    app: Flask, signed_in: FlaskClient, studied: dict
) -> None:
    sent = signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})

    assert sent.status_code == 302
    assert sent.headers["Location"].endswith("/settings#parameters-result")
    page = signed_in.get("/settings").get_data(as_text=True)
    # Beside the button the page comes back at: how many cards moved, and today's load.
    fitted = FITTED.fullmatch(_result(page))
    assert fitted is not None
    due_before = sum(1 for due, _ in studied.values() if due < _today_end(app))
    assert fitted.groups() == (str(CARDS), str(due_before), str(_due_today(app)))
    assert "parameters-result" not in signed_in.get("/settings").get_data(as_text=True)  # once
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
    assert sent.headers["Location"].endswith("/settings#parameters-result")
    page = signed_in.get("/settings").get_data(as_text=True)
    back = DEFAULTS.fullmatch(_result(page))
    assert back is not None and back.group(1) == str(CARDS)
    assert back.group(3) == str(_due_today(app))


def test_too_little_history_keeps_the_defaults(app: Flask, signed_in: FlaskClient) -> None:
    signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})

    page = signed_in.get("/settings").get_data(as_text=True)
    assert _result(page) == "Personal parameters need at least 400 reviews; you have 0."
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


def test_a_sentence_before_the_buttons_says_they_reschedule_every_studied_card(
    signed_in: FlaskClient, studied: dict
) -> None:
    page = signed_in.get("/settings").get_data(as_text=True)
    note = "Optimizing reschedules every card you have studied."
    assert page.index(note) < page.index(">Optimize now</button>")
    assert re.search(r'<button[^>]*aria-describedby="reschedule-note"[^>]*>Optimize now', page)
    signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})
    page = signed_in.get("/settings").get_data(as_text=True)
    both = "Optimizing, or going back to the defaults, reschedules every card you have studied."
    assert page.index(both) < page.index(">Optimize now</button>") < page.index("Back to defaults")


def test_the_result_and_the_sentence_speak_chinese(
    app: Flask, signed_in: FlaskClient, studied: dict
) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.name == "ann")).locale = "zh_Hans"
        db.session.commit()
    assert "优化会重新安排你学过的每一张卡片。" in signed_in.get("/settings").get_data(as_text=True)
    signed_in.post("/settings/optimize", data={"csrf_token": csrf_token(signed_in)})
    result = _result(signed_in.get("/settings").get_data(as_text=True))
    assert re.fullmatch(
        r"基于 [\d,]+ 条复习记录，对数损失 0\.\d{4} → 0\.\d{4}。已改用个人参数；"
        r"\d+ 张卡片已重新安排；今天到期：\d+ → \d+。",
        result,
    )

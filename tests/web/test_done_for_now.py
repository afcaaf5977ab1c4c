"""When nothing is due now but learning cards come back later today, Today and the review
page say the same: done for now, and when they come back. The counters are named."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import Card, User, db
from srs.scheduler import LEARNING

BANK = "id: demo\ntitle: Demo bank\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(3)
)


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("demo", {"bank.yaml": BANK}))])


@pytest.fixture
def learning_later(app: Flask, signed_in: FlaskClient, bank: None, learner: int) -> datetime:
    """ann's one card in learning, due in two hours, with no new card left today; the study
    day ends twelve hours from now, whatever the clock says."""
    assert signed_in.get("/api/v1/review/next?bank=demo").status_code == 200  # makes a card
    due = (datetime.now(timezone.utc) + timedelta(hours=2)).replace(microsecond=0)
    with app.app_context():
        user = db.session.get_one(User, learner)
        user.timezone = "UTC"
        user.rollover_hour = (datetime.now(timezone.utc).hour + 12) % 24
        user.new_per_day = 0
        card = db.session.scalar(select(Card).where(Card.user_id == learner))
        card.state, card.due = LEARNING, due
        db.session.commit()
    return due


def test_the_api_tells_when_the_first_learning_card_comes_back(
    signed_in: FlaskClient, learning_later: datetime
) -> None:
    assert signed_in.get("/api/v1/review/next?bank=demo").status_code == 204
    today = signed_in.get("/api/v1/review/today?bank=demo").get_json()
    assert today["counts"] == {"new": 0, "learning": 1, "review": 0}
    assert datetime.fromisoformat(today["learning_due"]) == learning_later


def test_today_says_done_for_now_and_when_the_card_comes_back(
    signed_in: FlaskClient, learning_later: datetime
) -> None:
    page = signed_in.get("/").get_data(as_text=True)
    time = learning_later.strftime("%H:%M")
    assert f"Done for now: 1 learning card comes back at {time}." in page
    assert '<p class="done-note">Done for today' not in page and 'href="/review/demo"' not in page


def test_with_nothing_left_the_api_names_no_time(
    app: Flask, signed_in: FlaskClient, bank: None, learner: int
) -> None:
    with app.app_context():
        db.session.get_one(User, learner).new_per_day = 0
        db.session.commit()
    today = signed_in.get("/api/v1/review/today").get_json()
    assert today == {"counts": {"new": 0, "learning": 0, "review": 0}, "learning_due": None}


def test_the_review_counters_are_named(signed_in: FlaskClient, bank: None) -> None:
    page = signed_in.get("/review/demo").get_data(as_text=True)
    for kind, label in (("new", "New"), ("learning", "Learning"), ("review", "Review")):
        assert (
            f'<span class="count-{kind}"><span class="count-label">{label}</span> '
            f'<b data-count="{kind}">–</b></span>'
        ) in page  # a dash until the first card brings the counts: not "0" while loading


def test_a_practice_session_names_what_it_counts(signed_in: FlaskClient, bank: None) -> None:
    page = signed_in.get("/review/demo?forgotten=7").get_data(as_text=True)
    assert '<span class="count-label">Never studied</span> <b data-count="new">' in page
    assert '<span class="count-label">Studied before</span> <b data-count="review">' in page
    assert '<span class="count-label">Learning</span>' not in page


def test_the_end_of_the_day_says_how_to_go_on(signed_in: FlaskClient, bank: None) -> None:
    """A keen learner at the day's end: practice, a quiz, or more new cards a day."""
    page = signed_in.get("/review/demo").get_data(as_text=True)
    more = re.search(r'<p class="done-more tap-links">.*?</p>', page, re.S).group(0)
    assert 'href="/review/demo?forgotten=7"' in more and 'href="/quiz/demo"' in more
    assert 'href="/settings"' in more
    assert "done-more" not in signed_in.get("/review/demo?forgotten=7").get_data(as_text=True)

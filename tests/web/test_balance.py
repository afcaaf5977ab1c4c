"""Load balancing through the API: the buttons show the balanced day and the answer gives it,
counted over all the learner's banks in their own study days, easy days kept."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from models import Card, User, db
from services.accounts import issue_token
from services.load import DueLoad
from srs.balance import LOAD_DAYS
from srs.scheduler import NEW, CardState, Rating, StudySettings, _fuzzed_days, answer_card
from srs.study import study_day

QUESTIONS = 20
WEEKEND = (5, 6)


def bank_yaml(bank: str) -> str:
    lines = [f"id: {bank}", f"title: {bank}", "questions:"]
    lines += [
        f"  - {{id: q{n}, type: basic, prompt: '{bank} {n}', answer: a{n}}}"
        for n in range(QUESTIONS)
    ]
    return "\n".join(lines) + "\n"


@pytest.fixture
def api(app: Flask, client: FlaskClient, runner: FlaskCliRunner, write_bank, learner: int):
    """The API as ann: in Shanghai with a 5 o'clock rollover, weekends off, two banks."""
    for bank in ("one", "two"):
        folder = write_bank(bank, {"bank.yaml": bank_yaml(bank)})
        assert runner.invoke(args=["bank", "import", str(folder)]).exit_code == 0
    with app.app_context():
        user = db.session.get(User, learner)
        user.timezone, user.rollover_hour, user.new_per_day = "Asia/Shanghai", 5, 100
        user.easy_days = [1, 1, 1, 1, 1, 0, 0]
        token = issue_token(db.session, user)
        db.session.commit()

    def call(method: str, path: str, json: object = None):
        response = client.open(
            f"/api/v1{path}", method=method, json=json, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.json
        return response.json

    return call


def due_by_day(user: User, now: datetime) -> Counter[date]:
    """The load counted in Python: the learner's studied, active cards by study date, but
    for those answered today."""
    today = study_day(now, user.timezone, user.rollover_hour)
    return Counter(
        study_day(card.due, user.timezone, user.rollover_hour).date
        for card in db.session.scalars(select(Card).where(Card.user_id == user.id))
        if card.state != NEW
        and not card.suspended
        and not card.retired
        and card.due >= today.end
        and card.last_review < today.start
    )


def answer_yesterday(app: Flask) -> None:
    """The cards answered so far were answered a day earlier: a load the day began with."""
    with app.app_context():
        for card in db.session.scalars(select(Card).where(Card.state != NEW)):
            card.last_review -= timedelta(days=1)
            card.due -= timedelta(days=1)
        db.session.commit()


def easy(
    settings: StudySettings,
    at: datetime,
    card_id: int,
    *,
    fuzz: bool = True,
    load: Mapping[date, int] | None = None,
) -> datetime:
    """The due time a new card answered Easy at ``at`` gets from the scheduler itself."""
    return answer_card(
        settings, CardState(), Rating.EASY, at, card_id=card_id, fuzz=fuzz, load=load
    ).due


def test_answers_are_balanced_as_shown_within_the_fuzz_range(app: Flask, api, learner) -> None:
    moved, landed = 0, Counter[date]()
    for n in range(2 * QUESTIONS):
        if n == QUESTIONS:
            answer_yesterday(app)
        if n == QUESTIONS // 2:  # a suspended card no longer counts
            with app.app_context():
                db.session.scalars(select(Card).where(Card.state != NEW)).first().suspended = True
                db.session.commit()
        shown = api("GET", "/review/next")
        assert shown["state"] == "new"
        with app.app_context():
            user = db.session.get(User, learner)
            load = due_by_day(user, datetime.now().astimezone())
            settings = user.study_settings()
        result = api("POST", f"/review/{shown['card_id']}",
                     {"rating": int(Rating.EASY), "review_token": shown["review_token"]})  # fmt: skip
        assert result["interval_seconds"] == shown["intervals"]["easy"]
        at = datetime.fromisoformat(result["reviewed_at"])
        due = datetime.fromisoformat(result["due"])

        days = (easy(settings, at, shown["card_id"], fuzz=False) - at).days
        assert days >= 3  # fuzzed, and so balanced
        low, high = (_fuzzed_days(days, settings.maximum_interval, d) for d in (0, 1 - 1e-9))
        assert low <= (due - at).days <= high
        # The service's grouped count is the one Python makes of the cards.
        assert due == easy(settings, at, shown["card_id"], load=load)
        on = study_day(due, settings.timezone, settings.rollover_hour).date
        assert on.weekday() not in WEEKEND
        landed[on] += 1
        moved += due != easy(settings, at, shown["card_id"])
    assert moved > 0
    # Forty cards with one interval (8 days: a range of 5 days, 3 or more of them weekdays)
    # use every weekday of the range. How flat they lie is tests/srs/test_balance.py's part.
    assert len(landed) >= 3


def test_cards_sent_ahead_get_the_days_their_buttons_show(app: Flask, api) -> None:
    """Answers given today do not move the load: a card fetched ahead, answered after the
    others, still gets the day its button showed."""
    for _ in range(QUESTIONS):
        shown = api("GET", "/review/next")
        api("POST", f"/review/{shown['card_id']}",
            {"rating": int(Rating.EASY), "review_token": shown["review_token"]})  # fmt: skip
    answer_yesterday(app)
    for _ in range(3):
        first = api("GET", "/review/next?ahead=4")
        for shown in [first, *first["ahead"]]:
            result = api("POST", f"/review/{shown['card_id']}",
                         {"rating": int(Rating.EASY), "review_token": shown["review_token"]})  # fmt: skip
            assert result["interval_seconds"] == shown["intervals"]["easy"]


def test_the_load_read_by_blocks_is_the_load_counted_whole(app: Flask, api, learner) -> None:
    """DueLoad reads the days it is asked about, a block at a time: asked in any order, each
    day counts what Python counts of the cards, and days out of the window count 0."""
    for _ in range(2 * QUESTIONS):  # forty cards studied, then spread over the window
        shown = api("GET", "/review/next")
        api("POST", f"/review/{shown['card_id']}",
            {"rating": int(Rating.GOOD), "review_token": shown["review_token"]})  # fmt: skip
    draw = random.Random(7)
    with app.app_context():
        for card in db.session.scalars(select(Card).where(Card.state != NEW)):
            card.last_review -= timedelta(days=1)
            card.due += timedelta(days=draw.randrange(0, LOAD_DAYS + 10), hours=draw.random())
        db.session.commit()
        user = db.session.get(User, learner)
        now = datetime.now().astimezone()
        counted = due_by_day(user, now)
        first = study_day(now, user.timezone, user.rollover_hour).date + timedelta(days=1)
        window = [first + timedelta(days=n) for n in range(LOAD_DAYS + 1)]
        assert sum(counted[on] for on in window) > 20
        for order in (window, window[::-1], draw.sample(window, len(window))):
            load = DueLoad(db.session, user, now)
            assert {on: load.get(on) for on in order} == {on: counted[on] for on in window}
        load = DueLoad(db.session, user, now)
        middle = window[30:45:2]  # as the scheduler asks: a range's days together
        assert load.counts_on(middle) == [counted[on] for on in middle]
        assert load.get(first - timedelta(days=1), 0) == 0
        assert load.get(window[-1] + timedelta(days=1), 0) == 0
        assert dict(load.items()) == {on: counted[on] for on in window}

"""Statistics against the database: study days in the learner's zone, mastery, the page, the API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Card, Question, User, db
from services.answers import answer
from services.context import Study
from services.stats import learner_stats
from srs.scheduler import REVIEW, Rating, forgetting_curve
from srs.stats import MASTERED_RECALL, MASTERY_DAYS, mastery_band

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)
BANK = """
id: s
title: S
sections:
  - {id: a, title: A}
  - {id: b, title: B, parent: a}
questions:
  - {id: q1, type: basic, section: a, prompt: p, answer: a}
  - {id: q2, type: basic, section: a, prompt: p, answer: a}
  - {id: q3, type: reverse, section: b, prompt: p, answer: a}
"""


@pytest.fixture
def session(app: Flask, runner: FlaskCliRunner, write_bank) -> Iterator[Session]:
    runner.invoke(args=["bank", "import", str(write_bank("s", {"bank.yaml": BANK}))])
    with app.app_context():
        yield db.session


@pytest.fixture
def ann(session: Session, learner: int) -> User:
    user = session.get(User, learner)
    user.timezone = "Asia/Shanghai"
    return user


def card(session: Session, user: User, key: str, ordinal: int = 0) -> Card:
    question = session.scalar(select(Question).where(Question.key == key))
    found = Card(user_id=user.id, question_id=question.id, bank_id="s", ordinal=ordinal, due=NOW)
    session.add(found)
    session.flush()
    return found


def test_streak_and_heatmap_follow_the_rollover_in_the_learners_zone(
    session: Session, ann: User
) -> None:
    first = card(session, ann, "q1")
    # 03:30 on the 25th is still the 24th's study day; 04:30 is the 25th's.
    for moment in (
        datetime(2026, 11, 25, 3, 30, tzinfo=SHANGHAI),
        datetime(2026, 11, 25, 4, 30, tzinfo=SHANGHAI),
        datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI),
        datetime(2026, 11, 26, 10, 5, tzinfo=SHANGHAI),
    ):
        answer(Study.at(session, ann, moment), first, Rating.GOOD)
    result = learner_stats(Study.at(session, ann, NOW), ["s"])
    assert result.today == date(2026, 11, 26)
    assert result.heatmap == {date(2026, 11, 24): 1, date(2026, 11, 25): 1, date(2026, 11, 26): 2}
    assert result.streak == 3


def test_mastery_per_section_is_mean_predicted_recall_a_month_ahead(
    session: Session, ann: User
) -> None:
    for key, ordinal, since in (("q1", 0, 10), ("q2", 0, 0), ("q3", 0, 10)):
        found = card(session, ann, key, ordinal)
        found.state, found.stability, found.difficulty = REVIEW, 10.0, 5.0
        found.last_review = NOW - timedelta(days=since)
        found.due = NOW + timedelta(days=1)
    result = learner_stats(Study.at(session, ann, NOW), ["s"])
    curve = forgetting_curve(ann.study_settings())

    def ahead(days: int) -> float:
        return (1 + curve.factor * (days + MASTERY_DAYS) / 10.0) ** curve.decay

    recall, studied, total = result.mastery["s:a"]
    assert (recall, studied, total) == (pytest.approx((ahead(10) + ahead(0)) / 2), 2, 2)
    recall, studied, total = result.mastery["s:b"]
    assert (recall, studied, total) == (pytest.approx(ahead(10)), 1, 2)  # the reverse is unseen
    assert recall < 0.9  # a stability of 10 days is not mastery
    assert result.states == {"new": 1, "learning": 0, "review": 3, "relearning": 0, "suspended": 0}
    assert dict(result.forecast)[date(2026, 11, 27)] == 3


def test_a_card_answered_again_today_is_not_mastered_but_a_stable_one_is(
    session: Session, ann: User
) -> None:
    # Both cards were known for months; one is forgotten today, the other recalled.
    for key in ("q1", "q3"):
        found = card(session, ann, key)
        found.state, found.stability, found.difficulty = REVIEW, 120.0, 5.0
        found.last_review = NOW - timedelta(days=60)
        found.due = NOW
    study = Study.at(session, ann, NOW)
    answer(
        study, session.scalar(select(Card).join(Question).where(Question.key == "q3")), Rating.AGAIN
    )
    answer(
        study, session.scalar(select(Card).join(Question).where(Question.key == "q1")), Rating.GOOD
    )
    mastery = learner_stats(Study.at(session, ann, NOW + timedelta(minutes=1)), ["s"]).mastery
    forgotten, _, _ = mastery["s:b"]
    known, _, _ = mastery["s:a"]
    assert mastery_band(forgotten) != "high" and forgotten < MASTERED_RECALL
    assert mastery_band(known) == "high" and known >= MASTERED_RECALL


@pytest.mark.parametrize(
    ("locale", "definition"),
    [
        ("en", ("if you leave it for 30 days", "green from 90%")),
        ("zh_Hans", ("放置 30 天不复习后", "达到 90% 即为绿色")),
    ],
)
def test_stats_page_marks_a_card_answered_again_today_not_green_and_defines_mastery(
    signed_in: FlaskClient, session: Session, learner: int, locale: str, definition: tuple[str, str]
) -> None:
    user = session.get(User, learner)
    user.locale = locale
    now = datetime.now(timezone.utc)
    answer(Study.at(session, user, now), card(session, user, "q3"), Rating.AGAIN)
    session.commit()
    page = signed_in.get("/stats").get_data(as_text=True)
    assert all(words in page for words in definition)
    assert "band-high" not in page and "band-low" in page


def test_stats_page_and_api_agree(
    app: Flask, signed_in: FlaskClient, session: Session, learner: int
) -> None:
    user = session.get(User, learner)
    answer(
        Study.at(session, user, datetime.now(timezone.utc)), card(session, user, "q1"), Rating.AGAIN
    )
    session.commit()
    page = signed_in.get("/stats").get_data(as_text=True)
    assert "Statistics" in page and "Mastery of the notes" in page
    assert "1 review" in page and 'href="/review/s?section=a"' in page
    data = signed_in.get("/api/v1/stats?bank=s").json
    assert data["states"]["learning"] == 1 and sum(data["heatmap"].values()) == 1
    assert data["mastery"]["s:a"]["studied"] == 1
    assert signed_in.get("/stats?bank=nope").status_code == 404
    assert signed_in.get("/api/v1/stats?bank=nope").status_code == 404


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "{day:%b} {day.day}, {day.year}: {n} review{s}"),
        ("zh_Hans", "{day.year}年{day.month}月{day.day}日: {n} 次复习"),
    ],
)
def test_each_heatmap_day_says_its_date_and_reviews_in_the_pages_language(
    signed_in: FlaskClient, session: Session, ann: User, language: str, title: str
) -> None:
    ann.locale = language
    now = datetime.now(timezone.utc)
    for key in ("q1", "q2"):
        answer(Study.at(session, ann, now), card(session, ann, key), Rating.GOOD)
    session.commit()
    today = Study.at(session, ann, now).day.date
    page = signed_in.get("/stats").get_data(as_text=True)
    assert f"<title>{title.format(day=today, n=2, s='s')}</title>" in page
    before = today - timedelta(days=1)
    assert f"<title>{title.format(day=before, n=0, s='s')}</title>" in page
    assert f"<title>{title.format(day=today + timedelta(days=1), n=0, s='s')}</title>" not in page


def test_stats_page_has_no_inline_style_or_script(signed_in: FlaskClient, session: Session) -> None:
    page = signed_in.get("/stats").get_data(as_text=True)
    assert " style=" not in page and "<script>" not in page


# -- extra study ---------------------------------------------------------------------------


@pytest.fixture
def api(client: FlaskClient, session: Session, ann: User):
    """Calls the API as ann with a bearer token (this test holds an app context open)."""
    from services.accounts import issue_token

    token = issue_token(session, ann)
    session.commit()

    def call(method: str, path: str, json: object = None):
        return client.open(f"/api/v1{path}", method=method, json=json,
                           headers={"Authorization": f"Bearer {token}"})  # fmt: skip

    return call


def test_practice_of_a_section_includes_its_subsections_weakest_first(
    session: Session, ann: User, api
) -> None:
    weak = card(session, ann, "q2")
    weak.state, weak.stability, weak.difficulty = REVIEW, 2.0, 5.0
    weak.last_review, weak.due = NOW - timedelta(days=20), NOW + timedelta(days=5)
    strong = card(session, ann, "q1")
    strong.state, strong.stability, strong.difficulty = REVIEW, 50.0, 5.0
    strong.last_review, strong.due = NOW - timedelta(days=1), NOW + timedelta(days=40)
    session.commit()
    order, seen = [], []
    while (
        response := api("GET", f"/review/next?bank=s&practice=section:a&exclude={','.join(seen)}")
    ).status_code == 200:
        order.append(response.json["question"] + f"/{response.json['card_id']}")
        assert response.json["practice"] is True
        seen.append(str(response.json["card_id"]))
    assert response.status_code == 204
    assert [item.split("/")[0] for item in order] == [
        "q2",
        "q1",
        "q3",
        "q3",
    ]  # q3 (section b, under a): both sides, new


def test_practice_answers_change_nothing_unless_posted(session: Session, ann: User, api) -> None:
    first = api("GET", "/review/next?bank=s&practice=tag:none").status_code
    assert first == 204  # no question carries that tag
    shown = api("GET", "/review/next?bank=s&practice=section:b").json
    before = session.get(Card, shown["card_id"]).schedule()
    session.expire_all()
    assert session.get(Card, shown["card_id"]).schedule() == before
    posted = api(
        "POST", f"/review/{shown['card_id']}", {"rating": 3, "review_token": shown["review_token"]}
    )
    assert posted.status_code == 200, (
        posted.json
    )  # counting it in the schedule is an ordinary answer
    session.expire_all()
    assert session.get(Card, shown["card_id"]).reps == 1


def test_practice_of_forgotten_cards(session: Session, ann: User, api) -> None:
    forgotten = card(session, ann, "q1")
    remembered = card(session, ann, "q2")
    now = datetime.now(timezone.utc)
    answer(Study.at(session, ann, now - timedelta(days=2)), forgotten, Rating.AGAIN)
    answer(Study.at(session, ann, now - timedelta(days=2)), remembered, Rating.GOOD)
    session.commit()
    shown = api("GET", "/review/next?bank=s&practice=forgotten:7").json
    assert shown["question"] == "q1"
    assert (
        api(
            "GET", f"/review/next?bank=s&practice=forgotten:7&exclude={shown['card_id']}"
        ).status_code
        == 204
    )


@pytest.mark.parametrize(("query", "error"), [
    ("practice=section:a", "practice needs one bank: add bank=ID"),
    ("bank=s&practice=everything", "'everything' is not section:ID, tag:NAME or forgotten:DAYS (1 to 365)"),
    ("bank=s&practice=tag:x&exclude=a,b", "'exclude' is a comma-separated list of card ids"),
])  # fmt: skip
def test_bad_practice_requests(api, query: str, error: str) -> None:
    response = api("GET", f"/review/next?{query}")
    assert (response.status_code, response.json) == (400, {"error": error})


def test_practice_page_says_what_it_covers(signed_in: FlaskClient, session: Session) -> None:
    page = signed_in.get("/review/s?section=b").get_data(as_text=True)
    assert (
        'data-practice="section:b"' in page and "Extra study of" in page and "the section B" in page
    )
    assert signed_in.get("/review/s?section=zzz").status_code == 404
    assert signed_in.get("/review/s?forgotten=0").status_code == 400


@pytest.mark.parametrize("days", ["0", "366", "7x", "-3"])
def test_the_practice_page_and_the_api_refuse_the_same_days(
    signed_in: FlaskClient, session: Session, days: str
) -> None:
    # One parser (Practice.parse) for both: what the page refuses the API refuses too.
    page = signed_in.get(f"/review/s?forgotten={days}")
    assert page.status_code == 400
    assert "&#39;forgotten&#39; must be a whole number from 1 to 365" in page.get_data(as_text=True)
    assert signed_in.get(f"/api/v1/review/next?bank=s&practice=forgotten:{days}").status_code == 400


def test_the_practice_page_passes_what_it_read_to_the_api(
    signed_in: FlaskClient, session: Session
) -> None:
    page = signed_in.get("/review/s?forgotten=7").get_data(as_text=True)
    assert 'data-practice="forgotten:7"' in page and "last 7 days" in page
    tagged = signed_in.get("/review/s?tag=t1").get_data(as_text=True)
    assert 'data-practice="tag:t1"' in tagged and "the tag t1" in tagged

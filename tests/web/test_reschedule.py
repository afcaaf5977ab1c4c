"""Postpone, advance and breaks on the database: only the chosen cards move, each
reschedule is logged, undo puts them back, and the page and the API work."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from models import Card, Question, User, db
from models.reschedule import Reschedule
from services.bank_import import import_bank
from services.context import Study
from services.reschedule import (
    Ask,
    RescheduleNotFoundError,
    apply,
    day_start,
    past_reschedules,
    undo,
)
from srs.reschedule import RescheduleError
from srs.scheduler import LEARNING, REVIEW
from srs.sources import load_bank
from srs.study import study_day
from tests.support import Auth, csrf_token, make_user

# 10:00 UTC: in Shanghai (UTC+8, rollover 04:00) the study day 2026-12-02.
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=timezone.utc)
TODAY = date(2026, 12, 2)
QUESTIONS = 30


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


@pytest.fixture
def bank(app: Flask, write_bank) -> None:
    """A bank of basic questions; ann (in Shanghai) and bob."""
    questions = "".join(f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n"
                        for i in range(QUESTIONS))  # fmt: skip
    root = write_bank("b", {"bank.yaml": f"id: b\ntitle: B\nquestions:\n{questions}"})
    make_user(app, "ann", timezone="Asia/Shanghai")
    make_user(app, "bob")
    with app.app_context():
        import_bank(db.session, load_bank(root))
        db.session.commit()


@pytest.fixture
def session(app: Flask, bank: None) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def _user(session: Session, name: str) -> User:
    return session.scalar(select(User).where(User.name == name))


def _cards(session: Session, user: User, days: list[int]) -> list[int]:
    """Review cards of ``user`` due at noon (Shanghai) ``days`` from today, the first
    question first; their stability grows with their place."""
    ids = []
    questions = session.scalars(select(Question).order_by(Question.id)).all()
    for index, offset in enumerate(days):
        due = day_start(user, _day(offset)) + timedelta(hours=8)
        card = Card(
            user_id=user.id,
            question_id=questions[index].id,
            bank_id="b",
            state=REVIEW,
            stability=5.0 + index,
            difficulty=5.0,
            due=due,
            last_review=due - timedelta(days=5 + index),
            reps=3,
        )
        session.add(card)
        session.flush()
        ids.append(card.id)
    session.commit()
    return ids


def _dues(session: Session) -> dict[int, datetime]:
    session.expire_all()
    return {card.id: card.due for card in session.scalars(select(Card))}


def _study(session: Session, name: str = "ann", now: datetime = NOW) -> Study:
    return Study.at(session, _user(session, name), now)


def _local_day(user: User, moment: datetime) -> date:
    return study_day(moment, user.timezone, user.rollover_hour).date


def test_postpone_moves_only_the_chosen_cards_spread_over_the_days(session: Session) -> None:
    ann = _user(session, "ann")
    ids = _cards(session, ann, [-6, -4, -2, -1, 0, 0, 1, 3])
    others = _cards(session, _user(session, "bob"), [-3, -1])
    before = _dues(session)
    done = apply(_study(session), Ask("postpone", count=4, days=2))
    session.commit()
    after = _dues(session)
    moved = {card_id for card_id in after if after[card_id] != before[card_id]}
    assert len(moved) == 4 and moved <= set(ids[:6]) and not moved & set(others)
    days = Counter(_local_day(ann, after[card_id]) for card_id in moved)
    assert days == {_day(1): 2, _day(2): 2}
    # Each lands at the start of its study day: 04:00 in Shanghai, 20:00 UTC the day before.
    assert all(after[card_id].hour == 20 for card_id in moved)
    assert len(done.cards) == 4 and done.kind == "postpone"


def test_suspended_retired_and_learning_cards_stay_where_they_are(session: Session) -> None:
    ids = _cards(session, _user(session, "ann"), [-3, -2, -1, 0])
    session.get(Card, ids[0]).suspended = True
    session.get(Card, ids[1]).retired = True
    session.get(Card, ids[2]).state = LEARNING
    session.commit()
    before = _dues(session)
    done = apply(_study(session), Ask("postpone", count=10, days=3))
    session.commit()
    after = _dues(session)
    assert [row.card_id for row in done.cards] == [ids[3]]
    assert [after[i] == before[i] for i in ids] == [True, True, True, False]


def test_postpone_picks_the_cards_remembered_best(session: Session) -> None:
    ann = _user(session, "ann")
    # The same due, and more stability down the list: the last remember best now.
    ids = _cards(session, ann, [-3, -3, -3, -3])
    before = _dues(session)
    apply(_study(session), Ask("postpone", count=2, days=1))
    session.commit()
    after = _dues(session)
    assert [after[i] != before[i] for i in ids] == [False, False, True, True]


def test_advance_and_break_move_only_the_cards_of_their_days(session: Session) -> None:
    ann = _user(session, "ann")
    ids = _cards(session, ann, [1, 3, 4, 6, 9])
    before = _dues(session)
    apply(_study(session), Ask("advance", first_day=_day(3), last_day=_day(6), days=2))
    session.commit()
    after = _dues(session)
    # The card already due on day 1 counts: the days level at two cards each.
    assert [_local_day(ann, after[i]) for i in ids] == [_day(1), _day(1), _day(2), _day(2), _day(9)]
    assert after[ids[0]] == before[ids[0]] and after[ids[4]] == before[ids[4]]
    apply(_study(session), Ask("break", first_day=_day(1), last_day=_day(2), days_before=0,
                               days_after=3))  # fmt: skip
    session.commit()
    after = _dues(session)
    assert [_local_day(ann, after[i]) for i in ids][:4] == [_day(3), _day(3), _day(4), _day(5)]


def test_each_reschedule_is_logged_with_its_cards(session: Session) -> None:
    ann = _user(session, "ann")
    ids = _cards(session, ann, [-1, 0])
    before = _dues(session)
    done = apply(_study(session), Ask("postpone", count=2, days=1))
    session.commit()
    rows = {row.card_id: row for row in done.cards}
    assert set(rows) == set(ids)
    assert all(rows[i].due_before == before[i] for i in ids)
    [past] = past_reschedules(session, ann)
    assert (past.kind, past.cards, past.first_day, past.last_day) == (
        "postpone",
        2,
        _day(1),
        _day(1),
    )


def test_undo_restores_the_due_times_exactly(session: Session) -> None:
    ann = _user(session, "ann")
    _cards(session, ann, [-5, -2, 0, 2, 4])
    before = _dues(session)
    done = apply(_study(session), Ask("break", first_day=TODAY, last_day=_day(2), days_before=0,
                                      days_after=2))  # fmt: skip
    session.commit()
    assert _dues(session) != before
    undone = undo(session, ann, done.id, NOW + timedelta(hours=1))
    session.commit()
    assert (undone.restored, undone.kept) == (4, 0)
    assert _dues(session) == before
    assert session.get(Reschedule, done.id).undone_at is not None


def test_undo_keeps_a_card_answered_since_and_restores_the_others(session: Session) -> None:
    ann = _user(session, "ann")
    ids = _cards(session, ann, [-2, -1])
    before = _dues(session)
    done = apply(_study(session), Ask("postpone", count=2, days=1))
    session.commit()
    answered = session.get(Card, ids[0])
    answered.last_review = NOW + timedelta(hours=2)
    answered.due = NOW + timedelta(days=9)
    session.commit()
    undone = undo(session, ann, done.id, NOW + timedelta(hours=3))
    session.commit()
    assert (undone.restored, undone.kept) == (1, 1)
    dues = _dues(session)
    assert dues[ids[0]] == NOW + timedelta(days=9) and dues[ids[1]] == before[ids[1]]


def test_another_learners_reschedule_cannot_be_undone(session: Session) -> None:
    _cards(session, _user(session, "ann"), [-1])
    done = apply(_study(session), Ask("postpone", count=1, days=1))
    session.commit()
    with pytest.raises(RescheduleNotFoundError):
        undo(session, _user(session, "bob"), done.id, NOW)


def test_a_failure_midway_leaves_nothing_changed(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cards(session, _user(session, "ann"), [-3, -2, -1, 0])
    before = _dues(session)
    import services.reschedule as service

    calls = []

    def failing(user: User, on: date) -> datetime:
        calls.append(on)
        if len(calls) > 1:
            raise RuntimeError("the disk is full")
        return day_start(user, on)

    monkeypatch.setattr(service, "day_start", failing)
    with pytest.raises(RuntimeError):
        apply(_study(session), Ask("postpone", count=4, days=2))
    session.rollback()
    assert _dues(session) == before
    assert session.scalars(select(Reschedule)).all() == []


# -- the page and the API ----------------------------------------------------------------


@pytest.fixture
def ann(client: FlaskClient, bank: None, monkeypatch: pytest.MonkeyPatch) -> FlaskClient:
    """ann signed in, her pages and API at ``NOW``."""
    import views.reschedule
    import views.review

    Auth(client).login()
    monkeypatch.setattr(views.reschedule, "now_utc", lambda: NOW)
    monkeypatch.setattr(views.review, "now_utc", lambda: NOW)
    return client


@contextmanager
def data(app: Flask) -> Iterator[Session]:
    """The database, outside any request: a test client's requests need their own
    application context, or they share ``g`` (and with it the CSRF token and the user)."""
    with app.app_context():
        yield db.session


def _set_up(app: Flask, name: str, days: list[int]) -> tuple[list[int], dict[int, datetime]]:
    with data(app) as session:
        ids = _cards(session, _user(session, name), days)
        return ids, _dues(session)


def _dues_of(app: Flask) -> dict[int, datetime]:
    with data(app) as session:
        return _dues(session)


def test_the_page_previews_then_moves_and_undoes(ann: FlaskClient, app: Flask) -> None:
    ids, before = _set_up(app, "ann", [-3, -2, -1])
    page = ann.get("/reschedule?kind=postpone&count=2&days=2").get_data(as_text=True)
    assert "2 cards will move" in page and "Move these cards" in page
    assert _dues_of(app) == before  # the preview changes nothing
    sent = ann.post("/reschedule", data={"csrf_token": csrf_token(ann), "kind": "postpone",
                                         "count": "2", "days": "2"})  # fmt: skip
    assert sent.status_code == 302
    assert sum(_dues_of(app)[i] != before[i] for i in ids) == 2
    page = ann.get("/reschedule").get_data(as_text=True)
    assert "2 cards moved." in page and "Undo" in page
    with data(app) as session:
        [past] = past_reschedules(session, _user(session, "ann"))
    undone = ann.post(f"/reschedule/{past.id}/undo", data={"csrf_token": csrf_token(ann)})
    assert undone.status_code == 302 and _dues_of(app) == before
    assert "2 cards put back." in ann.get("/reschedule").get_data(as_text=True)


def test_the_page_says_what_is_wrong(ann: FlaskClient) -> None:
    page = ann.get("/reschedule?kind=break&first_day=2020-01-01&last_day=2020-01-05"
                   "&days_before=0&days_after=3").get_data(as_text=True)  # fmt: skip
    assert "The first day, 2020-01-01, is in the past." in page
    page = ann.get("/reschedule?kind=postpone&count=²&days=3").get_data(as_text=True)
    assert "Cards must be a whole number" in page


def test_the_page_refuses_a_post_without_csrf(ann: FlaskClient) -> None:
    response = ann.post("/reschedule", data={"kind": "postpone", "count": "1", "days": "1"})
    assert response.status_code == 400


def test_another_learner_gets_404_on_undo(ann: FlaskClient, app: Flask) -> None:
    _set_up(app, "bob", [-1])
    with data(app) as session:
        done = apply(_study(session, "bob"), Ask("postpone", count=1, days=1))
        session.commit()
        done_id = done.id
    response = ann.post(f"/reschedule/{done_id}/undo", data={"csrf_token": csrf_token(ann)})
    assert response.status_code == 404
    api = ann.post(f"/api/v1/reschedule/{done_id}/undo", headers={"X-CSRFToken": csrf_token(ann)})
    assert api.status_code == 404


@pytest.mark.parametrize("number", [2**31, 2**63 - 1])
def test_a_number_past_any_reschedule_id_is_404(ann: FlaskClient, number: int) -> None:
    """The ids are 32-bit: a larger one names no reschedule, on SQLite and PostgreSQL alike."""
    page = ann.post(f"/reschedule/{number}/undo", data={"csrf_token": csrf_token(ann)})
    assert page.status_code == 404
    api = ann.post(f"/api/v1/reschedule/{number}/undo", headers={"X-CSRFToken": csrf_token(ann)})
    assert api.status_code == 404


def test_today_links_to_postpone_when_cards_pile_up(ann: FlaskClient, app: Flask) -> None:
    with data(app) as session:
        _user(session, "ann").reviews_per_day = 2
        session.commit()
    assert "/reschedule" not in ann.get("/").get_data(as_text=True)
    _set_up(app, "ann", [-3, -2, -1])
    today = ann.get("/").get_data(as_text=True)
    assert "1 review is due beyond today's limits." in today
    assert 'href="/reschedule?count=1#postpone"' in today
    page = ann.get("/reschedule?count=1").get_data(as_text=True)
    assert 'id="postpone-count" name="count" type="number" value="1"' in page


def test_the_backlog_is_counted_bank_by_bank(ann: FlaskClient, app: Flask, write_bank) -> None:
    """The review limit is each bank's: two banks of 3 due cards with a limit of 2 are 2
    beyond it, not 4 (6 due less one bank's 2)."""
    root = write_bank("c", {"bank.yaml": "id: c\ntitle: C\nquestions:\n"
                                         "  - {id: c0, type: basic, prompt: p, answer: a}\n"})  # fmt: skip
    with data(app) as session:
        import_bank(session, load_bank(root))
        _user(session, "ann").reviews_per_day = 2
        session.commit()
    ids, _ = _set_up(app, "ann", [-3, -2, -1, -3, -2, -1])
    with data(app) as session:
        for card_id in ids[3:]:
            session.get(Card, card_id).bank_id = "c"
        session.commit()
    assert "2 reviews are due beyond today's limits." in ann.get("/").get_data(as_text=True)


def _post(client: FlaskClient, url: str, body: object) -> TestResponse:
    return client.post(url, json=body, headers={"X-CSRFToken": csrf_token(client)})


def test_the_api_previews_moves_lists_and_undoes(ann: FlaskClient, app: Flask) -> None:
    ids, before = _set_up(app, "ann", [-2, -1, 0])
    preview = _post(ann, "/api/v1/reschedule", {"kind": "postpone", "count": 3, "days": 3,
                                                "preview": True})  # fmt: skip
    assert preview.status_code == 200 and preview.json["cards"] == 3
    assert [d["moved"] for d in preview.json["days"]] == [1, 1, 1]
    assert [d["already"] for d in preview.json["days"]] == [0, 0, 0]
    assert not any(d["today"] or d["over_limit"] for d in preview.json["days"])
    assert _dues_of(app) == before
    made = _post(ann, "/api/v1/reschedule", {"kind": "postpone", "count": 3, "days": 3})
    assert made.status_code == 201 and made.json["cards"] == 3
    assert all(_dues_of(app)[i] != before[i] for i in ids)
    listed = ann.get("/api/v1/reschedules").json
    assert [r["id"] for r in listed] == [made.json["id"]] and listed[0]["undone_at"] is None
    undone = _post(ann, f"/api/v1/reschedule/{made.json['id']}/undo", {})
    assert undone.json == {"restored": 3, "kept": 0} and _dues_of(app) == before
    again = _post(ann, f"/api/v1/reschedule/{made.json['id']}/undo", {})
    assert again.status_code == 409 and "undone already" in again.json["error"]


@pytest.mark.parametrize(
    ("body", "status", "said"),
    [
        ({"kind": "later"}, 400, "Choose postpone, advance or break"),
        ({"kind": "postpone", "count": 2, "days": 3, "preview": "yes"}, 400,
         "'preview' must be true or false"),
        ({"kind": "postpone", "count": 2, "days": 3, "preview": 1}, 400,
         "'preview' must be true or false"),
        ({"kind": "postpone", "days": 3}, 400, "'count' is required"),
        ({"kind": "advance", "first_day": "2026-13-01", "last_day": "2026-12-20", "days": 1},
         400, "'first_day' must be a date"),
        ({"kind": "advance", "first_day": "2020-01-01", "last_day": "2020-01-02", "days": 1},
         422, "The first day, 2020-01-01, is in the past"),
        ({"kind": "break", "first_day": "2027-01-09", "last_day": "2027-01-02", "days_after": 1},
         422, "The last day comes before the first day"),
        ({"kind": "break", "first_day": "2027-01-01", "last_day": "2027-01-02"},
         422, "Choose days before the break"),
    ],
)  # fmt: skip
def test_the_api_says_what_is_wrong(
    ann: FlaskClient, body: dict[str, object], status: int, said: str
) -> None:
    response = _post(ann, "/api/v1/reschedule", body)
    assert response.status_code == status and said in response.json["error"]


@pytest.mark.parametrize(
    ("field", "value", "bounds"),
    [
        ("count", 0, "from 1 to 1000000"),
        ("count", -1, "from 1 to 1000000"),
        ("count", 2.5, "from 1 to 1000000"),
        ("count", True, "from 1 to 1000000"),
        ("count", "5", "from 1 to 1000000"),
        ("count", "²", "from 1 to 1000000"),
        ("days", 0, "from 1 to 366"),
        ("days", 5.5, "from 1 to 366"),
        ("days", 367, "from 1 to 366"),
        ("days", "5", "from 1 to 366"),
        ("days_before", -1, "from 0 to 366"),
        ("days_after", 400, "from 0 to 366"),
    ],
)
def test_the_api_refuses_every_bad_number_alike(
    ann: FlaskClient, field: str, value: object, bounds: str
) -> None:
    body: dict[str, object] = (
        {"kind": "postpone", "count": 2, "days": 3}
        if field in ("count", "days")
        else {"kind": "break", "first_day": "2027-01-01", "last_day": "2027-01-02",
              "days_before": 0, "days_after": 1}
    )  # fmt: skip
    response = _post(ann, "/api/v1/reschedule", {**body, field: value})
    assert response.status_code == 422
    assert response.json["error"] == f"'{field}' must be a whole number {bounds}."


def test_the_api_refuses_a_reschedule_that_moves_nothing(ann: FlaskClient) -> None:
    response = _post(ann, "/api/v1/reschedule", {"kind": "postpone", "count": 1, "days": 1})
    assert response.status_code == 422 and "nothing to move" in response.json["error"]


# -- races and order ---------------------------------------------------------------------


def test_an_answer_between_the_read_and_the_write_keeps_its_due(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = _user(session, "ann")
    ids = _cards(session, ann, [-2, -1])
    answered_due = NOW + timedelta(days=20)
    import services.reschedule as service

    planned = service.plan

    def answered_meanwhile(*args: object) -> object:
        chosen = planned(*args)  # type: ignore[arg-type]
        # Another request answers the first card and commits before the write.
        with db.engine.connect() as other:
            other.execute(update(Card).where(Card.id == ids[0]).values(reps=4, due=answered_due))
            other.commit()
        return chosen

    monkeypatch.setattr(service, "plan", answered_meanwhile)
    done = apply(_study(session), Ask("postpone", count=2, days=2))
    session.commit()
    assert [row.card_id for row in done.cards] == [ids[1]]
    assert _dues(session)[ids[0]] == answered_due


def test_a_second_identical_reschedule_finds_nothing_left_to_move(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _cards(session, _user(session, "ann"), [-2, -1])
    import services.reschedule as service

    planned = service.plan

    def the_first_commits_meanwhile(*args: object) -> object:
        chosen = planned(*args)  # type: ignore[arg-type]
        monkeypatch.setattr(service, "plan", planned)
        with data_session(session) as other:
            apply(Study.at(other, _user(other, "ann"), NOW), Ask("postpone", count=2, days=2))
            other.commit()
        return chosen

    monkeypatch.setattr(service, "plan", the_first_commits_meanwhile)
    with pytest.raises(RescheduleError) as refused:
        apply(_study(session), Ask("postpone", count=2, days=2))
    assert refused.value.code == "nothing"
    session.rollback()
    assert len(session.scalars(select(Reschedule)).all()) == 1


@contextmanager
def data_session(session: Session) -> Iterator[Session]:
    """A second session on the same database: another request."""
    other = Session(bind=db.engine)
    try:
        yield other
    finally:
        other.close()


def test_of_two_undos_at_once_only_one_wins(session: Session) -> None:
    ann = _user(session, "ann")
    _cards(session, ann, [-2, -1])
    done = apply(_study(session), Ask("postpone", count=2, days=2))
    session.commit()
    assert session.get(Reschedule, done.id).undone_at is None  # read by this request
    with data_session(session) as other:
        undo(other, _user(other, "ann"), done.id, NOW)
        other.commit()
    with pytest.raises(RescheduleError) as refused:
        undo(session, ann, done.id, NOW)
    assert refused.value.code == "undone"


def test_an_older_reschedule_waits_for_the_later_one_moving_its_cards(
    session: Session,
) -> None:
    ann = _user(session, "ann")
    _cards(session, ann, [-2, -1])
    before = _dues(session)
    first = apply(_study(session), Ask("postpone", count=2, days=1))
    session.commit()
    second = apply(_study(session), Ask("advance", first_day=_day(1), last_day=_day(1), days=1))
    session.commit()
    with pytest.raises(RescheduleError) as refused:
        undo(session, ann, first.id, NOW)
    assert refused.value.code == "later"
    session.rollback()
    assert session.get(Reschedule, first.id).undone_at is None
    undo(session, ann, second.id, NOW)
    undo(session, ann, first.id, NOW)
    session.commit()
    assert _dues(session) == before


def test_the_api_says_to_undo_the_later_reschedule_first(ann: FlaskClient, app: Flask) -> None:
    _set_up(app, "ann", [-2, -1])
    first = _post(ann, "/api/v1/reschedule", {"kind": "postpone", "count": 2, "days": 1})
    _post(ann, "/api/v1/reschedule", {"kind": "advance", "first_day": _day(1).isoformat(),
                                      "last_day": _day(1).isoformat(), "days": 1})  # fmt: skip
    refused = _post(ann, f"/api/v1/reschedule/{first.json['id']}/undo", {})
    assert refused.status_code == 409
    assert "undo the later reschedule first" in refused.json["error"]


def test_a_postpone_follows_the_easy_days_and_the_cards_already_due(session: Session) -> None:
    ann = _user(session, "ann")
    ann.easy_days = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0]  # no reviews on Sundays
    moving = _cards(session, ann, [-1] * 6 + [1] * 3)[:6]
    done = apply(_study(session), Ask("postpone", count=6, days=4))
    session.commit()
    after = _dues(session)
    days = Counter(_local_day(ann, after[card_id]) for card_id in moving)
    # Thursday holds 3 already; Sunday (day 4) takes none.
    assert _day(4).weekday() == 6 and days == {_day(2): 3, _day(3): 3}
    assert len(done.cards) == 6


def test_a_preview_warns_of_cards_moved_to_today_and_days_over_the_limit(
    ann: FlaskClient, app: Flask
) -> None:
    with data(app) as session:
        _user(session, "ann").reviews_per_day = 2
        session.commit()
    _set_up(app, "ann", [0, 1, 1])
    url = f"/reschedule?kind=advance&first_day={_day(1)}&last_day={_day(1)}&days=1&count="
    page = ann.get(url).get_data(as_text=True)
    assert "today: 2 cards moved there, 3 due in all" in page
    assert "2 cards move to today." in page
    assert "On 1 day more cards will be due than your 2 reviews a day." in page
    assert "data-once" in page  # the button that moves them is pressed once
    preview = _post(ann, "/api/v1/reschedule", {"kind": "advance", "first_day": str(_day(1)),
                                                "last_day": str(_day(1)), "days": 1,
                                                "preview": True})  # fmt: skip
    assert preview.json["days"] == [{"day": str(TODAY), "already": 1, "moved": 2,
                                     "today": True, "over_limit": True}]  # fmt: skip


def test_undone_reschedules_fold_away(ann: FlaskClient, app: Flask) -> None:
    _set_up(app, "ann", [-2, -1])
    made = _post(ann, "/api/v1/reschedule", {"kind": "postpone", "count": 2, "days": 1})
    _post(ann, f"/api/v1/reschedule/{made.json['id']}/undo", {})
    page = ann.get("/reschedule").get_data(as_text=True)
    assert '<details class="undone-reschedules">' in page and "1 undone reschedule" in page


def test_a_chinese_preview_uses_the_full_width_colon(ann: FlaskClient, app: Flask) -> None:
    _set_up(app, "ann", [-2, -1])
    page = ann.get("/reschedule?kind=postpone&count=2&days=1",
                   headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)  # fmt: skip
    [line] = re.findall(r'<ul class="reschedule-days">\s*<li[^>]*>([^<]*)</li>', page)
    assert "：" in line and ": " not in line
    assert "移入 2 张卡片" in line


def test_the_load_counts_each_study_day_across_a_change_of_clocks(session: Session) -> None:
    """In Berlin the clocks go back on 2027-10-31: that day is 25 hours long, and a card due
    in its last hour is still that day's, not the next."""
    from services.load import due_on_days

    bob = _user(session, "bob")
    bob.timezone, bob.rollover_hour = "Europe/Berlin", 4
    session.commit()
    now = datetime(2027, 10, 29, 10, tzinfo=timezone.utc)
    last = date(2027, 10, 31)
    # 03:30 local on 1 November (before the 04:00 rollover) is still 31 October's.
    late = datetime(2027, 11, 1, 2, 30, tzinfo=timezone.utc)
    questions = session.scalars(select(Question).order_by(Question.id)).all()
    session.add(Card(user_id=bob.id, question_id=questions[0].id, bank_id="b", state=REVIEW,
                     stability=5.0, difficulty=5.0, due=late, last_review=now, reps=2))  # fmt: skip
    session.commit()
    assert due_on_days(session, bob, now, last) == {last: 1}

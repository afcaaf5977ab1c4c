"""How many statements the review loop runs: one ``GET /api/v1/review/next`` with a bearer
token, counted at the engine, for a learner with learning, review and new cards due; and
the answer of a review, whose interval is balanced over the learner's load."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import event, select

from models import Card, User, db
from models.types import now_utc
from services.accounts import issue_token
from services.answers import answer
from services.bank_import import import_bank
from services.context import Study
from services.queue import next_card
from srs.questions import card_faces
from srs.scheduler import LEARNING, REVIEW, Rating
from srs.sources import load_bank
from views import cards

BANK = "id: b\ntitle: B\nquestions:\n" + "".join(
    f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(1, 9)
)

# The bearer token with its learner; the banks they study; the kept queue of each bank with
# the learner's counts in it and the first cards it names, and the learner's cards due by
# day (kept), which the grade buttons' fuzz is balanced over; the card's question with its
# bank, section and whether the learner edits it.
GET_STATEMENTS = 4
# The token with its learner; the card with its question's cards, its bank's kept queue and
# the learner's load; the review logged; the card written; the kept queue moved; the kept
# counts.
POST_STATEMENTS = 6


@pytest.fixture
def token(app: Flask, write_bank, learner: int) -> str:
    """ann's token; ann has a learning card due, reviews due and new cards left."""
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK})))
        user = db.session.get_one(User, learner)
        month_ago = now_utc() - timedelta(days=30)
        for rating in (Rating.EASY, Rating.EASY, Rating.EASY, Rating.AGAIN):
            card, _ = next_card(Study.at(db.session, user, month_ago), ["b"])
            answer(Study.at(db.session, user, month_ago), card, rating)
        states = db.session.scalars(select(Card.state).where(Card.user_id == learner)).all()
        assert sorted(states) == [LEARNING, REVIEW, REVIEW, REVIEW]  # the new ones not made yet
        value = issue_token(db.session, user)
        db.session.commit()
        return value


def statements_of(app: Flask, request) -> tuple[object, list[str]]:
    """The response to ``request()`` and the statements it ran, outside any app context."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def count(_c: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = request()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return response, seen


def test_one_next_card_is_four_statements(app: Flask, client, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/review/next", headers=headers)  # the token's last use, written once
    client.get("/api/v1/review/next", headers=headers)  # the bank's queue, walked and kept
    for query in ("", "?bank=b"):
        response, seen = statements_of(
            app, lambda q=query: client.get(f"/api/v1/review/next{q}", headers=headers)
        )
        assert response.status_code == 200
        card = response.json
        assert (card["state"], card["question"]) == ("learning", "q4")
        assert card["counts"] == {"new": 4, "learning": 1, "review": 3}
        selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == len(seen) == GET_STATEMENTS, "\n".join(seen)


@pytest.mark.parametrize("ahead", [0, 3])
def test_a_next_card_commits_its_writes_before_its_faces_are_rendered(
    app: Flask, client, token: str, monkeypatch: pytest.MonkeyPatch, ahead: int
) -> None:
    """On SQLite one writer writes at a time: a request holds the write lock from its first
    write to its commit, which rendering the card's faces would only draw out. What they
    show of the question is read before the commit, not in a transaction of its own after it."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def statement(_c: object, _cursor: object, text: str, *_: object) -> None:
        shown = " AS bank_source" in text  # views.cards: the card's question, for its faces
        seen.append("QUESTION" if shown else text.lstrip().split()[0].upper())

    def faces(*args: object, **kwargs: object) -> object:
        seen.append("FACES")
        return card_faces(*args, **kwargs)

    monkeypatch.setattr(cards, "card_faces", faces)
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "commit", lambda _c: seen.append("COMMIT"))
    headers = {"Authorization": f"Bearer {token}"}
    # The token's use and the queue kept are written.
    body = client.get(f"/api/v1/review/next?ahead={ahead}", headers=headers).json
    assert len(body.get("ahead", [])) == ahead
    writes = [at for at, kind in enumerate(seen) if kind in ("INSERT", "UPDATE")]
    assert writes, seen
    first_commit = seen.index("COMMIT", writes[-1])
    assert seen.index("FACES") > first_commit, " ".join(seen)
    assert seen.count("FACES") == seen.count("QUESTION") == 1 + ahead, " ".join(seen)
    assert "QUESTION" not in seen[first_commit:], " ".join(seen)


def test_an_answer_reads_the_load_with_its_card(app: Flask, client, token: str) -> None:
    """A review's Good is fuzzed over the learner's load: read in the card's statement."""
    headers = {"Authorization": f"Bearer {token}"}
    shown = client.get("/api/v1/review/next", headers=headers).json
    assert shown["state"] == "learning"  # answered Again: still learning, due in minutes
    body = {"rating": 1, "review_token": shown["review_token"]}
    assert (
        client.post(f"/api/v1/review/{shown['card_id']}", headers=headers, json=body).status_code
        == 200
    )
    shown = client.get("/api/v1/review/next", headers=headers).json
    assert shown["state"] == "review"
    body = {"rating": 3, "review_token": shown["review_token"]}
    response, seen = statements_of(
        app, lambda: client.post(f"/api/v1/review/{shown['card_id']}", headers=headers, json=body)
    )
    assert response.status_code == 200
    assert response.json["interval_seconds"] > 3 * 86400  # fuzzed, so balanced over the load
    assert len(seen) == POST_STATEMENTS, "\n".join(seen)
    assert not [s for s in seen if "FROM kept_loads" in " ".join(s.split())], "read apart"

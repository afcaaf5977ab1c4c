"""'Anki with my schedule' carries the learner's answers: Anki shows them in its review log,
and works out from them the memory state Wengu keeps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from config import PROJECT_ROOT
from models import Card, Question, Review, User, db
from services.answers import answer
from services.context import Study
from services.queue import next_card
from srs.scheduler import NEW, REVIEW, Rating
from tests.support import require

try:
    from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
except ImportError:  # pragma: no cover - depends on the machine
    Collection = None

# One card answered on the days it falls due, a lapse among them; then two more cards.
RATINGS = [Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.AGAIN, Rating.GOOD, Rating.HARD]
ANKI_TYPE = {NEW: 0, 1: 0, REVIEW: 1, 3: 2}  # learning answers, review, relearning


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Any]:
    require(Collection is not None, "the anki package is not installed: see requirements-dev")
    folder = tmp_path / "anki"
    folder.mkdir()
    col = Collection(str(folder / "collection.anki2"))
    yield col
    col.close()


def study(app: Flask, learner: int) -> tuple[str, int]:
    """ann answers one card RATINGS, each a minute after it fell due, from 200 days ago,
    and two other cards once; the first card's question and its card id.

    Her answers fall around noon (UTC, her zone), far from her day's start at 04:00: FSRS
    in Wengu counts whole days since the last answer, Anki the day starts between them,
    which agree only for answers that do not straddle a day's start by less than a day."""
    noon = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    when = noon - timedelta(days=200)
    with app.app_context():
        user = db.session.get_one(User, learner)
        card, _ = next_card(Study.at(db.session, user, when), ["docker"])
        assert isinstance(card, Card)
        card_id = card.id
        for rating in RATINGS:
            answered = when
            answer(Study.at(db.session, user, when), card, rating, elapsed_ms=4200)
            db.session.commit()
            card = db.session.get_one(Card, card_id)
            when = card.due + timedelta(minutes=1)
            assert when < datetime.now(timezone.utc)
        when, seen = answered + timedelta(minutes=1), {card_id}
        for _ in range(2):
            other, _ = next_card(Study.at(db.session, user, when), ["docker"])
            assert isinstance(other, Card) and other.id not in seen
            seen.add(other.id)
            answer(Study.at(db.session, user, when), other, Rating.GOOD, elapsed_ms=90_000)
            db.session.commit()
            when += timedelta(minutes=1)
        key = db.session.scalar(select(Question.key).where(Question.id == card.question_id))
        return key, card_id


def import_into(col: Any, package: bytes, tmp_path: Path) -> None:
    path = tmp_path / "docker-with-schedule.apkg"
    path.write_bytes(package)
    request = ImportAnkiPackageRequest(
        package_path=str(path), options=ImportAnkiPackageOptions(with_scheduling=True)
    )
    col.import_anki_package(request)


def test_ankis_review_log_holds_the_learners_answers_and_their_memory_state(
    app: Flask,
    runner: FlaskCliRunner,
    signed_in: FlaskClient,
    learner: int,
    collection: Any,
    tmp_path: Path,
) -> None:
    assert runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")]).exit_code == 0  # fmt: skip
    key, card_id = study(app, learner)
    response = signed_in.get("/banks/docker/export/apkg?scheduling=1")
    assert response.status_code == 200
    import_into(collection, response.data, tmp_path)

    with app.app_context():
        card = db.session.get_one(Card, card_id)
        answers = db.session.scalars(
            select(Review).where(Review.card_id == card_id).order_by(Review.reviewed_at)
        ).all()
        everything = db.session.scalars(select(Review)).all()
    (note_id,) = collection.find_notes(f'"Wengu ID:docker/{key}"')
    (anki_card,) = [c for c in collection.get_note(note_id).cards() if c.type != 0]
    rows = collection.db.all(
        "SELECT id, ease, type, time, ivl FROM revlog WHERE cid = ? ORDER BY id", anki_card.id
    )
    assert [(ms, ease, kind, time) for ms, ease, kind, time, _ivl in rows] == [
        (
            int(r.reviewed_at.timestamp() * 1000),
            r.rating,
            ANKI_TYPE[r.state_before],
            4200,
        )
        for r in answers
    ]
    # Review intervals in days, learning steps in negative seconds.
    assert [ivl > 0 for *_, ivl in rows] == [r.state_after == REVIEW for r in answers]
    # Every answer is in the log, an answer's time kept to Anki's cap of a minute.
    assert collection.db.scalar("SELECT count() FROM revlog") == len(everything)
    assert collection.db.list("SELECT DISTINCT time FROM revlog WHERE cid != ?", anki_card.id) == [
        60_000
    ]

    # Anki, replaying the log with FSRS, comes to the memory state Wengu keeps.
    collection.set_config("fsrs", True)
    state = collection.compute_memory_state(anki_card.id)
    assert state.stability == pytest.approx(card.stability, rel=1e-4)
    assert state.difficulty == pytest.approx(card.difficulty, rel=1e-4)

    # The same package imported again adds no answer twice.
    import_into(collection, response.data, tmp_path)
    assert collection.db.scalar("SELECT count() FROM revlog") == len(everything)

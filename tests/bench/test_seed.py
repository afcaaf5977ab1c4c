"""``bench/seed.py`` at a tiny size makes a database the app can use as it is.

Two learners with 50 cards more than the Docker bank has, each, and 30 days of history, in a SQLite file: the counts match
the summary, a learner signs in with the benchmark password and gets a next card, and every
card's schedule is that of its newest review, as the app's answers and undo rely on. Fewer
trajectories and a smaller generated bank than the defaults keep it near a second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from bench.seed import PASSWORD, Summary, seed
from config import PROJECT_ROOT
from models import Bank, Card, Review, User, db
from services.accounts import authenticate
from services.context import Study
from services.queue import bank_counts, next_card, study_banks
from srs.scheduler import NEW
from srs.sources import read_bank

# More cards than the shipped Docker bank makes, so that a generated bank is added too.
CARDS = sum(len(q.card_ordinals) for q in read_bank(PROJECT_ROOT / "quizzes/docker").questions) + 50


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Summary]:
    """One database for the module's tests, which leave it as they found it."""
    folder = tmp_path_factory.mktemp("seeded")
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    return url, seed(
        url, 2, CARDS, 30, trajectories=300, bank_size=100, instance=str(folder / "instance")
    )


@pytest.fixture
def bench_app(
    seeded: tuple[str, Summary], tmp_path: Path, make_app: Callable[[dict[str, object]], Flask]
) -> Flask:
    url, _ = seeded
    return make_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "SQLALCHEMY_DATABASE_URI": url,
            "WENGU_INSTANCE_PATH": str(tmp_path / "instance"),
            "WENGU_AUTOLOAD_BANKS": False,
            "RATELIMIT_ENABLED": False,
        }
    )


def test_the_counts_are_those_of_the_summary(seeded: tuple[str, Summary], bench_app: Flask) -> None:
    _, summary = seeded
    assert (summary.learners, summary.banks, summary.cards) == (2, 2, 2 * CARDS)
    assert 0 < summary.studied < summary.cards
    with bench_app.app_context():
        session = db.session
        assert session.scalars(select(User.name).order_by(User.id)).all() == [
            "learner1",
            "learner2",
        ]
        assert session.scalars(select(Bank.id).order_by(Bank.id)).all() == ["docker", "gen-1"]
        assert session.scalar(select(func.count()).select_from(Card)) == 2 * CARDS
        assert session.scalar(select(func.count()).select_from(Review)) == summary.reviews
        studied = select(func.count()).select_from(Card).where(Card.state != NEW)
        assert session.scalar(studied) == summary.studied
        # The Docker bank's cards come first, then the generated bank's.
        per_bank = dict(
            session.execute(
                select(Card.bank_id, func.count()).where(Card.user_id == 1).group_by(Card.bank_id)
            ).all()
        )
        assert per_bank == {"docker": CARDS - 50, "gen-1": 50}


def test_a_learner_signs_in_and_gets_a_next_card(bench_app: Flask) -> None:
    now = datetime.now(UTC)
    with bench_app.app_context():
        session = db.session
        assert authenticate(session, "learner1", "not the password") is None
        user = authenticate(session, "learner1", PASSWORD)
        assert user is not None
        banks = [bank.id for bank in study_banks(session, user)]
        card, counts = next_card(Study.at(session, user, now), banks)
        assert card is not None
        assert card.user_id == user.id
        assert sum(counts[bank].total for bank in banks) > 0
        assert bank_counts(Study.at(session, user, now), "gen-1") == counts["gen-1"]
        session.rollback()


def test_every_card_is_scheduled_as_its_newest_review_left_it(bench_app: Flask) -> None:
    with bench_app.app_context():
        session = db.session
        reviews: dict[int, list[Review]] = {}
        for review in session.scalars(select(Review).order_by(Review.id)):
            reviews.setdefault(review.card_id, []).append(review)
        cards = session.scalars(select(Card)).all()
        assert reviews, "no history was made"
        for card in cards:
            log = reviews.get(card.id, [])
            if card.state == NEW:
                assert not log and card.reps == 0 and card.last_review is None, card.id
                continue
            # Review ids grow with time, so the newest review is also the last one.
            assert [r.reviewed_at for r in log] == sorted(r.reviewed_at for r in log), card.id
            newest = log[-1]
            assert card.state == newest.state_after, card.id
            assert card.due == newest.due_after, card.id
            assert card.step == newest.step_after, card.id
            assert card.stability == newest.stability_after, card.id
            assert card.difficulty == newest.difficulty_after, card.id
            assert card.last_review == newest.reviewed_at, card.id
            assert card.reps == len(log), card.id
            assert log[0].state_before == NEW and log[0].last_review_before is None, card.id
            for before, after in pairwise(log):
                assert after.state_before == before.state_after, card.id
                assert after.due_before == before.due_after, card.id
                assert after.last_review_before == before.reviewed_at, card.id
        for user_id in (1, 2):
            times = session.scalars(
                select(Review.reviewed_at).where(Review.user_id == user_id).order_by(Review.id)
            ).all()
            assert times == sorted(times)


def test_a_database_with_accounts_is_not_seeded_again(
    seeded: tuple[str, Summary], tmp_path: Path
) -> None:
    url, _ = seeded
    with pytest.raises(SystemExit, match="already has accounts"):
        seed(url, 1, 10, 5, trajectories=10, instance=str(tmp_path / "again"))

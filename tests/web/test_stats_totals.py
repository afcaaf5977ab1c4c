"""The statistics from grouped queries and kept day totals equal the statistics from rows.

``tests/stats_reference.py`` is the per-row computation the page used before; each test
builds a history through the real scheduler at times spread over the day, in a zone with
daylight saving or an offset of :45, and compares the two, field by field.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import Card, ReviewDay, ReviewDayMark, User, db
from models.types import now_utc
from services.answers import answer, set_suspended, undo_last
from services.context import Study
from services.queue import next_card
from services.stats import learner_stats
from srs.scheduler import Rating
from srs.stats import Stats
from tests.stats_reference import per_row_learner_stats

UTC = timezone.utc
BANK_A = """
id: a
title: A
sections:
  - {id: one, title: One}
  - {id: two, title: Two, parent: one}
  - {id: three, title: Three}
questions:
"""
BANK_B = """
id: b
title: B
sections:
  - {id: only, title: Only}
questions:
"""


def questions(count: int, sections: list[str]) -> str:
    lines = []
    for n in range(count):
        section = sections[n % len(sections)]
        kind = "reverse" if n % 5 == 0 else "basic"
        lines.append(
            f"  - {{id: q{n}, type: {kind}, section: {section}, prompt: p{n}, answer: a{n}}}"
        )
    lines.append("  - {id: loose, type: basic, prompt: no section, answer: x}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def session(app: Flask, runner: FlaskCliRunner, write_bank) -> Iterator[Session]:
    for name, text in (
        ("a", BANK_A + questions(60, ["one", "two", "three"])),
        ("b", BANK_B + questions(30, ["only"])),
    ):
        result = runner.invoke(args=["bank", "import", str(write_bank(name, {"bank.yaml": text}))])
        assert result.exit_code == 0, result.output
    with app.app_context():
        yield db.session


def study(session: Session, user: User, end: datetime, *, days: int, seed: int = 3) -> int:
    """Answers on most of ``days`` days before ``end``, in sessions at any hour of the day."""
    rng = random.Random(seed)
    made = 0
    for offset in range(days, 0, -1):
        if rng.random() < 0.15:
            continue
        for _ in range(rng.choice((1, 1, 2, 3))):
            moment = end - timedelta(days=offset, seconds=rng.uniform(0, 86_400))
            for _ in range(rng.randrange(3, 9)):
                card, _ = next_card(Study.at(session, user, moment), ["a", "b"])
                if card is None:
                    break
                rating = rng.choice((Rating.AGAIN, Rating.HARD, Rating.GOOD, Rating.GOOD))
                elapsed = None if rng.random() < 0.1 else rng.randrange(0, 30_000)
                answer(Study.at(session, user, moment), card, rating, elapsed_ms=elapsed)
                made += 1
                moment += timedelta(seconds=rng.uniform(1, 90))
    session.commit()
    return made


def odd_cards(session: Session, user: User) -> None:
    """Suspended cards, difficulties at the ends of the scale, a studied card without memory."""
    cards = session.scalars(
        select(Card).where(Card.user_id == user.id, Card.state != 0).order_by(Card.id)
    ).all()
    set_suspended(cards[0], True)
    set_suspended(cards[1], True)
    cards[2].difficulty = 10.0
    cards[3].difficulty = 1.0
    cards[4].stability = None
    session.commit()


def assert_same(new: Stats, old: Stats) -> None:
    mine, theirs = new.to_dict(), old.to_dict()
    mastery, reference = mine.pop("mastery"), theirs.pop("mastery")
    assert mine == theirs
    assert mastery.keys() == reference.keys()
    for section, value in mastery.items():
        assert value["studied"] == reference[section]["studied"], section
        assert value["cards"] == reference[section]["cards"], section
        if reference[section]["recall"] is None:
            assert value["recall"] is None, section
        else:  # the same floats, summed in another order
            assert value["recall"] == pytest.approx(reference[section]["recall"], rel=1e-12)


def both(session: Session, user: User, banks: list[str], now: datetime) -> tuple[Stats, Stats]:
    new = learner_stats(Study.at(session, user, now), banks)
    session.commit()
    return new, per_row_learner_stats(session, user, banks, now)


@pytest.mark.parametrize(
    ("zone", "rollover", "now"),
    [
        ("UTC", 4, datetime(2026, 11, 12, 15, 0, tzinfo=UTC)),
        # Daylight saving ends on 1 November and starts on 8 March, at 02:00.
        ("America/New_York", 2, datetime(2026, 11, 12, 6, 30, tzinfo=UTC)),
        ("America/New_York", 0, datetime(2026, 3, 20, 3, 0, tzinfo=UTC)),
        ("Asia/Kathmandu", 4, datetime(2026, 11, 12, 22, 50, tzinfo=UTC)),
        ("Asia/Kathmandu", 23, datetime(2026, 3, 20, 17, 20, tzinfo=UTC)),
    ],
)
def test_totals_equal_the_rows(
    session: Session, learner: int, zone: str, rollover: int, now: datetime
) -> None:
    user = session.get_one(User, learner)
    user.timezone, user.rollover_hour = zone, rollover
    assert study(session, user, now, days=32) > 120
    odd_cards(session, user)

    first, reference = both(session, user, ["a", "b"], now)  # sums the days and keeps them
    assert session.scalar(select(ReviewDay.user_id).limit(1)) == learner
    assert_same(first, reference)
    assert first.heatmap and first.retention["year"]["total"].total

    again, reference = both(session, user, ["a", "b"], now)  # from the kept days
    assert_same(again, reference)
    for banks in (["a"], ["b"]):
        assert_same(*both(session, user, banks, now))
    later = now + timedelta(days=3, hours=5)  # the kept days, then days not kept yet
    assert_same(*both(session, user, ["a", "b"], later))


def test_kept_days_move_on_with_the_clock_and_follow_changes(
    session: Session, learner: int
) -> None:
    user = session.get_one(User, learner)
    user.timezone, user.rollover_hour = "Asia/Kathmandu", 4
    clock = now_utc()
    study(session, user, clock - timedelta(days=3), days=30)
    earlier = clock - timedelta(days=2)
    assert_same(*both(session, user, ["a", "b"], earlier))
    mark = session.scalar(select(ReviewDayMark.counted_before))

    for _ in range(4):  # answered now: summed with the day, not kept
        card, _ = next_card(Study.at(session, user, now_utc()), ["a", "b"])
        answer(Study.at(session, user, now_utc()), card, Rating.GOOD, elapsed_ms=4000)
    session.commit()
    assert_same(*both(session, user, ["a", "b"], now_utc()))
    moved = session.scalar(select(ReviewDayMark.counted_before))
    assert moved > mark  # the two days since were counted once and kept

    undo_last(session, user)  # a review of today: nothing kept changes
    session.commit()
    assert session.scalar(select(ReviewDayMark.counted_before)) == moved
    assert_same(*both(session, user, ["a", "b"], now_utc()))

    card, _ = next_card(Study.at(session, user, clock - timedelta(days=5)), ["a", "b"])
    answer(Study.at(session, user, clock - timedelta(days=5)), card, Rating.AGAIN, elapsed_ms=1500)
    session.commit()  # logged for a day already kept: the kept days are counted again
    assert session.scalar(select(ReviewDayMark.counted_before)) is None
    assert_same(*both(session, user, ["a", "b"], now_utc()))

    session.execute(update(User).where(User.id == learner).values(timezone="America/New_York"))
    session.commit()
    session.refresh(user)
    assert_same(*both(session, user, ["a", "b"], now_utc()))
    assert session.scalar(select(ReviewDayMark.timezone)) == "America/New_York"


def test_recall_counts_whole_days_to_the_microsecond(session: Session, learner: int) -> None:
    user = session.get_one(User, learner)
    now = datetime(2026, 11, 12, 15, 0, 0, 500_000, tzinfo=UTC)
    study(session, user, now, days=3)
    cards = session.scalars(select(Card).where(Card.user_id == learner, Card.state != 0)).all()
    # Exactly, just under and just over ten days before now: 10, 9 and 10 whole days.
    for card, off in zip(cards, (0, -1, 1, -300, 300, -999, 999), strict=False):
        card.last_review = now - timedelta(days=10, microseconds=off)
        card.stability = 5.0
    session.commit()
    assert_same(*both(session, user, ["a", "b"], now))

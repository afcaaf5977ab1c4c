"""The kept counts (``bank_progress``) against the same counts made afresh from the cards
and the review log, after seeded random walks of answers, undos, buries, suspensions,
practice, re-imports that retire, revive and reorder questions, and time zone changes."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models import BankProgress, Card, Question, Review, User, db
from services.answers import answer, bury, set_suspended, undo_last
from services.bank_import import import_bank
from services.context import Study, today
from services.practice import Practice, practice_cards
from services.progress import set_study_day
from services.queue import add_card, bank_counts_many, next_card
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW, Rating
from srs.sources import load_bank
from srs.study import LEARN_AHEAD, Counts, limits_left, next_kind

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)
BANKS = ("a", "b")
# A diagram some questions show in their explanation: kin (srs.kin).
DIAGRAM = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>'
SHOWS = ", explanation: '![d](d.svg)'"


def _bank_yaml(bank_id: str, variant: int) -> str:
    """A bank of basic, reverse and cloze questions, some showing a diagram (so that an
    answer buries its kin); each variant drops, revives, reorders or changes some of them,
    as a re-import would."""
    questions = [f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}, tags: [t{i % 3}]"
                 f"{SHOWS if i % 3 == 1 else ''}}}\n" for i in range(1, 9)]  # fmt: skip
    questions.insert(2, "  - {id: rev, type: reverse, prompt: front, answer: back}\n")
    cloze = "{{c1::one}} {{c2::two}}" + (" {{c3::three}}" if variant % 2 else "")
    questions.insert(5, f"  - {{id: cl, type: cloze, text: '{cloze}'}}\n")
    if variant == 1:
        del questions[3:5]  # two questions retired
    if variant == 2:
        questions.reverse()
    if variant == 3:
        questions.insert(0, "  - {id: fresh, type: basic, prompt: new, answer: here}\n")
    return f"id: {bank_id}\ntitle: {bank_id.upper()}\nquestions:\n" + "".join(questions)


def _import(session: Session, write_bank, variant: int) -> None:
    for bank_id in BANKS:
        files = {"bank.yaml": _bank_yaml(bank_id, variant), "d.svg": DIAGRAM}
        path = write_bank(f"{bank_id}{variant}", files)
        import_bank(session, load_bank(path))


@pytest.fixture
def session(app: Flask, write_bank) -> Iterator[Session]:
    with app.app_context():
        _import(db.session, write_bank, 0)
        db.session.commit()
        yield db.session


def _active(now: datetime):
    return (
        Card.suspended.is_(False),
        Card.retired.is_(False),
        or_(Card.buried_until.is_(None), Card.buried_until <= now),
    )


def fresh_counts(
    session: Session, user: User, now: datetime, banks: tuple[str, ...] = BANKS
) -> dict[str, Counts]:
    """Each bank's counts from the cards and the log alone, as they were counted before
    any count was kept."""
    day = today(user, now)
    counts = {}
    for bank_id in banks:
        done = dict(
            session.execute(
                select(Review.state_before, func.count())
                .where(
                    Review.user_id == user.id,
                    Review.bank_id == bank_id,
                    Review.reviewed_at >= day.start,
                    Review.reviewed_at < day.end,
                )
                .group_by(Review.state_before)
            ).all()
        )
        due = dict(
            session.execute(
                select(Card.state, func.count())
                .where(Card.user_id == user.id, Card.bank_id == bank_id, Card.due < day.end)
                .where(Card.state.in_((LEARNING, REVIEW, RELEARNING)), *_active(now))
                .group_by(Card.state)
            ).all()
        )
        free_new = select(func.count()).where(
            Card.user_id == user.id, Card.bank_id == bank_id, Card.state == NEW, *_active(now)
        )
        cards = session.scalar(
            select(func.coalesce(func.sum(Question.card_count), 0)).where(
                Question.bank_id == bank_id, Question.retired.is_(False)
            )
        )
        made = session.scalar(
            select(func.count()).where(
                Card.user_id == user.id, Card.bank_id == bank_id, Card.retired.is_(False)
            )
        )
        new_left, reviews_left = limits_left(
            user.new_per_day, user.reviews_per_day, done.get(NEW, 0), done.get(REVIEW, 0)
        )
        waiting = cards - made + session.scalar(free_new)
        counts[bank_id] = Counts(
            new=min(new_left, waiting),
            learning=due.get(LEARNING, 0) + due.get(RELEARNING, 0),
            review=min(reviews_left, due.get(REVIEW, 0)),
        )
    return counts


def fresh_next(
    session: Session, user: User, now: datetime, counts: dict[str, Counts]
) -> tuple[int, int] | None:
    """The (question, ordinal) to show next, found by walking every card and question."""
    day = today(user, now)
    cards = session.scalars(
        select(Card).where(Card.user_id == user.id, Card.bank_id.in_(BANKS), *_active(now))
    ).all()

    def first(states: tuple[int, ...], before: datetime, banks: list[str]) -> Card | None:
        due = [c for c in cards if c.state in states and c.due <= before and c.bank_id in banks]
        return min(due, key=lambda c: (c.due, c.id), default=None)

    learning = first((LEARNING, RELEARNING), now + LEARN_AHEAD, list(BANKS))
    review_banks = [b for b in BANKS if counts[b].review]
    new_banks = [b for b in BANKS if counts[b].new]
    kind = next_kind(
        learning_due=learning.due if learning else None,
        review_due=bool(review_banks),
        new_available=bool(new_banks),
        now=now,
    )
    chosen = {"learning": learning, "review": first((REVIEW,), day.end, review_banks)}.get(
        kind or ""
    )
    if chosen is not None:
        return chosen.question_id, chosen.ordinal
    if kind != "new":
        return None
    for bank_id in new_banks:
        questions = session.scalars(
            select(Question)
            .where(Question.bank_id == bank_id, Question.retired.is_(False))
            .order_by(Question.position)
        )
        for question in questions:
            mine = {
                c.ordinal: c
                for c in session.scalars(
                    select(Card).where(Card.user_id == user.id, Card.question_id == question.id)
                )
            }
            for ordinal in question.card_ordinals:
                card = mine.get(ordinal)
                if card is None or (card.state == NEW and card in cards):
                    return question.id, ordinal
    return None


def check_kept(session: Session, user: User, now: datetime) -> None:
    """The kept rows say what the cards and the log say."""
    day = today(user, now)
    for kept in session.scalars(select(BankProgress).where(BankProgress.user_id == user.id)):
        introduced = session.scalar(
            select(func.count()).where(
                Card.user_id == user.id,
                Card.bank_id == kept.bank_id,
                Card.retired.is_(False),
                or_(Card.state != NEW, Card.suspended.is_(True)),
            )
        )
        assert kept.introduced == introduced, kept.bank_id
        before = session.scalars(
            select(Question).where(
                Question.bank_id == kept.bank_id,
                Question.retired.is_(False),
                Question.position < kept.next_position,
            )
        )
        for question in before:
            have = session.scalars(
                select(Card.ordinal).where(
                    Card.user_id == user.id,
                    Card.question_id == question.id,
                    Card.retired.is_(False),
                )
            )
            assert sorted(have) == sorted(question.card_ordinals), question.key
        if kept.day == day.date:
            done = dict(
                session.execute(
                    select(Review.state_before, func.count())
                    .where(Review.user_id == user.id, Review.bank_id == kept.bank_id)
                    .where(Review.reviewed_at >= day.start, Review.reviewed_at < day.end)
                    .group_by(Review.state_before)
                ).all()
            )
            assert (kept.new_done, kept.reviews_done) == (done.get(NEW, 0), done.get(REVIEW, 0))
        newest = session.scalar(
            select(func.max(Review.reviewed_at)).where(
                Review.user_id == user.id, Review.bank_id == kept.bank_id
            )
        )
        if newest is not None:
            assert today(user, newest).date <= kept.day


def _random_card(session: Session, user: User, rng: random.Random) -> Card | None:
    cards = session.scalars(select(Card).where(Card.user_id == user.id).order_by(Card.id)).all()
    return rng.choice(cards) if cards else None


def _step(session: Session, user: User, now: datetime, rng: random.Random, write_bank) -> None:
    """One random thing a learner (or the server's admin) does."""
    action = rng.choices(
        ["study", "undo", "bury", "unbury", "suspend", "practice", "quiz", "import", "zone"],
        weights=[40, 8, 5, 4, 6, 2, 4, 2, 2],
    )[0]
    if action == "study":
        counts = bank_counts_many(Study.at(session, user, now), list(BANKS))
        expected = fresh_next(session, user, now, counts)
        card, picked_counts = next_card(Study.at(session, user, now), list(BANKS))
        assert (None if card is None else (card.question_id, card.ordinal)) == expected
        assert picked_counts == counts == fresh_counts(session, user, now)
        if card is not None:
            rating = Rating(rng.choices([1, 2, 3, 4], weights=[3, 1, 5, 1])[0])
            answer(Study.at(session, user, now), card, rating)
    elif action == "undo":
        undo_last(session, user)
    elif action in ("bury", "unbury", "suspend"):
        card = _random_card(session, user, rng)
        if card is None:
            return
        if action == "bury":
            bury(Study.at(session, user, now), card)
        elif action == "unbury":
            card.buried_until = None
        else:
            set_suspended(card, not card.suspended)
    elif action == "practice":
        practice_cards(
            Study.at(session, user, now), rng.choice(BANKS), Practice(tag=f"t{rng.randrange(3)}")
        )
    elif action == "quiz":  # a quiz's mistake goes back into the schedule
        question = rng.choice(
            session.scalars(select(Question).where(Question.retired.is_(False))).all()
        )
        ordinal = rng.choice(question.card_ordinals)
        card = session.scalar(
            select(Card).where(
                Card.user_id == user.id,
                Card.question_id == question.id,
                Card.ordinal == ordinal,
            )
        ) or add_card(session, user.id, question, ordinal, now)
        session.flush()
        answer(Study.at(session, user, now), card, Rating.AGAIN)
    elif action == "import":
        _import(session, write_bank, rng.randrange(4))
    else:
        zone = rng.choice(["Asia/Shanghai", "America/New_York", "UTC"])
        set_study_day(session, user, zone, rng.randrange(24), now)
    session.flush()


@pytest.mark.parametrize(
    ("seed", "new_per_day", "reviews_per_day"), [(1, 6, 200), (2, 6, 200), (3, 6, 200), (4, 2, 3)]
)
def test_kept_counts_equal_fresh_ones_after_a_random_walk(
    session: Session, write_bank, seed: int, new_per_day: int, reviews_per_day: int
) -> None:
    """The kept counts, and the card ``next_card`` picks with the counts it gives (one
    statement: ``services.candidates``), against a fresh walk of every card; with the
    daily limits of the last case reached most days."""
    rng = random.Random(seed)
    user = User(
        name="ann",
        password_hash="x",
        timezone="Asia/Shanghai",
        new_per_day=new_per_day,
        reviews_per_day=reviews_per_day,
    )
    other = User(name="bob", password_hash="x", timezone="UTC", new_per_day=20)
    session.add_all([user, other])
    session.flush()
    now = T0
    for minute in range(12):  # another learner's progress is kept beside ann's
        card, _ = next_card(Study.at(session, other, now - timedelta(minutes=minute)), list(BANKS))
        answer(Study.at(session, other, now - timedelta(minutes=minute)), card, Rating.GOOD)
    for number in range(150):
        _step(session, user, now, rng, write_bank)
        assert bank_counts_many(Study.at(session, user, now), list(BANKS)) == fresh_counts(
            session, user, now
        ), f"step {number}"
        check_kept(session, user, now)
        check_kept(session, other, now)
        if number % 25 == 0:
            session.commit()
        now += rng.choice(
            [timedelta(seconds=20), timedelta(minutes=11), timedelta(hours=5), timedelta(days=1)]
        )


def test_a_clock_set_back_counts_that_day_afresh(session: Session) -> None:
    user = User(name="ann", password_hash="x", timezone="UTC", new_per_day=6)
    session.add(user)
    session.flush()
    yesterday = T0 - timedelta(days=1)
    card, _ = next_card(Study.at(session, user, yesterday), ["a"])
    answer(Study.at(session, user, yesterday), card, Rating.EASY)  # not due again at T0
    card, _ = next_card(Study.at(session, user, T0), ["a"])
    assert card is not None and card.state == NEW  # counted on T0's day, not yesterday's
    answer(Study.at(session, user, T0), card, Rating.GOOD)
    counts = bank_counts_many(Study.at(session, user, yesterday), list(BANKS))
    assert counts == fresh_counts(session, user, yesterday)
    assert counts["a"].new == 5


def test_a_cloze_deletion_added_later_is_introduced(session: Session, write_bank) -> None:
    user = User(name="ann", password_hash="x", timezone="UTC", new_per_day=50)
    session.add(user)
    session.flush()
    now = T0
    while (card := next_card(Study.at(session, user, now), ["a"])[0]) is not None:
        answer(Study.at(session, user, now), card, Rating.EASY)
        now += timedelta(days=1)
    _import(session, write_bank, 1)  # c3 appears, and two questions are retired
    check_kept(session, user, now)
    cloze = session.scalar(select(Question).where(Question.bank_id == "a", Question.key == "cl"))
    seen = set()
    while (card := next_card(Study.at(session, user, now), ["a"])[0]) is not None:
        seen.add((card.question_id, card.ordinal))
        answer(Study.at(session, user, now), card, Rating.EASY)
        now += timedelta(days=1)
    assert (cloze.id, 3) in seen
    check_kept(session, user, now)


def _one_answer_at_t0(session: Session, name: str) -> tuple[User, BankProgress]:
    """A learner in UTC whose day starts at 04:00, with one new card answered at ``T0``."""
    user = User(name=name, password_hash="x", timezone="UTC", rollover_hour=4)
    session.add(user)
    session.flush()
    card, _ = next_card(Study.at(session, user, T0), ["a"])
    answer(Study.at(session, user, T0), card, Rating.GOOD)
    return user, session.get_one(BankProgress, (user.id, "a"))


def test_a_new_time_zone_recounts_the_days_answers(session: Session) -> None:
    user, kept = _one_answer_at_t0(session, "cai")
    # 01:00 UTC is before the 04:00 rollover: the answer counts for the day before.
    assert kept.day == (T0 - timedelta(days=1)).date()
    assert set_study_day(session, user, "Asia/Shanghai", 4, T0) is True
    session.refresh(kept)
    assert (user.timezone, user.rollover_hour) == ("Asia/Shanghai", 4)
    assert (kept.day, kept.new_done) == (T0.date(), 1)  # 09:00 in Shanghai: that day's answer


def test_the_same_study_day_keeps_the_counts_as_they_are(session: Session) -> None:
    user, kept = _one_answer_at_t0(session, "dan")
    kept.new_done = 7  # not what a recount would find: shows that none was made
    session.flush()
    assert set_study_day(session, user, "UTC", 4, T0) is False
    session.refresh(kept)
    assert kept.new_done == 7

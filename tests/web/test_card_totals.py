"""The kept card totals (``card_totals``, kept by triggers on ``cards``) against the same
counts made afresh from the cards, after seeded random walks of answers, undos, buries,
suspensions, reschedules and their undos, rescheduling with other parameters, re-imports
that retire and revive questions, and a bank and an account deleted; and the statements
``GET /stats`` runs."""

from __future__ import annotations

import contextlib
import random
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from fsrs.scheduler import DEFAULT_PARAMETERS
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from models import Bank, Card, CardTotal, Reschedule, User, db
from services.answers import answer, bury, set_suspended, undo_last
from services.bank_admin import remove_bank
from services.bank_import import import_bank
from services.card_totals import MARK_STATE, count_cards, kept_totals
from services.context import Study
from services.optimize import use_default_parameters
from services.queue import next_card
from services.reschedule import Ask, RescheduleError, apply
from services.reschedule import undo as undo_reschedule
from services.stats import learner_stats
from srs.scheduler import NEW, REVIEW, Rating
from srs.sources import load_bank
from srs.stats import INTERVAL_BUCKETS, difficulty_bucket
from tests.stats_reference import per_row_learner_stats
from tests.web.test_stats_totals import assert_same

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)
BANKS = ("a", "b")
# A diagram some questions show in their explanation: kin (srs.kin).
DIAGRAM = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"/>'
SHOWS = ", explanation: '![d](d.svg)'"
ACTIONS = ["study", "undo", "bury", "unbury", "suspend", "reschedule", "unreschedule"]
ACTIONS += ["parameters", "import"]


def _bank_yaml(bank_id: str, variant: int) -> str:
    """A bank of basic, reverse and cloze questions, some showing a diagram (so that an
    answer buries its kin); variant 1 retires three of them and a cloze deletion, as a
    re-import would."""
    questions = [f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}"
                 f"{SHOWS if i % 3 == 1 else ''}}}\n" for i in range(8)]  # fmt: skip
    questions.insert(2, "  - {id: rev, type: reverse, prompt: front, answer: back}\n")
    cloze = "{{c1::one}} {{c2::two}}" + ("" if variant == 1 else " {{c3::three}}")
    questions.insert(5, f"  - {{id: cl, type: cloze, text: '{cloze}'}}\n")
    if variant == 1:
        del questions[1:4]
    return f"id: {bank_id}\ntitle: {bank_id.upper()}\nquestions:\n" + "".join(questions)


def _import(session: Session, write_bank, variant: int, banks: tuple[str, ...] = BANKS) -> None:
    for bank_id in banks:
        files = {"bank.yaml": _bank_yaml(bank_id, variant), "d.svg": DIAGRAM}
        path = write_bank(f"{bank_id}{variant}", files)
        import_bank(session, load_bank(path))


@pytest.fixture
def session(app: Flask, write_bank) -> Iterator[Session]:
    with app.app_context():
        _import(db.session, write_bank, 0)
        db.session.commit()
        yield db.session


def _interval_bucket(card: Card) -> int | None:
    if card.state != REVIEW or card.last_review is None:
        return None
    if card.due < card.last_review:
        return -1
    days = (card.due - card.last_review).days
    return next(low for low, high in INTERVAL_BUCKETS if high is None or days <= high)


def fresh_totals(session: Session, user_id: int) -> Counter:
    """The learner's cards (not retired) counted one at a time, as the kept rows count them."""
    counted: Counter = Counter()
    for card in session.scalars(select(Card).where(Card.user_id == user_id)):
        if card.retired:
            continue
        interval = _interval_bucket(card)
        difficulty = None
        if card.state != NEW and card.difficulty is not None:
            difficulty = difficulty_bucket(card.difficulty)
        key = (card.bank_id, card.state, card.suspended, interval, difficulty)
        counted[key] += 1
    return counted


def kept(session: Session, user_id: int) -> Counter:
    rows = session.execute(
        select(CardTotal).where(CardTotal.user_id == user_id, CardTotal.state != MARK_STATE)
    ).scalars()
    return Counter(
        {
            (
                row.bank_id,
                row.state,
                row.suspended,
                None if row.interval_bucket == -2 else row.interval_bucket,
                row.difficulty_bucket or None,
            ): row.cards
            for row in rows
            if row.cards
        }
    )


def check(session: Session, user_id: int, step: object) -> None:
    session.flush()
    assert kept(session, user_id) == fresh_totals(session, user_id), f"step {step}"


def _random_card(session: Session, user: User, rng: random.Random) -> Card | None:
    cards = session.scalars(select(Card).where(Card.user_id == user.id).order_by(Card.id)).all()
    return rng.choice(cards) if cards else None


def _step(session: Session, user: User, now: datetime, rng: random.Random, write_bank) -> str:
    """One random thing a learner (or the server's admin) does."""
    action = rng.choices(
        ACTIONS,
        weights=[50, 8, 5, 3, 6, 5, 3, 2, 3],
    )[0]
    study = Study.at(session, user, now)
    if action == "study":
        card, _ = next_card(study, list(BANKS))
        if card is not None:
            rating = Rating(rng.choices([1, 2, 3, 4], weights=[3, 1, 5, 1])[0])
            answer(study, card, rating)
    elif action == "undo":
        undo_last(session, user)
    elif action in ("bury", "unbury", "suspend"):
        card = _random_card(session, user, rng)
        if card is None:
            return action
        if action == "bury":
            bury(study, card)
        elif action == "unbury":
            card.buried_until = None
        else:
            set_suspended(card, not card.suspended)
    elif action == "reschedule":
        kind = rng.choice(["postpone", "advance"])
        with contextlib.suppress(RescheduleError):  # no card to move
            apply(study, Ask(kind, count=rng.randrange(1, 6), days=rng.randrange(1, 8)))
    elif action == "unreschedule":
        last = session.scalar(
            select(Reschedule.id)
            .where(Reschedule.user_id == user.id, Reschedule.undone_at.is_(None))
            .order_by(Reschedule.id.desc())
            .limit(1)
        )
        if last is not None:
            undo_reschedule(session, user, last, now)
    elif action == "parameters":  # what optimizing does to the cards: each one replayed
        user.fsrs_parameters = [round(p * 1.1, 4) for p in DEFAULT_PARAMETERS]
        use_default_parameters(session, user)
    else:
        _import(session, write_bank, rng.randrange(2))
    return action


def ann_and_bob(session: Session, new_per_day: int) -> tuple[User, User]:
    """The learner a walk is about, and another whose cards are kept beside hers."""
    user = User(name="ann", password_hash="x", timezone="Asia/Shanghai", new_per_day=new_per_day)
    other = User(name="bob", password_hash="x", timezone="UTC", new_per_day=20)
    session.add_all([user, other])
    session.flush()
    return user, other


def answer_minutes_before(session: Session, user: User, now: datetime, count: int) -> None:
    """``user`` answers ``count`` cards Good, a minute apart, up to ``now``."""
    for minute in range(count):
        at = now - timedelta(minutes=minute)
        card, _ = next_card(Study.at(session, user, at), list(BANKS))
        answer(Study.at(session, user, at), card, Rating.GOOD)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_card_totals_equal_fresh_ones_after_a_random_walk(
    session: Session, write_bank, seed: int
) -> None:
    rng = random.Random(seed)
    user, other = ann_and_bob(session, new_per_day=8)
    for someone in (user, other):  # the first visit counts the cards and marks them
        kept_totals(session, someone.id, list(BANKS))
    now = T0
    answer_minutes_before(session, other, now, 12)  # kept beside ann's
    actions = Counter()
    for number in range(160):
        actions[_step(session, user, now, rng, write_bank)] += 1
        check(session, user.id, (number, actions))
        check(session, other.id, number)
        if number % 40 == 0:
            session.commit()
        now += rng.choice(
            [timedelta(seconds=20), timedelta(minutes=11), timedelta(hours=5), timedelta(days=1)]
        )
    assert actions["study"] > 50 and actions["import"] and actions["reschedule"]
    # Counting afresh in SQL gives the rows the triggers kept.
    before = kept(session, user.id)
    count_cards(session, user.id)
    assert kept(session, user.id) == before
    # The page's numbers are those computed from single rows.
    assert_same(
        learner_stats(Study.at(session, user, now), list(BANKS)),
        per_row_learner_stats(session, user, list(BANKS), now),
    )
    # A bank deleted, then an account: their cards go, and the counts with them.
    remove_bank(session, session.get_one(Bank, "b"), now)
    check(session, user.id, "bank removed")
    check(session, other.id, "bank removed")
    session.execute(delete(User).where(User.id == other.id))
    check(session, user.id, "account deleted")
    assert not session.scalars(select(CardTotal).where(CardTotal.user_id == other.id)).all()
    session.commit()


def test_a_bulk_update_of_cards_moves_their_totals(session: Session) -> None:
    user = User(name="ann", password_hash="x", timezone="UTC")
    session.add(user)
    session.flush()
    marks = select(CardTotal.state).where(CardTotal.user_id == user.id)
    assert session.scalars(marks).all() == [MARK_STATE]  # a new account starts complete
    for minute in range(30):
        at = T0 + timedelta(minutes=minute)
        card, _ = next_card(Study.at(session, user, at), list(BANKS))
        if card is not None:
            answer(Study.at(session, user, at), card, Rating.EASY)
    check(session, user.id, "answers")
    assert kept_totals(session, user.id, list(BANKS)).intervals
    session.execute(
        update(Card).where(Card.user_id == user.id).values(due=T0 + timedelta(days=400))
    )
    check(session, user.id, "moved")
    session.execute(update(Card).where(Card.id % 2 == 0).values(retired=True, suspended=True))
    check(session, user.id, "retired")
    session.execute(update(Card).values(retired=False))
    check(session, user.id, "restored")


def test_a_learner_without_kept_rows_is_counted_afresh(session: Session) -> None:
    user = User(name="ann", password_hash="x", timezone="UTC")
    session.add(user)
    session.flush()
    for minute in range(10):
        at = T0 + timedelta(minutes=minute)
        card, _ = next_card(Study.at(session, user, at), list(BANKS))
        answer(Study.at(session, user, at), card, Rating.GOOD)
    expected = fresh_totals(session, user.id)
    # Emptied (as a benchmark of the first visit does), then written to before the visit.
    session.execute(delete(CardTotal))
    set_suspended(session.scalars(select(Card).where(Card.user_id == user.id)).first(), True)
    session.flush()
    totals = kept_totals(session, user.id, list(BANKS))
    assert kept(session, user.id) == fresh_totals(session, user.id) != expected
    assert sum(totals.states.values()) == sum(expected.values())


def test_the_stats_page_reads_kept_rows_in_few_statements(
    app: Flask, session: Session, signed_in, learner: int
) -> None:
    user = session.get_one(User, learner)
    # Noon three days ago: the twelve answers on one study day, whatever the hour now.
    now = (datetime.now(timezone.utc) - timedelta(days=3)).replace(hour=12, minute=0)
    for minute in range(12):
        at = now + timedelta(minutes=minute)
        card, _ = next_card(Study.at(session, user, at), list(BANKS))
        answer(Study.at(session, user, at), card, Rating.GOOD)
    session.commit()
    assert signed_in.get("/stats").status_code == 200  # the first visit keeps the days
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = signed_in.get("/stats")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert page.status_code == 200 and "12 reviews" in page.get_data(as_text=True)
    # The learner's banks; the kept days: their mark, the edges of the reviews since and their
    # sums, the kept rows; the kept card totals, the forecast, mastery, the banks' outlines;
    # the newest review (for the kept calibration); the quizzes. No card is counted.
    assert len(statements) <= 12, statements
    assert not any("FROM cards" in s and "GROUP BY" in s and "difficulty" in s for s in statements)

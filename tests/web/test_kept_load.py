"""The kept load (``kept_loads``: each learner's cards due on each study day ahead, counted
once a day and kept, cleared by triggers on ``cards``) against the same counts made afresh
from the cards one at a time: after seeded random walks of answers, early answers (a card
due after today), answers logged for an earlier day, undos, buries, suspensions, reschedules
and their undos, rescheduling with other parameters, re-imports, time zone changes, and a
bank and an account deleted, each read alone and as an answer reads it with its card; a
change committed while the load is being counted; and the statements an answer reads it
with."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

import services.load
from models import Bank, Card, KeptLoad, User, db
from services.answer_sql import read_answer_card
from services.answers import answer
from services.bank_admin import remove_bank
from services.context import Study, today
from services.load import SETTLING, DueLoad, forget_load
from services.progress import set_study_day
from services.queue import next_card, next_card_with_load
from srs.balance import LOAD_DAYS
from srs.scheduler import NEW, Rating
from srs.study import study_day
from tests.web.test_card_totals import BANKS, T0, _step, ann_and_bob, answer_minutes_before
from tests.web.test_card_totals import session as session  # the fixture

ZONES = ["Asia/Shanghai", "America/New_York", "UTC", "Asia/Kolkata"]


def fresh_load(session: Session, user: User, now: datetime) -> dict[date, int]:
    """The learner's studied cards (not suspended, not retired, not answered today) due on
    each study date of the window, each card's date worked out in Python."""
    day = today(user, now)
    first, last = day.date + timedelta(days=1), day.date + timedelta(days=1 + LOAD_DAYS)
    counted: Counter = Counter()
    for card in session.scalars(select(Card).where(Card.user_id == user.id)):
        if card.state == NEW or card.suspended or card.retired or card.last_review is None:
            continue
        if card.last_review >= day.start:
            continue
        on = study_day(card.due, user.timezone, user.rollover_hour).date
        if first <= on <= last:
            counted[on] += 1
    return dict(counted)


def kept_row(session: Session, user: User) -> KeptLoad:
    return session.execute(
        select(KeptLoad)
        .where(KeptLoad.user_id == user.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def check(session: Session, user: User, now: datetime, step: object) -> bool:
    """The kept counts, when kept for this day, and the load read, equal fresh ones; whether
    the counts were kept (not counted again) when read."""
    session.flush()
    fresh = fresh_load(session, user, now)
    row = kept_row(session, user)
    day = today(user, now)
    reused = row.counts is not None and row.day_start == day.start
    if reused:
        first = day.date + timedelta(days=1)
        kept = {first + timedelta(days=n): c for n, c in enumerate(row.counts) if c}
        assert kept == fresh, f"step {step}: kept"
    any_card = session.scalar(select(Card.id).where(Card.user_id == user.id).limit(1))
    if any_card is not None:  # the row as an answer reads it, with its card
        given = read_answer_card(session, any_card, user.id)
        assert given is not None and given.load is not None
        load = DueLoad(session, user, now, given.load)
        assert {on: c for on, c in load.items() if c} == fresh, f"step {step}: read with a card"
    # As the next card's statement reads it (which may make a question's cards: new ones).
    _, _, given_load = next_card_with_load(Study.at(session, user, now), list(BANKS))
    load = DueLoad(session, user, now, given_load)
    assert {on: c for on, c in load.items() if c} == fresh, f"step {step}: read with the next"
    load = DueLoad(session, user, now)
    assert {on: count for on, count in load.items() if count} == fresh, f"step {step}: read"
    row = kept_row(session, user)
    kept_today = row.counts is not None and row.day_start == day.start
    # Counted, not kept, as the day begins.
    assert kept_today == (now - day.start >= SETTLING), f"step {step}: kept"
    return reused


def _studied_card(session: Session, user: User, rng: random.Random, now: datetime):
    """A studied, active card due after today, if the learner has one."""
    cards = session.scalars(
        select(Card)
        .where(Card.user_id == user.id, Card.state != NEW, Card.due >= today(user, now).end)
        .where(Card.suspended.is_(False), Card.retired.is_(False))
        .order_by(Card.id)
    ).all()
    return rng.choice(cards) if cards else None


def _load_step(session: Session, user: User, now: datetime, rng: random.Random, write_bank):
    """One random thing done to the learner's cards, the load's own cases among them."""
    roll = rng.random()
    if roll < 0.08:  # a card due after today answered now
        card = _studied_card(session, user, rng, now)
        if card is not None:
            answer(Study.at(session, user, now), card, Rating.GOOD)
        return "early"
    if roll < 0.14:  # an answer logged for an earlier day
        earlier = now - timedelta(days=rng.randrange(1, 4), hours=rng.randrange(24))
        card, _ = next_card(Study.at(session, user, earlier), list(BANKS))
        if card is not None:
            answer(Study.at(session, user, earlier), card, Rating.GOOD)
        return "earlier"
    if roll < 0.18:
        set_study_day(session, user, rng.choice(ZONES), rng.randrange(24), now)
        return "zone"
    return _step(session, user, now, rng, write_bank)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_load_equals_a_fresh_count_after_a_random_walk(
    session: Session, write_bank, seed: int
) -> None:
    rng = random.Random(seed)
    user, other = ann_and_bob(session, new_per_day=12)
    now = T0
    answer_minutes_before(session, other, now, 12)  # kept beside ann's
    actions: Counter = Counter()
    reused = 0
    for number in range(200):
        action = _load_step(session, user, now, rng, write_bank)
        actions[action] += 1
        reused += check(session, user, now, (number, action))
        check(session, other, now, number)
        if number % 40 == 0:
            session.commit()
        now += rng.choice(
            [timedelta(seconds=20), timedelta(minutes=11), timedelta(hours=5), timedelta(days=1)]
        )
    assert actions["study"] > 50 and actions["early"] and actions["earlier"], actions
    assert actions["zone"] and actions["suspend"] and actions["reschedule"], actions
    # Most reads found the day's counts kept: answers alone do not clear them.
    assert reused > 60, reused
    remove_bank(session, session.get_one(Bank, "b"), now)
    check(session, user, now, "bank removed")
    session.execute(delete(User).where(User.id == other.id))
    assert not session.scalars(select(KeptLoad).where(KeptLoad.user_id == other.id)).all()
    session.commit()


def _studied_user(session: Session, now: datetime) -> User:
    """A learner with cards in review, due over the days ahead."""
    user = User(name="cy", password_hash="x", timezone="UTC", new_per_day=30)
    session.add(user)
    session.flush()
    at = now - timedelta(days=20)
    for _ in range(40):
        card, _ = next_card(Study.at(session, user, at), list(BANKS))
        if card is None:
            at += timedelta(days=1)
            continue
        answer(Study.at(session, user, at), card, Rating.EASY)
        at += timedelta(hours=7)
    session.commit()
    return user


def test_counts_that_may_miss_a_change_committed_meanwhile_are_not_kept(
    session: Session, monkeypatch
) -> None:
    """The load is counted while another request suspends one of its cards and commits:
    the counts, which may have missed it, are used for this request but not kept."""
    user = _studied_user(session, T0)
    victim = session.scalars(
        select(Card)
        .where(Card.user_id == user.id, Card.state != NEW, Card.due >= today(user, T0).end)
        .order_by(Card.due)
    ).first()
    assert victim is not None
    counted = services.load._counts

    def counted_meanwhile(*args, **kwargs):
        found = counted(*args, **kwargs)
        with db.engine.begin() as other:  # another request, on its own connection
            other.execute(update(Card).where(Card.id == victim.id).values(suspended=True))
        return found

    monkeypatch.setattr(services.load, "_counts", counted_meanwhile)
    DueLoad(session, user, T0).counts_on([T0.date()])
    session.commit()
    monkeypatch.setattr(services.load, "_counts", counted)
    assert kept_row(session, user).counts is None
    session.expire_all()
    assert dict((on, c) for on, c in DueLoad(session, user, T0).items() if c) == fresh_load(
        session, user, T0
    )
    assert kept_row(session, user).counts is not None


def test_an_answer_reads_the_kept_load_in_one_statement(session: Session) -> None:
    """Once the day's load is kept, an answer reads it as one row, whatever the window."""
    user = _studied_user(session, T0)
    DueLoad(session, user, T0).counts_on([T0.date()])  # counted and kept
    session.commit()
    session.refresh(user)  # the learner as a request holds them
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        load = DueLoad(session, user, T0)
        load.counts_on([T0.date() + timedelta(days=n) for n in range(1, 60)])
        load.counts_on([T0.date() + timedelta(days=90)])
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(statements) == 1 and "kept_loads" in statements[0], statements


def test_a_load_cleared_by_hand_is_cleared_for_the_triggers_too(session: Session) -> None:
    """``forget_load`` (after many changes at once) writes SQL's NULL, which the triggers
    read as counts being made, not JSON's null."""
    user = _studied_user(session, T0)
    DueLoad(session, user, T0).counts_on([T0.date()])
    forget_load(session, user.id)
    assert session.scalar(
        select(KeptLoad.user_id).where(KeptLoad.user_id == user.id, KeptLoad.counts.is_(None))
    )
    stamp = kept_row(session, user).stamp
    card = session.scalars(select(Card).where(Card.user_id == user.id, Card.state != NEW)).first()
    # Changed as an answer changes it: the load may be being counted, so a new stamp.
    session.execute(update(Card).where(Card.id == card.id).values(last_review=T0))
    assert kept_row(session, user).stamp == stamp + 1


def test_a_lost_row_is_made_again_and_kept_from_the_next_read(session: Session) -> None:
    user = _studied_user(session, T0)
    session.execute(delete(KeptLoad).where(KeptLoad.user_id == user.id))
    assert {on: c for on, c in DueLoad(session, user, T0).items() if c} == fresh_load(
        session, user, T0
    )
    assert kept_row(session, user).counts is None  # made again, counted on the next read
    DueLoad(session, user, T0).counts_on([T0.date()])
    assert kept_row(session, user).counts is not None


def test_an_answer_whose_learner_lost_the_row_makes_it_again(session: Session) -> None:
    """The row is read with the card (an outer join): missing, it is made again, as when
    the load reads it alone."""
    user = _studied_user(session, T0)
    session.execute(delete(KeptLoad).where(KeptLoad.user_id == user.id))
    card_id = session.scalar(
        select(Card.id).where(Card.user_id == user.id, Card.state != NEW).order_by(Card.due)
    )
    card = read_answer_card(session, card_id, user.id)
    assert card is not None and card.load is not None and card.load.stamp is None
    answer(Study.at(session, user, T0), card, Rating.GOOD)
    assert kept_row(session, user).counts is None  # made again, counted on the next read
    assert {on: c for on, c in DueLoad(session, user, T0).items() if c} == fresh_load(
        session, user, T0
    )
    assert kept_row(session, user).counts is not None


def _counted_meanwhile(monkeypatch, change) -> None:
    """Make the next count of a load run ``change`` on another connection, committed, just
    after it counted: as another request would."""
    counted = services.load._counts

    def counting(*args, **kwargs):
        found = counted(*args, **kwargs)
        with db.engine.begin() as other:
            change(other)
        monkeypatch.setattr(services.load, "_counts", counted)
        return found

    monkeypatch.setattr(services.load, "_counts", counting)


def test_an_answer_of_the_day_before_still_on_its_way_is_not_lost(
    session: Session, monkeypatch
) -> None:
    """As a study day begins, its load is counted while an answer made just before the day
    began is still being written: the triggers compare it with the day before's row, so the
    day's first counts are not kept."""
    user = _studied_user(session, T0)
    begins = today(user, T0).end
    card = session.scalars(
        select(Card).where(Card.user_id == user.id, Card.state != NEW).order_by(Card.id)
    ).first()
    card.due, card.last_review = begins - timedelta(hours=2), begins - timedelta(days=10)
    DueLoad(session, user, begins - timedelta(hours=1)).counts_on([T0.date()])  # the day before
    session.commit()
    assert kept_row(session, user).counts is not None
    answered = update(Card).where(Card.id == card.id)
    _counted_meanwhile(
        monkeypatch,
        lambda other: other.execute(
            answered.values(
                last_review=begins - timedelta(seconds=1), due=begins + timedelta(days=5)
            )
        ),
    )
    now = begins + timedelta(seconds=30)
    DueLoad(session, user, now).counts_on([T0.date()])
    session.commit()
    session.expire_all()
    row = kept_row(session, user)
    assert row.counts is None or row.day_start != today(user, now).start
    load = DueLoad(session, user, now + SETTLING)
    assert {on: c for on, c in load.items() if c} == fresh_load(session, user, now + SETTLING)
    assert kept_row(session, user).day_start == today(user, now).start  # kept, once settled


def test_counts_made_by_an_old_time_zone_are_not_kept(session: Session) -> None:
    """A request has read the learner (zone UTC) when another changes their zone, clearing
    the kept load, and commits; the first then counts the load by the zone it read. Those
    counts are not kept, though the new zone starts the day at the same instant."""
    user = _studied_user(session, T0)
    now = T0 + timedelta(hours=6)
    assert user.timezone == "UTC"
    with db.engine.begin() as other:  # another request, on its own connection
        other.execute(update(User).where(User.id == user.id).values(timezone="Europe/London"))
        forgotten = update(KeptLoad).where(KeptLoad.user_id == user.id)
        other.execute(forgotten.values(stamp=KeptLoad.stamp + 1, counts=None))
    DueLoad(session, user, now).counts_on([T0.date()])  # by the zone read before
    session.commit()
    assert kept_row(session, user).counts is None

"""The kept queue (``kept_queues``: what choosing the next card in a bank reads, kept between
requests, moved by answers and cleared by triggers on ``cards`` and ``questions``) against
the next card chosen afresh: after seeded random walks of answers, early answers, answers
logged for an earlier day, undos, buries, suspensions, reschedules and their undos, new
parameters, re-imports, time zone and limit changes, burials that end, and the passing of
days; changes committed by another request while the queue is walked or while an answer
moves it; and what a request reads once it is kept."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

import services.candidates
import services.kept_queue
from models import Bank, Card, KeptQueue, Question, User, db
from services.answer_sql import read_answer_card
from services.answers import answer
from services.bank_admin import remove_bank
from services.bank_import import import_bank
from services.context import Study, today
from services.kept_queue import QUEUE, forget_queues
from services.progress import set_study_day
from services.queue import _make_cards, next_card
from srs.scheduler import NEW, REVIEW, Rating
from srs.sources import load_bank
from tests.web.test_card_totals import BANKS, T0, ann_and_bob, answer_minutes_before
from tests.web.test_card_totals import session as session  # the fixture
from tests.web.test_kept_load import _load_step

LATER = (timedelta(hours=5), timedelta(days=1))


def _seen(card: Card | None, counts: dict) -> tuple:
    """What a learner sees of a choice: the card (by question and ordinal, since a card made
    twice, once in a rolled back savepoint, has two ids) and every bank's counts."""
    shown = None if card is None else (card.question_id, card.ordinal, card.state)
    return shown, {bank: c.to_dict() for bank, c in counts.items()}


def fresh_next(session: Session, user: User, now: datetime, banks: list[str]) -> tuple:
    """The next card chosen with nothing kept, in a savepoint rolled back after."""
    nested = session.begin_nested()
    forget_queues(session, user.id)
    Reads.counting = False
    try:
        seen = _seen(*next_card(Study.at(session, user, now), banks))
    finally:
        Reads.counting = True
    nested.rollback()
    return seen


class Reads:
    """Counts how each bank's candidates were read: from a kept row or by the walks."""

    counting = True

    def __init__(self, monkeypatch) -> None:
        self.counted: Counter = Counter()
        walk, from_kept = services.candidates._walk, services.candidates._from_kept
        refill = services.candidates._refill

        def walking(study, read, bank_ids, kept):
            self.counted["walked"] += len(bank_ids) * Reads.counting
            return walk(study, read, bank_ids, kept)

        def reading(study, read, banks, found):
            wrong = from_kept(study, read, banks, found)
            self.counted["kept"] += len(banks) - len(wrong)
            self.counted["wrong"] += len(wrong)
            return wrong

        def refilling(study, row, heads):
            self.counted["refilled"] += Reads.counting
            return refill(study, row, heads)

        monkeypatch.setattr(services.candidates, "_refill", refilling)
        monkeypatch.setattr(services.candidates, "_walk", walking)
        monkeypatch.setattr(services.candidates, "_from_kept", reading)


def check(session: Session, user: User, now: datetime, step: object) -> None:
    """The next card chosen from what is kept (all banks, then each) is the one chosen
    afresh, with the same counts."""
    for banks in (list(BANKS), *([bank] for bank in BANKS)):
        kept = _seen(*next_card(Study.at(session, user, now), banks))
        assert kept == fresh_next(session, user, now, banks), f"step {step}, banks {banks}"


def _walk_step(session: Session, user: User, now: datetime, rng: random.Random, write_bank):
    """One random thing done to the learner's cards or settings."""
    roll = rng.random()
    if roll < 0.04:
        user.reviews_per_day = rng.choice([2, 4, 200])
        return "limit"
    if roll < 0.06:  # a setting changed and put back, an answer in between
        limit = user.reviews_per_day
        user.reviews_per_day = limit + 1
        _load_step(session, user, now, rng, write_bank)
        user.reviews_per_day = limit
        return "limit put back"
    if roll < 0.07:
        user.new_per_day = rng.choice([0, 3, 12])
        return "new limit"
    if roll < 0.10:  # a burial that ends within the day (made under another zone, say)
        card = session.scalars(select(Card).where(Card.user_id == user.id)).first()
        if card is not None:
            card.buried_until = now + timedelta(minutes=rng.choice([5, 30]))
        return "short burial"
    return _load_step(session, user, now, rng, write_bank)


@pytest.mark.parametrize(("seed", "queue"), [(1, 6), (2, 6), (3, 6), (4, 6), (5, 1), (6, 1)])
def test_the_next_card_kept_is_the_one_chosen_afresh_after_a_random_walk(
    session: Session, write_bank, monkeypatch, seed: int, queue: int
) -> None:
    """Also with rows keeping one card of each kind, whose reviews run out often."""
    monkeypatch.setattr(services.kept_queue, "QUEUE", queue)
    rng = random.Random(seed)
    user, other = ann_and_bob(session, new_per_day=12)
    user.reviews_per_day = rng.choice([3, 200])
    now = T0
    answer_minutes_before(session, other, now, 12)  # kept beside ann's
    reads = Reads(monkeypatch)
    actions: Counter = Counter()
    for number in range(220):
        action = _walk_step(session, user, now, rng, write_bank)
        actions[action] += 1
        if rng.random() < 0.3:  # more happens before the next read
            continue
        check(session, user, now, (number, action))
        if number % 20 == 0:
            check(session, other, now, (number, "other"))
        if number % 30 == 0:
            session.commit()
        now += rng.choice(
            [timedelta(seconds=20), timedelta(minutes=3), timedelta(minutes=11), *LATER]
        )
    assert actions["study"] > 50 and actions["undo"] and actions["import"], actions
    assert actions["short burial"] and actions["limit"] and actions["earlier"], actions
    assert actions["limit put back"], actions
    # Most reads found their bank kept: answers move it, they do not clear it.
    assert reads.counted["kept"] > reads.counted["walked"], reads.counted
    assert reads.counted["wrong"] == 0, reads.counted
    assert queue > 1 or reads.counted["refilled"] > 5, reads.counted
    remove_bank(session, session.get_one(Bank, "b"), now)
    check_all = _seen(*next_card(Study.at(session, user, now), ["a"]))
    assert check_all == fresh_next(session, user, now, ["a"])
    session.execute(delete(User).where(User.id == other.id))
    assert not session.scalars(select(KeptQueue).where(KeptQueue.user_id == other.id)).all()


def _studied(session: Session, user: User, now: datetime, answers: int) -> None:
    """``user`` answers ``answers`` cards Good a day apart, up to ``now``, then commits."""
    for day in range(answers, 0, -1):
        at = now - timedelta(days=day)
        card, _ = next_card(Study.at(session, user, at), list(BANKS))
        answer(Study.at(session, user, at), card, Rating.GOOD)
    session.commit()


def _kept(session: Session, user: User, bank: str) -> KeptQueue:
    return session.execute(
        select(KeptQueue)
        .where(KeptQueue.user_id == user.id, KeptQueue.bank_id == bank)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _kept_now(session: Session, user: User, now: datetime) -> None:
    """Walk and keep every bank's queue (a first read makes the rows, a second keeps)."""
    for _ in range(2):
        next_card(Study.at(session, user, now), list(BANKS))
        session.commit()
    assert all(_kept(session, user, bank).kept is not None for bank in BANKS)


def test_a_queue_walked_while_another_request_suspends_its_card_is_not_kept(
    session: Session, monkeypatch
) -> None:
    """Another request suspends the card the walks found first and commits after they ran,
    before what they found is kept: it is used for this request, but not kept, and the next
    read does not show the card."""
    user, _ = ann_and_bob(session, new_per_day=5)
    now = T0 + timedelta(days=30)
    _studied(session, user, now, 6)
    _kept_now(session, user, now)
    forget_queues(session, user.id)
    session.commit()
    first, _ = next_card(Study.at(session, user, now), ["a"])
    session.rollback()
    assert first is not None
    keep = services.candidates.keep

    def kept_meanwhile(*args):
        with db.engine.begin() as other:  # another request, on its own connection
            other.execute(update(Card).where(Card.id == first.id).values(suspended=True))
        return keep(*args)

    monkeypatch.setattr(services.candidates, "keep", kept_meanwhile)
    next_card(Study.at(session, user, now), ["a"])
    session.commit()
    monkeypatch.setattr(services.candidates, "keep", keep)
    assert _kept(session, user, "a").kept is None
    session.expire_all()
    card, _ = next_card(Study.at(session, user, now), ["a"])
    assert card is None or card.id != first.id
    assert _seen(card, _) == fresh_next(session, user, now, ["a"])


def _due_reviews(session: Session, user: User, now: datetime, bank: str = "a") -> list[Card]:
    return session.scalars(
        select(Card)
        .where(Card.user_id == user.id, Card.bank_id == bank, Card.state == REVIEW)
        .where(Card.due < today(user, now).end)
        .order_by(Card.due, Card.id)
    ).all()


def test_two_answers_moving_one_kept_read_leave_nothing_stale(session: Session) -> None:
    """Two requests read the bank's kept queue at once, each with its card, and answer: the
    first moves the queue, the second, finding it changed, clears it."""
    user, _ = ann_and_bob(session, new_per_day=10)
    now = T0 + timedelta(days=40)
    _studied(session, user, now, 10)
    session.execute(
        update(Card).where(Card.user_id == user.id, Card.state == REVIEW).values(due=now)
    )
    session.commit()
    _kept_now(session, user, now)
    first, second = _due_reviews(session, user, now)[:2]
    read_first = read_answer_card(session, first.id, user.id)
    read_second = read_answer_card(session, second.id, user.id)
    assert read_first.queue == read_second.queue and read_first.queue[1] is not None
    stamp = read_first.queue[0]
    answer(Study.at(session, user, now), read_first, Rating.GOOD)
    assert _kept(session, user, "a").stamp == stamp + 1
    assert _kept(session, user, "a").kept is not None  # moved by the answer, not cleared
    answer(Study.at(session, user, now), read_second, Rating.GOOD)
    assert _kept(session, user, "a").kept is None
    session.commit()
    assert _seen(*next_card(Study.at(session, user, now), ["a"])) == fresh_next(
        session, user, now, ["a"]
    )


def test_a_change_of_a_banks_questions_clears_every_learners_queue_of_it(
    session: Session,
) -> None:
    """Which questions are shown, where, and with which cards: what choosing reads of them.
    A change of anything else of a question (its text, at an import) leaves the rows."""
    ann, bob = ann_and_bob(session, new_per_day=10)
    now = T0 + timedelta(days=40)
    for user in (ann, bob):
        _studied(session, user, now, 4)
        _kept_now(session, user, now)
    last = select(func.max(Question.id)).where(Question.bank_id == "a").scalar_subquery()
    session.execute(update(Question).where(Question.id == last).values(explanation="new"))
    assert _kept(session, ann, "a").kept is not None
    session.execute(update(Question).where(Question.id == last).values(retired=True))
    for user in (ann, bob):
        assert _kept(session, user, "a").kept is None
        assert _kept(session, user, "b").kept is not None


def test_a_read_and_an_answer_once_the_queue_is_kept(session: Session) -> None:
    """Once kept, choosing the next card reads the kept rows and the first cards they name,
    by id, in one statement (no walk of ``cards``), and an answer moves the row in one."""
    user, _ = ann_and_bob(session, new_per_day=10)
    now = T0 + timedelta(days=40)
    _studied(session, user, now, 10)
    _kept_now(session, user, now)
    session.refresh(user)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        card, _ = next_card(Study.at(session, user, now), list(BANKS))
        chosen = list(statements)
        statements.clear()
        answer(
            Study.at(session, user, now), read_answer_card(session, card.id, user.id), Rating.GOOD
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(chosen) == 1 and "kept_queues" in chosen[0], chosen
    assert "LIMIT" not in chosen[0] and "ORDER BY" not in chosen[0], chosen
    assert [s for s in statements if "kept_queues" in s and s.startswith("UPDATE")], statements
    assert _kept(session, user, card.bank_id).kept is not None
    session.commit()
    assert _seen(*next_card(Study.at(session, user, now), list(BANKS))) == fresh_next(
        session, user, now, list(BANKS)
    )


def _reviews_due_now(session: Session, limit: int = 200) -> tuple[User, datetime, list[Card]]:
    """ann, with every review card of hers due now, her queues kept, the review limit
    ``limit``; and her reviews of bank "a" due today, in order."""
    user, _ = ann_and_bob(session, new_per_day=10)
    now = T0 + timedelta(days=40)
    _studied(session, user, now, 10)
    due_now = update(Card).where(Card.user_id == user.id, Card.state == REVIEW).values(due=now)
    session.execute(due_now)
    user.reviews_per_day = limit
    session.commit()
    _kept_now(session, user, now)
    return user, now, _due_reviews(session, user, now)


def _same(session: Session, user: User, now: datetime, banks: list[str]) -> None:
    kept = _seen(*next_card(Study.at(session, user, now), banks))
    assert kept == fresh_next(session, user, now, banks)


def test_reviews_answered_past_the_limit_leave_none_to_show(session: Session) -> None:
    """With the review count kept up to the limit, more of the day's reviews are answered
    than it allows (a quiz's mistakes, any card sent to the API): none is left to show."""
    user, now, due = _reviews_due_now(session, limit=1)
    first, _ = next_card(Study.at(session, user, now), ["a"])
    answer(Study.at(session, user, now), read_answer_card(session, first.id, user.id), Rating.EASY)
    for card in due[:2]:
        answer(
            Study.at(session, user, now), read_answer_card(session, card.id, user.id), Rating.GOOD
        )
    session.commit()
    _same(session, user, now, ["a"])


@pytest.mark.parametrize("change", ["limit", "zone"])
def test_an_answer_while_nothing_usable_is_kept_clears_the_row(
    session: Session, change: str
) -> None:
    """A card is answered while the bank's row is not usable (another review limit, another
    zone); the setting is put back, which would make the row usable again without the
    answer in it."""
    user, now, due = _reviews_due_now(session)
    zone, hour, limit = user.timezone, user.rollover_hour, user.reviews_per_day
    if change == "limit":
        user.reviews_per_day = limit - 100
    else:
        set_study_day(session, user, "America/New_York", hour, now)
    session.commit()
    card = due[1]
    answer(Study.at(session, user, now), read_answer_card(session, card.id, user.id), Rating.AGAIN)
    session.commit()
    if change == "limit":
        user.reviews_per_day = limit
    else:
        set_study_day(session, user, zone, hour, now)
    session.commit()
    _same(session, user, now + timedelta(minutes=15), ["a"])


def test_an_answer_read_before_another_request_keeps_the_queue_is_in_it(
    session: Session,
) -> None:
    """An answer reads its card and an empty row; another device's request walks and keeps
    the queue before the answer is written: the answer clears what it kept."""
    user, now, due = _reviews_due_now(session)
    forget_queues(session, user.id)
    session.commit()
    read = read_answer_card(session, due[1].id, user.id)
    session.commit()
    with Session(db.engine) as other:  # another request, on its own connection
        next_card(Study.at(other, other.get_one(User, user.id), now), ["a"])
        other.commit()
    answer(Study.at(session, user, now), read, Rating.GOOD)
    session.commit()
    session.expire_all()
    _same(session, user, now, ["a"])


def test_a_question_retired_while_the_queue_is_walked_is_not_kept(
    session: Session, monkeypatch
) -> None:
    """An import retires the question the walks found lacking cards, and commits, before
    what they found is kept (the row empty): it is not kept."""
    user, _ = ann_and_bob(session, new_per_day=10)
    now = T0 + timedelta(days=40)
    _studied(session, user, now, 3)
    _kept_now(session, user, now)
    forget_queues(session, user.id)
    session.commit()
    keep, retired = services.candidates.keep, []

    def kept_meanwhile(sess, user_id, bank_id, stamp, kept):
        if bank_id == "a" and kept["lacking"] is not None and not retired:
            retired.append(kept["lacking"])
            with db.engine.begin() as other:
                retire = update(Question).where(Question.id == kept["lacking"])
                other.execute(retire.values(retired=True))
        return keep(sess, user_id, bank_id, stamp, kept)

    monkeypatch.setattr(services.candidates, "keep", kept_meanwhile)
    next_card(Study.at(session, user, now), ["a"])
    session.commit()
    monkeypatch.setattr(services.candidates, "keep", keep)
    assert retired and _kept(session, user, "a").kept is None
    _same(session, user, now, ["a"])


def test_a_row_kept_at_a_later_moment_is_not_used_before_it(session: Session) -> None:
    """Two requests, their moments out of order (a race, or two hosts' clocks): a burial
    that ended between them is not taken to have ended at the earlier one."""
    user, now, due = _reviews_due_now(session)
    due[1].buried_until = now + timedelta(seconds=1)
    session.commit()
    later = now + timedelta(seconds=2)
    for _ in range(2):
        next_card(Study.at(session, user, later), ["a"])
        session.commit()
    _same(session, user, now, ["a"])


def _plain_bank(session: Session, write_bank, count: int) -> list[Question]:
    """Bank "c" of ``count`` basic questions, none kin to another; its questions in order."""
    plain = "".join(
        f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}\n" for i in range(count)
    )
    files = {"bank.yaml": f"id: c\ntitle: C\nquestions:\n{plain}"}
    import_bank(session, load_bank(write_bank("c", files)))
    found = select(Question).where(Question.bank_id == "c").order_by(Question.position)
    return list(session.scalars(found))


def test_new_cards_answered_in_turn_are_read_from_the_kept_row(
    session: Session, write_bank, monkeypatch
) -> None:
    """A bank's kept row holds its first new cards in bank order: answering them one after
    another moves the row, with no walk, until a question lacking cards comes before the
    next one kept, whose cards are then made. Each choice is the one made afresh."""
    order = _plain_bank(session, write_bank, 9)
    user, _ = ann_and_bob(session, new_per_day=20)
    now = T0
    for question in order[:3]:  # the first three have their cards, then the sixth
        _make_cards(Study.at(session, user, now), question, placed=True)
    _make_cards(Study.at(session, user, now), order[5], placed=False)
    for _ in range(2):  # the first read makes the row, the second keeps what it walked
        next_card(Study.at(session, user, now), ["c"])
    session.commit()
    reads = Reads(monkeypatch)
    shown, walked = [], []
    for _ in range(7):
        card, counts = next_card(Study.at(session, user, now), ["c"])
        assert _seen(card, counts) == fresh_next(session, user, now, ["c"]), shown
        assert card is not None and card.state == NEW
        shown.append([question.id for question in order].index(card.question_id))
        walked.append(reads.counted["walked"])
        answer(
            Study.at(session, user, now), read_answer_card(session, card.id, user.id), Rating.GOOD
        )
        session.commit()
        now += timedelta(seconds=30)  # the cards answered are not due again yet
    assert shown == [0, 1, 2, 3, 4, 5, 6]  # in bank order
    # The first four read from the row, each moved by the answer before it (the fourth, the
    # question lacking cards it names). Making cards clears the row: the next read walks.
    assert walked == [0, 0, 0, 0, 1, 2, 2], walked
    assert reads.counted["wrong"] == 0, reads.counted


def test_reviews_past_those_kept_are_read_on_from_where_they_stopped(
    session: Session, write_bank, monkeypatch
) -> None:
    """A bank with more reviews due than its row keeps: once those kept are answered, the
    next ones are read from where they stopped, without walking every kind again; the
    cards chosen are the ones chosen afresh, in order of due, then id."""
    questions = _plain_bank(session, write_bank, 15)
    user, _ = ann_and_bob(session, new_per_day=20)
    now = T0 + timedelta(days=40)
    for question in questions:
        _make_cards(Study.at(session, user, now), question, placed=True)
    cards = session.scalars(select(Card).where(Card.user_id == user.id, Card.bank_id == "c"))
    for number, card in enumerate(cards):
        # Due now, some at the same moment (ordered by id), every one more than QUEUE.
        card.state, card.due, card.stability, card.difficulty = REVIEW, now, 5.0, 5.0
        card.due -= timedelta(minutes=number // 2)
        card.last_review, card.reps = now - timedelta(days=5), 1
    session.commit()
    due = _due_reviews(session, user, now, "c")
    assert len(due) > 2 * QUEUE
    for _ in range(2):  # the first read makes the row, the second keeps what it walked
        next_card(Study.at(session, user, now), ["c"])
    session.commit()
    reads = Reads(monkeypatch)
    shown = []
    for number in range(len(due)):
        card, counts = next_card(Study.at(session, user, now), ["c"])
        assert _seen(card, counts) == fresh_next(session, user, now, ["c"]), number
        assert card is not None
        shown.append(card.id)
        rating = Rating.AGAIN if number % 5 == 4 else Rating.GOOD  # some come back to learn
        answer(Study.at(session, user, now), read_answer_card(session, card.id, user.id), rating)
        session.commit()
        now += timedelta(seconds=20)  # the cards learnt again are not due yet
    assert shown == [card.id for card in due]
    assert reads.counted["walked"] == 0 and reads.counted["wrong"] == 0, reads.counted
    assert _kept(session, user, "c").kept["reviews"] == []

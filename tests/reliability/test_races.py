"""Two requests of one learner writing the same card at once, played out step by step in
two sessions: the loser runs again, and nothing is lost or stored twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import BankProgress, Card, Review, User, db
from models.bank import Bank as BankRow
from models.bank import BankFile, Question
from services import bank_import
from services.answers import answer, set_suspended, undo_last
from services.bank_import import import_bank
from services.bank_source import import_upload
from services.conflict import ATTEMPTS, committed
from services.context import Study
from services.progress import recount_learner
from services.queue import next_card
from srs.bank import Bank
from srs.scheduler import Rating
from srs.sources import load_bank, read_upload
from tests.reliability.harness import check_log
from tests.support import TEST_DATABASE_URL

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
BANK = """id: b
title: B
questions:
  - {id: q1, type: basic, prompt: front, answer: back}
  - {id: q2, type: reverse, prompt: left, answer: right}
"""


@pytest.fixture
def session(app: Flask, write_bank) -> Iterator[Session]:
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("b", {"bank.yaml": BANK})))
        db.session.add(User(name="ann", password_hash="x"))
        db.session.commit()
        yield db.session


@pytest.fixture
def other(session: Session) -> Iterator[Session]:
    """A second request's session, on its own connection."""
    with Session(db.engine) as second:
        yield second


def card_read_then_answered_elsewhere(
    session: Session, other: Session, token: str
) -> tuple[User, Card]:
    """This request reads the learner's first card; another answers it (with ``token``)
    and commits before this one writes."""
    user = session.scalars(select(User)).one()
    card, _ = next_card(Study.at(session, user, T0), ["b"])
    assert card is not None
    session.commit()
    assert card.reps == 0  # read: this request now answers the card as it was
    answer(Study.at(other, other.scalars(select(User)).one(), T0), other.get_one(Card, card.id), Rating.AGAIN, review_token=token)  # fmt: skip
    other.commit()
    return user, card


def test_an_answer_to_a_card_changed_meanwhile_fails_instead_of_overwriting(
    session: Session, other: Session
) -> None:
    user, card = card_read_then_answered_elsewhere(session, other, "phone")
    with pytest.raises(StaleDataError):
        answer(
            Study.at(session, user, T0 + timedelta(seconds=5)),
            card,
            Rating.EASY,
            review_token="laptop",
        )
        session.commit()


def test_two_answers_to_one_card_at_once_both_count_one_after_the_other(
    app: Flask, session: Session, other: Session
) -> None:
    user, card = card_read_then_answered_elsewhere(session, other, "phone")
    answered = committed(
        session,
        lambda: answer(
            Study.at(session, user, T0 + timedelta(seconds=5)),
            card,
            Rating.EASY,
            review_token="laptop",
        ),
    )
    assert not answered.repeated and answered.review.state_before == 1  # after the phone's
    assert card.reps == 2
    checked = check_log(app, None)
    assert checked.reviews == 2 and checked.problems == []


def test_the_same_answer_twice_at_once_is_stored_once(
    app: Flask, session: Session, other: Session
) -> None:
    user, card = card_read_then_answered_elsewhere(session, other, "token")
    answered = committed(
        session,
        lambda: answer(Study.at(session, user, T0), card, Rating.AGAIN, review_token="token"),
    )
    assert answered.repeated
    assert session.scalars(select(Review.review_token)).all() == ["token"]
    assert check_log(app, None).problems == []


def test_suspending_a_card_answered_meanwhile_keeps_that_answer(
    app: Flask, session: Session, other: Session
) -> None:
    _, card = card_read_then_answered_elsewhere(session, other, "phone")
    committed(session, lambda: set_suspended(card, True))
    assert card.suspended and card.reps == 1
    assert check_log(app, None).problems == []


def test_a_new_card_answered_elsewhere_while_being_chosen_is_passed_over(
    session: Session, other: Session
) -> None:
    user, phone = session.scalars(select(User)).one(), other.scalars(select(User)).one()
    taken, _ = next_card(Study.at(other, phone, T0), ["b"])
    assert taken is not None
    other.commit()
    meanwhile: list[str] = []

    def answer_meanwhile(_c: object, _cur: object, statement: str, *_: object) -> None:
        # After this request counted what is left, just before it reads the first new card.
        if not meanwhile and "ORDER BY cards.position" in statement:
            meanwhile.append(statement)
            answer(Study.at(other, phone, T0), taken, Rating.GOOD, review_token="phone")
            other.commit()

    event.listen(db.engine, "before_cursor_execute", answer_meanwhile)
    try:
        card, _ = next_card(Study.at(session, user, T0 + timedelta(seconds=1)), ["b"])
    finally:
        event.remove(db.engine, "before_cursor_execute", answer_meanwhile)
    assert meanwhile
    assert card is not None and card.question.key == "q2"


def test_a_transaction_that_keeps_losing_gives_up_with_the_error(session: Session) -> None:
    runs = []

    def losing() -> None:
        runs.append(1)
        raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        committed(session, losing)
    assert len(runs) == ATTEMPTS


def test_an_error_that_is_not_a_lost_race_is_not_run_again(session: Session) -> None:
    runs = []

    def failing() -> None:
        runs.append(1)
        raise ValueError("not a race")

    with pytest.raises(ValueError, match="not a race"):
        committed(session, failing)
    assert len(runs) == 1


# -- two imports of one bank at once -----------------------------------------------------------

NEW_BANK = """id: n
title: N
questions:
  - {id: n1, type: basic, prompt: front, answer: back}
"""


class _ReadBefore:
    """A session as it stood before another transaction made the bank: it finds no row."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, *_: object, **__: object) -> None:
        return None

    def __getattr__(self, name: str) -> object:
        return getattr(self._session, name)


@pytest.fixture
def raced(session: Session, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The first import of a bank loses a race: after it looked for the bank's row, another
    import of the same bank commits it (on its own connection). Lists the rivals' banks."""
    real = bank_import._bank_row
    rivals: list[str] = []

    def bank_row(own: Session, bank: Bank, now: datetime) -> object:
        if rivals:
            return real(own, bank, now)
        rivals.append(bank.id)
        with Session(db.engine) as rival:
            import_bank(rival, bank)
            rival.commit()
        return real(cast("Session", _ReadBefore(own)), bank, now)

    monkeypatch.setattr(bank_import, "_bank_row", bank_row)
    return rivals


def _one_bank_of_one_question(session: Session) -> None:
    session.rollback()
    assert session.scalars(select(BankRow.id).where(BankRow.id == "n")).all() == ["n"]
    assert session.scalars(select(Question.key).where(Question.bank_id == "n")).all() == ["n1"]


def test_an_upload_that_loses_the_race_for_a_new_bank_lands_as_an_update(
    session: Session, raced: list[str]
) -> None:
    data = NEW_BANK.encode()
    bank = read_upload("n.yaml", data, max_bytes=1_000_000)
    report = import_upload(session, bank, "n.yaml", data, 1_000_000)
    assert raced == ["n"]
    assert (report.created, report.added, report.unchanged) == (False, 0, 1)
    _one_bank_of_one_question(session)
    assert session.scalars(select(BankFile.text).where(BankFile.bank_id == "n")).all() == [NEW_BANK]
    assert session.get(BankRow, "n").source == "upload:n.yaml"


def test_a_bank_import_command_that_loses_the_race_lands_as_an_update(
    app: Flask, session: Session, raced: list[str], write_bank
) -> None:
    path = write_bank("n", {"bank.yaml": NEW_BANK})
    result = app.test_cli_runner().invoke(args=["bank", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert raced == ["n"]
    assert "n: 0 added, 0 updated, 0 retired, 1 unchanged" in result.output
    _one_bank_of_one_question(session)


# -- undo raced ------------------------------------------------------------------------------


def _answered_twice(session: Session) -> tuple[User, list[Card]]:
    """The learner's first two cards answered, one after the other."""
    user = session.scalars(select(User)).one()
    cards = []
    for n, token in enumerate(("first", "second")):
        card, _ = next_card(Study.at(session, user, T0 + timedelta(seconds=n)), ["b"])
        assert card is not None
        answer(Study.at(session, user, T0 + timedelta(seconds=n)), card, Rating.GOOD, review_token=token)  # fmt: skip
        session.commit()
        cards.append(card)
    return user, cards


def _before_statement(session: Session, starts: str, rival: Callable[[], None]) -> None:
    """Run ``rival`` (committed on its own connection) just before this session's first
    statement that starts with ``starts``."""
    ran: list[str] = []

    def run(_c: object, _cursor: object, statement: str, *_: object) -> None:
        if not ran and statement.lstrip().upper().startswith(starts):
            ran.append(statement)
            rival()

    event.listen(session.connection(), "before_cursor_execute", run)


def _counts_as_fresh(session: Session, user: User) -> None:
    session.rollback()
    counts = select(BankProgress.introduced, BankProgress.new_done)
    kept = [tuple(row) for row in session.execute(counts)]
    recount_learner(session, user, T0 + timedelta(minutes=1))
    assert kept == [tuple(row) for row in session.execute(counts)]
    assert all(n >= 0 for row in kept for n in row)


def test_two_undos_at_once_take_back_two_answers_and_count_each_once(
    app: Flask, session: Session
) -> None:
    user, cards = _answered_twice(session)

    def undo_elsewhere() -> None:
        with Session(db.engine) as rival:
            assert committed(rival, lambda: undo_last(rival, rival.scalars(select(User)).one()))

    _before_statement(session, "DELETE", undo_elsewhere)
    restored = committed(session, lambda: undo_last(session, user))
    assert restored is not None and restored.id == cards[0].id  # the one before the rival's
    assert session.scalars(select(Review)).all() == []
    assert check_log(app, None).problems == []
    _counts_as_fresh(session, user)


def _undo_raced_by_an_answer(app: Flask, session: Session, before: str) -> User:
    """The learner's last answer taken back while another request answers its card again,
    committed just before the undo's first statement starting with ``before``: the undo
    runs again and takes back the newer answer."""
    user, cards = _answered_twice(session)

    def answered_again_elsewhere() -> None:
        with Session(db.engine) as rival:
            card = rival.get_one(Card, cards[1].id)
            answer(Study.at(rival, rival.get_one(User, user.id), T0 + timedelta(seconds=9)), card, Rating.AGAIN, review_token="again")  # fmt: skip
            rival.commit()

    _before_statement(session, before, answered_again_elsewhere)
    assert committed(session, lambda: undo_last(session, user)) is not None
    assert session.scalars(select(Review.review_token).order_by(Review.id)).all() == ["first", "second"]  # fmt: skip
    assert check_log(app, None).problems == []
    return user


def test_an_undo_raced_by_an_answer_to_the_same_card_takes_back_the_newer_answer(
    app: Flask, session: Session
) -> None:
    user = _undo_raced_by_an_answer(app, session, "DELETE")
    _counts_as_fresh(session, user)


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="PostgreSQL only (WENGU_TEST_DATABASE_URL)")
def test_an_answer_committed_between_the_undos_delete_and_its_card_read_wins(
    app: Flask, session: Session
) -> None:
    """On PostgreSQL another answer to the card can commit after the undo deleted its log
    row (SQLite's writer lock keeps it out until the undo commits)."""
    user = _undo_raced_by_an_answer(app, session, "SELECT CARDS.")
    _counts_as_fresh(session, user)

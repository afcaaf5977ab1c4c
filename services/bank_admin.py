"""What an admin does to a whole bank: hide it from learners, show it again, remove it, give
it to a group (whose owners then edit it).

Removing deletes the bank with its questions, every learner's cards and reviews of it and the
quizzes taken on it, in the caller's transaction; the id is remembered so that the banks
shipped in ``quizzes/`` are not loaded back at the next start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, distinct, func, select, update
from sqlalchemy.orm import Session

from models.bank import Bank, Question, RemovedBank
from models.card import Card, Review
from models.quiz import Quiz

__all__ = [
    "BankContents",
    "bank_contents",
    "disown_banks",
    "forget_removal",
    "remove_bank",
    "set_group",
    "set_hidden",
]


@dataclass(frozen=True, slots=True)
class BankContents:
    """What removing a bank would delete, in numbers."""

    questions: int
    cards: int
    reviews: int
    learners: int
    quizzes: int


def set_hidden(bank: Bank, hidden: bool) -> None:
    """Hide ``bank`` from every learner, or show it again; the caller commits."""
    bank.hidden = hidden


def set_group(bank: Bank, group_id: int | None) -> None:
    """Make ``bank`` the own bank of group ``group_id`` (``None``: of no group); the group's
    owners then edit it in the browser. The caller commits."""
    bank.group_id = group_id


def disown_banks(session: Session, group_id: int) -> None:
    """Give back the banks of a group about to be deleted: they belong to no group."""
    session.execute(update(Bank).where(Bank.group_id == group_id).values(group_id=None))


def bank_contents(session: Session, bank_id: str) -> BankContents:
    """Count what removing the bank would delete (retired questions included)."""

    def count(*what: Any) -> int:
        return session.scalar(select(*what)) or 0

    return BankContents(
        questions=count(func.count(Question.id).filter(Question.bank_id == bank_id)),
        cards=count(func.count(Card.id).filter(Card.bank_id == bank_id)),
        reviews=count(func.count(Review.id).filter(Review.bank_id == bank_id)),
        learners=count(func.count(distinct(Card.user_id)).filter(Card.bank_id == bank_id)),
        quizzes=count(func.count(Quiz.id).filter(Quiz.bank_id == bank_id)),
    )


def remove_bank(session: Session, bank: Bank, now: datetime) -> BankContents:
    """Delete ``bank`` and everything of it, remembering its id; the caller commits.

    Every table that refers to a bank deletes its rows with it (``ON DELETE CASCADE``), so
    one statement removes the lot without loading a row of it.
    """
    contents = bank_contents(session, bank.id)
    bank_id, source = bank.id, bank.source
    session.expunge(bank)
    session.execute(delete(Bank).where(Bank.id == bank_id))
    removed = session.get(RemovedBank, bank_id)
    if removed is None:
        session.add(RemovedBank(id=bank_id, source=source, removed_at=now))
    else:
        removed.source, removed.removed_at = source, now
    session.flush()
    return contents


def forget_removal(session: Session, bank_id: str) -> None:
    """A bank imported again on purpose (``bank import``) may be loaded at start again."""
    session.execute(delete(RemovedBank).where(RemovedBank.id == bank_id))

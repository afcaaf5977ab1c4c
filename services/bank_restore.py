"""Retired questions, seen and brought back in the browser: a retired question is written back
into the bank's YAML from the fields stored for it, where a new question of its section would
go, and the bank imported again; the import finds its id and revives it, its cards and their
reviews as they were."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.bank import Bank, Question
from services.bank_edit import EditProblem, EditRefusedError, _commit, _home, _problems
from services.bank_import import ImportReport
from services.bank_source import lock_bank, open_source, read_changed
from srs.bank import BankError
from srs.yamledit import insert_question

__all__ = ["RetiredQuestion", "restore_question", "retired_question", "retired_questions"]


@dataclass(frozen=True, slots=True)
class RetiredQuestion:
    """A retired question: its id, type, section, when it was retired, its stored fields."""

    key: str
    type: str
    section: str | None
    retired_at: datetime
    values: dict[str, Any]


def _retired(question: Question) -> RetiredQuestion:
    values: dict[str, Any] = {"id": question.key, "type": question.type}
    values["section"] = question.section_key
    values["tags"] = list(question.tags or []) or None
    values |= {name: value for name, value in (question.content or {}).items()}
    values["explanation"] = question.explanation
    return RetiredQuestion(
        question.key, question.type, question.section_key, question.updated_at, values
    )


def retired_questions(session: Session, bank_id: str) -> list[RetiredQuestion]:
    """The bank's retired questions, the latest retired first."""
    rows = session.scalars(
        select(Question)
        .where(Question.bank_id == bank_id, Question.retired.is_(True))
        .order_by(Question.updated_at.desc(), Question.key)
    )
    return [_retired(question) for question in rows]


def retired_question(session: Session, bank_id: str, key: str) -> RetiredQuestion | None:
    """Question ``key`` if the bank has it retired, else ``None``."""
    question = session.scalar(
        select(Question).where(
            Question.bank_id == bank_id, Question.key == key, Question.retired.is_(True)
        )
    )
    return _retired(question) if question else None


def restore_question(session: Session, bank: Bank, key: str, max_bytes: int) -> ImportReport:
    """Write retired question ``key`` back into the bank's YAML (where a new question of its
    section goes) and import the bank again, committing: the same id comes back, its cards
    and their reviews kept.

    Raises:
        EditRefusedError: it is not retired, or the bank does not read with it back.
    """
    lock_bank(session, bank.id)
    retired = retired_question(session, bank.id, key)
    if retired is None:
        session.rollback()
        raise EditRefusedError((EditProblem(None, "", f"question '{key}' is not retired"),))
    source = open_source(session, bank)
    name, text, after = _home(session, source, bank.id, retired.section)
    values = {k: v for k, v in retired.values.items() if v not in (None, "", [])}
    new_text = insert_question(text, values, after)
    try:
        read = read_changed(session, source, {name: new_text}, max_bytes)
    except BankError as error:
        session.rollback()
        raise EditRefusedError(_problems(error, key)) from None
    return _commit(session, source, name, new_text, read)

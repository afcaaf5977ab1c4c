"""A bank's study notes as stored: the passage a question cites, and the coverage report.

The notes' texts live in ``bank_notes`` (kept by :mod:`services.bank_import`); what a heading,
an anchor or a passage is, and how coverage is counted, is :mod:`srs.notes` and
:mod:`srs.coverage`'s.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.bank import NotesFile
from services.bank_export import stored_bank
from srs.coverage import Coverage
from srs.coverage import bank_coverage as coverage_of
from srs.notes import Notes, Passage, resolve

__all__ = ["bank_coverage", "bank_notes", "passage_of"]


def bank_notes(session: Session, bank_id: str) -> tuple[Notes, ...]:
    """The notes files the bank keeps, in the order it lists them."""
    rows = session.execute(
        select(NotesFile.file, NotesFile.text)
        .where(NotesFile.bank_id == bank_id)
        .order_by(NotesFile.id)
    )
    return tuple(Notes(file, text) for file, text in rows)


def passage_of(session: Session, bank_id: str, ref: str) -> Passage | None:
    """The passage of the bank's notes that ``ref`` (``FILE#HEADING``) names, if any."""
    found = resolve(bank_notes(session, bank_id), ref)
    return found if isinstance(found, Passage) else None


def bank_coverage(session: Session, bank_id: str) -> Coverage | None:
    """How the bank's active questions cover its notes; ``None`` for no such bank."""
    bank = stored_bank(session, bank_id, rendered=False)
    return None if bank is None else coverage_of(bank)

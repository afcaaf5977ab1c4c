"""Between banks as read (``srs.bank``) and banks as stored: import and summaries.

Importing never commits: the caller decides what one transaction is (the CLI makes a whole
command one), so a failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from sqlalchemy import Table

import srs.bank
import srs.notes
from models.bank import Bank, Diagram, NotesFile, Question, RemovedBank, Section
from models.card import Card
from models.types import now_utc
from services.driver import copied
from services.progress import recount_bank
from srs.ahead import WorkAhead
from srs.bank_parts import Made
from srs.bulk import without_full_passes
from srs.faces import RENDERER_TAG, faces_of, keep_texts, question_faces, question_texts
from srs.kin import KinRead, diagram_words, kin_of, kin_read
from srs.questions import question_type
from srs.sources import bank_fingerprint, is_bank_source, read_bank

_log = logging.getLogger("wengu")

__all__ = [
    "AS_WRITTEN",
    "BankSummary",
    "ImportReport",
    "autoload_banks",
    "bank_summaries",
    "import_bank",
    "kept_faces",
    "refresh_faces",
    "refresh_kin",
]


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one import did to one bank."""

    bank: str
    created: bool
    added: int
    updated: int
    retired: int
    revived: int
    unchanged: int

    def __str__(self) -> str:
        revived = [f"{self.revived} revived"] if self.revived else []
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.retired} retired"]
        return f"{self.bank}: {', '.join([*parts, *revived, f'{self.unchanged} unchanged'])}"


@dataclass(frozen=True, slots=True)
class BankSummary:
    """A bank in numbers, as ``bank list`` shows it."""

    id: str
    title: str
    questions: int
    retired: int
    types: dict[str, int]
    diagrams: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _learner_facing(question: srs.bank.Question) -> dict[str, Any]:
    content = question.content()
    ordinals = list(question_type(question.type).card_ordinals(content))
    return {
        "type": question.type,
        "section_key": question.section,
        "tags": list(question.tags),
        "content": content,
        "explanation": question.explanation,
        "card_ordinals": ordinals,
        "card_count": len(ordinals),
    }


def _stored_facing(row: Any) -> dict[str, Any]:
    """What :func:`_learner_facing` gives, as ``row`` holds it."""
    fields = ("type", "section_key", "tags", "content", "explanation")
    return {name: getattr(row, name) for name in (*fields, "card_ordinals", "card_count")}


def _sync_sections(session: Session, row: Bank, sections: tuple[srs.bank.Section, ...]) -> None:
    existing = {section.key: section for section in row.sections}
    wanted = {section.id for section in sections}
    for key, stored_section in existing.items():
        if key not in wanted:
            session.delete(stored_section)
    for position, section in enumerate(sections):
        stored = existing.get(section.id)
        if stored is None:
            stored = Section(bank_id=row.id, key=section.id)
            session.add(stored)
        stored.title = section.title
        stored.parent_key = section.parent
        stored.coverage_skip = section.coverage_skip
        stored.position = position


def _sync_notes(session: Session, row: Bank, notes: tuple[srs.notes.Notes, ...]) -> None:
    existing = {stored.file: stored for stored in row.notes}
    wanted = {read.file for read in notes}
    for path, stored_notes in existing.items():
        if path not in wanted:
            session.delete(stored_notes)
    for read in notes:
        stored = existing.get(read.file)
        if stored is None:
            stored = NotesFile(bank_id=row.id, file=read.file)
            session.add(stored)
        stored.text = read.text


def _sync_diagrams(session: Session, row: Bank, diagrams: tuple[srs.bank.Diagram, ...]) -> None:
    existing = {diagram.path: diagram for diagram in row.diagrams}
    wanted = {diagram.path for diagram in diagrams}
    for path, stored_diagram in existing.items():
        if path not in wanted:
            session.delete(stored_diagram)
    for diagram in diagrams:
        digest = hashlib.sha256(diagram.data).hexdigest()
        stored = existing.get(diagram.path)
        if stored is None:
            stored = Diagram(bank_id=row.id, path=diagram.path)
            session.add(stored)
        elif stored.sha256 == digest:
            continue
        stored.media_type = diagram.media_type
        stored.sha256 = digest
        stored.data = diagram.data


# Rows per statement where a statement lists question ids: under SQLite's oldest limit of
# 999 bound parameters, with room for the ordinals.
_IDS_PER_STATEMENT = 900


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        yield ids[start : start + _IDS_PER_STATEMENT]


def _sync_cards(session: Session, kept: dict[tuple[int, ...], list[int]], gone: list[int]) -> None:
    """Retire every card of the questions ``gone``; of the questions in ``kept``, under the
    ordinals of the cards they still make, revive those cards and retire the others."""
    for chunk in _chunks(gone):
        session.execute(update(Card).where(Card.question_id.in_(chunk)).values(retired=True))
    for ordinals, question_ids in kept.items():
        for chunk in _chunks(question_ids):
            cards = update(Card).where(Card.question_id.in_(chunk))
            session.execute(cards.where(Card.ordinal.in_(ordinals)).values(retired=False))
            session.execute(cards.where(Card.ordinal.not_in(ordinals)).values(retired=True))


# The columns a question is written back from: rows of these cost a fraction of ORM objects,
# and an export reads every question of a bank.
AS_WRITTEN = (
    Question.key,
    Question.type,
    Question.section_key,
    Question.tags,
    Question.explanation,
    Question.source,
    Question.line,
    Question.passage,
    Question.content,
)


# What import compares and rewrites of a stored question, read as plain rows too.
_STORED = (
    Question.id,
    *AS_WRITTEN,
    Question.card_ordinals,
    Question.card_count,
    Question.position,
    Question.retired,
    Question.faces_of,
    Question.kin,
)


def _place_cards(session: Session, bank_id: str) -> None:
    """Copy each question's position to its cards, where it changed."""
    position = select(Question.position).where(Question.id == Card.question_id).scalar_subquery()
    session.execute(
        update(Card)
        .where(Card.bank_id == bank_id, Card.position != position)
        .values(position=position)
    )


@dataclass
class _Plan:
    """What an import writes to a bank's questions, worked out before anything is written."""

    counts: Counter[str] = field(default_factory=Counter)
    added: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    # Questions whose cards change, by the cards they make now.
    kept: dict[tuple[int, ...], list[int]] = field(default_factory=lambda: defaultdict(list))
    gone: list[int] = field(default_factory=list)
    moved: bool = False  # learners' progress in the bank must be counted again


def _bank_row(session: Session, bank: srs.bank.Bank, now: datetime) -> tuple[Bank, bool]:
    """The bank's row, made if new, with the bank's own fields; and whether it was made."""
    row = session.get(Bank, bank.id)
    created = row is None
    if row is None:
        row = Bank(id=bank.id)
        session.add(row)
    row.title = bank.title
    row.language = bank.language
    row.description = bank.description
    row.source = bank.source
    row.fingerprint = bank.fingerprint
    row.imported_at = now
    session.flush()
    return row, created


def _plan(bank: srs.bank.Bank, row: Bank, existing: dict[str, Any], now: datetime) -> _Plan:
    """Match ``bank``'s questions with the ``existing`` ones by id; those left are gone."""
    plan = _Plan()
    facing = [_learner_facing(question) for question in bank.questions]
    asked = [(q.type, facing[i]["content"], q.explanation) for i, q in enumerate(bank.questions)]
    made_from = [faces_of(*question, bank.language) for question in asked]
    ahead: list[Made | None] = [bank.made_ahead.get(key) for key in made_from]
    # The renderings kept are made anew for the questions whose texts changed, unless made
    # while the bank was read: by workers for a large bank, while the kin are found here.
    remade = [
        position
        for position, question in enumerate(bank.questions)
        if getattr(existing.get(question.id), "faces_of", None) != made_from[position]
    ]
    faces = {p: made.faces for p in remade if (made := ahead[p]) and made.faces is not None}
    making = [p for p in remade if p not in faces]
    with WorkAhead(question_faces, [(*asked[p], bank.language) for p in making]) as work:
        read = [made.kin if made else kin_read(*asked[i]) for i, made in enumerate(ahead)]
        kin = kin_of(read, labels=diagram_words(bank.diagrams))
        faces |= dict(zip(making, work.results(), strict=True))
    for position, question in enumerate(bank.questions):
        values = facing[position]
        place = (position, question.source, question.line, question.passage, kin[position])
        placement: dict[str, Any] = dict(
            zip(("position", "source", "line", "passage", "kin"), place, strict=True)
        )
        stored = existing.pop(question.id, None)
        if position in faces:
            placement |= {"faces": faces[position], "faces_of": made_from[position]}
        if stored is None:
            plan.added.append(
                {"bank_id": row.id, "key": question.id, "retired": False, "updated_at": now}
                | values
                | placement
            )
            plan.counts["added"] += 1
            continue
        revived = stored.retired
        changed = _stored_facing(stored) != values
        cards_changed = revived or stored.card_ordinals != values["card_ordinals"]
        plan.moved = plan.moved or cards_changed or stored.position != position
        plan.counts["revived" if revived else "updated" if changed else "unchanged"] += 1
        if changed or revived:
            plan.changes.append(
                {"id": stored.id, "retired": False, "updated_at": now} | values | placement
            )
        elif (stored.position, stored.source, stored.line, stored.passage, stored.kin) != place or (
            "faces" in placement
        ):
            plan.changes.append({"id": stored.id} | placement)
        if cards_changed:
            plan.kept[tuple(values["card_ordinals"])].append(stored.id)
    plan.gone = [stored.id for stored in existing.values() if not stored.retired]
    plan.counts["retired"] = len(plan.gone)
    return plan


def _write(session: Session, plan: _Plan, now: datetime) -> None:
    copied(session.connection(), cast("Table", Question.__table__), plan.added)
    if plan.changes:
        session.execute(update(Question), plan.changes)
    for chunk in _chunks(plan.gone):
        session.execute(
            update(Question).where(Question.id.in_(chunk)).values(retired=True, updated_at=now)
        )
    _sync_cards(session, plan.kept, plan.gone)
    session.flush()


@without_full_passes
def import_bank(session: Session, bank: srs.bank.Bank, now: datetime | None = None) -> ImportReport:
    """Add or update ``bank`` in ``session`` without committing.

    Questions are matched by id: a known one is updated in place (its cards and reviews
    stay), a new one is added, one that is no longer in the bank is retired, and a retired
    one whose id comes back is revived. Questions are written with bulk statements, not
    through ORM objects: a ``Question`` of this bank already loaded in ``session`` does not
    see the import until it is expired (a commit expires it).
    """
    now = now or now_utc()
    row, created = _bank_row(session, bank, now)
    _sync_sections(session, row, bank.sections)
    _sync_diagrams(session, row, bank.diagrams)
    _sync_notes(session, row, bank.notes)
    existing = {
        stored.key: stored
        for stored in session.execute(select(*_STORED).where(Question.bank_id == row.id))
    }
    plan = _plan(bank, row, existing, now)
    _write(session, plan, now)
    counts = plan.counts
    if not created and (plan.moved or counts["added"] or counts["retired"]):
        _place_cards(session, row.id)
        recount_bank(session, row.id)
    row.card_count = session.scalar(
        select(func.coalesce(func.sum(Question.card_count), 0)).where(
            Question.bank_id == row.id, Question.retired.is_(False)
        )
    )
    return ImportReport(
        bank=bank.id,
        created=created,
        added=counts["added"],
        updated=counts["updated"],
        retired=counts["retired"],
        revived=counts["revived"],
        unchanged=counts["unchanged"],
    )


def bank_summaries(session: Session, *, hidden: bool = True) -> list[BankSummary]:
    """Every bank with its counts: active questions, retired ones, per type, diagrams.
    ``hidden=False`` leaves out the banks an admin hid (the learners' list)."""
    per_type: dict[str, Counter[str]] = {}
    retired: Counter[str] = Counter()
    rows = session.execute(
        select(Question.bank_id, Question.type, Question.retired, func.count()).group_by(
            Question.bank_id, Question.type, Question.retired
        )
    )
    for bank_id, type_name, is_retired, count in rows:
        if is_retired:
            retired[bank_id] += count
        else:
            per_type.setdefault(bank_id, Counter())[type_name] += count
    diagrams: dict[str, int] = {
        bank_id: count
        for bank_id, count in session.execute(
            select(Diagram.bank_id, func.count()).group_by(Diagram.bank_id)
        )
    }
    summaries = []
    banks = select(Bank).order_by(Bank.id)
    for bank in session.scalars(banks if hidden else banks.where(Bank.hidden.is_(False))):
        types = per_type.get(bank.id, Counter())
        summaries.append(
            BankSummary(
                id=bank.id,
                title=bank.title,
                questions=sum(types.values()),
                retired=retired[bank.id],
                types={t: types[t] for t in srs.bank.QUESTION_TYPES if types[t]},
                diagrams=diagrams.get(bank.id, 0),
            )
        )
    return summaries


def kept_faces(session: Session, bank_id: str) -> set[str]:
    """What the kept renderings of the bank ``bank_id``'s stored questions (retired too) were
    made from: its reading to be imported makes none (:data:`srs.bank_parts.Importing`)."""
    found = session.scalars(select(Question.faces_of).where(Question.bank_id == bank_id))
    return {made_from for made_from in found if made_from}


def refresh_faces(session: Session) -> int:
    """Make the renderings (:mod:`srs.faces`) of active questions that have none (a
    database from before them) or whose were made by another renderer, from the questions
    as stored, and commit; returns how many questions were rendered."""
    stale = session.execute(
        select(Question.id, Question.type, Question.content, Question.explanation, Bank.language)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Question.retired.is_(False))
        .where(Question.faces_of.is_(None) | Question.faces_of.not_like(f"{RENDERER_TAG}%"))
    ).all()
    changes = []
    for row in stale:
        try:
            texts = question_texts(row.type, row.content, row.explanation, row.language)
            made_from = faces_of(row.type, row.content, row.explanation, row.language)
        except (KeyError, TypeError, ValueError) as error:
            # Stored by hand or by a broken version: left as it is (shown, it says it cannot
            # be), not allowed to stop the server from starting.
            _log.warning("question %d cannot be rendered as stored: %r", row.id, error)
            continue
        changes.append({"id": row.id, "faces": keep_texts(texts), "faces_of": made_from})
    if changes:
        session.execute(update(Question), changes)
    session.commit()
    return len(changes)


def refresh_kin(session: Session) -> int:
    """Work out the kin (:mod:`srs.kin`) of every bank holding an active question without
    them (a database from before them), from the questions and diagrams as stored, and
    commit; returns how many banks were worked out."""
    banks = session.scalars(
        select(Question.bank_id)
        .where(Question.retired.is_(False), Question.kin.is_(None))
        .distinct()
    ).all()
    for bank_id in banks:
        stored = session.execute(
            select(Question.id, Question.type, Question.content, Question.explanation)
            .where(Question.bank_id == bank_id, Question.retired.is_(False))
            .order_by(Question.position)
        ).all()
        read: list[KinRead] = []
        for row in stored:
            try:
                read.append(kin_read(row.type, row.content, row.explanation))
            except (KeyError, TypeError, ValueError) as error:  # as refresh_faces
                _log.warning("question %d cannot be read as stored: %r", row.id, error)
                read.append(kin_read("basic", {}, None))
        diagrams = session.execute(
            select(Diagram.path, Diagram.data).where(Diagram.bank_id == bank_id)
        ).all()
        kin = kin_of(read, labels=diagram_words(srs.bank.Diagram(*row) for row in diagrams))
        session.execute(
            update(Question),
            [{"id": row.id, "kin": near} for row, near in zip(stored, kin, strict=True)],
        )
    session.commit()
    return len(banks)


def autoload_banks(session: Session, folder: Path, max_bytes: int) -> list[str]:
    """Import the banks shipped in ``folder`` that are new or whose files changed.

    Each bank is its own transaction, committed here: one broken shipped bank is reported
    and skipped without keeping the others out. A bank an admin removed stays removed,
    known by its folder or, should the folder have moved, by its id. Returns one line per
    bank touched, those about failures starting with ``error``.
    """
    if not folder.is_dir():
        return []
    known = dict(session.execute(select(Bank.source, Bank.fingerprint)).tuples().all())
    removed = dict(session.execute(select(RemovedBank.id, RemovedBank.source)).tuples().all())
    lines = []
    for path in sorted(folder.iterdir()):
        if not is_bank_source(path):
            continue
        source = str(path)
        if source in removed.values() or known.get(source) == bank_fingerprint(path):
            continue
        try:
            bank = read_bank(path, max_bytes=max_bytes, importing=partial(kept_faces, session))
            if bank.id in removed:
                continue
            report = import_bank(session, bank)
            session.commit()
        except srs.bank.BankError as error:
            session.rollback()
            lines.append(f"error: shipped bank {source} was not loaded:\n{error}")
            continue
        except IntegrityError:
            # Another process started at the same moment and imported it first.
            session.rollback()
            continue
        lines.append(f"{'loaded' if report.created else 'updated'} {report}")
    return lines

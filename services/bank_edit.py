"""Questions edited in the browser: checked as ``bank check`` and ``bank lint`` check them,
written back into the one file and the lines that hold them, and the bank imported again.

A save is one transaction: the bank's row is held, the source read afresh and the question
compared with the version the editor started from (else :class:`EditConflictError`), the new text
read and checked (else :class:`EditRefusedError`, nothing written), the bank imported (questions
keyed by id, so reviews and schedules stay), and only then the file replaced; should the
commit fail, the file is put back.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

import srs.bank
from models.bank import Bank, Question
from models.group import OWNER, Membership
from models.user import User
from services.bank_import import ImportReport, import_bank
from services.bank_source import (
    BankSource,
    lock_bank,
    open_source,
    read_changed,
    restore_files,
    write_changed,
)
from srs.bank import BankError
from srs.lint import lint_bank
from srs.yamledit import (
    YamlEditError,
    insert_question,
    lines_of,
    question_places,
    question_values,
    question_version,
    remove_question,
    replace_question,
)

__all__ = [
    "Checked",
    "EditConflictError",
    "EditProblem",
    "EditRefusedError",
    "QuestionSource",
    "add_question",
    "check_draft",
    "id_problems",
    "may_edit",
    "new_question_files",
    "question_source",
    "retire_question",
    "save_question",
    "used_ids",
]


@dataclass(frozen=True, slots=True)
class EditProblem:
    """A problem or a lint warning: the form field at fault (``None`` for the question or
    the bank), where in the file, what; ``rule`` for a lint warning."""

    key: str | None
    where: str
    message: str
    rule: str | None = None
    # One of the form's own checks (``required``, ``id-format``, ``id-used``), which the
    # page says in its own language; ``None`` for the bank's checks, said in English.
    code: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "where": self.where,
            "message": self.message,
            "rule": self.rule,
            "code": self.code,
        }


@dataclass(frozen=True, slots=True)
class Checked:
    """A draft as the bank reads it: the question (``None`` if it does not read), the
    problems that keep it from being saved, and the linter's advice about it."""

    question: srs.bank.Question | None
    problems: tuple[EditProblem, ...]
    warnings: tuple[EditProblem, ...]


@dataclass(frozen=True, slots=True)
class QuestionSource:
    """A question as written: its file, its lines, their version, its keys' values."""

    file: str
    text: str
    version: str
    values: dict[str, Any]


class EditConflictError(Exception):
    """Someone saved the question since the editor opened it: ``theirs`` is its YAML now
    (``None`` if it was retired), ``mine`` what this save would have written."""

    def __init__(self, theirs: str | None, mine: str) -> None:
        super().__init__("the question changed since it was opened")
        self.theirs, self.mine = theirs, mine


class EditRefusedError(Exception):
    """The draft does not read as a bank: nothing was written."""

    def __init__(self, problems: tuple[EditProblem, ...]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def may_edit(session: Session, user: User, bank_id: str) -> bool:
    """Whether ``user`` edits the bank: an admin any bank, a group's owner the group's own
    banks (not those it merely studies: any learner may start a group studying any bank)."""
    if user.is_admin:
        return True
    return bool(
        session.scalar(select(owns_bank(user.id)).where(Bank.id == bank_id).select_from(Bank))
    )


def owns_bank(user_id: Any) -> Any:
    """Whether ``user_id`` owns the group whose bank is the enclosing query's ``banks`` row:
    what :func:`may_edit` asks of a learner who is not an admin, as a column to read with
    the bank."""
    return (
        exists()
        .where(
            Membership.user_id == user_id,
            Membership.role == OWNER,
            Membership.group_id == Bank.group_id,
        )
        .correlate(Bank)
    )


def used_ids(session: Session, bank_id: str) -> set[str]:
    """Every question id the bank ever had, retired ones too: an id is never used twice."""
    return set(session.scalars(select(Question.key).where(Question.bank_id == bank_id)))


def _find(source: BankSource, key: str) -> tuple[str, str] | None:
    """The file that holds question ``key``, and its text."""
    for name, text in source.files.items():
        try:
            if key in question_places(text):
                return name, text
        except YamlEditError:
            continue
    return None


def _lines(text: str, key: str) -> str:
    """The question's lines, to show: dedented to its ``-``."""
    place = question_places(text)[key]
    return textwrap.dedent("".join(lines_of(text)[place.start : place.end]))


def question_source(session: Session, bank: Bank, key: str) -> QuestionSource | None:
    """Question ``key`` as written in the bank's source, or ``None`` if it is not there."""
    source = open_source(session, bank)
    found = _find(source, key)
    if found is None:
        return None
    name, text = found
    return QuestionSource(
        name, _lines(text, key), question_version(text, key), question_values(text, key)
    )


# A well-formed id, as srs/validate.py reads one.
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}\Z")
_ABOUT = re.compile(r"question '(?P<id>[^']*)': (?P<rest>.*)", re.S)
_KEY = re.compile(r"'([a-z_]+)(?:\[\d+\])?'")
_REQUIRED = re.compile(r"missing required key '([a-z_]+)'")


def _problem_key(message: str, key: str) -> str | None:
    about = _ABOUT.match(message)
    if about is None or about["id"] != key:
        return None
    found = _KEY.search(about["rest"])
    return found.group(1) if found else None


def _problem(message: str, where: str, key: str) -> EditProblem:
    """A problem of the bank's checks, given to the field it is about (a missing required
    key as the form's own ``required`` check)."""
    field = _problem_key(message, key)
    if field is not None and _REQUIRED.search(message):
        return EditProblem(field, "", message, code="required")
    return EditProblem(field, where, message)


def _problems(error: BankError, key: str) -> tuple[EditProblem, ...]:
    return tuple(_problem(p.message, f"{p.file}:{p.line}:{p.column}", key) for p in error.problems)


def id_problems(session: Session, bank_id: str, question_id: str) -> tuple[EditProblem, ...]:
    """The new question's id as the form checks it: given, well formed, never used before
    (retired questions' ids too)."""
    if not question_id:
        return (EditProblem("id", "", "'id' is required", code="required"),)
    if not _ID.match(question_id):
        return (
            EditProblem("id", "", f"'id' '{question_id}' is not well formed", code="id-format"),
        )
    if question_id in used_ids(session, bank_id):
        return (EditProblem("id", "", f"'id' '{question_id}' was used before", code="id-used"),)
    return ()


def _warnings(bank: srs.bank.Bank, question: srs.bank.Question) -> tuple[EditProblem, ...]:
    places = {(line, column): name for name, line, column in question.key_places}
    start = question.line
    ends = [q.line for q in bank.questions if q.source == question.source and q.line > start]
    end = min(ends, default=10**9)
    found = []
    for warning in lint_bank(replace(bank, source="")).warnings:
        if warning.file != question.source or not start <= warning.line < end:
            continue
        key = places.get((warning.line, warning.column))
        where = f"{warning.file}:{warning.line}:{warning.column}"
        found.append(
            EditProblem(None if key == "id" else key, where, warning.message, warning.rule)
        )
    return tuple(found)


def _draft(
    session: Session, bank: Bank, key: str | None, values: Mapping[str, Any], max_bytes: int
) -> tuple[BankSource, str, str, str, srs.bank.Bank | None, tuple[EditProblem, ...]]:
    """The source, the file changed, its old and new text, and the bank as it then reads
    (``None``, with the problems, if it does not). ``key`` ``None`` adds ``values``."""
    source = open_source(session, bank)
    question_id = key or str(values.get("id") or "")
    if key is None:
        name, text, after = _home(session, source, bank.id, values.get("section"))
        new_text = insert_question(text, values, after)
    else:
        found = _find(source, key)
        if found is None:
            raise YamlEditError(f"no question '{key}' in the bank's files")
        name, text = found
        new_text = replace_question(text, key, values)
    try:
        read = read_changed(session, source, {name: new_text}, max_bytes)
    except BankError as error:
        return source, name, text, new_text, None, _problems(error, question_id)
    return source, name, text, new_text, read, ()


def _where_keys(source: BankSource) -> dict[str, str]:
    """Each question id of the source, mapped to the file that holds it."""
    found: dict[str, str] = {}
    for name, text in source.files.items():
        try:
            found |= dict.fromkeys(question_places(text), name)
        except YamlEditError:
            continue
    return found


def _homes(session: Session, source: BankSource, bank_id: str) -> dict[str, tuple[str, str | None]]:
    """Where a new question of each section goes (``""``: of no section): the file and the
    question it follows. A section's question goes after the last question of that section
    (in its file); one of no section, or of a section with no question yet, goes after the
    last question of the bank's last file that has questions."""
    files = _where_keys(source)
    last_file = next((name for name in reversed(source.files) if name in files.values()), None)
    last_key = next((k for k, name in reversed(files.items()) if name == last_file), None)
    fallback = (last_file or next(reversed(source.files)), last_key)
    homes: dict[str, tuple[str, str | None]] = {"": fallback}
    rows = session.execute(
        select(Question.key, Question.section_key)
        .where(Question.bank_id == bank_id, Question.retired.is_(False))
        .order_by(Question.position)
    )
    for key, section in rows:
        if section and key in files:
            homes[section] = (files[key], key)
    return homes


def new_question_files(session: Session, bank: Bank) -> dict[str, str]:
    """The file a new question of each of the bank's sections is written into (``""``: a
    question of no section)."""
    homes = _homes(session, open_source(session, bank), bank.id)
    fallback = homes[""][0]
    return {"": fallback} | {s.key: homes.get(s.key, (fallback,))[0] for s in bank.sections}


def _home(
    session: Session, source: BankSource, bank_id: str, section: object
) -> tuple[str, str, str | None]:
    """Where a new question goes (see :func:`_homes`): the file, its text, the question it
    follows."""
    homes = _homes(session, source, bank_id)
    name, after = homes.get(str(section or ""), homes[""])
    return name, source.files[name], after


def _stand_in(session: Session, bank_id: str) -> str:
    used = used_ids(session, bank_id)
    return next(
        f"new-question-{n}" for n in range(len(used) + 1) if f"new-question-{n}" not in used
    )


def check_draft(
    session: Session, bank: Bank, key: str | None, values: Mapping[str, Any], max_bytes: int
) -> Checked:
    """What saving ``values`` for question ``key`` (``None``: a new question) would give,
    without saving: the question read back, its problems and its lint warnings."""
    question_id = key or str(values.get("id") or "")
    if key is None and (taken := id_problems(session, bank.id, question_id)):
        # The other fields checked too, under an id no question has, to be said beside them.
        stand_in = _stand_in(session, bank.id)
        try:
            *_, problems = _draft(session, bank, None, {**values, "id": stand_in}, max_bytes)
        except YamlEditError:
            problems = ()
        return Checked(None, taken + tuple(p for p in problems if p.key is not None), ())
    try:
        *_, read, problems = _draft(session, bank, key, values, max_bytes)
    except YamlEditError as error:
        return Checked(None, (EditProblem(None, "", str(error)),), ())
    if read is None:
        return Checked(None, problems, ())
    question = next(q for q in read.questions if q.id == question_id)
    return Checked(question, (), _warnings(read, question))


def _commit(
    session: Session, source: BankSource, name: str, new_text: str, read: srs.bank.Bank
) -> ImportReport:
    report = import_bank(session, read)
    old = write_changed(session, source, {name: new_text})
    try:
        session.commit()
    except Exception:
        session.rollback()
        restore_files(source, old)
        raise
    return report


def _current(session: Session, bank: Bank, key: str, version: str) -> None:
    """Raise :class:`EditConflictError` unless question ``key`` is as ``version`` says."""
    found = _find(open_source(session, bank), key)
    if found is None:
        raise EditConflictError(None, "")
    if question_version(found[1], key) != version:
        raise EditConflictError(_lines(found[1], key), "")


def save_question(
    session: Session,
    bank: Bank,
    key: str,
    values: Mapping[str, Any],
    version: str,
    max_bytes: int,
) -> ImportReport:
    """Write ``values`` into question ``key`` and import the bank again, committing.

    Raises:
        EditConflictError: the question changed (or went) since ``version``; nothing written.
        EditRefusedError: the bank does not read with the change; nothing written.
    """
    lock_bank(session, bank.id)
    try:
        _current(session, bank, key, version)
    except EditConflictError as conflict:
        session.rollback()
        found = _find(open_source(session, bank), key)
        mine = _lines(replace_question(found[1], key, values), key) if found else ""
        raise EditConflictError(conflict.theirs, mine) from None
    source, name, _, new_text, read, problems = _draft(session, bank, key, values, max_bytes)
    if read is None:
        session.rollback()
        raise EditRefusedError(problems)
    return _commit(session, source, name, new_text, read)


def add_question(
    session: Session, bank: Bank, values: Mapping[str, Any], max_bytes: int
) -> ImportReport:
    """Add a question (``values`` with its ``id``, ``type`` and ``section``), committing.

    Raises:
        EditRefusedError: the id was used before, or the bank does not read with it.
    """
    lock_bank(session, bank.id)
    checked = check_draft(session, bank, None, values, max_bytes)
    if checked.problems:
        session.rollback()
        raise EditRefusedError(checked.problems)
    source, name, _, new_text, read, problems = _draft(session, bank, None, values, max_bytes)
    if read is None:
        session.rollback()
        raise EditRefusedError(problems)
    return _commit(session, source, name, new_text, read)


def retire_question(
    session: Session, bank: Bank, key: str, version: str, max_bytes: int
) -> ImportReport:
    """Take question ``key`` out of its file; the import retires it, its history kept.

    Raises:
        EditConflictError: the question changed (or went) since ``version``.
        EditRefusedError: the bank does not read without it (its last question, say).
    """
    lock_bank(session, bank.id)
    try:
        _current(session, bank, key, version)
    except EditConflictError:
        session.rollback()
        raise
    source = open_source(session, bank)
    name, text = _find(source, key) or ("", "")
    new_text = remove_question(text, key)
    try:
        read = read_changed(session, source, {name: new_text}, max_bytes)
    except BankError as error:
        session.rollback()
        raise EditRefusedError(_problems(error, key)) from None
    return _commit(session, source, name, new_text, read)

"""A bank's YAML source, wherever it lives: files on this server, or (for an upload) rows.

A bank read from a folder or a ``.yaml`` file on the server is edited there; any other bank
(an upload, a ``.zip`` or an Anki package) keeps its YAML files in ``bank_files``: the
upload's own text when it was YAML, else the bank as stored, written out once. Either way a
changed text is read as ``bank check`` reads a bank before anything is written, and a file
on disk is replaced atomically only after the import in the open transaction succeeded.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

import srs.bank
from models.bank import Bank, BankFile, Diagram, NotesFile
from models.types import now_utc
from services.bank_export import stored_bank
from services.bank_import import ImportReport, import_bank
from services.conflict import committed
from srs.archive import unpack_zip
from srs.bank import BANK_FILE, BankError, Problem
from srs.export import write_bank_folder
from srs.sources import load_bank

__all__ = [
    "BankSource",
    "import_upload",
    "keep_upload",
    "lock_bank",
    "open_source",
    "read_changed",
    "restore_files",
    "source_zip",
    "write_changed",
]

_YAML = (".yaml", ".yml")


@dataclass(frozen=True, slots=True)
class BankSource:
    """A bank's YAML files by name (``bank.yaml`` first), and where they live: ``root``, the
    folder or the one file on disk, or ``None`` when they are rows of ``bank_files``."""

    bank_id: str
    source: str
    root: Path | None
    files: dict[str, str]

    @property
    def on_disk(self) -> bool:
        return self.root is not None


def _disk_root(source: str) -> Path | None:
    if not source or source.startswith("upload:"):
        return None
    path = Path(source)
    if path.is_dir() and (path / BANK_FILE).is_file():
        return path
    if path.is_file() and path.suffix.lower() in _YAML:
        return path
    return None


def _yaml_files(folder: Path) -> dict[str, str]:
    names = sorted(p.name for p in folder.glob("*.yaml") if p.is_file() and p.name != BANK_FILE)
    return {name: (folder / name).read_text(encoding="utf-8") for name in [BANK_FILE, *names]}


def lock_bank(session: Session, bank_id: str) -> None:
    """Hold the bank's row until the transaction ends: two saves of one bank take turns, so
    the second reads the source the first wrote (a write on SQLite, a row lock elsewhere)."""
    session.execute(update(Bank).where(Bank.id == bank_id).values(fingerprint=Bank.fingerprint))


def open_source(session: Session, bank: Bank) -> BankSource:
    """The bank's YAML files as they now stand; a bank kept in rows with none yet gets
    them written from the bank as stored (in the open transaction)."""
    root = _disk_root(bank.source)
    if root is not None:
        if root.is_dir():
            return BankSource(bank.id, bank.source, root, _yaml_files(root))
        return BankSource(bank.id, bank.source, root, {root.name: root.read_text("utf-8")})
    rows = session.scalars(select(BankFile).where(BankFile.bank_id == bank.id)).all()
    if not rows:
        stored = stored_bank(session, bank.id, rendered=False)
        if stored is None:  # removed since it was read
            raise BankError([Problem(bank.id, 1, 1, "the bank is no longer on this server")])
        with tempfile.TemporaryDirectory(prefix="wengu-source-") as folder:
            files = _yaml_files(write_bank_folder(stored, Path(folder) / "bank"))
        _keep(session, bank.id, files)
        return BankSource(bank.id, bank.source, None, files)
    files = {row.path: row.text for row in rows}
    ordered = dict(sorted(files.items(), key=lambda item: (item[0] != BANK_FILE, item[0])))
    return BankSource(bank.id, bank.source, None, ordered)


def _keep(session: Session, bank_id: str, files: dict[str, str]) -> None:
    session.execute(delete(BankFile).where(BankFile.bank_id == bank_id))
    now = now_utc()
    for path, text in files.items():
        session.add(BankFile(bank_id=bank_id, path=path, text=text, updated_at=now))
    session.flush()


def import_upload(
    session: Session, bank: srs.bank.Bank, name: str, data: bytes, max_bytes: int
) -> ImportReport:
    """Import ``bank``, read from the upload ``data`` named ``name``, with its YAML kept
    (:func:`keep_upload`), and commit. Two uploads of one bank at once both land: the one
    that lost the race (the bank or its files made by the other first) runs again on what
    the other wrote, as an update."""
    named = replace(bank, source=f"upload:{name}")

    def work() -> ImportReport:
        report = import_bank(session, named)
        keep_upload(session, bank.id, name, data, max_bytes)
        return report

    try:
        return committed(session, work)
    except Exception:
        session.rollback()
        raise


def keep_upload(session: Session, bank_id: str, name: str, data: bytes, max_bytes: int) -> None:
    """Keep the YAML of an uploaded bank as written (comments and all), for editing; an
    Anki package has none, and gets the bank as stored when first edited."""
    suffix = Path(name).suffix.lower()
    if suffix in _YAML:
        _keep(session, bank_id, {BANK_FILE: data.decode("utf-8").removeprefix("\ufeff")})
    elif suffix == ".zip":
        with tempfile.TemporaryDirectory(prefix="wengu-upload-") as folder:
            archive = Path(folder) / "upload.zip"
            archive.write_bytes(data)
            root = unpack_zip(archive, Path(folder) / "bank", max_bytes=max_bytes, name=name)
            _keep(session, bank_id, _yaml_files(root))
    else:
        session.execute(delete(BankFile).where(BankFile.bank_id == bank_id))


@contextmanager
def _materialised(session: Session, source: BankSource, changed: dict[str, str]) -> Iterator[Path]:
    """A temporary copy of the bank with ``changed`` files in place, to be read."""
    with tempfile.TemporaryDirectory(prefix="wengu-edit-") as folder:
        files = source.files | changed
        if source.root is not None and source.root.is_file():
            target = Path(folder) / source.root.name
            target.write_text(files[source.root.name], encoding="utf-8")
            yield target
            return
        target = Path(folder) / "bank"
        if source.root is not None:
            shutil.copytree(source.root, target)
        else:
            target.mkdir()
            for diagram in session.scalars(
                select(Diagram).where(Diagram.bank_id == source.bank_id)
            ):
                path = target / diagram.path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(diagram.data)
            for notes in session.scalars(
                select(NotesFile).where(NotesFile.bank_id == source.bank_id)
            ):
                path = target / notes.file
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(notes.text, encoding="utf-8")
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8")
        yield target


def _fingerprint(files: dict[str, str], session: Session, bank_id: str) -> str:
    digest = hashlib.sha256()
    for name, text in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(text.encode()).digest())
    for sha in session.scalars(
        select(Diagram.sha256).where(Diagram.bank_id == bank_id).order_by(Diagram.path)
    ):
        digest.update(sha.encode())
    return digest.hexdigest()


def read_changed(
    session: Session, source: BankSource, changed: dict[str, str], max_bytes: int
) -> srs.bank.Bank:
    """The bank as it reads with ``changed`` files, checked as ``bank check`` checks it.

    Raises:
        BankError: every problem, each file named by its name in the bank.
    """
    with _materialised(session, source, changed) as path:
        shown = f"{path}/" if path.is_dir() else f"{path.parent}/"
        try:
            bank = load_bank(path, max_bytes=max_bytes)
        except BankError as error:
            problems = []
            for p in error.problems:
                file = p.file.replace(shown, "").replace(str(path), BANK_FILE)
                message = p.message.replace(shown, "").replace(str(path), BANK_FILE)
                problems.append(Problem(file, p.line, p.column, message))
            raise BankError(problems) from None
        fingerprint = (
            bank.fingerprint
            if source.on_disk
            else _fingerprint(source.files | changed, session, source.bank_id)
        )
    if bank.id != source.bank_id:
        raise BankError([Problem(BANK_FILE, 1, 1, f"bank: 'id' must stay '{source.bank_id}'")])
    return replace(bank, source=source.source, fingerprint=fingerprint)


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_changed(session: Session, source: BankSource, changed: dict[str, str]) -> dict[str, str]:
    """Write ``changed`` files where the bank lives: each file on disk replaced at once
    (never half written), or the rows updated in the open transaction. Returns the old
    texts of the files on disk, to put back should the transaction then fail."""
    if source.root is None:
        now = now_utc()
        for name, text in changed.items():
            row = session.scalar(
                select(BankFile).where(BankFile.bank_id == source.bank_id, BankFile.path == name)
            )
            if row is None:
                session.add(BankFile(bank_id=source.bank_id, path=name, text=text, updated_at=now))
            else:
                row.text, row.updated_at = text, now
        session.flush()
        return {}
    written: dict[str, str] = {}
    try:
        for name, text in changed.items():
            path = source.root if source.root.is_file() else source.root / name
            _atomic_write(path, text)
            written[name] = source.files[name]
    except OSError:
        restore_files(source, written)
        raise
    return written


def restore_files(source: BankSource, old: dict[str, str]) -> None:
    """Put back the files :func:`write_changed` replaced."""
    if source.root is None:
        return
    for name, text in old.items():
        _atomic_write(source.root if source.root.is_file() else source.root / name, text)


def source_zip(session: Session, source: BankSource) -> bytes:
    """The bank's YAML files as they now stand, with its diagrams and notes, zipped as a
    folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in source.files.items():
            archive.writestr(f"{source.bank_id}/{name}", text)
        for diagram in session.scalars(select(Diagram).where(Diagram.bank_id == source.bank_id)):
            archive.writestr(f"{source.bank_id}/{diagram.path}", diagram.data)
        for notes in session.scalars(select(NotesFile).where(NotesFile.bank_id == source.bank_id)):
            archive.writestr(f"{source.bank_id}/{notes.file}", notes.text)
    return buffer.getvalue()

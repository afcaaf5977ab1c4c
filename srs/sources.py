"""One reader for every bank source: a folder, a ``.yaml`` file, a ``.zip``, an Anki ``.apkg``.

:func:`read_bank` reads a bank from a path, choosing by what the path is; :func:`read_upload`
reads the bytes of an uploaded file as :func:`read_bank` reads the same file, naming every
problem by the uploaded file's name; :func:`read_banks` reads several at once. The command
line, the admin's upload and the shipped banks loaded at start all read through here, so a
source accepted by one is accepted by all, and a bad one gets the same problems, each naming
``file:line:column`` within the source (``docker.zip:bank.yaml:3:5``). Nothing is left
behind: archives and packages are unpacked into temporary folders removed afterwards.
"""

from __future__ import annotations

import hashlib
import posixpath
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from srs.anki.reader import read_apkg
from srs.archive import unpack_zip
from srs.bank import (
    BANK_FILE,
    DEFAULT_MAX_BYTES,
    DIAGRAM_FOLDER,
    IMAGE_TYPES,
    Bank,
    BankError,
    Diagram,
    Problem,
    size_over_limit,
)
from srs.bank_notes import NOTES_SUFFIXES
from srs.bank_parts import Header, Importing, Made, parts_ahead, read_file, read_parts
from srs.bulk import without_full_passes
from srs.export import write_bank_folder
from srs.svg import svg_problems
from srs.validate import BankReader
from srs.yamlread import Position

__all__ = [
    "SOURCE_SUFFIXES",
    "bank_fingerprint",
    "is_bank_source",
    "load_bank",
    "read_bank",
    "read_banks",
    "read_upload",
]

# The files read as a bank by their suffix; any other file is read as YAML.
SOURCE_SUFFIXES = (".yaml", ".yml", ".zip", ".apkg")


def is_bank_source(path: Path) -> bool:
    """Whether ``path`` is a bank source: a folder holding ``bank.yaml``, or a bank file."""
    if path.is_dir():
        return (path / BANK_FILE).is_file()
    return path.is_file() and path.suffix.lower() in SOURCE_SUFFIXES


@without_full_passes
def read_bank(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, importing: Importing | None = None
) -> Bank:
    """Read and validate the bank at ``path``: a folder, a YAML file, a ``.zip`` of a bank
    folder or an Anki ``.apkg`` package.

    The bank's ``source`` is ``path`` as given, and its ``fingerprint`` a hash of the files
    there, which changes whenever they do. A bank read to be imported says so with
    ``importing`` (:func:`load_bank`).

    Raises:
        BankError: with every problem found, each file named by ``path`` as the caller
            wrote it, joined with the place in the source (``docker.zip:bank.yaml``).
    """
    path = Path(path)
    suffix = path.suffix.lower() if path.is_file() else ""
    if suffix == ".zip":
        return _read_zip(path, max_bytes, importing)
    if suffix == ".apkg":
        return _read_apkg(path, max_bytes, importing)
    return load_bank(path, max_bytes=max_bytes, importing=importing)


def read_upload(
    name: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    importing: Importing | None = None,
) -> Bank:
    """The bank in the bytes of an uploaded file called ``name`` (no folders).

    Read as :func:`read_bank` reads a file of that name, with the same problems, each
    naming ``name`` rather than where the bytes were put to be read.

    Raises:
        BankError: as :func:`read_bank`.
    """
    suffix = posixpath.splitext(name)[1].lower()
    with tempfile.TemporaryDirectory(prefix="wengu-upload-") as folder:
        path = Path(folder) / f"upload{suffix if suffix in SOURCE_SUFFIXES else '.yaml'}"
        path.write_bytes(data)
        try:
            bank = read_bank(path, max_bytes=max_bytes, importing=importing)
        except BankError as error:
            raise _renamed(error, [(str(path), name)]) from None
    return replace(bank, source=name)


def read_banks(
    paths: Iterable[str | Path],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    importing: Importing | None = None,
) -> list[Bank]:
    """Read several banks; fail with the problems of all of them if any is bad.

    Two paths that hold banks with the same id are a problem too.
    """
    banks: list[Bank] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            bank = read_bank(path, max_bytes=max_bytes, importing=importing)
        except BankError as error:
            problems.extend(error.problems)
            continue
        if bank.id in seen:
            message = f"bank: 'id' '{bank.id}' is also the id of {seen[bank.id]}"
            problems.append(Problem(bank.source, 1, 1, message))
            continue
        seen[bank.id] = bank.source
        banks.append(bank)
    if problems:
        raise BankError(problems)
    return banks


def _renamed(error: BankError, names: list[tuple[str, str]]) -> BankError:
    """``error`` with each temporary path in its problems replaced by the name shown."""
    problems = []
    for problem in error.problems:
        file, message = problem.file, problem.message
        for temporary, shown in names:
            file = file.replace(temporary, shown)
            message = message.replace(temporary, shown)
        problems.append(Problem(file, problem.line, problem.column, message))
    return BankError(problems)


def _read_zip(path: Path, max_bytes: int, importing: Importing | None) -> Bank:
    """The bank folder zipped in ``path``, unpacked into a temporary folder and read there."""
    with tempfile.TemporaryDirectory(prefix="wengu-zip-") as folder:
        unpacked = Path(folder) / "bank"
        root = unpack_zip(path, unpacked, max_bytes=max_bytes, name=str(path))
        try:
            bank = load_bank(root, max_bytes=max_bytes, importing=importing)
        except BankError as error:
            raise _renamed(
                error, [(f"{unpacked}/", f"{path}:"), (str(unpacked), str(path))]
            ) from None
    return replace(bank, source=str(path), fingerprint=bank_fingerprint(path))


def _read_apkg(path: Path, max_bytes: int, importing: Importing | None) -> Bank:
    """The notes of an Anki package as a bank, checked as any bank is.

    The package is turned into a bank folder and loaded from there, so that every rule
    of the format (and every message) is the loader's.
    """
    bank = read_apkg(path, max_bytes=max_bytes)
    with tempfile.TemporaryDirectory(prefix="wengu-apkg-") as folder:
        written = write_bank_folder(bank, Path(folder) / bank.id)
        try:
            loaded = load_bank(written, max_bytes=max_bytes, importing=importing)
        except BankError as error:
            raise _renamed(error, [(str(written), str(path))]) from None
    return replace(loaded, source=str(path), fingerprint=bank_fingerprint(path))


# -- a folder or a YAML file ---------------------------------------------------------------


def bank_fingerprint(path: str | Path) -> str:
    """A hash of every file a bank is read from, to tell cheaply whether it changed."""
    path = Path(path)
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file() and _is_bank_file(path, p)]
    else:
        files = [path] if path.is_file() else []
    digest = hashlib.sha256()
    for file in sorted(files):
        name = file.relative_to(path).as_posix() if path.is_dir() else file.name
        digest.update(name.encode() + b"\0" + hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()


def _is_bank_file(root: Path, file: Path) -> bool:
    if file.parent == root and file.suffix == ".yaml":
        return True
    return file.suffix.lower() in IMAGE_TYPES or file.suffix.lower() in NOTES_SUFFIXES


@without_full_passes
def load_bank(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, importing: Importing | None = None
) -> Bank:
    """Read and validate the bank at ``path``: a folder with ``bank.yaml``, or one YAML file.

    A bank read to be imported says so with ``importing``, which gives, for the bank's id,
    what the renderings of its stored questions were made from (or ``None``, not known): a
    large bank's files read by workers then have them make what importing their questions
    makes (``made_ahead``).

    Raises:
        BankError: with every problem found; file names in it are ``path`` joined with the
            file's place in the bank, as the caller wrote ``path``.
    """
    path = Path(path)
    shown = str(path)
    root, files = _bank_files(path)
    display_root = shown if root is not None else str(path.parent)
    reader = BankReader(root, display_root, max_bytes)
    folder = display_root if root is not None else None
    named = [
        (file, posixpath.join(folder, file.name) if folder is not None else shown) for file in files
    ]
    with reader.ahead:
        header, made = _read_files(reader, named, importing)
        reader.check_renderings()
    diagrams = _read_diagrams(reader)
    # A bank that keeps its notes may have no questions yet: `bank init` makes one.
    if not reader.questions and not reader.notes and not reader.problems:
        reader.file(shown).problem(Position(1, 1), "the bank has no questions")
    if reader.problems or header is None:
        # The bank's files in the order read, then any other (its diagrams) as found.
        names = [name for _, name in named] + [problem.file for problem in reader.problems]
        order = {name: index for index, name in enumerate(dict.fromkeys(names))}
        raise BankError(sorted(reader.problems, key=lambda p: (order[p.file], p.line, p.column)))
    bank_id, title, language, description = header
    return Bank(
        id=bank_id,
        title=title,
        language=language,
        description=description,
        sections=tuple(reader.sections.values()),
        questions=tuple(reader.questions),
        diagrams=tuple(diagrams),
        notes=reader.notes,
        source=shown,
        fingerprint=bank_fingerprint(path),
        made_ahead=made,
    )


def _read_files(
    reader: BankReader, named: list[tuple[Path, str]], importing: Importing | None
) -> tuple[Header | None, dict[str, Made]]:
    """Reads the bank's files (``bank.yaml`` first), each a path and the name its problems
    give, with ``reader``; the bank's header, and what importing its questions makes if it
    was made while they were read (:func:`srs.bank_parts.read_parts`)."""
    header = read_file(reader, *named[0], first=True)
    # The renderings of each file's texts begin while the next is read.
    reader.ahead.send()
    if parts_ahead(named[1:]):
        kept = importing(header[0]) if importing is not None and header is not None else None
        return header, read_parts(reader, named[1:], header[2] if header else None, kept)
    for path, name in named[1:]:
        read_file(reader, path, name)
        reader.ahead.send()
    return header, {}


def _bank_files(path: Path) -> tuple[Path | None, list[Path]]:
    """The bank's folder (``None`` for a single file) and its YAML files, ``bank.yaml`` first."""
    if path.is_dir():
        if not (path / BANK_FILE).is_file():
            raise BankError([Problem(str(path), 1, 1, f"no {BANK_FILE} in this folder")])
        parts = sorted(p for p in path.glob("*.yaml") if p.name != BANK_FILE and p.is_file())
        return path, [path / BANK_FILE, *parts]
    if path.is_file():
        return None, [path]
    raise BankError([Problem(str(path), 1, 1, "no such file or folder")])


def _read_diagrams(reader: BankReader) -> list[Diagram]:
    """The diagrams of the bank ``reader`` read: those its texts refer to and every image
    in its ``diagrams/`` folder, each within the size limit and, for an SVG, harmless."""
    root = reader.root
    if root is None:
        return []
    paths = dict(reader.diagram_refs)
    folder = root / DIAGRAM_FOLDER
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix.lower() in IMAGE_TYPES:
                relative = path.relative_to(root).as_posix()
                if (root / relative).resolve().is_relative_to(root.resolve()):
                    paths.setdefault(relative, None)
    diagrams = []
    for relative in sorted(paths):
        full = root / relative
        shown = reader.display_root
        out = reader.file(posixpath.join(shown, relative) if shown else relative)
        size = full.stat().st_size
        if size > reader.max_bytes:
            out.problem(Position(1, 1), f"file is {size_over_limit(size, reader.max_bytes)}")
            continue
        data = full.read_bytes()
        if relative.lower().endswith(".svg"):
            for position, message in svg_problems(data):
                out.problem(position, message)
        diagrams.append(Diagram(relative, data))
    return diagrams

"""Bank archives: a ``.zip`` of a bank folder, unpacked without trusting what it claims.

:func:`unpack_zip` writes the files of an uploaded archive into a folder and returns the folder
that holds ``bank.yaml``, ready for :func:`srs.sources.read_bank`. An archive that could write
outside that folder (absolute paths, ``..``, backslashes, drive letters, symbolic links), that
is encrypted, or that is too big or has too many entries is refused with a
:class:`srs.bank.BankError` whose problems name the archive entry at fault.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
import zlib
from pathlib import Path

from srs.bank import BANK_FILE, BankError, Problem, printable, size_over_limit

__all__ = ["MAX_FILES", "TOTAL_FACTOR", "ZIP_ERRORS", "unpack_zip"]

MAX_FILES = 2000
# A bank may unpack to this many times the size limit of one file, all files together.
TOTAL_FACTOR = 20

_CHUNK = 64 * 1024
_DRIVE = re.compile(r"[A-Za-z]:")


# What zipfile raises on a damaged archive: bad headers, bad data, a version or compression
# method it does not know.
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    NotImplementedError,
    EOFError,
    OSError,
    ValueError,
)


class _TooBigError(Exception):
    """An entry unpacked to more bytes than allowed, whatever its header declared."""


def _path_problem(name: str) -> str | None:
    """Why an entry's path could land outside the folder it is unpacked into, if it could,
    or could not be named on one line."""
    if printable(name) != name:
        return "the path has a control character"
    if "\\" in name:
        return "the path has a backslash; paths in a zip archive use '/'"
    if _DRIVE.match(name):
        return "the path starts with a drive letter"
    if name.startswith("/"):
        return "the path is absolute"
    if ".." in name.split("/"):
        return "the path leaves the archive's folder ('..')"
    return None


def _entry_problem(info: zipfile.ZipInfo, max_bytes: int) -> str | None:
    """Why one entry may not be unpacked, judged by its header alone."""
    problem = _path_problem(info.filename)
    if problem:
        return problem
    if stat.S_ISLNK(info.external_attr >> 16):
        return "a symbolic link; the archive may hold only files and folders"
    if info.flag_bits & 0x1:
        return "encrypted; make the archive without a password"
    if info.file_size > max_bytes:
        return f"file is {size_over_limit(info.file_size, max_bytes)}"
    return None


def _check(
    infos: list[zipfile.ZipInfo], name: str, max_bytes: int, max_files: int
) -> list[Problem]:
    """Every problem the archive's headers show, before anything is written."""
    if len(infos) > max_files:
        return [
            Problem(name, 1, 1, f"the archive has {len(infos)} entries; the limit is {max_files}")
        ]
    problems = []
    seen: set[str] = set()
    for info in infos:
        message = _entry_problem(info, max_bytes)
        if message is None and info.filename.rstrip("/") in seen:
            message = "the name appears twice in the archive"
        seen.add(info.filename.rstrip("/"))
        if message:
            problems.append(Problem(f"{name}:{info.filename}", 1, 1, message))
    total = sum(info.file_size for info in infos)
    if total > TOTAL_FACTOR * max_bytes:
        problems.append(
            Problem(
                name,
                1,
                1,
                f"the archive unpacks to {size_over_limit(total, TOTAL_FACTOR * max_bytes)}",
            )
        )
    return problems


def _extract(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int, max_bytes: int
) -> int:
    """Write one entry to ``target``, counting its bytes; returns how many were written."""
    written = 0
    with archive.open(info) as source, target.open("xb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            # zipfile stops at the declared size today; the server's disk does not rest on it.
            if written > max_bytes:
                raise _TooBigError(f"file is over the limit of {max_bytes / 1e6:g} MB")
            if written > budget:
                raise _TooBigError("the archive unpacks to more than its limit")
            out.write(chunk)
    return written


def _unpack_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, budget: int, max_bytes: int
) -> int:
    """Write one entry under ``dest``; returns how many bytes it took.

    Raises:
        _TooBigError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError:
            as reading or writing the entry found.
    """
    parts = [part for part in info.filename.split("/") if part not in ("", ".")]
    if not parts:
        return 0
    target = dest.joinpath(*parts)
    if info.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        return 0
    target.parent.mkdir(parents=True, exist_ok=True)
    return _extract(archive, info, target, budget, max_bytes)


def _bank_folder(dest: Path, name: str) -> Path:
    if (dest / BANK_FILE).is_file():
        return dest
    folders = [folder for folder in sorted(dest.iterdir()) if (folder / BANK_FILE).is_file()]
    if len(folders) == 1:
        return folders[0]
    raise BankError(
        [Problem(name, 1, 1, f"no {BANK_FILE} at the top of the archive or in one folder there")]
    )


def unpack_zip(
    data: bytes | Path,
    dest: Path,
    *,
    max_bytes: int,
    max_files: int = MAX_FILES,
    name: str = "archive.zip",
) -> Path:
    """Unpack the zip archive ``data`` into ``dest``; returns the folder holding ``bank.yaml``.

    That folder is ``dest`` itself, or the one folder at the archive's top that holds
    ``bank.yaml`` (as when a bank folder was zipped whole).

    Args:
        data: the archive's bytes, or the path of the archive.
        dest: an empty folder, made if missing. On failure it may hold part of the archive:
            pass a temporary one.
        max_bytes: the largest a file may be once unpacked; all files together may be
            ``TOTAL_FACTOR`` times that.
        max_files: the most entries (files and folders) the archive may have.
        name: the archive's name, to name it and its entries in problems
            (``name:entry``).

    Raises:
        BankError: the data is not a zip archive, or an entry may not be unpacked; each
            problem names the entry, or the archive when it is about the whole.
    """
    try:
        archive = zipfile.ZipFile(data if isinstance(data, Path) else io.BytesIO(data))
    except ZIP_ERRORS:
        raise BankError([Problem(name, 1, 1, "not a zip archive")]) from None
    with archive:
        infos = archive.infolist()
        problems = _check(infos, name, max_bytes, max_files)
        if problems:
            raise BankError(problems)
        dest.mkdir(parents=True, exist_ok=True)
        budget = TOTAL_FACTOR * max_bytes
        for info in infos:
            try:
                budget -= _unpack_entry(archive, info, dest, budget, max_bytes)
            except _TooBigError as error:
                message = str(error)
            except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
                message = f"damaged, or its header gives false sizes ({error})"
            except NotImplementedError as error:
                message = f"cannot be unpacked: {error}"
            except OSError as error:
                message = f"cannot be unpacked here: {error.strerror or error}"
            else:
                continue
            raise BankError([Problem(f"{name}:{info.filename}", 1, 1, message)])
    return _bank_folder(dest, name)

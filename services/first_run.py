"""First-run setup: the one-time code that proves whoever opens ``/setup`` runs the server.

A fresh server has no account, and ``/setup`` makes its admin: without a code, that admin is
whoever reaches the address first. The code is printed in the server's log at start (and
kept in the instance folder, so that every worker of one server accepts the same one), or
set by the host in ``WENGU_SETUP_CODE`` (for several hosts sharing one database).
"""

from __future__ import annotations

import hmac
import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["CODE_FILE", "code_matches", "forget_setup_code", "setup_code", "setup_link"]

CODE_FILE = "setup_code"
# No 0/O or 1/I/L: the code is read from a terminal and typed into a form.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def kept_in_instance(path: Path, make: Callable[[], str]) -> str:
    """The value kept in ``path``, made by ``make`` and written there on first use.

    Written aside and linked into place, so that workers starting at the same moment all
    read the one value that won, never an empty or half-written file.
    """
    if path.exists():
        return path.read_text().strip()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "w") as file:
            file.write(make() + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        os.unlink(temporary)
    return path.read_text().strip()


def setup_code(instance: Path, configured: str | None = None) -> str:
    """The code ``/setup`` asks for: ``configured`` when the host set one, otherwise the one
    kept in ``instance``, made on first use."""
    if configured and configured.strip():
        return configured.strip()
    return kept_in_instance(instance / CODE_FILE, _new_code)


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def code_matches(expected: str, given: str | None) -> bool:
    """Whether ``given`` is the setup code, ignoring case, spaces and dashes; compared in
    constant time, so that timing tells nothing about how much of a guess was right."""
    return bool(given) and hmac.compare_digest(
        _normalised(expected).encode(), _normalised(given or "").encode()
    )


def forget_setup_code(instance: Path) -> None:
    """Remove the kept code once the admin exists: it has done its one job."""
    (instance / CODE_FILE).unlink(missing_ok=True)


def setup_link(base_url: str, code: str) -> str:
    """The first-run address with its code, as printed in the log."""
    return f"{base_url.rstrip('/')}/setup?code={code}"

"""Hostile banks through every way in: ``bank check``, ``bank import`` and the admin upload.

Each bad bank must be refused with its problem as ``file:line:column: message`` naming the
right place, never a traceback, and must leave the database exactly as it was (one import is
one transaction). The API has no way to send a bank, so these two are all the ways in.
"""

from __future__ import annotations

import html
import io
import re
import stat
import time
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from srs.bank import BankError
from srs.sources import read_bank
from tests.reliability.hostile import CORPUS, GOOD_BANK, HostileBank
from tests.reliability.hostile_apkg import APKG_CORPUS, HostileApkg, good_apkg
from tests.support import Auth, csrf_token, dump, make_user

_PROBLEMS = re.compile(r'<div class="problems" role="alert">.*?<pre>(.*?)</pre>', re.S)


def _write(root: Path, files: dict[str, bytes]) -> Path:
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def _zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _report_problem(lines: list[str], prefix: str, case: HostileBank) -> str | None:
    """What is wrong with the lines a bad bank was refused with, or ``None``.

    Every line must be ``file:line:column: message``, and the expected problem among them.
    """
    if not lines:
        return f"{case.name}: no problem reported"
    for line in lines:
        if not re.match(r".+:\d+:\d+: \S", line) or "Traceback" in line:
            return f"{case.name}: not file:line:column: message: {line!r}"
    where = f"{prefix}{case.file}:{case.line}:{case.column}: "
    if not any(line.startswith(where) and case.message in line for line in lines):
        return f"{case.name}: expected {where}…{case.message}… in {lines}"
    return None


@pytest.fixture
def imported(app: Flask, runner: FlaskCliRunner, tmp_path: Path) -> Path:
    """A good bank with the id every hostile bank uses, already imported."""
    good = _write(tmp_path / "good", {"bank.yaml": GOOD_BANK})
    assert runner.invoke(args=["bank", "import", str(good)]).exit_code == 0
    return good


@pytest.mark.parametrize("command", ["check", "import"])
def test_the_command_line_refuses_every_hostile_bank(
    app: Flask, runner: FlaskCliRunner, imported: Path, tmp_path: Path, command: str
) -> None:
    before = dump(app)
    failures = []
    for case in CORPUS:
        root = _write(tmp_path / case.name, case.files)
        result = runner.invoke(args=["bank", command, str(root)])
        if result.exit_code != 1 or not isinstance(result.exception, SystemExit | None):
            failures.append(f"{case.name}: exit {result.exit_code}: {result.output}")
        elif not re.fullmatch(_final_line(command), result.stderr):
            failures.append(f"{case.name}: stderr {result.stderr!r}")
        else:
            failures.append(_report_problem(result.stdout.splitlines(), f"{root}/", case))
    assert [failure for failure in failures if failure] == []
    assert dump(app) == before
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_a_hostile_bank_among_good_ones_imports_none_of_them(
    app: Flask, runner: FlaskCliRunner, imported: Path, tmp_path: Path
) -> None:
    other = _write(tmp_path / "other", {"bank.yaml": GOOD_BANK.replace(b"id: x", b"id: y", 1)})
    roots = [_write(tmp_path / case.name, case.files) for case in CORPUS]
    before = dump(app)
    result = runner.invoke(args=["bank", "import", str(other), *map(str, roots)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    failures = [
        _report_problem(lines, f"{root}/", case) for case, root in zip(CORPUS, roots, strict=True)
    ]
    assert [failure for failure in failures if failure] == []
    assert dump(app) == before


@pytest.fixture
def as_admin(client: FlaskClient, app: Flask, auth: Auth) -> FlaskClient:
    make_user(app, "mei", admin=True)
    auth.login("mei")
    return client


def _upload(client: FlaskClient, name: str, data: bytes) -> tuple[int, list[str]]:
    # Encoded here, in memory: the test client would spool a large body to a temporary file
    # that it never closes (a ResourceWarning in some later test).
    boundary, body = encode_multipart(
        {"csrf_token": csrf_token(client), "bank": FileStorage(io.BytesIO(data), name)}
    )
    response = client.post(
        "/admin/banks", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    found = _PROBLEMS.search(response.get_data(as_text=True))
    lines = html.unescape(found.group(1)).splitlines() if found else []
    return response.status_code, lines


def _single_file(case: HostileBank) -> HostileBank:
    """An uploaded .yaml is named by its own name, not as a file inside a bank."""
    return HostileBank(
        case.name, case.kind, case.files, f"{case.name}.yaml", case.line, case.column, case.message
    )


@pytest.mark.parametrize("form", ["zip", "yaml"])
def test_the_upload_refuses_every_hostile_bank(
    app: Flask, as_admin: FlaskClient, imported: Path, form: str
) -> None:
    before = dump(app)
    failures = []
    for case in CORPUS:
        if form == "zip":
            status, lines = _upload(as_admin, f"{case.name}.zip", _zipped(case.files))
            prefix = f"{case.name}.zip:"
        elif case.single_file:
            status, lines = _upload(as_admin, f"{case.name}.yaml", case.files["bank.yaml"])
            prefix, case = "", _single_file(case)
        else:
            continue
        failures.append(
            f"{case.name}: status {status}"
            if status != 422
            else _report_problem(lines, prefix, case)
        )
    assert [failure for failure in failures if failure] == []
    assert dump(app) == before


def _entry(name: str, data: bytes, *, mode: int | None = None, flags: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    if mode is not None:
        info.external_attr = mode << 16
    info.flag_bits |= flags
    return info


def _archive(*entries: tuple[zipfile.ZipInfo | str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return buffer.getvalue()


ARCHIVES = {
    "dot-dot-entry": (
        _archive(("bank.yaml", GOOD_BANK), ("../../evil.yaml", b"x")),
        "../../evil.yaml:1:1: ",
    ),
    "absolute-entry": (
        _archive(("bank.yaml", GOOD_BANK), ("/etc/cron.d/evil", b"x")),
        "/etc/cron.d/evil:1:1: ",
    ),
    "backslash-entry": (
        _archive(("bank.yaml", GOOD_BANK), ("..\\evil.yaml", b"x")),
        "..\\evil.yaml:1:1: ",
    ),
    "drive-letter-entry": (
        _archive(("bank.yaml", GOOD_BANK), ("C:/evil.yaml", b"x")),
        "C:/evil.yaml:1:1: ",
    ),
    "symbolic-link": (
        _archive(
            ("bank.yaml", GOOD_BANK),
            (_entry("diagrams/d.svg", b"/etc/passwd", mode=stat.S_IFLNK | 0o777), b"/etc/passwd"),
        ),
        "diagrams/d.svg:1:1: a symbolic link",
    ),
    "too-many-entries": (
        _archive(("bank.yaml", GOOD_BANK), *((f"diagrams/{i}.svg", b"") for i in range(2001))),
        "1:1: the archive has 2002 entries; the limit is 2000",
    ),
    "zip-bomb": (
        _archive(
            ("bank.yaml", GOOD_BANK),
            *((f"diagrams/{i}.png", b"\0" * (5 * 1024 * 1024)) for i in range(21)),
        ),
        "1:1: the archive unpacks to",
    ),
    "not-a-zip": (b"PK\x03\x04 this is no archive", "1:1: "),
    "no-bank-file": (_archive(("questions.yaml", GOOD_BANK)), "1:1: "),
}


@pytest.mark.parametrize("name", ARCHIVES)
def test_the_upload_refuses_a_hostile_archive(
    app: Flask, as_admin: FlaskClient, imported: Path, name: str, tmp_path: Path
) -> None:
    data, expected = ARCHIVES[name]
    before = dump(app)
    status, lines = _upload(as_admin, f"{name}.zip", data)
    assert status == 422
    assert len(lines) >= 1 and all(re.match(r".+:\d+:\d+: \S", line) for line in lines), lines
    assert any(line.startswith(f"{name}.zip:") and expected in line for line in lines), lines
    assert dump(app) == before
    assert not list(Path("/etc/cron.d").glob("evil*"))


def _package_problem(lines: list[str], prefix: str, case: HostileApkg) -> str | None:
    if not lines:
        return f"{case.name}: no problem reported"
    for line in lines:
        if not re.match(r".+:\d+:\d+: \S", line) or "Traceback" in line:
            return f"{case.name}: not file:line:column: message: {line!r}"
    if not any(line.startswith(prefix) and case.message in line for line in lines):
        return f"{case.name}: expected {prefix}…{case.message}… in {lines}"
    return None


def test_the_hostile_package_family_is_large() -> None:
    assert len(APKG_CORPUS) >= 20
    assert len({case.name for case in APKG_CORPUS}) == len(APKG_CORPUS)


@pytest.mark.parametrize("command", ["check", "import"])
def test_the_command_line_refuses_every_hostile_package(
    app: Flask, runner: FlaskCliRunner, imported: Path, tmp_path: Path, command: str
) -> None:
    good = tmp_path / "good.apkg"
    good.write_bytes(good_apkg())
    assert runner.invoke(args=["bank", "check", str(good)]).exit_code == 0
    before = dump(app)
    failures = []
    for case in APKG_CORPUS:
        path = tmp_path / f"{case.name}.apkg"
        path.write_bytes(case.package())
        result = runner.invoke(args=["bank", command, str(path)])
        if result.exit_code != 1 or not isinstance(result.exception, SystemExit | None):
            failures.append(f"{case.name}: exit {result.exit_code}: {result.output}")
        elif not re.fullmatch(_final_line(command), result.stderr):
            failures.append(f"{case.name}: stderr {result.stderr!r}")
        else:
            failures.append(_package_problem(result.stdout.splitlines(), f"{path}:", case))
    assert [failure for failure in failures if failure] == []
    assert dump(app) == before


def test_the_upload_refuses_every_hostile_package(
    app: Flask, as_admin: FlaskClient, imported: Path
) -> None:
    before = dump(app)
    failures = []
    for case in APKG_CORPUS:
        status, lines = _upload(as_admin, f"{case.name}.apkg", case.package())
        failures.append(
            f"{case.name}: status {status}"
            if status != 422
            else _package_problem(lines, f"{case.name}.apkg:", case)
        )
    assert [failure for failure in failures if failure] == []
    assert dump(app) == before
    status, lines = _upload(as_admin, "good.apkg", good_apkg())
    assert (status, lines) == (302, [])


def test_a_recursive_view_is_refused_at_once(tmp_path: Path) -> None:
    """The package that made an import run for ever is refused before any query on notes."""
    case = next(case for case in APKG_CORPUS if case.name == "notes-a-recursive-view")
    path = tmp_path / "spin.apkg"
    path.write_bytes(case.package())
    started = time.perf_counter()
    with pytest.raises(BankError, match="a view 'notes'"):
        read_bank(path, max_bytes=5 * 1024 * 1024)
    assert time.perf_counter() - started < 5


_OVERLAY = (
    '<div class="overlay" style="position: fixed; inset: 0" id="help">overlay-marker</div>'
    '<span class="flash flash-error">flash-marker</span>'
)


def _overlay_package() -> bytes:
    import genanki

    model = genanki.Model(1, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "C", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])  # fmt: skip
    deck = genanki.Deck(2, "Phish")
    deck.add_note(genanki.Note(model=model, fields=[_OVERLAY, _OVERLAY]))
    buffer = io.BytesIO()
    genanki.Package(deck).write_to_file(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("form", ["yaml", "apkg"])
def test_bank_content_cannot_put_an_overlay_on_the_page(
    app: Flask, as_admin: FlaskClient, form: str
) -> None:
    """Raw HTML with the app's classes, a style or an id shows as plain elements."""
    if form == "yaml":
        prompt = _OVERLAY.replace("'", "''")
        bank = f"id: phish\ntitle: P\nquestions:\n  - {{id: q, type: basic, prompt: '{prompt}', answer: a}}\n"
        status, lines = _upload(as_admin, "phish.yaml", bank.encode())
        bank_id = "phish"
    else:
        status, lines = _upload(as_admin, "phish.apkg", _overlay_package())
        bank_id = "anki-phish"
    assert (status, lines) == (302, [])
    page = as_admin.get(f"/banks/{bank_id}").get_data(as_text=True)
    for marker in ("overlay-marker", "flash-marker"):
        tags = re.findall(rf"<(\w+)([^>]*)>{marker}<", page)
        assert tags and all(attributes == "" for _, attributes in tags), (marker, tags)


def _final_line(command: str) -> str:
    """What a command that refused a bank says last: only ``import`` imports."""
    imported = "; nothing was imported" if command == "import" else ""
    return rf"\d+ problems?{imported}\.\n"

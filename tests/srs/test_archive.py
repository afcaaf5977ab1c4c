"""Unpacking an uploaded bank archive: what may not leave its folder or fill the disk."""

from __future__ import annotations

import io
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from srs.archive import unpack_zip
from srs.bank import BankError
from srs.sources import load_bank

BANK = "id: z\ntitle: Z\nquestions:\n  - {id: q, type: basic, prompt: p, answer: '![d](diagrams/x.svg)'}\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><title>x</title></svg>'
LIMIT = 1000


def make_zip(*entries: tuple[str | zipfile.ZipInfo, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def problems(data: bytes, dest: Path, **limits: int) -> list[str]:
    with pytest.raises(BankError) as caught:
        unpack_zip(data, dest, name="up.zip", **({"max_bytes": LIMIT} | limits))
    return [str(problem) for problem in caught.value.problems]


def test_a_good_zip_unpacks_to_a_loadable_bank(tmp_path: Path) -> None:
    data = make_zip(("bank.yaml", BANK), ("diagrams/x.svg", SVG))
    root = unpack_zip(data, tmp_path / "out", max_bytes=LIMIT)
    assert root == tmp_path / "out"
    bank = load_bank(root, max_bytes=LIMIT)
    assert (bank.id, [d.path for d in bank.diagrams]) == ("z", ["diagrams/x.svg"])


def test_a_bank_folder_zipped_whole_gives_that_folder(tmp_path: Path) -> None:
    data = make_zip(
        ("docker/", b""),
        ("docker/bank.yaml", BANK),
        ("docker/diagrams/x.svg", SVG),
        ("__MACOSX/docker/._bank.yaml", b"\0"),
    )
    assert unpack_zip(data, tmp_path, max_bytes=LIMIT) == tmp_path / "docker"


def test_an_archive_without_bank_yaml_is_refused(tmp_path: Path) -> None:
    assert problems(make_zip(("notes.md", "x")), tmp_path) == [
        "up.zip:1:1: no bank.yaml at the top of the archive or in one folder there"
    ]


def test_zip_slip_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    data = make_zip(("bank.yaml", BANK), ("../evil.yaml", "x"), ("a/../../evil2.yaml", "x"))
    assert problems(data, tmp_path / "out") == [
        "up.zip:../evil.yaml:1:1: the path leaves the archive's folder ('..')",
        "up.zip:a/../../evil2.yaml:1:1: the path leaves the archive's folder ('..')",
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("/etc/evil.yaml", "the path is absolute"),
        ("C:/evil.yaml", "the path starts with a drive letter"),
        ("..\\evil.yaml", "the path has a backslash; paths in a zip archive use '/'"),
    ],
)
def test_paths_that_could_leave_the_folder_are_refused(
    tmp_path: Path, entry: str, message: str
) -> None:
    assert problems(make_zip(("bank.yaml", BANK), (entry, "x")), tmp_path) == [
        f"up.zip:{entry}:1:1: {message}"
    ]


@pytest.mark.parametrize("entry", ["\nbank.yaml", "a\x1b[31m.yaml", "b\u202e.yaml"])
def test_a_name_with_a_control_character_is_refused_and_shown_on_one_line(
    tmp_path: Path, entry: str
) -> None:
    [problem] = problems(make_zip(("bank.yaml", BANK), (entry, "x")), tmp_path)
    assert problem.endswith(":1:1: the path has a control character")
    assert problem.isprintable() and entry.encode("unicode_escape").decode() in problem


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("diagrams/x.svg")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    data = make_zip(("bank.yaml", BANK), (link, "/etc/passwd"))
    assert problems(data, tmp_path) == [
        "up.zip:diagrams/x.svg:1:1: a symbolic link; the archive may hold only files and folders"
    ]


def test_an_encrypted_entry_is_refused(tmp_path: Path) -> None:
    data = bytearray(make_zip(("bank.yaml", BANK)))
    # Python writes no encrypted archives: set the flag by hand, in both headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature) + offset
        data[at] |= 0x1
    assert problems(bytes(data), tmp_path) == [
        "up.zip:bank.yaml:1:1: encrypted; make the archive without a password"
    ]


def test_an_entry_declared_over_the_limit_is_refused(tmp_path: Path) -> None:
    data = make_zip(("bank.yaml", BANK), ("diagrams/big.svg", b"x" * (LIMIT + 1)))
    assert problems(data, tmp_path) == [
        f"up.zip:diagrams/big.svg:1:1: file is {LIMIT + 1:,} bytes; the limit is {LIMIT:,} bytes"
    ]


def _lie_about_sizes(data: bytes, size: int) -> bytes:
    """The archive with every entry's uncompressed size set to ``size`` in both headers."""
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := patched.find(signature, start)) >= 0:
            patched[at + offset : at + offset + 4] = struct.pack("<I", size)
            start = at + 4
    return bytes(patched)


def test_a_bomb_whose_header_lies_is_stopped_at_the_limit(tmp_path: Path) -> None:
    bomb = _lie_about_sizes(make_zip(("bank.yaml", b"a" * (LIMIT * 1000))), 10)  # 1 kB zipped
    found = problems(bomb, tmp_path)
    assert len(found) == 1
    assert found[0].startswith("up.zip:bank.yaml:1:1: damaged, or its header gives false sizes")
    assert all(f.stat().st_size <= LIMIT for f in tmp_path.rglob("*") if f.is_file())


def test_the_total_unpacked_size_is_limited(tmp_path: Path) -> None:
    entries = [(f"diagrams/{i}.svg", b"x" * LIMIT) for i in range(21)]
    assert problems(make_zip(("bank.yaml", b"#"), *entries), tmp_path) == [
        f"up.zip:1:1: the archive unpacks to {21 * LIMIT + 1:,} bytes; "
        f"the limit is {20 * LIMIT:,} bytes"
    ]


def test_too_many_entries_are_refused(tmp_path: Path) -> None:
    entries = [(f"diagrams/{i}.svg", SVG) for i in range(5)]
    assert problems(make_zip(("bank.yaml", BANK), *entries), tmp_path, max_files=5) == [
        "up.zip:1:1: the archive has 6 entries; the limit is 5"
    ]


def test_a_name_twice_is_refused(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="Duplicate name"):
        data = make_zip(("bank.yaml", BANK), ("bank.yaml", "id: other"))
    assert problems(data, tmp_path) == [
        "up.zip:bank.yaml:1:1: the name appears twice in the archive"
    ]


@pytest.mark.parametrize("data", [b"", b"id: z\n", b"PK\x03\x04 truncated"])
def test_data_that_is_not_a_zip_is_refused(tmp_path: Path, data: bytes) -> None:
    assert problems(data, tmp_path) == ["up.zip:1:1: not a zip archive"]

"""The bank readers fuzzed with Hypothesis: whatever the input, the only exception is BankError.

Four kinds of input, from blind to nearly right: arbitrary bytes; text drawn from YAML's own
punctuation and the format's keywords; banks generated as trees of the format's keys with
values of every YAML type, then damaged a character at a time; and bank folders whose diagram
is arbitrary (or nearly SVG) bytes. The uploaded forms (a .zip, an Anki package) get bytes
mutated from a good archive. Every refusal must name ``file:line:column`` inside the input.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srs.archive import unpack_zip
from srs.bank import QUESTION_TYPES, BankError
from srs.render import render_markdown, render_problems
from srs.sources import load_bank, read_bank
from tests.reliability.hostile import CORPUS, GOOD_BANK

# Bounded so that the whole file runs in well under a minute on a busy machine; the numbers
# are in tests/reliability/README.md.
FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_WHERE = re.compile(r".+:\d+:\d+: \S")


def _load(files: dict[str, bytes]) -> None:
    """Load the bank made of ``files``; a refusal must name a place for each problem."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "bank"
        for relative, data in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            load_bank(root, max_bytes=64 * 1024)
        except BankError as error:
            assert error.problems
            for problem in error.problems:
                assert _WHERE.match(str(problem)), str(problem)
                assert problem.line >= 1 and problem.column >= 1
                assert problem.file.startswith(str(root))


@FUZZ
@given(st.binary(max_size=4096))
def test_any_bytes(data: bytes) -> None:
    _load({"bank.yaml": data})


_TOKENS = st.sampled_from(
    [
        "\n", "  ", "- ", ": ", "{", "}", "[", "]", ",", "'", '"', "#", "&a ", "*a", "!!str ",
        "!!python/object:os.system ", "!x ", "---\n", "...\n", "? ", "|\n  ", ">\n  ", "%YAML 1.1\n",
        "\t", "\\", "\\x00", "\x00", "\ufeff", "\u2028", "\x85", "~", "null", "true", "no", "0x1F",
        "1e309", ".nan", "-1", "99999999999999999999", "2026-11-27", "id", "title", "questions",
        "sections", "type", "prompt", "answer", "correct", "choices", "items", "text", "tags",
        "section", "parent", "accept", "explanation", *QUESTION_TYPES, "{{c1::x}}", "{{c1::",
        "![d](diagrams/d.svg)", "![d](../x.svg)", "<script>alert(1)</script>", "问题", "x",
    ]
)  # fmt: skip


@FUZZ
@given(st.lists(_TOKENS, max_size=80).map("".join))
def test_yaml_shaped_text(text: str) -> None:
    _load({"bank.yaml": text.encode("utf-8", "surrogatepass")})


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from([*QUESTION_TYPES, "q", "s", "diagrams/d.svg", "{{c1::a}}", "{{c2::b::h}}"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)
_QUESTION_KEYS = ["id", "type", "section", "tags", "explanation", "prompt", "answer", "text",
                  "choices", "correct", "items", "accept", "extra"]  # fmt: skip
_QUESTIONS = st.dictionaries(st.sampled_from(_QUESTION_KEYS), _VALUES, max_size=8)
_BANKS = st.fixed_dictionaries(
    {"id": _VALUES, "title": _VALUES},
    optional={
        "language": _VALUES,
        "description": _VALUES,
        "sections": st.lists(st.dictionaries(st.sampled_from(["id", "title", "parent"]), _VALUES)),
        "questions": st.lists(_QUESTIONS, max_size=5) | _VALUES,
    },
)


@st.composite
def _damaged(draw: st.DrawFn, text: str) -> str:
    """``text`` with up to three characters deleted, replaced or inserted."""
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["delete", "replace", "insert"]))
        char = draw(st.sampled_from(list(":-[]{}'\"\n \t#&*!|>?%@`,\\")) | st.characters())
        if kind == "delete":
            text = text[:at] + text[at + 1 :]
        elif kind == "replace":
            text = text[:at] + char + text[at + 1 :]
        else:
            text = text[:at] + char + text[at:]
    return text


@settings(FUZZ, max_examples=150)
@given(st.data())
def test_generated_banks_damaged(data: st.DataObject) -> None:
    tree = data.draw(_BANKS)
    style = data.draw(st.sampled_from([None, True, False]))
    text = yaml.safe_dump(tree, allow_unicode=True, default_flow_style=style, sort_keys=False)
    _load({"bank.yaml": data.draw(_damaged(text)).encode("utf-8", "surrogatepass")})


@FUZZ
@given(st.sampled_from(CORPUS), st.data())
def test_hostile_banks_damaged(case: object, data: st.DataObject) -> None:
    text = case.files["bank.yaml"].decode("utf-8", "replace")  # type: ignore[attr-defined]
    files = dict(case.files)  # type: ignore[attr-defined]
    files["bank.yaml"] = data.draw(_damaged(text)).encode("utf-8", "surrogatepass")
    _load(files)


_SVG_BANK = GOOD_BANK.replace(b"prompt: p", b"prompt: '![d](diagrams/d.svg)'")
_SVG_PIECES = st.sampled_from(
    [
        '<svg xmlns="http://www.w3.org/2000/svg">', "</svg>", "<script>", "</script>", "<g>", "</g>",
        ' onload="x"', ' href="javascript:x"', ' href="#a"', "<!DOCTYPE svg [", '<!ENTITY a "b">',
        "]>", "&a;", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<foreignObject>", "<text>",
        "</text>", "<", ">", "/>", '"', "=", "\x00", "\ufffd", "x",
    ]
)  # fmt: skip


@FUZZ
@given(st.binary(max_size=2048) | st.lists(_SVG_PIECES, max_size=40).map("".join).map(str.encode))
def test_diagram_bytes(svg: bytes) -> None:
    _load({"bank.yaml": _SVG_BANK, "diagrams/d.svg": svg})


def _zip_bank() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bank.yaml", _SVG_BANK)
        archive.writestr("diagrams/d.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    return buffer.getvalue()


@st.composite
def _flipped(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with up to eight bytes overwritten: headers, sizes, names, contents."""
    damaged = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        damaged[draw(st.integers(0, len(damaged) - 1))] = draw(st.integers(0, 255))
    return bytes(damaged)


@FUZZ
@given(_flipped(_zip_bank()) | st.binary(max_size=1024))
def test_uploaded_archives(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            root = unpack_zip(data, Path(folder) / "bank", max_bytes=64 * 1024, name="up.zip")
        except BankError as error:
            assert all(_WHERE.match(str(problem)) for problem in error.problems)
            return
        try:
            load_bank(root, max_bytes=64 * 1024)
        except BankError as error:
            assert all(_WHERE.match(str(problem)) for problem in error.problems)


def _apkg() -> bytes:
    from srs.anki import write_apkg

    with tempfile.TemporaryDirectory() as folder:
        bank_path = Path(folder) / "bank"
        (bank_path / "diagrams").mkdir(parents=True)
        (bank_path / "bank.yaml").write_bytes(_SVG_BANK)
        (bank_path / "diagrams/d.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"/>')
        target = Path(folder) / "x.apkg"
        write_apkg(load_bank(bank_path), target)
        return target.read_bytes()


@settings(FUZZ, max_examples=100)
@given(_flipped(_apkg()) | st.binary(max_size=1024))
def test_uploaded_anki_packages(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "up.apkg"
        path.write_bytes(data)
        try:
            read_bank(path, max_bytes=256 * 1024)
        except BankError as error:
            assert all(_WHERE.match(str(problem)) for problem in error.problems)


_MARKDOWN = st.sampled_from(
    [
        "```", "~~~", "{", "}", ".python", ".sh", " ", "\n", "=", '"', "'", "#x", ".overlay",
        "hl_lines", "linenums", "linenostart", "linenostep", "filters", "pygments_style",
        "pygments_formatter", "full", "cssfile", "tagsfile", "noclasses", "use_pygments",
        "raiseonerror", "img", "true", "0", "-1", "abc", "1 3", "99999999999999999999", "x = 1",
        "    ", ":::python", "#!python", "- ", "1. ", "9" * 30 + ". ", "| a |\n|---|\n", "<div ",
        'class="overlay"', "style=", ">", "</div>", "![d](d.svg)", "**", "_", "`", "[a](b)",
        '<span class="cloze">', "{{c1::x}}",
    ]
)  # fmt: skip


@settings(FUZZ, max_examples=300)
@given(st.lists(_MARKDOWN, max_size=40).map("".join))
def test_any_markdown_renders_and_what_passes_renders_alike(text: str) -> None:
    """Rendering raises nothing, and the check says a text is fine only if it renders."""
    problems = render_problems(text)
    html = render_markdown(text, lambda path: "/d.svg")
    assert all(isinstance(problem, str) and problem for problem in problems)
    classes = re.findall(r'<\w+[^>]*\sclass="([^"]*)"', html)
    assert not any("overlay" in value.split() for value in classes), html

"""The shipped Docker bank keeps its promises: valid, every type, every section, every diagram."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from srs.bank import QUESTION_TYPES, Bank
from srs.coverage import bank_coverage
from srs.lint import lint_bank
from srs.lint.passages import empty_passages, has_words
from srs.notes import Passage, resolve
from srs.render import image_sources
from srs.sources import load_bank

ROOT = PROJECT_ROOT / "quizzes/docker"
SVG = "{http://www.w3.org/2000/svg}"
LINK_ONLY = re.compile(r"\[[^\]]*\]\([^)]*\)")  # a passage that is one Markdown link


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(ROOT)


def references(bank: Bank) -> Counter[str]:
    found: Counter[str] = Counter()
    for question in bank.questions:
        for text in (question.prompt, question.answer, question.text, question.explanation):
            found.update(image_sources(text or ""))
    return found


def test_bank_is_valid_and_large_enough(bank: Bank) -> None:
    assert bank.id == "docker" and bank.language == "zh-CN"
    assert len(bank.questions) >= 150


def test_every_type_is_used(bank: Bank) -> None:
    types = Counter(question.type for question in bank.questions)
    # Every type, diagram cards (occlusion) included.
    assert set(types) == set(QUESTION_TYPES)
    assert min(types.values()) >= 3


def test_every_section_has_two_questions(bank: Bank) -> None:
    per_section = Counter(question.section for question in bank.questions)
    thin = {s.id: per_section[s.id] for s in bank.sections if per_section[s.id] < 2}
    assert thin == {}
    assert None not in per_section


def test_sections_follow_the_notes_outline(bank: Bank) -> None:
    top = [s.title for s in bank.sections if s.parent is None]
    assert top == ["概述", "镜像", "容器", "网络", "数据持久化", "安全", "Docker 三驾马车",
                   "Docker 命令行操作", "Docker 私仓", "问题"]  # fmt: skip


def test_nearly_every_question_explains_why(bank: Bank) -> None:
    explained = sum(1 for question in bank.questions if question.explanation)
    assert explained / len(bank.questions) >= 0.95


def test_supplements_are_tagged(bank: Bank) -> None:
    assert any("supplement" in question.tags for question in bank.questions)


def test_the_notes_ship_with_the_bank_unchanged(bank: Bank) -> None:
    assert [notes.file for notes in bank.notes] == ["notes/docker-notes.md"]
    assert bank.notes[0].text == (ROOT / "notes/docker-notes.md").read_text(encoding="utf-8")


def test_a_question_cites_the_notes_unless_it_is_a_supplement(bank: Bank) -> None:
    """Written from the notes: a passage that resolves; from Docker's documentation: none."""
    uncited = [q.id for q in bank.questions if "supplement" not in q.tags and not q.passage]
    cited = [q.id for q in bank.questions if "supplement" in q.tags and q.passage]
    assert uncited == [] and cited == []
    for question in bank.questions:
        if question.passage:
            assert isinstance(resolve(bank.notes, question.passage), Passage), question.id


def test_every_heading_with_text_is_cited_or_its_section_says_why(bank: Bank) -> None:
    """The outside reader's finding (headings with content and no card) stays closed, and a
    skip is only ever a heading with nothing to ask: no text of its own, only a link, or only
    a picture lost in the export."""
    report = bank_coverage(bank)
    assert [entry.heading.title for entry in report.headings if entry.gap] == []
    skipped = [entry.heading for entry in report.headings if entry.skip and not entry.questions]
    assert [h.title for h in skipped if h.has_content] == [
        "虚拟化",
        "数据持久化",
        "Docker命令行操作",
    ]
    assert all(
        LINK_ONLY.fullmatch(h.text.strip()) or not has_words(h.text)
        for h in skipped
        if h.has_content
    )


def test_no_source_sends_the_learner_to_a_passage_without_words(bank: Bank) -> None:
    """The outside reader's finding (cards citing a heading with only a title or a lost
    picture) stays closed: such cards are supplements."""
    assert [q.id for q, _ in empty_passages(bank)] == []


def test_every_diagram_is_used_and_every_use_exists(bank: Bank) -> None:
    files = {path.relative_to(ROOT).as_posix() for path in (ROOT / "diagrams").glob("*.svg")}
    assert len(files) >= 13
    assert set(references(bank)) == files
    assert {diagram.path for diagram in bank.diagrams} == files


@pytest.mark.parametrize("path", sorted((ROOT / "diagrams").glob("*.svg")), ids=lambda p: p.name)
def test_diagram_is_readable_svg(path: Path) -> None:
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox")
    assert root[0].tag == f"{SVG}title" and (root[0].text or "").strip()
    texts = [t for t in root.iter(f"{SVG}text") if "".join(t.itertext()).strip()]
    assert len(texts) >= 3
    assert re.search(r"prefers-color-scheme:\s*dark", path.read_text())


def test_readme_maps_every_diagram() -> None:
    readme = (ROOT / "README.md").read_text()
    for path in (ROOT / "diagrams").glob("*.svg"):
        assert re.search(rf"\b{re.escape(path.name)}\b", readme), path.name


RECALL = {"basic", "reverse", "cloze", "typing", "occlusion"}
PHONE_COLUMN = 300  # CSS px of a review card's text column on a 360 px phone (302)
LEGIBLE_PX = 10.5  # static/js/diagrams.js: the smallest text a diagram may be drawn at
FONT_SIZE = re.compile(r"font-size\s*[:=]\s*[\"']?\s*([\d.]+)\s*(px)?", re.IGNORECASE)


def test_three_questions_in_four_ask_to_recall(bank: Bank) -> None:
    recall = sum(question.type in RECALL for question in bank.questions)
    assert recall / len(bank.questions) >= 0.75


def test_right_answers_are_spread_over_the_places(bank: Bank) -> None:
    """Options are shuffled on screen, but an export or a reader sees the file's order: no
    place, and not the longest option, holds the right answer more often than by chance."""
    report = lint_bank(bank)
    balance = {"answer-position", "longest-answer", "truefalse-balance"}
    assert [str(w) for w in report.warnings if w.rule in balance] == []
    single = [q for q in bank.questions if q.type == "choice" and isinstance(q.correct, int)]
    places = Counter(question.correct for question in single)
    assert max(places.values()) <= max(2, len(single) / 2)
    truths = Counter(q.correct for q in bank.questions if q.type == "truefalse")
    assert abs(truths[True] - truths[False]) <= max(2, sum(truths.values()) // 5)


def test_every_diagram_is_asked_by_a_diagram_card_and_shown(bank: Bank) -> None:
    asked = {question.image for question in bank.questions if question.type == "occlusion"}
    shown = references(bank)
    files = {diagram.path for diagram in bank.diagrams}
    assert asked == files
    assert set(shown) == files


def test_no_card_needs_the_notes_open(bank: Bank) -> None:
    for question in bank.questions:
        for text in (question.prompt, question.answer, question.text, *question.choices):
            assert "笔记" not in (text or ""), question.id


# The README's "Terms": one word for one thing. Each other name, and where it may stand.
OTHER_NAMES = {
    "具名卷": None,  # 命名卷
    "有名字的卷": None,
    "守护进程": re.compile(r"(dockerd|daemon)（守护进程）"),  # daemon, named so where introduced
    r"(?<![A-Za-z])MNT(?![A-Za-z])": None,  # MOUNT, as the notes name it (mnt: the kernel's)
    "构建证明": None,  # 来源证明 (provenance attestation)
    "veth 对": None,  # veth pair
}


def test_one_word_for_one_thing() -> None:
    found = []
    for path in sorted(ROOT.glob("*.yaml")) + sorted(ROOT.glob("diagrams/*.svg")):
        text = path.read_text(encoding="utf-8")
        for word, allowed in OTHER_NAMES.items():
            left = allowed.sub("", text) if allowed else text
            found += [f"{path.name}: {hit}" for hit in re.findall(word, left)]
    assert found == []


@pytest.mark.parametrize("path", sorted((ROOT / "diagrams").glob("*.svg")), ids=lambda p: p.name)
def test_diagram_fits_a_phone(path: Path) -> None:
    """At most 600 units tall, and its smallest text legible in a phone's column unscrolled."""
    source = path.read_text(encoding="utf-8")
    root = ElementTree.fromstring(source)
    _, _, width, height = (float(n) for n in root.get("viewBox", "").split())
    assert 360 <= width <= 480 and height <= 600
    smallest = min(float(size) for size, _ in FONT_SIZE.findall(source))
    assert width * LEGIBLE_PX / smallest <= PHONE_COLUMN


def test_readme_shows_the_linters_summary(bank: Bank) -> None:
    """The summary quoted in the README is the linter's, as the bank stands."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quoted = re.search(r"  ```text\n(.*?)\n  ```", readme, re.DOTALL)
    assert quoted is not None
    summary = lint_bank(bank).summary.lines()
    shown = summary[: summary.index("by file:")] if "by file:" in summary else summary
    assert [line.strip() for line in quoted[1].splitlines()] == shown

"""The coverage report and the skeleton of a new bank, pure: headings with their questions,
gaps, skips and over-weighted passages; section ids from headings, Chinese ones in pinyin."""

from __future__ import annotations

from srs.bank import Question, Section
from srs.coverage import coverage
from srs.notes import Notes
from srs.skeleton import ascii_id, notes_language, skeleton

NOTES = """\
# 镜像

只读模板。

## 镜像摘要

sha256。

## 镜像命名规则

registry/repo:tag。

## Docker engine

守护进程。

# 附录

## 参考链接

一些链接。

## 空的
"""
FILE = Notes("notes/n.md", NOTES)
SECTIONS = (
    Section("jing-xiang", "镜像"),
    Section("docker-engine", "docker  Engine", "jing-xiang"),
    Section("fu-lu", "附录", coverage_skip="只是链接"),
)


def ask(number: int, **fields: object) -> Question:
    return Question(id=f"q{number}", type="basic", prompt="p", answer="a", **fields)


def counts(questions: list[Question]) -> list[tuple[str, int, bool, str | None, bool]]:
    report = coverage((FILE,), SECTIONS, tuple(questions))
    return [
        (e.heading.title, len(e.questions), e.gap, e.skip, e.over_weighted) for e in report.headings
    ]


def test_questions_count_by_source_or_by_their_sections_title() -> None:
    questions = [
        ask(1, passage="n.md#镜像摘要"),
        ask(2, passage="n.md#镜像 > 镜像摘要"),
        ask(3, section="docker-engine"),
        ask(4, section="jing-xiang", passage="n.md#docker-engine"),
    ]
    assert counts(questions) == [
        ("镜像", 0, True, None, False),
        ("镜像摘要", 2, False, None, False),
        ("镜像命名规则", 0, True, None, False),
        ("Docker engine", 2, False, None, False),
        ("附录", 0, False, "只是链接", False),
        ("参考链接", 0, False, "只是链接", False),
        ("空的", 0, False, "只是链接", False),
    ]


def test_supplement_questions_count_for_no_heading() -> None:
    report = coverage((FILE,), SECTIONS, (ask(1, tags=("supplement",), section="jing-xiang"),))
    assert report.supplement == ("q1",)
    assert all(not entry.questions for entry in report.headings)
    assert report.totals["supplement"] == 1 and report.totals["placed"] == 0


def test_a_question_with_no_heading_is_listed_as_unplaced() -> None:
    report = coverage((FILE,), (Section("x", "Elsewhere"),), (ask(1, section="x"), ask(2)))
    assert report.unplaced == ("q1", "q2")
    assert "Counted toward no heading: q1, q2" in report.lines()


def test_a_passage_cited_far_more_than_the_rest_is_over_weighted() -> None:
    questions = [ask(n, passage="n.md#镜像摘要") for n in range(7)]
    questions += [ask(10, passage="n.md#镜像"), ask(11, passage="n.md#docker-engine")]
    questions += [ask(12, passage="n.md#镜像命名规则"), ask(13, passage="n.md#镜像命名规则")]
    marked = [title for title, _, _, _, heavy in counts(questions) if heavy]
    # The median heading with questions has 2; 7 > 3 x 2.
    assert marked == ["镜像摘要"]
    assert [title for title, _, _, _, heavy in counts(questions[:6]) if heavy] == []


def test_the_report_lines_mark_gaps_skips_and_a_total() -> None:
    report = coverage((FILE,), SECTIONS, (ask(1, passage="n.md#镜像摘要"),))
    assert report.lines() == [
        "notes/n.md",
        "   0  镜像  <- no question (line 1)",
        "   1    镜像摘要",
        "   0    镜像命名规则  <- no question (line 9)",
        "   0    Docker engine  <- no question (line 13)",
        "   0  附录  (skipped: 只是链接)",
        "   0    参考链接  (skipped: 只是链接)",
        "   0    空的  (skipped: 只是链接)",
        "Total: 7 headings, 5 with content, 1 with questions, 3 with content and no question, "
        "3 skipped, 0 over-weighted; 1 questions: 1 counted, 0 supplement, 0 counted toward "
        "no heading",
    ]
    assert report.to_dict()["totals"]["gaps"] == 3


def test_ids_in_pinyin_ascii_and_unique() -> None:
    used: set[str] = set()
    assert ascii_id("镜像命名规则", used) == "jing-xiang-ming-ming-gui-ze"
    assert ascii_id("容器→网桥→容器", used) == "rong-qi-wang-qiao-rong-qi"
    assert ascii_id("Docker engine", used) == "docker-engine"
    assert ascii_id("Docker Engine!", used) == "docker-engine-2"
    assert ascii_id("重启 café", used) == "chong-qi-cafe"
    assert ascii_id("→", used) == "section"
    long = ascii_id("很" * 40, used)
    assert len(long) <= 58 and long.endswith("hen")


def test_skeleton_nests_sections_and_keeps_titles() -> None:
    text = "---\ntitle: 我的笔记\n---\n" + NOTES + "\n```sh\n# 不是标题\n```\n"
    bank = skeleton("docker-notes.md", text)
    assert (bank.id, bank.title, bank.language) == ("docker-notes", "我的笔记", "zh-CN")
    assert [(s.id, s.title, s.parent) for s in bank.sections] == [
        ("jing-xiang", "镜像", None),
        ("jing-xiang-zhai-yao", "镜像摘要", "jing-xiang"),
        ("jing-xiang-ming-ming-gui-ze", "镜像命名规则", "jing-xiang"),
        ("docker-engine", "Docker engine", "jing-xiang"),
        ("fu-lu", "附录", None),
        ("can-kao-lian-jie", "参考链接", "fu-lu"),
        ("kong-de", "空的", "fu-lu"),
    ]
    assert bank.notes == (Notes("notes/docker-notes.md", text),) and bank.questions == ()


def test_skeleton_title_and_language_without_front_matter() -> None:
    bank = skeleton("Guide.md", "# Getting started\n\n## Install\n\n## 安装\n")
    assert (bank.id, bank.title, bank.language) == ("guide", "Getting started", None)
    assert notes_language(["镜像", "Docker 镜像", "runc"]) == "zh-CN"

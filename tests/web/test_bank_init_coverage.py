"""``bank init`` and ``bank coverage`` as commands: a new bank from notes that passes
``bank check``, and the coverage of a folder or an imported bank, in text and JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT

NOTES = """\
---
title: 容器笔记
---
# 镜像

只读模板。

```dockerfile
# 这是注释，不是标题
FROM alpine
```

## 镜像摘要

sha256。

## 镜像命名规则

registry/repo:tag。

# 网络

## 默认网桥

icc 控制容器互通。

### 容器→网桥→容器

veth 对。

# 附录

## 参考

链接。
"""

QUESTIONS = """\
questions:
  - {id: q1, type: basic, prompt: p, answer: a, source: "notes.md#镜像摘要"}
  - {id: q2, type: basic, prompt: p, answer: a, source: "notes.md#网络 > 默认网桥"}
  - {id: q3, type: basic, prompt: p, answer: a, section: jing-xiang}
  - {id: q4, type: basic, prompt: p, answer: a, tags: [supplement]}
"""


def make(runner: FlaskCliRunner, tmp_path: Path) -> Path:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    out = tmp_path / "bank"
    result = runner.invoke(args=["bank", "init", str(notes), "--output", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_init_makes_a_bank_that_passes_check(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = make(runner, tmp_path)
    assert (out / "notes" / "notes.md").read_bytes() == (tmp_path / "notes.md").read_bytes()
    text = (out / "bank.yaml").read_text(encoding="utf-8")
    assert "id: notes\ntitle: 容器笔记\nlanguage: zh-CN\n" in text
    assert (
        "- id: rong-qi-wang-qiao-rong-qi\n  title: 容器→网桥→容器\n  parent: mo-ren-wang-qiao\n"
        in text
    )
    assert "notes:\n- notes/notes.md\n" in text and "这是注释" not in text
    check = runner.invoke(args=["bank", "check", str(out)])
    assert check.exit_code == 0, check.output
    assert "0 questions, 0 cards, 8 sections" in check.output


def test_init_refuses_a_folder_that_is_not_empty(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = make(runner, tmp_path)
    again = runner.invoke(args=["bank", "init", str(tmp_path / "notes.md"), "--output", str(out)])
    assert again.exit_code == 1
    assert f"{out} is not an empty folder" in again.output
    missing = runner.invoke(
        args=["bank", "init", str(tmp_path / "none.md"), "--output", str(tmp_path / "x")]
    )
    assert missing.exit_code == 1 and "none.md: no such file" in missing.output
    assert not (tmp_path / "x").exists()


def with_questions(out: Path) -> Path:
    bank = out / "bank.yaml"
    text = bank.read_text(encoding="utf-8").replace("questions: []\n", QUESTIONS)
    text = text.replace(
        "- id: fu-lu\n  title: 附录\n", "- id: fu-lu\n  title: 附录\n  coverage: {skip: 只是链接}\n"
    )
    bank.write_text(text, encoding="utf-8")
    return out


def test_coverage_of_a_folder_lists_the_gaps(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = with_questions(make(runner, tmp_path))
    result = runner.invoke(args=["bank", "coverage", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "notes/notes.md",
        "   1  镜像",
        "   1    镜像摘要",
        "   0    镜像命名规则  <- no question (line 17)",
        "   0  网络",
        "   1    默认网桥",
        "   0      容器→网桥→容器  <- no question (line 27)",
        "   0  附录  (skipped: 只是链接)",
        "   0    参考  (skipped: 只是链接)",
        "Total: 8 headings, 6 with content, 3 with questions, 2 with content and no question, "
        "2 skipped, 0 over-weighted; 4 questions: 3 counted, 1 supplement, 0 counted toward "
        "no heading",
    ]


def test_coverage_json_of_an_imported_bank(runner: FlaskCliRunner, tmp_path: Path) -> None:
    out = with_questions(make(runner, tmp_path))
    assert runner.invoke(args=["bank", "import", str(out)]).exit_code == 0
    result = runner.invoke(args=["bank", "coverage", "notes", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{") :])
    assert report["bank"] == "notes"
    gaps = [(h["title"], h["line"], h["path"]) for h in report["headings"] if h["gap"]]
    assert gaps == [
        ("镜像命名规则", 17, ["镜像", "镜像命名规则"]),
        ("容器→网桥→容器", 27, ["网络", "默认网桥", "容器→网桥→容器"]),
    ]
    assert report["headings"][1]["anchor"] == "镜像摘要"
    assert report["headings"][1]["question_ids"] == ["q1"]
    assert report["supplement"] == ["q4"]
    assert report["totals"]["gaps"] == 2 and report["totals"]["skipped"] == 2


def test_coverage_of_a_bad_source_or_an_unknown_bank(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    out = with_questions(make(runner, tmp_path))
    bank = out / "bank.yaml"
    bank.write_text(bank.read_text(encoding="utf-8").replace("#镜像摘要", "#镜像摘"), "utf-8")
    result = runner.invoke(args=["bank", "coverage", str(out)])
    assert result.exit_code == 1
    assert f"{out}/bank.yaml:" in result.output
    assert (
        "question 'q1': 'source' '镜像摘' is no heading of notes/notes.md (did you mean 镜像摘要"
        in result.output
    )
    unknown = runner.invoke(args=["bank", "coverage", "nothing"])
    assert unknown.exit_code == 1 and "There is no bank 'nothing'" in unknown.output


def test_the_guides_example_reports_as_the_guide_says(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    guide = (PROJECT_ROOT / "docs" / "banks.md").read_text(encoding="utf-8")
    part = guide[guide.index("## Notes, sources and coverage") :]
    blocks = dict(re.findall(r"```(yaml|markdown|text)\n(.*?)```", part, re.S)[:3])
    root = tmp_path / "containers"
    (root / "notes").mkdir(parents=True)
    (root / "bank.yaml").write_text(blocks["yaml"], encoding="utf-8")
    (root / "notes" / "containers.md").write_text(blocks["markdown"], encoding="utf-8")
    result = runner.invoke(args=["bank", "coverage", str(root)])
    assert result.exit_code == 0, result.output
    assert result.output == blocks["text"]

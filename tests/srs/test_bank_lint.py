"""The card linter: each rule on a small bank that breaks it, a bank that passes them all,
and the ``lint:`` key that silences a rule for one question, with its reason."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from srs.bank import BankError
from srs.lint import RULES, lint_bank
from srs.lint.balance import at_least
from srs.sources import load_bank

_LINE = re.compile(r"^([^:]+:\d+):\d+")
HEAD = "id: b\ntitle: B\nlanguage: zh-CN\nquestions:\n"
WHY = {"explanation": "Because."}
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><title>d</title><text>x</text></svg>'


def q(qid: str, kind: str, **keys: object) -> dict[str, object]:
    return {"id": qid, "type": kind, **WHY, **keys}


def basics(count: int, start: int = 0) -> list[dict[str, object]]:
    """Distinct recall questions, to keep the recall share up where a test needs it."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    topics = ["kernel", "volume", "socket", "bridge", "layer", "tag", "port", "label"]
    return [
        q(
            f"r{i}",
            "basic",
            prompt=f"Which {topics[i % 8]} holds {words[i % 8]}{i}?",
            answer=f"n{i}",
        )
        for i in range(start, start + count)
    ]


def bank_yaml(questions: list[dict[str, object]]) -> str:
    """A bank with one question a line (JSON is YAML), the first on line 5."""
    return HEAD + "".join(f"  - {json.dumps(item, ensure_ascii=False)}\n" for item in questions)


def lint(write_bank, text: str, **files: str | bytes) -> list[str]:
    root = write_bank("b", {"bank.yaml": text, **files})
    report = lint_bank(load_bank(root))
    return [str(w).replace(f"{root}/", "") for w in report.warnings]


def rule(write_bank, questions: list[dict[str, object]], name: str, **files) -> list[str]:
    """The warnings of rule ``name`` over a bank of ``questions``, as ``file:line: message``
    (the columns of one-line questions say little)."""
    found = lint(write_bank, bank_yaml(questions), **files)
    return [_LINE.sub(r"\1", w) for w in found if w.endswith(f"[{name}]")]


# -- a bank that passes -------------------------------------------------------------------

CLEAN = """\
id: clean
title: Clean
language: zh-CN
questions:
  - id: shim
    type: basic
    prompt: runc 启动容器进程后，谁成为它的父进程？
    answer: containerd-shim
    explanation: |
      runc 启动容器后就退出，shim 留下来托管容器进程。

      ![引擎](diagrams/engine.svg)
  - id: tls-port
    type: cloze
    text: 启用 TLS 时 dockerd 按惯例监听 {{c1::2376}} 端口。
    explanation: 不加密的 2375 端口等于把 root 权限交给网络上的任何人。
  - id: ps-all
    type: typing
    prompt: 写出命令：列出所有容器，包括已停止的。
    answer: docker ps -a
    explanation: "`docker ps` 默认只列出运行中的容器。"
  - id: veth
    type: reverse
    prompt: veth pair
    answer: 成对创建、一端进一端出的虚拟网卡
    explanation: 常用来连接两个网络命名空间。
  - id: default-bridge
    type: choice
    prompt: 默认 bridge 网络上的容器能按名字互相访问吗？
    choices: [不能，只能用 IP 或用户自定义网络, 能，内置 DNS 会解析容器名]
    correct: 0
    explanation: 只有用户自定义网络才有内置 DNS。
"""


def test_a_bank_that_follows_every_rule_has_no_warning(write_bank) -> None:
    root = write_bank("clean", {"bank.yaml": CLEAN, "diagrams/engine.svg": SVG})
    report = lint_bank(load_bank(root))
    assert report.warnings == ()
    assert report.summary.types == {"basic": 1, "cloze": 1, "typing": 1, "reverse": 1, "choice": 1}
    assert (report.summary.recall, report.summary.counted) == (4, 5)
    assert report.summary.positions == {0: 1}


def test_every_rule_has_a_one_line_description() -> None:
    assert all(name == name.lower() and " " not in name for name in RULES)
    assert all(text and "\n" not in text for text in RULES.values())


# -- bank-wide rules ----------------------------------------------------------------------


def choices(count: int, correct: list[int | list[int]], **extra) -> list[dict[str, object]]:
    options = ["alpha one", "bravo two", "charlie 3", "delta fo"]
    return [
        q(f"c{i}", "choice", prompt=f"Pick {i}?", choices=options[:count], correct=right, **extra)
        for i, right in enumerate(correct)
    ]


def test_answer_position_warns_when_the_right_answer_is_mostly_first(write_bank) -> None:
    found = rule(write_bank, choices(4, [0] * 6) + basics(20), "answer-position")
    assert found == [
        "bank.yaml:5: the right answer is option 0 in 6 of 6 single-answer choices "
        "(chance: 1.5, p = 0.00098): vary 'correct' [answer-position]"
    ]


def test_answer_position_is_quiet_when_positions_vary_or_questions_are_few(write_bank) -> None:
    assert rule(write_bank, choices(4, [0, 1, 2, 3, 0, 1]) + basics(20), "answer-position") == []
    assert rule(write_bank, choices(4, [0] * 5) + basics(20), "answer-position") == []


def test_answer_position_warns_about_several_answer_sets_always_first(write_bank) -> None:
    found = rule(
        write_bank, choices(4, [[0, 1], [1, 0], [0, 1, 2]]) + basics(20), "answer-position"
    )
    assert len(found) == 1
    assert "3 of 3 several-answer choices have the first options right" in found[0]
    assert (
        rule(write_bank, choices(4, [[0, 1], [2, 3], [1, 3]]) + basics(20), "answer-position") == []
    )


def test_longest_answer_warns_when_the_longest_option_is_right(write_bank) -> None:
    questions = [
        q(f"c{i}", "choice", prompt=f"Pick {i}?", choices=options, correct=right)
        for i, (options, right) in enumerate(
            [(["a", "bb", "the long right one"], 2), (["the long right one", "a", "bb"], 0)] * 3
        )
    ]
    found = rule(write_bank, questions + basics(20), "longest-answer")
    assert found == [
        "bank.yaml:5: the longest option is right in 6 of 6 choices (chance: 2.0, "
        "p = 0.0014): make the wrong options as long [longest-answer]"
    ]


def test_longest_answer_counts_cjk_characters_twice(write_bank) -> None:
    # "容器进程" is 8 columns wide, "abcdefg" 7: the Chinese option is the longest.
    questions = [
        q(f"c{i}", "choice", prompt=f"Pick {i}?", choices=["容器进程", "abcdefg", "x"], correct=0)
        for i in range(6)
    ]
    found = rule(write_bank, questions + basics(20), "longest-answer")
    assert len(found) == 1


def truefalse(true: int, false: int) -> list[dict[str, object]]:
    return [
        q(f"t{i}", "truefalse", prompt=f"Statement {i} holds.", correct=i < true)
        for i in range(true + false)
    ]


def test_truefalse_balance_warns_at_32_false_to_18_true(write_bank) -> None:
    found = rule(write_bank, truefalse(18, 32) + basics(160), "truefalse-balance")
    assert found == [
        "bank.yaml:23: 18 true and 32 false statements: under 40% are true; make it about "
        "half and half [truefalse-balance]"
    ]


@pytest.mark.parametrize(("true", "false"), [(24, 26), (26, 24), (2, 4), (4, 6)])
def test_truefalse_balance_is_quiet_near_half_and_half(write_bank, true: int, false: int) -> None:
    assert rule(write_bank, truefalse(true, false) + basics(40), "truefalse-balance") == []


def test_recall_share_warns_under_three_quarters(write_bank) -> None:
    found = rule(write_bank, basics(2) + truefalse(1, 1), "recall-share")
    assert found == [
        "bank.yaml:1: 2 of 4 questions (50%) are recall (basic, reverse, cloze, typing, "
        "occlusion): at least 75% should be [recall-share]"
    ]
    assert rule(write_bank, basics(3) + truefalse(1, 0), "recall-share") == []


# -- one question at a time ---------------------------------------------------------------


def test_cloze_leak_finds_an_answer_elsewhere_in_its_text(write_bank) -> None:
    questions = [
        q("leak", "cloze", text="{{c1::runc}} starts the container, then runc exits."),
        q("other", "cloze", text="{{c1::dockerd}} calls {{c2::containerd}}, not Dockerd itself."),
        q("hint", "cloze", text="The {{c1::shim::shim, not runc}} stays."),
        q("twice", "cloze", text="{{c1::overlay2}} is the default; {{c1::overlay2}} it is."),
        q("word", "cloze", text="{{c1::run}} starts runc; {{c2::a}} is a letter."),
    ]
    assert rule(write_bank, questions, "cloze-leak") == [
        "bank.yaml:5: c1's answer 'runc' also shows on its card [cloze-leak]",
        "bank.yaml:6: c1's answer 'dockerd' also shows on its card [cloze-leak]",
        "bank.yaml:7: c1's answer 'shim' also shows on its card [cloze-leak]",
    ]


def test_cloze_leak_names_a_deletion_shown_by_another(write_bank) -> None:
    text = "`-f` takes {{c1::./web/a.Dockerfile}}, and the context is {{c2::./web}}."
    assert rule(write_bank, [q("f", "cloze", text=text)], "cloze-leak") == [
        "bank.yaml:5: c2's answer './web' also shows on its card [cloze-leak]"
    ]


def test_cloze_alternatives_finds_a_blank_holding_two_ways_of_saying_it(write_bank) -> None:
    questions = [
        q("gloss", "cloze", text="The shim reports the {{c1::退出状态（退出码）}}."),
        q("flags", "cloze", text="Add {{c1::`--all` (`-a`)}} to prune named volumes."),
        q("slash", "cloze", text="Docker is {{c1::客户端/服务端}} software."),
        q("path", "cloze", text="DNS is read from {{c1::/etc/resolv.conf}} in {{c2::`a/b`}}."),
        q("acronym", "cloze", text="It speaks {{c1::TCP/IP}} and does {{c2::I/O}}."),
        q("inside", "cloze", text="The {{c1::mount (mnt) namespace}} isolates mounts."),
    ]
    warned = rule(write_bank, questions, "cloze-alternatives")
    assert [line.split(":")[1] for line in warned] == ["5", "6", "7"]
    assert warned[0] == (
        "bank.yaml:5: c1's answer '退出状态（退出码）' holds two ways of saying it, which a quiz"
        " takes typed only whole: hide one, say the other outside the blank or in the"
        " explanation [cloze-alternatives]"
    )


def test_prompt_leak_finds_the_answer_in_its_prompt(write_bank) -> None:
    text = HEAD + (
        "  - id: leak\n    type: basic\n    explanation: e\n"
        "    prompt: Is the `runc` binary what creates containers?\n    answer: runc\n"
        "  - id: fine\n    type: typing\n    explanation: e\n"
        "    prompt: What command runs a container?\n    answer: docker run\n"
        "  - id: back\n    type: reverse\n    explanation: e\n"
        "    prompt: bridge\n    answer: the default bridge network\n"
    )
    found = [w for w in lint(write_bank, text) if w.endswith("[prompt-leak]")]
    assert found == [
        "bank.yaml:8:5: the prompt holds its own answer 'runc' [prompt-leak]",
        "bank.yaml:19:5: the answer holds the prompt, which its reverse card asks for "
        "[prompt-leak]",
    ]


def test_near_duplicate_names_the_earlier_question(write_bank) -> None:
    questions = [
        q("a", "basic", prompt="runc 启动容器进程后会怎样？", answer="退出，由 shim 托管"),
        q("other", "basic", prompt="镜像的层是只读的吗？", answer="是，容器另有可写层"),
        q("b", "basic", prompt="runc 启动容器进程后，它会怎样？", answer="退出，由 shim 托管"),
    ]
    assert rule(write_bank, questions, "near-duplicate") == [
        "bank.yaml:7: nearly the same as 'a' at bank.yaml:5 (98% alike): merge them, or make "
        "each ask its own fact [near-duplicate]"
    ]


def test_long_answer_is_over_80_columns(write_bank) -> None:
    questions = [
        q("long", "basic", prompt="p1?", answer="长" * 41),
        q("fits", "basic", prompt="p2?", answer="长" * 40),
        q("latin", "typing", prompt="p3?", answer="x" * 81),
    ]
    assert rule(write_bank, questions, "long-answer") == [
        "bank.yaml:5: the answer is 82 columns wide (over 80, about 40 Chinese characters): "
        "keep it to one fact [long-answer]",
        "bank.yaml:7: the answer is 81 columns wide (over 80, about 40 Chinese characters): "
        "keep it to one fact [long-answer]",
    ]


def test_enumeration_finds_lists_of_three(write_bank) -> None:
    questions = [
        q("dun", "basic", prompt="p1?", answer="沙盒、端点、网络"),
        q("list", "reverse", prompt="p2?", answer="- one\n- two\n- three\n"),
        q("two", "basic", prompt="p3?", answer="沙盒、端点"),
        q("code", "basic", prompt="p4?", answer="`-p 80:80,443:443,53:53`"),
        q("typed", "typing", prompt="p5?", answer="a,b,c"),
        q("clauses", "basic", prompt="p6?", answer="先复制到可写层，再修改这份副本，镜像层不变"),
        q("commas", "basic", prompt="p7?", answer="images, volumes, networks"),
    ]
    found = rule(write_bank, questions, "enumeration")
    assert found == [
        "bank.yaml:5: the answer lists 3 items: one fact a card, or an order question "
        "[enumeration]",
        "bank.yaml:6: the answer lists 3 items: one fact a card, or an order question "
        "[enumeration]",
        "bank.yaml:11: the answer lists 3 items: one fact a card, or an order question "
        "[enumeration]",
    ]


def test_outside_reference_finds_words_that_point_outside(write_bank) -> None:
    questions = [
        q("notes", "basic", prompt="笔记里说默认网络是什么？", answer="bridge"),
        q("above", "choice", prompt="Which?", choices=["as shown above", "b"], correct=1),
        q("figure", "cloze", text="如下图所示，{{c1::docker0}} 是网桥。"),
        q("context", "basic", prompt="构建上下文是什么？", answer="一个目录"),
        q("ports", "basic", prompt="Which ports below 1024 need root?", answer="all"),
        q("on-top", "basic", prompt="镜像最上面是哪一层？", answer="可写层"),
    ]
    assert rule(write_bank, questions, "outside-reference") == [
        "bank.yaml:5: '笔记' refers to something outside the card [outside-reference]",
        "bank.yaml:6: 'shown above' refers to something outside the card [outside-reference]",
        "bank.yaml:7: '下图' refers to something outside the card [outside-reference]",
    ]


def test_no_explanation(write_bank) -> None:
    text = HEAD + "  - {id: bare, type: basic, prompt: p, answer: a}\n"
    assert [w for w in lint(write_bank, text) if "no-explanation" in w] == [
        "bank.yaml:5:6: no explanation: say why the answer is right [no-explanation]"
    ]


def test_unshown_diagram_is_named_by_its_file(write_bank) -> None:
    shown = q("s", "basic", prompt="p?", answer="a", explanation="![d](diagrams/shown.svg)")
    files = {"diagrams/shown.svg": SVG, "diagrams/unshown.svg": SVG}
    assert rule(write_bank, [shown], "unshown-diagram", **files) == [
        "diagrams/unshown.svg:1: no question shows this diagram [unshown-diagram]"
    ]


def test_an_occlusion_image_counts_as_shown(write_bank) -> None:
    card = q("o", "occlusion", image="diagrams/d.svg", labels=["x"])
    assert rule(write_bank, [card], "unshown-diagram", **{"diagrams/d.svg": SVG}) == []


def test_cjk_style_names_the_fragment_and_its_fix(write_bank) -> None:
    text = HEAD + (
        "  - id: s\n    type: basic\n    prompt: 在docker中运行`docker ps`命令,会怎样？\n"
        "    answer: 列出容器\n    explanation: |\n      见`docker ps`，它列出容器。\n"
    )
    assert [w for w in lint(write_bank, text) if "cjk-style" in w] == [
        "bank.yaml:7:5: '在docker中运行`docker' reads better as '在 docker 中运行`docker' [cjk-style]"
    ]


def test_cjk_style_reads_a_cloze_as_its_sentence(write_bank) -> None:
    """The {{c1::…}} markup hides a space beside full-width punctuation from the formatter."""
    questions = [
        q("spaced", "cloze", text="存储建立在 {{c1::联合文件系统（UnionFS）}} 之上。"),
        q("tight", "cloze", text="存储建立在{{c1::联合文件系统（UnionFS）}}之上。"),
    ]
    found = rule(write_bank, questions, "cjk-style")
    assert len(found) == 1 and "UnionFS） 之上" in found[0]


def test_cjk_style_finds_a_space_between_chinese_characters(write_bank) -> None:
    """Left beside a cloze blank, it is a gap once the blank is filled in; beside Latin
    words and code a space is the style."""
    questions = [
        q("gap", "cloze", text="runc 是运行时规范的 {{c1::参考实现}}。"),
        q("latin", "cloze", text="dockerd 通过 {{c1::gRPC}} 调用 containerd。"),
        q("code", "cloze", text="用 `docker ps` 列出{{c1::容器}}。"),
        q("tight", "cloze", text="镜像由一组{{c1::只读}}层组成。"),
    ]
    assert rule(write_bank, questions, "cjk-style") == [
        "bank.yaml:5: '规范的 参考实' reads better as '规范的参考实' [cjk-style]"
    ]


def test_cjk_style_leaves_code_alone(write_bank) -> None:
    questions = [
        q("code", "basic", prompt="运行 `ls -a,b` 会怎样？", answer="报错"),
        q("fence", "basic", prompt="这段命令做什么？\n\n```\necho 中文,x\n```\n", answer="打印"),
        q("english", "basic", prompt="What is  a layer?", answer="A diff"),
    ]
    assert rule(write_bank, questions, "cjk-style") == []


# -- lint: silencing a rule ---------------------------------------------------------------


def test_lint_ignore_silences_a_rule_for_one_question(write_bank) -> None:
    silenced = q(
        "leak",
        "basic",
        prompt="Is runc the runtime?",
        answer="runc",
        lint={"ignore": ["prompt-leak"], "why": "The prompt names the tool on purpose."},
    )
    loud = q("loud", "basic", prompt="Is runc the runtime here?", answer="runc")
    root = write_bank("b", {"bank.yaml": bank_yaml([silenced, loud])})
    bank = load_bank(root)
    assert bank.questions[0].lint_ignore == ("prompt-leak",)
    assert bank.questions[0].lint_why == "The prompt names the tool on purpose."
    rules = [w.rule for w in lint_bank(bank).warnings]
    assert rules.count("prompt-leak") == 1


def test_lint_ignore_leaves_a_question_out_of_a_bank_wide_count(write_bank) -> None:
    ignore = {"ignore": ["recall-share"], "why": "A deliberate recognition drill."}
    drills = [q(f"t{i}", "truefalse", prompt=f"s{i}", correct=i % 2 == 0) for i in range(4)]
    assert rule(write_bank, basics(3) + drills, "recall-share") != []
    drills = [{**item, "lint": ignore} for item in drills]
    assert rule(write_bank, basics(3) + drills, "recall-share") == []


def problems(write_bank, text: str) -> list[str]:
    root = write_bank("b", {"bank.yaml": text})
    with pytest.raises(BankError) as caught:
        load_bank(root)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


LINTED = HEAD + "  - id: q\n    type: basic\n    prompt: p\n    answer: a\n    lint:\n"


def test_lint_without_a_reason_is_refused(write_bank) -> None:
    text = LINTED + "      ignore: [prompt-leak]\n"
    assert problems(write_bank, text) == [
        "bank.yaml:10:7: question 'q': 'lint': missing required key 'why'"
    ]
    text = LINTED + "      ignore: [prompt-leak]\n      why: ''\n"
    assert problems(write_bank, text) == [
        "bank.yaml:11:12: question 'q': 'lint': 'why' must say why, in words"
    ]


def test_lint_naming_an_unknown_rule_is_refused_with_the_rules(write_bank) -> None:
    text = LINTED + "      ignore: [prompt-leek]\n      why: because\n"
    assert problems(write_bank, text) == [
        "bank.yaml:10:16: question 'q': 'lint': 'ignore' names no rule 'prompt-leek'; the "
        "rules are " + ", ".join(RULES)
    ]


def test_lint_with_an_unknown_key_or_not_a_mapping_is_refused(write_bank) -> None:
    text = LINTED + "      ignore: [prompt-leak]\n      why: because\n      until: 2027\n"
    assert problems(write_bank, text) == [
        "bank.yaml:12:7: question 'q': 'lint': unknown key 'until'"
    ]
    text = HEAD + "  - {id: q, type: basic, prompt: p, answer: a, lint: prompt-leak}\n"
    assert problems(write_bank, text) == [
        "bank.yaml:5:54: question 'q': 'lint' must be a mapping with 'ignore' and 'why'"
    ]
    text = LINTED + "      ignore: []\n      why: because\n"
    assert problems(write_bank, text) == [
        "bank.yaml:10:15: question 'q': 'lint': 'ignore' must name at least one rule"
    ]


def test_lint_refuses_a_rule_about_the_bank_and_a_rule_named_twice(write_bank) -> None:
    text = LINTED + "      ignore: [unshown-diagram, prompt-leak, prompt-leak]\n      why: b\n"
    assert problems(write_bank, text) == [
        "bank.yaml:10:16: question 'q': 'lint': 'ignore' names 'unshown-diagram', which is "
        "about the bank and cannot be silenced per question",
        "bank.yaml:10:46: question 'q': 'lint': 'ignore' names 'prompt-leak' twice",
    ]


def test_lint_at_bank_level_says_it_goes_on_a_question(write_bank) -> None:
    text = "id: b\ntitle: B\nlint: {ignore: [prompt-leak], why: b}\nquestions:\n" + (
        "  - {id: q, type: basic, prompt: p, answer: a}\n"
    )
    assert problems(write_bank, text) == [
        "bank.yaml:3:1: bank: unknown key 'lint' ('lint:' goes on a question, to silence "
        "rules for that question)"
    ]


def test_unused_ignore_names_a_silenced_rule_that_would_not_fire(write_bank) -> None:
    why = {"why": "checked"}
    questions = [
        q(
            "leak",
            "basic",
            prompt="Is it runc?",
            answer="runc",
            lint={"ignore": ["prompt-leak"], **why},
        ),
        q(
            "clean",
            "basic",
            prompt="Which runtime?",
            answer="runc",
            lint={"ignore": ["prompt-leak", "near-duplicate"], **why},
        ),
    ]
    assert rule(write_bank, questions, "unused-ignore") == [
        "bank.yaml:6: 'lint' silences 'prompt-leak', which does not fire here: leave it out "
        "[unused-ignore]",
        "bank.yaml:6: 'lint' silences 'near-duplicate', which does not fire here: leave it out "
        "[unused-ignore]",
    ]


NOTES_MD = """\
# 概述

## 命名空间

PID Namespace 隔离进程。

## 控制组

![Untitled](pictures/Untitled%201.png)

## hostonly

# 大纲

## 小节

小节有字。
"""


def test_empty_passage_flags_a_source_with_only_a_title_or_only_an_image(write_bank) -> None:
    head = HEAD.replace("questions:\n", "notes: [notes/n.md]\nquestions:\n")
    questions = [
        q(f"s{i}", "basic", prompt=f"Which {name}?", answer=f"a{i}", source=f"n.md#{name}")
        for i, name in enumerate(["命名空间", "控制组", "hostonly", "大纲"])
    ]
    questions.append(
        q(
            "kept",
            "basic",
            prompt="Which kept?",
            answer="k",
            source="n.md#hostonly",
            lint={"ignore": ["empty-passage"], "why": "checked"},
        )
    )
    text = head + "".join(f"  - {json.dumps(item, ensure_ascii=False)}\n" for item in questions)
    found = lint(write_bank, text, **{"notes/n.md": NOTES_MD})
    assert [_LINE.sub(r"\1", w) for w in found if "empty-passage" in w] == [
        "bank.yaml:7: source 'n.md#控制组' names a passage with only images: cite the passage "
        "that holds the fact, or tag the question 'supplement' and leave 'source' out "
        "[empty-passage]",
        "bank.yaml:8: source 'n.md#hostonly' names a passage with no text: cite the passage "
        "that holds the fact, or tag the question 'supplement' and leave 'source' out "
        "[empty-passage]",
    ]


def test_a_bank_with_lint_keys_loads_as_any_other(write_bank) -> None:
    text = LINTED + "      ignore: [prompt-leak, cjk-style]\n      why: because\n"
    bank = load_bank(write_bank("b", {"bank.yaml": text}))
    assert bank.questions[0].content() == {"prompt": "p", "answer": "a"}
    assert bank.questions[0].lint_ignore == ("prompt-leak", "cjk-style")


# -- the summary and the statistics -------------------------------------------------------


def test_summary_counts_types_positions_sets_and_truth(write_bank) -> None:
    questions = [
        *basics(2),
        q("c1", "choice", prompt="p?", choices=["a", "bb", "c"], correct=1),
        q("c2", "choice", prompt="p?", choices=["a", "b", "c"], correct=2),
        q("m1", "choice", prompt="p?", choices=["a", "b", "c"], correct=[1, 0]),
        *truefalse(1, 2),
    ]
    root = write_bank("b", {"bank.yaml": bank_yaml(questions)})
    summary = lint_bank(load_bank(root)).summary
    assert summary.types == {"basic": 2, "truefalse": 3, "choice": 3}
    assert summary.positions == {1: 1, 2: 1}
    assert (summary.longest_right, summary.longest_of) == (1, 1)
    assert summary.sets == {"[0, 1]": 1}
    assert (summary.true, summary.false) == (1, 2)
    assert summary.lines()[1] == "recall share: 2 of 8 (25%)"


def test_at_least_is_the_exact_tail() -> None:
    assert at_least([0.5] * 4, 0) == 1.0
    assert at_least([0.5] * 4, 4) == pytest.approx(1 / 16)
    assert at_least([0.5] * 4, 3) == pytest.approx(5 / 16)
    assert at_least([0.25, 0.5], 2) == pytest.approx(0.125)
    assert at_least([], 1) == 0.0


def test_paths_are_named_as_bank_check_names_them(write_bank, tmp_path: Path) -> None:
    root = write_bank("b", {"bank.yaml": HEAD + "  - {id: q, type: basic, prompt: p, answer: a}\n"})
    report = lint_bank(load_bank(root))
    assert [w.file for w in report.warnings] == [f"{root}/bank.yaml"]
    single = tmp_path / "one.yaml"
    single.write_text(HEAD + "  - {id: q, type: basic, prompt: p, answer: a}\n", encoding="utf-8")
    assert [w.file for w in lint_bank(load_bank(single)).warnings] == [str(single)]


def test_summary_counts_each_file_of_a_bank_for_its_author(write_bank) -> None:
    part = "questions:\n" + "".join(
        f"  - {json.dumps(item)}\n" for item in [*truefalse(1, 1), *choices(3, [2])]
    )
    root = write_bank("b", {"bank.yaml": bank_yaml(basics(2)), "20-part.yaml": part})
    summary = lint_bank(load_bank(root)).summary
    assert summary.files == {
        "20-part.yaml": {"recall": 0, "counted": 3, "positions": {2: 1}, "true": 1, "false": 1},
        "bank.yaml": {"recall": 2, "counted": 2, "positions": {}, "true": 0, "false": 0},
    }
    assert summary.lines()[-3:] == [
        "by file:",
        "  20-part.yaml: recall 0 of 3 (0%); right answers by position 2: 1; 1 true, 1 false",
        "  bank.yaml: recall 2 of 2 (100%)",
    ]


# -- what an outside author found -------------------------------------------------------------


def test_near_duplicate_leaves_a_template_with_different_answers_alone(write_bank) -> None:
    capitals = [("France", "Paris"), ("Spain", "Madrid"), ("Italy", "Rome"), ("Japan", "Tokyo")]
    questions = [
        *(
            q(f"cap-{n}", "typing", prompt=f"What is the capital of {c}?", answer=a)
            for n, (c, a) in enumerate(capitals)
        ),
        q("zh-1", "basic", prompt="中国的首都是哪里？", answer="北京"),
        q("zh-2", "basic", prompt="日本的首都是哪里？", answer="东京"),
        q("x", "basic", prompt="What is x?", answer="y"),
        q("z", "basic", prompt="What is z?", answer="w"),
        q("tuple", "truefalse", prompt="Tuples in Python are mutable.", correct=False),
        q("list", "truefalse", prompt="Lists in Python are mutable.", correct=True),
    ]
    assert rule(write_bank, questions, "near-duplicate") == []


def test_near_duplicate_reports_each_question_once(write_bank) -> None:
    same = [
        q(f"s{i}", "basic", prompt="Which runtime starts it?", answer="runc") for i in range(40)
    ]
    found = rule(write_bank, same, "near-duplicate")
    assert len(found) == 39
    assert all("nearly the same as 's0'" in warning for warning in found)


def test_cjk_style_checks_a_text_the_formatter_cannot_take_whole(write_bank, capfd) -> None:
    questions = [
        q("long", "basic", prompt="长文？", answer="中文字" * 6000),
        q("mixed", "basic", prompt="混合？", answer="中a" * 9000),
    ]
    found = rule(write_bank, questions, "cjk-style")
    assert found == [
        "bank.yaml:6: '中a中a中a中a中a中a中a中a中a中a中a中a中…' reads better as "
        "'中 a 中 a 中 a 中 a 中 a 中 a 中 a 中 a 中 a 中 …' [cjk-style]"
    ]
    assert capfd.readouterr().err == ""


def test_cjk_style_quotes_from_a_word_boundary(write_bank) -> None:
    questions = [q("emperor", "basic", prompt="中国第一个皇帝是谁?", answer="秦始皇")]
    assert rule(write_bank, questions, "cjk-style") == [
        "bank.yaml:5: '中国第一个皇帝是谁?' reads better as '中国第一个皇帝是谁？' [cjk-style]"
    ]


def test_enumeration_leaves_numbers_and_names_alone(write_bank) -> None:
    questions = [
        q("people", "basic", prompt="p1?", answer="about 2,100,000 people"),
        q("city", "basic", prompt="p2?", answer="New York City, New York, USA"),
        q("and", "basic", prompt="p3?", answer="the kernel, the shim and runc"),
    ]
    assert rule(write_bank, questions, "enumeration") == [
        "bank.yaml:7: the answer lists 3 items: one fact a card, or an order question [enumeration]"
    ]


def test_outside_reference_is_a_phrase_not_a_substring(write_bank) -> None:
    questions = [
        q("sea", "basic", prompt="At what altitude above sea level is La Paz?", answer="3,640 m"),
        q("book", "basic", prompt="古人用什么做笔记本？", answer="竹简"),
        q("library", "basic", prompt="他周末常去上图书馆做什么？", answer="看书"),
        q("quote", "basic", prompt='Who wrote "Birds fly above the clouds"?', answer="Ann"),
        q("table", "basic", prompt="In the table below, which row is red?", answer="two"),
        q("why", "basic", prompt="p?", answer="a", explanation="见笔记第三页。"),
        q("notes", "basic", prompt="q?", answer="b", explanation="As the notes say."),
    ]
    assert rule(write_bank, questions, "outside-reference") == [
        "bank.yaml:9: 'the table below' refers to something outside the card [outside-reference]",
        "bank.yaml:10: '笔记' refers to something outside the card [outside-reference]",
        "bank.yaml:11: 'the notes' refers to something outside the card [outside-reference]",
    ]


def test_prompt_leak_sees_through_width_accents_and_zero_width_spaces(write_bank) -> None:
    questions = [
        q("zw", "basic", prompt="con\u200btainerd or ru\u200bnc?", answer="runc"),
        q("accent", "basic", prompt="Is it Cafe\u0301 or Bar?", answer="Café"),
        q("wide", "typing", prompt="Is it ＲＵＮＣ or containerd?", answer="runc"),
    ]
    assert [w.split(": ", 1)[0] for w in rule(write_bank, questions, "prompt-leak")] == [
        "bank.yaml:5",
        "bank.yaml:6",
        "bank.yaml:7",
    ]


def test_an_explanation_with_no_words_is_no_explanation(write_bank) -> None:
    questions = [
        q("tilde", "basic", prompt="p1?", answer="a", explanation="~"),
        q("dash", "basic", prompt="p2?", answer="b", explanation=" - … "),
        q("word", "basic", prompt="p3?", answer="c", explanation="因为。"),
    ]
    assert len(rule(write_bank, questions, "no-explanation")) == 2


def test_a_blank_answer_is_a_blank_answer(write_bank) -> None:
    questions = [
        q("spaces", "basic", prompt="p1?", answer="`   `"),
        q("word", "basic", prompt="p2?", answer="`x`"),
    ]
    assert rule(write_bank, questions, "blank-answer") == [
        "bank.yaml:5: the answer shows nothing to recall: write it out [blank-answer]"
    ]


def test_a_typed_answer_with_a_stand_in_cannot_be_typed(write_bank) -> None:
    questions = [
        q("flag", "typing", prompt="which option?", answer="--runtime",
          accept=["--runtime=<name>"]),
        q("blank", "cloze", text="run it with {{c1::--name <容器名>}}"),
        q("real", "typing", prompt="which value?", answer="--runtime=crun", accept=["a < b > c"]),
    ]  # fmt: skip
    found = rule(write_bank, questions, "stand-in-answer")
    assert len(found) == 2
    assert "'--runtime=<name>' holds the stand-in <name>" in found[0]
    assert "<容器名>" in found[1]


def test_tag_spelling_flags_tags_spelled_nearly_alike(write_bank) -> None:
    questions = [
        q("a", "basic", prompt="a?", answer="1", tags=["network", "bind-mount"]),
        q("b", "basic", prompt="b?", answer="2", tags=["network", "bind_mounts"]),
        q("c", "basic", prompt="c?", answer="3", tags=["networking", "build", "builds-x"]),
        q("d", "basic", prompt="d?", answer="4", tags=["process", "processes", "running", "run"]),
    ]
    assert rule(write_bank, questions, "tag-spelling") == [
        "bank.yaml:6: tag 'bind_mounts' is nearly 'bind-mount': spell it 'bind-mount' [tag-spelling]",
        "bank.yaml:7: tag 'networking' is nearly 'network': spell it 'network' [tag-spelling]",
        "bank.yaml:8: tag 'processes' is nearly 'process': spell it 'process' [tag-spelling]",
        # On a tie, the spelling written first is kept.
        "bank.yaml:8: tag 'run' is nearly 'running': spell it 'running' [tag-spelling]",
    ]


def test_tag_spelling_prefers_the_sections_id(write_bank) -> None:
    text = (
        "id: b\ntitle: B\nlanguage: zh-CN\nsections:\n  - {id: volumes, title: 卷}\nquestions:\n"
        '  - {"id": "a", "type": "basic", "prompt": "a?", "answer": "1", "section": "volumes",'
        ' "tags": ["volume"], "explanation": "Because."}\n'
    )
    assert [w for w in lint(write_bank, text) if "tag-spelling" in w] == [
        "bank.yaml:7:87: tag 'volume' is nearly 'volumes': spell it 'volumes' [tag-spelling]"
    ]

"""Kin: the questions near one another in a bank that show the same diagram, or state one
another's answers."""

from __future__ import annotations

from typing import Any

from srs.bank import Diagram
from srs.kin import (
    KIN_REACH,
    KIN_TERM_MOST,
    diagram_words,
    kin_of,
    kin_positions,
    kin_read,
    question_answers,
    question_diagrams,
    question_text,
    quiz_text,
)


def bank_kin(
    questions: list[tuple[str, dict[str, Any], str | None]], labels: dict[str, str] | None = None
) -> list[list[int]]:
    """The kin of each of a bank's questions, each given as its type, content and explanation,
    found as the import finds them."""
    return kin_of([kin_read(*question) for question in questions], labels=labels)


def test_a_questions_diagrams_are_those_its_markdown_shows_and_its_occlusion_image() -> None:
    shown = question_diagrams(
        "basic",
        {"prompt": "![引擎](diagrams/engine.svg)", "answer": "runc"},
        "见 ![图](./diagrams/layers.svg) 与 ![引擎](diagrams/engine.svg)",
    )
    assert shown == ["diagrams/engine.svg", "diagrams/layers.svg"]
    occlusion = {"image": "diagrams/engine.svg", "labels": ["dockerd"], "answer": "typed"}
    assert question_diagrams("occlusion", occlusion, None) == ["diagrams/engine.svg"]


def test_an_image_written_in_code_is_no_diagram() -> None:
    assert question_diagrams("basic", {"prompt": "`![x](a.svg)`", "answer": "b"}, None) == []


def test_kin_share_a_diagram_within_reach_both_ways() -> None:
    a, b = {"a.svg"}, {"b.svg"}
    shown: list[set[str]] = [a, set(), a | b, b] + [set()] * (KIN_REACH - 3) + [a, a]
    far, farther = KIN_REACH + 1, KIN_REACH + 2  # reach - 1 and reach after 2
    kin = kin_positions(shown)
    assert kin[0] == [2]  # 1 shows nothing; the last two are out of its reach
    assert kin[2] == [0, 3, far, farther]
    assert kin[3] == [2]
    assert kin[1] == kin[4] == []
    assert kin[far] == [2, farther] and kin[farther] == [2, far]
    assert all(p in kin[q] for p, near in enumerate(kin) for q in near)  # both ways


def test_a_wider_or_narrower_reach() -> None:
    shown = [{"a.svg"}, set(), set(), {"a.svg"}]
    assert kin_positions(shown, reach=3) == [[3], [], [], [0]]
    assert kin_positions(shown, reach=2) == [[], [], [], []]


def test_the_answers_a_question_asks_to_recall() -> None:
    assert question_answers("typing", {"prompt": "p", "answer": "**RunC**"}) == ["runc"]
    assert question_answers("reverse", {"prompt": "CNM", "answer": "容器网络模型"}) == [
        "容器网络模型",
        "cnm",
    ]
    cloze = {"text": "{{c1::containerd}} 调用 {{c2::runc::一个运行时}}，再 {{c1::containerd}}"}
    assert question_answers("cloze", cloze) == ["containerd", "runc"]
    # A choice's options are on its front: another card naming one gives nothing away.
    choice = {"prompt": "p", "choices": ["runc", "`dockerd`", "shim"], "correct": [0, 1]}
    assert question_answers("choice", choice) == []
    sentence = "它在容器的主进程退出后读取退出码并报告给 containerd，从而让 dockerd 可以重启"
    assert question_answers("basic", {"prompt": "p", "answer": sentence}) == []
    assert question_answers("basic", {"prompt": "p", "answer": "x"}) == []  # one character
    assert question_answers("basic", {"prompt": "p", "answer": "—"}) == []  # no word
    assert question_answers("truefalse", {"prompt": "runc 是运行时", "correct": True}) == []
    assert question_answers("order", {"prompt": "p", "items": ["pull", "run"]}) == []


def test_a_questions_text_is_all_its_cards_show() -> None:
    text = question_text("cloze", {"text": "{{c1::Containerd}} 调用 runc"}, "见 `shim`")
    assert text == "containerd 调用 runc 见 shim"
    assert "bridge" in question_text("choice", {"prompt": "p", "choices": ["Bridge"]}, None)


def _basic(answer: str, explanation: str = "") -> tuple[str, dict[str, Any], str | None]:
    return ("basic", {"prompt": "问", "answer": answer}, explanation or None)


def test_a_question_stating_anothers_answer_is_its_kin_both_ways() -> None:
    """dns's explanation names the address the next question asks for: shown its back,
    the learner would answer embedded from the screen."""
    questions = [
        _basic("a1", "内置 DNS 在 127.0.0.11 上应答"),
        _basic("b2"),
        _basic("127.0.0.11"),
        *[_basic(f"n{n}") for n in range(KIN_REACH)],
        _basic("c3", "又是 127.0.0.11"),  # KIN_REACH + 1 away from the question asking
    ]
    kin = bank_kin(questions)
    assert kin[0] == [2] and kin[2] == [0]
    assert kin[1] == [] and kin[-1] == []


def test_an_answer_many_questions_around_state_makes_no_kin() -> None:
    """A term most cards of a section name is what the section is about, not a leak."""
    stating = [_basic(f"s{n}", "容器由 runc 创建") for n in range(KIN_TERM_MOST)]
    assert bank_kin([_basic("runc"), *stating])[0] == list(range(1, KIN_TERM_MOST + 1))
    one_more = [*stating, _basic("s9", "runc")]
    assert bank_kin([_basic("runc"), *one_more])[0] == []


def test_a_latin_answer_is_found_only_as_a_whole_word() -> None:
    kin = bank_kin([_basic("run"), _basic("x1", "runc 与 rerun"), _basic("x2", "docker run")])
    assert kin[0] == [2]


def test_kin_by_diagram_and_by_answer_together() -> None:
    shows = "![图](diagrams/a.svg)"
    kin = bank_kin([_basic("aa", shows), _basic("runc"), _basic("bb", f"runc {shows}")])
    assert kin == [[2], [2], [0, 1]]


_ENGINE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg"><text x="1" y="1">Containerd</text>'
    b'<text x="1" y="9"><tspan>PID</tspan> <tspan>1</tspan></text><text x="1" y="20"/></svg>'
)


def test_a_diagrams_words_are_its_labels() -> None:
    words = diagram_words(
        [
            Diagram("./diagrams/engine.svg", _ENGINE_SVG),
            Diagram("diagrams/broken.svg", b"<svg"),
            Diagram("diagrams/photo.png", b"\x89PNG"),
        ]
    )
    assert words == {"diagrams/engine.svg": "containerd\npid 1"}


def test_an_occlusion_questions_answers_are_the_labels_it_masks() -> None:
    occlusion = {"image": "diagrams/engine.svg", "labels": ["PID 1", "runc", "x"]}
    assert question_answers("occlusion", occlusion) == ["pid 1", "runc"]  # "x": too short


def test_a_question_showing_a_diagram_labelled_with_anothers_answer_is_its_kin() -> None:
    """The engine diagram's "PID 1", in sight on one card's back, answers the next card."""
    labels = diagram_words([Diagram("diagrams/engine.svg", _ENGINE_SVG)])
    questions = [_basic("aa", "![引擎](diagrams/engine.svg)"), _basic("b2"), _basic("PID 1")]
    assert bank_kin(questions, labels=labels)[2] == [0]
    assert bank_kin(questions)[2] == []  # the diagram's words are what made them kin
    masks = ("occlusion", {"image": "diagrams/other.svg", "labels": ["containerd"]}, None)
    assert bank_kin([masks, questions[0]], labels=labels) == [[1], [0]]


def test_what_a_quiz_shows_is_the_front_and_a_self_graded_answer() -> None:
    """A quiz shows a self-graded card's answer, for the learner to grade; a checked one's
    only on the results page, after the quiz."""
    labels = diagram_words([Diagram("diagrams/engine.svg", _ENGINE_SVG)])
    choice = {
        "prompt": "哪个 ![图](diagrams/engine.svg)",
        "choices": ["Runc", "Shim"],
        "correct": 0,
    }
    shown = quiz_text("choice", choice, [0], labels)
    assert "runc" in shown and "shim" in shown and "pid 1" in shown
    assert "runc" not in quiz_text("typing", {"prompt": "运行时是?", "answer": "runc"}, [0], labels)
    assert "runc" in quiz_text("basic", {"prompt": "运行时是?", "answer": "runc"}, [0], labels)
    occlusion = {"image": "diagrams/engine.svg", "labels": ["Containerd"], "mode": "one"}
    assert "pid 1" in quiz_text("occlusion", occlusion, [0], labels)


def _kin_by_words_one_text_at_a_time(questions: list[tuple[str, Any, None]]) -> list[list[int]]:
    """Kin by answer found the plain way: each answer looked for in each text within reach."""
    from srs.kin import gives_away

    texts = [question_text(*question) for question in questions]
    kin: list[set[int]] = [set() for _ in questions]
    for position, (type_name, content, _) in enumerate(questions):
        window = range(max(0, position - KIN_REACH), min(len(texts), position + KIN_REACH + 1))
        for term in question_answers(type_name, content):
            stating = [o for o in window if o != position and gives_away([term], texts[o])]
            if len(stating) <= KIN_TERM_MOST:
                for other in stating:
                    kin[position].add(other)
                    kin[other].add(position)
    return [sorted(near) for near in kin]


def test_kin_by_answer_in_a_large_bank_as_found_one_text_at_a_time() -> None:
    import random

    chance = random.Random(7)
    roots = ["runc", "层", "镜像", "bridge", "run", "卷", "port", "x", "a"]
    # Words that hold one another ("run" in "runc", "层" in "镜像层"), Latin and Chinese.
    words = [a + b for a in roots for b in ["", *roots] if a != b]
    questions: list[tuple[str, Any, None]] = []
    for number in range(400):
        prompt = " ".join(chance.choices(words, k=chance.randint(1, 6)))
        answer = chance.choice(words) + ("" if number % 3 else chance.choice(words))
        questions.append(("basic", {"prompt": f"{prompt}?", "answer": answer}, None))
    found = bank_kin(questions)
    assert found == _kin_by_words_one_text_at_a_time(questions)
    assert sum(map(len, found)) > 50  # kin enough to say something

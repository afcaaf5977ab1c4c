"""Kin: the questions near one another in a bank that show the same diagram."""

from __future__ import annotations

from srs.kin import KIN_REACH, kin_positions, question_diagrams


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

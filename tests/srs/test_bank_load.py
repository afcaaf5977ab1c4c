"""Reading valid banks: every type, the values kept, and the cards each question makes."""

from __future__ import annotations

from pathlib import Path

import pytest

from srs.bank import Bank, BankError
from srs.sources import load_bank, read_banks

ALL_TYPES = """
    id: demo
    title: Demo
    language: zh-CN
    description: 一个小题库
    sections:
      - {id: engine, title: 引擎}
      - {id: runc, title: runc, parent: engine}
    questions:
      - id: who
        type: basic
        section: runc
        tags: [architecture, core]
        prompt: 谁创建容器？
        answer: runc
        explanation: 因为 containerd 指挥 runc。
      - id: term
        type: reverse
        prompt: OCI
        answer: Open Container Initiative
      - id: gap
        type: cloze
        text: "{{c1::containerd}} 指挥 {{c2::runc::运行时}}，{{c1::containerd}} 不直接创建容器"
      - id: pick
        type: choice
        prompt: 哪个默认？
        choices: [overlay2, aufs, devicemapper]
        correct: 0
      - id: picks
        type: choice
        prompt: 哪些属于 engine？
        choices: [runc, nginx, containerd]
        correct: [0, 2]
      - id: fact
        type: truefalse
        prompt: runc 创建容器后退出。
        correct: yes
      - id: steps
        type: order
        prompt: 请求经过的顺序
        items: [client, dockerd, containerd, runc]
      - id: port
        type: typing
        prompt: TLS 端口？
        answer: 2376
        accept: ["２３７６"]
"""


@pytest.fixture
def demo(write_bank) -> Bank:
    return load_bank(write_bank("demo", {"bank.yaml": ALL_TYPES}))


def test_bank_header_is_read(demo: Bank) -> None:
    assert (demo.id, demo.title, demo.language, demo.description) == (
        "demo",
        "Demo",
        "zh-CN",
        "一个小题库",
    )
    assert [(s.id, s.title, s.parent) for s in demo.sections] == [
        ("engine", "引擎", None),
        ("runc", "runc", "engine"),
    ]


def test_questions_keep_file_order_and_source(demo: Bank) -> None:
    assert [q.id for q in demo.questions] == [
        "who", "term", "gap", "pick", "picks", "fact", "steps", "port",
    ]  # fmt: skip
    assert (demo.questions[0].source, demo.questions[0].line) == ("bank.yaml", 9)


def test_every_type_keeps_its_content(demo: Bank) -> None:
    content = {q.id: q.content() for q in demo.questions}
    assert content["who"] == {"prompt": "谁创建容器？", "answer": "runc"}
    assert content["pick"]["correct"] == 0
    assert content["picks"]["correct"] == [0, 2]
    assert content["fact"] == {"prompt": "runc 创建容器后退出。", "correct": True}
    assert content["steps"]["items"] == ["client", "dockerd", "containerd", "runc"]
    assert content["port"] == {"prompt": "TLS 端口？", "answer": "2376", "accept": ["２３７６"]}
    assert demo.questions[0].tags == ("architecture", "core")
    assert demo.questions[0].section == "runc"


def test_numbers_and_words_in_text_fields_stay_as_written(write_bank) -> None:
    bank = load_bank(
        write_bank(
            "b",
            {
                "bank.yaml": """
                    id: b
                    title: 1.0
                    questions:
                      - {id: a, type: basic, prompt: yes, answer: 0o17}
                """
            },
        )
    )
    assert bank.title == "1.0"
    assert bank.questions[0].content() == {"prompt": "yes", "answer": "0o17"}


def test_cards_per_question(demo: Bank) -> None:
    ordinals = {q.id: q.card_ordinals for q in demo.questions}
    assert ordinals == {
        "who": (0,),
        "term": (0, 1),
        "gap": (1, 2),
        "pick": (0,),
        "picks": (0,),
        "fact": (0,),
        "steps": (0,),
        "port": (0,),
    }


def test_questions_from_further_files_follow_bank_yaml(write_bank) -> None:
    root = write_bank(
        "b",
        {
            "bank.yaml": """
                id: b
                title: B
                questions:
                  - {id: first, type: basic, prompt: p, answer: a}
            """,
            "20-more.yaml": """
                questions:
                  - {id: third, type: basic, prompt: p, answer: a}
            """,
            "10-some.yaml": """
                questions:
                  - {id: second, type: basic, prompt: p, answer: a}
            """,
        },
    )
    bank = load_bank(root)
    assert [(q.id, q.source) for q in bank.questions] == [
        ("first", "bank.yaml"),
        ("second", "10-some.yaml"),
        ("third", "20-more.yaml"),
    ]


def test_a_single_file_is_a_bank(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(
        "id: one\ntitle: One\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    )
    bank = load_bank(path)
    assert (bank.id, len(bank.questions), bank.diagrams) == ("one", 1, ())


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(
        "\ufeffid: bom\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n".encode()
    )
    assert load_bank(path).id == "bom"


def test_diagrams_are_collected_from_references_and_the_diagram_folder(write_bank) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><rect width="1" height="1"/></svg>'
    root = write_bank(
        "b",
        {
            "bank.yaml": """
                id: b
                title: B
                questions:
                  - id: q
                    type: basic
                    prompt: "![a](img/used.svg)"
                    answer: "![b](diagrams/my%20chart.svg)"
            """,
            "img/used.svg": svg,
            "diagrams/my chart.svg": svg,
            "diagrams/spare.png": b"\x89PNG\r\n",
            "diagrams/notes.txt": "not an image",
        },
    )
    bank = load_bank(root)
    assert [(d.path, d.media_type) for d in bank.diagrams] == [
        ("diagrams/my chart.svg", "image/svg+xml"),
        ("diagrams/spare.png", "image/png"),
        ("img/used.svg", "image/svg+xml"),
    ]


def test_fingerprint_changes_with_any_file(write_bank) -> None:
    files = {
        "bank.yaml": "id: b\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n",
        "diagrams/x.svg": b'<svg xmlns="http://www.w3.org/2000/svg"/>',
    }
    root = write_bank("b", files)
    first = load_bank(root).fingerprint
    assert load_bank(root).fingerprint == first
    (root / "diagrams/x.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg"><g/></svg>')
    assert load_bank(root).fingerprint != first


def test_two_banks_with_one_id_are_refused(write_bank) -> None:
    text = "id: same\ntitle: S\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    first = write_bank("one", {"bank.yaml": text})
    second = write_bank("two", {"bank.yaml": text})
    with pytest.raises(BankError) as caught:
        read_banks([first, second])
    assert [str(p) for p in caught.value.problems] == [
        f"{second}:1:1: bank: 'id' 'same' is also the id of {first}"
    ]

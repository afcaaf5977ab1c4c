"""Diagram cards: masking an SVG's labels, and ``occlusion`` questions in a bank."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from config import PROJECT_ROOT
from srs.bank import BankError
from srs.export import bank_csv, bank_json, write_bank_folder
from srs.occlusion import (
    LabelError,
    Mask,
    MaskQueryError,
    default_prompt,
    find_label,
    label_problems,
    mask_query,
    occlude,
    parse_mask_query,
    selector,
)
from srs.questions import card_faces, check_answer
from srs.sources import load_bank
from tests.support import ends_within

FIXTURE = PROJECT_ROOT / "tests/banks/diagram"
ENGINE = (FIXTURE / "diagrams/engine.svg").read_bytes()
SVG = "{http://www.w3.org/2000/svg}"


def texts(data: bytes) -> list[str]:
    """The text of every <text> element of an SVG, in order."""
    root = ElementTree.fromstring(data)
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def everything(data: bytes) -> str:
    """All the text an SVG carries: element text and attribute values."""
    root = ElementTree.fromstring(data)
    return " ".join([*root.itertext(), *(v for e in root.iter() for v in e.attrib.values())])


# -- masking ------------------------------------------------------------------------------


def test_the_asked_label_leaves_the_svg_and_a_box_with_a_question_mark_takes_its_place() -> None:
    front = occlude(ENGINE, Mask(selector("dockerd")))
    assert texts(front) == [t if t != "dockerd" else "?" for t in texts(ENGINE)]
    assert "dockerd" not in everything(front)
    assert "containerd" in texts(front) and "runc" in texts(front)
    root = ElementTree.fromstring(front)
    (box,) = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "wg-occ-ask"]
    # Over where the centred 18px label stood, on its baseline at y=97.
    x, y, width = float(box.get("x")), float(box.get("y")), float(box.get("width"))
    assert x < 180 < x + width and y < 97 < y + float(box.get("height"))


def test_title_desc_and_aria_that_spell_the_label_go_with_it() -> None:
    front = occlude(ENGINE, Mask(selector("runc")))
    root = ElementTree.fromstring(front)
    assert root.find(f"{SVG}title") is None and root.find(f"{SVG}desc") is None
    assert "aria-labelledby" not in root.attrib  # it named the removed title
    assert "runc" not in everything(front)
    # A label no title mentions keeps them.
    kept = ElementTree.fromstring(occlude(ENGINE, Mask(selector("REST"))))
    assert kept.find(f"{SVG}title") is not None and kept.get("aria-labelledby") == "t"


def test_mode_all_masks_the_others_with_plain_boxes() -> None:
    others = (selector("daemon", by_id=True), selector("containerd"))
    front = occlude(ENGINE, Mask(selector("runtime", by_id=True), others))
    assert not {"dockerd", "containerd", "runc"} & set(texts(front))
    assert texts(front).count("?") == 1
    classes = [r.get("class") for r in ElementTree.fromstring(front).iter(f"{SVG}rect")]
    assert classes.count("wg-occ-box") == 2 and classes.count("wg-occ-ask") == 1


def test_the_back_shows_the_label_outlined_and_the_others_still_masked() -> None:
    back = occlude(ENGINE, Mask(selector("runc"), (selector("dockerd"),), revealed=True))
    assert "runc" in texts(back) and "dockerd" not in texts(back) and "?" not in texts(back)
    classes = [r.get("class") for r in ElementTree.fromstring(back).iter(f"{SVG}rect")]
    assert classes.count("wg-occ-reveal") == 1 and classes.count("wg-occ-box") == 1


def test_the_mask_keeps_dark_mode_in_the_svg_itself() -> None:
    style = ElementTree.fromstring(occlude(ENGINE, Mask(selector("runc")))).findall(f"{SVG}style")[
        -1
    ]
    assert "prefers-color-scheme:dark" in style.text and ".wg-occ-ask" in style.text


def test_labels_by_text_and_by_id() -> None:
    assert find_label(ENGINE, "runtime", by_id=True).text == "runc"
    assert find_label(ENGINE, "  客户端   docker ").text == "客户端 docker"
    texts_found, problems = label_problems(ENGINE, ["daemon", "runtime"], by_id=True)
    assert texts_found == ["dockerd", "runc"] and problems == []


def test_unknown_and_repeated_labels_are_problems() -> None:
    _, problems = label_problems(ENGINE, ["runc", "gRPC", "kubelet"], by_id=False)
    assert problems == [
        (1, "label 'gRPC' matches 2 <text> elements"),
        (2, "label 'kubelet' matches no <text> element"),
    ]


def test_the_query_names_labels_by_digest_never_by_text() -> None:
    mask = Mask(selector("containerd"), (selector("runc"),), revealed=True)
    query = mask_query(mask)
    assert "containerd" not in query and "runc" not in query
    assert parse_mask_query(query) == mask
    assert parse_mask_query("") is None
    for malformed in [
        "ask=containerd",
        "mask=" + selector("runc"),
        f"ask={selector('runc')}&ask={selector('dockerd')}",
        f"ask={selector('runc')}&reveal=2",
        f"ask={selector('runc')}&v=1",
        f"ask={selector('runc')}" + f"&mask={selector('dockerd')}" * 50,
    ]:
        with pytest.raises(MaskQueryError):
            parse_mask_query(malformed)
    # Repeated selectors count once, and the asked one is not also masked.
    repeated = f"ask={selector('runc')}&mask={selector('runc')}" + f"&mask={selector('gRPC')}" * 3
    assert parse_mask_query(repeated) == Mask(selector("runc"), (selector("gRPC"),))


def test_default_prompt_follows_the_banks_language() -> None:
    assert default_prompt("zh-CN") == "图中被遮住的标签是什么？"
    assert default_prompt(None) == default_prompt("tlh") == "Which label is hidden in the diagram?"


# -- questions ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def diagram_bank():
    return load_bank(FIXTURE)


def test_one_card_per_label_each_asking_for_its_own(diagram_bank) -> None:
    parts, every = diagram_bank.questions[:2]
    assert parts.card_ordinals == (0, 1) and every.card_ordinals == (0, 1)
    assert every.labels == ("dockerd", "runc")  # read from the diagram for its ids
    faces = card_faces("occlusion", parts.content(), 1, seed=0, language="zh-CN")
    assert faces.front.startswith("图中被遮住的标签是什么？\n\n![")
    assert "containerd" not in faces.front
    assert faces.back.endswith("**containerd**")
    assert check_answer("occlusion", faces.check, " ContainerD ").correct
    assert not check_answer("occlusion", faces.check, "dockerd").correct


def test_a_self_graded_card_takes_the_learners_verdict(diagram_bank) -> None:
    faces = card_faces("occlusion", diagram_bank.questions[1].content(), 0, seed=0)
    assert faces.front.startswith("哪个组件在这里？") and faces.check == {}
    assert check_answer("occlusion", faces.check, True).correct
    with pytest.raises(TypeError):
        check_answer("occlusion", faces.check, "dockerd")


def bank_problems(write_bank, questions: str) -> list[str]:
    root = write_bank(
        "b",
        {"bank.yaml": "id: b\ntitle: B\nquestions:\n" + questions, "diagrams/e.svg": ENGINE},
    )
    with pytest.raises(BankError) as caught:
        load_bank(root)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def test_a_label_matching_no_text_or_several_is_an_error_at_its_line(write_bank) -> None:
    questions = (
        "  - id: q\n    type: occlusion\n    image: diagrams/e.svg\n"
        "    labels:\n      - runc\n      - gRPC\n      - kubelet\n"
    )
    assert bank_problems(write_bank, questions) == [
        "bank.yaml:9:9: question 'q': 'labels[1]': label 'gRPC' matches 2 <text> elements "
        "in diagrams/e.svg",
        "bank.yaml:10:9: question 'q': 'labels[2]': label 'kubelet' matches no <text> element "
        "in diagrams/e.svg",
    ]


def test_an_unknown_id_is_an_error_at_its_line(write_bank) -> None:
    questions = (
        "  - id: q\n    type: occlusion\n    image: diagrams/e.svg\n    ids: [daemon, nope]\n"
    )
    assert bank_problems(write_bank, questions) == [
        "bank.yaml:7:19: question 'q': 'ids[1]': id 'nope' matches no <text> element "
        "in diagrams/e.svg"
    ]


@pytest.mark.parametrize(
    ("keys", "message"),
    [
        ("labels: [runc]\n    ids: [runtime]", "8:10: question 'q': 'ids': give 'labels' or 'ids', not both"),
        ("labels: [runc]\n    mode: some", "8:11: question 'q': 'mode': 'some' is not one of one, all"),
        ("labels: [runc]\n    answer: runc", "8:13: question 'q': 'answer': 'runc' is not one of self, typed"),
        ("labels: [runc, runc]", "7:13: question 'q': 'labels': 'runc' is listed twice"),
        ("mode: all", "6:12: question 'q': 'image': missing 'labels' (the texts to mask) or 'ids'"),
    ],
)  # fmt: skip
def test_keys_are_checked(write_bank, keys: str, message: str) -> None:
    questions = f"  - id: q\n    type: occlusion\n    image: diagrams/e.svg\n    {keys}\n"
    assert bank_problems(write_bank, questions) == [f"bank.yaml:{message}"]


def test_the_image_must_be_an_svg_of_the_bank(write_bank) -> None:
    questions = "  - id: q\n    type: occlusion\n    image: diagrams/none.svg\n    labels: [runc]\n"
    (problem,) = bank_problems(write_bank, questions)
    assert problem.startswith(
        "bank.yaml:6:12: question 'q': 'image': diagram 'diagrams/none.svg' not found in "
    )


# -- exports ------------------------------------------------------------------------------


def test_yaml_round_trip_keeps_labels_ids_and_mode(diagram_bank, tmp_path: Path) -> None:
    again = load_bank(write_bank_folder(diagram_bank, tmp_path / "diagram"))
    assert [q.content() for q in again.questions] == [q.content() for q in diagram_bank.questions]
    assert (tmp_path / "diagram/diagrams/engine.svg").read_bytes() == ENGINE


def test_json_and_csv_carry_the_keys_as_written(diagram_bank) -> None:
    parts, every, _ = json.loads(bank_json(diagram_bank))["questions"]
    assert parts == {
        "id": "engine-parts",
        "type": "occlusion",
        "section": "engine",
        "image": "diagrams/engine.svg",
        "labels": ["dockerd", "containerd"],
        "answer": "typed",
        "explanation": "dockerd 调用 containerd，containerd 调用 runc。\n",
    }
    assert every["ids"] == ["daemon", "runtime"] and "labels" not in every
    rows = bank_csv(diagram_bank).splitlines()
    assert "image,labels,ids,mode" in rows[0]


# -- what an attacker may try --------------------------------------------------------------

LEAKY = """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
  viewBox="0 0 400 200">
  <metadata><rdf>the hidden one is kubelet</rdf></metadata>
  <!-- kubelet sits at the top -->
  <title>ｋｕｂｅｌｅｔ and runc</title>
  <style>/* KUBELET */ .label-kubelet, .box {fill:#333} #kubelet-text {font-size:18px}</style>
  <g aria-roledescription="Kubelet node" xlink:title="kubelet" title="kubelet" data-x="Kubelet"
     class="label-kubelet" id="group-kubelet">
    <rect x="10" y="10" width="100" height="40" class="box"/>
    <text id="kubelet-text" x="20" y="40" aria-label="KUBELET">kubelet</text>
  </g>
  <text id="r" x="200" y="40">runc</text>
  <text id="l" x="200" y="140">a very long label indeed</text>
</svg>""".encode()


def test_nothing_in_the_masked_front_spells_the_hidden_label() -> None:
    front = occlude(LEAKY, Mask(selector("kubelet")))
    source = front.decode().casefold()
    assert "kubelet" not in source and "ｋｕｂｅｌｅｔ" not in source
    assert "<metadata" not in source and "<!--" not in source
    assert "runc" in texts(front)  # the label left shown stays
    assert "fill:#333" in source  # and the style sheet with it


def test_a_hidden_box_is_as_wide_whatever_it_hides() -> None:
    short = occlude(LEAKY, Mask(selector("runc")))
    long = occlude(LEAKY, Mask(selector("a very long label indeed")))
    both = occlude(LEAKY, Mask(selector("runc"), (selector("a very long label indeed"),)))

    def widths(data: bytes) -> list[str]:
        root = ElementTree.fromstring(data)
        return [r.get("width") for r in root.iter(f"{SVG}rect") if "wg-occ" in r.get("class", "")]

    assert widths(short) == widths(long) == [widths(both)[0]] * 1
    assert len(set(widths(both))) == 1


def test_a_selector_that_names_no_label_masks_nothing_and_is_refused() -> None:
    with pytest.raises(LabelError):
        occlude(ENGINE, Mask("0123456789abcdef"))
    with pytest.raises(LabelError):
        occlude(ENGINE, Mask(selector("runc"), ("0123456789abcdef",)))


def test_masking_costs_one_walk_of_the_labels_not_one_per_selector(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import srs.occlusion as occlusion

    many = (
        '<svg xmlns="http://www.w3.org/2000/svg">'
        + "".join(f'<text x="0" y="{i}">label {i}</text>' for i in range(3000))
        + "</svg>"
    ).encode()
    calls = []
    original = occlusion.selector
    monkeypatch.setattr(occlusion, "selector", lambda *a, **k: calls.append(1) or original(*a, **k))
    mask = Mask(original("label 0"), tuple(original(f"label {i}") for i in range(1, 50)))
    front = occlude(many, mask)
    assert len(texts(front)) == 3000 - 50 + 1  # the "?" of the asked one
    assert len(calls) <= 3000 + 50  # one digest per <text>, not one per <text> and selector


def test_a_mask_stops_above_the_next_line_of_a_tightly_set_diagram() -> None:
    # The shipped engine diagram: "dockerd" (17 px) at y=165, its box's next line (16 px) at
    # y=185, whose Chinese glyphs rise some 0.88 of their size: to about y=171.
    tight = b"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 440 200">
      <text x="30" y="165" font-size="17">dockerd</text>
      <text x="30" y="185" font-size="16">API\xe3\x80\x81\xe6\x9e\x84\xe5\xbb\xba</text>
    </svg>"""
    front = ElementTree.fromstring(occlude(tight, Mask(selector("dockerd"))))
    (mask,) = [r for r in front.iter(f"{SVG}rect") if "wg-occ" in r.get("class", "")]
    top, bottom = float(mask.get("y")), float(mask.get("y")) + float(mask.get("height"))
    assert top <= 165 - 17 * 0.9  # above the tallest glyph of its own line
    # Under its own descenders; its 2 px border (half of it outside) above the next line.
    assert bottom >= 165 + 17 * 0.22 and bottom + 1 < 185 - 16 * 0.88


def test_a_card_masking_every_label_says_which_box_is_asked(diagram_bank) -> None:
    """Its plain boxes hide the question's other labels: only the "?" is asked."""
    parts, every = diagram_bank.questions[:2]
    assert every.content().get("mode") == "all" and parts.content().get("mode") != "all"
    note = "*只问标着“?”的那一处；其余方框遮住的是别的标签。*"
    assert card_faces("occlusion", every.content(), 0, 0, "zh-CN").front.endswith(note)
    assert card_faces("occlusion", every.content(), 0, 0, "en").front.endswith(
        "*Only the box marked ? is asked; the plain boxes hide other labels.*"
    )
    assert note not in card_faces("occlusion", parts.content(), 0, 0, "zh-CN").front


def test_a_long_style_sheet_is_masked_in_a_moment() -> None:
    """Long runs with no brace in a diagram's style sheet (a file may hold megabytes): its
    patterns, tried from every place in a run, read them in time growing with its square."""
    sheet = "text{font-size:14px}" + "a" * 200_000 + ";" + "b" * 200_000
    svg = ENGINE.replace(b"</svg>", f"<style>{sheet}</style></svg>".encode())
    with ends_within(1):
        front = occlude(svg, Mask(selector("dockerd")))
    assert b"font-size:14px" in front and b"a" * 200_000 in front

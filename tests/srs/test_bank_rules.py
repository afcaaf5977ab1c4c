"""Every validation rule of the bank format: a small bad bank, the exact message and place.

Messages read ``file:line:column: where: what``; ``where`` names the question (or section,
or the bank) and ``what`` names the key at fault.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from srs import render
from srs.bank import BankError
from srs.sources import load_bank

HEAD = "id: b\ntitle: B\n"


def problems(root: Path, **options: int) -> list[str]:
    """The problems of the bank at ``root``, with file names relative to it."""
    with pytest.raises(BankError) as caught:
        load_bank(root, **options)
    return [str(p).replace(f"{root}/", "") for p in caught.value.problems]


def bad(write_bank, bank_yaml: str, **files: str | bytes) -> list[str]:
    return problems(write_bank("b", {"bank.yaml": bank_yaml, **files}))


# -- keys -------------------------------------------------------------------------------


def test_unknown_bank_key_is_named_with_a_suggestion(write_bank) -> None:
    text = "id: b\ntitel: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:1:1: bank: missing required key 'title'",
        "bank.yaml:2:1: bank: unknown key 'titel' (did you mean 'title'?)",
    ]


def test_unknown_question_key(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n  - id: q\n    type: basic\n    prompt: p\n    answer: a\n    weight: 2\n"
    )
    assert bad(write_bank, text) == ["bank.yaml:8:5: question 'q': unknown key 'weight'"]


def test_misspelt_question_key_gets_a_suggestion(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, promt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:5: question 'q': missing required key 'prompt' for a basic question",
        "bank.yaml:4:26: question 'q': unknown key 'promt' (did you mean 'prompt'?)",
    ]


def test_key_of_another_type_is_refused(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: a, choices: [x, y]}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:48: question 'q': 'choices' is not a key of a basic question"
    ]


def test_repeated_key_is_refused_with_both_lines(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n  - id: q\n    type: basic\n    prompt: p\n    prompt: again\n    answer: a\n"
    )
    assert bad(write_bank, text) == ["bank.yaml:7:5: repeated key 'prompt' (first at line 6)"]


def test_unknown_key_in_a_further_file(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    assert bad(write_bank, text, **{"more.yaml": "question:\n  - {id: r}\n"}) == [
        "more.yaml:1:1: file: unknown key 'question' (did you mean 'questions'?)",
        "more.yaml:1:1: missing required key 'questions'",
    ]


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("type: basic, prompt: p", "answer"),
        ("type: reverse, answer: a", "prompt"),
        ("type: typing, prompt: p", "answer"),
        ("type: cloze", "text"),
        ("type: choice, prompt: p, correct: 0", "choices"),
        ("type: choice, prompt: p, choices: [a, b]", "correct"),
        ("type: truefalse, prompt: p", "correct"),
        ("type: order, prompt: p", "items"),
    ],
)
def test_every_type_needs_its_keys(write_bank, question: str, missing: str) -> None:
    kind = question.split(",")[0].split(": ")[1]
    text = HEAD + f"questions:\n  - {{id: q, {question}}}\n"
    assert bad(write_bank, text) == [
        f"bank.yaml:4:5: question 'q': missing required key '{missing}' for a {kind} question"
    ]


def test_question_without_id_or_type(write_bank) -> None:
    text = HEAD + "questions:\n  - {prompt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:5: questions[0]: missing required key 'id'",
        "bank.yaml:4:5: questions[0]: missing required key 'type'",
    ]


def test_unknown_type_gets_a_suggestion(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: bsic, prompt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:19: question 'q': 'type' 'bsic' is not one of basic, reverse, cloze, "
        "choice, truefalse, order, typing, occlusion (did you mean 'basic'?)"
    ]


def test_empty_text_and_list_instead_of_text(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: '', answer: [a]}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:34: question 'q': 'prompt' is empty",
        "bank.yaml:4:46: question 'q': 'answer' must be text, not a list or mapping",
    ]


# -- ids and sections -----------------------------------------------------------------


@pytest.mark.parametrize("bad_id", ["Upper", "-dash", "has space", "x" * 65, "下划线"])
def test_question_id_pattern(write_bank, bad_id: str) -> None:
    text = HEAD + f"questions:\n  - {{id: '{bad_id}', type: basic, prompt: p, answer: a}}\n"
    assert bad(write_bank, text) == [
        f"bank.yaml:4:10: questions[0]: 'id' '{bad_id}' must be lowercase letters, digits "
        "and '-', starting with a letter or digit, at most 64 characters"
    ]


def test_bank_id_pattern(write_bank) -> None:
    text = "id: My_Bank\ntitle: B\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:1:5: bank: 'id' 'My_Bank' must be lowercase letters, digits and '-', "
        "starting with a letter or digit, at most 64 characters"
    ]


def test_question_id_used_twice_names_the_first_place(write_bank) -> None:
    root = write_bank(
        "b",
        {
            "bank.yaml": HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n",
            "more.yaml": "questions:\n  - {id: q, type: basic, prompt: p2, answer: a2}\n",
        },
    )
    assert problems(root) == [
        "more.yaml:2:10: question 'q': 'id' is used twice (first at bank.yaml:4:10)"
    ]


def test_section_must_be_listed(write_bank) -> None:
    text = (
        HEAD
        + "sections:\n  - {id: engine, title: E}\n"
        + "questions:\n  - {id: q, type: basic, section: engin, prompt: p, answer: a}\n"
    )
    assert bad(write_bank, text) == [
        "bank.yaml:6:35: question 'q': 'section' 'engin' is not one of the bank's sections "
        "(did you mean 'engine'?)"
    ]


def test_section_without_sections_listed(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, section: x, prompt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:35: question 'q': 'section' 'x' is not usable: the bank lists no sections"
    ]


def test_section_parent_must_come_before(write_bank) -> None:
    text = (
        HEAD
        + "sections:\n  - {id: child, title: C, parent: top}\n  - {id: top, title: T}\n"
        + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    )
    assert bad(write_bank, text) == [
        "bank.yaml:4:35: section 'child': 'parent' 'top' is not a section listed before it"
    ]


def test_section_listed_twice(write_bank) -> None:
    text = (
        HEAD
        + "sections:\n  - {id: a, title: A}\n  - {id: a, title: A2}\n"
        + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    )
    assert bad(write_bank, text) == ["bank.yaml:5:10: section 'a': 'id' is listed twice"]


def test_tags_may_not_hold_spaces(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, tags: [ok, not ok], prompt: p, answer: a}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:32: question 'q': 'tags' entry 'not ok' has a space"
    ]


# -- type rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cloze", "message"),
    [
        ("no deletion here", "no cloze deletion: write {{c1::answer}} around what to recall"),
        (
            "an {{c1:colon}} slip",
            "malformed cloze: expected {{c1::answer}} or {{c1::answer::hint}}",
        ),
        ("an {{c1::open", "malformed cloze: expected {{c1::answer}} or {{c1::answer::hint}}"),
        ("{{c0::zero}}", "cloze number c0 must be 1 or more"),
        ("{{c1:: }}", "cloze c1 has an empty answer"),
        ("{{c1::a {{c2::b}} }}", "a cloze deletion may not contain another"),
    ],
)
def test_cloze_syntax(write_bank, cloze: str, message: str) -> None:
    text = HEAD + f'questions:\n  - id: q\n    type: cloze\n    text: "{cloze}"\n'
    assert bad(write_bank, text) == [f"bank.yaml:6:11: question 'q': 'text': {message}"]


def test_choice_index_out_of_range(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: choice, prompt: p, choices: [a, b], correct: 2}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:64: question 'q': 'correct' index 2 is out of range: "
        "'choices' has 2 entries (0 to 1)"
    ]


def test_choice_index_in_a_list_out_of_range(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n  - {id: q, type: choice, prompt: p, choices: [a, b], correct: [0, 5]}\n"
    )
    assert bad(write_bank, text) == [
        "bank.yaml:4:68: question 'q': 'correct' index 5 is out of range: "
        "'choices' has 2 entries (0 to 1)"
    ]


@pytest.mark.parametrize("correct", ["true", "a", "1.5", "[]"])
def test_choice_correct_must_be_indices(write_bank, correct: str) -> None:
    text = (
        HEAD
        + f"questions:\n  - {{id: q, type: choice, prompt: p, choices: [a, b], correct: {correct}}}\n"
    )
    expected = (
        "question 'q': 'correct' lists no index"
        if correct == "[]"
        else "question 'q': 'correct' must be a 0-based index into 'choices', or a list of them"
    )
    assert bad(write_bank, text) == [f"bank.yaml:4:64: {expected}"]


def test_choice_index_listed_twice(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n  - {id: q, type: choice, prompt: p, choices: [a, b], correct: [1, 1]}\n"
    )
    assert bad(write_bank, text) == ["bank.yaml:4:68: question 'q': 'correct' lists index 1 twice"]


def test_choice_needs_two_choices(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: choice, prompt: p, choices: [a], correct: 0}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:47: question 'q': 'choices' needs at least 2 entries"
    ]


def test_truefalse_needs_a_boolean(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: truefalse, prompt: p, correct: maybe}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:50: question 'q': 'correct' must be true or false"
    ]


def test_order_needs_two_items(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: order, prompt: p, items: [only]}\n"
    assert bad(write_bank, text) == [
        "bank.yaml:4:44: question 'q': 'items' needs at least 2 entries"
    ]


def test_typing_accept_must_be_a_list(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: typing, prompt: p, answer: a, accept: b}\n"
    assert bad(write_bank, text) == ["bank.yaml:4:57: question 'q': 'accept' must be a list"]


# -- diagrams ---------------------------------------------------------------------------

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><title>t</title><rect width="1" height="1"/></svg>'


def image_bank(reference: str) -> str:
    return (
        HEAD
        + f'questions:\n  - id: q\n    type: basic\n    prompt: p\n    answer: a\n    explanation: "![d]({reference})"\n'
    )


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("diagrams/none.svg", "diagram 'diagrams/none.svg' not found in {root}"),
        ("../outside.svg", "diagram '../outside.svg' leaves the bank's folder"),
        ("diagrams/../../outside.svg", "diagram 'diagrams/../../outside.svg' leaves the bank's folder"),
        ("%2e%2e/outside.svg", "diagram '%2e%2e/outside.svg' leaves the bank's folder"),
        ("/etc/passwd.svg", "diagram '/etc/passwd.svg' must be a path relative to the bank's folder"),
        ("http://example.com/a.png", "diagram 'http://example.com/a.png' must be a path relative to the bank's folder"),
        ("data:image/svg+xml;base64,PHN2Zz4=", "diagram 'data:image/svg+xml;base64,PHN2Zz4=' must be a path relative to the bank's folder"),
        ("diagrams\\\\a.svg", "diagram 'diagrams\\a.svg' must use '/' between folders"),
        ("diagrams/notes.txt", "diagram 'diagrams/notes.txt' is not an image (.gif, .jpeg, .jpg, .png, .svg, .webp)"),
    ],
)  # fmt: skip
def test_diagram_paths(write_bank, tmp_path: Path, reference: str, message: str) -> None:
    (tmp_path / "outside.svg").write_bytes(SVG)
    root = write_bank("b", {"bank.yaml": image_bank(reference), "diagrams/notes.txt": "x"})
    expected = message.format(root=root)
    assert problems(root) == [f"bank.yaml:8:18: question 'q': 'explanation': {expected}"]


def test_diagram_link_leaving_the_folder_is_refused(write_bank, tmp_path: Path) -> None:
    (tmp_path / "secret.svg").write_bytes(SVG)
    root = write_bank("b", {"bank.yaml": image_bank("diagrams/link.svg")})
    (root / "diagrams").mkdir()
    (root / "diagrams/link.svg").symlink_to(tmp_path / "secret.svg")
    assert problems(root) == [
        "bank.yaml:8:18: question 'q': 'explanation': "
        "diagram 'diagrams/link.svg' leaves the bank's folder"
    ]


def test_single_file_bank_has_no_diagrams(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text(image_bank("diagrams/a.svg"))
    with pytest.raises(BankError) as caught:
        load_bank(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:8:18: question 'q': 'explanation': diagram 'diagrams/a.svg' cannot be used: "
        "a single-file bank has no diagrams"
    ]


def test_images_in_choices_are_checked(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n  - {id: q, type: choice, prompt: p, choices: [ok, '![x](x.svg)'], correct: 0}\n"
    )
    root = write_bank("b", {"bank.yaml": text})
    assert problems(root) == [
        f"bank.yaml:4:52: question 'q': 'choices[1]': diagram 'x.svg' not found in {root}"
    ]


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        (b'<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script></svg>', "2:1: SVG diagrams may not carry script: <script> element"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">\n<SCRIPT>alert(1)</SCRIPT></svg>', "2:1: SVG diagrams may not carry script: <script> element"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "1:1: SVG diagrams may not carry script: 'onload' handler"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:alert(1)"><text>t</text></a></svg>', "1:80: SVG diagrams may not carry script: 'href' URL"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>', "1:41: SVG diagrams may not carry script: <foreignobject> element"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://example.com/x.png"/></svg>', "1:41: SVG diagrams may not refer outside themselves: 'href' 'http://example.com/x.png'"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaa">]>\n<svg/>', "2:15: SVG diagrams may not have a DOCTYPE: '<!DOCTYPE svg'"),
        (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg xmlns="http://www.w3.org/2000/svg"/>', "1:98: SVG diagrams may not have a DOCTYPE: '<!DOCTYPE svg'"),
        (b'<svg><rect width="1" height="1"/></svg>', "1:1: SVG diagrams must have the root element <svg> in the SVG namespace (xmlns=\"http://www.w3.org/2000/svg\"), not <svg> without one"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "1:1: SVG diagrams must have the root element <svg> in the SVG namespace (xmlns=\"http://www.w3.org/2000/svg\"), not <html> in namespace 'http://www.w3.org/1999/xhtml'"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">\n' + b"<g>" * 5000 + b"</g>" * 5000 + b"</svg>", "2:298: SVG diagrams may not nest elements more than 100 deep"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><text>' + b"<tspan>" * 5000 + b"x" + b"</tspan>" * 5000 + b"</text></svg>", "1:733: SVG diagrams may not nest elements more than 100 deep"),
        (b'<svg xmlns="http://www.w3.org/2000/svg">\n' + b"<g/>" * 20001 + b"</svg>", "2:79997: SVG diagrams may not have more than 20000 elements"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>', "1:46: not a well-formed SVG: mismatched tag"),
    ],
)  # fmt: skip
def test_svg_with_script_is_refused_naming_the_file(write_bank, svg: bytes, message: str) -> None:
    root = write_bank("b", {"bank.yaml": image_bank("diagrams/d.svg"), "diagrams/d.svg": svg})
    assert problems(root) == [f"diagrams/d.svg:{message}"]


def test_svg_in_the_diagram_folder_is_checked_even_unused(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    evil = b'<svg xmlns="http://www.w3.org/2000/svg" onclick="x()"/>'
    assert bad(write_bank, text, **{"diagrams/spare.svg": evil}) == [
        "diagrams/spare.svg:1:1: SVG diagrams may not carry script: 'onclick' handler"
    ]


# -- files ------------------------------------------------------------------------------


def test_file_over_the_size_limit(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: '" + "x" * 2000 + "'}\n"
    root = write_bank("b", {"bank.yaml": text})
    size = (root / "bank.yaml").stat().st_size
    assert problems(root, max_bytes=1000) == [
        f"bank.yaml:1:1: file is {size:,} bytes; the limit is 1,000 bytes"
    ]


def test_diagram_over_the_size_limit(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
    root = write_bank("b", {"bank.yaml": text, "diagrams/big.png": b"x" * 5000})
    assert problems(root, max_bytes=1000) == [
        "diagrams/big.png:1:1: file is 5,000 bytes; the limit is 1,000 bytes"
    ]


def test_file_not_in_utf8_names_line_and_column(write_bank) -> None:
    data = (HEAD + "questions:\n  - {id: q, type: basic, prompt: caf").encode() + b"\xe9}\n"
    assert bad(write_bank, data) == [
        "bank.yaml:4:37: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]


def test_binary_file_is_refused(write_bank) -> None:
    assert bad(write_bank, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe") == [
        "bank.yaml:1:1: not UTF-8 text (byte 0x89); save the file as UTF-8"
    ]


def test_yaml_syntax_error_has_its_place(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p: q, answer: a}\n"
    [message] = bad(write_bank, text)
    assert message.startswith("bank.yaml:4:")
    assert message == (
        "bank.yaml:4:35: while parsing a flow mapping, did not find expected ',' or '}'"
    )


def test_second_document_is_refused(write_bank) -> None:
    text = HEAD + "questions:\n  - {id: q, type: basic, prompt: p, answer: a}\n---\nid: c\n"
    assert bad(write_bank, text) == ["bank.yaml:5:1: only one YAML document is allowed per file"]


def test_deep_nesting_is_refused(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n  - {id: q, type: basic, prompt: p, answer: a, x: "
        + "[" * 100
        + "]" * 100
        + "}\n"
    )
    [message] = bad(write_bank, text)
    assert message.endswith("nesting deeper than 32 levels")


def test_empty_bank_file(write_bank) -> None:
    assert bad(write_bank, "") == ["bank.yaml:1:1: expected a mapping with the bank's keys"]


def test_bank_without_questions(write_bank) -> None:
    root = write_bank("b", {"bank.yaml": HEAD})
    with pytest.raises(BankError) as caught:
        load_bank(root)
    assert [str(p) for p in caught.value.problems] == [f"{root}:1:1: the bank has no questions"]


def test_folder_without_bank_yaml(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BankError) as caught:
        load_bank(tmp_path / "empty")
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'empty'}:1:1: no bank.yaml in this folder"
    ]


def test_all_problems_of_a_file_come_together_in_order(write_bank) -> None:
    text = (
        HEAD
        + "questions:\n"
        + "  - {id: a, type: basic, prompt: p}\n"
        + "  - {id: b, type: choice, prompt: p, choices: [x, y], correct: 3}\n"
        + "  - {id: c, type: truefalse, prompt: p, correct: 1}\n"
    )
    found = bad(write_bank, text)
    assert [line.split(": ")[0] for line in found] == [
        "bank.yaml:4:5",
        "bank.yaml:5:64",
        "bank.yaml:6:50",
    ]


# -- rendering --------------------------------------------------------------------------


@pytest.fixture
def uncached() -> Iterator[None]:
    """The check's renderings forgotten before and after: these tests change the renderer."""
    render.prepare.cache_clear()
    yield
    render.prepare.cache_clear()


def test_a_field_that_fails_to_render_is_a_problem_at_its_place(
    write_bank, monkeypatch: pytest.MonkeyPatch, uncached: None
) -> None:
    """Whatever makes rendering fail is found by the check, never by a learner."""
    sanitise = render._sanitise

    def failing(html: str) -> str:
        if "boom" in html:
            raise ZeroDivisionError("boom")
        return sanitise(html)

    monkeypatch.setattr(render, "_sanitise", failing)
    text = HEAD + (
        "questions:\n"
        "  - {id: q, type: choice, prompt: p, choices: [a, '*boom*'], correct: 1}\n"
        "  - {id: r, type: order, prompt: p, items: [x, y]}\n"
    )
    assert bad(write_bank, text) == [
        "bank.yaml:4:51: question 'q': 'choices[1]' cannot be rendered: ZeroDivisionError: boom",
        # The card's back lists the right choice: it is rendered, and fails, too.
        "bank.yaml:4:71: question 'q': 'correct' cannot be rendered: ZeroDivisionError: boom",
    ]


def test_every_face_of_every_card_is_rendered_by_the_check(
    write_bank, monkeypatch: pytest.MonkeyPatch, uncached: None
) -> None:
    """A text made only when a card is shown (a cloze card's blank) is rendered too."""
    seen: list[str] = []
    convert = render._convert

    def recording(text: str, resolve: render.DiagramResolver) -> str:
        seen.append(text)
        return convert(text, resolve)

    monkeypatch.setattr(render, "_convert", recording)
    root = write_bank("b", {"bank.yaml": HEAD + (
        "questions:\n"
        "  - {id: c, type: cloze, text: 'a {{c1::b}} `c` {{c2::d::h}}'}\n"
        "  - {id: k, type: choice, prompt: '`p`', choices: ['`x`', '`y`'], correct: [0, 1]}\n"
    )})  # fmt: skip
    load_bank(root)
    assert any("cloze-blank" in text and "[h]" in text for text in seen)
    assert any("cloze-answer" in text and ">d<" in text for text in seen)
    assert "- `x`\n- `y`" in seen


def test_a_repeated_option_or_item_is_refused_whatever_its_width_or_case(write_bank) -> None:
    text = (
        "id: d\ntitle: D\nquestions:\n"
        '  - {id: c, type: choice, prompt: "Which?", choices: [same, "ｓａｍｅ", x], correct: 0}\n'
        '  - {id: z, type: choice, prompt: "Which?", choices: ["ru\\u200bnc", runc], correct: 0}\n'
        '  - {id: o, type: order, prompt: "Order?", items: [a, b, "A "]}\n'
    )
    assert bad(write_bank, text) == [
        "bank.yaml:4:54: question 'c': 'choices': the option 'ｓａｍｅ' is there twice",
        "bank.yaml:5:54: question 'z': 'choices': the option 'runc' is there twice",
        "bank.yaml:6:51: question 'o': 'items': the item 'A ' is there twice",
    ]

"""Occlusion cards in the app: review payloads, the masked diagrams, the bank page, quizzes,
exports and the refusal of a label the diagram does not hold."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select, update

from config import PROJECT_ROOT
from models import Card, Question, db
from srs.occlusion import selector
from tests.support import csrf_token

FIXTURE = PROJECT_ROOT / "tests/banks/diagram"


@pytest.fixture
def bank(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "import", str(FIXTURE)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def apart(runner: FlaskCliRunner, tmp_path: Path) -> None:
    """The fixture bank with its two diagram questions on two diagrams, the second a copy
    with other words, and its plain question asking what neither shows: a quiz takes one
    question a diagram, and none whose answer another shows."""
    folder = shutil.copytree(FIXTURE, tmp_path / "diagram")
    svg = (folder / "diagrams/engine.svg").read_text("utf-8")
    for said, instead in (
        ("dockerd", "守护进程"),
        ("containerd", "容器管理器"),
        ("runc", "低层运行时"),
    ):
        svg = svg.replace(f">{said}<", f">{instead}<")
    (folder / "diagrams/engine-b.svg").write_text(svg, "utf-8")
    text = (folder / "bank.yaml").read_text("utf-8")
    text = text.replace(
        "image: diagrams/engine.svg\n    ids:", "image: diagrams/engine-b.svg\n    ids:"
    )
    text = text.replace("真正创建容器的是 containerd 还是 runc？", "runc 用哪个库创建容器？")
    text = text.replace("answer: runc", "answer: libcontainer")
    (folder / "bank.yaml").write_text(text, "utf-8")
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output


def cards(client: FlaskClient) -> list[dict]:
    """The cards the API serves now, one a question, in order."""
    first = client.get("/api/v1/review/next?bank=diagram&ahead=9").json
    return [first, *first.get("ahead", [])]


def image_urls(fragment: str) -> list[str]:
    return [html.unescape(src) for src in re.findall(r'<img[^>]*src="([^"]+)"', fragment)]


def svg_texts(client: FlaskClient, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)<", response.text)]


def test_the_review_payload_masks_the_label_and_reveals_it_on_the_back(
    signed_in: FlaskClient, bank: None
) -> None:
    client = signed_in
    # A question's other cards wait for another day once one is answered: the first of each.
    parts = [c for c in cards(client) if c["question"] == "engine-parts"]
    assert [c["type"] for c in parts] == ["occlusion"]
    for card, label in zip(parts, ["dockerd"], strict=True):
        assert "图中被遮住的标签是什么？" in card["prompt_html"]
        assert label not in card["prompt_html"]  # neither in the text, the alt, nor the URL
        assert card["check"] == {"accept": [label]}
        (front,) = image_urls(card["prompt_html"])
        assert front.startswith("/banks/diagram/diagrams/engine.svg?ask=")
        shown = svg_texts(client, front)
        assert label not in shown and "?" in shown
        assert len(shown) == len(svg_texts(client, "/banks/diagram/diagrams/engine.svg"))
        (back,) = image_urls(card["answer_html"])
        assert (
            label in svg_texts(client, back) and f"<strong>{label}</strong>" in card["answer_html"]
        )
        assert "dockerd 调用 containerd" in card["explanation_html"]


def test_a_self_graded_card_sends_nothing_to_check(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    client = signed_in
    # engine-all shows engine-parts' diagram: it comes on a day of its own (srs.kin), or
    # once engine-parts is out of the way.
    assert "engine-all" not in [c["question"] for c in cards(client)]
    with app.app_context():
        parts = select(Question.id).where(Question.key == "engine-parts")
        db.session.execute(update(Card).where(Card.question_id.in_(parts)).values(suspended=True))
        db.session.commit()
    every = [c for c in cards(client) if c["question"] == "engine-all"]
    assert len(every) == 1 and all("check" not in c for c in every)
    shown = svg_texts(client, image_urls(every[0]["prompt_html"])[0])
    assert "dockerd" not in shown and "runc" not in shown  # mode: all


def test_a_mask_it_cannot_apply_serves_no_diagram(signed_in: FlaskClient, bank: None) -> None:
    url = "/banks/diagram/diagrams/engine.svg"
    plain = signed_in.get(url)
    assert plain.status_code == 200 and b"dockerd" in plain.data  # explanations show it
    runc = selector("runc")
    for query in [
        "ask=runc",  # the label itself, not its selector
        "ask=",
        f"mask={runc}",  # nothing asked
        f"ask={runc}&ask={selector('dockerd')}",
        f"ask={runc}&reveal=yes",
        f"ask={runc}&cache=1",
        f"ask={runc}" + "".join(f"&mask={i:016x}" for i in range(50)),  # over the cap
    ]:
        response = signed_in.get(f"{url}?{query}")
        assert response.status_code == 400, query
        assert b"<svg" not in response.data
    for query in [
        "ask=0123456789abcdef",  # names no label
        f"ask={runc}&mask=0123456789abcdef",
        f"ask={selector('gRPC')}",  # names two
    ]:
        response = signed_in.get(f"{url}?{query}")
        assert response.status_code == 404, query
        assert b"<svg" not in response.data
    masked = signed_in.get(
        f"{url}?ask={runc}&mask={selector('dockerd')}&mask={selector('dockerd')}"
    )
    assert masked.status_code == 200 and b'class="wg-occ-ask"' in masked.data


def test_the_bank_page_shows_the_question_and_its_labels(
    signed_in: FlaskClient, bank: None
) -> None:
    page = signed_in.get("/banks/diagram").get_data(as_text=True)
    # The diagram is shown, not named by its file's path.
    assert "Name each of the 2 masked labels of the diagram." in page
    assert "of diagrams/engine.svg" not in page
    assert "哪个组件在这里？" in page
    assert "<code>dockerd</code>, <code>containerd</code>" in page
    # Under the prompt, the diagram with both labels asked masked, to name them from it;
    # then, under the answer, the diagram whole.
    question = page[page.index('id="q-engine-parts"') :]
    prompt = question[question.index('class="prompt"') : question.index('class="answer"')]
    (masked,) = image_urls(prompt)
    assert masked.startswith("/banks/diagram/diagrams/engine.svg?ask=")
    shown = svg_texts(signed_in, masked)
    assert "dockerd" not in shown and "containerd" not in shown
    whole = svg_texts(signed_in, "/banks/diagram/diagrams/engine.svg")
    assert {"dockerd", "containerd"} <= set(whole)
    assert set(whole) - {"dockerd", "containerd"} <= set(shown)  # the other labels are there
    answer = question[question.index('class="answer"') :]
    assert image_urls(answer)[0] == "/banks/diagram/diagrams/engine.svg"


def test_a_quiz_takes_typed_and_self_graded_labels(
    app: Flask, signed_in: FlaskClient, apart: None
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "count": "3"}
    response = signed_in.post("/quiz/diagram", data=data)
    quiz_id = int(response.location.rsplit("/", 1)[1])
    page = signed_in.get(f"/quiz/diagram/{quiz_id}").get_data(as_text=True)
    assert page.count("data-typed") == 1 and page.count("data-self-answer") == 2
    from models import Quiz

    with app.app_context():
        items = db.session.get(Quiz, quiz_id).items
    labels = {"engine-parts": ["dockerd", "containerd"]}
    answers = {
        str(i): labels[key][ordinal] if key in labels else True
        for i, (key, ordinal, _) in enumerate(items)
    }
    submitted = signed_in.post(f"/quiz/diagram/{quiz_id}", data={
        "csrf_token": csrf_token(signed_in), "answers": json.dumps(answers), "flags": "[]",
    })  # fmt: skip
    result = signed_in.get(submitted.location).get_data(as_text=True)
    assert '<span class="stat-value" data-score>100%</span>' in result


def test_a_quiz_mistake_shows_the_label_asked_and_the_right_one(
    app: Flask, signed_in: FlaskClient, apart: None
) -> None:
    data = {"csrf_token": csrf_token(signed_in), "count": "3", "types": "occlusion"}
    quiz_id = int(signed_in.post("/quiz/diagram", data=data).location.rsplit("/", 1)[1])
    from models import Quiz

    with app.app_context():
        items = db.session.get(Quiz, quiz_id).items
    answers = {
        str(i): "kubelet" if key == "engine-parts" else False for i, (key, _, _) in enumerate(items)
    }
    submitted = signed_in.post(f"/quiz/diagram/{quiz_id}", data={
        "csrf_token": csrf_token(signed_in), "answers": json.dumps(answers), "flags": "[]",
    })  # fmt: skip
    result = signed_in.get(submitted.location).get_data(as_text=True)
    assert '<span class="stat-value" data-score>0%</span>' in result
    # "kubelet" is far from either label: shown as typed, not as a diff (a near miss is).
    said = re.findall(r'<p class="your-answer">.*?</p>', result)
    assert sorted(said) == [
        '<p class="your-answer"><span class="label">Your answer:</span> I didn\'t know it</p>',
        '<p class="your-answer"><span class="label">Your answer:</span> kubelet</p>',
    ]
    right = re.findall(r"Right answer:</span> <strong>(.*?)</strong>", result)
    expected = {"engine-parts": ["dockerd", "containerd"], "engine-all": ["守护进程", "低层运行时"]}
    assert sorted(right) == sorted(expected[key][ordinal] for key, ordinal, _ in items)
    # Each mistake shows its prompt over the diagram with the label asked uncovered (as
    # review's back does), not the masked diagram of the question.
    asked = re.findall(r'<div class="prompt">(.*?)</div>', result, re.S)
    assert len(asked) == len(items)
    for shown in asked:
        diagrams = re.findall(r'<img [^>]*src="([^"]+)"', shown)
        assert len(diagrams) == 1 and "reveal=1" in diagrams[0], shown
        assert re.search(r"<p>[^<]+</p>", shown), shown  # the prompt


def test_the_yaml_export_imports_unchanged(
    runner: FlaskCliRunner, bank: None, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert (
        runner.invoke(
            args=["bank", "export", "diagram", "--format", "yaml", "--output", str(out)]
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["bank", "import", str(out)])
    assert again.stdout == "diagram: 0 added, 0 updated, 0 retired, 3 unchanged\n"


def test_bank_check_names_the_label_the_diagram_lacks(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    copy = tmp_path / "diagram"
    shutil.copytree(FIXTURE, copy)
    text = (copy / "bank.yaml").read_text(encoding="utf-8")
    (copy / "bank.yaml").write_text(
        text.replace("[dockerd, containerd]", "[dockerd, kubelet]"), encoding="utf-8"
    )
    result = runner.invoke(args=["bank", "check", str(copy)])
    assert result.exit_code != 0
    assert (
        f"{copy}/bank.yaml:11:23: question 'engine-parts': 'labels[1]': label 'kubelet' "
        "matches no <text> element in diagrams/engine.svg"
    ) in result.output
    imported = runner.invoke(args=["bank", "import", str(copy)])
    assert imported.exit_code != 0 and "kubelet" in imported.output


def test_an_answered_diagram_card_counts_in_the_statistics(
    signed_in: FlaskClient, bank: None
) -> None:
    card = cards(signed_in)[0]
    body = {"rating": 3, "review_token": card["review_token"], "elapsed_ms": 4000, "correct": True}
    answered = signed_in.post(
        f"/api/v1/review/{card['card_id']}",
        json=body,
        headers={"X-CSRFToken": csrf_token(signed_in)},
    )
    assert answered.status_code == 200, answered.json
    data = signed_in.get("/api/v1/stats?bank=diagram").json
    assert data["states"]["learning"] == 1 and sum(data["heatmap"].values()) == 1
    assert data["mastery"]["diagram:engine"]["studied"] == 1
    assert signed_in.get("/stats?bank=diagram").status_code == 200


def test_a_cloze_is_self_graded_in_review_though_a_quiz_checks_it(
    signed_in: FlaskClient, runner: FlaskCliRunner, write_bank
) -> None:
    """What a quiz checks a cloze against is not sent: review shows its answer to grade."""
    text = "id: z\ntitle: z\nquestions:\n  - {id: c, type: cloze, text: '{{c1::runc}} runs it'}\n"
    result = runner.invoke(args=["bank", "import", str(write_bank("z", {"bank.yaml": text}))])
    assert result.exit_code == 0, result.output
    card = signed_in.get("/api/v1/review/next?bank=z").json
    assert card["type"] == "cloze" and "check" not in card and "suggest" not in card

"""The bank pages and the diagram route."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from tests.support import csrf_token

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><title>engine</title><rect width="4" height="4"/></svg>'
BANK = """
    id: demo
    title: 演示题库
    language: zh-CN
    sections:
      - {id: engine, title: 引擎}
    questions:
      - id: who
        type: basic
        section: engine
        prompt: 谁创建容器？
        answer: runc
        explanation: |
          ![引擎图](diagrams/engine.svg)

          <script>alert("x")</script><img src=x onerror=alert(1)>[x](javascript:alert(1))
      - id: gap
        type: cloze
        text: "{{c1::containerd}} 指挥 runc"
      - id: pick
        type: choice
        prompt: 默认存储驱动？
        choices: [overlay2, aufs]
        correct: 0
"""


@pytest.fixture
def imported(runner: FlaskCliRunner, write_bank, signed_in: FlaskClient) -> None:
    root = write_bank("demo", {"bank.yaml": BANK, "diagrams/engine.svg": SVG})
    other = write_bank(
        "other",
        {
            "bank.yaml": "id: other\ntitle: O\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n",
            "diagrams/secret.svg": SVG,
        },
    )
    assert runner.invoke(args=["bank", "import", str(root), str(other)]).exit_code == 0


def test_index_lists_banks(client: FlaskClient, imported: None) -> None:
    page = client.get("/banks").get_data(as_text=True)
    assert 'href="/banks/demo"' in page and "演示题库" in page
    assert "3 questions\n        · 1 section · 1 diagram" in page


def test_index_without_banks_says_how_to_add_one(signed_in: FlaskClient) -> None:
    page = signed_in.get("/banks").get_data(as_text=True)
    assert "No banks yet." in page and "flask --app app bank import PATH" in page


def test_bank_page_renders_questions_with_their_diagram(
    client: FlaskClient, imported: None
) -> None:
    page = client.get("/banks/demo").get_data(as_text=True)
    assert "谁创建容器？" in page
    assert 'src="/banks/demo/diagrams/engine.svg"' in page
    assert '<span class="cloze cloze-blank">[...]</span> 指挥 runc' in page
    assert '<span class="cloze cloze-answer">containerd</span>' in page


def test_a_bank_page_says_why_it_has_more_cards_than_questions(
    client: FlaskClient, imported: None, runner: FlaskCliRunner, write_bank
) -> None:
    # The demo bank makes as many cards as questions (its cloze has one blank): no word.
    assert "more than one card" not in client.get("/banks/demo").get_data(as_text=True)
    both = "id: both\ntitle: B\nquestions:\n  - {id: q, type: reverse, prompt: p, answer: a}\n"
    assert runner.invoke(args=["bank", "import", str(write_bank("b", {"bank.yaml": both}))]).exit_code == 0  # fmt: skip
    page = client.get("/banks/both").get_data(as_text=True)
    assert "1 question · 2 cards ·" in page
    assert "Some questions make more than one card: a reverse question is asked both ways" in page


def test_today_after_leaving_every_bank_says_so_not_no_bank_yet(
    client: FlaskClient, imported: None
) -> None:
    for bank in ("demo", "other"):
        client.post(f"/banks/{bank}/leave", data={"csrf_token": csrf_token(client)})
    page = client.get("/").get_data(as_text=True)
    assert "You left every bank you studied; your progress in them is kept." in page
    assert "no bank yet" not in page
    client.post("/banks/demo/join", data={"csrf_token": csrf_token(client)})
    assert "You left every bank" not in client.get("/").get_data(as_text=True)


def test_a_bank_page_starts_its_study_and_quiz_or_adds_a_bank_left(
    client: FlaskClient, imported: None
) -> None:
    page = client.get("/banks/demo").get_data(as_text=True)
    assert 'href="/review/demo">Study</a>' in page and 'href="/quiz/demo">Quiz</a>' in page
    client.post("/banks/demo/leave", data={"csrf_token": csrf_token(client)})
    page = client.get("/banks/demo").get_data(as_text=True)
    assert 'href="/review/demo"' not in page
    assert 'action="/banks/demo/join"' in page and "You left this bank" in page
    client.post("/banks/demo/join", data={"csrf_token": csrf_token(client)})
    assert 'href="/review/demo">Study</a>' in client.get("/banks/demo").get_data(as_text=True)


def test_the_banks_list_starts_the_study_of_each_bank_studied_and_asks_before_leaving(
    client: FlaskClient, imported: None
) -> None:
    page = client.get("/banks").get_data(as_text=True)
    assert re.search(
        r'href="/review/demo">Study<span class="visually-hidden"> [^<]+</span></a>', page
    )
    assert re.search(r'action="/banks/demo/leave" data-ask="Leave [^"]+\? Its cards leave', page)
    client.post("/banks/demo/leave", data={"csrf_token": csrf_token(client)})
    page = client.get("/banks").get_data(as_text=True)
    assert 'href="/review/demo"' not in page and 'action="/banks/demo/join"' in page


def test_bank_page_carries_no_script_from_the_bank(client: FlaskClient, imported: None) -> None:
    page = client.get("/banks/demo").get_data(as_text=True).lower()
    page = re.sub(
        r'<script type="module" src="/static/js/[a-z]+\.js"></script>', "", page
    )  # the app's
    assert "<script" not in page and "onerror" not in page and "javascript:" not in page


def test_unknown_bank_is_404(client: FlaskClient, signed_in: FlaskClient) -> None:
    response = client.get("/banks/nope")
    assert response.status_code == 404
    assert "There is no bank &#39;nope&#39;." in response.get_data(as_text=True)


def test_diagram_is_served_with_safe_headers(client: FlaskClient, imported: None) -> None:
    response = client.get("/banks/demo/diagrams/engine.svg")
    assert response.status_code == 200
    assert response.data == SVG
    assert response.mimetype == "image/svg+xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in response.headers["Content-Security-Policy"]
    # The app's own are added beside the diagram's, not a second time.
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert len(response.headers.getlist(name)) == 1, name


def test_the_old_diagram_url_is_sent_on_to_the_one_url(client: FlaskClient, imported: None) -> None:
    """Offline caches and saved pages hold the old URL, its folder named twice."""
    old = client.get("/banks/demo/diagrams/diagrams/engine.svg")
    assert old.status_code == 301 and old.location == "/banks/demo/diagrams/engine.svg"
    masked = client.get("/banks/demo/diagrams/diagrams/engine.svg?ask=a&hide=b")
    assert masked.location == "/banks/demo/diagrams/engine.svg?ask=a&hide=b"
    assert client.get(old.location).data == SVG
    assert client.get("/banks/demo/diagrams/diagrams/missing.svg").status_code == 404


def test_diagram_revalidates_by_etag(client: FlaskClient, imported: None) -> None:
    first = client.get("/banks/demo/diagrams/engine.svg")
    again = client.get(
        "/banks/demo/diagrams/engine.svg",
        headers={"If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/banks/demo/diagrams/missing.svg",
        "/banks/demo/diagrams/secret.svg",  # another bank's file
        "/banks/demo/diagrams/../other/diagrams/secret.svg",
        "/banks/demo/diagrams/%2e%2e/%2e%2e/config.py",
        "/banks/demo/diagrams/bank.yaml",
    ],
)
def test_nothing_but_the_banks_own_diagrams_is_served(
    client: FlaskClient, imported: None, path: str
) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"<svg" not in response.data

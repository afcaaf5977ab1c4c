"""Quizzes in the app: starting, answering, timing out, submitting, studying the mistakes."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from models import Card, Quiz, QuizAnswer, Review, User, db
from services.quizzes import MAX_ANSWER_CHARS, MAX_SUBMISSION_CHARS
from tests.support import Auth, csrf_token, make_user

BANK = """
id: q
title: Quiz bank
sections:
  - {id: s1, title: One}
  - {id: s2, title: Two}
questions:
  - {id: c1, type: choice, section: s1, prompt: pick, choices: [a, b, c], correct: 1,
     explanation: "b, made by runc"}
  - {id: t1, type: truefalse, section: s1, prompt: true?, correct: true}
  - {id: y1, type: typing, section: s2, prompt: type, answer: "`runc`"}
  - {id: o1, type: order, section: s2, prompt: order, items: [w, x, y]}
  - {id: b1, type: basic, section: s2, prompt: know?, answer: yes}
"""


@pytest.fixture
def bank(runner: FlaskCliRunner, write_bank) -> None:
    runner.invoke(args=["bank", "import", str(write_bank("q", {"bank.yaml": BANK}))])


def start(client: FlaskClient, **fields: object) -> int:
    data = {"csrf_token": csrf_token(client), "count": "5", **fields}
    response = client.post("/quiz/q", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def items(app: Flask, quiz_id: int) -> list[tuple[str, int, list[int]]]:
    with app.app_context():
        return db.session.get(Quiz, quiz_id).items


def place(app: Flask, quiz_id: int, key: str, index: int) -> int:
    """Where the quiz shows choice ``index`` of question ``key``: the page sends places."""
    return next(shuffle for k, _, shuffle in items(app, quiz_id) if k == key).index(index)


def right_answers(app: Flask, quiz_id: int) -> dict[str, object]:
    answers = {"c1": [place(app, quiz_id, "c1", 1)], "t1": True, "y1": "ＲＵＮＣ",
               "o1": [0, 1, 2], "b1": True}  # fmt: skip
    return {str(i): answers[key] for i, (key, _, _) in enumerate(items(app, quiz_id))}


def submit(
    client: FlaskClient, quiz_id: int, answers: dict[str, object], flags: list[int] | None = None
):
    return client.post(f"/quiz/q/{quiz_id}", data={
        "csrf_token": csrf_token(client), "answers": json.dumps(answers), "flags": json.dumps(flags or []),
    })  # fmt: skip


def test_setup_page_offers_sections_and_types(signed_in: FlaskClient, bank: None) -> None:
    page = signed_in.get("/quiz/q").get_data(as_text=True)
    assert 'value="s1"' in page and 'value="typing"' in page and "Start the quiz" in page
    signed_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN"
    assert "判断" in signed_in.get("/quiz/q").get_data(as_text=True)  # each type named by its macro


def test_quiz_page_shows_one_question_a_screen(signed_in: FlaskClient, bank: None) -> None:
    quiz_id = start(signed_in)
    page = signed_in.get(f"/quiz/q/{quiz_id}").get_data(as_text=True)
    assert page.count('class="card quiz-question"') == 5
    assert len(re.findall(r'class="card quiz-question"[^>]*hidden', page)) == 4
    assert '<script type="module" src="/static/js/quiz.js"></script>' in page


def test_all_right_scores_full_marks(app: Flask, signed_in: FlaskClient, bank: None) -> None:
    quiz_id = start(signed_in)
    response = submit(signed_in, quiz_id, right_answers(app, quiz_id))
    assert response.location == f"/quiz/q/{quiz_id}/result"
    page = signed_in.get(response.location).get_data(as_text=True)
    assert '<span class="stat-value" data-score>100%</span>' in page and "No mistakes." in page


def test_partial_and_blank_answers(app: Flask, signed_in: FlaskClient, bank: None) -> None:
    quiz_id = start(signed_in)
    answers = right_answers(app, quiz_id)
    order = {key: str(i) for i, (key, _, _) in enumerate(items(app, quiz_id))}
    answers[order["o1"]] = [0, 2, 1]  # one of three in place
    del answers[order["y1"]]  # blank
    answers[order["c1"]] = [place(app, quiz_id, "c1", 0)]  # wrong
    submit(signed_in, quiz_id, answers, flags=[int(order["c1"])])
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        scores = {a.question_key: (a.score, a.flagged) for a in quiz.answers}
        assert scores == {"c1": (0.0, True), "t1": (1.0, False), "y1": (None, False),
                          "o1": (pytest.approx(1 / 3), False), "b1": (1.0, False)}  # fmt: skip
        assert quiz.score == pytest.approx((1 + 1 + 1 / 3) / 5)
    page = signed_in.get(f"/quiz/q/{quiz_id}/result").get_data(as_text=True)
    assert "Right answer:" in page and "<em>blank</em>" in page and "flagged" in page
    assert "<strong><code>runc</code></strong>" in page  # the bank's Markdown, not its backticks
    # The order given (w, y, x against w, x, y), a numbered list, each item marked in its
    # place or not; the right order a numbered list beside it.
    said = re.search(r'<div class="your-answer">.*?</div>', page, re.S).group(0)
    marks = re.findall(r'<li class="(is-placed|is-misplaced)"><span class="mark"[^>]*>(.)</span>'
                       r'<span class="visually-hidden">[^<]*</span> (\w)</li>', said)  # fmt: skip
    assert marks == [
        ("is-placed", "✓", "w"),
        ("is-misplaced", "✗", "y"),
        ("is-misplaced", "✗", "x"),
    ]
    right = re.search(r'<div class="right-answer">.*?</div>', page, re.S).group(0)
    assert re.findall(r"<li>(\w)</li>", right) == ["w", "x", "y"]
    assert page.index(">Two</th>") < page.index(">One</th>")  # weakest section first: 44% < 50%
    assert "Study these mistakes" in page
    # 2 of 5 wholly right, and the order's third beside them: the 47% score says why.
    assert '<span class="stat-value">2/5</span><span class="stat-label" data-right-label>' \
        "right; 1 partly</span>" in page  # fmt: skip


def test_the_same_seed_shares_a_quiz(app: Flask, signed_in: FlaskClient, bank: None) -> None:
    first = start(signed_in, seed="12345", count="3")
    second = start(signed_in, seed="12345", count="3")
    assert items(app, first) == items(app, second)
    submit(signed_in, first, {})
    page = signed_in.get(f"/quiz/q/{first}/result").get_data(as_text=True)
    link = re.search(r'<code class="copy-text" id="share-link"[^>]*>([^<]+)</code>', page).group(1)
    assert "seed=12345" in link and "count=3" in link


def test_running_out_of_time(app: Flask, signed_in: FlaskClient, bank: None) -> None:
    quiz_id = start(signed_in, minutes="1")
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert quiz.deadline - quiz.started_at == timedelta(minutes=1)
        quiz.started_at -= timedelta(minutes=5)
        quiz.deadline -= timedelta(minutes=5)  # the time ran out four minutes ago
        db.session.commit()
    submit(signed_in, quiz_id, right_answers(app, quiz_id))
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert quiz.timed_out and quiz.score == 0.0
        assert all(answer.score is None for answer in quiz.answers)
    assert "The time ran out" in signed_in.get(f"/quiz/q/{quiz_id}/result").get_data(as_text=True)


def test_answers_just_at_the_limit_still_count(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = start(signed_in, minutes="1")
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        quiz.deadline = datetime.now(timezone.utc) - timedelta(
            seconds=3
        )  # the page's own auto-submit
        db.session.commit()
    submit(signed_in, quiz_id, right_answers(app, quiz_id))
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert quiz.timed_out and quiz.score == 1.0


def test_a_quiz_is_submitted_once(app: Flask, signed_in: FlaskClient, bank: None) -> None:
    quiz_id = start(signed_in)
    submit(signed_in, quiz_id, right_answers(app, quiz_id))
    submit(signed_in, quiz_id, {})
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).score == 1.0


def test_mistakes_become_due_only_when_the_learner_asks(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = start(signed_in)
    submit(signed_in, quiz_id, {})  # all blank: five mistakes
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
        assert db.session.scalar(select(func.count()).select_from(Card)) == 0
    response = signed_in.post(
        f"/quiz/q/{quiz_id}/study", data={"csrf_token": csrf_token(signed_in)}
    )
    assert response.location == "/review/q"
    with app.app_context():
        reviews = db.session.scalars(select(Review)).all()
        assert len(reviews) == 5 and {r.rating for r in reviews} == {1}
        now = datetime.now(timezone.utc)
        cards = db.session.scalars(select(Card)).all()
        assert all(card.due <= now + timedelta(minutes=1) for card in cards)
        # None buried by another's answer (c1 and y1 are kin: c1's explanation names runc).
        assert [card.buried_until for card in cards] == [None] * 5
    signed_in.post(f"/quiz/q/{quiz_id}/study", data={"csrf_token": csrf_token(signed_in)})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 5  # once only


def test_quizzes_are_their_takers_own(
    app: Flask, client: FlaskClient, bank: None, learner: int
) -> None:
    from tests.support import Auth, make_user

    Auth(client).login()
    quiz_id = start(client)
    Auth(client).logout()
    make_user(app, "bob")
    Auth(client).login("bob")
    assert client.get(f"/quiz/q/{quiz_id}").status_code == 404
    assert client.get(f"/quiz/q/{quiz_id}/result").status_code == 404
    assert submit(client, quiz_id, {}).status_code == 404


def test_nothing_to_draw_is_said_plainly(signed_in: FlaskClient, bank: None) -> None:
    response = signed_in.post(
        "/quiz/q", data={"csrf_token": csrf_token(signed_in), "count": "5", "tags": "nope"}
    )
    assert response.status_code == 400


def test_quiz_history_on_stats_and_shared_scores_on_the_board(
    app: Flask, client: FlaskClient, bank: None, learner: int
) -> None:
    from models import User
    from services.groups import create_group
    from tests.support import Auth, make_user

    make_user(app, "bob")
    with app.app_context():
        users = {u.name: u for u in db.session.scalars(select(User))}
        group = create_group(db.session, users["ann"], "Readers", ["q"])
        from models import Membership

        db.session.add(Membership(group_id=group.id, user_id=users["bob"].id, shares_progress=True))
        # The creator shares too, by choice: sharing is off until chosen.
        creator = db.session.scalar(
            select(Membership).filter_by(group_id=group.id, user_id=users["ann"].id)
        )
        creator.shares_progress = True
        db.session.commit()
        group_id = group.id
    scores = {}
    for name, answers_right in (("ann", True), ("bob", False)):
        Auth(client).login(name)
        quiz_id = start(client, seed="777", count="5")
        submit(client, quiz_id, right_answers(app, quiz_id) if answers_right else {})
        scores[name] = quiz_id
        if name == "ann":
            history = client.get("/stats").get_data(as_text=True)
            assert f'href="/quiz/q/{quiz_id}/result">100%</a>' in history
            assert " · Quiz bank · 5 questions ·" in history  # the bank by its title
        Auth(client).logout()
    Auth(client).login("ann")
    page = client.get(f"/groups/{group_id}").get_data(as_text=True)
    assert "Shared quizzes" in page
    assert "<li>ann <strong>100%</strong></li><li>bob <strong>0%</strong></li>" in page


def stored_answers(app: Flask) -> list[object]:
    with app.app_context():
        rows = db.session.scalars(select(QuizAnswer.response).order_by(QuizAnswer.position))
        result = list(rows)
        db.session.remove()
        return result


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("x" * MAX_ANSWER_CHARS, True),
        ("语" * MAX_ANSWER_CHARS, True),  # characters, not bytes or JSON escapes
        ("x" * (MAX_ANSWER_CHARS + 1), False),
        (list(range(300)), False),
        ({"a": "x" * MAX_ANSWER_CHARS}, False),
    ],
)
def test_each_answer_has_a_bound(
    app: Flask, signed_in: FlaskClient, bank: None, answer: object, stored: bool
) -> None:
    quiz_id = start(signed_in, types="typing")
    response = submit(signed_in, quiz_id, {"0": answer})
    if stored:
        assert response.status_code == 302
        assert stored_answers(app)[0] == answer
    else:
        assert response.status_code == 400
        assert (
            f"The answer to question 1 is longer than {MAX_ANSWER_CHARS} characters."
            in response.get_data(as_text=True)
        )
        assert stored_answers(app) == []
        assert submit(signed_in, quiz_id, {"0": "x"}).status_code == 302  # not spent


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        ("c1", [0.5]),  # int(0.5) was 0: a right answer by rounding
        ("c1", ["1"]),
        ("c1", {"0": 1}),
        ("c1", [True]),
        ("c1", [-1]),  # was shown as the last option
        ("c1", [99]),
        ("c1", [0, 1]),  # one right answer: one choice
        ("c1", 1),
        ("t1", "true"),
        ("t1", 1),
        ("y1", ["runc"]),
        ("o1", [0, 0, 0]),
        ("o1", [0, 1, 3]),
        ("o1", [2, -1]),
        ("o1", [0, 1, 2, 0]),
        ("b1", "yes"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_refused_and_nothing_stored(
    app: Flask, signed_in: FlaskClient, bank: None, key: str, answer: object
) -> None:
    quiz_id = start(signed_in)
    position = [k for k, _, _ in items(app, quiz_id)].index(key)
    answers = right_answers(app, quiz_id)
    answers[str(position)] = answer
    response = submit(signed_in, quiz_id, answers)
    assert response.status_code == 400
    assert f"The answer to question {position + 1} is not one it takes" in response.get_data(
        as_text=True
    )
    assert stored_answers(app) == []
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).submitted_at is None  # not spent
    assert submit(signed_in, quiz_id, right_answers(app, quiz_id)).status_code == 302


def test_an_order_answer_may_be_the_first_items_picked(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = start(signed_in, types="order")
    assert submit(signed_in, quiz_id, {"0": [0, 2]}).status_code == 302
    assert stored_answers(app) == [[0, 2]]


def test_a_choice_is_sent_by_its_place_and_stored_by_its_index_in_the_bank(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = start(signed_in, types="choice")
    page = signed_in.get(f"/quiz/q/{quiz_id}").get_data(as_text=True)
    # Each button carries its place on screen, in screen order, whatever the shuffle.
    assert re.findall(r'data-choice="(\d+)"', page) == ["0", "1", "2"]
    shuffle = items(app, quiz_id)[0][2]
    texts = re.findall(r'data-choice="\d+".*?<span class="option-text">(.*?)</span>', page)
    assert [re.sub(r"<[^>]+>", "", text) for text in texts] == ["abc"[i] for i in shuffle]
    submit(signed_in, quiz_id, {"0": [shuffle.index(1)]})
    assert stored_answers(app) == [[1]]
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).score == 1.0


def test_a_quiz_without_a_stored_shuffle_keeps_bank_order(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = start(signed_in, types="choice")
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        quiz.items = [[key, ordinal, []] for key, ordinal, _ in quiz.items]
        db.session.commit()
    page = signed_in.get(f"/quiz/q/{quiz_id}").get_data(as_text=True)
    assert page.index(">a<") < page.index(">b<") < page.index(">c<")
    submit(signed_in, quiz_id, {"0": [1]})  # place 1 is bank index 1
    assert stored_answers(app) == [[1]]


@pytest.mark.parametrize("field", ["answers", "flags"])
def test_a_submission_has_a_bound(
    app: Flask, signed_in: FlaskClient, bank: None, field: str
) -> None:
    quiz_id = start(signed_in)
    data = {"csrf_token": csrf_token(signed_in), "answers": "{}", "flags": "[]"}
    data[field] = json.dumps({str(i): "x" * 100 for i in range(1000)})
    response = signed_in.post(f"/quiz/q/{quiz_id}", data=data)
    assert response.status_code == 400
    assert f"longer than {MAX_SUBMISSION_CHARS} characters in all" in response.get_data(
        as_text=True
    )
    assert stored_answers(app) == []


def test_submitting_is_rate_limited(make_app, app_config: dict, bank: None) -> None:
    limited = make_app({**app_config, "RATELIMIT_ENABLED": True})
    make_user(limited, "ann")
    client = limited.test_client()
    Auth(client).login()
    quiz_id = start(client)
    statuses = [submit(client, quiz_id, {}).status_code for _ in range(11)]
    assert statuses == [302] * 10 + [429]


def test_results_word_every_answer_in_the_page_language(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    """True/false and self-graded answers reach the page as values, worded in its language."""
    signed_in.environ_base["HTTP_ACCEPT_LANGUAGE"] = "zh-CN,zh;q=0.9"
    quiz_id = start(signed_in)
    order = {key: str(i) for i, (key, _, _) in enumerate(items(app, quiz_id))}
    answers = {
        order["t1"]: False,
        order["b1"]: False,
        order["c1"]: [place(app, quiz_id, "c1", 2)],
        order["o1"]: [2, 1, 0],
    }
    submit(signed_in, quiz_id, answers)
    page = signed_in.get(f"/quiz/q/{quiz_id}/result").get_data(as_text=True)
    assert "错" in page and "<strong>对</strong>" in page and "不记得" in page
    assert '<ol class="said-order"><li>w</li><li>x</li><li>y</li></ol>' in page
    said = re.search(r'<div class="your-answer">.*?</div>', page, re.S).group(0)
    assert re.sub(r"<[^>]+>|[✓✗]", " ", said).split() == ["你的答案：", "位置不对：", "y",
                                                        "位置正确：", "x", "位置不对：", "w"]  # fmt: skip
    assert "<strong>b</strong>" in page and '<span class="type-badge">判断</span>' in page
    assert ">True<" not in page and ">False<" not in page and "know it" not in page


def one_question_quiz(
    signed_in: FlaskClient, write_bank, runner: FlaskCliRunner, question: str, answer: object
) -> tuple[str, int]:
    """A bank of ``question`` (a YAML flow mapping), quizzed and submitted with ``answer``:
    the bank's id and the quiz's."""
    bank_id = "one"
    text = f"id: {bank_id}\ntitle: One\nquestions:\n  - {question}\n"
    runner.invoke(args=["bank", "import", str(write_bank(bank_id, {"bank.yaml": text}))])
    data = {"csrf_token": csrf_token(signed_in), "count": "1"}
    quiz_id = int(signed_in.post(f"/quiz/{bank_id}", data=data).location.rsplit("/", 1)[1])
    signed_in.post(f"/quiz/{bank_id}/{quiz_id}", data={
        "csrf_token": csrf_token(signed_in), "answers": json.dumps({"0": answer}), "flags": "[]",
    })  # fmt: skip
    return bank_id, quiz_id


def one_question_result(
    signed_in: FlaskClient, write_bank, runner: FlaskCliRunner, question: str, answer: object
) -> str:
    """The result page of :func:`one_question_quiz`."""
    bank_id, quiz_id = one_question_quiz(signed_in, write_bank, runner, question, answer)
    return signed_in.get(f"/quiz/{bank_id}/{quiz_id}/result").get_data(as_text=True)


def test_a_typed_answer_is_case_folded_as_review_folds_it(
    app: Flask, signed_in: FlaskClient, write_bank, runner: FlaskCliRunner
) -> None:
    question = "{id: w, type: typing, prompt: p, answer: Straße}"
    _, quiz_id = one_question_quiz(signed_in, write_bank, runner, question, "STRASSE")
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).score == 1.0


def test_a_cloze_mistake_is_shown_as_review_shows_its_back(
    app: Flask, signed_in: FlaskClient, write_bank, runner: FlaskCliRunner
) -> None:
    """The results show a cloze as review's back does: never the source markup, its own
    deletion filled in and marked, the other as plain text, no more than review shows."""
    question = "{id: k, type: cloze, text: 'dockerd 通过 {{c1::gRPC}} 调用，{{c2::CRUD}} 风格'}"
    bank_id, quiz_id = one_question_quiz(signed_in, write_bank, runner, question, "rest")
    page = signed_in.get(f"/quiz/{bank_id}/{quiz_id}/result").get_data(as_text=True)
    assert "{{c" not in page and "::" not in page
    with app.app_context():
        ordinal = db.session.get(Quiz, quiz_id).items[0][1]
    asked, other = ("gRPC", "CRUD") if ordinal == 1 else ("CRUD", "gRPC")
    prompt = page[page.index('<div class="prompt">') :]
    prompt = prompt[: prompt.index("</div>")]
    assert re.search(rf'cloze-answer">{asked}</span>', prompt)
    assert other in prompt and not re.search(rf'cloze-answer">{other}<', prompt)
    assert "[...]" not in prompt


def test_a_typed_near_miss_shows_its_diff_on_the_result_page(
    signed_in: FlaskClient, write_bank, runner: FlaskCliRunner
) -> None:
    """Typed characters that are wrong are struck through, missing ones underlined, in words."""
    question = "{id: d, type: typing, prompt: p, answer: daemon.json}"
    page = one_question_result(signed_in, write_bank, runner, question, "Daemon.jsan")
    diff = page.split("data-diff>", 1)[1].split("</p>", 1)[0]
    assert '<span class="diff-same">daemon.js</span>' in diff
    assert '<del class="diff-wrong"><span class="visually-hidden">(wrong:)</span>a</del>' in diff
    assert (
        '<ins class="diff-missing"><span class="visually-hidden">(missing:)</span>o</ins>' in diff
    )
    assert "<strong>daemon.json</strong>" in page and "Underlined: missing." in page
    # Typed: right or wrong, no share and no choices to mark.
    assert "data-partial-credit" not in page and "data-marks-legend" not in page


def test_a_blank_or_chosen_answer_has_no_diff(
    signed_in: FlaskClient, write_bank, runner: FlaskCliRunner
) -> None:
    question = "{id: c, type: choice, prompt: p, choices: [a, b], correct: 0}"
    page = one_question_result(signed_in, write_bank, runner, question, [1])
    assert "data-diff" not in page and "Struck through" not in page


def test_an_order_answer_on_the_result_page_renders_its_markdown(
    signed_in: FlaskClient, write_bank, runner: FlaskCliRunner
) -> None:
    """Items written with code show as code in both answers, not as backticks."""
    question = "{id: o, type: order, prompt: p, items: ['`docker inspect`', '`--net=none`']}"
    page = one_question_result(signed_in, write_bank, runner, question, [1, 0])
    answers = re.findall(r'<div class="(?:your|right)-answer">.*?</div>', page, re.S)
    assert len(answers) == 2 and all("`" not in a for a in answers)
    assert re.findall(r"<code>[^<]+</code>", answers[0]) == [
        "<code>--net=none</code>",
        "<code>docker inspect</code>",
    ]


def test_a_count_out_of_range_is_said_by_the_page_in_its_language(
    app: Flask, signed_in: FlaskClient, bank: None, learner: int
) -> None:
    """The browser's own bubble would speak the browser's language: the form leaves checking
    to the server, whose message is the page's."""
    with app.app_context():
        db.session.get_one(User, learner).locale = "zh_Hans"
        db.session.commit()
    assert " novalidate>" in signed_in.get("/quiz/q").get_data(as_text=True)
    response = signed_in.post("/quiz/q", data={"csrf_token": csrf_token(signed_in), "count": "0"})
    assert response.status_code == 400
    assert "数值大小必须介于 1 到 100 之间。" in response.get_data(as_text=True)


def count_as_right(client: FlaskClient, quiz_id: int, position: object):
    data = {"csrf_token": csrf_token(client), "position": position}
    return client.post(f"/quiz/q/{quiz_id}/right", data=data, follow_redirects=True)


def test_a_typed_answer_marked_wrong_is_the_learners_to_count_right(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    """Another spelling or word for the answer, which the bank does not accept: the learner
    counts it, as Quizlet's override does; the quiz's score follows."""
    quiz_id = start(signed_in)
    answers = right_answers(app, quiz_id)
    order = {key: i for i, (key, _, _) in enumerate(items(app, quiz_id))}
    answers[str(order["y1"])] = "crun"  # another runtime's name: wrong, but typed
    answers[str(order["c1"])] = [place(app, quiz_id, "c1", 0)]  # a wrong choice
    submit(signed_in, quiz_id, answers)
    page = signed_in.get(f"/quiz/q/{quiz_id}/result").get_data(as_text=True)
    assert page.count("My answer was right") == 1  # the typed one; a choice is checked, not typed
    assert f'name="position" value="{order["y1"]}"' in page

    page = count_as_right(signed_in, quiz_id, order["y1"]).get_data(as_text=True)
    assert "Your answer counts as right: the quiz scores 80%." in page
    assert "My answer was right" not in page and "crun" not in page  # no longer a mistake
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        assert {a.question_key: a.score for a in quiz.answers}["y1"] == 1.0
        assert quiz.score == pytest.approx(4 / 5)
    # Once only; a choice, a blank place or one past the quiz cannot be counted.
    for position in (order["y1"], order["c1"], 99):
        page = count_as_right(signed_in, quiz_id, position).get_data(as_text=True)
        assert "That answer is right already, or was not typed." in page
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).score == pytest.approx(4 / 5)
    assert count_as_right(signed_in, quiz_id, "²").status_code == 400


def test_a_blank_typed_answer_cannot_be_counted_right(
    app: Flask, signed_in: FlaskClient, bank: None
) -> None:
    quiz_id = start(signed_in)
    answers = right_answers(app, quiz_id)
    position = next(i for i, (key, _, _) in enumerate(items(app, quiz_id)) if key == "y1")
    answers[str(position)] = "   "
    submit(signed_in, quiz_id, answers)
    assert "My answer was right" not in signed_in.get(f"/quiz/q/{quiz_id}/result").get_data(
        as_text=True
    )
    page = count_as_right(signed_in, quiz_id, position).get_data(as_text=True)
    assert "That answer is right already, or was not typed." in page


def test_only_the_taker_counts_an_answer_right(
    app: Flask, client: FlaskClient, bank: None, learner: int
) -> None:
    Auth(client).login()
    quiz_id = start(client)
    answers = right_answers(app, quiz_id)
    position = next(i for i, (key, _, _) in enumerate(items(app, quiz_id)) if key == "y1")
    answers[str(position)] = "crun"
    submit(client, quiz_id, answers)
    Auth(client).logout()
    make_user(app, "bob")
    Auth(client).login("bob")
    assert count_as_right(client, quiz_id, position).status_code == 404
    with app.app_context():
        assert db.session.get(Quiz, quiz_id).score == pytest.approx(4 / 5)

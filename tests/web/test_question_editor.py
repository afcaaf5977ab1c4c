"""The question editor: each type edited through the form rewrites only that question's
lines and imports the bank again with learners' history kept; adding and retiring; an
uploaded bank's source kept in the database; who may edit; two saves from one version;
bad input changing nothing; the live check."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from models import Bank, BankFile, Card, Question, Review, User, db
from services.answers import answer
from services.bank_edit import question_source, save_question
from services.bank_import import autoload_banks, import_bank
from services.context import Study
from services.groups import create_group
from services.queue import next_card
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.support import Auth, csrf_token, faces_follow_content, make_user
from tests.web.editor_support import (
    FILE_OF,
    changed_lines,
    form_values,
    question_lines,
    write_editor_bank,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def bank(app: Flask, tmp_path: Path) -> Path:
    """The editor's bank, imported from a copy in ``tmp_path``."""
    root = write_editor_bank(tmp_path / "ed")
    with app.app_context():
        import_bank(db.session, load_bank(root))
        db.session.commit()
    return root


@pytest.fixture
def as_admin(app: Flask, client: FlaskClient, auth: Auth) -> FlaskClient:
    make_user(app, "root", admin=True)
    auth.login("root")
    return client


def open_editor(client: FlaskClient, key: str, bank: str = "ed") -> dict[str, str]:
    response = client.get(f"/banks/{bank}/questions/{key}/edit")
    assert response.status_code == 200
    return form_values(response.text)


def content(app: Flask, key: str) -> dict:
    with app.app_context():
        question = db.session.scalar(select(Question).where(Question.key == key))
        return dict(question.content) | {"retired": question.retired, "tags": question.tags}


EDITS = {
    "basic": ("b1", {"prompt": "What is **uno**?"}, {"prompt": "What is **uno**?"}),
    "cloze": (
        "c1",
        {"text": "The {{c1::dog}} sat on the {{c2::mat}}."},
        {"text": "The {{c1::dog}} sat on the {{c2::mat}}."},
    ),
    "choice": ("ch1", {"choices": "one\ntwo\nfive"}, {"choices": ["one", "two", "five"]}),
    "order": (
        "o1",
        {"items": "one\r\ntwo\r\nthree\r\nfour"},
        {"items": ["one", "two", "three", "four"]},
    ),
    "typing": ("t1", {"accept": "Paname\nLutèce"}, {"accept": ["Paname", "Lutèce"]}),
    "occlusion": ("occ1", {"labels": "dockerd", "mode": "all"}, {"labels": ["dockerd"]}),
}


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_editing_a_question_rewrites_only_its_lines_and_imports_it(
    app: Flask, bank: Path, as_admin: FlaskClient, kind: str
) -> None:
    key, change, expected = EDITS[kind]
    path = bank / FILE_OF[key]
    before = path.read_text(encoding="utf-8")
    other = (bank / "bank.yaml").read_text() if path.name != "bank.yaml" else None
    form = open_editor(as_admin, key)
    assert form["type"] == kind
    response = as_admin.post(f"/banks/ed/questions/{key}/edit", data=form | change)
    assert response.status_code == 302, response.text
    after = path.read_text(encoding="utf-8")
    start, end = question_lines(before, key)
    changes = changed_lines(before, after)
    assert changes and all(start <= i1 and i2 <= end for i1, i2 in changes), changes
    outside = [line for i, line in enumerate(before.splitlines()) if not start <= i < end]
    assert all(line in after.splitlines() for line in outside if "#" in line)
    if other is not None:
        assert (bank / "bank.yaml").read_text() == other
    stored = content(app, key)
    assert {name: stored[name] for name in expected} == expected
    assert faces_follow_content(app, key)
    if kind == "occlusion":
        assert stored["mode"] == "all"


def test_comments_outside_the_question_are_kept(bank: Path, as_admin: FlaskClient) -> None:
    form = open_editor(as_admin, "b1")
    as_admin.post("/banks/ed/questions/b1/edit", data=form | {"answer": "Just one thing."})
    text = (bank / "bank.yaml").read_text()
    for comment in ("# The editor's test bank", "# the first section", "# a comment between"):
        assert comment in text
    assert "  - {id: one, title: One}   # the first section" in text
    assert "answer: Just one thing." in text


def test_an_unchanged_save_changes_no_byte(bank: Path, as_admin: FlaskClient) -> None:
    before = {name: (bank / name).read_bytes() for name in ("bank.yaml", "20-more.yaml")}
    for key in FILE_OF:
        form = open_editor(as_admin, key)
        assert as_admin.post(f"/banks/ed/questions/{key}/edit", data=form).status_code == 302
    assert {name: (bank / name).read_bytes() for name in before} == before


def review_first_card(app: Flask) -> tuple[int, datetime, int]:
    """ann answers the bank's first card (b1's); its id, due time and review count."""
    ann = make_user(app, "ann")
    with app.app_context():
        study = Study.at(db.session, db.session.get(User, ann), NOW)
        card, _ = next_card(study, ["ed"])
        assert card.question.key == "b1"
        answer(study, card, Rating.GOOD)
        db.session.commit()
        return card.id, card.due, 1


def test_an_edit_keeps_the_learners_reviews_and_schedule(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    card_id, due, _ = review_first_card(app)
    form = open_editor(as_admin, "b1")
    as_admin.post("/banks/ed/questions/b1/edit", data=form | {"prompt": "Changed?"})
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert (card.due, card.retired, card.question.content["prompt"]) == (
            due,
            False,
            "Changed?",
        )
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_adding_a_question_puts_it_after_the_last_of_its_section(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    before = (bank / "20-more.yaml").read_text()
    page = as_admin.get("/banks/ed/add?type=basic&section=two")
    form = form_values(page.text)
    assert form["section"] == "two"
    data = form | {"id": "b2", "prompt": "New?", "answer": "Yes.", "tags": "new fresh"}
    response = as_admin.post("/banks/ed/add", data=data)
    assert response.status_code == 302, response.text
    after = (bank / "20-more.yaml").read_text()
    assert after.startswith(before.removesuffix("# the end of part two\n"))
    assert "  - id: b2\n    type: basic\n    section: two\n    tags: [new, fresh]\n" in after
    assert after.endswith("# the end of part two\n")
    assert content(app, "b2")["prompt"] == "New?"


def test_retiring_takes_it_out_of_the_file_and_keeps_its_history(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    card_id, due, _ = review_first_card(app)
    before = (bank / "bank.yaml").read_text()
    page = as_admin.get("/banks/ed/questions/b1/retire")
    assert page.status_code == 200 and "b1" in page.text
    response = as_admin.post(
        "/banks/ed/questions/b1/retire", data=form_values(page.text, "retire-form")
    )
    assert response.status_code == 302
    after = (bank / "bank.yaml").read_text()
    start, end = question_lines(before, "b1")
    assert all(start <= i1 and i2 <= end + 1 for i1, i2 in changed_lines(before, after))
    assert "id: b1" not in after and "# basic, first of all" in after
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert card.retired and card.question.retired and card.due == due
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_an_id_once_used_is_never_used_again(app: Flask, bank: Path, as_admin: FlaskClient) -> None:
    page = as_admin.get("/banks/ed/questions/c1/retire")
    as_admin.post("/banks/ed/questions/c1/retire", data=form_values(page.text, "retire-form"))
    before = (bank / "bank.yaml").read_text()
    form = form_values(as_admin.get("/banks/ed/add?type=basic").text)
    response = as_admin.post(
        "/banks/ed/add", data=form | {"id": "c1", "prompt": "p", "answer": "a"}
    )
    assert response.status_code == 422
    assert "has used the id “c1” before" in re.search(
        r'id="f-id-problems"[^>]*>(.*?)</ul>', response.text, re.S
    ).group(1)
    assert (bank / "bank.yaml").read_text() == before


def test_two_saves_from_one_version_the_second_gets_a_conflict(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    first = open_editor(as_admin, "t1")
    second = dict(first)
    assert (
        as_admin.post("/banks/ed/questions/t1/edit", data=first | {"answer": "Paris!"}).status_code
        == 302
    )
    response = as_admin.post("/banks/ed/questions/t1/edit", data=second | {"answer": "Lyon"})
    assert response.status_code == 409
    assert "Someone else saved this question first" in response.text
    assert "answer: Paris!" in response.text and "answer: Lyon" in response.text
    text = (bank / "20-more.yaml").read_text()
    assert "answer: Paris!" in text and "Lyon" not in text
    assert content(app, "t1")["answer"] == "Paris!"


def test_bad_input_changes_neither_the_file_nor_the_database(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    before = (bank / "20-more.yaml").read_bytes()
    stored = content(app, "ch1")
    form = open_editor(as_admin, "ch1")
    response = as_admin.post("/banks/ed/questions/ch1/edit", data=form | {"correct": "7"})
    assert response.status_code == 422
    problems = re.search(r'id="f-correct-problems"[^>]*>(.*?)</ul>', response.text, re.S).group(1)
    assert "correct" in problems
    assert 'id="f-correct" name="correct" value="7"' in response.text
    assert (bank / "20-more.yaml").read_bytes() == before
    assert content(app, "ch1") == stored


@pytest.mark.parametrize("sent", ["²", "٣", "1,²", "-1", "9" * 5000])
def test_an_answer_index_that_is_no_whole_number_is_a_problem_with_it(
    app: Flask, bank: Path, as_admin: FlaskClient, sent: str
) -> None:
    before = (bank / "20-more.yaml").read_bytes()
    form = open_editor(as_admin, "ch1")
    response = as_admin.post("/banks/ed/questions/ch1/edit", data=form | {"correct": sent})
    assert response.status_code == 422
    problems = re.search(r'id="f-correct-problems"[^>]*>(.*?)</ul>', response.text, re.S).group(1)
    assert "correct" in problems
    assert (bank / "20-more.yaml").read_bytes() == before


def test_the_check_returns_the_preview_and_problems_by_key(
    bank: Path, as_admin: FlaskClient
) -> None:
    form = open_editor(as_admin, "b1")
    token = form["csrf_token"]
    good = as_admin.post("/banks/ed/questions/b1/check", data=form | {"prompt": "Is it **new**?"})
    assert good.status_code == 200 and good.json["ok"] is True
    assert "<strong>new</strong>" in good.json["preview"]
    bad = as_admin.post("/banks/ed/questions/b1/check", data=form | {"answer": ""})
    assert bad.json["ok"] is False and bad.json["preview"] == ""
    assert [p["key"] for p in bad.json["problems"]] == ["answer"]
    leak = form | {"prompt": "Is it a single thing?", "answer": "a single thing"}
    warnings = as_admin.post("/banks/ed/questions/b1/check", data=leak).json["warnings"]
    assert any(w["rule"] == "prompt-leak" for w in warnings)
    no_token = {k: v for k, v in form.items() if k != "csrf_token"}
    assert as_admin.post("/banks/ed/questions/b1/check", data=no_token).status_code == 400
    assert token


def test_a_learner_may_not_edit_and_sees_no_edit_links(
    app: Flask, bank: Path, client: FlaskClient, auth: Auth
) -> None:
    make_user(app, "ann")
    auth.login("ann")
    assert client.get("/banks/ed/questions/b1/edit").status_code == 403
    assert client.get("/banks/ed/add").status_code == 403
    assert client.get("/banks/ed/source.zip").status_code == 403
    token = csrf_token(client)
    response = client.post("/banks/ed/questions/b1/edit", data={"csrf_token": token, "prompt": "x"})
    assert response.status_code == 403
    page = client.get("/banks/ed").text
    assert "/edit" not in page and "New question" not in page and "source.zip" not in page


def test_a_group_owner_edits_only_the_groups_own_banks(
    app: Flask, bank: Path, tmp_path: Path, client: FlaskClient, auth: Auth
) -> None:
    other = write_editor_bank(tmp_path / "other")
    (other / "bank.yaml").write_text((other / "bank.yaml").read_text().replace("id: ed", "id: ot"))
    ann = make_user(app, "ann")
    with app.app_context():
        import_bank(db.session, load_bank(other))
        owner = db.session.get(User, ann)
        group = create_group(db.session, owner, "Readers", ["ed", "ot"])
        db.session.get(Bank, "ed").group_id = group.id
        db.session.commit()
    auth.login("ann")
    assert client.get("/banks/ed/questions/b1/edit").status_code == 200
    assert client.get("/banks/ot/questions/b1/edit").status_code == 403  # studied, not owned
    assert "/banks/ed/questions/b1/edit" in client.get("/banks/ed").text


def test_an_admin_gives_a_bank_to_a_group(app: Flask, bank: Path, as_admin: FlaskClient) -> None:
    with app.app_context():
        root = db.session.scalar(select(User).where(User.name == "root"))
        group_id = create_group(db.session, root, "Writers", ["ed"]).id
        db.session.commit()
    token = csrf_token(as_admin)
    response = as_admin.post("/admin/banks/ed/group", data={"csrf_token": token, "group": group_id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Bank, "ed").group_id == group_id


UPLOADED = """\
# Uploaded, with a comment to keep.
id: up
title: Uploaded
questions:
  - id: u1
    type: basic
    prompt: Up?
    answer: Yes.   # an answer
  - id: u2
    type: truefalse
    prompt: Down is up.
    correct: false
"""


def test_an_uploaded_banks_source_is_kept_edited_and_downloaded(
    app: Flask, as_admin: FlaskClient
) -> None:
    token = csrf_token(as_admin)
    upload = {"csrf_token": token, "bank": (io.BytesIO(UPLOADED.encode()), "up.yaml")}
    assert as_admin.post("/admin/banks", data=upload).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(BankFile.text)).all() == [UPLOADED]
    form = open_editor(as_admin, "u2", bank="up")
    assert form["correct"] == "false"
    response = as_admin.post("/banks/up/questions/u2/edit", data=form | {"correct": "true"})
    assert response.status_code == 302, response.text
    with app.app_context():
        text = db.session.scalar(select(BankFile.text))
    assert text == UPLOADED.replace("correct: false", "correct: true")
    assert content(app, "u2")["correct"] is True
    download = as_admin.get("/banks/up/source.zip")
    assert download.status_code == 200
    with zipfile.ZipFile(io.BytesIO(download.data)) as archive:
        assert archive.read("up/bank.yaml").decode() == text
    page = as_admin.get("/banks/up").text
    assert "/banks/up/source.zip" in page
    # Two YAML downloads, named apart: the files as edited, and the export written afresh.
    assert "YAML files as written and edited (.zip)" in page and "YAML, one file (.zip)" in page


def test_a_start_reading_the_edited_files_keeps_the_edit(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    form = open_editor(as_admin, "b1")
    as_admin.post("/banks/ed/questions/b1/edit", data=form | {"prompt": "Kept?"})
    with app.app_context():
        assert autoload_banks(db.session, bank.parent, 10**7) == []  # unchanged since the save
        bank_row = db.session.get(Bank, "ed")
        bank_row.fingerprint = "from an older start"
        db.session.commit()
        assert autoload_banks(db.session, bank.parent, 10**7) == [
            "updated ed: 0 added, 0 updated, 0 retired, 6 unchanged"
        ]
    assert content(app, "b1")["prompt"] == "Kept?"


def test_a_failed_commit_puts_the_file_back(
    app: Flask, bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (bank / "bank.yaml").read_text()
    with app.app_context():
        found = question_source(db.session, db.session.get(Bank, "ed"), "b1")

        def refused(self) -> None:
            raise RuntimeError("the database went away")

        monkeypatch.setattr(type(db.session()), "commit", refused)
        with pytest.raises(RuntimeError):
            save_question(
                db.session, db.session.get(Bank, "ed"), "b1", {"prompt": "Lost?"},
                found.version, 10**7,
            )  # fmt: skip
        monkeypatch.undo()
    assert (bank / "bank.yaml").read_text() == before
    assert content(app, "b1")["prompt"] == "What is **one**?"


def test_deleting_a_group_leaves_its_banks_to_no_group(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    with app.app_context():
        root = db.session.scalar(select(User).where(User.name == "root"))
        group_id = create_group(db.session, root, "Writers", ["ed"]).id
        db.session.get(Bank, "ed").group_id = group_id
        db.session.commit()
    token = csrf_token(as_admin)
    response = as_admin.post(
        f"/admin/groups/{group_id}/delete", data={"csrf_token": token, "confirm": "yes"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Bank, "ed").group_id is None


def test_problems_name_the_banks_files_not_the_servers_folders(
    bank: Path, as_admin: FlaskClient
) -> None:
    form = open_editor(as_admin, "b1")
    for asked in ("![a](diagrams/nope.svg)", "![a](diagrams/%2e%2e/x.svg)"):
        checked = as_admin.post("/banks/ed/questions/b1/check", data=form | {"explanation": asked})
        messages = [p["message"] for p in checked.json["problems"]]
        folders = (tempfile.gettempdir(), str(bank))
        assert messages and not [m for m in messages if any(f in m for f in folders)], messages


def field_problems(html: str, name: str) -> str:
    return re.search(rf'id="f-{name}-problems"[^>]*>(.*?)</ul>', html, re.S).group(1)


@pytest.mark.parametrize(
    ("language", "id_", "said"),
    [
        ("zh_Hans", "", "必填"),
        ("en", "", "This is required."),
        ("en", "Bad Id", "lowercase letters, digits"),
        ("zh_Hans", "Bad Id", "小写字母"),
    ],
)
def test_the_forms_own_checks_are_beside_their_field_in_the_pages_language(
    bank: Path, as_admin: FlaskClient, language: str, id_: str, said: str
) -> None:
    as_admin.get(f"/language/{language}")
    before = (bank / "bank.yaml").read_bytes(), (bank / "20-more.yaml").read_bytes()
    form = form_values(as_admin.get("/banks/ed/add?type=basic").text)
    response = as_admin.post("/banks/ed/add", data=form | {"id": id_, "prompt": "p"})
    assert response.status_code == 422
    mine = field_problems(response.text, "id")
    assert said in mine and 'lang="en"' not in mine
    assert ".yaml" not in mine and "questions[" not in response.text
    assert re.search(r'<input[^>]*id="f-id"[^>]*aria-invalid="true"', response.text)
    # the missing answer: beside its field, in the page's language, without a file's line
    answer = field_problems(response.text, "answer")
    assert answer.strip() and ".yaml" not in answer and 'lang="en"' not in answer
    assert re.search(r'<textarea[^>]*id="f-answer"[^>]*aria-invalid="true"', response.text)
    assert ((bank / "bank.yaml").read_bytes(), (bank / "20-more.yaml").read_bytes()) == before


def test_required_fields_are_required_before_sending(bank: Path, as_admin: FlaskClient) -> None:
    page = as_admin.get("/banks/ed/add?type=basic").text
    assert re.search(r'<input[^>]*id="f-id"[^>]*\brequired\b[^>]*pattern=', page)
    assert re.search(r'<textarea[^>]*id="f-prompt"[^>]*\brequired\b', page)
    assert not re.search(r'<textarea[^>]*id="f-explanation"[^>]*\brequired\b', page)
    assert "novalidate" not in page


def test_a_bank_checks_problem_beside_its_field_stays_in_english(
    bank: Path, as_admin: FlaskClient
) -> None:
    as_admin.get("/language/zh_Hans")
    form = open_editor(as_admin, "ch1")
    response = as_admin.post("/banks/ed/questions/ch1/edit", data=form | {"correct": "7"})
    assert '<span lang="en">' in field_problems(response.text, "correct")
    check = as_admin.post("/banks/ed/add/check", data=form | {"id": "", "type": "choice"})
    problem = next(p for p in check.json["problems"] if p["key"] == "id")
    assert (
        problem["lang"] is None and problem["message"] != "" and ".yaml" not in problem["message"]
    )


def test_the_new_question_page_has_one_section_choice_and_names_its_file(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    page = as_admin.get("/banks/ed/add?type=basic&section=one").text
    assert len(re.findall(r"<select[^>]*name=\"section\"", page)) == 1
    said = re.search(r'id="f-section-file"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "<code data-file>bank.yaml</code>" in said
    none = as_admin.get("/banks/ed/add?type=basic").text
    assert "<code data-file>20-more.yaml</code>" in none  # the bank's last file
    assert "&#34;one&#34;: &#34;bank.yaml&#34;" in none  # the map the script follows
    before = (bank / "bank.yaml").read_text()
    form = form_values(none)
    response = as_admin.post(
        "/banks/ed/add", data=form | {"id": "free", "prompt": "Loose?", "answer": "Yes."}
    )
    assert response.status_code == 302, response.text
    assert (bank / "bank.yaml").read_text() == before
    after = (bank / "20-more.yaml").read_text()
    assert "  - id: free\n    type: basic\n    prompt: Loose?\n" in after
    assert after.index("id: free") > after.index("id: occ1")


def test_a_retired_question_is_listed_shown_and_restored_with_its_history(
    app: Flask, bank: Path, as_admin: FlaskClient
) -> None:
    card_id, due, _ = review_first_card(app)
    page = as_admin.get("/banks/ed/questions/b1/retire")
    as_admin.post("/banks/ed/questions/b1/retire", data=form_values(page.text, "retire-form"))
    listed = as_admin.get("/banks/ed").text
    assert '<details class="bank-retired"' in listed and "<code>b1</code>" in listed
    shown = as_admin.get("/banks/ed/questions/b1/edit")
    assert shown.status_code == 200 and "is retired" in shown.text
    assert as_admin.get("/banks/ed/questions/nothing/edit").status_code == 404
    response = as_admin.post(
        "/banks/ed/questions/b1/restore", data=form_values(shown.text, "restore-form")
    )
    assert response.status_code == 302, response.text
    text = (bank / "bank.yaml").read_text()
    assert "  - id: b1\n    type: basic\n    section: one\n    tags: [alpha]\n" in text
    assert "prompt: What is **one**?" in text
    assert text.index("id: b1") > text.index("id: c1")  # after the last of its section
    with app.app_context():
        card = db.session.get(Card, card_id)
        assert not card.retired and not card.question.retired and card.due == due
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    assert as_admin.get("/banks/ed/questions/b1/edit").status_code == 200
    assert '<details class="bank-retired"' not in as_admin.get("/banks/ed").text
    learner = content(app, "b1")
    assert learner["prompt"] == "What is **one**?" and learner["tags"] == ["alpha"]

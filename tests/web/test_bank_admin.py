"""An admin hides a bank from learners, shows it again, or removes it with its history; a
removed shipped bank is not loaded back at start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from models import Bank, Card, Quiz, RemovedBank, Review, User, db
from models.types import now_utc
from services.answers import answer
from services.bank_import import import_bank
from services.context import Study
from services.queue import next_card
from services.quizzes import start_quiz
from srs.quiz import QuizSpec
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.support import Auth, csrf_token, dump, make_user


def _bank(root: Path, bank_id: str, questions: int) -> Path:
    root.mkdir(parents=True)
    lines = [f"id: {bank_id}", f"title: Bank {bank_id.upper()}", "questions:"]
    lines += [
        f"  - {{id: q{i}, type: basic, prompt: p{i}, answer: a{i}}}" for i in range(questions)
    ]
    (root / "bank.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture
def world(app: Flask, tmp_path: Path) -> dict[str, int]:
    """Banks x (3 questions) and y (2), admin root; ann answered two cards of x and one of
    y and took a quiz on x; bob answered one card of x."""
    admin = make_user(app, "root", admin=True)
    ann, bob = make_user(app, "ann"), make_user(app, "bob")
    with app.app_context():
        session = db.session
        for bank_id, count in (("x", 3), ("y", 2)):
            import_bank(session, load_bank(_bank(tmp_path / "banks" / bank_id, bank_id, count)))
        now = now_utc()
        for user_id, bank_id, answers in ((ann, "x", 2), (ann, "y", 1), (bob, "x", 1)):
            user = session.get(User, user_id)
            for _ in range(answers):
                card, _counts = next_card(Study.at(session, user, now), [bank_id])
                answer(Study.at(session, user, now), card, Rating.GOOD)
        start_quiz(session, session.get(User, ann), "x", QuizSpec(seed=1, count=2), now)
        session.commit()
    return {"admin": admin, "ann": ann, "bob": bob}


def _signed_in(app: Flask, name: str) -> FlaskClient:
    client = app.test_client()
    assert Auth(client).login(name).status_code == 302
    return client


def _post(client: FlaskClient, url: str, **data: str):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def _without_tokens(page: str) -> str:
    """A page without its CSRF tokens, which carry the second they were signed."""
    return re.sub(r'(content|value)="[\w.-]{40,}"', "TOKEN", page)


def _rows(app: Flask, model: type, bank_id: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(model).where(model.bank_id == bank_id)
        )


def test_a_hidden_bank_leaves_every_learner_list_and_keeps_its_history(
    app: Flask, world: dict[str, int]
) -> None:
    admin, ann = _signed_in(app, "root"), _signed_in(app, "ann")
    assert "Bank X" in ann.get("/").get_data(as_text=True)
    reviews = _rows(app, Review, "x")
    response = _post(admin, "/admin/banks/x/hide")
    assert response.status_code == 302
    assert "is hidden from learners" in admin.get("/admin/banks").get_data(as_text=True)

    today = ann.get("/").get_data(as_text=True)
    assert "Bank X" not in today and "Bank Y" in today
    assert "Bank X" not in ann.get("/banks").get_data(as_text=True)
    assert ann.get("/review/x").status_code == 404
    assert ann.get("/quiz/x").status_code == 404
    assert ann.get("/banks/x").status_code == 404
    assert ann.get("/banks/x/export/csv").status_code == 404
    assert ann.get("/api/v1/review/next?bank=x").status_code == 404
    assert ann.get("/stats?bank=x").status_code == 404
    assert "Bank X" not in ann.get("/groups").get_data(as_text=True)
    assert admin.get("/banks/x").status_code == 200  # the admin still sees what they hid
    assert _rows(app, Review, "x") == reviews and _rows(app, Card, "x") == 3


def test_showing_a_hidden_bank_again_brings_back_the_learners_progress(
    app: Flask, world: dict[str, int]
) -> None:
    admin, ann = _signed_in(app, "root"), _signed_in(app, "ann")
    before = ann.get("/").get_data(as_text=True)
    _post(admin, "/admin/banks/x/hide")
    assert _post(admin, "/admin/banks/x/unhide").status_code == 302
    assert _without_tokens(ann.get("/").get_data(as_text=True)) == _without_tokens(before)
    assert ann.get("/review/x").status_code == 200
    assert "hidden from learners" not in admin.get("/admin/banks").get_data(as_text=True)


def test_the_removal_page_counts_what_will_be_lost(app: Flask, world: dict[str, int]) -> None:
    page = _signed_in(app, "root").get("/admin/banks/x/remove").get_data(as_text=True)
    assert "3 questions" in page
    assert "3 cards of 2 learners, with their schedule" in page
    assert "3 answers in the review history" in page
    assert "1 quiz" in page
    assert "hide the bank instead" in page


def test_removing_needs_the_box_ticked(app: Flask, world: dict[str, int]) -> None:
    admin = _signed_in(app, "root")
    before = dump(app)
    page = _post(admin, "/admin/banks/x/remove").get_data(as_text=True)
    assert "Tick “Yes, remove” to remove Bank X." in page
    assert dump(app) == before


def test_removing_deletes_the_bank_with_its_cards_and_history_only(
    app: Flask, world: dict[str, int]
) -> None:
    admin = _signed_in(app, "root")
    response = _post(admin, "/admin/banks/x/remove", confirm="yes")
    assert response.status_code == 302 and response.location == "/admin/banks"
    assert "Bank X is removed" in admin.get("/admin/banks").get_data(as_text=True)
    for model in (Card, Review, Quiz):
        assert _rows(app, model, "x") == 0
    assert (_rows(app, Card, "y"), _rows(app, Review, "y")) == (1, 1)
    with app.app_context():
        assert db.session.get(Bank, "x") is None
        assert db.session.get(RemovedBank, "x").source.endswith("banks/x")
    assert _signed_in(app, "ann").get("/review/x").status_code == 404


def test_a_removal_that_fails_half_way_removes_nothing(
    app: Flask, world: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = _signed_in(app, "root")
    before = dump(app)

    def refuse(row: object) -> None:  # after the bank's rows were deleted, before the commit
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(db.session, "add", refuse)
    with pytest.raises(RuntimeError, match="the disk is full"):
        _post(admin, "/admin/banks/x/remove", confirm="yes")
    assert dump(app) == before


def test_learners_cannot_hide_or_remove(app: Flask, world: dict[str, int]) -> None:
    ann = _signed_in(app, "ann")
    assert _post(ann, "/admin/banks/x/hide").status_code == 403
    assert _post(ann, "/admin/banks/x/remove", confirm="yes").status_code == 403
    assert _rows(app, Card, "x") == 3


def test_a_removed_shipped_bank_is_not_loaded_again_at_start(
    make_app, app_config: dict[str, object], tmp_path: Path
) -> None:
    shipped = tmp_path / "shipped"
    _bank(shipped / "docker", "docker", 4)
    config = {**app_config, "WENGU_AUTOLOAD_BANKS": True, "WENGU_BANKS_DIR": str(shipped)}
    app = make_app(config)
    make_user(app, "root", admin=True)
    admin = _signed_in(app, "root")
    page = admin.get("/admin/banks/docker/remove").get_data(as_text=True)
    assert "it is not loaded again when the server starts" in page
    assert _post(admin, "/admin/banks/docker/remove", confirm="yes").status_code == 302

    again = make_app(config)
    with again.app_context():
        assert db.session.get(Bank, "docker") is None
    # Imported again on purpose, it is the server's once more, and autoload keeps it current.
    result = again.test_cli_runner().invoke(args=["bank", "import", str(shipped / "docker")])
    assert result.exit_code == 0, result.output
    (shipped / "docker" / "bank.yaml").write_text(
        (shipped / "docker" / "bank.yaml").read_text()
        + "  - {id: q9, type: basic, prompt: p, answer: a}\n"
    )
    third = make_app(config)
    with third.app_context():
        assert db.session.get(RemovedBank, "docker") is None
        assert db.session.get(Bank, "docker").card_count == 5


def test_a_removed_shipped_bank_stays_removed_when_its_folder_moves(
    make_app, app_config: dict[str, object], tmp_path: Path
) -> None:
    _bank(tmp_path / "old" / "docker", "docker", 2)
    config = {**app_config, "WENGU_AUTOLOAD_BANKS": True, "WENGU_BANKS_DIR": str(tmp_path / "old")}
    app = make_app(config)
    make_user(app, "root", admin=True)
    _post(_signed_in(app, "root"), "/admin/banks/docker/remove", confirm="yes")
    _bank(tmp_path / "new" / "docker", "docker", 2)
    moved = make_app({**config, "WENGU_BANKS_DIR": str(tmp_path / "new")})
    with moved.app_context():
        assert db.session.get(Bank, "docker") is None

"""Names in one normal form (NFKC with case folding), for uniqueness and sign-in alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import text

from models import SiteSetting, User, db
from models.user import name_key
from services.accounts import AccountError, authenticate, create_user, find_user
from services.schema import MIGRATIONS
from tests.support import PASSWORD, Auth, csrf_token, make_user
from tests.web.test_migrations import build, empty_database  # noqa: F401 (a fixture)

# (registered as, then typed as, one account?)
NAMES = [
    ("Иван", "иван", True),
    ("Иван", "ИВАН", True),
    ("Ärger", "ärger", True),
    ("ÄRGER", "ärger", True),
    ("Straße", "STRASSE", True),
    ("straße", "strasse", True),
    ("ＡＢＣ", "abc", True),
    ("ａｂｃ", "ABC", True),
    ("e\u0301mile", "\u00e9mile", True),  # combining acute, precomposed é
    ("\u00c9mile", "e\u0301mile", True),
    ("İnci", "i\u0307nci", True),  # Turkish dotted capital I folds to i + combining dot
    ("İnci", "Inci", False),  # ... which is not the dotless I of "Inci"
    ("ılık", "ILIK", False),  # Turkish dotless ı is a letter of its own
    ("Zoë", "Zoe", False),  # accents are kept: only their encoding does not matter
    ("ann", "ann ", True),
]


@pytest.mark.parametrize(("registered", "typed", "same"), NAMES)
def test_one_normal_form_for_registering_and_signing_in(
    app: Flask, registered: str, typed: str, same: bool
) -> None:
    with app.app_context():
        first = create_user(db.session, registered, PASSWORD)
        db.session.commit()
        assert first.name == registered.strip()  # shown as typed
        signed_in = authenticate(db.session, typed, PASSWORD)
        assert (signed_in is not None and signed_in.id == first.id) is same
        assert (find_user(db.session, typed) is not None) is same
        if same:
            with pytest.raises(AccountError, match="is taken"):
                create_user(db.session, typed, PASSWORD)
        else:
            assert create_user(db.session, typed, PASSWORD).id != first.id
            db.session.commit()


def test_a_cyrillic_name_registers_and_signs_in_through_the_forms(
    app: Flask, client: FlaskClient, learner: int, auth: Auth
) -> None:
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()
    data = {"name": "Иван", "password": PASSWORD, "confirm": PASSWORD}
    assert (
        client.post("/register", data={**data, "csrf_token": csrf_token(client)}).status_code == 302
    )
    auth.logout()
    response = client.post(
        "/register", data={**data, "name": "иВАН", "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200
    assert "The name &#39;иВАН&#39; is taken." in response.get_data(as_text=True)
    assert auth.login("иван").status_code == 302
    assert "Иван" in client.get("/settings").get_data(as_text=True)


def test_cli_finds_accounts_by_the_normal_form(app: Flask, runner: FlaskCliRunner) -> None:
    make_user(app, "Ärger")
    result = runner.invoke(args=["user", "token", "ärger"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["user", "revoke-tokens", "ÄRGER"])
    assert result.stdout == "Revoked 1 API token of 'Ärger'.\n"
    result = runner.invoke(args=["user", "create", "ärger", "--password-stdin"], input=PASSWORD)
    assert result.exit_code == 1 and "is taken" in result.output
    assert runner.invoke(args=["fsrs", "optimize", "ＡＲＧＥＲ"]).exit_code == 1  # no such name
    result = runner.invoke(args=["fsrs", "optimize", "ärger"])
    assert result.exit_code == 0 and result.stdout.startswith("Ärger: ")


def test_a_name_whose_normal_form_is_too_long_is_refused(app: Flask) -> None:
    with app.app_context(), pytest.raises(AccountError, match="1 to 80 characters"):
        create_user(db.session, "\ufdfa" * 80, PASSWORD)  # each folds to 18 characters


def test_the_migration_keeps_every_account_and_renames_later_duplicates(
    tmp_path: Path,
    empty_database: str,  # noqa: F811 (the fixture imported above)
    make_app,
) -> None:
    app = build(make_app, tmp_path, empty_database, WENGU_AUTO_MIGRATE=False)
    names = ["Ärger", "ärger", "Иван", "bob", "Ärger#2", "иван"]
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision="0009")
        for number, name in enumerate(names, start=1):
            db.session.execute(text(
                "INSERT INTO users (id, name, password_hash, is_admin, disabled, created_at,"
                " desired_retention, new_per_day, reviews_per_day, learning_steps,"
                " relearning_steps, rollover_hour, timezone, maximum_interval, session_version)"
                " VALUES (:id, :name, 'x', false, false, '2026-11-01 00:00:00', 0.9, 20, 200,"
                " '[60]', '[600]', 4, 'UTC', 36500, 0)"
            ), {"id": number, "name": name})  # fmt: skip
        db.session.execute(text(
            "INSERT INTO api_tokens (id, user_id, token_hash, created_at)"
            " VALUES (1, 1, 'h', '2026-11-01 00:00:00')"
        ))  # fmt: skip
        db.session.commit()
        upgrade(directory=str(MIGRATIONS))
        rows = db.session.execute(text("SELECT id, name, name_key FROM users ORDER BY id")).all()
        assert [(i, n) for i, n, _ in rows] == [
            (1, "Ärger"), (2, "ärger#2"), (3, "Иван"), (4, "bob"), (5, "Ärger#2#5"), (6, "иван#6"),
        ]  # fmt: skip
        assert all(key == name_key(name) for _, name, key in rows)
        token = db.session.execute(text("SELECT name, expires_at FROM api_tokens")).one()
        assert tuple(token) == ("", None)
        assert db.session.get(User, 2).name_key == "ärger#2"
        db.session.remove()


# (name, refused because) -- every way an account is made goes through create_user.
HIDDEN = "invisible, control or format characters"
MIXED = "may not mix letters of different scripts"
LOOSE = "may not put an accent on a letter it does not combine with"
REFUSED_NAMES = [
    ("ad\u0301min", LOOSE),  # d with a combining acute: no such letter, reads as "admin"
    ("bo\u0332b", LOOSE),  # combining low line
    ("Ivan\u20dd", LOOSE),  # enclosing circle
    ("\u0301admin", LOOSE),  # a mark on nothing
    ("Иван\u0306\u0306", LOOSE),  # a breve on a breve: й then a second, loose
    ("1\u0301", LOOSE),
    ("Admin\u200b", HIDDEN),  # zero-width space
    ("admin\u00ad", HIDDEN),  # soft hyphen
    ("B\u200bob", HIDDEN),
    ("ad\u200dmin", HIDDEN),  # zero-width joiner
    ("\u202eadmin", HIDDEN),  # right-to-left override
    ("ad\u2066min", HIDDEN),  # bidi isolate
    ("ad\x07min", HIDDEN),
    ("ad\tmin", HIDDEN),
    ("ad\x7fmin", HIDDEN),
    ("ad\u2028min", HIDDEN),  # line separator
    ("ad\u2029min", HIDDEN),  # paragraph separator
    ("ad\u00a0min", HIDDEN),  # no-break space: only ordinary spaces
    ("ad\ue000min", HIDDEN),  # private use
    ("ad\u0378min", HIDDEN),  # unassigned
    ("ad\ufeffmin", HIDDEN),  # byte-order mark
    ("ad\u115fmin", HIDDEN),  # Hangul choseong filler: a letter that draws nothing
    ("admin\u3164", HIDDEN),  # Hangul filler
    ("张伟\u034f", HIDDEN),  # combining grapheme joiner
    ("\u3164", HIDDEN),
    ("\u2800", HIDDEN),  # braille blank
    ("bob\ufe0f", HIDDEN),  # variation selector
    ("\u0391dmin", MIXED),  # Greek capital Alpha
    ("\u0410dmin", MIXED),  # Cyrillic capital A
    ("p\u0430ypal", MIXED),  # Cyrillic small a
    ("Иван\u0391", MIXED),
    ("\u0391\u0410", MIXED),  # Greek beside Cyrillic
    ("Иван一", MIXED),  # Cyrillic beside Han
]
ACCEPTED_NAMES = [
    "Admin", "Mary Ann", "O'Brien-Smith", "mei.li_2", "Иван", "Ελένη", "王小明", "田中さん",
    "タナカ", "김민수", "Lee 민수", "Mei 王", "ＡＢＣ", "e\u0301mile", "Zoë", "محمد", "Ivan 2",
    "ılık",  # a dotless ı in a Latin name is Latin, though it looks like an i: left alone
    "A\u0308rger",  # composes to Ärger
    "Вера", "राम", "山田Taro",
    "Ade\u0323\u0300",  # Yoruba: e with a dot below (composed), then a grave on it
    "Nguy\u1ec5n",  # Vietnamese, precomposed
    "नमस्ते",  # Devanagari's vowel signs and virama are marks
    "สมชาย",
    "שָׁלוֹם",  # Hebrew points
]  # fmt: skip


@pytest.mark.parametrize(("name", "reason"), REFUSED_NAMES)
def test_names_with_hidden_characters_or_mixed_scripts_are_refused(
    app: Flask, name: str, reason: str
) -> None:
    with app.app_context(), pytest.raises(AccountError, match=reason):
        create_user(db.session, name, PASSWORD)


@pytest.mark.parametrize("name", ACCEPTED_NAMES)
def test_names_in_one_script_are_accepted(app: Flask, name: str) -> None:
    with app.app_context():
        assert create_user(db.session, name, PASSWORD).name == name


def test_the_forms_and_the_command_line_refuse_a_lookalike_name(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, learner: int
) -> None:
    with app.app_context():
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()
    data = {"name": "Admin\u200b", "password": PASSWORD, "confirm": PASSWORD}
    response = client.post("/register", data={**data, "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert f"A name may not hold {HIDDEN}." in response.get_data(as_text=True)
    result = runner.invoke(
        args=["user", "create", "\u0391dmin", "--password-stdin"], input=PASSWORD
    )
    assert result.exit_code == 1 and MIXED in result.output
    with app.app_context():
        assert find_user(db.session, "Admin\u200b") is None
        assert find_user(db.session, "\u0391dmin") is None

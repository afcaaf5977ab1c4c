"""The interface in Chinese and English: catalogues, pages, the choice of language, formats."""

from __future__ import annotations

import io
import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from config import PROJECT_ROOT
from models import SiteSetting, User, db
from services.groups import create_group, create_invite
from tests.support import Auth, csrf_token, make_user
from views.strings import JS_PLURALS, JS_STRINGS, plural_key

TRANSLATIONS = PROJECT_ROOT / "translations"
ZH_PO = TRANSLATIONS / "zh_Hans" / "LC_MESSAGES" / "messages.po"
# Babel's own keywords (_, gettext, ngettext, N_ ...) and lazy_gettext imported as _l.
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None}


def _read_po(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def _extracted() -> set[str | tuple[str, ...]]:
    """Every msgid in the code and templates, found as ``pybabel extract`` finds them."""
    with (PROJECT_ROOT / "babel.cfg").open() as file:
        method_map, options_map = parse_mapping_cfg(file)
    found = extract_from_dir(str(PROJECT_ROOT), method_map, options_map, keywords=KEYWORDS)
    return {message for _, _, message, _, _ in found}


def _ids(catalog) -> set[str | tuple[str, ...]]:
    return {message.id for message in catalog if message.id}


# -- the catalogues --------------------------------------------------------------------------


def test_the_template_catalogue_holds_exactly_the_texts_of_the_code() -> None:
    extracted = _extracted()
    assert len(extracted) > 300  # the extractor did read the templates and views
    template = _ids(_read_po(TRANSLATIONS / "messages.pot"))
    assert sorted(map(str, extracted - template)) == [], "run pybabel extract (see babel.cfg)"
    assert sorted(map(str, template - extracted)) == [], "run pybabel extract (see babel.cfg)"


def test_every_text_has_a_chinese_translation() -> None:
    catalog = _read_po(ZH_PO)
    extracted = _extracted()
    assert sorted(map(str, extracted - _ids(catalog))) == [], "run pybabel update"
    assert sorted(map(str, _ids(catalog) - extracted)) == [], "obsolete entries: pybabel update"
    assert not catalog.obsolete
    untranslated = [
        message.id
        for message in catalog
        if message.id and (not all(message.string) if message.pluralizable else not message.string)
    ]
    assert untranslated == []
    assert [message.id for message in catalog if message.id and message.fuzzy] == []


def test_translations_keep_their_placeholders() -> None:
    catalog = _read_po(ZH_PO)
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        wanted = set(re.findall(r"%\((\w+)\)|\{(\w+)\}", ids[-1]))
        for string in strings:
            assert set(re.findall(r"%\((\w+)\)|\{(\w+)\}", string)) <= wanted, message.id


def test_the_compiled_catalogue_is_the_one_of_the_po_file() -> None:
    """The .mo is committed, so a fresh clone speaks Chinese without a build step."""
    compiled = io.BytesIO()
    write_mo(compiled, _read_po(ZH_PO))
    stored = (ZH_PO.parent / "messages.mo").read_bytes()
    assert compiled.getvalue() == stored, "run pybabel compile -d translations"


# -- a world to render: every name and text in it is Chinese ---------------------------------

BANK = """
id: t1
title: 容器基础
language: zh-CN
description: 从笔记整理的复习题
sections:
  - {id: s1, title: 引擎}
  - {id: s2, title: 网络, parent: s1}
questions:
  - {id: q1, type: basic, section: s1, tags: [架构], prompt: 谁创建容器？, answer: 运行时}
  - {id: q2, type: choice, section: s1, prompt: 哪个对？, choices: [甲, 乙], correct: 1}
  - {id: q3, type: truefalse, section: s2, prompt: 镜像只读？, correct: true}
  - {id: q4, type: order, section: s2, prompt: 排列, items: [一, 二, 三]}
  - {id: q5, type: typing, section: s2, prompt: 输入, answer: 桥接, accept: [网桥]}
  - {id: q6, type: cloze, text: "{{c1::守护进程}}管理容器"}
  - {id: q7, type: reverse, prompt: 正面, answer: 背面}
"""
ZH = "zh-CN,zh;q=0.9,en;q=0.5"
EN = "en-GB,en;q=0.9"


@pytest.fixture
def world(app: Flask, runner: FlaskCliRunner, write_bank) -> dict[str, object]:
    """A bank, an admin 小林 with a group, an open invite and a submitted quiz."""
    imported = runner.invoke(args=["bank", "import", str(write_bank("t1", {"bank.yaml": BANK}))])
    assert imported.exit_code == 0, imported.output
    admin = make_user(app, "小林", admin=True)
    make_user(app, "小美")
    with app.app_context():
        group = create_group(db.session, db.session.get(User, admin), "读书会", ["t1"])
        invite = create_invite(
            db.session,
            group,
            db.session.get(User, admin),
            datetime.now(timezone.utc),
            days=7,
            max_uses=None,
        )
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, True)
        db.session.commit()
        return {"group": group.id, "code": invite.code}


def sign_in(client: FlaskClient, name: str, language: str) -> FlaskClient:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert Auth(client).login(name).status_code == 302
    return client


def quizzes(client: FlaskClient) -> list[str]:
    """A quiz of the whole bank handed in blank, and one begun: their pages' paths."""
    token = csrf_token(client)
    done = client.post("/quiz/t1", data={"csrf_token": token, "count": "7"}).headers["Location"]
    result = client.post(done, data={"csrf_token": token, "answers": "{}", "flags": "[]"})
    begun = client.post("/quiz/t1", data={"csrf_token": token, "count": "7"})
    return [result.headers["Location"], begun.headers["Location"]]


def signed_in_pages(world: dict[str, object], quiz_pages: list[str]) -> list[str]:
    group = world["group"]
    return [
        "/",
        "/review/t1",
        "/review/t1?section=s1",
        "/banks",
        "/banks/t1",
        "/stats",
        "/groups",
        f"/groups/{group}",
        "/settings",
        "/reschedule",
        "/reschedule?kind=postpone&count=3&days=2",
        "/reschedule?kind=break&first_day=2020-01-01&last_day=2020-01-02&days_after=1",
        "/reschedule?kind=advance&first_day=x&last_day=y&days=1",
        "/quiz/t1",
        *quiz_pages,
        "/admin",
        "/admin/banks",
        "/admin/groups",
        "/banks/t1/questions/q1/edit",
        "/banks/t1/questions/q1/retire",
        "/banks/t1/add?type=occlusion",
        "/no/such/page",
    ]


def visitor_pages(world: dict[str, object]) -> list[str]:
    return ["/login", "/register", f"/join/{world['code']}", "/reset/not-a-token"]


class VisibleText(HTMLParser):
    """The words a reader sees or hears: text and the attributes read aloud or shown.

    Left out: code, key names and scripts (not prose), the time zone list and other names
    marked ``translate="no"`` (IANA zones), and the names of the languages in the switch,
    each written in its own language.
    """

    SKIPPED = frozenset({"code", "pre", "kbd", "script", "style"})
    SPOKEN = ("title", "aria-label", "placeholder", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.skipping: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        timezones = tag == "select" and values.get("id") == "timezone"
        timezones = timezones or values.get("translate") == "no"
        language_name = tag == "a" and values.get("hreflang")
        if tag in self.SKIPPED or timezones or language_name:
            self.skipping.append(tag)
        if not self.skipping:
            self.texts.extend(values[name] or "" for name in self.SPOKEN if name in values)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.texts.append(data)


# Names that stay as they are in Chinese text: the app, tools, formats, the commands, and
# "id", the bank format's key.
KEPT = {
    "id",
    "csrf",
    "wengu",
    "fsrs",
    "anki",
    "csv",
    "json",
    "yaml",
    "apkg",
    "zip",
    "api",
    "mb",
    "english",
}
COMMANDS = ("flask bank import", "flask user create")


def english_words(page: str) -> set[str]:
    """Words of two or more Latin letters on a page, outside code and the names kept."""
    parser = VisibleText()
    parser.feed(page)
    text = " ".join(parser.texts)
    for command in COMMANDS:
        text = text.replace(command, " ")
    words = set()
    for token in re.findall(r"[\w.'/-]+", text, flags=re.ASCII):
        if "." in token.strip(".") or "/" in token:
            continue  # a file name or a path, as bank.yaml or quizzes/
        word = token.strip(".'-")
        if re.fullmatch(r"[A-Za-z]{2,}", word) and word.lower() not in KEPT:
            words.add(word)
    return words


def test_chinese_pages_leave_no_english_text(app: Flask, world: dict[str, object]) -> None:
    client = sign_in(app.test_client(), "小林", ZH)
    pages = signed_in_pages(world, quizzes(client))
    left = {path: english_words(client.get(path).get_data(as_text=True)) for path in pages}
    visitor = app.test_client()
    visitor.environ_base["HTTP_ACCEPT_LANGUAGE"] = ZH
    left.update(
        {
            path: english_words(visitor.get(path).get_data(as_text=True))
            for path in visitor_pages(world)
        }
    )
    assert {path: words for path, words in left.items() if words} == {}


def test_templates_have_no_text_outside_gettext() -> None:
    """Every template, rendered or not: its text once the Jinja is taken out is not English."""
    inside = re.compile(
        r"{%-?\s*trans\b.*?endtrans\s*-?%}"  # translated blocks
        r"|{%-?\s*block body_class\s*%}.*?{%-?\s*endblock\s*%}"  # a class name
        r"|{#.*?#}|{%.*?%}|{{.*?}}",
        flags=re.S,
    )
    left = {}
    for path in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        words = english_words(inside.sub(" ", path.read_text(encoding="utf-8")))
        if words:
            left[str(path.relative_to(PROJECT_ROOT))] = words
    assert left == {}


def test_the_english_check_finds_english(app: Flask, world: dict[str, object]) -> None:
    """The same check over the English pages: it does see untranslated text."""
    client = sign_in(app.test_client(), "小林", EN)
    for path in signed_in_pages(world, quizzes(client)):
        words = english_words(client.get(path).get_data(as_text=True))
        assert len(words) >= 3, path
    assert {"Today", "Banks", "Settings"} <= english_words(client.get("/").get_data(as_text=True))


# -- every main page in both languages -------------------------------------------------------

HEADINGS = {
    # language: (html lang, a word of the navigation, the heading of the 404 page)
    ZH: ("zh-Hans", "统计", "找不到页面"),
    EN: ("en", "Stats", "Not found"),
}


@pytest.mark.parametrize("language", [ZH, EN])
def test_main_pages_render_in_both_languages(
    app: Flask, world: dict[str, object], language: str
) -> None:
    lang, nav, missing = HEADINGS[language]
    client = sign_in(app.test_client(), "小林", language)
    for path in signed_in_pages(world, quizzes(client)):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == (404 if path == "/no/such/page" else 200), path
        assert f'<html lang="{lang}" ' in page and nav in page, path
    assert f"<h1>{missing}</h1>" in client.get("/no/such/page").get_data(as_text=True)


@pytest.mark.parametrize(("language", "heading"), [(ZH, "<h1>登录</h1>"), (EN, "<h1>Sign in</h1>")])
def test_visitor_pages_render_in_both_languages(
    app: Flask, world: dict[str, object], language: str, heading: str
) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    for path in visitor_pages(world):
        response = client.get(path)
        assert response.status_code in (200, 400), path
        assert f'<html lang="{HEADINGS[language][0]}" ' in response.get_data(as_text=True), path
    assert heading in client.get("/login").get_data(as_text=True)


def test_review_page_carries_the_scripts_texts_translated(
    app: Flask, world: dict[str, object]
) -> None:
    client = sign_in(app.test_client(), "小林", ZH)
    page = client.get("/review/t1").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="strings">(.*?)</script>', page, re.S)
    assert block, "no strings block on the review page"
    strings = json.loads(block.group(1))
    plurals = {plural_key(*pair): pair for pair in JS_PLURALS}
    assert set(strings) == set(JS_STRINGS) | set(plurals)
    assert strings["Show answer"] == "显示答案" and strings["{n}d"] == "{n}天"
    assert all(strings[text] != text for text in JS_STRINGS)
    # a text with a count: Chinese has one form, "other", translated
    assert all(set(strings[key]) == {"other"} for key in plurals)
    assert strings[plural_key(*JS_PLURALS[0])]["other"] == "{n} 个问题：这样无法保存。"


def test_a_scripts_text_with_a_count_has_each_english_form(
    app: Flask, world: dict[str, object]
) -> None:
    client = sign_in(app.test_client(), "小林", "en")
    page = client.get("/review/t1").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="strings">(.*?)</script>', page, re.S)
    forms = json.loads(block.group(1))[plural_key(*JS_PLURALS[0])]
    assert forms == {"one": JS_PLURALS[0][0], "other": JS_PLURALS[0][1]}


def test_form_errors_and_flashes_are_translated(app: Flask, world: dict[str, object]) -> None:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = ZH
    token = csrf_token(client)
    wrong = client.post("/login", data={"name": "小林", "password": "nope", "csrf_token": token})
    assert "用户名或密码错误。" in wrong.get_data(as_text=True)
    empty = client.post("/login", data={"name": "", "password": "", "csrf_token": token})
    assert "该字段是必填字段。" in empty.get_data(as_text=True)  # WTForms' own catalogue
    needed = client.get("/stats", follow_redirects=True).get_data(as_text=True)
    assert "请先登录。" in needed
    forged = client.post("/login", data={"name": "小林", "password": "x"})
    assert forged.status_code == 400
    assert "表单已过期，或来自别的网站" in forged.get_data(as_text=True)


# -- choosing the language -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("zh-CN,zh;q=0.9", "zh-Hans"),
        ("zh-CN,en;q=0.9", "zh-Hans"),  # Werkzeug's best_match would pick the exact "en"
        ("zh-TW", "zh-Hans"),
        ("fr-FR,zh-Hans;q=0.8,en;q=0.5", "zh-Hans"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh-CN;q=0.3,en;q=0.9", "en"),
        ("fr-FR,de;q=0.8", "en"),
        (None, "en"),
    ],
)
def test_visitors_get_their_browsers_language(
    client: FlaskClient, learner: int, header: str | None, lang: str
) -> None:
    headers = {"Accept-Language": header} if header else {}
    assert f'<html lang="{lang}" ' in client.get("/login", headers=headers).get_data(as_text=True)


def test_the_switch_keeps_a_visitors_language_in_a_cookie(
    client: FlaskClient, learner: int
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = EN
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/language/zh_Hans?next=/login"' in page
    response = client.get("/language/zh_Hans?next=/login")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "wengu_locale=zh_Hans" in response.headers["Set-Cookie"]
    assert '<html lang="zh-Hans" ' in client.get("/login").get_data(as_text=True)
    client.get("/language/en")
    assert '<html lang="en" ' in client.get("/login").get_data(as_text=True)


def test_the_switch_refuses_other_languages_and_other_sites(client: FlaskClient) -> None:
    assert client.get("/language/fr").status_code == 404
    away = client.get("/language/zh_Hans?next=//evil.example/")
    assert away.headers["Location"] == "/"


def test_the_choice_in_settings_persists_and_wins(
    app: Flask, client: FlaskClient, learner: int
) -> None:
    sign_in(client, "ann", EN)
    client.set_cookie("wengu_locale", "en")
    data = {
        "csrf_token": csrf_token(client),
        "desired_retention": "0.90",
        "new_per_day": "20",
        "reviews_per_day": "200",
        "learning_steps": "1m 10m",
        "relearning_steps": "10m",
        "rollover_hour": "4",
        "timezone": "UTC",
        "maximum_interval": "36500",
        "locale": "zh_Hans",
    }
    saved = client.post("/settings", data=data, follow_redirects=True).get_data(as_text=True)
    assert "设置已保存。" in saved  # the message in the language just chosen
    assert '<option selected value="zh_Hans">简体中文</option>' in saved
    with app.app_context():
        assert db.session.get(User, learner).locale == "zh_Hans"
    Auth(client).logout()
    sign_in(client, "ann", EN)  # another sign-in, an English browser, an English cookie
    assert '<html lang="zh-Hans" ' in client.get("/").get_data(as_text=True)
    data.update(locale="", csrf_token=csrf_token(client))
    client.post("/settings", data=data)
    with app.app_context():
        assert db.session.get(User, learner).locale is None
    assert '<html lang="en" ' in client.get("/").get_data(as_text=True)


def test_after_signing_out_the_pages_speak_the_language_last_chosen_in_settings(
    app: Flask, client: FlaskClient, learner: int
) -> None:
    client.get("/language/zh_Hans")  # chosen before signing in
    sign_in(client, "ann", EN)
    with app.app_context():
        db.session.get_one(User, learner).locale = "en"
        db.session.commit()
    client.get("/")
    Auth(client).logout()
    assert '<html lang="en" ' in client.get("/login").get_data(as_text=True)
    with app.app_context():  # following the browser, the switch's choice stands
        db.session.get_one(User, learner).locale = None
        db.session.commit()
    client.get("/language/zh_Hans")
    sign_in(client, "ann", EN)
    assert '<html lang="zh-Hans" ' in client.get("/").get_data(as_text=True)
    data = {"csrf_token": csrf_token(client), "group": "appearance", "locale": ""}
    client.post("/settings", data=data)  # "the browser's", chosen: the switch's goes
    assert '<html lang="en" ' in client.get("/").get_data(as_text=True)
    Auth(client).logout()
    assert '<html lang="en" ' in client.get("/login").get_data(as_text=True)


def test_an_account_made_after_choosing_a_language_starts_with_it(
    app: Flask, client: FlaskClient, world: dict[str, object]
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = EN
    client.get("/language/zh_Hans")
    code = world["code"]
    data = {"name": "xiaoming", "password": "long enough pw", "confirm": "long enough pw"}
    data |= {"timezone": "UTC", "csrf_token": csrf_token(client)}
    assert client.post(f"/join/{code}", data=data).status_code == 302
    with app.app_context():
        made = db.session.scalars(select(User).where(User.name == "xiaoming")).one()
        assert made.locale == "zh_Hans"
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="zh_Hans">简体中文</option>' in page


def test_an_unknown_language_is_refused_in_settings(client: FlaskClient, learner: int) -> None:
    sign_in(client, "ann", EN)
    response = client.post("/settings", data={"csrf_token": csrf_token(client), "locale": "xx"})
    assert response.status_code == 200 and "Not a valid choice." in response.get_data(as_text=True)


# -- dates and numbers -----------------------------------------------------------------------


def test_dates_follow_the_language_and_the_learners_time_zone(
    app: Flask, world: dict[str, object]
) -> None:
    with app.app_context():
        admin = db.session.scalar(select(User).where(User.name == "小林"))
        admin.created_at = datetime(2026, 3, 4, 23, 30, tzinfo=timezone.utc)
        admin.timezone = "Asia/Shanghai"  # already 5 March there
        db.session.commit()
    zh = sign_in(app.test_client(), "小林", ZH).get("/admin").get_data(as_text=True)
    en = sign_in(app.test_client(), "小林", EN).get("/admin").get_data(as_text=True)
    assert "2026年3月5日" in zh
    assert "Mar 5, 2026" in en


def test_invites_say_when_they_end_in_both_languages(app: Flask, world: dict[str, object]) -> None:
    path = f"/groups/{world['group']}"
    zh = sign_in(app.test_client(), "小林", ZH).get(path).get_data(as_text=True)
    en = sign_in(app.test_client(), "小林", EN).get(path).get_data(as_text=True)
    in_a_week = datetime.now(timezone.utc) + timedelta(days=7)
    assert f"有效至 {in_a_week.year}年" in zh and "周后" in zh
    assert "until " in en and "in 1 week" in en


def test_numbers_are_grouped_for_the_locale(
    app: Flask, runner: FlaskCliRunner, write_bank, world: dict[str, object]
) -> None:
    questions = "".join(
        f"  - {{id: n{i}, type: basic, prompt: 问{i}, answer: 答}}\n" for i in range(1200)
    )
    big = write_bank("big", {"bank.yaml": f"id: big\ntitle: 大题库\nquestions:\n{questions}"})
    assert runner.invoke(args=["bank", "import", str(big)]).exit_code == 0
    for language in (ZH, EN):
        page = sign_in(app.test_client(), "小林", language).get("/admin/banks")
        assert '">1,200</td>' in page.get_data(as_text=True)  # the questions' cell

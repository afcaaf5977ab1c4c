"""The admin pages, a group board with members and history, and the statistics of a seeded
year on a 360 px phone (and a desktop), light and dark, English and Chinese: no page wider
than the screen, every control in reach, the header whole, and axe-core clean."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from config import PROJECT_ROOT
from models import Group, Membership, User, db
from services.groups import create_group, create_invite
from tests.e2e.test_look_browser import MIN_TAP, TAP_TARGETS
from tests.seeding import seed_history
from tests.support import PAST_THE_SCREEN, browser_sign_in, make_user

PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
TABLET = {"viewport": {"width": 700, "height": 1000}, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A name as long as it may be, one word: it wraps on every page that shows it.
LONG_NAME = ("maximilian_alexander_von_wolfgang_" * 3)[:80]
LONG_GROUP = ("Docker_after_work_" * 5)[:80]

# Every control of the page's main part must come into view and be the thing a tap there
# hits (not covered by a header, a neighbour or the edge of a box that clips it).
UNREACHABLE = """() => {
  const name = (e) => `${e.tagName.toLowerCase()} "${(e.textContent || e.value || e.name || '').trim().replace(/\\s+/g, ' ').slice(0, 30)}"`;
  const bad = [];
  for (const e of document.querySelectorAll(
      'main a[href], main button, main input:not([type=hidden]), main select, main summary, main textarea')) {
    if (!e.getClientRects().length || e.closest('.visually-hidden')) continue;
    e.scrollIntoView({block: 'center', inline: 'center'});
    const r = e.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) {
      bad.push(`${name(e)} is off screen at ${Math.round(x)},${Math.round(y)}`);
      continue;
    }
    const top = document.elementFromPoint(x, y);
    const mine = top && (e.contains(top) || [...(e.labels || [])].some((l) => l.contains(top)));
    if (!mine) bad.push(`${name(e)} is under ${top ? top.tagName.toLowerCase() + '.' + top.className : 'nothing'}`);
  }
  scrollTo(0, 0);
  return bad;
}"""
# Controls a thumb aims at (test_look_browser's), tables' buttons included: on a phone they
# are cards, not tables.
SMALL_TARGETS = """([selector, least]) => [...document.querySelectorAll(selector + ', .confirm')]
  .filter((e) => e.offsetParent !== null && !e.closest('[hidden]'))
  .map((e) => [e, e.getBoundingClientRect()])
  .filter(([, r]) => r.width < least || r.height < least)
  .map(([e, r]) => `${e.tagName.toLowerCase()} "${e.textContent.trim().slice(0, 20)}" is ${Math.round(r.width)}x${Math.round(r.height)}`)"""
# The header shows the brand, each menu item and Sign out whole, on the screen.
CUT_HEADER = """() => [...document.querySelectorAll('.brand, .site-nav ul a, .sign-out button')]
  .filter((e) => {
    const r = e.getBoundingClientRect();
    return !r.width || r.left < 0 || r.right > screen.width + 0.5 || e.scrollWidth > e.clientWidth + 1;
  })
  .map((e) => `${e.textContent.trim()} is cut`)"""
# Signed in, the header has them all: the brand, the six menu items of an admin, Sign out.
HEADER_WHOLE = """() => {
  if (!document.querySelector('.site-nav ul')) return [];
  const shown = (e) => e && e.getClientRects().length > 0;
  const missing = ['.brand', '.sign-out button']
    .filter((s) => !shown(document.querySelector(s))).map((s) => `${s} is not shown`);
  const items = [...document.querySelectorAll('.site-nav ul a')].filter(shown).length;
  return items === 6 ? missing : [...missing, `${items} of the 6 menu items are shown`];
}"""

# The board's column headers on two lines at most where they show (a phone's cards hide the
# header row: each cell is labelled); each invite link in the page's own legible type, not
# small monospace, with its Copy button. Returns the problems and how many links it saw.
BOARD_LEGIBLE = """() => {
  const bad = [];
  for (const th of document.querySelectorAll('.board thead th')) {
    if (th.getBoundingClientRect().width < 20) continue;
    const text = document.createRange();
    text.selectNodeContents(th);
    const lines = new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size;
    if (lines > 2) bad.push(`header "${th.textContent.trim()}" takes ${lines} lines`);
  }
  for (const tag of document.querySelectorAll('.board .tag')) {  // "owner" was cut in two
    const text = document.createRange();
    text.selectNodeContents(tag);
    const lines = new Set([...text.getClientRects()].map((r) => Math.round(r.top))).size;
    if (lines > 1) bad.push(`badge "${tag.textContent.trim()}" takes ${lines} lines`);
  }
  const links = [...document.querySelectorAll('.invites [data-copy-text]')];
  for (const link of links) {
    const style = getComputedStyle(link);
    if (parseFloat(style.fontSize) < 15 || /mono/i.test(style.fontFamily))
      bad.push(`an invite link in ${style.fontSize} ${style.fontFamily}`);
    if (!link.closest('[data-copy]').querySelector('[data-copy-button]'))
      bad.push('an invite link without its Copy button');
  }
  return [bad, links.length];
}"""
# A chart's labels inside its own box: an inline SVG clips what it draws past its edges
# ("max 20" and a month's name at the right end were cut so).
CUT_LABELS = """() => [...document.querySelectorAll('main svg text')]
  .filter((e) => {
    const box = e.ownerSVGElement.getBoundingClientRect(), r = e.getBoundingClientRect();
    return r.width && (r.left < box.left - 0.5 || r.right > box.right + 0.5
      || r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5);
  })
  .map((e) => `"${e.textContent.trim()}" is cut by its chart`)"""
# The year's calendar names each month and Monday, Wednesday and Friday, in the page's language.
CALENDAR_NAMES = {
    "en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
           "Mon", "Wed", "Fri"},
    "zh": {f"{month}月" for month in range(1, 13)} | {"周一", "周三", "周五"},
}  # fmt: skip


@pytest.fixture
def site(app: Flask, runner: FlaskCliRunner) -> dict[str, object]:
    """An admin, ann, in a group with bob (sharing, with history) and a long-named member
    keeping progress private, over the Docker bank; a disabled account; returns the group."""
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    make_user(app, "ann", admin=True)
    make_user(app, "bob")
    make_user(app, LONG_NAME)
    make_user(app, "dai")
    now = datetime.now(timezone.utc)
    with app.app_context():
        users = {u.name: u for u in db.session.scalars(select(User))}
        users["dai"].disabled = True
        seed_history(db.session, users["ann"], ["docker"], now, days=365, per_day=3)
        seed_history(db.session, users["bob"], ["docker"], now, days=20, per_day=6, seed=3)
        group = create_group(db.session, users["ann"], LONG_GROUP, ["docker"])
        for name in ("bob", LONG_NAME):
            db.session.add(Membership(group_id=group.id, user_id=users[name].id))
        db.session.flush()
        for name in ("ann", "bob"):
            db.session.get(Membership, (group.id, users[name].id)).shares_progress = True
        create_invite(db.session, group, users["ann"], now, days=7, max_uses=3)
        create_invite(
            db.session, group, users["ann"], now - timedelta(days=1), days=30, max_uses=None
        )
        db.session.commit()
        return {"group": db.session.scalar(select(Group.id))}


def visit(page, base: str, site: dict[str, object], app: Flask):
    """Each page to look at, by name, after the browser has reached it."""
    yield "admin-users", page.goto(f"{base}/admin")
    page.click("form[action$='/reset-link'] button >> nth=1")
    page.wait_for_selector("#reset-url")
    yield "admin-users-reset-link", None
    link = page.input_value("#reset-url")
    page.goto(f"{base}/admin/banks")
    yield "admin-banks", None
    page.goto(f"{base}/admin/groups")
    yield "admin-groups", None
    page.goto(f"{base}/admin/banks/docker/remove")
    yield "admin-remove-bank", None
    page.goto(f"{base}/admin")
    page.goto(base + str(page.get_attribute("a[href$='/delete']", "href")))
    yield "admin-delete-user", None
    page.goto(f"{base}/settings/delete")  # ann: the only admin, and her group's owner
    yield "settings-delete", None
    page.goto(link)
    yield "admin-reset", None
    page.goto(f"{base}/reset/not-a-token")
    yield "admin-reset-invalid", None
    app.config["MAX_CONTENT_LENGTH"] = 4000
    page.goto(f"{base}/admin/banks")
    page.set_input_files(
        "input[type=file]", {"name": "big.yaml", "mimeType": "text/yaml", "buffer": b"#" * 5000}
    )
    page.click("form[enctype] button[type=submit]")
    page.wait_for_load_state()
    app.config["MAX_CONTENT_LENGTH"] = 20 * 1024 * 1024
    yield "admin-too-large", None
    page.goto(f"{base}/groups")
    yield "groups", None
    page.goto(f"{base}/groups/{site['group']}")
    yield "group-board", None
    page.goto(f"{base}/stats")
    yield "stats", None


@pytest.mark.parametrize(
    ("device", "scheme", "language"),
    [
        ("phone", "light", "en"),
        ("phone", "dark", "en"),
        ("phone", "light", "zh"),
        ("phone", "dark", "zh"),
        ("tablet", "light", "en"),
        ("desktop", "light", "en"),
        ("desktop", "dark", "zh"),
    ],
)
def test_admin_board_and_stats_fit_and_pass_axe(
    app: Flask, site, live_server: str, browser, axe, artifacts: Path,
    device: str, scheme: str, language: str,
) -> None:  # fmt: skip
    phone = device == "phone"
    context = browser.new_context(
        **{"phone": PHONE, "tablet": TABLET, "desktop": DESKTOP}[device],
        color_scheme=scheme,
        locale="zh-CN" if language == "zh" else "en-GB",
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    problems: dict[str, list[str]] = {}
    browser_sign_in(page, live_server)
    for name, _ in visit(page, live_server, site, app):
        shot = artifacts / f"{name}-{device}-{scheme}-{language}.png"
        page.screenshot(path=str(shot), full_page=True)
        found = axe(page)
        width = page.evaluate(PAST_THE_SCREEN)
        if width > 0:
            found.append(f"the page is {width} px wider than the screen")
        found += page.evaluate(CUT_HEADER) + page.evaluate(HEADER_WHOLE)
        if phone:
            found += page.evaluate(SMALL_TARGETS, [TAP_TARGETS, MIN_TAP])
        found += page.evaluate(UNREACHABLE)
        found += page.evaluate(CUT_LABELS)
        if name == "group-board":
            legible, links = page.evaluate(BOARD_LEGIBLE)
            found += legible + ([] if links == 2 else [f"{links} invite links, not 2"])
        if found:
            problems[name] = found
    # The year's heatmap opens on today: its box is scrolled to its right end.
    page.goto(f"{live_server}/stats")
    box = page.eval_on_selector(
        ".heatmap-scroll",
        "e => [e.scrollWidth - e.clientWidth, Math.abs(e.scrollLeft),"
        " e.querySelector('rect:last-of-type').getBoundingClientRect().right"
        " <= e.getBoundingClientRect().right + 1]",
    )
    assert box[2], "today's cell is out of the heatmap's box"
    if phone:
        assert box[0] > 0 and box[1] < 1, "the heatmap squeezes instead of scrolling"
    assert set(page.locator(".heatmap text").all_text_contents()) == CALENDAR_NAMES[language]
    context.close()
    assert problems == {}
    assert errors == []

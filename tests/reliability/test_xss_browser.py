"""Banks carrying script, rendered in real Chromium: no dialog opens and no script runs.

Every Markdown field of a bank (and its title, sections, choices, items) carries payloads:
``<script>``, event handlers, ``javascript:`` and ``data:`` URLs, SVG and MathML tricks,
markup split across cloze deletions. The bank is imported as any bank is, then shown on
every page that shows bank content, reviewed card by card (front and back), taken as a quiz,
and its source shown to an admin. Each payload would call ``alert`` and push to
``window.pwned``; a dialog, an entry there, or a script the CSP had to block (a payload that
survived the sanitiser) fails the test. Diagrams that are not what they say (an SVG with
script stored in the database, HTML named ``.png``) are opened on their own and inside pages.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from models import Bank, Diagram, db
from tests.support import browser_sign_in, make_user

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def live(live_server: str) -> str:
    return live_server


@pytest.fixture
def chromium(browser: object) -> object:
    return browser


_RUN = "alert(1);window.pwned.push(1)"
PAYLOADS = [
    f"<script>{_RUN}</script>",
    f'<img src=x onerror="{_RUN}">',
    f'<svg onload="{_RUN}"><circle r=5 /></svg>',
    f"<svg><script>{_RUN}</script></svg>",
    f'<a href="javascript:{_RUN}" id=jslink>javascript link</a>',
    f"[md link](javascript:{_RUN})",
    f'<a href="data:text/html,<script>{_RUN}</script>">data link</a>',
    "[md data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    f'<iframe src="javascript:{_RUN}"></iframe>',
    f'<iframe srcdoc="<script>{_RUN}</script>"></iframe>',
    f'<object data="data:text/html,<script>{_RUN}</script>"></object>',
    f'<embed src="javascript:{_RUN}">',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{_RUN}">',
    f'<details open ontoggle="{_RUN}">x</details>',
    f'<body onload="{_RUN}">',
    f'<input autofocus onfocus="{_RUN}">',
    f'<form action="javascript:{_RUN}"><button id=formbutton>go</button></form>',
    f'<meta http-equiv=refresh content="0;url=javascript:{_RUN}">',
    f'<base href="javascript:{_RUN}//">',
    f'<style>*{{background:url("javascript:{_RUN}")}}</style>',
    f'<div style="background:url(javascript:{_RUN})">styled</div>',
    f'<noscript><p title="</noscript><img src=x onerror={_RUN}>"></noscript>',
    f'<a href="  JaVaScRiPt&colon;{_RUN}">entity link</a>',
    f'<img src="x" onerror="{_RUN}"/>`<img src=x onerror={_RUN}>`',
    f"```html\n<script>{_RUN}</script>\n```",
    "{{ config }}{% raw %}{{ 7*7 }}",
]


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _bank() -> str:
    lines = [
        "id: xss",
        f"title: {_quoted('XSS <script>' + _RUN + '</script><img src=x onerror=alert(1)>')}",
        f"description: {_quoted(PAYLOADS[1])}",
        "sections:",
        f"  - {{id: s, title: {_quoted(PAYLOADS[0] + PAYLOADS[2])}}}",
        "questions:",
    ]
    for number, payload in enumerate(PAYLOADS):
        quoted = _quoted(f"Q{number} " + payload)
        lines.append(
            f"  - {{id: q{number}, type: basic, section: s, tags: [{_quoted('<b>' + str(number))}], "
            f"prompt: {quoted}, answer: {quoted}, explanation: {quoted}}}"
        )
    cloze = _quoted(
        '{{c1::<img src=x onerror="' + _RUN + '">}} and {{c2::a::<script>' + _RUN + "</script>}}"
    )
    options = [_quoted(p) for p in PAYLOADS[:4]]
    lines += [
        f"  - {{id: cloze, type: cloze, section: s, text: {cloze}}}",
        f"  - {{id: choice, type: choice, prompt: {options[0]}, choices: [{', '.join(options)}], correct: 1}}",
        f"  - {{id: order, type: order, prompt: {options[1]}, items: [{', '.join(options)}]}}",
        f"  - {{id: typing, type: typing, prompt: {options[2]}, answer: {options[3]}, accept: [{options[0]}]}}",
        f"  - {{id: truefalse, type: truefalse, prompt: {options[3]}, correct: true}}",
        f"  - {{id: reverse, type: reverse, prompt: {options[1]}, answer: {options[2]}}}",
        '  - {id: png, type: basic, prompt: "![x](diagrams/page.png)", answer: a}',
    ]
    return "\n".join(lines) + "\n"


# HTML with script, named .png: an import takes it (the loader does not look inside images),
# so it must never be served as anything a browser would run.
HTML_AS_PNG = f'<html><body><script>{_RUN}</script><img src=x onerror="{_RUN}"></body></html>'
EVIL_SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" onload="{_RUN}"><script>{_RUN}</script>'
    f'<a href="javascript:{_RUN}"><text y="20">click</text></a></svg>'
)

# Before any page script: a place for payloads to report to, and a record of scripts the
# CSP blocked (a payload that got through the sanitiser and was stopped only by the CSP).
_WATCH = """
window.pwned = [];
window.blocked = [];
document.addEventListener('securitypolicyviolation', e => {
  window.blocked.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""


class Watcher:
    """A signed-in tab whose dialogs, page errors and blocked scripts are all recorded."""

    def __init__(self, browser: object, base: str, name: str) -> None:
        self.base = base
        self.context = browser.new_context()  # type: ignore[attr-defined]
        self.context.add_init_script(_WATCH)
        self.page = self.context.new_page()
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)
        browser_sign_in(self.page, base, name)

    def _dialog(self, dialog: object) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.message}")  # type: ignore[attr-defined]
        dialog.dismiss()  # type: ignore[attr-defined]

    def visit(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        self.check()

    def check(self) -> None:
        """Nothing ran, nothing needed the CSP, nothing dangerous is left in the DOM."""
        page = self.page
        where = page.url
        assert self.dialogs == [], self.dialogs
        assert page.evaluate("window.pwned === undefined || window.pwned.length === 0"), where
        blocked = page.evaluate("window.blocked || []")
        assert blocked == [], f"{where}: the CSP had to block {blocked}"
        dangerous = page.evaluate(
            """() => {
              const found = [];
              for (const el of document.querySelectorAll('*')) {
                for (const a of el.attributes) {
                  const v = a.value.replace(/[\\s\\x00-\\x1f]/g, '').toLowerCase();
                  if (a.name.startsWith('on')) found.push(el.tagName + ' ' + a.name);
                  if (/^(javascript|data|vbscript):/.test(v) && a.name !== 'content'
                      && !(el.tagName === 'IMG' && v.startsWith('data:image/')))
                    found.push(el.tagName + ' ' + a.name + '=' + a.value.slice(0, 40));
                }
                if (['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName))
                  found.push(el.tagName);
                if (el.tagName === 'FORM' && !(el.getAttribute('action') || '/').startsWith('/'))
                  found.push('FORM action=' + el.getAttribute('action'));
                // The page's own scripts come from /static; its one data block (the
                // interface's texts, JSON, never run) is the base template's #strings.
                const data = el.id === 'strings' && el.type === 'application/json'
                  && el.parentElement === document.body;
                if (el.tagName === 'SCRIPT' && !data && !(el.getAttribute('src') || '').startsWith('/static/'))
                  found.push('inline SCRIPT');
              }
              return found;
            }"""
        )
        assert dangerous == [], f"{where}: {dangerous}"


@pytest.fixture
def bank(app: Flask, runner: FlaskCliRunner, write_bank) -> str:
    root = write_bank("xss", {"bank.yaml": _bank(), "diagrams/page.png": HTML_AS_PNG.encode()})
    result = runner.invoke(args=["bank", "import", str(root)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        # An SVG with script, as a database restored from elsewhere might hold: the import
        # refuses such a file, so it is written here directly.
        db.session.add(
            Diagram(bank_id="xss", path="diagrams/evil.svg", media_type="image/svg+xml",
                    data=EVIL_SVG.encode(), sha256="0" * 64)
        )  # fmt: skip
        db.session.commit()
        assert db.session.get(Bank, "xss") is not None
    make_user(app, "ann", new_per_day=100)
    make_user(app, "root", admin=True)
    return "xss"


def _review_every_card(watcher: Watcher) -> int:
    page = watcher.page
    watcher.visit("/review/xss")
    seen = 0
    while True:
        page.wait_for_selector(
            '[data-review][data-phase="front"], [data-review][data-phase="done"]'
        )
        if page.get_attribute("[data-review]", "data-phase") == "done":
            return seen
        watcher.check()
        kind = page.get_attribute("[data-card]", "data-type")
        card = page.get_attribute("[data-card]", "data-card-id")
        if kind == "choice":
            page.keyboard.press("2")
        elif kind == "truefalse":
            page.keyboard.press("t")
        elif kind == "order":
            for number in range(1, 5):
                page.keyboard.press(str(number))
            page.keyboard.press("Enter")  # the last pick checks nothing: Enter does
        elif kind == "typing":
            page.keyboard.type("<img src=x onerror=alert(1)>")
            page.keyboard.press("Enter")
        else:
            page.keyboard.press("Space")
        page.wait_for_selector('[data-review][data-phase="back"]')
        watcher.check()
        page.keyboard.press("4")
        page.wait_for_function(
            "id => { const c = document.querySelector('[data-card]');"
            " const r = document.querySelector('[data-review]');"
            " return r.dataset.phase === 'done' || (c && c.dataset.cardId !== id); }",
            arg=card,
        )
        seen += 1


def test_no_payload_runs_anywhere_a_bank_is_shown(
    app: Flask, bank: str, live: str, chromium: object
) -> None:
    learner = Watcher(chromium, live, "ann")
    for path in ["/", "/banks", "/banks/xss", "/stats", "/stats?bank=xss", "/quiz/xss",
                 "/groups"]:  # fmt: skip
        learner.visit(path)
    reviewed = _review_every_card(learner)
    assert reviewed == len(PAYLOADS) + 7  # cloze and reverse: one card today, the sibling waits
    learner.visit("/quiz/xss")
    learner.page.fill("input[name=count]", "40")
    learner.page.click("form.quiz-setup button[type=submit]")
    learner.page.wait_for_load_state("load")
    learner.check()
    admin = Watcher(chromium, live, "root")
    for path in ["/admin/banks", "/banks/xss", "/banks/xss/questions/q0/edit",
                 "/banks/xss/questions/cloze/edit"]:  # fmt: skip
        admin.visit(path)
    learner.context.close()
    admin.context.close()


def test_diagrams_run_nothing_on_their_own_or_in_a_page(
    app: Flask, bank: str, live: str, chromium: object
) -> None:
    watcher = Watcher(chromium, live, "ann")
    for path in ["/banks/xss/diagrams/evil.svg", "/banks/xss/diagrams/page.png"]:
        response = watcher.page.goto(live + path)
        assert response is not None and response.status == 200
        headers = response.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "sandbox" in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["content-type"].split(";")[0] in {"image/svg+xml", "image/png"}
        watcher.page.wait_for_load_state("load")
        assert watcher.dialogs == []
        assert watcher.page.evaluate("window.pwned === undefined || window.pwned.length === 0")
    # Clicking the link inside the SVG, shown on its own, runs nothing either.
    watcher.page.goto(live + "/banks/xss/diagrams/evil.svg")
    watcher.page.click("text=click", timeout=5000)
    assert watcher.dialogs == []
    # The same diagrams as the images of a page: an <img> runs no script at all.
    watcher.page.goto(live + "/banks/xss")
    watcher.page.evaluate(
        "() => { for (const name of ['evil.svg', 'page.png']) {"
        " const img = document.createElement('img');"
        " img.src = '/banks/xss/diagrams/' + name; document.body.append(img); } }"
    )
    watcher.page.wait_for_load_state("networkidle")
    watcher.check()
    watcher.context.close()

"""The main pages on a phone and a desktop, light and dark: screenshots, axe-core, tap sizes."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from models import Bank, LeftBank, User, db
from services.groups import create_group
from tests.seeding import seed_history
from tests.support import DOCKER, PAST_THE_SCREEN, browser_sign_in, docker_bank_of

LEFT_BANK = (
    "id: left\ntitle: A bank left\nquestions:\n  - {id: q, type: basic, prompt: p, answer: a}\n"
)
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}
DIAGRAM = PROJECT_ROOT / "tests/banks/diagram"  # diagram cards, until the Docker bank has them
# Each question type, shown with a question of it from the Docker bank (or the diagram bank):
# a type added to a bank is one more line here.
TYPES = [
    "basic",
    "reverse",
    "cloze",
    "choice",
    "truefalse",
    "order",
    "typing",
    "occlusion",
]
DEVICES = {
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": DESKTOP},
}
PAGES = {
    "today": "/",
    "banks": "/banks",
    "bank": "/banks/docker",
    "stats": "/stats",
    "groups": "/groups",
    "settings": "/settings",
    "editor": "/banks/docker/questions/overview-kernel-not-invented/edit",
    "quiz": "/quiz/docker",  # last: the quiz is started from it
}
# Grade and answer buttons, page buttons, form controls, the main navigation and the links
# that act as controls (tap-links): what a thumb aims at. Links inside running text are
# exempt (WCAG 2.5.8).
TAP_TARGETS = (
    ".site-nav a, .button, .tool, .grade, .option, .link-button, "
    ".field input:not([type=checkbox]):not([type=radio]), .field select, "
    ".tap-links a, .tag-chips a, .mastery-go, a.bank-title, .bank-title a, .reveal summary"
)
MIN_TAP = 44


@pytest.fixture
def studied(app: Flask, runner: FlaskCliRunner, write_bank, learner: int) -> None:
    """Ann studies the shipped Docker bank, with a month of history behind her, and has
    left a second bank; she owns the group the Docker bank belongs to, so she edits it."""
    runner.invoke(args=["bank", "import", str(DOCKER)])
    runner.invoke(args=["bank", "import", str(write_bank("left", {"bank.yaml": LEFT_BANK}))])
    with app.app_context():
        user = db.session.get(User, learner)
        db.session.add(LeftBank(user_id=learner, bank_id="left"))
        db.session.get(Bank, "docker").group_id = create_group(
            db.session, user, "Readers", ["docker"]
        ).id
        seed_history(db.session, user, ["docker"], datetime.now(timezone.utc), days=30, per_day=4)


def show_back(page) -> None:
    """Answer the card on screen by keyboard, whatever its type, and wait for its back."""
    kind = page.get_attribute("[data-card]", "data-type")
    typed = page.locator("[data-response] input").count() > 0  # typing, a typed diagram card
    if typed:
        page.keyboard.type("x")
    options = page.locator("[data-response] .option").count()
    for number in range(1, options + 1 if kind == "order" else 2 if options else 1):
        page.keyboard.press(str(number))
    if page.get_attribute("[data-review]", "data-phase") == "front":
        page.keyboard.press("Enter" if typed else "Space")  # check, or show
    page.wait_for_selector('[data-review][data-phase="back"]')


def small_targets(page) -> list[str]:
    """Visible tap targets smaller than MIN_TAP pixels in either direction."""
    return page.eval_on_selector_all(
        TAP_TARGETS,
        """(elements, least) => elements
            .filter((e) => e.offsetParent !== null && !e.closest('table, [hidden]'))
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([, r]) => r.width < least || r.height < least)
            .map(([e, r]) => `${e.tagName.toLowerCase()}.${e.className} "${e.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        MIN_TAP,
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_main_pages_look_right_and_pass_axe(
    studied, live_server: str, browser, axe, artifacts: Path, device: str, scheme: str
) -> None:
    phone = device == "phone"
    context = browser.new_context(
        viewport=PHONE if phone else DESKTOP, color_scheme=scheme, has_touch=phone
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    found: dict[str, list[str]] = {}
    small: dict[str, list[str]] = {}

    def check(name: str) -> None:
        # The review page's grade bar stays at the bottom of the screen: show the screen.
        whole = not name.startswith("review")
        page.screenshot(path=str(artifacts / f"{name}-{device}-{scheme}.png"), full_page=whole)
        found[name] = axe(page)
        if phone:
            small[name] = small_targets(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                small[name].append(f"the page is {width} px wide")

    page.goto(f"{live_server}/login")
    check("login")
    browser_sign_in(page, live_server)
    for name, path in PAGES.items():
        page.goto(live_server + path)
        check(name)
    page.click(".quiz-setup button[type=submit]")
    page.wait_for_selector("[data-quiz]")
    check("quiz-question")
    page.goto(f"{live_server}/review/docker")
    page.wait_for_selector('[data-review][data-phase="front"]')
    check("review-front")
    show_back(page)
    check("review-back")
    context.close()
    problems = {name: v for name, v in found.items() if v}
    problems.update({f"{name} taps": s for name, s in small.items() if s})
    assert problems == {}
    assert errors == []


def test_a_chosen_theme_overrides_the_system_setting(
    studied, live_server: str, browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    page = context.new_page()
    browser_sign_in(page, live_server)
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(251, 250, 247)"
    page.goto(f"{live_server}/settings")
    page.check("#theme-2")  # Dark
    page.click("#appearance button[type=submit]")
    page.wait_for_url(f"{live_server}/settings?saved=appearance#appearance-saved")
    assert page.get_attribute("html", "data-theme") == "dark"
    assert page.evaluate(background) == "rgb(21, 23, 26)"
    page.goto(f"{live_server}/review/docker")
    page.wait_for_selector('[data-review][data-phase="front"]')
    page.screenshot(path=str(artifacts / "review-dark-by-choice.png"))
    assert page.evaluate(background) == "rgb(21, 23, 26)"
    context.close()


# How much taller each paragraph of links in running text is than with its links' own
# boxes taken away: a thumb-sized box must not push the lines apart.
_LINKS_PUSH_LINES = """() => [...document.querySelectorAll('.tap-links:not(.downloads)')]
  .filter((p) => p.offsetParent !== null)
  .map((p) => {
    const tall = p.getBoundingClientRect().height;
    const links = [...p.querySelectorAll('a')];
    links.forEach((a) => { a.style.cssText = 'display:inline-block;padding:0;margin:0;min-height:0'; });
    const plain = p.getBoundingClientRect().height;
    links.forEach((a) => { a.style.cssText = ''; });
    return Math.round(tall - plain);
  })"""
# The space between a field and the line of a link under it ("Help me decide"), and between
# a field's box and its hint, against the space between two fields.
_FIELD_SPACING = """() => {
  const line = document.querySelector('.field + .tap-line');
  const field = line.previousElementSibling;
  const box = field.querySelector('input, select');
  const hint = field.querySelector('.hint');
  const next = line.nextElementSibling;
  const link = line.querySelector('a');
  return {
    toLink: link.getBoundingClientRect().top - field.getBoundingClientRect().bottom,
    toHint: hint.getBoundingClientRect().top - box.getBoundingClientRect().bottom,
    toNextField: next.getBoundingClientRect().top - line.getBoundingClientRect().bottom,
    linkHeight: link.getBoundingClientRect().height,
  };
}"""


def test_links_sized_for_a_thumb_keep_the_page_evenly_spaced(
    studied, live_server: str, browser, artifacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/settings")
    page.screenshot(path=str(artifacts / "settings-spacing-phone.png"), full_page=True)
    pushed = page.evaluate(_LINKS_PUSH_LINES)
    spacing = page.evaluate(_FIELD_SPACING)
    small = small_targets(page)
    context.close()
    assert len(pushed) >= 3 and set(pushed) == {0}, pushed
    assert spacing["linkHeight"] >= MIN_TAP
    # The link's own box (44 px, its words in the middle) is the only space above it.
    assert spacing["toLink"] <= 1, spacing
    assert spacing["toHint"] <= 8, spacing
    assert spacing["toNextField"] >= 8, spacing
    assert small == []


def docker_question(kind: str) -> tuple[dict, Path]:
    """The Docker bank's first question of type ``kind`` (else the diagram bank's), one with
    a diagram if it has one, and its bank's folder."""
    questions = [
        (question, path.parent)
        for path in [*sorted(DOCKER.glob("[0-9]*.yaml")), DIAGRAM / "bank.yaml"]
        for question in yaml.safe_load(path.read_text("utf-8"))["questions"]
        if question["type"] == kind
    ]
    drawn = [q for q in questions if "diagrams/" in str(q[0].get("explanation", ""))]
    return (drawn or questions)[0]


@pytest.fixture
def one_of_type(
    request: pytest.FixtureRequest, runner: FlaskCliRunner, write_bank, learner: int
) -> str:
    """A bank of the one Docker question of the type the test is given; returns its id."""
    kind = request.param
    question, folder = docker_question(kind)
    bank_id = f"look-{kind}"
    folder = docker_bank_of(write_bank, bank_id, [question], folder)
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output
    return bank_id


# The control a learner answers with, on the front (an option, the typing field, Show
# answer) and on the back (the grades): it must be on screen, and nothing may cover it.
HIDDEN_CONTROL = """(selector) => {
  const control = [...document.querySelectorAll(selector)].find((e) => e.offsetParent !== null);
  if (!control) return `nothing matches ${selector}`;
  const r = control.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) return `${selector} is off screen at ${Math.round(x)},${Math.round(y)}`;
  const top = document.elementFromPoint(x, y);
  return control.contains(top) ? "" : `${selector} is under ${top.tagName.toLowerCase()}.${top.className}`;
}"""
# The back (verdict, answer, explanation) starts above the action bar once shown: a learner
# must not have to scroll to see whether they were right.
BACK_BELOW_THE_FOLD = """() => {
  const back = document.querySelector('[data-back]');
  const bar = document.querySelector('.action-bar').getBoundingClientRect().top;
  return !back.hidden && back.getBoundingClientRect().top > bar - 24;
}"""
# Where the options and the back fit the screen together, the option chosen stays in sight
# above the verdict: a learner sees what they picked beside whether it was right.
CHOSEN_OUT_OF_SIGHT = """() => {
  const chosen = document.querySelector('[data-response] .option.is-chosen');
  const back = document.querySelector('[data-back]');
  if (!chosen || back.hidden) return false;
  const top = chosen.getBoundingClientRect().top;
  return back.getBoundingClientRect().top - top < innerHeight / 2 && top < 0;
}"""
FRONT_CONTROL = "[data-response] .option, [data-response] input, [data-action=show]:not([hidden])"
BACK_CONTROL = "[data-grades] .grade"


@pytest.mark.parametrize("one_of_type", TYPES, indirect=True)
def test_each_type_looks_right_on_a_phone_and_a_desktop(
    one_of_type: str, live_server: str, browser, artifacts: Path
) -> None:
    kind = one_of_type.removeprefix("look-")
    problems: list[str] = []
    for device, options in DEVICES.items():
        for scheme in ("light", "dark"):
            context = browser.new_context(**options, color_scheme=scheme)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            browser_sign_in(page, live_server)
            page.goto(f"{live_server}/review/{one_of_type}")
            page.wait_for_selector('[data-review][data-phase="front"]')
            for side, control in (("front", FRONT_CONTROL), ("back", BACK_CONTROL)):
                if side == "back":
                    show_back(page)
                name = f"{kind}-{side}-{device}-{scheme}"
                # Read where the page stands before the whole page's screenshot scrolls it.
                if side == "back" and page.evaluate(BACK_BELOW_THE_FOLD):
                    problems.append(f"{name}: the answer starts below the fold")
                if side == "back" and page.evaluate(CHOSEN_OUT_OF_SIGHT):
                    problems.append(f"{name}: the option chosen is above the screen")
                page.screenshot(path=str(artifacts / f"{name}.png"))
                hidden = page.evaluate(HIDDEN_CONTROL, control)
                page.screenshot(path=str(artifacts / f"{name}-whole.png"), full_page=True)
                if hidden:
                    problems.append(f"{name}: {hidden}")
                wide = page.evaluate(PAST_THE_SCREEN)
                if wide > 0:
                    problems.append(f"{name}: the page is {wide} px wider than the screen")
            problems.extend(f"{device}-{scheme}: {error}" for error in errors)
            context.close()
    assert problems == []


# Whether the question's text is covered where the typing field stands, or the field is.
COVERED_PROMPT = """() => {
  const prompt = document.querySelector('[data-prompt]').getBoundingClientRect();
  const field = document.querySelector('[data-response] input').getBoundingClientRect();
  const bar = document.querySelector('.action-bar').getBoundingClientRect().top;
  return {overlap: Math.max(0, prompt.bottom - field.top), fieldUnder: Math.max(0, field.bottom - bar)};
}"""


@pytest.mark.parametrize("one_of_type", ["typing"], indirect=True)
def test_a_typing_card_on_a_phone_held_sideways_shows_its_question_and_its_field(
    one_of_type: str, live_server: str, browser, artifacts: Path
) -> None:
    """390 px high: the field, held above the action bar on a taller screen, would cover the
    question's second line; here it follows the question, scrolled into sight."""
    context = browser.new_context(
        viewport={"width": 844, "height": 390}, has_touch=True, is_mobile=True
    )
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/review/{one_of_type}")
    page.wait_for_selector('[data-review][data-phase="front"]')
    page.screenshot(path=str(artifacts / "typing-front-sideways.png"))
    assert page.evaluate(COVERED_PROMPT) == {"overlap": 0, "fieldUnder": 0}
    assert page.evaluate(HIDDEN_CONTROL, FRONT_CONTROL) == ""
    context.close()


@pytest.mark.parametrize("one_of_type", ["typing"], indirect=True)
def test_a_reload_brings_back_what_was_typed_until_the_answer_is_shown(
    one_of_type: str, live_server: str, browser
) -> None:
    """A phone's browser drops a tab in the background and loads it again: the same card
    comes back with the answer half typed, not blank. Once its back was shown, it does not."""
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/review/{one_of_type}")
    page.wait_for_selector('[data-review][data-phase="front"]')
    page.fill("[data-response] input", "half typ")
    page.reload()
    page.wait_for_selector('[data-review][data-phase="front"]')
    assert page.input_value("[data-response] input") == "half typ"
    page.click("[data-action=show]")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.reload()
    page.wait_for_selector('[data-review][data-phase="front"]')
    assert page.input_value("[data-response] input") == ""
    context.close()


LONG_CODE = "com.docker.network.bridge.enable_ip_masquerade=false"
# How far the page, or anything on it, reaches past the phone's screen, in px (0: not at all).
PAST_THE_EDGE = f"""() => Math.max(0, {PAST_THE_SCREEN},
  ...[...document.querySelectorAll('body *')].map((e) => Math.floor(e.getBoundingClientRect().right - screen.width)))"""
LONG_LINK = "https://docs.docker.com/engine/network/drivers/bridge/#options-and-their-defaults-for-everything"


def test_a_long_unbroken_word_in_a_card_wraps_on_a_phone(
    runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser, artifacts: Path
) -> None:
    """An inline code span or a link longer than a phone is wide, in any face, wraps: it
    does not widen the page and push the grade buttons off the screen."""
    bank = f"""
        id: long-words
        title: Long words
        language: en
        questions:
          - id: long-code
            type: basic
            prompt: What does `{LONG_CODE}{LONG_CODE}` turn off?
            answer: NAT for the bridge network, `{LONG_CODE}`
            explanation: See <{LONG_LINK}> and `{LONG_CODE}{LONG_CODE}`.
        """
    result = runner.invoke(args=["bank", "import", str(write_bank("long", {"bank.yaml": bank}))])
    assert result.exit_code == 0, result.output
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    try:
        browser_sign_in(page, live_server)
        page.goto(f"{live_server}/review/long-words")
        page.wait_for_selector('[data-review][data-phase="front"]')
        widths = {"front": page.evaluate(PAST_THE_EDGE)}
        show_back(page)
        widths["back"] = page.evaluate(PAST_THE_EDGE)
        page.screenshot(path=str(artifacts / "long-words-back-phone.png"))
        hidden = page.evaluate(HIDDEN_CONTROL, '[data-rating="4"]')
        # Each line of a code span broken over lines is padded at both ends, a chip of its own.
        padded = page.eval_on_selector(".card .prompt code", _PADDED_LINES)
    finally:
        context.close()
    assert widths == {"front": 0, "back": 0}
    assert hidden == ""
    assert len(padded) > 1 and all(padded), padded


# For each line of an inline element: whether its box reaches past its text at both ends.
_PADDED_LINES = """(element) => {
  const range = document.createRange();
  range.selectNodeContents(element);
  const texts = [...range.getClientRects()];
  return [...element.getClientRects()].map((box, i) =>
    box.left < texts[i].left - 1 && box.right > texts[i].right + 1);
}"""

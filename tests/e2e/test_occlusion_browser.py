"""A diagram card in real Chromium, on a phone and a desktop: the front's diagram lacks exactly
its label, and the back shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from tests.support import DOCKER, browser_sign_in, docker_bank_of

FIXTURE = PROJECT_ROOT / "tests/banks/diagram"
ALL_TEXTS = ["客户端 docker", "dockerd", "containerd", "runc", "REST", "gRPC", "gRPC"]

# The texts of the <text> elements of the SVG an <img> shows, read into a DOM of its own.
SVG_TEXTS = """async selector => {
  const img = document.querySelector(selector);
  const source = await (await fetch(img.currentSrc || img.src)).text();
  const svg = new DOMParser().parseFromString(source, "image/svg+xml");
  return {
    texts: Array.from(svg.querySelectorAll("text"), (t) => t.textContent),
    whole: svg.documentElement.outerHTML,
    width: img.getBoundingClientRect().width,
    loaded: img.complete && img.naturalWidth > 0,
  };
}"""

SIZES = {
    "phone": {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.mark.parametrize("size", SIZES)
def test_the_front_masks_exactly_its_label_and_the_back_reveals_it(
    app: Flask, runner: FlaskCliRunner, learner: int, live_server: str, browser, artifacts: Path,
    size: str,
) -> None:  # fmt: skip
    assert runner.invoke(args=["bank", "import", str(FIXTURE)]).exit_code == 0
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        browser_sign_in(page, live_server)
        page.goto(f"{live_server}/review/diagram")
        page.wait_for_selector('[data-review][data-phase="front"] [data-card]:not([hidden])')
        assert page.get_attribute("[data-card]", "data-type") == "occlusion"
        page.wait_for_function("() => document.querySelector('[data-prompt] img')?.complete")
        front = page.evaluate(SVG_TEXTS, "[data-prompt] img")
        assert front["loaded"]
        assert front["texts"] == [t if t != "dockerd" else "?" for t in ALL_TEXTS]
        assert "dockerd" not in front["whole"]
        # Nor in the front around it: its text, the image's alt text or its URL.
        assert "dockerd" not in page.inner_html("[data-prompt]")
        assert 0 < front["width"] <= SIZES[size]["viewport"]["width"]
        page.screenshot(path=str(artifacts / f"occlusion-front-{size}.png"))

        page.fill("[data-response] input", "DockerD")
        page.keyboard.press("Enter")
        page.wait_for_selector('[data-review][data-phase="back"]')
        assert page.inner_text("[data-verdict]").startswith("✓")
        page.wait_for_function("() => document.querySelector('[data-answer] img')?.complete")
        back = page.evaluate(SVG_TEXTS, "[data-answer] img")
        assert back["loaded"] and back["texts"] == ALL_TEXTS
        assert 'class="wg-occ-reveal"' in back["whole"]
        assert "dockerd" in page.inner_text("[data-answer]")
        # The shown diagram takes the masked one's place: one diagram on the back, not two.
        assert not page.locator("[data-prompt] img").is_visible()
        assert page.locator("[data-answer] img").is_visible()
        page.screenshot(path=str(artifacts / f"occlusion-back-{size}.png"))
    finally:
        context.close()
    assert errors == []


# Where the front's diagram stands against what may cover its foot: the action bar, and a
# typed answer's field, which stays above the bar.
DIAGRAM_IN_SIGHT = """() => {
  const image = document.querySelector('[data-prompt] img');
  const box = (image.closest('.diagram-frame') || image).getBoundingClientRect();
  const response = document.querySelector('[data-response]');
  let floor = document.querySelector('.action-bar').getBoundingClientRect().top;
  if (getComputedStyle(response).position === 'sticky') {
    floor = Math.min(floor, response.getBoundingClientRect().top);
  }
  return {top: box.top, bottom: box.bottom, floor, height: box.height, id: document.querySelector('[data-card]').dataset.cardId};
}"""


def _docker_diagram_cards(write_bank) -> Path:
    """A bank of the Docker bank's diagram questions, with their diagrams."""
    questions = [
        question
        for path in sorted(DOCKER.glob("[0-9]*.yaml"))
        for question in yaml.safe_load(path.read_text("utf-8"))["questions"]
        if question["type"] == "occlusion"
    ]
    return docker_bank_of(write_bank, "docker-diagrams", questions)


# The page reads a diagram's source (to size it legibly) only after the image has loaded, as
# on a slow network where the image came from the cache: the diagram grows once it is shown.
MEASURED_LATE = """(() => {
  const fetchNow = window.fetch;
  window.fetch = (...request) =>
    new Promise((resolve) => setTimeout(resolve, 400)).then(() => fetchNow(...request));
})();"""

# A diagram shown, its legible size applied and the page scrolled for it on the next frame.
DIAGRAM_SIZED = """selector => {
  const image = document.querySelector(selector);
  return image?.complete && image.closest('.diagram-frame')?.dataset.legibleWidth;
}"""


def _signed_in_with_diagram_cards(runner, write_bank, live_server: str, browser, size: str):
    """A page of a browser of ``size``, signed in, with the Docker diagram cards' bank, whose
    diagrams are sized legibly only after they are drawn (``MEASURED_LATE``)."""
    result = runner.invoke(args=["bank", "import", str(_docker_diagram_cards(write_bank))])
    assert result.exit_code == 0, result.output
    context = browser.new_context(**SIZES[size])
    context.add_init_script(MEASURED_LATE)
    page = context.new_page()
    browser_sign_in(page, live_server)
    return page


def out_of_sight(name: str, where: dict) -> list[str]:
    """What is wrong with where a diagram stands (``DIAGRAM_IN_SIGHT``): its foot covered
    while its top could go higher, or its top scrolled off."""
    problems = []
    if where["bottom"] > where["floor"] and where["top"] > 8.5:
        problems.append(
            f"{name}: its foot at {where['bottom']:.0f}, covered from {where['floor']:.0f}"
        )
    if where["top"] < -0.5:
        problems.append(f"{name}: its top scrolled off, at {where['top']:.0f}")
    return problems


def settled(page, where_js: str, name: str) -> dict:
    """Where the diagram stands (``where_js``) once it is in sight, or after a second and a
    half: laid out and scrolled a frame or two after it is shown, later on a busy machine."""
    for _ in range(15):
        where = page.evaluate(where_js)
        if not out_of_sight(name, where):
            break
        page.wait_for_timeout(100)
    return where


@pytest.mark.parametrize("size", SIZES)
def test_each_diagram_card_shows_its_whole_diagram_above_what_covers_the_foot(
    runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser,
    artifacts: Path, size: str,
) -> None:  # fmt: skip
    """A diagram card may ask for a label at the foot of its diagram: on a phone and a
    desktop, the front brings the whole diagram into sight, above the action bar and a
    typed answer's field, scrolling no further than the diagram's top."""
    page = _signed_in_with_diagram_cards(runner, write_bank, live_server, browser, size)
    problems: list[str] = []
    try:
        page.goto(f"{live_server}/review/docker-diagrams")
        seen: set[str] = set()
        for _ in range(20):
            page.wait_for_selector('[data-review]:is([data-phase="front"], [data-phase="done"])')
            if page.get_attribute("[data-review]", "data-phase") == "done":
                break
            page.wait_for_function(DIAGRAM_SIZED, arg="[data-prompt] img")
            # Laid out and scrolled on the next frame; and a tap within 400 ms of the last
            # grade's would be taken for its double tap.
            page.wait_for_timeout(450)
            where = page.evaluate(DIAGRAM_IN_SIGHT)
            seen.add(where["id"])
            name = f"diagram-{len(seen)}-{size}"
            problems += out_of_sight(name, where)
            page.screenshot(path=str(artifacts / f"{name}.png"))
            # Typed or self-graded: "I don't know" or Show answer, whichever the card has.
            give_up = page.locator('[data-action="giveup"]')
            (give_up if give_up.is_visible() else page.locator('[data-action="show"]')).click()
            page.wait_for_selector('[data-review][data-phase="back"]')
            page.click('[data-rating="3"]')
            page.wait_for_function(
                "id => document.querySelector('[data-card]')?.dataset.cardId !== id"
                " || document.querySelector('[data-review]').dataset.phase === 'done'",
                arg=where["id"],
            )
        # The bank's diagram cards, one a question or so, but those buried for the day by a
        # kin's answer (one shows, labelled, what the other masks).
        assert len(seen) >= 8, seen
    finally:
        page.context.close()
    assert problems == []


# The same in a quiz: the question shown, its diagram against the action bar.
QUIZ_DIAGRAM_IN_SIGHT = """() => {
  const section = document.querySelector('.quiz-question:not([hidden])');
  const image = section.querySelector('.prompt img');
  const box = (image.closest('.diagram-frame') || image).getBoundingClientRect();
  const floor = document.querySelector('.action-bar').getBoundingClientRect().top;
  return {top: box.top, bottom: box.bottom, floor, id: section.dataset.position};
}"""


@pytest.mark.parametrize("size", SIZES)
def test_each_diagram_question_of_a_quiz_shows_its_whole_diagram_above_the_bar(
    runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser,
    artifacts: Path, size: str,
) -> None:  # fmt: skip
    """In a quiz too, each diagram question, as it is shown, brings its whole diagram into
    sight above the action bar, scrolling no further than the diagram's top."""
    page = _signed_in_with_diagram_cards(runner, write_bank, live_server, browser, size)
    problems: list[str] = []
    try:
        page.goto(f"{live_server}/quiz/docker-diagrams")
        page.fill("#count", "12")
        page.click(".quiz-setup button[type=submit]")
        page.wait_for_selector("[data-quiz]")
        # One a diagram, and none whose labels show another's answer: 6 to 10 of the 14.
        count = int(page.get_attribute("[data-quiz]", "data-count"))
        assert count >= 6
        for number in range(1, count + 1):
            page.wait_for_function(DIAGRAM_SIZED, arg=".quiz-question:not([hidden]) .prompt img")
            name = f"quiz-diagram-{number}-{size}"
            where = settled(page, QUIZ_DIAGRAM_IN_SIGHT, name)
            problems += out_of_sight(name, where)
            page.screenshot(path=str(artifacts / f"{name}.png"))
            if number == count:
                break
            page.click('[data-action="next"]')
            page.wait_for_function(
                "at => document.querySelector('.quiz-question:not([hidden])').dataset.position"
                " !== at",
                arg=where["id"],
            )
    finally:
        page.context.close()
    assert problems == []


@pytest.mark.parametrize("size", SIZES)
def test_a_message_is_in_sight_wherever_the_page_is_scrolled(
    runner: FlaskCliRunner, write_bank, learner: int, live_server: str, browser,
    artifacts: Path, size: str,
) -> None:  # fmt: skip
    """A passing message ("Nothing to undo.", "Buried", "Undone") shows whole on the screen,
    above the action bar, though the learner has scrolled down a long back; and it takes no
    tap from what it covers."""
    page = _signed_in_with_diagram_cards(runner, write_bank, live_server, browser, size)
    try:
        page.goto(f"{live_server}/review/docker-diagrams")
        page.wait_for_selector('[data-review][data-phase="front"]')
        give_up = page.locator('[data-action="giveup"]')
        (give_up if give_up.is_visible() else page.locator('[data-action="show"]')).click()
        page.wait_for_selector('[data-review][data-phase="back"]')
        # The back's diagrams drawn first: until they load, the page may not be long yet.
        page.wait_for_function("() => [...document.images].every((image) => image.complete)")
        page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
        assert page.evaluate("scrollY") > 100  # the case this is about: the top out of sight
        page.keyboard.press("u")
        page.wait_for_function("() => document.querySelector('[data-status]').textContent")
        page.screenshot(path=str(artifacts / f"message-{size}.png"))
        where = page.evaluate(
            """() => {
              const status = document.querySelector('[data-status]');
              const box = status.getBoundingClientRect();
              const bar = document.querySelector('.action-bar').getBoundingClientRect();
              return {top: box.top, bottom: box.bottom, floor: bar.top,
                      taps: getComputedStyle(status).pointerEvents};
            }"""
        )
        assert where["top"] >= 0 and where["bottom"] <= where["floor"], where
        assert where["taps"] == "none", where
    finally:
        page.context.close()

"""Diagrams on a phone: legible in their box, full screen on a tap, with pinch and pan;
on a desktop, inline as before."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from tests.support import PAST_THE_SCREEN, browser_sign_in

DIAGRAMS = PROJECT_ROOT / "quizzes/docker/diagrams"
# A diagram wider than a phone can show legibly: the engine as the Docker bank drew it on a
# 720-unit canvas before its diagrams were redrawn for phones.
WIDE = zipfile.ZipFile(PROJECT_ROOT / "tests/banks/docker-2026-11.zip").read("diagrams/engine.svg")
PHONE = {"viewport": {"width": 360, "height": 740}, "has_touch": True, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
LEGIBLE_PX = 10.5  # diagrams.js: "about 11 px"
BANK = """
id: drawn
title: Drawn
questions:
  - id: engine
    type: basic
    prompt: |
      What calls containerd?

      ![Control groups](diagrams/cgroups.svg)
    answer: dockerd
    explanation: |
      The chain from the client to the container:

      ![Docker engine](diagrams/engine.svg)
"""

# The smallest text of a diagram as the browser's own CSS cascade sizes it, in the SVG's
# units, and its viewBox width: the SVG is put in a shadow root of its own, so that its
# styles stay inside, at its own size.
MEASURE = """async (url) => {
  const source = await (await fetch(url)).text();
  const svg = new DOMParser().parseFromString(source, "image/svg+xml").documentElement;
  const host = document.createElement("div");
  host.style.position = "absolute";
  host.style.visibility = "hidden";
  document.body.append(host);
  const shadow = host.attachShadow({ mode: "open" });
  shadow.append(document.importNode(svg, true));
  const placed = shadow.querySelector("svg");
  const sizes = [...placed.querySelectorAll("text, tspan")]
    .filter((t) => t.textContent.trim())
    .map((t) => parseFloat(getComputedStyle(t).fontSize));
  const width = placed.viewBox.baseVal.width;
  host.remove();
  return { font: Math.min(...sizes), width };
}"""


@pytest.fixture
def drawn(runner: FlaskCliRunner, write_bank, learner: int) -> None:
    """Ann has a bank of one card whose front shows the cgroups diagram and whose
    explanation shows a wide engine diagram."""
    folder = write_bank(
        "drawn",
        {
            "bank.yaml": BANK,
            "diagrams/engine.svg": WIDE,
            "diagrams/cgroups.svg": (DIAGRAMS / "cgroups.svg").read_bytes(),
        },
    )
    result = runner.invoke(args=["bank", "import", str(folder)])
    assert result.exit_code == 0, result.output


def smallest_text(page, selector: str) -> dict[str, float]:
    """The smallest text of each diagram matched, in CSS px as drawn, by its file name."""
    sizes: dict[str, float] = {}
    for image in page.query_selector_all(selector):
        src = image.get_attribute("src")
        drawn = image.bounding_box()
        assert drawn is not None, src
        own = page.evaluate(MEASURE, src)
        name = Path(src).name
        sizes[name] = min(sizes.get(name, 1e9), own["font"] * drawn["width"] / own["width"])
    return sizes


def open_review_back(page, base: str) -> float:
    """Review the card to its back; returns the smallest text of its front's diagram."""
    browser_sign_in(page, base)
    page.goto(f"{base}/review/drawn")
    page.wait_for_selector('[data-review][data-phase="front"]')
    page.wait_for_selector(".prompt .diagram-frame[data-legible-width]")
    page.locator(".prompt .diagram-frame img").evaluate("(i) => i.decode()")
    front = smallest_text(page, ".prompt .diagram-frame img")["cgroups.svg"]
    page.keyboard.press("Space")
    page.wait_for_selector('[data-review][data-phase="back"]')
    page.wait_for_selector(".explanation .diagram-frame[data-legible-width]")
    return front


def touch(cdp, kind: str, *points: tuple[float, float]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
        },
    )


def scale(page) -> float:
    return float(page.get_attribute("[data-stage]", "data-scale"))


def test_tapping_a_diagram_in_an_explanation_opens_it_full_screen(
    drawn, live_server: str, browser, artifacts: Path
) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    assert open_review_back(page, live_server) >= LEGIBLE_PX  # on the front too
    opener = page.locator(".explanation .diagram-open")
    # Nothing points at it on a touch screen: a line under it says that it opens.
    hint = "(e) => getComputedStyle(e, '::after').content"
    assert opener.evaluate(hint) == '"⤢ Tap to enlarge"'
    page.screenshot(path=str(artifacts / "explanation-phone.png"))
    opener.tap()
    viewer = page.locator("[data-diagram-viewer]")
    page.wait_for_selector("[data-diagram-viewer][open]")  # a tap's click comes a moment later
    assert viewer.bounding_box() == {"x": 0, "y": 0, "width": 360, "height": 740}
    # It opens at its legible size, wider than the screen.
    opened = scale(page)
    assert page.locator(".diagram-copy").bounding_box()["width"] > 360
    assert opened * 13 >= LEGIBLE_PX
    page.screenshot(path=str(artifacts / "viewer-phone.png"))

    cdp = context.new_cdp_session(page)
    touch(cdp, "touchStart", (150, 350), (210, 350))
    touch(cdp, "touchMove", (110, 350), (250, 350))
    touch(cdp, "touchMove", (60, 350), (300, 350))
    touch(cdp, "touchEnd")
    assert scale(page) > opened * 2  # the fingers spread four times as far apart
    before = page.locator(".diagram-copy").bounding_box()
    touch(cdp, "touchStart", (200, 400))
    touch(cdp, "touchMove", (150, 360))
    touch(cdp, "touchMove", (100, 320))
    touch(cdp, "touchEnd")
    after = page.locator(".diagram-copy").bounding_box()
    assert (after["x"] - before["x"], after["y"] - before["y"]) == (-100, -80)

    page.locator("[data-diagram-viewer] [data-close]").tap()
    page.wait_for_selector("[data-diagram-viewer]:not([open])", state="attached")
    assert page.evaluate("document.activeElement.classList.contains('diagram-open')")
    assert page.get_attribute("[data-review]", "data-phase") == "back"  # no grade was given
    # Escape closes it too, and the review page takes no key meant for the viewer.
    opener.tap()
    page.wait_for_selector("[data-diagram-viewer][open]")
    page.keyboard.press("1")
    page.keyboard.press("Escape")
    assert not viewer.evaluate("(d) => d.open")
    assert page.get_attribute("[data-review]", "data-phase") == "back"
    context.close()


def test_back_closes_the_full_screen_diagram_and_stays_on_the_card(
    drawn, live_server: str, browser
) -> None:
    """A phone's Back with a diagram open full screen closes it, on the same card's back;
    closed by its button, it leaves no entry behind: Back then leaves the review page."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    open_review_back(page, live_server)
    review = page.url
    card = page.get_attribute("[data-card]", "data-card-id")
    opener = page.locator(".explanation .diagram-open")
    viewer = page.locator("[data-diagram-viewer]")
    opener.tap()
    page.wait_for_selector("[data-diagram-viewer][open]")
    page.go_back()
    page.wait_for_selector("[data-diagram-viewer]:not([open])", state="attached")
    assert page.url == review
    assert page.get_attribute("[data-review]", "data-phase") == "back"
    assert page.get_attribute("[data-card]", "data-card-id") == card
    # Open again, closed by its button (then by Escape): Back goes where it went before.
    for close in ("button", "Escape"):
        opener.tap()
        page.wait_for_selector("[data-diagram-viewer][open]")
        if close == "button":
            page.locator("[data-diagram-viewer] [data-close]").tap()
        else:
            page.keyboard.press("Escape")
        page.wait_for_selector("[data-diagram-viewer]:not([open])", state="attached")
        page.wait_for_function("() => !history.state?.diagramViewer")
        assert not viewer.evaluate("(d) => d.open") and page.url == review
    page.go_back()
    page.wait_for_url(lambda url: url != review)
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_diagram_text_is_drawn_below_legible_on_a_phone(
    runner: FlaskCliRunner, learner: int, live_server: str, browser, artifacts: Path, scheme: str
) -> None:
    runner.invoke(args=["bank", "import", str(PROJECT_ROOT / "quizzes/docker")])
    context = browser.new_context(**PHONE, color_scheme=scheme)
    page = context.new_page()
    browser_sign_in(page, live_server)
    page.goto(f"{live_server}/banks/docker")
    page.eval_on_selector_all("details.reveal", "(all) => all.forEach((d) => { d.open = true; })")
    frames = page.locator(".explanation .diagram-frame")
    assert frames.count() >= len(list(DIAGRAMS.glob("*.svg")))
    page.wait_for_function(
        "() => [...document.querySelectorAll('.explanation .diagram-frame')]"
        ".every((f) => f.dataset.legibleWidth)"
    )
    sizes = smallest_text(page, ".explanation .diagram-frame img")
    assert set(sizes) == {path.name for path in DIAGRAMS.glob("*.svg")}
    assert {name: size for name, size in sizes.items() if size < LEGIBLE_PX} == {}
    # Every diagram of the bank is legible in a phone's column whole: none needs scrolling.
    needs = "(frames) => frames.filter((f) => +f.dataset.legibleWidth > f.clientWidth).length"
    assert frames.evaluate_all(needs) == 0
    assert page.evaluate(PAST_THE_SCREEN) <= 0
    page.screenshot(path=str(artifacts / f"bank-diagram-phone-{scheme}.png"))
    context.close()


def test_a_desktop_shows_the_diagram_inline_and_whole(
    drawn, live_server: str, browser, artifacts: Path
) -> None:
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    assert open_review_back(page, live_server) >= LEGIBLE_PX
    box = page.locator(".explanation .diagram-frame")
    image = page.locator(".explanation .diagram-frame img").bounding_box()
    explanation = page.locator(".explanation").bounding_box()
    assert image["width"] == pytest.approx(explanation["width"], abs=1)  # fills it, as before
    assert box.evaluate("(f) => f.scrollWidth <= f.clientWidth")
    assert min(smallest_text(page, ".explanation .diagram-frame img").values()) >= LEGIBLE_PX
    assert not page.locator("[data-diagram-viewer]").evaluate("(d) => d.open")
    # The mouse shows it opens (a zoom cursor): no line under it.
    opener = page.locator(".explanation .diagram-open")
    assert opener.evaluate("(e) => getComputedStyle(e, '::after').content") == "none"
    page.screenshot(path=str(artifacts / "explanation-desktop.png"))
    # A click opens it full screen all the same: the whole diagram, at its own size.
    page.locator(".explanation .diagram-open").click()
    assert scale(page) == pytest.approx(1)
    page.keyboard.press("Escape")
    context.close()

"""A diagram card in real Chromium, on a phone and a desktop: the front's diagram lacks exactly
its label, and the back shows it."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from config import PROJECT_ROOT
from tests.support import browser_sign_in

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

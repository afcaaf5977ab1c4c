"""A live Wengu on a loopback port and one real Chromium, driven by Playwright, for every
browser test of the session (tests/e2e, tests/reliability): ``tests/conftest.py`` registers
these fixtures once, since Playwright's sync API runs one instance per thread."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support import require

__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "browser", "live_server"]

CHROMIUM = os.environ.get("WENGU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("WENGU_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on 127.0.0.1 from a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    require(
        sync_playwright is not None,
        "Playwright is not installed (pip install -r requirements-dev.txt)",
    )
    require(
        shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists(),
        f"no Chromium at {CHROMIUM} (apt-get install chromium, or set WENGU_CHROMIUM)",
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()

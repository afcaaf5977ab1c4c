"""A live Wengu on a loopback port and one real Chromium, driven by Playwright, for every
browser test of the session (tests/e2e, tests/reliability): ``tests/conftest.py`` registers
these fixtures once, since Playwright's sync API runs one instance per thread."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.support import require

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["ARTIFACTS", "CHROMIUM", "CHROMIUM_ARGS", "browser", "live_server"]

CHROMIUM = os.environ.get("WENGU_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(os.environ.get("WENGU_TEST_ARTIFACTS", "test-artifacts"))


class _Gate:
    """The app behind a gate that counts the requests in it and, once closed, turns new ones
    away: a request a browser sends late (on a keep-alive connection, which outlives the
    server's loop) never opens a database session after the test's database is gone.

    A request is in the gate while the app handles it: Flask has ended its context (and
    closed its database session) when it returns. Not while its body is sent: Werkzeug's
    server does not close a body whose client went away."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.serving = threading.Condition()
        self.open, self.busy = True, 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self.serving:
            if not self.open:
                start_response("503 Service Unavailable", [("Connection", "close")])
                return [b""]
            self.busy += 1
        try:
            return self.app(environ, start_response)
        finally:
            with self.serving:
                self.busy -= 1
                self.serving.notify_all()

    def close(self, timeout: float) -> None:
        """Turn new requests away, and wait up to ``timeout`` seconds for those being served."""
        with self.serving:
            self.open = False
            if not self.serving.wait_for(lambda: self.busy == 0, timeout):
                raise RuntimeError(f"{self.busy} requests still served after {timeout} s")


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served on 127.0.0.1 from a thread; yields its base URL. At the end no
    request is left running, so none outlives the test's database."""
    gate = _Gate(app)
    server = make_server("127.0.0.1", 0, gate, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        gate.close(timeout=30)
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


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
    from playwright.sync_api import Locator, Page

    with sync_playwright() as playwright, pytest.MonkeyPatch.context() as patch:
        patch.setattr(Page, "wait_for_selector", _styled(Page.wait_for_selector, lambda p: p))
        patch.setattr(Locator, "wait_for", _styled(Locator.wait_for, lambda at: at.page))
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _styled(wait: Callable[..., Any], page_of: Callable[[Any], Any]) -> Callable[..., Any]:
    """``Page.wait_for_selector`` (or ``Locator.wait_for``) that, once an element is there,
    also waits for the page's load. After a click that navigates, Chromium may have parsed the
    new page (the element is found) before its stylesheets arrive, and until then what is read
    from it is unstyled: ``inner_text`` gives both the keyboard's hint and the touch screen's,
    each ``display: none`` but for one. A browser paints nothing until they arrive, so a user
    never sees that page; a test must not read it either. A page loaded already returns at
    once."""

    def waited(at: Any, *args: Any, **options: Any) -> Any:
        found = wait(at, *args, **options)
        if options.get("state") in (None, "attached", "visible"):
            page_of(at).wait_for_load_state("load")
        return found

    return waited

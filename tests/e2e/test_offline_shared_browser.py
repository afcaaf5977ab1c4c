"""A browser shared by two learners: what the service worker kept for one is never shown to
the next, even when the first one's session ended without the sign-out button."""

from __future__ import annotations

from flask import Flask

from tests.e2e.test_offline_browser import (  # noqa: F401 (fixtures)
    FRONT,
    Connection,
    context,
    kept_by_the_worker,
    open_review,
    page,
)
from tests.support import browser_sign_in, make_user


def test_the_next_learner_never_sees_the_one_befores_review_page_offline(
    app: Flask,
    context,  # noqa: F811 (the fixture imported above)
    page,  # noqa: F811
    live_server: str,
) -> None:
    make_user(app, "bob")
    open_review(page, live_server)
    ann = page.get_attribute("[data-review]", "data-user")
    # Ann's session ends without the sign-out button: its cookie is gone.
    context.clear_cookies()
    browser_sign_in(page, live_server, "bob")
    assert page.evaluate("async () => (await caches.keys()).length") == 0
    connection = Connection(context, app)
    connection.lose()
    try:
        page.goto(f"{live_server}/review/ten")
    except Exception as error:  # the browser's own offline page: nothing was kept
        assert "ERR_INTERNET_DISCONNECTED" in str(error) or "ERR_FAILED" in str(error)
    else:
        shown = page.locator("[data-review]")
        assert shown.count() == 0 or shown.get_attribute("data-user") != ann
    finally:
        connection.restore()
    # Bob's own review page is kept for him from here on.
    open_review(page, live_server)
    assert page.get_attribute("[data-review]", "data-user") != ann
    assert kept_by_the_worker(page, f"{live_server}/review/ten")
    page.wait_for_selector(FRONT)

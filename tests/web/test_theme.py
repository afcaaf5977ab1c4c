"""The theme a browser keeps in a cookie, and what a phone needs to add Wengu to its home screen."""

from __future__ import annotations

import json
import struct
from urllib.parse import urljoin

import pytest
from flask.testing import FlaskClient

from config import PROJECT_ROOT
from tests.support import csrf_token
from views.settings import THEME_COOKIE


def choose_theme(client: FlaskClient, theme: str) -> object:
    return client.post("/settings/theme", data={"theme": theme, "csrf_token": csrf_token(client)})


def test_pages_follow_the_system_until_a_theme_is_chosen(signed_in: FlaskClient) -> None:
    page = signed_in.get("/").get_data(as_text=True)
    assert '<html lang="en" data-theme="auto">' in page
    assert '<meta name="color-scheme" content="light dark">' in page
    assert 'media="(prefers-color-scheme: dark)"' in page


def test_a_chosen_theme_is_kept_in_a_cookie_and_shown_on_every_page(
    signed_in: FlaskClient,
) -> None:
    response = choose_theme(signed_in, "dark")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/settings?saved=appearance#appearance-saved")
    cookie = signed_in.get_cookie(THEME_COOKIE)
    assert cookie is not None and cookie.value == "dark" and cookie.http_only
    for path in ("/", "/settings", "/banks"):
        page = signed_in.get(path).get_data(as_text=True)
        assert 'data-theme="dark"' in page
        assert '<meta name="color-scheme" content="dark">' in page
    settings = signed_in.get("/settings").get_data(as_text=True)
    assert (
        '<input checked id="theme-2" name="theme" required type="radio" value="dark">' in settings
    )


def test_the_theme_shows_on_the_sign_in_page_too(client: FlaskClient, learner: int) -> None:
    client.set_cookie(THEME_COOKIE, "light")
    page = client.get("/login").get_data(as_text=True)
    assert 'data-theme="light"' in page
    assert '<meta name="color-scheme" content="light">' in page
    assert "prefers-color-scheme" not in page


def test_an_unknown_theme_in_the_cookie_counts_as_auto(client: FlaskClient, learner: int) -> None:
    client.set_cookie(THEME_COOKIE, '"><script>')
    page = client.get("/login").get_data(as_text=True)
    assert 'data-theme="auto"' in page and "<script>" not in page


DARK_CSS = '<link rel="stylesheet" href="/static/css/dark.css"'


@pytest.mark.parametrize(
    ("theme", "link"),
    [
        ("auto", DARK_CSS + ' media="(prefers-color-scheme: dark)">'),
        ("dark", DARK_CSS + ">"),
        ("light", None),
    ],
)
def test_the_dark_palette_is_linked_where_the_theme_can_be_dark(
    client: FlaskClient, learner: int, theme: str, link: str | None
) -> None:
    client.set_cookie(THEME_COOKIE, theme)
    page = client.get("/login").get_data(as_text=True)
    if link is None:
        assert "dark.css" not in page
    else:
        assert link in page
        assert page.index("css/wengu.css") < page.index("css/dark.css")


def test_the_dark_palette_is_written_once() -> None:
    light = (PROJECT_ROOT / "static/css/wengu.css").read_text()
    dark = (PROJECT_ROOT / "static/css/dark.css").read_text()
    assert "#15171a" in dark and "#15171a" not in light
    assert "data-theme" not in dark


def test_an_unknown_theme_is_refused_with_a_reason(signed_in: FlaskClient) -> None:
    response = choose_theme(signed_in, "purple")
    assert response.status_code == 302
    assert signed_in.get_cookie(THEME_COOKIE) is None
    page = signed_in.get("/settings").get_data(as_text=True)
    assert "Choose a theme: follow the system, light or dark." in page


def test_the_theme_form_needs_its_csrf_token(signed_in: FlaskClient) -> None:
    signed_in.post("/settings/theme", data={"theme": "dark"})
    assert signed_in.get_cookie(THEME_COOKIE) is None


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_the_manifest_names_icons_that_exist_in_their_sizes(
    client: FlaskClient, learner: int
) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/static/manifest.webmanifest">' in page
    with client.get("/static/manifest.webmanifest") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/manifest+json"
        manifest = json.loads(response.get_data(as_text=True))
    assert manifest["display"] == "standalone"
    # Relative to the manifest, so that a server under a sub-path starts and scopes there too.
    where = "/static/manifest.webmanifest"
    assert urljoin(where, manifest["start_url"]) == urljoin(where, manifest["scope"]) == "/"
    assert urljoin("/wengu" + where, manifest["start_url"]) == "/wengu/"
    purposes = set()
    for icon in manifest["icons"]:
        with client.get(f"/static/{icon['src']}") as response:
            data = response.get_data()
        assert data, icon["src"]
        purposes.add(icon.get("purpose", "any"))
        if icon["type"] == "image/png":
            width, height = (int(n) for n in icon["sizes"].split("x"))
            assert png_size(data) == (width, height), icon["src"]
    assert {"any", "maskable"} <= purposes
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes


def test_the_home_screen_icon_for_ios_is_linked() -> None:
    assert png_size((PROJECT_ROOT / "static/icons/icon-180.png").read_bytes()) == (180, 180)


@pytest.mark.parametrize("path", ["/settings", "/banks"])
def test_no_field_carries_an_attribute_valued_none(signed_in: FlaskClient, path: str) -> None:
    """A macro argument left out is left out of the HTML, not written as "None"."""
    page = signed_in.get(path).get_data(as_text=True)
    assert '="None"' not in page

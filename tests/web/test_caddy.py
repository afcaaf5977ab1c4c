"""Wengu behind Debian's Caddy, with the Caddyfiles of docs/hosting.md themselves (their site
addresses moved to test ports, with Caddy's own internal certificates), in front of gunicorn
started as docs/wengu.service starts it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.hosting import (
    GUIDE,
    Browser,
    backend,
    big_bank,
    free_port,
    upload,
    wait_for_tls,
)
from tests.support import require

pytestmark = pytest.mark.slow

_CADDYFILE = re.compile(r"```caddyfile\n(.*?)```", re.DOTALL)


@dataclass
class Stack:
    """The ports of Caddy's two sites: as written, and under /wengu/."""

    as_written: int
    sub_path: int


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    caddy = shutil.which("caddy")
    require(caddy is not None, "no caddy (apt-get install caddy)")
    folder = tmp_path_factory.mktemp("caddy")
    site, sub_path = _CADDYFILE.findall(GUIDE.read_text())
    assert site.startswith("wengu.example.org {") and sub_path.startswith("example.org {")
    ports = Stack(free_port(), free_port())
    with backend(folder) as backend_port:
        # Test-only global options: no admin endpoint, certificates from Caddy's own local
        # authority (not installed in the system's trust store), no port 80.
        caddyfile = (
            "{\n\tadmin off\n\tlocal_certs\n\tskip_install_trust\n"
            f"\thttp_port {free_port()}\n\tauto_https disable_redirects\n}}\n\n"
            + site.replace("wengu.example.org {", f"https://127.0.0.1:{ports.as_written} {{")
            + "\n"
            + sub_path.replace("example.org {", f"https://127.0.0.1:{ports.sub_path} {{")
        ).replace("127.0.0.1:8000", f"127.0.0.1:{backend_port}")
        config = folder / "Caddyfile"
        config.write_text(caddyfile)
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(folder),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_CONFIG_HOME": str(folder / "config"),
        }
        command = [caddy, "run", "--config", str(config), "--adapter", "caddyfile"]
        checked = subprocess.run(
            [caddy, "validate", "--config", str(config), "--adapter", "caddyfile"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr + caddyfile
        log = folder / "caddy.log"
        with log.open("wb") as output:
            server = subprocess.Popen(command, env=env, stdout=output, stderr=output)
        try:
            wait_for_tls(ports.as_written, server, log)
            yield ports
        finally:
            server.terminate()
            server.wait(timeout=20)


def test_sign_in_and_invite_links_carry_the_public_address(stack: Stack) -> None:
    browser = Browser(stack.as_written)
    status, headers, page = browser.sign_in()
    assert status == 302 and headers["Location"] == "/", page
    token = browser.token("/groups")
    status, headers, page = browser.post_form(
        "/groups",
        {"new-name": "Readers", "new-csrf_token": token},
        referer=f"{browser.base}/groups",
    )
    assert status == 302, page
    board = headers["Location"].split("#")[0]  # the group page, opened at its invites
    browser.post_form(
        f"{board}/invites",
        {"invite-days": "7", "invite-max_uses": "", "invite-csrf_token": browser.token(board)},
        referer=f"{browser.base}{board}",
    )
    links = re.findall(r"<code[^>]*>([^<]*/join/[^<]*)</code>", browser.get(board)[2])
    assert links and all(link.startswith(f"{browser.base}/join/") for link in links), links


def test_the_app_works_under_a_sub_path(stack: Stack) -> None:
    browser = Browser(stack.sub_path)
    status, headers, _page = browser.get("/wengu")
    assert status in (301, 302, 308) and headers["Location"].endswith("/wengu/")
    status, headers, _page = browser.get("/wengu/")
    assert status == 302 and headers["Location"].startswith("/wengu/login")
    page = browser.get("/wengu/login")[2]
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheet and stylesheet.group(1).startswith("/wengu/static/")
    assert browser.get(stylesheet.group(1))[0] == 200
    status, headers, page = browser.sign_in("/wengu")
    assert status == 302 and headers["Location"] == "/wengu/", page
    page = browser.get("/wengu/review/docker")[2]
    next_url = re.search(r'data-url-next="([^"]+)"', page)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert next_url and next_url.group(1) == "/wengu/api/v1/review/next" and token
    status, _headers, body = browser.request(
        "GET", f"{next_url.group(1)}?bank=docker", headers={"X-CSRFToken": token.group(1)}
    )
    assert status == 200 and '"card_id"' in body


def test_a_15_mb_upload_passes(stack: Stack) -> None:
    browser = Browser(stack.as_written)
    browser.sign_in()
    status, headers, page = upload(browser, big_bank())
    assert status == 302 and headers["Location"] == "/admin/banks", page[-2000:]
    assert "big: 4 added" in browser.get("/admin/banks")[2]


def test_a_forged_forwarded_for_does_not_escape_the_sign_in_limit(stack: Stack) -> None:
    """Run last in this module: it uses up the sign-in limit of 127.0.0.1."""
    browser = Browser(stack.as_written)
    statuses = []
    for n in range(12):
        status, _headers, _page = browser.post_form(
            "/login",
            {"name": "ann", "password": "wrong password", "csrf_token": browser.token("/login")},
            referer=f"{browser.base}/login",
            forwarded_for=f"198.51.100.{n}",
        )
        statuses.append(status)
    assert 429 in statuses, statuses

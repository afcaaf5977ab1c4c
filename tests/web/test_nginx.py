"""Wengu behind Debian's nginx, configured with the server blocks of docs/hosting.md itself,
over TLS on ports other than 443, in front of gunicorn started as docs/wengu.service starts it.

One nginx serves four variants of the guide's configuration, each on its own port: as written;
under the sub-path /wengu/; with ``Host $host`` instead of ``$http_host`` (the mistake whose
message must name it); and without ``client_max_body_size`` (nginx's own 1 MB).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hosting import (
    Browser,
    backend,
    big_bank,
    free_port,
    guide_blocks,
    upload,
    wait_for_tls,
)
from tests.support import require

pytestmark = pytest.mark.slow

_SERVER = re.compile(r"^server \{\n.*?^\}\n", re.DOTALL | re.MULTILINE)
_LOCATION = re.compile(r"^    location / \{\n.*?^    \}\n", re.DOTALL | re.MULTILINE)


@dataclass
class Stack:
    """The ports of the running nginx variants and of gunicorn behind them."""

    gunicorn: int
    as_written: int
    sub_path: int
    host_without_port: int
    default_body_size: int


def nginx_servers(tls: tuple[Path, Path], backend: int, ports: dict[str, int]) -> str:
    """The guide's TLS server block, moved to test ports, in its four variants."""
    servers = _SERVER.findall(guide_blocks("file")["nginx"])
    assert len(servers) == 2 and "return 301" in servers[0], "the guide's nginx blocks changed"
    server = servers[1]
    assert "listen 443 ssl" in server and "client_max_body_size 25m;" in server
    cert, key = tls
    server = re.sub(r"^    listen \[::\].*\n", "", server, flags=re.MULTILINE)
    server = re.sub(r"ssl_certificate (\S+);", f"ssl_certificate {cert};", server)
    server = re.sub(r"ssl_certificate_key (\S+);", f"ssl_certificate_key {key};", server)
    server = server.replace("127.0.0.1:8000", f"127.0.0.1:{backend}")
    location = guide_blocks("file")["nginx-sub-path"].replace(
        "127.0.0.1:8000", f"127.0.0.1:{backend}"
    )
    assert _LOCATION.search(server), "no 'location /' block in the guide's server"
    variants = {
        "as_written": server,
        "sub_path": _LOCATION.sub(lambda _: location, server),
        "host_without_port": server.replace("Host $http_host", "Host $host"),
        "default_body_size": re.sub(r"^    client_max_body_size.*\n", "", server, flags=re.M),
    }
    return "".join(
        text.replace("listen 443 ssl", f"listen 127.0.0.1:{ports[name]} ssl")
        for name, text in variants.items()
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    nginx = shutil.which("nginx") or next(
        (path for path in ["/usr/sbin/nginx"] if Path(path).exists()), None
    )
    require(nginx is not None, "no nginx (apt-get install nginx)")
    require(shutil.which("openssl") is not None, "no openssl (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-subj", "/CN=127.0.0.1", "-days", "1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    names = ["as_written", "sub_path", "host_without_port", "default_body_size"]
    ports = {name: free_port() for name in names}
    with backend(folder) as backend_port:
        prefix = folder / "prefix"
        prefix.mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/error.log;\n"
            + "events { worker_connections 64; }\nhttp {\n"
            + f"    access_log {prefix}/access.log;\n"
            + "".join(
                f"    {kind}_temp_path {prefix}/{kind};\n"
                for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
            )
            + nginx_servers((cert, key), backend_port, ports)
            + "}\n"
        )
        command = [nginx, "-p", str(prefix), "-e", str(prefix / "error.log"), "-c", str(conf)]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert checked.returncode == 0, checked.stderr + conf.read_text()
        server = subprocess.Popen(
            [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for_tls(ports["as_written"], server, prefix / "error.log")
            yield Stack(backend_port, **ports)
        finally:
            server.terminate()
            server.wait(timeout=20)


def test_sign_in_works_on_a_port_other_than_443(stack: Stack) -> None:
    browser = Browser(stack.as_written)
    status, headers, _page = browser.sign_in()
    assert status == 302 and headers["Location"] == "/", _page
    status, _headers, page = browser.get("/")
    assert status == 200 and "Sign out" in page


def test_host_without_its_port_gets_a_message_that_names_the_proxy(stack: Stack) -> None:
    status, _headers, page = Browser(stack.host_without_port).sign_in()
    assert status == 400
    assert "the Referer does not match the Host header" in page
    assert "proxy_set_header Host $http_host" in page.replace("&#36;", "$")


def test_invite_links_carry_the_public_address(stack: Stack) -> None:
    browser = Browser(stack.as_written)
    browser.sign_in()
    token = browser.token("/groups")
    status, headers, _page = browser.post_form(
        "/groups",
        {"new-name": "Readers", "new-csrf_token": token},
        referer=f"{browser.base}/groups",
    )
    assert status == 302, _page
    board = headers["Location"].split("#")[0]  # the group page, opened at its invites
    token = browser.token(board)
    browser.post_form(
        f"{board}/invites",
        {"invite-days": "7", "invite-max_uses": "", "invite-csrf_token": token},
        referer=f"{browser.base}{board}",
    )
    _status, _headers, page = browser.get(board)
    links = re.findall(r"<code[^>]*>([^<]*/join/[^<]*)</code>", page)
    assert links and all(link.startswith(f"{browser.base}/join/") for link in links), links


def test_the_app_works_under_a_sub_path(stack: Stack) -> None:
    browser = Browser(stack.sub_path)
    status, headers, _page = browser.get("/wengu")
    assert status == 301 and headers["Location"].endswith("/wengu/")
    status, headers, _page = browser.get("/wengu/")
    assert status == 302 and headers["Location"].startswith("/wengu/login")
    status, _headers, page = browser.get("/wengu/login")
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', page)
    assert stylesheet and stylesheet.group(1).startswith("/wengu/static/")
    assert browser.get(stylesheet.group(1))[0] == 200
    status, headers, _page = browser.sign_in("/wengu")
    assert status == 302 and headers["Location"] == "/wengu/", _page
    status, _headers, page = browser.get("/wengu/review/docker")
    assert status == 200
    next_url = re.search(r'data-url-next="([^"]+)"', page)
    assert next_url and next_url.group(1) == "/wengu/api/v1/review/next"
    assert 'data-url-login="/wengu/login"' in page
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token
    # The review page's first call, as review.js makes it from data-url-next.
    status, _headers, body = browser.request(
        "GET", f"{next_url.group(1)}?bank=docker", headers={"X-CSRFToken": token.group(1)}
    )
    assert status == 200 and '"card_id"' in body


def test_a_15_mb_upload_passes_with_the_documented_body_size(stack: Stack) -> None:
    archive = big_bank()
    assert 15_000_000 < len(archive) < 20 * 1024 * 1024
    refused = Browser(stack.default_body_size)
    refused.sign_in()
    status, _headers, page = upload(refused, archive)
    assert status == 413 and "nginx" in page  # nginx's own 1 MB, without the guide's line
    browser = Browser(stack.as_written)
    browser.sign_in()
    status, headers, page = upload(browser, archive)
    assert status == 302 and headers["Location"] == "/admin/banks", page[-2000:]
    assert "big: 4 added" in browser.get("/admin/banks")[2]


def test_a_forged_forwarded_for_does_not_escape_the_sign_in_limit(stack: Stack) -> None:
    """Run last in this module: it uses up the sign-in limit of 127.0.0.1."""
    browser = Browser(stack.as_written)
    statuses = []
    for n in range(12):
        token = browser.token("/login")
        status, _headers, _page = browser.post_form(
            "/login",
            {"name": "ann", "password": "wrong password", "csrf_token": token},
            referer=f"{browser.base}/login",
            forwarded_for=f"198.51.100.{n}",
        )
        statuses.append(status)
    assert 429 in statuses, statuses

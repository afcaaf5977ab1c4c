"""Rate limits under gunicorn with two workers, behind a proxy that sets X-Forwarded-For:
counted in the database without Redis, in Redis with it, and no 500 when Redis goes away."""

from __future__ import annotations

import http.client
import json
import re
import socket
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from models import User, db
from services.groups import create_group, create_invite
from tests.reliability.harness import Server
from tests.support import PASSWORD, make_user, redis_server

WRONG = "wrong guess"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


class Visitor:
    """One browser at one address (as the proxy reports it), with its own session cookie."""

    def __init__(self, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self.cookie = ""

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        headers = {"X-Forwarded-For": self.address}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            if value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, text

    def post_form(self, path: str, fields: dict[str, str]) -> int:
        status, page = self.request("GET", path)
        match = _CSRF.search(page)
        assert match, f"no form at {path}: {status}"
        return self.request("POST", path, {**fields, "csrf_token": match.group(1)})[0]

    def sign_in(self, name: str, password: str) -> int:
        return self.post_form("/login", {"name": name, "password": password})


def _invite(app: Flask) -> str:
    with app.app_context():
        owner = db.session.scalar(select(User).where(User.name == "ann"))
        group = create_group(db.session, owner, "Class 3b", [])
        invite = create_invite(db.session, group, owner, datetime.now(UTC), days=7, max_uses=None)
        db.session.commit()
        return invite.code


def _stop_redis(url: str) -> None:
    address = urlsplit(url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(b"SHUTDOWN NOSAVE\r\n")
        connection.recv(64)  # the server closes the connection as it exits


@pytest.mark.slow
@pytest.mark.parametrize("store", ["database", "redis"])
def test_limits_hold_across_two_workers(app: Flask, tmp_path: Path, store: str) -> None:
    make_user(app, "ann")
    make_user(app, "bob")
    code = _invite(app)
    database_url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    with ExitStack() as stack:
        server = Server(database_url, tmp_path, workers=2)
        server.env["WENGU_PROXY_FIX"] = "1"
        if store == "redis":
            redis_url = stack.enter_context(redis_server(tmp_path))
            server.env["WENGU_REDIS_URL"] = redis_url
        stack.enter_context(server)
        port = server.port

        # One address guessing, a new name each time: the address's own limit.
        one_address = Visitor(port, "127.0.4.1")
        guesses = [one_address.sign_in(f"guess{n}", WRONG) for n in range(31)]
        assert guesses == [200] * 30 + [429]

        # Eleven addresses, one guess each, against one account.
        many = [Visitor(port, f"127.0.5.{n}").sign_in("ANN", WRONG) for n in range(11)]
        assert many == [200] * 10 + [429]

        # Successful sign-ins count nowhere: bob signs in a dozen times from one address.
        bob = [Visitor(port, "127.0.6.1").sign_in("bob", PASSWORD) for _ in range(12)]
        assert bob == [302] * 12

        # A class joins from one school network within the minute.
        joins = [
            Visitor(port, "127.0.7.1").post_form(
                f"/join/{code}",
                {"name": f"pupil{n}", "password": PASSWORD, "confirm": PASSWORD},
            )
            for n in range(12)
        ]
        assert joins == [302] * 12

        # Two worker processes, each with its own memory, served these. Which one takes a
        # request is the kernel's choice (on a busy machine one may take them all); that two
        # processes count together is shown for certain by test_limits.py's
        # test_two_workers_count_together_in_the_database.
        booted = set(re.findall(r"Booting worker with pid: (\d+)", server.log()))
        assert len(booted) == 2, booted

        health = Visitor(port, "127.0.8.1").request("GET", "/healthz")
        assert health[0] == 200
        assert json.loads(health[1])["redis"] == ("ok" if store == "redis" else "not configured")

        if store == "redis":
            _stop_redis(redis_url)
            status, body = Visitor(port, "127.0.8.1").request("GET", "/healthz")
            assert status == 503 and json.loads(body)["redis"] == "unreachable"
            # Sign-in goes on, counted in the database: no 500, and the limit still holds.
            down = Visitor(port, "127.0.9.1")
            assert [down.sign_in(f"down{n}", WRONG) for n in range(31)] == [200] * 30 + [429]
            assert Visitor(port, "127.0.9.2").sign_in("bob", PASSWORD) == 302
            assert "counted in the database" in server.log()

"""The suite's watch for server errors: what it counts as one, and what it lets pass."""

from __future__ import annotations

import logging

import pytest

from tests.support import TracebackCollector, server_errors

GUNICORN_LOG = """\
[2026-12-01 22:00:00 +0000] [7] [INFO] Booting worker with pid: 7
127.0.0.1 - - [01/Dec/2026:22:00:01 +0000] "GET /healthz HTTP/1.1" 200 60 "-" "-"
127.0.0.1 - - [01/Dec/2026:22:00:01 +0000] "GET /healthz HTTP/1.1" 503 70 "-" "-"
127.0.0.1 - - [01/Dec/2026:22:00:02 +0000] "POST /login HTTP/1.1" 429 900 "-" "-"
[2026-12-01 22:00:03,000] ERROR in errors: unexpected error
Traceback (most recent call last):
  File "/srv/wengu/views/auth.py", line 1, in login
127.0.0.1 - - [01/Dec/2026:22:00:03 +0000] "POST /login HTTP/1.1" 500 900 "-" "-"
127.0.0.1 - - [01/Dec/2026:22:00:04 +0000] "GET /500 HTTP/1.1" 404 900 "-" "-"
"""


def test_tracebacks_and_500s_in_a_server_log_are_found() -> None:
    found = server_errors(GUNICORN_LOG)
    assert len(found) == 2
    assert found[0].startswith("Traceback") and "views/auth.py" in found[0]
    assert '"POST /login HTTP/1.1" 500' in found[1]


def test_a_quiet_log_has_no_errors() -> None:
    quiet = "\n".join(line for line in GUNICORN_LOG.splitlines() if "22:00:03" not in line)
    assert server_errors(quiet.replace("Traceback (most recent call last):", "")) == []


# The record below reaches the suite's own collector too: without the mark, this test fails.
@pytest.mark.server_errors
def test_records_with_a_traceback_are_collected_and_others_not() -> None:
    collector = TracebackCollector()
    logger = logging.getLogger("wengu.test_server_errors")
    logger.addHandler(collector)
    try:
        logger.error("a plain error line, no traceback")
        logger.error("Error on request:\nTraceback (most recent call last):\n  File ...")
        logger.warning("a warning")
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("unexpected error")
    finally:
        logger.removeHandler(collector)
    assert collector.seen == [
        "wengu.test_server_errors: Error on request:",
        "wengu.test_server_errors: unexpected error",
    ]

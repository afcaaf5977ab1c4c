"""Wengu behind a stale per-process queue: the fault ``test_two_processes.py`` must catch.

Each process keeps, per bearer token, the card ``GET /api/v1/review/next`` last gave, and
gives it again until an answer to that card reaches this same process. An answer that reaches
another process (another worker, another host) leaves it in place: the queue is the process's
own, not the database's. Served by gunicorn as ``tests.reliability.stale_queue:create_app()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from app import create_app as create_wengu

__all__ = ["StaleQueue", "create_app"]

NEXT = "/api/v1/review/next"
ANSWER = "/api/v1/review/"

StartResponse = Callable[..., Any]


class StaleQueue:
    """WSGI middleware keeping each learner's last next card in this process."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        # token -> (card id, status, headers, body) of the last next card this process gave
        self.kept: dict[str, tuple[int, str, list[tuple[str, str]], bytes]] = {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        learner = environ.get("HTTP_AUTHORIZATION", "")
        kept = self.kept.get(learner)
        if method == "POST" and kept is not None and path == f"{ANSWER}{kept[0]}":
            del self.kept[learner]  # answered here: dropped
        if method != "GET" or path != NEXT or not learner:
            return self.app(environ, start_response)
        if kept is not None:
            start_response(kept[1], kept[2])
            return [kept[3]]
        seen: list[Any] = []

        def keep_start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen[:] = [status, headers]
            return start_response(status, headers, *rest)

        reply = self.app(environ, keep_start)
        try:
            body = b"".join(reply)
        finally:
            getattr(reply, "close", lambda: None)()
        if seen and seen[0].startswith("200"):
            self.kept[learner] = (json.loads(body)["card_id"], seen[0], seen[1], body)
        return [body]


def create_app() -> StaleQueue:
    return StaleQueue(create_wengu())

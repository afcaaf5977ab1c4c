"""Measure 6: the review page's bytes on first load and per card, each against the page's
requests before issue 22 replayed in the same run (the first cards it asked for, and an
answer that asked for the next card and three ahead every time): the target is those or
fewer. The page's files are today's for both: they grew by 181 bytes (schedule.js) since."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

from bench.measures.common import Measure, fmt_bytes, verdict
from bench.measures.database import Learner
from bench.measures.stats import signed_in_client

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what a browser sends


def _decoded(response: Any) -> bytes:
    """The body of ``response`` uncompressed."""
    import zlib

    data: bytes = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "deflate":
        return zlib.decompress(data)
    if encoding == "br":
        import brotli

        return bytes(brotli.decompress(data))
    return data


def _sizes(response: Any) -> tuple[int, int, str]:
    """Bytes as served (compressed if the app compressed them), bytes uncompressed, and the
    encoding."""
    encoding = response.headers.get("Content-Encoding", "") or "identity"
    return len(response.get_data()), len(_decoded(response)), encoding


# The page's protocol (static/js/review/schedule.js): the first request asks for FIRST cards
# beyond the one shown; an answer asks for AHEAD only when LOW or fewer are left in
# hand, and what comes back replaces the hand. Before issue 22 the page asked for the next
# card and 3 ahead with every answer: the baseline, replayed in the same run.
PAGE_NOW = {"first": 3, "ahead": 5, "low": 2}
PAGE_BEFORE = {"first": 3, "ahead": 3, "low": None}
ANSWERS = 15
_STUDY = ("served", "raw", "requests", "answers")


def _study(
    client: Any, asks: dict[str, str], bank_id: str, first: int, ahead: int, low: int | None
):
    """Replay ``ANSWERS`` answers as the page sends them; the bytes sent and received per
    answer (served, uncompressed), and the requests it took."""
    begun = client.get(f"/api/v1/review/next?bank={bank_id}&ahead={first}", headers=BROWSER)
    assert begun.status_code == 200, begun.status_code
    payload = json.loads(_decoded(begun))
    hand = [payload, *payload.pop("ahead", [])]
    served = raw = requests = answers = 0
    shown = hand.pop(0)
    while shown and answers < ANSWERS:
        refill = low is None or len(hand) - 1 <= low  # the next card is shown from the hand
        body = {"rating": 3, "review_token": shown["review_token"], "elapsed_ms": 5000}
        if refill:
            body |= {"next": True, "ahead": ahead, "bank": bank_id}
        sent = json.dumps(body).encode()
        answered = client.post(
            f"/api/v1/review/{shown['card_id']}",
            data=sent,
            headers=asks | {"Content-Type": "application/json"},
        )
        assert answered.status_code == 200, (answered.status_code, _decoded(answered)[:200])
        size, full, _ = _sizes(answered)
        served, raw, requests, answers = (
            served + len(sent) + size,
            raw + len(sent) + full,
            requests + 1,
            answers + 1,
        )
        if refill:
            following = json.loads(_decoded(answered)).get("next")
            hand = [following, *following.pop("ahead", [])] if following else []
        shown = hand.pop(0) if hand else None
    return served / max(answers, 1), raw / max(answers, 1), requests, answers


def measure_bytes(app: Any, learner: Learner) -> list[Measure]:
    bank_id = learner.main_bank
    client = signed_in_client(app, learner.id)
    page = client.get(f"/review/{bank_id}", headers=BROWSER)
    assert page.status_code == 200, page.status_code
    parts = {f"/review/{bank_id}": _sizes(page)}
    html = _decoded(page)
    for path in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        asset = client.get(path.decode(), headers=BROWSER)
        parts[path.decode()] = _sizes(asset)
    # The first cards, as the page asks for them now and as it asked before.
    first = {
        name: _sizes(client.get(f"/api/v1/review/next?bank={bank_id}&ahead={asked['first']}",
                                headers=BROWSER))
        for name, asked in (("now", PAGE_NOW), ("before", PAGE_BEFORE))
    }  # fmt: skip
    # As the page asks: its session, and its CSRF token on every request that writes.
    csrf = re.search(rb'<meta name="csrf-token" content="([^"]+)"', html)
    assert csrf, "the review page carries no CSRF token"
    asks = BROWSER | {"X-CSRFToken": csrf[1].decode()}
    before = _study(client, asks, bank_id, **PAGE_BEFORE)
    now = _study(client, asks, bank_id, **PAGE_NOW)
    served = sum(x[0] for x in parts.values()) + first["now"][0]
    raw = sum(x[1] for x in parts.values()) + first["now"][1]
    served_before = served - first["now"][0] + first["before"][0]
    raw_before = raw - first["now"][1] + first["before"][1]
    detail = {name: dict(zip(("served", "raw", "encoding"), x, strict=True))
              for name, x in (parts | {"first cards": first["now"]}).items()}  # fmt: skip
    encodings = sorted({x[2] for x in parts.values()})
    # Judged on the bytes uncompressed: the cards' review tokens are random, so the same
    # cards compress a few bytes apart from one request to the next.
    first_met = raw <= raw_before
    card_met = now[3] > 0 and now[0] <= before[0] and now[1] <= before[1]
    return [
        Measure(6, "Review page, first load (HTML, CSS, JS, icon, first cards)",
                f"{fmt_bytes(served)} served ({', '.join(encodings)}), "
                f"{fmt_bytes(raw)} uncompressed",
                f"the page's first request before: {fmt_bytes(served_before)} served, "
                f"{fmt_bytes(raw_before)} uncompressed",
                f"{served / served_before:.2f}× / {raw / raw_before:.2f}× before",
                "≤ the page before", verdict(first_met),
                {"served": served, "raw": raw, "parts": detail,
                 "before": {"served": served_before, "raw": raw_before}}),
        Measure(6, f"Review page, per card after ({now[3]} answers as the page sends them: "
                   f"{now[2]} requests)",
                f"{fmt_bytes(round(now[0]))} served, {fmt_bytes(round(now[1]))} uncompressed",
                f"the page before: {fmt_bytes(round(before[0]))} served, "
                f"{fmt_bytes(round(before[1]))} uncompressed ({before[2]} requests)",
                f"{now[0] / max(before[0], 1):.2f}× / {now[1] / max(before[1], 1):.2f}× before",
                "≤ the page before", verdict(card_met),
                {"now": dict(zip(_STUDY, now, strict=True)),
                 "before": dict(zip(_STUDY, before, strict=True))}),
    ]  # fmt: skip

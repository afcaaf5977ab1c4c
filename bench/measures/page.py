"""Measure 6: the review page's bytes on first load and per card, against the figures
recorded in bench/README.md's reference run of 2026-11-27: the target is those or fewer."""

from __future__ import annotations

import gzip
import json
import re
from typing import Any

from bench.measures.common import Measure, fmt_bytes, verdict
from bench.measures.database import Learner
from bench.measures.stats import signed_in_client

BROWSER = {"Accept-Encoding": "gzip, deflate, br"}  # what a browser sends
# The recorded figures (bench/README.md, 2026-11-27), in KB of 1,024 bytes as the table prints
# them: (served, uncompressed) on first load, and per card after.
RECORDED = "2026-11-27"
FIRST_LOAD_KB = (22.8, 84.2)
PER_CARD_KB = (0.6, 0.9)


def _kb(count: int) -> float:
    """``count`` bytes in KB as the table prints them (to 0.1 KB), so that the same page
    compares equal to its recorded figure."""
    return round(count / 1024, 1)


def _against(served: int, raw: int, recorded: tuple[float, float]) -> tuple[str, str, bool]:
    """The ratio cell, the target cell (unchanged or smaller: the recorded figures), and
    whether neither size grew."""
    ratio = f"{_kb(served) / recorded[0]:.2f}× / {_kb(raw) / recorded[1]:.2f}× recorded"
    target = f"≤ {recorded[0]} KB served, ≤ {recorded[1]} KB uncompressed"
    return ratio, target, _kb(served) <= recorded[0] and _kb(raw) <= recorded[1]


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


def measure_bytes(app: Any, learner: Learner) -> list[Measure]:
    from models import User, db
    from services.accounts import issue_token

    bank_id = learner.main_bank
    with app.app_context():
        token = issue_token(db.session, db.session.get_one(User, learner.id))
        db.session.commit()
        db.session.remove()
    client = signed_in_client(app, learner.id)
    page = client.get(f"/review/{bank_id}", headers=BROWSER)
    assert page.status_code == 200, page.status_code
    parts = {f"/review/{bank_id}": _sizes(page)}
    html = _decoded(page)
    for path in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        asset = client.get(path.decode(), headers=BROWSER)
        parts[path.decode()] = _sizes(asset)
    bearer = {"Authorization": f"Bearer {token}"} | BROWSER
    first = client.get(f"/api/v1/review/next?bank={bank_id}", headers=bearer)
    parts["GET /api/v1/review/next (the first card)"] = _sizes(first)
    per_card: list[dict[str, Any]] = []
    card = json.loads(_decoded(first)) if first.status_code == 200 else None
    for _ in range(5):  # the page answers with "next": true and shows the card it gets back
        if not card:
            break
        body = json.dumps(
            {
                "rating": 3,
                "review_token": card["review_token"],
                "elapsed_ms": 5000,
                "next": True,
                "bank": bank_id,
            }
        ).encode()
        answered = client.post(
            f"/api/v1/review/{card['card_id']}",
            data=body,
            headers=bearer | {"Content-Type": "application/json"},
        )
        served, raw, encoding = _sizes(answered)
        per_card.append({"request": len(body), "served": served, "raw": raw, "encoding": encoding})
        card = json.loads(_decoded(answered)).get("next")
    served = sum(x[0] for x in parts.values())
    raw = sum(x[1] for x in parts.values())
    card_served = max((c["request"] + c["served"] for c in per_card), default=0)
    card_raw = max((c["request"] + c["raw"] for c in per_card), default=0)
    detail = {name: dict(zip(("served", "raw", "encoding"), x, strict=True))
              for name, x in parts.items()}  # fmt: skip
    encodings = sorted({x[2] for x in parts.values()})
    first_ratio, first_target, first_met = _against(served, raw, FIRST_LOAD_KB)
    card_ratio, card_target, card_met = _against(card_served, card_raw, PER_CARD_KB)
    baseline = f"recorded in bench/README.md ({RECORDED})"
    return [
        Measure(6, "Review page, first load (HTML, CSS, JS, icon, first card)",
                f"{fmt_bytes(served)} served ({', '.join(encodings)}), "
                f"{fmt_bytes(raw)} uncompressed", baseline, first_ratio, first_target,
                verdict(first_met), {"served": served, "raw": raw, "parts": detail}),
        Measure(6, f"Review page, per card after (largest of {len(per_card)}, request and answer)",
                f"{fmt_bytes(card_served)} served, {fmt_bytes(card_raw)} uncompressed",
                baseline, card_ratio, card_target, verdict(bool(per_card) and card_met),
                {"per_card": per_card}),
    ]  # fmt: skip

"""Measure 6: the review page's bytes on first load and per card, against the targets."""

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
    return [
        Measure(6, "Review page, first load (HTML, CSS, JS, icon, first card)",
                f"{fmt_bytes(served)} served ({', '.join(encodings)}), "
                f"{fmt_bytes(raw)} uncompressed", "target", "", "≤ 100 KB",
                verdict(served <= 100 * 1024), {"served": served, "raw": raw, "parts": detail}),
        Measure(6, f"Review page, per card after (largest of {len(per_card)}, request and answer)",
                f"{fmt_bytes(card_served)} served, {fmt_bytes(card_raw)} uncompressed",
                "target", "", "≤ 5 KB", verdict(bool(per_card) and card_served <= 5 * 1024),
                {"per_card": per_card}),
    ]  # fmt: skip

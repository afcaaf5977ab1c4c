"""The JSON API fuzzed with schemathesis from its own OpenAPI document.

Every operation of ``/api/v1/openapi.json`` gets requests generated from the document, valid
and not, sent with a learner's bearer token to an app holding a bank that learner studies
(with cards, reviews and a suspended card). Every response must be no 5xx, carry a status
the document lists, and match the document's schema for it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import select

from models import User, db
from models.types import now_utc
from services.accounts import issue_token
from services.answers import answer, set_suspended
from services.bank_import import import_bank
from services.context import Study
from services.queue import next_card
from srs.scheduler import Rating
from srs.sources import load_bank
from tests.support import make_user
from views.openapi import OPENAPI

# Examples per operation: nine operations in a minute or two on a busy machine.
EXAMPLES = 100

BANK = """\
id: x
title: X
sections:
  - {id: s, title: S}
questions:
  - {id: q1, type: basic, section: s, tags: [t], prompt: p1, answer: a1}
  - {id: q2, type: choice, prompt: p2, choices: [a, b, c], correct: [0, 2]}
  - {id: q3, type: cloze, text: "{{c1::x}} and {{c2::y::hint}}"}
  - {id: q4, type: order, prompt: p4, items: [one, two, three]}
  - {id: q5, type: typing, prompt: p5, answer: a5, accept: [b5]}
  - {id: q6, type: truefalse, prompt: p6, correct: false}
  - {id: q7, type: reverse, prompt: p7, answer: a7}
"""


@pytest.fixture
def token(app: Flask, tmp_path) -> str:
    """Bob's bearer token; bob studies bank x and has answered and suspended some cards."""
    path = tmp_path / "x.yaml"
    path.write_text(BANK)
    make_user(app, "bob")
    make_user(app, "eve")  # someone else, whose cards bob must not reach
    with app.app_context():
        session = db.session
        import_bank(session, load_bank(path))
        users = {u.name: u for u in session.scalars(select(User))}
        now = now_utc() - timedelta(days=3)
        for name in ("eve", "bob"):
            for rating in (Rating.GOOD, Rating.AGAIN, Rating.EASY):
                card, _ = next_card(Study.at(session, users[name], now), ["x"])
                assert card is not None
                answer(Study.at(session, users[name], now), card, rating, elapsed_ms=1000)
                now += timedelta(minutes=1)
        card, _ = next_card(Study.at(session, users["bob"], now), ["x"])
        assert card is not None
        set_suspended(card, True)
        value = issue_token(session, users["bob"])
        session.commit()
    return value


OPERATIONS = [
    (path, method.upper()) for path, methods in OPENAPI["paths"].items() for method in methods
]


@pytest.mark.slow
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_the_api_keeps_to_its_description(app: Flask, token: str, path: str, method: str) -> None:
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)[path][method]
    # Uncompressed: the in-process client does not undo Brotli as a browser would.
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}

    @given(operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def fuzz(case: schemathesis.Case) -> None:
        # Every check but one: a request the document allows may still be refused with a
        # documented 4xx (a practice session without a bank, a review token from another card),
        # which OpenAPI cannot express.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    fuzz()

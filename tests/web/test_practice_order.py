"""An extra study session's order: weakest first, and two cards of one question apart."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from models import User, db
from services.bank_import import import_bank
from services.context import Study
from services.practice import SIBLINGS_APART, Practice, practice_cards
from srs.sources import load_bank
from tests.support import make_user

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# A diagram's three labels are three cards: each shows the two others' labels, which the next
# would ask. A cloze of three blanks stands in for it here.
BANK = """
    id: p
    title: P
    sections: [{id: s, title: S}]
    questions:
      - {id: z, type: cloze, section: s, text: "{{c1::dockerd}} {{c2::containerd}} {{c3::runc}}"}
      - {id: a, type: basic, section: s, prompt: pa, answer: aa}
      - {id: b, type: basic, section: s, prompt: pb, answer: ab}
      - {id: c, type: basic, section: s, prompt: pc, answer: ac}
      - {id: d, type: basic, section: s, prompt: pd, answer: ad}
      - {id: e, type: basic, section: s, prompt: pe, answer: ae}
      - {id: f, type: basic, section: s, prompt: pf, answer: af}
"""


def session_order(app: Flask, write_bank, bank: str) -> list[str]:
    user_id = make_user(app, "ann")
    with app.app_context():
        import_bank(db.session, load_bank(write_bank("p", {"bank.yaml": bank})))
        cards = practice_cards(
            Study.at(db.session, db.session.get_one(User, user_id), NOW), "p", Practice(section="s")
        )
        return [f"{card.question.key}{card.ordinal}" for card in cards]


def test_cards_of_one_question_come_apart_in_a_practice_session(app: Flask, write_bank) -> None:
    assert SIBLINGS_APART == 3
    assert session_order(app, write_bank, BANK) == [
        "z1", "a0", "b0", "c0", "z2", "d0", "e0", "f0", "z3",
    ]  # fmt: skip


def test_cards_of_one_question_with_nothing_to_part_them_keep_their_order(
    app: Flask, write_bank
) -> None:
    alone = BANK.split("      - {id: a")[0]
    assert session_order(app, write_bank, alone) == ["z1", "z2", "z3"]

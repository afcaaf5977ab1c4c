"""Today's study: what is due per bank, and the review page."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from models import db
from models.study import bank_counts, study_banks
from models.types import now_utc

bp = Blueprint("review", __name__)


@bp.get("/")
@login_required
def today() -> str:
    """Each bank the learner studies, with what is left today."""
    now = now_utc()
    banks = study_banks(db.session, current_user)
    rows = [(bank, bank_counts(db.session, current_user, bank.id, now)) for bank in banks]
    return render_template("review/today.html", rows=rows)


@bp.get("/review/<bank_id>")
@login_required
def review(bank_id: str) -> str:
    """The review page: cards come from the API, one at a time, without reloading."""
    bank = next((b for b in study_banks(db.session, current_user) if b.id == bank_id), None)
    if bank is None:
        abort(404, description=f"You study no bank '{bank_id}'.")
    return render_template("review/review.html", bank=bank)

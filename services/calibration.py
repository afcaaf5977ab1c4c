"""How good a learner's schedule is (``srs.calibration``), from their review log.

The whole log is read and replayed: some 1.3 s for 55,000 reviews on SQLite (the study day
of each review, fsrs-rs's evaluation and memory states, the rows read). The result is kept
(in each process) until the log, the parameters or the learner's day change, so that the
next visit costs one small query (some 20 ms). One entry is kept for each learner and set of
banks (a newer log replaces it), at most :data:`KEPT` of them, the least recently asked
going first: no learner can push out everyone else's.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.card import Review
from models.user import User
from srs.calibration import Calibration, calibration
from srs.optimize import LoggedReview

__all__ = ["KEPT", "learner_calibration"]

KEPT = 256  # a kilobyte or so each
# (learner, banks) -> (parameters, zone, rollover hour, reviews, last review id), result
_Version = tuple[tuple[float, ...], str, int, int, int]
_KEPT: OrderedDict[tuple[int, tuple[str, ...]], tuple[_Version, Calibration]] = OrderedDict()
_KEPT_LOCK = threading.Lock()


def learner_calibration(
    session: Session, user: User, bank_ids: list[str], reviews: int | None = None
) -> Calibration:
    """How well the parameters ``user`` schedules with predicted their answers in
    ``bank_ids``.

    ``reviews``, when the caller has counted the learner's reviews in ``bank_ids`` already
    (the statistics sum them from the kept days), spares counting the log again: the kept
    result is then checked against that count and the newest review, read from the index
    on time. A review taken back or deleted changes the count; a new one, the newest.
    """
    mine = (Review.user_id == user.id, Review.bank_id.in_(bank_ids))
    if reviews is None:
        count, last = session.execute(select(func.count(), func.max(Review.id)).where(*mine)).one()
    else:
        count, last = (
            reviews,
            session.scalar(
                select(Review.id)
                .where(*mine)
                .order_by(Review.reviewed_at.desc(), Review.id.desc())
                .limit(1)
            ),
        )
    parameters = tuple(user.fsrs_parameters or ())
    key = (user.id, tuple(sorted(bank_ids)))
    version = (parameters, user.timezone, user.rollover_hour, count, last or 0)
    with _KEPT_LOCK:
        kept = _KEPT.get(key)
        if kept is not None and kept[0] == version:
            _KEPT.move_to_end(key)
            return kept[1]
    log = [
        LoggedReview(*row)
        for row in session.execute(
            select(Review.card_id, Review.reviewed_at, Review.rating, Review.state_before).where(
                *mine
            )
        )
    ]
    result = calibration(log, user.timezone, user.rollover_hour, parameters or None)
    with _KEPT_LOCK:
        _KEPT[key] = (version, result)
        _KEPT.move_to_end(key)
        while len(_KEPT) > KEPT:
            _KEPT.popitem(last=False)
    return result

"""The JSON API under /api/v1: the review loop, the review log, card actions, settings.

A session cookie or ``Authorization: Bearer TOKEN`` authenticates. Requests made with the
session cookie carry the CSRF token in ``X-CSRFToken``; bearer requests need none, since no
browser sends a bearer token by itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from flask import Blueprint, Flask, Response, g, jsonify, request
from flask_login import current_user, user_loaded_from_request
from werkzeug.exceptions import HTTPException

from extensions import csrf
from models import Bank, Card, Review, User, db
from models.types import MAX_ID, now_utc
from services.answers import (
    Answered,
    answer,
    bury,
    read_answer_card,
    review_log,
    set_suspended,
    unbury,
    undo_last,
)
from services.calibration import learner_calibration
from services.conflict import committed
from services.context import Study
from services.driver import Record
from services.load import DueLoad
from services.notes import passage_of
from services.practice import Practice, practice_cards
from services.queue import (
    bank_counts_many,
    cards_ahead,
    learning_comes_back,
    next_card,
    next_card_with_load,
    study_bank_ids,
)
from services.retention import retention_advice
from services.settings import SettingsError, TooManyKeysError, change_settings, settings_of
from services.stats import learner_stats
from srs.numbers import parse_whole_number
from srs.scheduler import NEW, STATE_NAMES, Rating
from srs.study import Counts
from views.cards import card_payload, passage_payload, shown_question, token_card_id
from views.inputs import request_int
from views.openapi import OPENAPI
from views.retention import mark_simulated, simulation_limit

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_ELAPSED_MS = 10 * 60 * 1000
MAX_AHEAD = 10  # cards a client may keep in hand beyond the next one
MAX_EXCLUDE = 1000  # card ids a practice session sends back as seen
REVIEWS_PAGE = 5000


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@bp.errorhandler(ApiError)
def api_error(error: ApiError) -> tuple[Response, int]:
    return jsonify(error=error.message), error.status


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[Response, int]:
    return jsonify(error=error.description or error.name), error.code or 500


@user_loaded_from_request.connect
def _bearer_signed_in(_app: Flask, **_extra: Any) -> None:
    # Flask-Login tells this only when the request loader (a valid bearer token), not the
    # session cookie, found the user.
    g.bearer_user = True


@bp.before_request
def authenticate() -> None:
    """Every endpoint but the description needs a user; requests that a bearer token did
    not authenticate need CSRF (any other ``Authorization`` header, junk included, does
    not spare a session cookie the check)."""
    if request.endpoint == "api.openapi":
        return
    if not current_user.is_authenticated:
        raise ApiError(401, "sign in, or send Authorization: Bearer TOKEN")
    if request.method not in ("GET", "HEAD", "OPTIONS") and not g.get("bearer_user"):
        csrf.protect()


def _user() -> User:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "send a JSON object")
    return body


def _bank_ids(user: User) -> list[str]:
    ids = study_bank_ids(db.session, user)
    wanted = request.args.get("bank")
    if wanted is None:
        return ids
    if wanted not in ids:
        raise ApiError(404, f"you study no bank '{wanted}'")
    return [wanted]


def _owned_card(card_id: int, user: User) -> Card:
    card = db.session.get(Card, card_id)
    if card is None or card.user_id != user.id:
        raise ApiError(404, f"no card {card_id}")
    return card


def _next_payload(
    user: User, now: datetime, bank_ids: list[str], ahead: int = 0
) -> dict[str, Any] | None:
    """The next card, with ``ahead`` cards that would follow it when asked for."""

    def pick() -> tuple[list[Card], dict[str, Counts], DueLoad, list[Record]] | None:
        study = Study.at(db.session, user, now)
        card, counts, kept = next_card_with_load(study, bank_ids)
        if card is None:
            return None
        cards = [card, *(cards_ahead(study, bank_ids, card, ahead, counts) if ahead else [])]
        load = DueLoad(db.session, user, now, kept).read()  # kept now
        return cards, counts, load, [shown_question(c, user) for c in cards]

    # New cards may be made, the kept queue and load written (here or by another request at
    # once). The payloads are built after the commit from what was read before it: a writer
    # on SQLite waits for no rendering; the cards picked, unwritten, stay as read.
    picked = committed(db.session, pick, expire=False)
    if picked is None:
        return None
    cards, counts, load, questions = picked
    shown = counts[cards[0].bank_id] if len(bank_ids) == 1 else sum(counts.values(), Counts())
    payload, *later = (
        card_payload(c, user, now, shown, load, q) for c, q in zip(cards, questions, strict=True)
    )
    if ahead:
        payload["ahead"] = later
    return payload


def _ahead(value: int | None, status: int) -> int:
    """How many cards to send beyond the next one: 0 unless asked, at most MAX_AHEAD."""
    if value is None:
        return 0
    if not 0 <= value <= MAX_AHEAD:
        raise ApiError(status, f"'ahead' must be a whole number from 0 to {MAX_AHEAD}")
    return value


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description of this API."""
    return jsonify(OPENAPI)


def _practice_payload(user: User, now: datetime, bank_ids: list[str]) -> dict[str, Any] | None:
    """The next card of an extra study session: outside the schedule, weakest first."""
    if request.args.get("bank") is None:
        raise ApiError(400, "practice needs one bank: add bank=ID")
    try:
        practice = Practice.parse(request.args["practice"])
    except ValueError as error:
        raise ApiError(400, str(error)) from None
    try:
        seen = {
            parse_whole_number(i.strip(), 1, MAX_ID)
            for i in request.args.get("exclude", "").split(",")[:MAX_EXCLUDE]
            if i.strip()
        }
    except ValueError:
        raise ApiError(400, "'exclude' is a comma-separated list of card ids") from None
    # Cards never studied are made for the session.
    found = committed(
        db.session, lambda: practice_cards(Study.at(db.session, user, now), bank_ids[0], practice)
    )
    cards = [c for c in found if c.id not in seen]
    if not cards:
        return None
    new = sum(1 for card in cards if card.state == NEW)
    payload = card_payload(cards[0], user, now, Counts(new=new, review=len(cards) - new))
    payload["practice"] = True
    return payload


@bp.get("/review/next")
def review_next() -> Response | tuple[str, int]:
    """The next card due for the caller, or 204 when nothing is due.

    With ``ahead=N`` (up to 10), the cards that would follow it too, in ``ahead``: a client
    keeps them to go on reviewing while its connection is down. With
    ``practice=section:ID|tag:NAME|forgotten:DAYS`` (and ``bank``), the next card of an extra
    study session instead, skipping the card ids in ``exclude``.
    """
    user = _user()
    if "practice" in request.args:
        payload = _practice_payload(user, now_utc(), _bank_ids(user))
    else:
        ahead = request_int("ahead", 0, 0, MAX_AHEAD) or 0
        payload = _next_payload(user, now_utc(), _bank_ids(user), ahead)
    if payload is None:
        return "", 204
    return jsonify(payload)


@bp.get("/review/today")
def review_today() -> Response:
    """What is left today for the caller in one bank (``bank``) or all, and when the first
    learning card left comes back: what a page says once nothing is due now."""
    user = _user()
    bank_ids = _bank_ids(user)
    study = Study.at(db.session, user, now_utc())
    counts = sum(bank_counts_many(study, bank_ids).values(), Counts())
    comes_back = learning_comes_back(study, bank_ids).values()
    first = min(comes_back, default=None)
    return jsonify(
        counts=counts.to_dict(), learning_due=first.isoformat() if first is not None else None
    )


def _answer_result(answered: Answered, card_id: int) -> dict[str, Any]:
    review = answered.review
    return {
        "card_id": card_id,
        "review_id": review.id,
        "rating": review.rating,
        "reviewed_at": review.reviewed_at.isoformat(),
        "due": review.due_after.isoformat(),
        "interval_seconds": int((review.due_after - review.reviewed_at).total_seconds()),
        "state": STATE_NAMES[review.state_after],
        "repeated": answered.repeated,
    }


def _int_field(body: dict[str, Any], name: str) -> int | None:
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApiError(422, f"'{name}' must be a whole number")
    return value


@bp.post("/review/<int:card_id>")
def review_answer(card_id: int) -> Response:
    """Answer a card with a rating; the same review_token twice counts once."""
    user = _user()
    # Ownership first, whatever else is wrong: the card and its question's cards, one read.
    card = read_answer_card(db.session, card_id, user.id) if card_id <= MAX_ID else None
    if card is None:
        raise ApiError(404, f"no card {card_id}")
    body = _body()
    rating = _int_field(body, "rating")
    if rating not in (1, 2, 3, 4):
        raise ApiError(422, "'rating' must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)")
    token = body.get("review_token")
    if not isinstance(token, str) or not token:
        raise ApiError(400, "'review_token' is required: take it from /review/next")
    if token_card_id(token) != card.id:
        raise ApiError(422, "'review_token' was not issued for this card")
    elapsed = _int_field(body, "elapsed_ms")
    if elapsed is not None and elapsed < 0:
        raise ApiError(422, "'elapsed_ms' may not be negative")
    correct = body.get("correct")
    if correct is not None and not isinstance(correct, bool):
        raise ApiError(422, "'correct' must be true or false")
    ahead = _ahead(_int_field(body, "ahead"), 422)
    if card.retired:
        raise ApiError(409, "this card's question was retired from its bank")
    first = [card]

    def answered() -> dict[str, Any]:
        # Run again if another request changed the card first: the answer then applies to
        # the card as it now is. The result is built before the commit.
        current = first.pop() if first else read_answer_card(db.session, card_id, user.id)
        if current is None:
            raise ApiError(404, f"no card {card_id}")
        return _answer_result(
            answer(
                Study.at(db.session, user, now_utc()),
                current,
                Rating(rating),
                elapsed_ms=None if elapsed is None else min(elapsed, MAX_ELAPSED_MS),
                correct=correct,
                review_token=token,
            ),
            card_id,
        )

    # The answer writes rows, not objects: the learner loaded stays as it was, unread again
    # by the next card's pick below.
    result = committed(db.session, answered, expire=False)
    if body.get("next"):
        bank = body.get("bank")
        bank_ids = study_bank_ids(db.session, user)
        if isinstance(bank, str) and bank in bank_ids:
            bank_ids = [bank]
        result["next"] = _next_payload(user, now_utc(), bank_ids, ahead)
    return jsonify(result)


@bp.post("/review/undo")
def review_undo() -> Response:
    """Take back the caller's last answer and return that card as it was."""
    user = _user()
    card = committed(db.session, lambda: undo_last(db.session, user))
    if card is None:
        raise ApiError(409, "nothing to undo")
    now = now_utc()
    _, counts = committed(
        db.session, lambda: next_card(Study.at(db.session, user, now), [card.bank_id])
    )
    return jsonify(card_payload(card, user, now, counts[card.bank_id]))


def _since() -> datetime | None:
    text = request.args.get("since")
    if text is None:
        return None
    try:
        # An unencoded '+' in a query string arrives as a space.
        moment = datetime.fromisoformat(text.replace(" ", "+").replace("Z", "+00:00"))
        # In UTC here, where a time at the edge of the calendar (year 1 at +23:59) can
        # still be refused, rather than in the database driver.
        utc = timezone.utc
        return moment.astimezone(utc) if moment.tzinfo else moment.replace(tzinfo=utc)
    except (ValueError, OverflowError):
        raise ApiError(400, f"'since' must be an ISO 8601 time, not '{text}'") from None


def _after_id() -> int | None:
    text = request.args.get("after_id")
    if text is None:
        return None
    try:
        # Past every id either way is the same answer: an id of any length is clamped.
        digits = text.lstrip("-").lstrip("0") or "0"
        if len(digits) > len(str(MAX_ID)):
            return MAX_ID if not text.startswith("-") else -MAX_ID
        return parse_whole_number(text, -MAX_ID, MAX_ID)
    except ValueError:
        raise ApiError(400, f"'after_id' must be a review id, not '{text}'") from None


@bp.get("/reviews")
def reviews() -> Response:
    """The caller's review log, oldest first, from ``since``; after ``after_id``, in the
    order the answers were logged (by id)."""
    user = _user()
    query = review_log(user.id).limit(REVIEWS_PAGE)
    since = _since()
    if since is not None:
        query = query.where(Review.reviewed_at >= since)
    after_id = _after_id()
    if after_id is not None:
        # In the order logged: answers at once may be logged out of their times' order.
        query = query.where(Review.id > after_id).order_by(None).order_by(Review.id)
    rows = db.session.execute(query).all()
    return jsonify(
        [
            {
                "id": review.id,
                "card_id": review.card_id,
                "bank": review.bank_id,
                "question": key,
                "ordinal": ordinal,
                "reviewed_at": review.reviewed_at.isoformat(),
                "rating": review.rating,
                "elapsed_ms": review.elapsed_ms,
                "correct": review.correct,
                "state_before": STATE_NAMES[review.state_before],
                "state_after": STATE_NAMES[review.state_after],
                "due_after": review.due_after.isoformat(),
            }
            for review, key, ordinal in rows
        ]
    )


@bp.get("/stats")
def stats() -> Response:
    """The caller's statistics over one bank (``bank``) or all they study."""
    user = _user()
    bank_ids = _bank_ids(user)
    result = learner_stats(Study.at(db.session, user, now_utc()), bank_ids)
    calibration = learner_calibration(db.session, user, bank_ids, result.reviews)
    db.session.commit()  # the study days summed for the first time are kept
    return jsonify(result.to_dict() | {"calibration": calibration.to_dict()})


@bp.get("/retention")
@simulation_limit
def retention() -> Response:
    """The caller's "help me decide": a year simulated at several desired retentions (a few
    simulations a minute: views.retention.SIMULATION_LIMIT)."""
    return jsonify(retention_advice(db.session, _user(), mark_simulated).to_dict())


def _card_state(card: Card) -> Response:
    return jsonify(
        card_id=card.id,
        suspended=card.suspended,
        buried_until=card.buried_until.isoformat() if card.buried_until else None,
    )


def _change_card(card_id: int, change: Callable[[Card, User], None]) -> Response:
    """Change one of the caller's cards; again if an answer changed it meanwhile."""
    user = _user()
    card = _owned_card(card_id, user)
    committed(db.session, lambda: change(card, user))
    return _card_state(card)


@bp.post("/cards/<int:card_id>/suspend")
def card_suspend(card_id: int) -> Response:
    """Suspend a card: it leaves the queue until unsuspended."""
    return _change_card(card_id, lambda card, _: set_suspended(card, True))


@bp.post("/cards/<int:card_id>/unsuspend")
def card_unsuspend(card_id: int) -> Response:
    """Put a suspended card back in the queue."""
    return _change_card(card_id, lambda card, _: set_suspended(card, False))


@bp.post("/cards/<int:card_id>/bury")
def card_bury(card_id: int) -> Response:
    """Hide a card until the caller's next study day."""
    return _change_card(
        card_id, lambda card, user: bury(Study.at(db.session, user, now_utc()), card)
    )


@bp.post("/cards/<int:card_id>/unbury")
def card_unbury(card_id: int) -> Response:
    """Show a buried card again today."""
    return _change_card(card_id, lambda card, _: unbury(card))


@bp.get("/settings")
def settings() -> Response:
    """The caller's study settings: steps as Anki writes them, ``day_starts_at`` an hour
    0–23 in their time zone, ``easy_days`` seven fractions of a normal day, Monday first."""
    return jsonify(settings_of(_user()))


@bp.put("/settings")
def change() -> Response | tuple[Response, int]:
    """Change the settings sent, all or none, by the settings page's rules, and return
    them all; 422 names each setting refused, with the page's message for it, and 400
    refuses more keys than a change of settings could hold before reading any."""
    user = _user()
    try:
        change_settings(db.session, user, _body(), now_utc())
    except TooManyKeysError as error:
        raise ApiError(400, str(error)) from None
    except SettingsError as error:
        return jsonify(error=str(error), errors=error.errors), 422
    db.session.commit()
    return jsonify(settings_of(user))


@bp.get("/banks/<bank_id>/passage")
def passage(bank_id: str) -> Response:
    """The passage of a bank's notes that ``ref`` names, rendered."""
    user = _user()
    bank = db.session.get(Bank, bank_id)
    if bank is None or (bank.hidden and not user.is_admin):
        raise ApiError(404, f"no bank '{bank_id}'")
    ref = request.args.get("ref", "")
    found = passage_of(db.session, bank_id, ref) if ref else None
    if found is None:
        raise ApiError(404, f"no passage '{ref}' in the notes of bank '{bank_id}'")
    payload = passage_payload(bank_id, found)
    if payload is None:
        raise ApiError(422, f"the passage '{ref}' of bank '{bank_id}' cannot be rendered")
    return jsonify(payload)

"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from srs.questions import QUESTION_TYPES

__all__ = ["OPENAPI"]


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _query(name: str, schema: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    """An optional query parameter."""
    parameter = {"name": name, "in": "query", "required": False, "schema": schema}
    return parameter if description is None else {**parameter, "description": description}


_INTEGER = {"type": "integer"}
_STRING = {"type": "string"}
_TIME = {"type": "string", "format": "date-time"}
_OBJECTS = {"type": "array", "items": {"type": "object"}}
_CARD_ID = {"name": "card_id", "in": "path", "required": True, "schema": _INTEGER}
_SECONDS = {"type": "integer", "minimum": 0}
_STATE = {"type": "string", "enum": ["new", "learning", "review", "relearning"]}
_CARD_ACTION = {
    "parameters": [_CARD_ID],
    "responses": {
        "200": _json({"$ref": "#/components/schemas/CardFlags"}, "The card's flags."),
        "401": _error("No credentials."),
        "404": _error("Not the caller's card."),
    },
}

_RESCHEDULE_ASK = {
    "type": "object",
    "required": ["kind"],
    "properties": {
        "kind": {"type": "string", "enum": ["postpone", "advance", "break"]},
        "count": {"type": "integer", "minimum": 1},
        "days": {"type": "integer", "minimum": 1, "maximum": 366},
        "first_day": {"type": "string", "format": "date"},
        "last_day": {"type": "string", "format": "date"},
        "days_before": {"type": "integer", "minimum": 0, "maximum": 366},
        "days_after": {"type": "integer", "minimum": 0, "maximum": 366},
        "preview": {"type": "boolean"},
    },
}
_RESCHEDULE_PREVIEW = {
    "type": "object",
    "properties": {
        "kind": _STRING,
        "cards": _INTEGER,
        "days": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"day": {"type": "string", "format": "date"}, "cards": _INTEGER},
            },
        },
    },
}
_DAY_OR_NULL = {"type": ["string", "null"], "format": "date"}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Wengu API",
        "version": "1",
        "description": "Spaced-repetition review of YAML question banks. Authenticate with "
        "the session cookie (and an X-CSRFToken header on POST) or Authorization: Bearer TOKEN "
        "(`flask --app app user token NAME`).",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}, {"session": []}],
    "paths": {
        "/review/next": {
            "get": {
                "summary": "The next card due",
                "parameters": [
                    _query("bank", _STRING, "A bank id; without it, all the caller's banks."),
                    _query(
                        "practice",
                        _STRING,
                        "Extra study outside the schedule: section:ID, tag:NAME "
                        "or forgotten:DAYS (needs bank). Answers change nothing unless posted.",
                    ),
                    _query(
                        "exclude", _STRING, "With practice: card ids already seen, comma-separated."
                    ),
                    _query(
                        "ahead",
                        {"type": "integer", "minimum": 0, "maximum": 10},
                        "Also send up to this many cards that would follow the "
                        "next one, in `ahead`: one a question, within today's limits. A client "
                        "keeps them to go on while offline, answering each with its own token.",
                    ),
                ],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Card"}, "The next card."),
                    "204": {"description": "Nothing is due."},
                    "400": _error(
                        "practice without bank, or a malformed practice, exclude or ahead value."
                    ),
                    "401": _error("No credentials."),
                    "404": _error("The caller studies no such bank."),
                },
            }
        },
        "/review/{card_id}": {
            "post": {
                "summary": "Answer a card",
                "parameters": [_CARD_ID],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Answer"}}
                    },
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Answered"}, "The new due time."),
                    "400": _error("Not JSON, or no review_token."),
                    "401": _error("No credentials."),
                    "404": _error("Not the caller's card (checked first)."),
                    "409": _error("The card's question was retired."),
                    "422": _error("A field has the wrong value."),
                },
            }
        },
        "/review/today": {
            "get": {
                "summary": "What is left today, and when the first learning card comes back",
                "parameters": [_query("bank", _STRING, "One bank; all the caller's without it.")],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "required": ["counts", "learning_due"],
                            "properties": {
                                "counts": {"$ref": "#/components/schemas/Counts"},
                                "learning_due": {
                                    "type": ["string", "null"],
                                    "format": "date-time",
                                    "description": "When the first learning card left "
                                    "today is due; null when none is.",
                                },
                            },
                        },
                        "Cards left today by kind.",
                    ),
                    "401": _error("No credentials."),
                    "404": _error("The caller studies no such bank."),
                },
            }
        },
        "/review/undo": {
            "post": {
                "summary": "Take back the last answer",
                "responses": {
                    "200": _json(
                        {"$ref": "#/components/schemas/Card"}, "The card, restored as it was."
                    ),
                    "401": _error("No credentials."),
                    "409": _error("Nothing to undo."),
                },
            }
        },
        "/reviews": {
            "get": {
                "summary": "The caller's review log, oldest first",
                "parameters": [
                    _query("since", _TIME),
                    _query(
                        "after_id",
                        _INTEGER,
                        "Only reviews after this id: for paging (5000 a page).",
                    ),
                ],
                "responses": {
                    "200": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Review"}},
                        "Up to 5000 reviews.",
                    ),
                    "400": _error("'since' is not an ISO 8601 time, or 'after_id' no integer."),
                    "401": _error("No credentials."),
                },
            }
        },
        "/stats": {
            "get": {
                "summary": "The caller's statistics",
                "description": "The numbers of /stats: heatmap, reviews per day, forecast, "
                "true retention (young, mature, total by period), card states, interval and "
                "difficulty distributions, streak, and mastery per section (bank:section): "
                "mean predicted recall 30 days ahead.",
                "parameters": [_query("bank", _STRING)],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Stats"}, "The statistics."),
                    "401": _error("No credentials."),
                    "404": _error("The caller studies no such bank."),
                },
            }
        },
        "/reschedule": {
            "post": {
                "summary": "Postpone, advance, or a break: cards moved to other study days",
                "description": "Only due times change; cards land at the start of their new "
                "study day. postpone (count, days): of the review cards due today or "
                "overdue, the count remembered best now, spread over the next days. advance "
                "(first_day, last_day, days, optional count): the cards due in the range, "
                "onto the days before it (with count, those an early review harms least). "
                "break (first_day, last_day, days_before, days_after): every card due in the "
                'range, out of it; with both sides each goes to the nearer. "preview": true '
                "moves nothing and says what would move.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _RESCHEDULE_ASK}},
                },
                "responses": {
                    "200": _json(_RESCHEDULE_PREVIEW, "The preview: nothing moved."),
                    "201": _json({"$ref": "#/components/schemas/Reschedule"}, "Cards moved."),
                    "400": _error(
                        "Not JSON, an unknown kind, or a field not a whole number "
                        "or a YYYY-MM-DD date."
                    ),
                    "401": _error("No credentials."),
                    "422": _error(
                        "A day in the past, a range reversed or too long, a count "
                        "out of bounds, or no card to move."
                    ),
                },
            }
        },
        "/reschedules": {
            "get": {
                "summary": "The caller's latest 50 reschedules, newest first",
                "responses": {
                    "200": _json(
                        {"type": "array", "items": {"$ref": "#/components/schemas/Reschedule"}},
                        "The reschedules.",
                    ),
                    "401": _error("No credentials."),
                },
            }
        },
        "/reschedule/{reschedule_id}/undo": {
            "post": {
                "summary": "Put back the due times a reschedule changed",
                "description": "Cards answered or moved since keep their new due (kept).",
                "parameters": [
                    {"name": "reschedule_id", "in": "path", "required": True, "schema": _INTEGER}
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"restored": _INTEGER, "kept": _INTEGER},
                        },
                        "How many cards were put back, and how many kept their new due.",
                    ),
                    "401": _error("No credentials."),
                    "404": _error("Not the caller's reschedule."),
                    "409": _error("Undone already."),
                },
            }
        },
        "/cards/{card_id}/suspend": {"post": {"summary": "Suspend a card", **_CARD_ACTION}},
        "/cards/{card_id}/unsuspend": {"post": {"summary": "Unsuspend a card", **_CARD_ACTION}},
        "/cards/{card_id}/bury": {"post": {"summary": "Bury until tomorrow", **_CARD_ACTION}},
        "/cards/{card_id}/unbury": {"post": {"summary": "Unbury a card", **_CARD_ACTION}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {
            "Reschedule": {
                "type": "object",
                "properties": {
                    "id": _INTEGER,
                    "kind": _STRING,
                    "created_at": _TIME,
                    "first_day": _DAY_OR_NULL,
                    "last_day": _DAY_OR_NULL,
                    "cards": _INTEGER,
                    "undone_at": {"type": ["string", "null"], "format": "date-time"},
                },
            },
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": _STRING},
            },
            "Counts": {
                "type": "object",
                "required": ["new", "learning", "review"],
                "properties": {
                    "new": _SECONDS,
                    "learning": _SECONDS,
                    "review": _SECONDS,
                },
            },
            "Card": {
                "type": "object",
                "required": [
                    "card_id",
                    "bank",
                    "question",
                    "type",
                    "state",
                    "prompt_html",
                    "answer_html",
                    "explanation_html",
                    "intervals",
                    "counts",
                    "review_token",
                ],
                "properties": {
                    "card_id": _INTEGER,
                    "bank": _STRING,
                    "question": _STRING,
                    "type": {
                        "type": "string",
                        "enum": list(QUESTION_TYPES),
                    },
                    "state": _STATE,
                    "section": {"type": ["string", "null"]},
                    "tags": {"type": "array", "items": _STRING},
                    "prompt_html": {
                        "type": "string",
                        "description": "The front, rendered and sanitised. An occlusion "
                        "card's diagram is an <img> whose URL (the bank's diagram route with "
                        "the mask in its query, as label digests) serves the SVG with the "
                        "asked label's text removed; the SVG is not inline.",
                    },
                    "answer_html": {
                        "type": "string",
                        "description": "The back; an occlusion card's shows the diagram "
                        "with the label revealed and outlined, then the label.",
                    },
                    "explanation_html": _STRING,
                    "choices": {
                        "type": "array",
                        "items": _STRING,
                        "description": "A choice's options, shuffled for this showing (the"
                        " same on a reload); a true/false card's words for true and false in"
                        " its bank's language, where known",
                    },
                    "items": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "index": _INTEGER,
                                "html": _STRING,
                            },
                        },
                    },
                    "check": {
                        "type": "object",
                        "description": "What the page checks an answer against, for the "
                        "types it checks: choice (its correct names places in choices), "
                        "truefalse, order, typing, and an occlusion card answered typed "
                        "({accept: [label]}); absent when the learner grades themselves",
                    },
                    "suggest": {
                        "type": "object",
                        "description": "With check: the rating a right, a partly right (a"
                        " score of at least 0.5) and a wrong answer suggest",
                        "required": ["right", "partly", "wrong"],
                        "properties": {"right": _INTEGER, "partly": _INTEGER, "wrong": _INTEGER},
                    },
                    "intervals": {
                        "type": "object",
                        "required": ["again", "hard", "good", "easy"],
                        "properties": {
                            "again": _SECONDS,
                            "hard": _SECONDS,
                            "good": _SECONDS,
                            "easy": _SECONDS,
                        },
                    },
                    "counts": {"$ref": "#/components/schemas/Counts"},
                    "review_token": _STRING,
                    "edit": {"type": "object"},
                    "ahead": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Card"},
                        "description": "When asked for: the cards that would follow this one.",
                    },
                },
            },
            "Answer": {
                "type": "object",
                "required": ["rating", "review_token"],
                "properties": {
                    "rating": {"type": "integer", "enum": [1, 2, 3, 4]},
                    "review_token": _STRING,
                    "elapsed_ms": {"type": "integer", "minimum": 0},
                    "correct": {"type": "boolean"},
                    "next": {"type": "boolean", "description": "Also return the next card."},
                    "bank": {"type": "string", "description": "With next: from this bank."},
                    "ahead": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 10,
                        "description": "With next: the next card carries this many to follow.",
                    },
                },
            },
            "Answered": {
                "type": "object",
                "required": ["card_id", "review_id", "rating", "due", "interval_seconds"],
                "properties": {
                    "card_id": _INTEGER,
                    "review_id": _INTEGER,
                    "rating": _INTEGER,
                    "reviewed_at": _TIME,
                    "due": _TIME,
                    "interval_seconds": _SECONDS,
                    "state": _STATE,
                    "repeated": {"type": "boolean"},
                    "next": {"oneOf": [{"$ref": "#/components/schemas/Card"}, {"type": "null"}]},
                },
            },
            "Review": {
                "type": "object",
                "properties": {
                    "id": _INTEGER,
                    "card_id": _INTEGER,
                    "bank": _STRING,
                    "question": _STRING,
                    "ordinal": _INTEGER,
                    "reviewed_at": _TIME,
                    "rating": _INTEGER,
                    "elapsed_ms": {"type": ["integer", "null"]},
                    "correct": {"type": ["boolean", "null"]},
                    "state_before": _STATE,
                    "state_after": _STATE,
                    "due_after": _TIME,
                },
            },
            "Stats": {
                "type": "object",
                "required": ["today", "streak", "heatmap", "forecast", "retention", "states"],
                "properties": {
                    "today": {"type": "string", "format": "date"},
                    "streak": _INTEGER,
                    "heatmap": {"type": "object", "additionalProperties": _INTEGER},
                    "reviews_per_day": _OBJECTS,
                    "forecast": _OBJECTS,
                    "retention": {"type": "object"},
                    "states": {"type": "object", "additionalProperties": _INTEGER},
                    "intervals": _OBJECTS,
                    "difficulties": _OBJECTS,
                    "mastery": {"type": "object"},
                },
            },
            "CardFlags": {
                "type": "object",
                "properties": {
                    "card_id": _INTEGER,
                    "suspended": {"type": "boolean"},
                    "buried_until": {"type": ["string", "null"], "format": "date-time"},
                },
            },
        },
    },
}

# Every request passes one check before its operation runs (views/inputs.py): a character
# that cannot be stored, or a JSON body that cannot be read, is a 400 wherever it is sent.
_REFUSED_AT_THE_EDGE = _error(
    "A NUL or a lone surrogate in the path, the query or the body; a whole number that is "
    "not one; or a JSON body that cannot be read (nested too deep, NaN, Infinity)."
)
for _operations in OPENAPI["paths"].values():
    for _operation in _operations.values():
        _operation["responses"].setdefault("400", _REFUSED_AT_THE_EDGE)

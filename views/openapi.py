"""The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from views.openapi_schemas import (
    INTEGER,
    SCHEMAS,
    STRING,
    TIME,
)

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


_CARD_ID = {"name": "card_id", "in": "path", "required": True, "schema": INTEGER}
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
        "count": {"type": "integer", "minimum": 1, "maximum": 1000000},
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
        "kind": STRING,
        "cards": INTEGER,
        "days": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "day": {"type": "string", "format": "date"},
                    "already": INTEGER,
                    "moved": INTEGER,
                    "today": {"type": "boolean"},
                    "over_limit": {"type": "boolean"},
                },
            },
        },
    },
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Wengu API",
        "version": "1",
        "description": "Spaced-repetition review of YAML question banks. Authenticate with "
        "the session cookie (and an X-CSRFToken header on POST and PUT) or Authorization: "
        "Bearer TOKEN (`flask --app app user token NAME`).",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}, {"session": []}],
    "paths": {
        "/review/next": {
            "get": {
                "summary": "The next card due",
                "parameters": [
                    _query("bank", STRING, "A bank id; without it, all the caller's banks."),
                    _query(
                        "practice",
                        STRING,
                        "Extra study outside the schedule: section:ID, tag:NAME "
                        "or forgotten:DAYS (needs bank). Answers change nothing unless posted.",
                    ),
                    _query(
                        "exclude", STRING, "With practice: card ids already seen, comma-separated."
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
                "parameters": [_query("bank", STRING, "One bank; all the caller's without it.")],
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
                    _query("since", TIME),
                    _query(
                        "after_id",
                        INTEGER,
                        "Only reviews logged after this id, in the order logged: for paging"
                        " (5000 a page) with the last id seen.",
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
                "difficulty distributions, streak, mastery per section (bank:section): "
                "mean predicted recall 30 days ahead, and calibration: how well the FSRS "
                "parameters in use predicted the caller's answers.",
                "parameters": [_query("bank", STRING)],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Stats"}, "The statistics."),
                    "401": _error("No credentials."),
                    "404": _error("The caller studies no such bank."),
                },
            }
        },
        "/retention": {
            "get": {
                "summary": "Help me decide: desired retention",
                "description": "A year of the caller's study simulated (fsrs-rs) at several "
                "desired retentions, with their cards, limits, parameters and, from their log, "
                "answer times and ratings: mean reviews a day (new cards not counted), mean "
                "minutes a day (new cards counted) and the cards remembered at the end. "
                "`recommended` is one of the options: the least time per card remembered, "
                "within 0.70-0.95; at 0.70 it says only that the least time per card lies "
                "there or below. The cards all start new, as if the caller began today. A "
                "caller may run a few simulations a minute, with /settings/retention "
                "(advice kept from before is not counted).",
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/RetentionAdvice"}, "The options."),
                    "401": _error("No credentials."),
                    "429": _error("Too many simulations in the last minutes; wait a minute."),
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
                "onto the days before it (with count, those that lose least by an early review: "
                "the ones known least well now). "
                "break (first_day, last_day, days_before, days_after): every card due in the "
                "range, out of it; with both sides each goes to the nearer. The days share "
                "the cards by the caller's easy days, the lighter days (fewer cards already "
                "due, in every bank) first. Numbers are JSON integers, never text. "
                '"preview": true (a boolean) moves nothing and says what would move: per day '
                "the cards already due, those moved, whether it is today, and whether the "
                "total passes reviews_per_day. A card answered while the reschedule is "
                "written keeps the answer's due and is left out.",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _RESCHEDULE_ASK}},
                },
                "responses": {
                    "200": _json(_RESCHEDULE_PREVIEW, "The preview: nothing moved."),
                    "201": _json({"$ref": "#/components/schemas/Reschedule"}, "Cards moved."),
                    "400": _error(
                        "Not JSON, an unknown kind, a field missing or not a YYYY-MM-DD "
                        "date, or preview not a boolean."
                    ),
                    "401": _error("No credentials."),
                    "422": _error(
                        "A number that is not a whole number within its bounds (one "
                        "message with them: count 1 to 1000000, days 1 to 366, days_before "
                        "and days_after 0 to 366), a day in the past, a range reversed or "
                        "too long, or no card to move."
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
                "description": "Cards answered since keep their new due (kept). Refused "
                "while a later reschedule, not undone, holds some of its cards.",
                "parameters": [
                    {"name": "reschedule_id", "in": "path", "required": True, "schema": INTEGER}
                ],
                "responses": {
                    "200": _json(
                        {
                            "type": "object",
                            "properties": {"restored": INTEGER, "kept": INTEGER},
                        },
                        "How many cards were put back, and how many kept their new due.",
                    ),
                    "401": _error("No credentials."),
                    "404": _error("Not the caller's reschedule."),
                    "409": _error(
                        "Undone already (by another request too), or a later reschedule "
                        "moved its cards again: undo that one first."
                    ),
                },
            }
        },
        "/cards/{card_id}/suspend": {"post": {"summary": "Suspend a card", **_CARD_ACTION}},
        "/cards/{card_id}/unsuspend": {"post": {"summary": "Unsuspend a card", **_CARD_ACTION}},
        "/cards/{card_id}/bury": {"post": {"summary": "Bury until tomorrow", **_CARD_ACTION}},
        "/cards/{card_id}/unbury": {"post": {"summary": "Unbury a card", **_CARD_ACTION}},
        "/banks/{bank_id}/passage": {
            "get": {
                "summary": "A passage of a bank's notes",
                "description": "The passage a card's source names (its source.url): the text "
                "under one heading of the bank's notes, up to the next heading, rendered "
                "and sanitised as explanations are.",
                "parameters": [
                    {"name": "bank_id", "in": "path", "required": True, "schema": STRING},
                    {
                        "name": "ref",
                        "in": "query",
                        "required": True,
                        "schema": STRING,
                        "description": "FILE#HEADING: a notes file and a heading's anchor "
                        "or path (titles joined by ' > ').",
                    },
                ],
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Passage"}, "The passage."),
                    "401": _error("No credentials."),
                    "404": _error("No such bank for the caller, or no such passage in it."),
                    "422": _error(
                        "The passage cannot be rendered (notes imported before passages "
                        "were checked)."
                    ),
                },
            }
        },
        "/settings": {
            "get": {
                "summary": "The caller's study settings",
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Settings"}, "Every setting."),
                    "401": _error("No credentials."),
                },
            },
            "put": {
                "summary": "Change some of the caller's study settings",
                "description": "Only the settings sent change, all or none, by the rules "
                "of the settings page; a new time zone or day_starts_at recounts today.",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Settings"}}
                    },
                },
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/Settings"}, "Every setting."),
                    "400": _error(
                        "Not a JSON object, more than 32 keys, or a session cookie without "
                        "X-CSRFToken."
                    ),
                    "401": _error("No credentials."),
                    "422": _json(
                        {"$ref": "#/components/schemas/SettingsRefused"},
                        "Nothing changed: each setting refused (or unknown) with the page's "
                        "message for it.",
                    ),
                },
            },
        },
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": SCHEMAS,
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

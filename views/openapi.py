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
_AMOUNT = {"type": "number", "minimum": 0}
_RETENTION = {"type": "number", "minimum": 0.7, "maximum": 0.99}
_STATE = {"type": "string", "enum": ["new", "learning", "review", "relearning"]}
_CARD_ACTION = {
    "parameters": [_CARD_ID],
    "responses": {
        "200": _json({"$ref": "#/components/schemas/CardFlags"}, "The card's flags."),
        "401": _error("No credentials."),
        "404": _error("Not the caller's card."),
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
                "difficulty distributions, streak, mastery per section (bank:section): "
                "mean predicted recall 30 days ahead, and calibration: how well the FSRS "
                "parameters in use predicted the caller's answers.",
                "parameters": [_query("bank", _STRING)],
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
                "within 0.70-0.95.",
                "responses": {
                    "200": _json({"$ref": "#/components/schemas/RetentionAdvice"}, "The options."),
                    "401": _error("No credentials."),
                },
            }
        },
        "/cards/{card_id}/suspend": {"post": {"summary": "Suspend a card", **_CARD_ACTION}},
        "/cards/{card_id}/unsuspend": {"post": {"summary": "Unsuspend a card", **_CARD_ACTION}},
        "/cards/{card_id}/bury": {"post": {"summary": "Bury until tomorrow", **_CARD_ACTION}},
        "/cards/{card_id}/unbury": {"post": {"summary": "Unbury a card", **_CARD_ACTION}},
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
                    "400": _error("Not a JSON object, or a session cookie without X-CSRFToken."),
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
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["error"],
                "properties": {"error": _STRING},
            },
            "RetentionAdvice": {
                "type": "object",
                "required": ["options", "recommended"],
                "properties": {
                    "options": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": [
                                "retention",
                                "reviews_per_day",
                                "minutes_per_day",
                                "memorized",
                            ],
                            "properties": {
                                "retention": _RETENTION,
                                "reviews_per_day": _AMOUNT,
                                "minutes_per_day": _AMOUNT,
                                "memorized": _AMOUNT,
                            },
                        },
                    },
                    "recommended": _RETENTION,
                },
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
                    "calibration": {"$ref": "#/components/schemas/Calibration"},
                },
            },
            "Calibration": {
                "type": "object",
                "description": "The reviews of cards on a later study day than their review "
                "before (those a fit learns from), predicted with the parameters in use. "
                "log_loss and rmse_bins are fsrs-rs's evaluation (recent reviews weigh more); "
                "null, with no bins, while there is no such review.",
                "required": ["log_loss", "rmse_bins", "reviews", "bins"],
                "properties": {
                    "log_loss": {"type": ["number", "null"]},
                    "rmse_bins": {"type": ["number", "null"]},
                    "reviews": _INTEGER,
                    "bins": {
                        "type": "array",
                        "description": "The reviews grouped by predicted recall in tenths "
                        "(empty tenths left out), lowest first: mean predicted recall, share "
                        "recalled (not Again), and how many.",
                        "items": {
                            "type": "object",
                            "required": ["predicted", "actual", "count"],
                            "properties": {
                                "predicted": {"type": "number"},
                                "actual": {"type": "number"},
                                "count": _INTEGER,
                            },
                        },
                    },
                },
            },
            "Settings": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "desired_retention": {"type": "number", "minimum": 0.7, "maximum": 0.99},
                    "new_per_day": {"type": "integer", "minimum": 0, "maximum": 9999},
                    "reviews_per_day": {"type": "integer", "minimum": 0, "maximum": 99999},
                    "learning_steps": {
                        "type": "string",
                        "description": "As Anki writes them: 1m 10m (s, m, h, d; at most 20).",
                    },
                    "relearning_steps": {"type": "string", "description": "As Anki: 10m"},
                    "day_starts_at": {
                        "type": "integer",
                        "minimum": 0,
                        "maximum": 23,
                        "description": "The hour the study day starts, in timezone: 4 is 04:00.",
                    },
                    "timezone": {"type": "string", "description": "An IANA zone."},
                    "maximum_interval": {"type": "integer", "minimum": 1, "maximum": 36500},
                    "easy_days": {
                        "type": "array",
                        "minItems": 7,
                        "maxItems": 7,
                        "items": {"type": "number", "minimum": 0, "maximum": 1},
                        "description": "Monday first: each day's share of a normal day's "
                        "reviews (the page offers 1 normal, 0.5 reduced, 0 minimum).",
                    },
                },
            },
            "SettingsRefused": {
                "type": "object",
                "required": ["error", "errors"],
                "properties": {
                    "error": _STRING,
                    "errors": {"type": "object", "additionalProperties": _STRING},
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

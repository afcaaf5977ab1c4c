"""The schemas of the OpenAPI description (views/openapi.py): what /api/v1 sends and takes."""

from __future__ import annotations

from typing import Any

from srs.questions import QUESTION_TYPES

__all__ = [
    "AMOUNT",
    "DAY_OR_NULL",
    "INTEGER",
    "OBJECTS",
    "RETENTION",
    "SCHEMAS",
    "SECONDS",
    "STATE",
    "STRING",
    "TIME",
]

INTEGER = {"type": "integer"}
STRING = {"type": "string"}
TIME = {"type": "string", "format": "date-time"}
OBJECTS = {"type": "array", "items": {"type": "object"}}
SECONDS = {"type": "integer", "minimum": 0}
AMOUNT = {"type": "number", "minimum": 0}
RETENTION = {"type": "number", "minimum": 0.7, "maximum": 0.99}
STATE = {"type": "string", "enum": ["new", "learning", "review", "relearning"]}
DAY_OR_NULL = {"type": ["string", "null"], "format": "date"}

SCHEMAS: dict[str, Any] = {
    "Reschedule": {
        "type": "object",
        "properties": {
            "id": INTEGER,
            "kind": STRING,
            "created_at": TIME,
            "first_day": DAY_OR_NULL,
            "last_day": DAY_OR_NULL,
            "cards": INTEGER,
            "undone_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": STRING},
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
                        "retention": RETENTION,
                        "reviews_per_day": AMOUNT,
                        "minutes_per_day": AMOUNT,
                        "memorized": AMOUNT,
                    },
                },
            },
            "recommended": RETENTION,
        },
    },
    "Counts": {
        "type": "object",
        "required": ["new", "learning", "review"],
        "properties": {
            "new": SECONDS,
            "learning": SECONDS,
            "review": SECONDS,
        },
    },
    "Passage": {
        "type": "object",
        "required": ["ref", "file", "title", "path", "line", "html"],
        "properties": {
            "ref": STRING,
            "file": {"type": "string", "description": "The notes file, as the bank lists it."},
            "title": STRING,
            "path": {"type": "array", "items": STRING, "description": "The heading path."},
            "line": {"type": "integer", "description": "The heading's line in the file."},
            "html": {"type": "string", "description": "The passage, rendered and sanitised."},
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
            "card_id": INTEGER,
            "bank": STRING,
            "question": STRING,
            "type": {
                "type": "string",
                "enum": list(QUESTION_TYPES),
            },
            "state": STATE,
            "section": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": STRING},
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
            "explanation_html": STRING,
            "source": {
                "type": "object",
                "description": "Only for a question that cites a passage of its bank's "
                "notes: its source as written, the heading path, and the URL of the passage.",
                "required": ["ref", "title", "url"],
                "properties": {"ref": STRING, "title": STRING, "url": STRING},
            },
            "choices": {
                "type": "array",
                "items": STRING,
                "description": "A choice's options, shuffled for this showing (the"
                " same on a reload); a true/false card's words for true and false in"
                " its bank's language, where known",
            },
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "index": INTEGER,
                        "html": STRING,
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
                "properties": {"right": INTEGER, "partly": INTEGER, "wrong": INTEGER},
            },
            "intervals": {
                "type": "object",
                "required": ["again", "hard", "good", "easy"],
                "properties": {
                    "again": SECONDS,
                    "hard": SECONDS,
                    "good": SECONDS,
                    "easy": SECONDS,
                },
            },
            "counts": {"$ref": "#/components/schemas/Counts"},
            "review_token": STRING,
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
            "review_token": STRING,
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
            "card_id": INTEGER,
            "review_id": INTEGER,
            "rating": INTEGER,
            "reviewed_at": TIME,
            "due": TIME,
            "interval_seconds": SECONDS,
            "state": STATE,
            "repeated": {"type": "boolean"},
            "next": {"oneOf": [{"$ref": "#/components/schemas/Card"}, {"type": "null"}]},
        },
    },
    "Review": {
        "type": "object",
        "properties": {
            "id": INTEGER,
            "card_id": INTEGER,
            "bank": STRING,
            "question": STRING,
            "ordinal": INTEGER,
            "reviewed_at": TIME,
            "rating": INTEGER,
            "elapsed_ms": {"type": ["integer", "null"]},
            "correct": {"type": ["boolean", "null"]},
            "state_before": STATE,
            "state_after": STATE,
            "due_after": TIME,
        },
    },
    "Stats": {
        "type": "object",
        "required": ["today", "streak", "heatmap", "forecast", "retention", "states"],
        "properties": {
            "today": {"type": "string", "format": "date"},
            "streak": INTEGER,
            "heatmap": {"type": "object", "additionalProperties": INTEGER},
            "reviews_per_day": OBJECTS,
            "forecast": OBJECTS,
            "retention": {"type": "object"},
            "states": {"type": "object", "additionalProperties": INTEGER},
            "intervals": OBJECTS,
            "difficulties": OBJECTS,
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
            "reviews": INTEGER,
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
                        "count": INTEGER,
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
            "error": STRING,
            "errors": {"type": "object", "additionalProperties": STRING},
        },
    },
    "CardFlags": {
        "type": "object",
        "properties": {
            "card_id": INTEGER,
            "suspended": {"type": "boolean"},
            "buried_until": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}

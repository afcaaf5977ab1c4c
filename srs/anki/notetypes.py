"""Wengu's Anki note types: one per question type, with fixed ids, and the stylesheet they share.

The stylesheet follows the web app's look in both of Anki's modes, light and night, with
the code highlighting colours Pygments gives for each.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timezone

import genanki
from pygments.formatters import HtmlFormatter

from srs.questions import TYPES
from srs.questions.note_fields import AnkiLayout
from srs.questions.occlusion import MAX_LABELS

__all__ = [
    "FIELDS_CHANGED",
    "MODEL_IDS",
    "NOTE_TYPES_CHANGED",
    "NOTE_TYPES_DIGEST",
    "SECTION_TAG",
    "note_seed",
    "note_types",
    "note_types_digest",
]

# Each question type's note type id, fixed so that a re-export updates the note types.
MODEL_IDS = {name: kind.anki.id for name, kind in TYPES.items()}

NOTE_TYPES_CHANGED = datetime(2026, 12, 2, 14, 45, tzinfo=timezone.utc)
"""When Wengu's note types (fields, templates, stylesheet) last changed: their modification
time in every package, so that Anki updates them (and drops a learner's changes to them)
only when they did change. Move it on, and :data:`NOTE_TYPES_DIGEST` with it, whenever
:func:`note_types` changes."""

NOTE_TYPES_DIGEST = "4f60bd231a00b7cbfc229acbfdecd952309db235db4bb2aaef38738986dff474"
"""The :func:`note_types_digest` of the note types :data:`NOTE_TYPES_CHANGED` dates; a test
keeps the two together."""

FIELDS_CHANGED = datetime(2026, 12, 2, 14, 45, tzinfo=timezone.utc)
"""When Wengu last changed how it writes a question as a note's fields: no note is stamped
older, so that an export after such a change updates every note once."""

SECTION_TAG = "section"
"""The tag under a bank's own one that holds a note's section path: ``docker::section::…``."""

_FONTS = (
    '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans", Roboto, '
    '"Helvetica Neue", Arial, sans-serif'
)
_MONO = (
    'ui-monospace, "SF Mono", Menlo, Consolas, "Noto Sans Mono CJK SC", "Sarasa Mono SC", monospace'
)
_NIGHT = (".nightMode", ".night_mode")

_CSS = f"""\
.card {{
  --wg-fg: #1f2328; --wg-bg: #fbfaf7; --wg-muted: #6a6f77; --wg-line: #e2dfd8;
  --wg-accent: #0b7a75; --wg-accent-soft: rgba(11, 122, 117, 0.09);
  font-family: {_FONTS};
  font-size: 20px; line-height: 1.65; text-align: left;
  color: var(--wg-fg); background: var(--wg-bg);
}}
.card.nightMode, .card.night_mode, .nightMode .card, .night_mode .card {{
  --wg-fg: #e6e4e0; --wg-bg: #1c1e21; --wg-muted: #9ba0a8; --wg-line: #393c41;
  --wg-accent: #4fd1c5; --wg-accent-soft: rgba(79, 209, 197, 0.12);
}}
.wengu {{ max-width: 40em; margin: 0 auto; padding: 0 0.5em; }}
.wengu p {{ margin: 0.4em 0; }}
hr#answer {{ border: 0; border-top: 1px solid var(--wg-line); margin: 1.1em 0; }}
.cloze {{ font-weight: 600; color: var(--wg-accent); }}
.options {{ margin: 0.8em 0 0; padding: 0; list-style: none; }}
.options li {{
  margin: 0.35em 0; padding: 0.35em 0.7em; border: 1px solid var(--wg-line);
  border-radius: 6px;
}}
.options .label {{ display: inline-block; min-width: 1.6em; font-weight: 600; }}
/* True and false have no letters: no empty column before them. */
.options .label:empty {{ display: none; }}
.options li.right {{ border-color: var(--wg-accent); background: var(--wg-accent-soft); }}
.options li.wrong {{ color: var(--wg-muted); }}
.mark {{ font-weight: 700; color: var(--wg-accent); }}
.options li p {{ display: inline; margin: 0; }}
.hint {{ margin-top: 0.6em; font-size: 0.8em; color: var(--wg-muted); }}
.answer {{ font-weight: 500; }}
ol.answer {{ padding-left: 1.6em; }}
ol.answer li {{ margin: 0.25em 0; }}
ol.answer .label {{
  display: inline-block; min-width: 1.4em; font-weight: 600; color: var(--wg-accent);
}}
ol.answer li p {{ display: inline; margin: 0; }}
.accepted .typed-exact {{ margin-bottom: 0.3em; }}
.accepted .alt {{ font-family: {_MONO}; color: var(--wg-fg); }}
.explanation {{
  margin-top: 1.2em; padding: 0.5em 0.9em; font-size: 0.9em;
  border-left: 3px solid var(--wg-accent); background: var(--wg-accent-soft);
}}
.accepted {{ margin-top: 0.6em; font-size: 0.85em; color: var(--wg-muted); }}
.wengu-id {{ margin-top: 1.6em; font: 0.65em {_MONO}; color: var(--wg-muted); }}
code {{ font-family: {_MONO}; font-size: 0.88em; hyphens: none; }}
:not(pre) > code {{ padding: 0.1em 0.3em; border-radius: 4px; background: var(--wg-accent-soft); }}
.codehilite {{ border-radius: 6px; overflow-x: auto; }}
.codehilite pre {{ margin: 0; padding: 0.6em 0.8em; line-height: 1.45; }}
img {{ max-width: 100%; height: auto; }}
/* A diagram keeps a legible width on a phone and scrolls sideways instead of shrinking. */
.wg-diagram {{
  display: block; overflow-x: auto; -webkit-overflow-scrolling: touch; margin: 0.5em 0;
}}
.wg-diagram img {{ display: block; min-width: 300px; }}
code.nobr {{ white-space: nowrap; }}
.nightMode img[src$=".svg"], .night_mode img[src$=".svg"] {{
  background: #fbfaf7; border-radius: 6px; padding: 0.3em;
}}
table {{ border-collapse: collapse; margin: 0.6em 0; }}
th, td {{ border: 1px solid var(--wg-line); padding: 0.25em 0.6em; }}
.missing-diagram {{ color: var(--wg-muted); font-style: italic; }}
"""


def _stylesheet() -> str:
    light = HtmlFormatter(style="friendly").get_style_defs(".codehilite")
    dark = HtmlFormatter(style="github-dark").get_style_defs(
        [f"{night} .codehilite" for night in _NIGHT]
    )
    return f"{_CSS}\n/* Code, from Pygments: light, then night mode. */\n{light}\n{dark}\n"


_EXPLANATION = (
    '{{#Explanation}}<div class="explanation">{{Explanation}}</div>{{/Explanation}}'
    '<div class="wengu-id">{{Wengu ID}}</div>'
)


def _front_back(front: str, back: str) -> dict[str, str]:
    return {
        "qfmt": f'<div class="wengu"><div class="prompt">{{{{{front}}}}}</div></div>',
        "afmt": (
            f'<div class="wengu"><div class="prompt">{{{{{front}}}}}</div><hr id="answer">'
            f'<div class="answer">{{{{{back}}}}}</div>{_EXPLANATION}</div>'
        ),
    }


def _options_templates() -> list[dict[str, str]]:
    front = '<div class="prompt">{{Question}}</div>{{Options}}'
    return [
        {
            "name": "Card 1",
            "qfmt": f'<div class="wengu">{front}</div>',
            "afmt": (
                '<div class="wengu"><div class="prompt">{{Question}}</div><hr id="answer">'
                f"{{{{Answer}}}}{_EXPLANATION}</div>"
            ),
        }
    ]


def _cloze_templates() -> list[dict[str, str]]:
    return [
        {
            "name": "Cloze",
            "qfmt": '<div class="wengu">{{cloze:Text}}</div>',
            "afmt": f'<div class="wengu">{{{{cloze:Text}}}}{_EXPLANATION}</div>',
        }
    ]


def _typing_templates() -> list[dict[str, str]]:
    return [
        {
            "name": "Card 1",
            "qfmt": (
                '<div class="wengu"><div class="prompt">{{Question}}</div>{{type:Answer}}</div>'
            ),
            "afmt": (
                '<div class="wengu"><div class="prompt">{{Question}}</div>'
                '<hr id="answer">{{type:Answer}}{{#Accepted}}<div class="accepted">'
                "{{Accepted}}</div>{{/Accepted}}"
                f"{_EXPLANATION}</div>"
            ),
        }
    ]


def _occlusion_templates() -> list[dict[str, str]]:
    """A card per label: card N exists only while its note's Front N is filled."""
    prompt = '<div class="prompt">{{Prompt}}</div>'
    return [
        {
            "name": f"Label {n}",
            "qfmt": f'{{{{#Front {n}}}}}<div class="wengu">{prompt}{{{{Front {n}}}}}</div>'
            f"{{{{/Front {n}}}}}",
            "afmt": f'<div class="wengu">{prompt}<hr id="answer">{{{{Back {n}}}}}'
            f"{_EXPLANATION}</div>",
        }
        for n in range(1, MAX_LABELS + 1)
    ]


def _fields(*names: str) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


_LAYOUTS: dict[AnkiLayout, Callable[[], list[dict[str, str]]]] = {
    "front_back": lambda: [{"name": "Card 1", **_front_back("Front", "Back")}],
    "both_ways": lambda: [
        {"name": "Front → Back", **_front_back("Front", "Back")},
        {"name": "Back → Front", **_front_back("Back", "Front")},
    ],
    "cloze": _cloze_templates,
    "options": _options_templates,
    "typing": _typing_templates,
    "occlusion": _occlusion_templates,
}


def note_types() -> dict[str, genanki.Model]:
    """Wengu's note types, one per question type as its module declares it; built per export
    (genanki mutates them)."""
    css = _stylesheet()
    return {
        name: genanki.Model(
            kind.anki.id,
            kind.anki.name,
            fields=_fields(*kind.anki.fields, "Explanation", "Wengu ID"),
            templates=_LAYOUTS[kind.anki.layout](),
            css=css,
            model_type=genanki.Model.CLOZE
            if kind.anki.layout == "cloze"
            else genanki.Model.FRONT_BACK,
        )
        for name, kind in TYPES.items()
    }


def note_seed(bank_id: str, question_id: str) -> int:
    """The seed of a note's shuffles (an order question's items, a choice's options): fixed
    for the question, so that every export shows them alike and reading back can undo them."""
    # Python's hash() of a str changes between runs.
    return int.from_bytes(hashlib.sha256(f"{bank_id}/{question_id}".encode()).digest()[:8])


def note_types_digest() -> str:
    """A digest of what Anki keeps of the note types: names, fields, templates, stylesheet."""
    kept = [
        [model.model_id, model.name, model.fields, model.templates, model.css]
        for model in note_types().values()
    ]
    return hashlib.sha256(json.dumps(kept, sort_keys=True).encode()).hexdigest()

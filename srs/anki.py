"""Anki packages (``.apkg``): a bank written as Anki notes, and Anki notes read as a bank.

:func:`write_apkg` turns a :class:`~srs.bank.Bank` into a package Anki imports: one note per
question in note types of Wengu's own (fixed ids, so a later export updates them), a subdeck
per section following the outline, the diagrams as media, and GUIDs made from the bank and
question ids, so that importing a re-export after an edit updates the notes in place. With
``scheduling``, a learner's own schedule goes along and Anki shows the same due dates.

:func:`read_apkg` goes the other way for packages of basic and cloze notes, as genanki and
Anki ("Support older Anki versions") write them, and refuses anything it cannot read safely
with a :class:`~srs.bank.BankError`.

The package is a zip holding ``collection.anki2`` (an SQLite database), ``media`` (a JSON map
from entry name to file name) and the media files named ``0``, ``1``, ... genanki builds the
database; it is built in memory and zipped here, so nothing is written to the temporary
folder (genanki's own ``write_to_file`` leaves a temporary file behind each time).
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import json
import os
import posixpath
import re
import sqlite3
import tempfile
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import genanki
from pygments.formatters import HtmlFormatter

from srs.archive import MAX_FILES, TOTAL_FACTOR, ZIP_ERRORS
from srs.bank import (
    DEFAULT_MAX_BYTES,
    IMAGE_TYPES,
    Bank,
    BankError,
    Diagram,
    Problem,
    Question,
    Section,
    diagram_path,
    svg_problems,
)
from srs.cloze import ClozeError, parse_cloze
from srs.questions import shuffled_order
from srs.render import image_sources, render_markdown
from srs.scheduler import LEARNING, NEW, RELEARNING, REVIEW
from srs.study import study_day
from srs.yamlread import UNSTORABLE

__all__ = ["MODEL_IDS", "CardSchedule", "read_apkg", "write_apkg"]

# Note type ids are fixed so that every export, of any bank, uses the same note types and a
# re-export updates them. Each is (1 << 30) + the first 8 bytes of
# sha256("wengu note type: " + name), big-endian, modulo 1 << 30: the range genanki advises.
MODEL_IDS = {
    "basic": 2035394092,  # Wengu Basic
    "reverse": 1103855513,  # Wengu Reverse
    "cloze": 1147584125,  # Wengu Cloze
    "choice": 1316452310,  # Wengu Choice
    "truefalse": 1105331578,  # Wengu True/False
    "order": 1658045374,  # Wengu Order
    "typing": 1327962182,  # Wengu Typing
}
_MODEL_NAMES = {
    "basic": "Wengu Basic",
    "reverse": "Wengu Reverse",
    "cloze": "Wengu Cloze",
    "choice": "Wengu Choice",
    "truefalse": "Wengu True/False",
    "order": "Wengu Order",
    "typing": "Wengu Typing",
}

# Anki's card types and queues (``cards.type``, ``cards.queue``).
_ANKI_TYPE = {NEW: 0, LEARNING: 1, REVIEW: 2, RELEARNING: 3}
_QUEUE_SUSPENDED = -1
_QUEUE = {NEW: 0, LEARNING: 1, REVIEW: 2, RELEARNING: 1}
_QUEUE_DAY_LEARNING = 3  # a learning card due on a later day: due is a day number
_DEFAULT_EASE = 2500  # Anki's starting ease, per mille; FSRS does not read it

_COLLECTION = "collection.anki2"
_COLLECTION_21 = "collection.anki21"
_COLLECTION_21B = "collection.anki21b"
_MEDIA = "media"
_CHUNK = 64 * 1024
_ID_MAX = 64

# Bounds on what an uploaded collection can make the reader do. Every query on it runs
# under one budget of SQLite's virtual-machine steps, counted in units of _STEPS (about two
# seconds of work): reading the most notes and cards allowed, unindexed, takes 2,800 units.
_STEPS = 1000
_STEP_BUDGET = 20_000
_MAX_NOTES = 20_000
_MAX_CARDS = 100_000
_MAX_FIELDS = 64  # fields of one note
_MAX_FIELD_CHARS = 200_000  # one note's fields together
_MAX_DECK_DEPTH = 16
_MAX_DECK_NAME = 500
_MAX_SCHEMA = 200  # tables, indexes and the rest in the collection's schema
_TABLES = ("col", "notes", "cards")


@dataclass(frozen=True, slots=True)
class CardSchedule:
    """A learner's schedule of one card, as Wengu keeps it.

    ``state`` is one of :mod:`srs.scheduler`'s ``NEW``, ``LEARNING``, ``REVIEW``,
    ``RELEARNING``; ``stability`` and ``difficulty`` are FSRS's memory state, when known.
    """

    due: datetime
    interval_days: int
    stability: float | None
    difficulty: float | None
    reps: int
    lapses: int
    state: int
    suspended: bool


# -- note types ------------------------------------------------------------------------------

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
.options li.right {{ border-color: var(--wg-accent); background: var(--wg-accent-soft); }}
.options li.wrong {{ color: var(--wg-muted); }}
.options .mark {{ font-weight: 700; color: var(--wg-accent); }}
.options li p {{ display: inline; margin: 0; }}
.hint {{ margin-top: 0.6em; font-size: 0.8em; color: var(--wg-muted); }}
.answer {{ font-weight: 500; }}
ol.answer {{ padding-left: 1.4em; }}
.explanation {{
  margin-top: 1.2em; padding: 0.5em 0.9em; font-size: 0.9em;
  border-left: 3px solid var(--wg-accent); background: var(--wg-accent-soft);
}}
.accepted {{ margin-top: 0.6em; font-size: 0.85em; color: var(--wg-muted); }}
.wengu-id {{ margin-top: 1.6em; font: 0.65em {_MONO}; color: var(--wg-muted); }}
code {{ font-family: {_MONO}; font-size: 0.88em; }}
:not(pre) > code {{ padding: 0.1em 0.3em; border-radius: 4px; background: var(--wg-accent-soft); }}
.codehilite {{ border-radius: 6px; overflow-x: auto; }}
.codehilite pre {{ margin: 0; padding: 0.6em 0.8em; line-height: 1.45; }}
img {{ max-width: 100%; height: auto; }}
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


def _fields(*names: str) -> list[dict[str, str]]:
    return [{"name": name} for name in names]


def _models() -> dict[str, genanki.Model]:
    """Wengu's note types, one per question type; built per export (genanki mutates them)."""
    css = _stylesheet()
    options_fields = _fields("Question", "Options", "Answer", "Explanation", "Wengu ID")

    def model(
        kind: str, fields: list[dict[str, str]], templates: list[dict[str, str]]
    ) -> genanki.Model:
        return genanki.Model(
            MODEL_IDS[kind],
            _MODEL_NAMES[kind],
            fields=fields,
            templates=templates,
            css=css,
            model_type=genanki.Model.CLOZE if kind == "cloze" else genanki.Model.FRONT_BACK,
        )

    return {
        "basic": model(
            "basic",
            _fields("Front", "Back", "Explanation", "Wengu ID"),
            [{"name": "Card 1", **_front_back("Front", "Back")}],
        ),
        "reverse": model(
            "reverse",
            _fields("Front", "Back", "Explanation", "Wengu ID"),
            [
                {"name": "Front → Back", **_front_back("Front", "Back")},
                {"name": "Back → Front", **_front_back("Back", "Front")},
            ],
        ),
        "cloze": model(
            "cloze",
            _fields("Text", "Explanation", "Wengu ID"),
            [
                {
                    "name": "Cloze",
                    "qfmt": '<div class="wengu">{{cloze:Text}}</div>',
                    "afmt": f'<div class="wengu">{{{{cloze:Text}}}}{_EXPLANATION}</div>',
                }
            ],
        ),
        "choice": model("choice", options_fields, _options_templates()),
        "truefalse": model("truefalse", options_fields, _options_templates()),
        "order": model("order", options_fields, _options_templates()),
        "typing": model(
            "typing",
            _fields("Question", "Answer", "Accepted", "Explanation", "Wengu ID"),
            [
                {
                    "name": "Card 1",
                    "qfmt": (
                        '<div class="wengu"><div class="prompt">{{Question}}</div>'
                        "{{type:Answer}}</div>"
                    ),
                    "afmt": (
                        '<div class="wengu"><div class="prompt">{{Question}}</div>'
                        '<hr id="answer">{{type:Answer}}{{#Accepted}}<div class="accepted">'
                        "Also accepted: {{Accepted}}</div>{{/Accepted}}"
                        f"{_EXPLANATION}</div>"
                    ),
                }
            ],
        ),
    }


# -- writing ---------------------------------------------------------------------------------


def _stable_id(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def _seed(bank_id: str, question_id: str) -> int:
    # Python's hash() of a str changes between runs; the shuffle of an order question's
    # items must not.
    return int.from_bytes(hashlib.sha256(f"{bank_id}/{question_id}".encode()).digest()[:8])


def _media_names(bank: Bank) -> dict[str, str]:
    """The media file name of each diagram path: bare, unique, prefixed with the bank id."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for diagram in sorted(bank.diagrams, key=lambda d: d.path):
        name = f"{bank.id}-{diagram.path.replace('/', '-')}"
        if name in taken:
            stem, suffix = posixpath.splitext(name)
            name = f"{stem}-{hashlib.sha256(diagram.path.encode()).hexdigest()[:8]}{suffix}"
        taken.add(name)
        names[diagram.path] = name
    return names


class _Renderer:
    """Renders a bank's Markdown for Anki, remembering which diagrams the notes use."""

    def __init__(self, bank: Bank) -> None:
        self.media = _media_names(bank)
        self.used: set[str] = set()

    def resolve(self, reference: str) -> str | None:
        path = diagram_path(reference)
        name = self.media.get(path)
        if name is not None:
            self.used.add(path)
        return name

    def html(self, text: str | None) -> str:
        return render_markdown(text, self.resolve) if text else ""

    def inline(self, text: str) -> str:
        """Rendered Markdown without the paragraph around a single line."""
        rendered = self.html(text).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            return rendered[3:-4]
        return rendered

    def cloze(self, text: str) -> str:
        """The cloze text rendered, with Anki's ``{{cN::answer::hint}}`` markers kept.

        The markers are swapped for plain-letter stand-ins while Markdown and the code
        highlighter run (either could otherwise split or escape them), then put back.
        """
        open_, hint_, close_ = "WgClzO", "WgClzHq", "WgClzEq"
        parts: list[str] = []
        position = 0
        for deletion in parse_cloze(text):
            parts.append(text[position : deletion.start])
            parts.append(f"{open_}{deletion.number}q{deletion.answer}")
            if deletion.hint is not None:
                parts.append(f"{hint_}{deletion.hint}")
            parts.append(close_)
            position = deletion.end
        parts.append(text[position:])
        rendered = self.html("".join(parts))
        rendered = re.sub(rf"{open_}(\d+)q", r"{{c\1::", rendered)
        rendered = rendered.replace(hint_, "::").replace(close_, "}}")
        if "WgClz" in rendered:
            # A highlighter split a stand-in: show the text plainly rather than lose a card.
            return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        return rendered


def _options_list(items: Iterable[tuple[str, str, str]]) -> str:
    """An HTML list of (class, label, HTML) entries."""
    rows = []
    for css_class, label, content in items:
        attribute = f' class="{css_class}"' if css_class else ""
        rows.append(f'<li{attribute}><span class="label">{label}</span> {content}</li>')
    return f'<ul class="options">{"".join(rows)}</ul>'


def _letter(index: int) -> str:
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def _note_fields(bank: Bank, question: Question, render: _Renderer) -> list[str]:
    """The fields of a question's note, in the order of its note type's fields."""
    explanation = render.html(question.explanation)
    wengu_id = html.escape(f"{bank.id}/{question.id}")
    kind = question.type
    if kind in {"basic", "reverse"}:
        return [render.html(question.prompt), render.html(question.answer), explanation, wengu_id]
    if kind == "cloze":
        return [render.cloze(question.text or ""), explanation, wengu_id]
    if kind == "typing":
        accepted = " · ".join(html.escape(a) for a in question.accept)
        answer = render.inline(question.answer or "")
        return [render.html(question.prompt), answer, accepted, explanation, wengu_id]
    prompt = render.html(question.prompt)
    if kind == "choice":
        correct = question.correct
        right = {correct} if isinstance(correct, int) else set(correct or ())
        choices = [render.inline(choice) for choice in question.choices]
        options = _options_list(("", _letter(i), c) for i, c in enumerate(choices))
        if len(right) > 1:
            options += f'<div class="hint">Choose {len(right)}.</div>'
        answer = _options_list(
            ("right", f'<span class="mark">✓</span> {_letter(i)}', c)
            if i in right
            else ("wrong", f"&nbsp;&nbsp; {_letter(i)}", c)
            for i, c in enumerate(choices)
        )
        return [prompt, options, answer, explanation, wengu_id]
    if kind == "truefalse":
        options = _options_list([("", "", "True"), ("", "", "False")])
        verdict = "True" if question.correct else "False"
        answer = f'<div class="answer"><span class="mark">✓</span> {verdict}</div>'
        return [prompt, options, answer, explanation, wengu_id]
    if kind == "order":
        items = [render.inline(item) for item in question.items]
        order = shuffled_order(len(items), _seed(bank.id, question.id))
        options = _options_list(("", _letter(n), items[i]) for n, i in enumerate(order))
        options += '<div class="hint">Put these in order.</div>'
        answer = '<ol class="answer">' + "".join(f"<li>{item}</li>" for item in items) + "</ol>"
        return [prompt, options, answer, explanation, wengu_id]
    raise ValueError(f"unknown question type {kind!r}")


def _deck_names(bank: Bank) -> dict[str | None, str]:
    """Anki's ``::`` deck path of each section (``None``: the bank's own deck)."""

    def clean(title: str) -> str:
        # "::" separates Anki's deck levels; inside a title it would add one.
        return re.sub(r"\s+", " ", title.replace("::", ":")).strip() or "-"

    names: dict[str | None, str] = {None: clean(bank.title)}
    for section in bank.sections:  # parents come before their children
        names[section.id] = f"{names[section.parent]}::{clean(section.title)}"
    return names


def _anki_day(moment: datetime, zone: str, rollover_hour: int, created: date) -> int:
    """The day number Anki gives the study day ``moment`` falls in, for a collection
    whose day 0 is ``created``."""
    return (study_day(moment, zone, rollover_hour).date - created).days


def _apply_scheduling(
    db: sqlite3.Connection,
    bank: Bank,
    scheduling: Mapping[tuple[str, int], CardSchedule],
    zone: str,
    rollover_hour: int,
    now: datetime,
) -> None:
    """Give the package's cards the learner's schedule.

    The collection is told to count days as Anki 2.1.50+ does (scheduler v2, the new day
    cutoff, created on a fixed UTC date); Anki's importer then moves each review card's
    day number by how far its own collection's day count differs, so the card keeps its
    date. Learning cards due today are due at a moment (epoch seconds), which needs no
    moving; those due on a later day wait in Anki's day-learning queue, by day number.
    """
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {zone!r}") from None
    crt, conf_text = db.execute("SELECT crt, conf FROM col").fetchone()
    conf = json.loads(conf_text)
    conf.update({"schedVer": 2, "rollover": rollover_hour, "creationOffset": 0})
    db.execute("UPDATE col SET conf = ?", (json.dumps(conf),))
    created = datetime.fromtimestamp(crt, timezone.utc).date()
    today = _anki_day(now, zone, rollover_hour, created)

    questions = {question.id: question for question in bank.questions}
    for (question_id, ordinal), schedule in scheduling.items():
        question = questions.get(question_id)
        if question is None or ordinal not in question.card_ordinals:
            continue
        if schedule.state not in _ANKI_TYPE:
            raise ValueError(f"card {question_id}/{ordinal}: unknown state {schedule.state}")
        template = ordinal - 1 if question.type == "cloze" else ordinal
        queue = _QUEUE[schedule.state]
        day = _anki_day(schedule.due, zone, rollover_hour, created)
        if schedule.state == NEW:
            due = None  # keeps its place among the new cards
        elif schedule.state == REVIEW:
            due = day
        elif day > today:
            queue, due = _QUEUE_DAY_LEARNING, day
        else:
            due = int(schedule.due.timestamp())
        memory = None
        if schedule.stability is not None and schedule.difficulty is not None:
            # Anki keeps FSRS's memory state in cards.data as {"s": ..., "d": ...}.
            memory = json.dumps(
                {"s": round(schedule.stability, 3), "d": round(schedule.difficulty, 3)}
            )
        if schedule.suspended:
            queue = _QUEUE_SUSPENDED
        learning = schedule.state in {LEARNING, RELEARNING}
        db.execute(
            """
            UPDATE cards SET type = ?, queue = ?, due = coalesce(?, due), ivl = ?,
                factor = ?, reps = ?, lapses = ?, left = ?, data = coalesce(?, data)
            WHERE ord = ? AND nid = (SELECT id FROM notes WHERE guid = ?)
            """,
            (
                _ANKI_TYPE[schedule.state],
                queue,
                due,
                max(0, schedule.interval_days),
                0 if schedule.state == NEW else _DEFAULT_EASE,
                schedule.reps,
                schedule.lapses,
                1 if learning else 0,
                memory,
                template,
                genanki.guid_for(bank.id, question.id),
            ),
        )


def _collection_bytes(
    bank: Bank,
    scheduling: Mapping[tuple[str, int], CardSchedule] | None,
    zone: str,
    rollover_hour: int,
    now: datetime,
) -> tuple[bytes, dict[str, bytes]]:
    """The package's collection database and its media files, by file name."""
    render = _Renderer(bank)
    models = _models()
    names = _deck_names(bank)
    decks = {
        key: genanki.Deck(
            _stable_id("deck", bank.id, key or ""),
            name,
            html.escape(bank.description or "") if key is None else "",
        )
        for key, name in names.items()
    }
    for position, question in enumerate(bank.questions, 1):
        section = (question.section,) if question.section else ()
        note = genanki.Note(
            model=models[question.type],
            fields=_note_fields(bank, question, render),
            tags=list(dict.fromkeys([*question.tags, *section])),
            guid=genanki.guid_for(bank.id, question.id),
            due=position,
        )
        decks[question.section].add_note(note)

    timestamp = now.timestamp()
    db = sqlite3.connect(":memory:")
    try:
        with warnings.catch_warnings():
            # genanki warns about "invalid HTML" by a regular expression; these fields
            # come from the sanitiser, which writes well-formed HTML.
            warnings.filterwarnings("ignore", module="genanki", message="^Field contained")
            genanki.Package(list(decks.values())).write_to_db(
                db.cursor(), timestamp, itertools.count(int(timestamp * 1000))
            )
        if scheduling:
            _apply_scheduling(db, bank, scheduling, zone, rollover_hour, now)
        db.commit()
        data = db.serialize()
    finally:
        db.close()
    media = {
        render.media[diagram.path]: diagram.data
        for diagram in bank.diagrams
        if diagram.path in render.used
    }
    return data, media


def write_apkg(
    bank: Bank,
    target: Path,
    *,
    scheduling: Mapping[tuple[str, int], CardSchedule] | None = None,
    zone: str = "UTC",
    rollover_hour: int = 4,
    now: datetime | None = None,
) -> None:
    """Write ``bank`` as an Anki package at ``target``, replacing it only once complete.

    Args:
        bank: the bank; every question becomes one note in a note type of its type.
        target: the ``.apkg`` file to write.
        scheduling: the learner's schedule by ``(question id, card ordinal)``, the ordinal as
            in :attr:`Question.card_ordinals`; cards without an entry arrive new, entries
            for cards the bank does not make are ignored.
        zone: the learner's time zone, and ``rollover_hour`` the hour their day starts:
            a review card is due in Anki on the study day its ``due`` falls in there.
        now: when the export is made: notes carry it as their modification time (Anki
            updates a note it already has only from a newer one), and learning cards due
            on a later study day than this wait for that day. Defaults to now.

    Raises:
        ValueError: a schedule with an unknown state, or an unknown ``zone``.
        OSError: ``target`` cannot be written.
    """
    moment = now or datetime.now(timezone.utc)
    collection, media = _collection_bytes(bank, scheduling, zone, rollover_hour, moment)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
                package.writestr(_COLLECTION, collection)
                package.writestr(_MEDIA, json.dumps({str(i): n for i, n in enumerate(media)}))
                for index, data in enumerate(media.values()):
                    package.writestr(str(index), data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


# -- reading ---------------------------------------------------------------------------------


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:_ID_MAX].strip("-")


class _PackageReader:
    """Reads one package's zip entries within the size limit, collecting problems."""

    def __init__(self, path: Path, archive: zipfile.ZipFile, max_bytes: int) -> None:
        self.path = path
        self.name = str(path)
        self.archive = archive
        self.max_bytes = max_bytes
        self.names = set(archive.namelist())
        self.total = 0

    def refuse(self, message: str) -> BankError:
        return BankError([Problem(self.name, 1, 1, message)])

    def read(self, entry: str, what: str) -> bytes:
        info = self.archive.getinfo(entry)
        limit = f"the limit is {self.max_bytes / 1e6:g} MB"
        if info.file_size > self.max_bytes:
            raise self.refuse(f"{what} is {info.file_size / 1e6:.1f} MB unpacked; {limit}")
        if info.flag_bits & 0x1:
            raise self.refuse(f"{what} is encrypted")
        data = io.BytesIO()
        try:
            with self.archive.open(info) as source:
                while chunk := source.read(_CHUNK):
                    # The header's size is the packer's claim; count what comes out.
                    if data.tell() + len(chunk) > self.max_bytes:
                        raise self.refuse(f"{what} is over {self.max_bytes / 1e6:g} MB; {limit}")
                    data.write(chunk)
        except ZIP_ERRORS as error:
            raise self.refuse(f"{what} is damaged ({error})") from None
        # Each file is within the limit; many of them together must be too, as in a zip.
        self.total += data.tell()
        if self.total > TOTAL_FACTOR * self.max_bytes:
            raise self.refuse(
                f"the package unpacks to over {TOTAL_FACTOR * self.max_bytes / 1e6:g} MB"
            )
        return data.getvalue()

    def collection_entry(self) -> str:
        if _COLLECTION_21 in self.names:
            return _COLLECTION_21
        if _COLLECTION_21B in self.names:
            raise self.refuse(
                "the package is in the compressed format of Anki 2.1.50 and later "
                f"({_COLLECTION_21B}), which cannot be read here; export it again from "
                "Anki with 'Support older Anki versions' ticked"
            )
        if _COLLECTION in self.names:
            return _COLLECTION
        raise self.refuse(
            f"no {_COLLECTION} or {_COLLECTION_21} in the package: not an Anki deck package"
        )

    def media_map(self) -> dict[str, str]:
        """Zip entry -> media file name, each name checked to be a bare file name."""
        if _MEDIA not in self.names:
            return {}
        raw = self.read(_MEDIA, "the media list")
        try:
            found = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (ValueError, RecursionError):  # not UTF-8, not JSON, too deep, huge numbers
            found = None
        if not isinstance(found, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in found.items()
        ):
            raise self.refuse(
                "the media list is not the JSON map of older packages; export the deck "
                "again from Anki with 'Support older Anki versions' ticked"
            )
        problems = [
            Problem(self.name, 1, 1, f"media file '{name}': {message}")
            for name in found.values()
            if (message := _media_name_problem(name))
        ]
        if problems:
            raise BankError(problems)
        if len(found) > MAX_FILES:
            raise self.refuse(
                f"the media list names {len(found):,} files; the most is {MAX_FILES:,}"
            )
        return found


def _media_name_problem(name: str) -> str | None:
    if not name or name in {".", ".."}:
        return "not a file name"
    if "/" in name or "\\" in name:
        return "the name has '/' or '\\': media names must be bare file names"
    if any(ord(c) < 32 for c in name):
        return "the name has control characters"
    return None


def _open_collection(data: bytes, reader: _PackageReader) -> sqlite3.Connection:
    """The collection as a database in memory, every later query on it bounded.

    Only plain tables are read: a view, a trigger, a virtual table or a generated column
    runs the package's own SQL when read, which can be made to run for ever (a recursive
    view) or to build huge values; ``trusted_schema`` does not stop either.
    """
    if len(data) >= 20 and data[18:20] == b"\x02\x02":
        # A database saved in WAL mode: an in-memory copy reads it as a rollback journal.
        data = data[:18] + b"\x01\x01" + data[20:]
    db = sqlite3.connect(":memory:")
    _bound(db, reader.max_bytes)
    try:
        db.deserialize(data)
        db.execute("PRAGMA trusted_schema = OFF")
        _check_schema(db, reader)
        rows = db.execute("SELECT ver FROM col LIMIT 2").fetchall()
    except sqlite3.Error as error:
        db.close()
        raise _database_error(error, reader) from None
    except BankError:
        db.close()
        raise
    version = rows[0][0] if len(rows) == 1 else None
    if len(rows) != 1 or not isinstance(version, int) or version != 11:
        db.close()
        shown = f"schema {version!r}" if len(rows) == 1 else f"{len(rows)} rows in 'col'"
        raise reader.refuse(
            f"the collection has {shown}, not the one row of schema 11 of shared "
            "packages; export it again from Anki with 'Support older Anki versions' ticked"
        )
    return db


def _bound(db: sqlite3.Connection, max_bytes: int) -> None:
    """Give every query on ``db`` a budget of steps, and no value over ``max_bytes``."""
    steps = itertools.count()

    def over_budget() -> int:
        return int(next(steps) >= _STEP_BUDGET)

    db.set_progress_handler(over_budget, _STEPS)
    db.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max(max_bytes, 1_000_000))


def _database_error(error: sqlite3.Error, reader: _PackageReader) -> BankError:
    if "interrupted" in str(error):
        return reader.refuse(
            "the collection takes too long to read: it is not a plain Anki collection"
        )
    return reader.refuse("the collection in the package is not an Anki database")


def _check_schema(db: sqlite3.Connection, reader: _PackageReader) -> None:
    schema = db.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master LIMIT ?", (_MAX_SCHEMA + 1,)
    ).fetchall()
    if len(schema) > _MAX_SCHEMA:
        raise reader.refuse(f"the collection's schema has over {_MAX_SCHEMA} entries")
    kinds: dict[str, str] = {}
    for kind, name, _table, sql in schema:
        if kind in {"view", "trigger"}:
            raise reader.refuse(f"the collection has a {kind} '{name}': only plain tables are read")
        if kind == "table" and re.match(r"\s*create\s+virtual\b", sql or "", re.IGNORECASE):
            raise reader.refuse(
                f"the collection has a virtual table '{name}': only plain tables are read"
            )
        kinds[str(name).lower()] = kind
    for table in _TABLES:
        if kinds.get(table) != "table":
            raise reader.refuse(f"the collection has no table '{table}': not an Anki collection")
        # hidden 2 and 3 are generated columns, computed by the package's SQL when read.
        columns = db.execute("SELECT hidden FROM pragma_table_xinfo(?)", (table,)).fetchall()
        if any(hidden in {2, 3} for (hidden,) in columns):
            raise reader.refuse(
                f"the collection's table '{table}' has a generated column: "
                "only plain tables are read"
            )


def _load_json(text: object, what: str, reader: _PackageReader) -> dict[str, object]:
    """A JSON object from the collection, refused if it is anything else."""
    if not isinstance(text, str):
        raise reader.refuse(f"the collection's {what} are {_kind(text)}, not JSON text")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # not JSON, nested too deep, a number too long
        raise reader.refuse(f"the collection's {what} are not readable JSON") from None
    if not isinstance(value, dict):
        raise reader.refuse(f"the collection's {what} are {_kind(value)}, not a JSON object")
    return value


def _kind(value: object) -> str:
    if value is None:
        return "NULL"
    names = {bool: "true or false", int: "a number", float: "a number", str: "text"}
    names |= {bytes: "binary data", list: "a list", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def _checked_models(models: dict[str, object], reader: _PackageReader) -> dict[str, dict]:
    """The note types, each the JSON object Anki writes, with the keys read here checked."""
    for key, model in models.items():
        where = f"the note type {key[:40]!r}"
        if not isinstance(model, dict):
            raise reader.refuse(f"{where} is {_kind(model)}, not a JSON object")
        kind = model.get("type", 0)
        if type(kind) is not int or kind not in {0, 1}:
            raise reader.refuse(f"{where} has 'type' {_kind(kind)}, not 0 (basic) or 1 (cloze)")
        fields = model.get("flds", [])
        if not isinstance(fields, list) or not all(
            isinstance(field, dict) and isinstance(field.get("name", ""), str) for field in fields
        ):
            raise reader.refuse(f"{where} has 'flds' that is not a list of named fields")
    return models  # type: ignore[return-value]


def _checked_decks(decks: dict[str, object], reader: _PackageReader) -> dict[str, dict]:
    """The decks, each a JSON object whose name, if any, is text of a bounded depth."""
    for key, deck in decks.items():
        where = f"the deck {key[:40]!r}"
        if not isinstance(deck, dict):
            raise reader.refuse(f"{where} is {_kind(deck)}, not a JSON object")
        name = deck.get("name", "")
        if not isinstance(name, str):
            raise reader.refuse(f"{where} has a name that is {_kind(name)}, not text")
        if len(name) > _MAX_DECK_NAME or name.count("::") >= _MAX_DECK_DEPTH:
            raise reader.refuse(
                f"{where} has a name over {_MAX_DECK_NAME} characters or "
                f"{_MAX_DECK_DEPTH} levels deep"
            )
    return decks  # type: ignore[return-value]


_COLUMNS = {
    # table: the columns read, each with the Python type SQLite must give for it
    "notes": (("id", int), ("guid", str), ("mid", int), ("tags", str), ("flds", str)),
    "cards": (("nid", int), ("did", int)),
}


def _rows(
    db: sqlite3.Connection, table: str, order: str, most: int, reader: _PackageReader
) -> list[tuple]:
    """Every row of ``table``, each column checked to be of the type Anki writes."""
    columns = _COLUMNS[table]
    names = ", ".join(name for name, _ in columns)
    rows = db.execute(
        f"SELECT {names} FROM {table} ORDER BY {order} LIMIT ?",  # noqa: S608 (fixed names)
        (most + 1,),
    ).fetchall()
    if len(rows) > most:
        raise reader.refuse(f"the package has over {most:,} {table}; the most is {most:,}")
    for row in rows:
        for (name, wanted), value in zip(columns, row, strict=True):
            if type(value) is not wanted:
                raise reader.refuse(
                    f"a row of '{table}' ({columns[0][0]} {row[0]!r}) has '{name}' {_kind(value)}, "
                    f"not {_kind(wanted())}"
                )
    return rows


_SOUND = re.compile(r"\[sound:[^\]]*\]")
_LIST_MARK = re.compile(r"^(\s*)([-+*]|\d+\.)(?=\s)")
_BREAKS = {"div", "p"}
_DROPPED = {"script", "style"}
_VOID = {"br", "img", "hr", "wbr", "col", "source", "input", "area", "base", "meta", "link"}


def _escape_list_mark(match: re.Match[str]) -> str:
    indent, mark = match.groups()
    escaped = f"{mark[:-1]}\\." if mark.endswith(".") else f"\\{mark}"
    return indent + escaped


class _FieldConverter(HTMLParser):
    """One Anki field (HTML) as Wengu Markdown: the HTML kept, its images as diagrams.

    Anki's editor writes lines as ``<div>``; those become paragraphs, and lists become
    Markdown lists, so that images inside them are Markdown images too. Text is escaped
    where Markdown would read it as markup. Script and style are dropped; everything else
    stays HTML, which Wengu sanitises when it shows it.
    """

    def __init__(self, image: Callable[[str], str | None]) -> None:
        super().__init__(convert_charrefs=True)
        self.image = image
        self.out: list[str] = []
        self.pre = 0
        self.dropped = 0
        self.lists: list[str] = []
        self.images: list[tuple[str, str, str]] = []  # (marked, markdown, alt)

    def at_line_start(self) -> bool:
        text = "".join(self.out[-3:])
        return not text or text.endswith("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropped += 1
        elif self.dropped:
            return
        elif tag == "img":
            values = dict(attrs)
            reference = self.image(values.get("src") or "")
            if reference is not None:
                alt = re.sub(r"[\[\]\\\n]", "", values.get("alt") or "")
                # Marked apart until markdown() has seen which of them Markdown reads.
                marked = f"![{alt}]({reference}#wg-image-{len(self.images)})"
                self.images.append((marked, f"![{alt}]({reference})", alt))
                self.out.append(marked)
        elif tag in _BREAKS and not self.pre:
            self.out.append("\n\n")
        elif tag in {"ul", "ol"} and not self.pre:
            self.lists.append(tag)
            self.out.append("\n\n")
        elif tag == "li" and self.lists and not self.pre:
            indent = "    " * (len(self.lists) - 1)
            self.out.append(f"\n{indent}{'1.' if self.lists[-1] == 'ol' else '-'} ")
        else:
            if tag == "pre":
                self.pre += 1
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag in _VOID or self.dropped:
            return
        elif tag in _BREAKS and not self.pre:
            self.out.append("\n\n")
        elif tag in {"ul", "ol"} and not self.pre:
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")
        elif tag == "li" and self.lists and not self.pre:
            return
        else:
            if tag == "pre" and self.pre:
                self.pre -= 1
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        if self.pre:
            self.out.append(html.escape(data, quote=False))
            return
        text = re.sub(r"\s*\n\s*", " ", _SOUND.sub("", data))
        if self.at_line_start():
            text = text.lstrip()
        text = html.escape(text, quote=False)
        text = re.sub(r"([\\`*_\[\]#])", r"\\\1", text)
        if self.at_line_start():
            text = _LIST_MARK.sub(_escape_list_mark, text)
        self.out.append(text)

    def handle_comment(self, data: str) -> None:
        return

    def markdown(self) -> str:
        self.close()
        text = "".join(self.out)
        text = re.sub(r"[^\S\n]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        text = "".join(c for c in text if c in "\n\t" or ord(c) >= 32)
        # An image Markdown does not read (inside a raw HTML block such as a table) would
        # show as its source text: keep its alt text instead.
        seen = set(image_sources(text))
        for marked, markdown, alt in self.images:
            reference = marked[marked.index("](") + 2 : -1]
            text = text.replace(marked, markdown if reference in seen else alt)
        return text


@dataclass(slots=True)
class _Media:
    """The package's media, read on demand: only images that notes show become diagrams."""

    reader: _PackageReader
    entries: dict[str, str]  # file name -> zip entry
    diagrams: dict[str, Diagram]

    def reference(self, source: str) -> str | None:
        """The diagram reference for an ``<img src>``, reading the file the first time."""
        name = source if source in self.entries else unquote(source)
        if name not in self.entries:
            return None
        if posixpath.splitext(name)[1].lower() not in IMAGE_TYPES:
            return None
        path = f"diagrams/{name}"
        if path not in self.diagrams:
            entry = self.entries[name]
            if entry not in self.reader.names:
                return None
            data = self.reader.read(entry, f"media file '{name}'")
            if path.lower().endswith(".svg"):
                problems = svg_problems(data)
                if problems:
                    raise BankError(
                        [
                            Problem(f"{self.reader.name}:{name}", p.line, p.column, message)
                            for p, message in problems
                        ]
                    )
            self.diagrams[path] = Diagram(path, data)
        return f"diagrams/{quote(name)}"


def _markdown(field: str, media: _Media) -> str:
    converter = _FieldConverter(media.reference)
    converter.feed(field)
    return converter.markdown()


def _sections(deck_paths: Iterable[tuple[str, ...]], top: int) -> dict[tuple[str, ...], Section]:
    """A section per deck below the bank's own level ``top``, parents first."""
    paths: set[tuple[str, ...]] = set()
    for path in deck_paths:
        for depth in range(top + 1, len(path) + 1):
            paths.add(path[:depth])
    sections: dict[tuple[str, ...], Section] = {}
    taken: set[str] = set()
    for path in sorted(paths):
        base = _slug(path[-1]) or f"s-{hashlib.sha256('::'.join(path).encode()).hexdigest()[:8]}"
        section_id, counter = base, 2
        while section_id in taken:
            suffix = f"-{counter}"
            section_id, counter = f"{base[: _ID_MAX - len(suffix)]}{suffix}", counter + 1
        taken.add(section_id)
        parent = sections[path[:-1]].id if len(path) - 1 > top else None
        sections[path] = Section(section_id, path[-1], parent)
    return sections


def _question_id(guid: str, taken: set[str]) -> str:
    candidate = "n-" + re.sub(r"[^a-z0-9]", "", guid.lower())
    if candidate == "n-" or candidate in taken or len(candidate) > _ID_MAX:
        candidate = "n-" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:16]
    base, counter = candidate, 2
    while candidate in taken:
        candidate, counter = f"{base}-{counter}", counter + 1
    taken.add(candidate)
    return candidate


_ANSWER_FIELDS = ("back", "answer")
_EXPLANATION_FIELDS = ("explanation", "back extra", "extra")


def read_apkg(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Bank:
    """Read an Anki package of basic and cloze notes as a bank.

    Notes of a cloze note type become ``cloze`` questions (their first field is the text,
    in the same syntax); all others become ``basic`` questions, the first field the prompt
    and the answer the field named Back or Answer, or else the second. A field named
    Explanation, Back Extra or Extra becomes the explanation. Field HTML is
    kept (Wengu sanitises it when shown), but images become Markdown diagram references
    and the image files they show become diagrams; sounds and other media are dropped.
    The deck the notes share names the bank, its subdecks become sections.

    Args:
        path: the ``.apkg`` file.
        max_bytes: the most the collection, or any one media file, may unpack to.

    Returns:
        A bank whose ids, cloze texts and diagram references follow the bank format; the
        caller writes it out and loads it again to check it as any bank is checked.

    Raises:
        BankError: the file is not a package this reads (not a zip, no collection, Anki's
            newer compressed format, unsafe media names, sizes over ``max_bytes``), or a
            note cannot be a question; every problem is listed.
    """
    try:
        archive = zipfile.ZipFile(path)
    except ZIP_ERRORS:
        raise BankError([Problem(str(path), 1, 1, "not an Anki package (a zip archive)")]) from None
    with archive:
        reader = _PackageReader(path, archive, max_bytes)
        entry = reader.collection_entry()
        db = _open_collection(reader.read(entry, f"the collection ({entry})"), reader)
        try:
            bank = _read_collection(db, reader)
        finally:
            db.close()
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return Bank(
        id=bank.id,
        title=bank.title,
        sections=bank.sections,
        questions=bank.questions,
        diagrams=bank.diagrams,
        source=str(path),
        fingerprint=digest.hexdigest(),
    )


def _read_collection(db: sqlite3.Connection, reader: _PackageReader) -> Bank:
    try:
        models_text, decks_text = db.execute("SELECT models, decks FROM col").fetchone()
        notes = _rows(db, "notes", "id", _MAX_NOTES, reader)
        cards = _rows(db, "cards", "nid, ord", _MAX_CARDS, reader)
    except sqlite3.Error as error:
        raise _database_error(error, reader) from None
    models = _checked_models(_load_json(models_text, "note types (models)", reader), reader)
    decks = _checked_decks(_load_json(decks_text, "decks", reader), reader)
    if not notes:
        raise reader.refuse("the package has no notes")
    for _note_id, guid, _model_id, tags, fields_text in notes:
        if len(fields_text) > _MAX_FIELD_CHARS or fields_text.count("\x1f") >= _MAX_FIELDS:
            raise reader.refuse(
                f"note {guid[:40]!r} has over {_MAX_FIELDS} fields or "
                f"{_MAX_FIELD_CHARS:,} characters"
            )
        for what, text in (("guid", guid), ("tags", tags), ("fields", fields_text)):
            if found := UNSTORABLE.search(text):
                raise reader.refuse(
                    f"note {guid[:40]!r} has in its {what} character U+{ord(found.group()):04X}, "
                    "which cannot be stored in a bank"
                )

    deck_of: dict[int, tuple[str, ...]] = {}
    for note_id, deck_id in cards:
        if note_id not in deck_of:
            name = str((decks.get(str(deck_id)) or {}).get("name") or "Default")
            if found := UNSTORABLE.search(name):
                raise reader.refuse(
                    f"deck {name[:40]!r} has in its name character U+{ord(found.group()):04X}, "
                    "which cannot be stored in a bank"
                )
            deck_of[note_id] = tuple(part.strip() for part in name.split("::")) or ("Default",)
    used = [deck_of.get(note[0], ("Default",)) for note in notes]
    tops = {deck[0] for deck in used}
    if len(tops) == 1:
        title, top = next(iter(tops)), 1
    else:
        title, top = "Anki import", 0
    sections = _sections(used, top)

    media = _Media(reader, {name: entry for entry, name in reader.media_map().items()}, diagrams={})
    problems: list[Problem] = []
    questions: list[Question] = []
    taken: set[str] = set()
    for (_note_id, guid, model_id, tags, fields_text), deck in zip(notes, used, strict=True):
        model = models.get(str(model_id)) or {}
        is_cloze = model.get("type") == 1
        fields = fields_text.split("\x1f")
        label = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", fields[0])).strip()[:40]
        try:
            question = _question(
                fields,
                _field_roles(model, is_cloze),
                is_cloze,
                media,
                question_id=_question_id(guid, taken),
                section=sections[deck].id if len(deck) > top else None,
                tags=tuple(dict.fromkeys(tags.split())),
            )
        except ValueError as error:
            problems.append(Problem(reader.name, 1, 1, f"note {guid} ({label!r}): {error}"))
            continue
        questions.append(question)
    if problems:
        raise BankError(problems)
    shown = {
        diagram_path(reference)
        for question in questions
        for text in (question.prompt, question.answer, question.text, question.explanation)
        for reference in image_sources(text or "")
    }
    return Bank(
        # Prefixed, so that bringing a deck in never takes over a bank written in YAML.
        id=f"anki-{_slug(title)}".rstrip("-")[:_ID_MAX].rstrip("-"),
        title=title,
        sections=tuple(sections.values()),
        questions=tuple(questions),
        diagrams=tuple(d for path, d in sorted(media.diagrams.items()) if path in shown),
    )


def _field_roles(model: Mapping[str, object], is_cloze: bool) -> tuple[int, int | None]:
    """Which fields hold the answer and the explanation, by the note type's field names.

    The answer is the field named Back or Answer, else the second; the explanation is one
    named Explanation, Back Extra or Extra after the fields already used, if there is one.
    """
    fields = model.get("flds")
    names = [
        str(field.get("name", "")).lower()
        for field in (fields if isinstance(fields, list) else [])
        if isinstance(field, dict)
    ]
    answer = next((i for i, name in enumerate(names) if i > 0 and name in _ANSWER_FIELDS), 1)
    used = 0 if is_cloze else answer
    explanation = next(
        (i for i, name in enumerate(names) if i > used and name in _EXPLANATION_FIELDS), None
    )
    return answer, explanation


def _question(
    fields: list[str],
    roles: tuple[int, int | None],
    is_cloze: bool,
    media: _Media,
    *,
    question_id: str,
    section: str | None,
    tags: tuple[str, ...],
) -> Question:
    """One note as a question.

    Raises:
        ValueError: why the note cannot be a question.
    """
    answer_field, explanation_field = roles
    explanation = None
    if explanation_field is not None and explanation_field < len(fields):
        explanation = _markdown(fields[explanation_field], media) or None
    if is_cloze:
        text = _markdown(fields[0], media)
        if "image-occlusion:" in text:
            raise ValueError("image occlusion notes cannot be questions")
        try:
            parse_cloze(text)
        except ClozeError as error:
            raise ValueError(f"the cloze text cannot be read: {error}") from None
        return Question(
            id=question_id,
            type="cloze",
            section=section,
            tags=tags,
            explanation=explanation,
            text=text,
        )
    prompt = _markdown(fields[0], media)
    answer = _markdown(fields[answer_field], media) if answer_field < len(fields) else ""
    if not prompt:
        raise ValueError("the first field (the prompt) is empty")
    if not answer:
        raise ValueError("the second field (the answer) is empty")
    return Question(
        id=question_id,
        type="basic",
        section=section,
        tags=tags,
        explanation=explanation,
        prompt=prompt,
        answer=answer,
    )

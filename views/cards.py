"""Cards as the review page and the API show them: rendered faces, intervals, counts."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import current_app, get_template_attribute, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup
from sqlalchemy import and_, bindparam, select

from models import Bank, Card, Diagram, Question, Section, User, db
from services.bank_edit import owns_bank
from services.context import rows
from services.driver import DriverStatement, Record
from services.load import DueLoad
from services.notes import bank_notes
from srs.bank import DIAGRAM_FOLDER, diagram_path
from srs.faces import Kept, face_key, serve
from srs.notes import Notes, Passage, resolve
from srs.occlusion import MaskQueryError, parse_mask_query
from srs.questions import PARTLY_RIGHT, Verdict, card_faces, question_type, showing_seed
from srs.questions.words import bank_words, speaks
from srs.render import DiagramResolver, render_markdown, render_problems
from srs.scheduler import STATE_NAMES, Rating, preview_intervals
from srs.study import Counts

__all__ = [
    "card_payload",
    "diagram_url",
    "markdown_for",
    "new_review_token",
    "passage_payload",
    "shown_question",
    "source_location",
    "token_card_id",
    "truth_choices",
]


# One macro per question type, which words a card's answer side in the page's language.
_TYPES = "questions/_types.html"


@lru_cache(maxsize=256)
def _diagram_paths(bank_id: str, fingerprint: str) -> frozenset[str]:
    """The bank's diagram paths; ``fingerprint`` changes with every import that changes them."""
    return frozenset(db.session.scalars(select(Diagram.path).where(Diagram.bank_id == bank_id)))


@lru_cache(maxsize=256)
def _resolver(bank_id: str, fingerprint: str, prefix: str) -> DiagramResolver:
    """The bank's diagram URLs; the same until the bank changes."""
    paths = _diagram_paths(bank_id, fingerprint)

    def resolve(reference: str) -> str | None:
        # An occlusion card's diagram carries its mask in the query (srs.occlusion).
        base, _, query = reference.partition("?")
        try:
            masked = bool(query) and parse_mask_query(query) is not None
        except MaskQueryError:
            return None
        path = diagram_path(base if masked else reference)
        if path not in paths:
            return None
        url = prefix + _served_path(path)
        return f"{url}?{query}" if masked else url

    return resolve


# Room for every text of several large banks (prompt, answer and explanation of each
# question): a worker renders each once, however many learners it serves.
@lru_cache(maxsize=65536)
def _rendered(text: str, bank_id: str, fingerprint: str, prefix: str) -> str:
    """Markdown rendered for a bank; the same text renders the same until the bank changes."""
    return render_markdown(text, _resolver(bank_id, fingerprint, prefix))


def _served_path(path: str) -> str:
    """A diagram's path below the bank's ``diagrams/`` route: its folder is not said twice."""
    return path.removeprefix(f"{DIAGRAM_FOLDER}/")


def diagram_url(bank_id: str, path: str) -> str:
    """The URL of the bank's diagram at ``path`` (``diagrams/engine.svg`` is served at
    ``/banks/BANK/diagrams/engine.svg``; a file elsewhere in the bank by its own path)."""
    return url_for("banks.diagram", bank_id=bank_id, path=_served_path(path))


def markdown_for(
    bank_id: str, kept: Mapping[str, Kept] | None = None
) -> Callable[[str | None], Markup]:
    """A Markdown renderer whose diagram paths resolve to ``bank_id``'s diagram route.

    A text among ``kept`` (its questions' renderings, :mod:`srs.faces`) is served from
    there; any other is rendered, cached per bank version (its fingerprint), since a card's
    text is shown again and again and only changes when its bank is imported.
    """
    bank = db.session.get(Bank, bank_id)
    return _markdown(bank_id, bank.fingerprint if bank is not None else "", kept)


def _markdown(
    bank_id: str, fingerprint: str, kept: Mapping[str, Kept] | None = None
) -> Callable[[str | None], Markup]:
    prefix = url_for("banks.diagram", bank_id=bank_id, path="")

    def render(text: str | None) -> Markup:
        text = text or ""
        if kept and (key := face_key(text)) in kept:
            html = serve(kept[key], text, _resolver(bank_id, fingerprint, prefix))
        else:
            html = _rendered(text, bank_id, fingerprint, prefix)
        return Markup(html)  # noqa: S704 (sanitised by nh3)

    return render


# The path between a passage's heading titles, as a card shows it.
PATH_SHOWN = " › "


@lru_cache(maxsize=64)
def _notes(bank_id: str, fingerprint: str) -> tuple[Notes, ...]:
    """The bank's notes; ``fingerprint`` changes with every import that changes them."""
    return bank_notes(db.session, bank_id)


def _source_link(bank_id: str, fingerprint: str, ref: str) -> dict[str, str] | None:
    """What a card says of the passage it comes from: short, the passage itself a request
    away; ``None`` should the ref name no heading of the notes as stored."""
    found = resolve(_notes(bank_id, fingerprint), ref)
    if not isinstance(found, Passage):
        return None
    return {
        "ref": ref,
        "title": PATH_SHOWN.join(found.heading.path),
        "url": url_for("api.passage", bank_id=bank_id, ref=ref),
    }


# A Markdown image: its alt text and its target. Each part taken whole (possessive): the
# target and what follows it match the same characters, and tried at every split of each
# other the text of a few thousand "![a](" took minutes.
_IMAGE = re.compile(r"!\[([^\]\n]*+)\]\(\s*+<?([^)>\s]*+)>?[^)\n]*+\)")


def _lost_figures_named(bank_id: str, text: str) -> str:
    """``text`` with each image that is not one of the bank's diagrams (notes keep pictures
    the bank does not ship) said to be missing, instead of its file name or "Untitled"."""
    bank = db.session.get(Bank, bank_id)
    resolve = _resolver(bank_id, bank.fingerprint if bank is not None else "", "/")
    missing = _("(a figure of the notes, not included)")

    def named(image: re.Match[str]) -> str:
        return image[0] if resolve(image[2]) is not None else f"![{missing}]({image[2]})"

    return _IMAGE.sub(named, text)


def passage_payload(bank_id: str, passage: Passage) -> dict[str, Any] | None:
    """A passage of the bank's notes as the API shows it, rendered as explanations are;
    ``None`` should it not render (notes imported before passages were checked)."""
    heading = passage.heading
    bank = db.session.get(Bank, bank_id)
    # A heading with no text of its own (an outline's heading) shows its subsections.
    shown = heading.shown
    html = _passage_html(bank_id, bank.fingerprint if bank is not None else "", shown)
    if html is None:
        return None
    return {
        "ref": passage.ref,
        "file": passage.file,
        "title": PATH_SHOWN.join(heading.path),
        "path": list(heading.path),
        "line": heading.line,
        "html": html,
    }


@lru_cache(maxsize=256)
def _passage_html(bank_id: str, fingerprint: str, text: str) -> str | None:
    """A passage rendered, or ``None`` when it cannot be: remembered either way, so that a
    passage that fails is not rendered again on every request."""
    if render_problems(text):
        return None
    return str(markdown_for(bank_id)(_lost_figures_named(bank_id, text)))


def inline_html(html: str) -> str:
    """One paragraph's HTML without its <p>, for a choice or an item in a list."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="wengu-review-token")


def new_review_token(card_id: int) -> str:
    """A token for one answer to ``card_id``: sending it twice counts once."""
    return _serializer().dumps([card_id, secrets.token_urlsafe(9)])


def token_card_id(token: str) -> int | None:
    """The card a review token was made for, or ``None`` if it is not one of ours."""
    try:
        card_id, _ = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return card_id if isinstance(card_id, int) else None


# A card's question with what its faces need: the bank's version (for the Markdown cache),
# the section's title, and whether the learner edits the bank (with where it is kept), in
# one query. Every card sent reads it: run on the driver's cursor (services.driver), the
# question's columns a row, not an ORM object.
_SHOWN = DriverStatement(
    select(
        Question.bank_id,
        Question.key,
        Question.type,
        Question.content,
        Question.tags,
        Question.explanation,
        Question.passage,
        Question.source,
        Question.line,
        Question.faces,
        Bank.fingerprint,
        Bank.language,
        Section.title.label("section"),
        owns_bank(bindparam("user")).label("owner"),
        Bank.source.label("bank_source"),
    )
    .join(Bank, Bank.id == Question.bank_id)
    .outerjoin(
        Section, and_(Section.bank_id == Question.bank_id, Section.key == Question.section_key)
    )
    .where(Question.id == bindparam("question"))
)


def shown_question(card: Card, user: User) -> Record:
    """What :func:`card_payload` shows of ``card``'s question: read it inside the
    transaction that picked the card, and the payload built after the commit reads nothing
    (no second transaction for a read of one row)."""
    return _SHOWN.first(rows(db.session), {"question": card.question_id, "user": user.id})


def card_payload(
    card: Card,
    user: User,
    now: datetime,
    counts: Counts,
    load: DueLoad | None = None,
    question: Record | None = None,
) -> dict[str, Any]:
    """The card as JSON: both faces rendered, each rating's interval (over ``load``, the
    learner's due cards by day), today's counts; ``question`` is :func:`shown_question`'s."""
    question = question if question is not None else shown_question(card, user)
    fingerprint = question.fingerprint
    # A new shuffle for each showing: reps counts the card's answers (undo takes one back).
    seed = showing_seed(card.id, card.reps)
    faces = card_faces(question.type, question.content, card.ordinal, seed, question.language)
    md = _markdown(question.bank_id, fingerprint, question.faces)
    # The same load the answer will read (services.answers), so the buttons show its days.
    load = load if load is not None else DueLoad(db.session, user, now)
    settings = user.study_settings()
    intervals = preview_intervals(settings, card.schedule(), now, card_id=card.id, load=load)
    payload: dict[str, Any] = {
        "card_id": card.id,
        "bank": question.bank_id,
        "question": question.key,
        "type": question.type,
        "state": STATE_NAMES[card.state],
        "section": question.section,
        "tags": question.tags,
        "prompt_html": str(md(faces.front)),
        "answer_html": str(
            get_template_attribute(_TYPES, question.type)("back", md=md, faces=faces)
        ),
        "explanation_html": str(md(question.explanation)) if question.explanation else "",
        "intervals": {
            rating.name.lower(): int(intervals[rating].total_seconds()) for rating in Rating
        },
        "counts": counts.to_dict(),
        "review_token": new_review_token(card.id),
    }
    if faces.choices:
        payload["choices"] = [inline_html(str(md(choice))) for choice in faces.choices]
    if faces.items:
        payload["items"] = [
            {"index": i, "html": inline_html(str(md(text)))} for i, text in faces.items
        ]
    if question_type(question.type).checks_in_review(question.content):
        # What the page checks the answer against, and the grade each verdict suggests.
        payload["check"] = dict(faces.check)
        payload["suggest"] = {
            "right": int(Verdict.of(True).rating),
            "partly": int(Verdict(False, PARTLY_RIGHT).rating),
            "wrong": int(Verdict.of(False).rating),
        }
    if question.passage and (
        source := _source_link(question.bank_id, fingerprint, question.passage)
    ):
        payload["source"] = source
    if user.is_admin or question.owner:  # services.bank_edit.may_edit, read with it
        payload["edit"] = _edit_link(question)
    return payload


def _edit_link(question: Record) -> dict[str, Any]:
    """Where an admin or the bank's group owner edits the card's question (a row of
    ``_SHOWN``)."""
    path = source_location(question.bank_source, question.source)
    template = current_app.config.get("WENGU_EDIT_URL")
    return {
        "path": path,
        "line": question.line,
        "url": template.format(path=path, line=question.line)
        if template
        else url_for("banks.edit", bank_id=question.bank_id, key=question.key),
    }


def truth_choices(language: str | None) -> tuple[str, str] | None:
    """True and false in a bank's language, or ``None`` to word them in the page's."""
    if not speaks(language):
        return None
    words = bank_words(language)
    return words["true"], words["false"]


def source_location(bank_source: str, file: str) -> str:
    """The file a question is written in: its bank's path joined with the file's name."""
    if not file or bank_source.endswith((".yaml", ".yml")):
        return bank_source
    return f"{bank_source.rstrip('/')}/{file}"

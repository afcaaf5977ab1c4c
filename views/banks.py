"""Banks: the list, one bank's questions rendered, its diagram files and its exports."""

from __future__ import annotations

import hashlib
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import delete, func, select
from sqlalchemy.orm import undefer

from models import Bank, Diagram, LeftBank, Question, Section, db
from models.types import now_utc
from services.bank_edit import may_edit
from services.bank_export import anki_options, stored_bank
from services.bank_import import bank_summaries
from services.bank_restore import retired_questions
from services.notes import bank_coverage
from services.queue import studied_bank
from srs.bank import DIAGRAM_FOLDER, diagram_path
from srs.cloze import render_cloze
from srs.coverage import HeadingCoverage
from srs.export import export_bank
from srs.occlusion import LabelError, MaskQueryError, mask_query, occlude, parse_mask_query
from srs.questions.occlusion import masked_whole
from srs.quiz import section_outline
from views import editor
from views.cards import diagram_url, markdown_for, truth_choices
from views.inputs import safe_referrer, unstorable

bp = Blueprint("banks", __name__)
# A diagram question on a bank's page shows its diagram with the labels it asks masked.
bp.add_app_template_global(masked_whole)
for _rule, _endpoint, _view, _methods in editor.ROUTES:
    bp.add_url_rule(_rule, _endpoint, _view, methods=_methods)

# A diagram is shown by <img>, but opened on its own it is a document: it gets no power
# beyond drawing itself, whatever it contains.
_DIAGRAM_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _visible_bank(bank_id: str) -> Bank:
    """The bank, unless it does not exist or an admin hid it from learners (then 404)."""
    bank = db.get_or_404(Bank, bank_id, description=_("There is no bank '%(bank)s'.", bank=bank_id))
    if bank.hidden and not current_user.is_admin:
        abort(404, description=_("There is no bank '%(bank)s'.", bank=bank_id))
    return bank


@bp.get("/banks")
@login_required
def index() -> str:
    """The banks on this server: which the learner studies, and their sections."""
    left = set(
        db.session.scalars(select(LeftBank.bank_id).where(LeftBank.user_id == current_user.id))
    )
    sections = dict(
        db.session.execute(select(Section.bank_id, func.count()).group_by(Section.bank_id)).all()
    )
    return render_template(
        "banks/index.html",
        summaries=bank_summaries(db.session, hidden=False),
        left=left,
        sections=sections,
    )


@bp.post("/banks/<bank_id>/leave")
@login_required
def leave(bank_id: str) -> Response:
    """Stop studying a bank; its cards and history are kept for when you come back."""
    bank = _visible_bank(bank_id)
    if db.session.get(LeftBank, (current_user.id, bank_id)) is None:
        db.session.add(LeftBank(user_id=current_user.id, bank_id=bank_id, left_at=now_utc()))
        db.session.commit()
    flash(
        _("You left %(bank)s. Your progress is kept if you add it again.", bank=bank.title), "info"
    )
    return redirect(safe_referrer(url_for("banks.index")))


@bp.post("/banks/<bank_id>/join")
@login_required
def join(bank_id: str) -> Response:
    """Study a bank again (or for the first time)."""
    bank = _visible_bank(bank_id)
    db.session.execute(
        delete(LeftBank).where(LeftBank.user_id == current_user.id, LeftBank.bank_id == bank_id)
    )
    db.session.commit()
    flash(_("You study %(bank)s.", bank=bank.title), "success")
    return redirect(safe_referrer(url_for("banks.index")))


@bp.get("/banks/<bank_id>")
@login_required
def show(bank_id: str) -> str:
    """One bank: its outline and every active question, rendered."""
    bank = _visible_bank(bank_id)
    questions = db.session.scalars(
        select(Question)
        .options(undefer(Question.faces))
        .where(Question.bank_id == bank_id, Question.retired.is_(False))
        .order_by(Question.position)
    ).all()
    kept = {key: html for question in questions for key, html in (question.faces or {}).items()}
    by_section: dict[str | None, list[Question]] = {}
    for question in questions:
        by_section.setdefault(question.section_key, []).append(question)
    depth: dict[str, int] = {}
    for section in bank.sections:
        depth[section.key] = depth.get(section.parent_key, -1) + 1 if section.parent_key else 0
    can_edit = may_edit(db.session, current_user, bank_id)
    # One count per section everywhere (quiz setup, this page): its questions and its subsections'.
    outline = section_outline(
        [(section.key, section.title, section.parent_key) for section in bank.sections],
        [question.section_key for question in questions],
    )
    # How the questions cover the bank's notes, for those who write them (none: no notes).
    coverage = bank_coverage(db.session, bank_id) if can_edit else None
    if coverage is not None and not coverage.headings:
        coverage = None
    return render_template(
        "banks/show.html",
        bank=bank,
        by_section=by_section,
        in_section={entry.key: entry.questions for entry in outline},
        question_count=len(questions),
        depth=depth,
        md=markdown_for(bank_id, kept),
        cloze=render_cloze,
        truth=truth_choices(bank.language),
        can_edit=can_edit,
        studying=studied_bank(db.session, current_user, bank_id) is not None,
        retired=retired_questions(db.session, bank_id) if can_edit else [],
        coverage=coverage,
        coverage_files=_by_file(coverage.headings) if coverage else [],
    )


def _by_file(entries: Sequence[HeadingCoverage]) -> list[tuple[str, list[HeadingCoverage]]]:
    """The coverage report's headings grouped by notes file, in the bank's order."""
    files: dict[str, list[HeadingCoverage]] = {}
    for entry in entries:
        files.setdefault(entry.file, []).append(entry)
    return list(files.items())


_DOWNLOADS = {
    # name in the URL: (format, file suffix, media type)
    "apkg": ("apkg", "apkg", "application/octet-stream"),
    "csv": ("csv", "csv", "text/csv"),  # Werkzeug adds "; charset=utf-8"
    "json": ("json", "json", "application/json"),
    "yaml": ("yaml", "zip", "application/zip"),
}


@bp.get("/banks/<bank_id>/export/<kind>")
@login_required
def export(bank_id: str, kind: str) -> Response:
    """Download a bank: Anki package, CSV, JSON, or the YAML folder zipped."""
    if kind not in _DOWNLOADS:
        abort(
            404,
            description=_("There is no '%(kind)s' export: try apkg, csv, json or yaml.", kind=kind),
        )
    _visible_bank(bank_id)
    bank = stored_bank(db.session, bank_id)
    if bank is None:
        abort(404, description=_("There is no bank '%(bank)s'.", bank=bank_id))
    fmt, suffix, media_type = _DOWNLOADS[kind]
    options: dict[str, Any] = {}
    name = bank.id
    if kind == "apkg":
        with_schedule = request.args.get("scheduling") == "1"
        options = anki_options(db.session, bank_id, current_user if with_schedule else None)
        # Told apart in the downloads folder from the package without a schedule.
        name = f"{bank.id}-with-schedule" if with_schedule else bank.id
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"{name}.{suffix}"
        export_bank(bank, fmt, target, **options)
        data = target.read_bytes()
    return send_file(
        io.BytesIO(data),
        mimetype=media_type,
        as_attachment=True,
        download_name=f"{name}.{suffix}",
    )


@bp.get("/banks/<bank_id>/questions/<key>/source")
@login_required
def source(bank_id: str, key: str) -> Response:
    """Where a question is written: now its editor (the address older links carry)."""
    editor.editable_bank(bank_id)
    return redirect(url_for("banks.edit", bank_id=bank_id, key=key))


@bp.get("/banks/<bank_id>/diagrams/<path:path>")
@login_required
def diagram(bank_id: str, path: str) -> Response:
    """A diagram file of a bank, served from the database and nothing else; an SVG with
    an occlusion mask in the query (``?ask=…``) is served masked."""
    wanted = diagram_path(path)
    # The reference is percent-decoded once more here (as in a bank's Markdown), past the
    # check every request passes: %2500 arrives as %00 and becomes a NUL.
    if unstorable(wanted):
        return Response(_("No such diagram."), status=404, mimetype="text/plain")
    # The URL names a file of the bank's diagrams folder below the route's own "diagrams"
    # (views.cards.diagram_url); a file elsewhere in the bank by its path in the bank.
    found = _diagram(bank_id, f"{DIAGRAM_FOLDER}/{wanted}")
    if found is None:
        found = _diagram(bank_id, wanted)
        if found is not None and wanted.startswith(f"{DIAGRAM_FOLDER}/"):
            # The old URL, folder named twice (/diagrams/diagrams/…), kept in offline
            # caches and saved pages: sent on to the one URL.
            query = request.query_string.decode()
            return redirect(diagram_url(bank_id, wanted) + (f"?{query}" if query else ""), 301)
    if found is None:
        return Response(_("No such diagram."), status=404, mimetype="text/plain")
    data, etag = found.data, found.sha256
    try:
        mask = parse_mask_query(request.args.to_dict(flat=False)) if request.args else None
    except MaskQueryError as error:
        # Never the plain diagram for a query it cannot read: that would show the answer.
        return Response(str(error), status=400, mimetype="text/plain")
    if mask is not None:
        # An occlusion card's side: the diagram with its labels masked (srs.occlusion); it
        # parsed when its bank was imported, so it parses now. A mask that names a label
        # the diagram lacks is no diagram at all, rather than one that hides nothing.
        try:
            if found.media_type != "image/svg+xml":
                raise LabelError("only an SVG diagram can be masked")
            data = occlude(found.data, mask)
        except LabelError:
            return Response(_("No such diagram."), status=404, mimetype="text/plain")
        etag = hashlib.sha256(f"{found.sha256}?{mask_query(mask)}".encode()).hexdigest()
    response = Response(data, mimetype=found.media_type)
    response.set_etag(etag)
    # Behind sign-in: a shared cache (a proxy, a CDN) may not keep it for others.
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Content-Security-Policy"] = _DIAGRAM_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)


def _diagram(bank_id: str, path: str) -> Diagram | None:
    """The bank's diagram at ``path``, if the learner may see its bank."""
    query = select(Diagram).where(Diagram.bank_id == bank_id, Diagram.path == path)
    if not current_user.is_admin:
        query = query.join(Bank, Bank.id == Diagram.bank_id).where(Bank.hidden.is_(False))
    return db.session.scalar(query)

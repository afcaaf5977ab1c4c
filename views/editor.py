"""The question editor of the banks pages: edit, add and retire a question in the browser,
with its preview and the bank's checks as one types; for admins and a group's owners.

The routes are the banks blueprint's (``views.banks`` adds them as ``ROUTES``).
"""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

import srs.bank
from models import Bank, db
from services.bank_edit import (
    EditConflictError,
    EditProblem,
    EditRefusedError,
    add_question,
    check_draft,
    may_edit,
    new_question_files,
    question_source,
    retire_question,
    save_question,
)
from services.bank_restore import restore_question, retired_question
from services.bank_source import open_source, source_zip
from services.notes import bank_notes
from srs.cloze import render_cloze
from srs.lint.passages import has_words
from srs.questions import QUESTION_TYPES
from srs.yamledit import YamlEditError
from views.cards import markdown_for, truth_choices
from views.question_form import form_fields, form_text, form_values

__all__ = ["ROUTES", "editable_bank"]


def editable_bank(bank_id: str) -> Bank:
    """The bank, if the signed-in learner may edit it: 404 if it is not theirs to see, 403
    if they may see it but not edit it."""
    missing = _("There is no bank '%(bank)s'.", bank=bank_id)
    bank = db.get_or_404(Bank, bank_id, description=missing)
    if bank.hidden and not current_user.is_admin:
        abort(404, description=missing)
    if not may_edit(db.session, current_user, bank_id):
        abort(403, description=_("Only admins and the owners of its groups edit this bank."))
    return bank


def _max_bytes() -> int:
    return int(current_app.config["WENGU_MAX_BANK_BYTES"])


def _said(problem: EditProblem) -> dict[str, Any]:
    """A problem as the page shows it: the form's own checks in the interface's language
    (``lang`` ``None``), the bank's in English as ``bank check`` says them."""
    said = problem.to_dict() | {"lang": "en"}
    if problem.code == "required":
        said |= {"message": _("This is required."), "lang": None, "where": ""}
    elif problem.code == "id-format":
        said |= {
            "message": _(
                "An id is lowercase letters, digits and “-”, starting with a letter or a digit,"
                " at most 64 characters."
            ),
            "lang": None,
        }
    elif problem.code == "id-used":
        said |= {
            "message": _(
                "This bank has used the id “%(id)s” before (perhaps for a question now"
                " retired): choose another.",
                id=request.form.get("id", "").strip(),
            ),
            "lang": None,
        }
    if problem.key is not None:
        said["where"] = ""  # beside its field: the file's line says nothing more
    return said


def _preview(bank: Bank, question: srs.bank.Question) -> str:
    """The question as the bank page and review render it (the same macros)."""
    shown = SimpleNamespace(
        key=question.id,
        type=question.type,
        tags=question.tags,
        content=question.content(),
        explanation=question.explanation,
        bank=bank,
    )
    return render_template(
        "banks/_preview.html",
        q=shown,
        md=markdown_for(bank.id),
        cloze=render_cloze,
        truth=truth_choices(bank.language),
    )


def _page(
    bank: Bank,
    type_name: str,
    texts: dict[str, str],
    *,
    key: str | None = None,
    version: str = "",
    where: str = "",
    problems: tuple[EditProblem, ...] = (),
    preview: str = "",
) -> str:
    fields = form_fields(type_name)
    files = {} if key else new_question_files(db.session, bank)
    return render_template(
        "banks/editor.html",
        bank=bank,
        key=key,
        kind=type_name,
        types=QUESTION_TYPES,
        fields=fields,
        texts=texts,
        version=version,
        where=where,
        problems=[SimpleNamespace(**_said(problem)) for problem in problems],
        preview=preview,
        diagrams=[diagram.path for diagram in bank.diagrams],
        files=files,
        passages=_passages(bank.id),
    )


def _passages(bank_id: str) -> list[SimpleNamespace]:
    """Each heading of the bank's notes with words to read, as a ``source`` names it
    (``FILE#anchor``, the file by its base name where no other notes file has it), with its
    titles, to choose from in the ``source`` field."""
    notes = bank_notes(db.session, bank_id)
    names = [n.name for n in notes]
    return [
        SimpleNamespace(
            ref=f"{n.name if names.count(n.name) == 1 else n.file}#{h.anchor}",
            label=" › ".join(h.path),
        )
        for n in notes
        for h in n.headings
        if has_words(h.shown)  # a heading with nothing to read is no passage to cite
    ]


@login_required
def edit(bank_id: str, key: str) -> str | tuple[str, int]:
    """The editor of one question, filled in from its YAML."""
    bank = editable_bank(bank_id)
    found = question_source(db.session, bank, key)
    if found is None:
        return _retired_page(bank, key)
    type_name = str(found.values.get("type"))
    texts = {f.name: form_text(f, found.values.get(f.name)) for f in form_fields(type_name)}
    checked = check_draft(db.session, bank, key, form_values(type_name, texts), _max_bytes())
    db.session.rollback()  # a check writes nothing
    preview = _preview(bank, checked.question) if checked.question else ""
    return _page(
        bank, type_name, texts, key=key, version=found.version, where=found.file, preview=preview
    )


def _posted_type(default: str) -> str:
    type_name = request.form.get("type") or request.args.get("type") or default
    if type_name not in QUESTION_TYPES:
        abort(400, description=_("There is no question type '%(type)s'.", type=type_name))
    return type_name


def _new_values(type_name: str) -> dict[str, Any]:
    return {"id": request.form.get("id", "").strip(), "type": type_name} | form_values(
        type_name, request.form
    )


def _refusal(error: EditRefusedError | YamlEditError) -> tuple[EditProblem, ...]:
    """What a refused save or add says, as problems for the form."""
    if isinstance(error, EditRefusedError):
        return error.problems
    return (EditProblem(None, "", str(error)),)


def _posted_texts(type_name: str) -> dict[str, str]:
    """The form's fields as posted, to show again beside their problems."""
    return {f.name: request.form.get(f.name, "") for f in form_fields(type_name)}


@login_required
def save(bank_id: str, key: str) -> Response | tuple[str, int]:
    """Save the question: its YAML rewritten in place and the bank imported again."""
    bank = editable_bank(bank_id)
    type_name = _posted_type("basic")
    values = form_values(type_name, request.form)
    try:
        save_question(db.session, bank, key, values, request.form.get("version", ""), _max_bytes())
    except EditConflictError as conflict:
        return render_template(
            "banks/conflict.html", bank=bank, key=key, theirs=conflict.theirs, mine=conflict.mine
        ), 409
    except (EditRefusedError, YamlEditError) as error:
        problems = _refusal(error)
        texts = _posted_texts(type_name)
        return _page(
            bank,
            type_name,
            texts,
            key=key,
            version=request.form.get("version", ""),
            problems=problems,
        ), 422
    flash(_("Saved %(key)s; the bank was imported again.", key=key), "success")
    return redirect(url_for("banks.show", bank_id=bank_id, _anchor=f"q-{key}"))


@login_required
def check(bank_id: str, key: str | None = None) -> Response:
    """The draft in the form, checked: its preview, its problems and lint warnings, by key."""
    bank = editable_bank(bank_id)
    type_name = _posted_type("basic")
    values = _new_values(type_name) if key is None else form_values(type_name, request.form)
    checked = check_draft(db.session, bank, key, values, _max_bytes())
    db.session.rollback()  # a check writes nothing
    return jsonify(
        ok=not checked.problems,
        preview=_preview(bank, checked.question) if checked.question else "",
        problems=[_said(problem) for problem in checked.problems],
        warnings=[_said(warning) for warning in checked.warnings],
    )


@login_required
def new(bank_id: str) -> str:
    """The editor of a new question: its type and section chosen first."""
    bank = editable_bank(bank_id)
    type_name = _posted_type("basic")
    texts = {
        "section": request.args.get("section", ""),
        "source": request.args.get("source", ""),  # "Add one" beside a gap in the coverage
        "id": "",
    }
    return _page(bank, type_name, texts)


@login_required
def add(bank_id: str) -> Response | tuple[str, int]:
    """Add the question: written after the last of its section, the bank imported again."""
    bank = editable_bank(bank_id)
    type_name = _posted_type("basic")
    values = _new_values(type_name)
    try:
        add_question(db.session, bank, values, _max_bytes())
    except (EditRefusedError, YamlEditError) as error:
        problems = _refusal(error)
        texts = _posted_texts(type_name)
        return _page(bank, type_name, texts | {"id": values["id"]}, problems=problems), 422
    flash(_("Added %(key)s.", key=values["id"]), "success")
    return redirect(url_for("banks.show", bank_id=bank_id, _anchor=f"q-{values['id']}"))


@login_required
def confirm_retire(bank_id: str, key: str) -> str:
    """Ask before a question is retired."""
    bank = editable_bank(bank_id)
    found = question_source(db.session, bank, key)
    db.session.rollback()
    if found is None:
        abort(
            404,
            description=_("There is no question '%(key)s' in '%(bank)s'.", key=key, bank=bank_id),
        )
    return render_template("banks/retire.html", bank=bank, key=key, found=found)


@login_required
def retire(bank_id: str, key: str) -> Response | tuple[str, int]:
    """Retire the question: out of its file, its cards and history kept."""
    bank = editable_bank(bank_id)
    try:
        retire_question(db.session, bank, key, request.form.get("version", ""), _max_bytes())
    except EditConflictError as conflict:
        return render_template(
            "banks/conflict.html", bank=bank, key=key, theirs=conflict.theirs, mine=None
        ), 409
    except EditRefusedError as error:
        found = question_source(db.session, bank, key)
        db.session.rollback()
        return render_template(
            "banks/retire.html", bank=bank, key=key, found=found, problems=error.problems
        ), 422
    flash(_("Retired %(key)s: its cards and their history are kept.", key=key), "success")
    return redirect(url_for("banks.show", bank_id=bank_id))


def _retired_page(
    bank: Bank, key: str, problems: tuple[EditProblem, ...] = ()
) -> str | tuple[str, int]:
    """A retired question's page, with its Restore button; 404 if the bank never had it."""
    retired = retired_question(db.session, bank.id, key)
    db.session.rollback()
    if retired is None:
        abort(
            404,
            description=_("There is no question '%(key)s' in '%(bank)s'.", key=key, bank=bank.id),
        )
    shown = [SimpleNamespace(**_said(problem)) for problem in problems]
    page = render_template("banks/retired.html", bank=bank, retired=retired, problems=shown)
    return (page, 422) if problems else page


@login_required
def restore(bank_id: str, key: str) -> Response | str | tuple[str, int]:
    """Bring a retired question back: written into the YAML from its stored fields, the
    bank imported again, its cards and their reviews as they were."""
    bank = editable_bank(bank_id)
    if retired_question(db.session, bank.id, key) is None:
        db.session.rollback()
        abort(404, description=_("There is no retired question '%(key)s'.", key=key))
    try:
        restore_question(db.session, bank, key, _max_bytes())
    except (EditRefusedError, YamlEditError) as error:
        problems = (
            error.problems
            if isinstance(error, EditRefusedError)
            else (EditProblem(None, "", str(error)),)
        )
        return _retired_page(bank, key, problems)
    flash(_("Restored %(key)s, with its cards and their history.", key=key), "success")
    return redirect(url_for("banks.show", bank_id=bank_id, _anchor=f"q-{key}"))


@login_required
def download_source(bank_id: str) -> Response:
    """The bank's YAML files as they now stand, with its diagrams, zipped."""
    bank = editable_bank(bank_id)
    data = source_zip(db.session, open_source(db.session, bank))
    db.session.rollback()
    return send_file(
        io.BytesIO(data),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{bank.id}-source.zip",
    )


# (rule, endpoint, view, methods), added to the banks blueprint.
ROUTES = (
    ("/banks/<bank_id>/questions/<key>/edit", "edit", edit, ["GET"]),
    ("/banks/<bank_id>/questions/<key>/edit", "save", save, ["POST"]),
    ("/banks/<bank_id>/questions/<key>/check", "check", check, ["POST"]),
    ("/banks/<bank_id>/questions/<key>/retire", "confirm_retire", confirm_retire, ["GET"]),
    ("/banks/<bank_id>/questions/<key>/retire", "retire", retire, ["POST"]),
    ("/banks/<bank_id>/questions/<key>/restore", "restore", restore, ["POST"]),
    ("/banks/<bank_id>/add", "new", new, ["GET"]),
    ("/banks/<bank_id>/add", "add", add, ["POST"]),
    ("/banks/<bank_id>/add/check", "check_new", check, ["POST"]),
    ("/banks/<bank_id>/source.zip", "download_source", download_source, ["GET"]),
)

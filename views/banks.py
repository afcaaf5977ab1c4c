"""Banks: the list, one bank's questions rendered, and its diagram files."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, render_template, request, url_for
from markupsafe import Markup
from sqlalchemy import select

from models import Bank, Diagram, Question, db
from models.store import bank_summaries
from srs.bank import diagram_path
from srs.cloze import render_cloze
from srs.render import render_markdown

bp = Blueprint("banks", __name__)

# A diagram is shown by <img>, but opened on its own it is a document: it gets no power
# beyond drawing itself, whatever it contains.
_DIAGRAM_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def markdown_for(bank_id: str) -> Callable[[str | None], Markup]:
    """A Markdown renderer whose diagram paths resolve to ``bank_id``'s diagram route."""
    paths = set(db.session.scalars(select(Diagram.path).where(Diagram.bank_id == bank_id)))

    def resolve(reference: str) -> str | None:
        path = diagram_path(reference)
        if path not in paths:
            return None
        return url_for("banks.diagram", bank_id=bank_id, path=path)

    def render(text: str | None) -> Markup:
        return Markup(render_markdown(text or "", resolve))  # noqa: S704 (sanitised by nh3)

    return render


@bp.get("/")
@bp.get("/banks")
def index() -> str:
    """The banks on this server, with their counts."""
    return render_template("banks/index.html", summaries=bank_summaries(db.session))


@bp.get("/banks/<bank_id>")
def show(bank_id: str) -> str:
    """One bank: its outline and every active question, rendered."""
    bank = db.get_or_404(Bank, bank_id, description=f"There is no bank '{bank_id}'.")
    questions = db.session.scalars(
        select(Question)
        .where(Question.bank_id == bank_id, Question.retired.is_(False))
        .order_by(Question.position)
    ).all()
    by_section: dict[str | None, list[Question]] = {}
    for question in questions:
        by_section.setdefault(question.section_key, []).append(question)
    depth: dict[str, int] = {}
    for section in bank.sections:
        depth[section.key] = depth.get(section.parent_key, -1) + 1 if section.parent_key else 0
    return render_template(
        "banks/show.html",
        bank=bank,
        by_section=by_section,
        question_count=len(questions),
        depth=depth,
        md=markdown_for(bank_id),
        cloze=render_cloze,
    )


@bp.get("/banks/<bank_id>/diagrams/<path:path>")
def diagram(bank_id: str, path: str) -> Response:
    """A diagram file of a bank, served from the database and nothing else."""
    found = db.session.scalar(
        select(Diagram).where(Diagram.bank_id == bank_id, Diagram.path == diagram_path(path))
    )
    if found is None:
        return Response("No such diagram.", status=404, mimetype="text/plain")
    response = Response(found.data, mimetype=found.media_type)
    response.set_etag(found.sha256)
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Content-Security-Policy"] = _DIAGRAM_CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response.make_conditional(request)

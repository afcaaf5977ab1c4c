"""Quizzes: choose what to be tested on, answer one question a screen, see what was missed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import HiddenField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from extensions import limiter
from models import Bank, Question, Quiz, db
from models.types import now_utc
from services.bank_export import kept_faces
from services.conflict import committed
from services.quizzes import (
    MAX_ANSWER_CHARS,
    MAX_SUBMISSION_CHARS,
    QuizAlreadySubmittedError,
    QuizError,
    count_right,
    quiz_outline,
    quiz_questions,
    quiz_result,
    start_quiz,
    study_mistakes,
    submit_quiz,
)
from srs.bank import Question as BankQuestion
from srs.numbers import parse_whole_number
from srs.questions import answered_face, card_faces
from srs.questions.base import indices
from srs.questions.typing import is_near_miss, typed_diff
from srs.quiz import QUIZ_TYPES, QuizSpec
from views.cards import inline_html, markdown_for, truth_choices
from views.i18n import type_name
from views.inputs import WholeNumberField, load_json, request_int
from views.review import studied_bank_or_404

MAX_SEED = 2**31 - 1
MAX_POSITION = 1000  # past any quiz's length (at most 100 questions)

bp = Blueprint("quiz", __name__)

# A learner hands in a quiz after minutes of answering; more than this is a script.
SUBMIT_LIMIT = "10 per minute; 200 per day"


def near_miss(given: object, right: object) -> list[tuple[str, str]] | None:
    """How a typed answer differs from the right one; None for one not typed, or blank."""
    if not isinstance(given, str) or not isinstance(right, str) or not given.strip():
        return None
    runs = typed_diff(given, right)
    return runs if is_near_miss(runs) else None


class QuizForm(FlaskForm):
    sections = SelectMultipleField(_l("Sections"), choices=[], validators=[Optional()])
    tags = SelectMultipleField(_l("Tags"), choices=[], validators=[Optional()])
    types = SelectMultipleField(
        _l("Question types"),
        choices=[],
        validators=[Optional()],
    )
    count = WholeNumberField(_l("Questions"), default=10, validators=[NumberRange(1, 100)])
    minutes = WholeNumberField(
        _l("Time limit (minutes)"), validators=[Optional(), NumberRange(1, 180)]
    )
    seed = HiddenField()


def _form(bank: Bank, **kwargs: Any) -> QuizForm:
    form = QuizForm(**kwargs)
    form.outline, form.available = quiz_outline(db.session, bank.id)
    form.sections.choices = [SelectChoice(entry.key, entry.title) for entry in form.outline]
    tags = set()
    for question_tags in db.session.scalars(
        select(Question.tags).where(Question.bank_id == bank.id, Question.retired.is_(False))
    ):
        tags.update(question_tags)
    form.tags.choices = [SelectChoice(tag, tag) for tag in sorted(tags)]
    form.types.choices = [SelectChoice(t, type_name(t)) for t in QUIZ_TYPES]
    return form


def _own_quiz(bank_id: str, quiz_id: int) -> tuple[Bank, Quiz]:
    """The learner's quiz ``quiz_id`` of a bank they study: a bank hidden or left since is
    as missing to every use of the quiz as to the quiz itself."""
    bank = studied_bank_or_404(bank_id)
    quiz = db.session.get(Quiz, quiz_id)
    if quiz is None or quiz.user_id != current_user.id or quiz.bank_id != bank_id:
        abort(404, description=_("There is no such quiz of yours."))
    return bank, quiz


def share_url(bank_id: str, spec: dict[str, Any]) -> str:
    """A link that starts the same quiz for whoever opens it."""
    return url_for(
        "quiz.setup",
        bank_id=bank_id,
        seed=spec["seed"],
        count=spec["count"],
        sections=spec["sections"],
        tags=spec["tags"],
        types=spec["types"],
        minutes=(spec["time_limit"] or 0) // 60 or None,
        _external=True,
    )


@bp.get("/quiz/<bank_id>")
@login_required
def setup(bank_id: str) -> str:
    """Choose what the quiz covers; a shared link comes with everything chosen."""
    bank = studied_bank_or_404(bank_id)
    args = request.args
    shared = "seed" in args
    seed = request_int("seed", None, 0, MAX_SEED)
    form = _form(
        bank,
        formdata=None,
        data={
            "sections": args.getlist("sections"),
            "tags": args.getlist("tags"),
            "types": args.getlist("types"),
            "count": request_int("count", 10, 1, 100),
            "minutes": request_int("minutes", None, 1, 180),
            "seed": "" if seed is None else str(seed),
        },
    )
    if "count" not in args and form.available:
        form.count.data = min(form.count.data, form.available)  # no more than there are
    quizzes = db.session.scalars(
        select(Quiz)
        .where(Quiz.user_id == current_user.id, Quiz.bank_id == bank_id)
        .order_by(Quiz.started_at.desc())
        .limit(10)
    ).all()
    return render_template("quiz/setup.html", bank=bank, form=form, shared=shared, quizzes=quizzes)


@bp.post("/quiz/<bank_id>")
@login_required
def start(bank_id: str) -> str | Response:
    """Draw the quiz and begin."""
    bank = studied_bank_or_404(bank_id)
    form = _form(bank)
    if not form.validate_on_submit():
        return render_template(
            "quiz/setup.html", bank=bank, form=form, shared=False, quizzes=[]
        ), 400
    # The hidden field is empty unless the quiz came from a shared link.
    seed = request_int("seed", None, 0, MAX_SEED, source=request.form) if form.seed.data else None
    spec = QuizSpec(
        seed=secrets.randbelow(10**9) if seed is None else seed,
        count=form.count.data,
        # Each chosen once, whatever the request repeats.
        sections=tuple(dict.fromkeys(form.sections.data or ())),
        tags=tuple(dict.fromkeys(form.tags.data or ())),
        types=tuple(dict.fromkeys(form.types.data or ())),
        time_limit=form.minutes.data * 60 if form.minutes.data else None,
    )
    try:
        quiz = start_quiz(db.session, current_user, bank.id, spec, now_utc())
    except QuizError as error:
        form.count.errors.append(str(error))
        return render_template(
            "quiz/setup.html", bank=bank, form=form, shared=False, quizzes=[]
        ), 400
    db.session.commit()
    if len(quiz.items) < spec.count:
        flash(
            ngettext(
                "Only %(num)d question fits those choices, leaving out any that would give"
                " another's answer away: the quiz has %(num)d.",
                "Only %(num)d questions fit those choices, leaving out any that would give"
                " another's answer away: the quiz has %(num)d.",
                len(quiz.items),
            ),
            "info",
        )
    return redirect(url_for("quiz.take", bank_id=bank.id, quiz_id=quiz.id))


@bp.get("/quiz/<bank_id>/<int:quiz_id>")
@login_required
def take(bank_id: str, quiz_id: int) -> str | Response:
    """The quiz, one question a screen."""
    bank, quiz = _own_quiz(bank_id, quiz_id)
    if quiz.submitted_at is not None:
        return redirect(url_for("quiz.result", bank_id=bank_id, quiz_id=quiz_id))
    md = markdown_for(bank_id, kept_faces(db.session, bank_id, (key for key, _, _ in quiz.items)))
    truth = truth_choices(bank.language)
    screens = []
    for item, question in quiz_questions(db.session, quiz):
        faces = card_faces(question.type, question.content(), item.ordinal, quiz.id, bank.language)
        screens.append(
            {
                "type": question.type,
                "prompt": md(faces.front),
                "answer": md(faces.back),
                # In the order the quiz drew (bank order in a quiz drawn before choices were
                # shuffled); the page names each by its place, never by its index in the bank.
                "choices": [
                    md(question.choices[index])
                    for index in (item.shuffle or range(len(question.choices)))
                ]
                if question.type == "choice"
                else [],
                "truth": truth,
                "multiple": bool(faces.check.get("multiple")),
                "typed": "accept" in faces.check,
                "items": [(index, md(question.items[index])) for index in item.shuffle]
                if question.type == "order"
                else [],
            }
        )
    return render_template(
        "quiz/take.html", bank=bank, quiz=quiz, screens=screens, max_answer=MAX_ANSWER_CHARS
    )


def _position(value: object) -> int:
    """A question's place in a quiz, as the page sends it: a number or its digits."""
    if isinstance(value, str):
        return parse_whole_number(value, 0, MAX_POSITION)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("a position is a whole number")
    return parse_whole_number(str(value), 0, MAX_POSITION)


@bp.post("/quiz/<bank_id>/<int:quiz_id>")
@limiter.limit(SUBMIT_LIMIT)
@login_required
def submit(bank_id: str, quiz_id: int) -> Response:
    """Hand the quiz in: every answer is scored, blanks and all. Submitting again (or twice
    at once) changes nothing and leads to the same result."""
    _bank, quiz = _own_quiz(bank_id, quiz_id)
    if not FlaskForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the quiz and submit again."))
    sent = len(request.form.get("answers") or "") + len(request.form.get("flags") or "")
    if sent > MAX_SUBMISSION_CHARS:
        abort(
            400,
            description=_(
                "The answers are longer than %(max)d characters in all.",
                max=MAX_SUBMISSION_CHARS,
            ),
        )
    try:
        raw = load_json(request.form.get("answers") or "{}")
        flags = {_position(i) for i in load_json(request.form.get("flags") or "[]")}
        responses = {_position(position): value for position, value in raw.items()}
    except (ValueError, TypeError, AttributeError):
        abort(400, description=_("The answers could not be read."))
    try:
        submit_quiz(db.session, quiz, responses, flags, now_utc())
    except QuizAlreadySubmittedError as error:
        db.session.rollback()
        flash(str(error), "info")
    except QuizError as error:
        db.session.rollback()
        abort(400, description=str(error))
    else:
        db.session.commit()
    return redirect(url_for("quiz.result", bank_id=bank_id, quiz_id=quiz_id))


@bp.get("/quiz/<bank_id>/<int:quiz_id>/result")
@login_required
def result(bank_id: str, quiz_id: int) -> str | Response:
    """The score, the sections, and every mistake with its answer and explanation."""
    bank, quiz = _own_quiz(bank_id, quiz_id)
    if quiz.submitted_at is None:
        return redirect(url_for("quiz.take", bank_id=bank_id, quiz_id=quiz_id))
    md = markdown_for(bank_id, kept_faces(db.session, bank_id, (key for key, _, _ in quiz.items)))
    outcome = quiz_result(db.session, quiz)
    asked, marked = {}, {}
    for answer, question, _right, _given in outcome.mistakes:
        asked[answer.position] = md(
            answered_face(question.type, question.content(), answer.ordinal, quiz.id, bank.language)
        )
        if question.type == "choice":
            shown = quiz.items[answer.position][2] if answer.position < len(quiz.items) else []
            marked[answer.position] = _marked_choices(question, answer.response, shown, md)
    return render_template(
        "quiz/result.html",
        bank=bank,
        result=outcome,
        asked=asked,
        marked=marked,
        truth=truth_choices(bank.language),
        md=md,
        inline=lambda text: Markup(inline_html(str(md(text)))),  # noqa: S704 (sanitised)
        near_miss=near_miss,
        share=share_url(bank_id, quiz.spec),
    )


def _marked_choices(
    question: BankQuestion, response: object, shown: list[int], md: Callable[[str], Markup]
) -> list[tuple[str, Markup]]:
    """A choice question's options in the order the quiz showed them, each with what it
    was: ``hit`` (right, chosen), ``missed`` (right, not chosen), ``wrong`` (wrong, chosen)
    or ``""`` (wrong, not chosen)."""
    right = set(indices(question.correct))
    chosen = {i for i in response if isinstance(i, int)} if isinstance(response, list) else set()
    kinds = {(True, True): "hit", (True, False): "missed", (False, True): "wrong"}
    return [
        (kinds.get((i in right, i in chosen), ""), md(question.choices[i]))
        for i in (shown or range(len(question.choices)))
    ]


@bp.post("/quiz/<bank_id>/<int:quiz_id>/study")
@login_required
def study(bank_id: str, quiz_id: int) -> Response:
    """Make the quiz's mistakes due now in the learner's schedule (as answered Again)."""
    _bank, quiz = _own_quiz(bank_id, quiz_id)
    if not FlaskForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    count = committed(db.session, lambda: study_mistakes(db.session, current_user, quiz, now_utc()))
    flash(
        ngettext(
            "%(num)d card from this quiz is due now.",
            "%(num)d cards from this quiz are due now.",
            count,
        )
        if count
        else _("These mistakes are in your schedule already."),
        "success",
    )
    return redirect(
        url_for("review.review", bank_id=bank_id)
        if count
        else url_for("quiz.result", bank_id=bank_id, quiz_id=quiz_id)
    )


@bp.post("/quiz/<bank_id>/<int:quiz_id>/right")
@login_required
def count_as_right(bank_id: str, quiz_id: int) -> Response:
    """Count a typed answer the check marked wrong as right: the learner's call, for another
    spelling or word for the answer that the bank does not accept."""
    _bank, quiz = _own_quiz(bank_id, quiz_id)
    if not FlaskForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    try:
        position = _position(request.form.get("position", ""))
    except ValueError:
        abort(400, description=_("Which answer to count was not said."))
    if committed(db.session, lambda: count_right(db.session, quiz, position)):
        flash(
            _("Your answer counts as right: the quiz scores %(score)s.",
              score=format_percent(quiz.score or 0.0)),
            "success",
        )  # fmt: skip
    else:
        flash(_("That answer is right already, or was not typed."), "info")
    return redirect(url_for("quiz.result", bank_id=bank_id, quiz_id=quiz_id))

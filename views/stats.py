"""Statistics: a learner's calendar, forecast, retention, cards, and mastery of the notes."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import Bank, Quiz, db
from models.types import now_utc
from services.calibration import learner_calibration
from services.context import Study
from services.queue import study_banks
from services.stats import bank_outline, learner_stats
from srs.stats import MASTERED_RECALL, MASTERY_DAYS, heatmap_months, heatmap_weeks, mastery_band

bp = Blueprint("stats", __name__)


def chosen_banks() -> tuple[list[Bank], list[str], str | None]:
    """The banks the learner studies, and those a stats request covers: ``?bank=ID``, or
    all of them."""
    banks = study_banks(db.session, current_user)
    ids = [bank.id for bank in banks]
    wanted = request.args.get("bank") or None
    if wanted is not None and wanted not in ids:
        abort(404, description=_("You study no bank '%(bank)s'.", bank=wanted))
    return banks, ([wanted] if wanted else ids), wanted


def day_titles(weeks: list[list[tuple[date, int] | None]]) -> list[list[str]]:
    """Each heatmap cell's title ("Dec 3, 2026: 12 reviews"), week by week: the locale and
    its catalogue looked up once for the year's 365 days, not three times a day."""
    locale, translations = get_locale(), get_translations()

    def title(day: date, count: int) -> str:
        reviews = translations.ngettext("%(num)s review", "%(num)s reviews", count)
        shown = reviews % {"num": format_decimal(count, locale=locale)}
        return f"{format_date(day, 'medium', locale=locale)}: {shown}"

    return [[title(*cell) if cell else "" for cell in week] for week in weeks]


@bp.get("/stats")
@login_required
def stats() -> str:
    """Statistics over one bank or all of them."""
    banks, bank_ids, wanted = chosen_banks()
    result = learner_stats(Study.at(db.session, current_user, now_utc()), bank_ids)
    calibration = learner_calibration(db.session, current_user, bank_ids, result.reviews)
    outline = []
    for bank in banks:
        if bank.id in bank_ids:
            sections = bank_outline(db.session, bank)
            rows = []
            for section in sections.sections:
                value = result.mastery.get(f"{bank.id}:{section.key}")
                band = mastery_band(value[0] if value else None)
                rows.append((section, section.depth, value, band))
            outline.append((bank, rows, sections.tags))
    charts = {
        "reviews": [(day.strftime("%m-%d"), count) for day, count, _ in result.reviews_per_day],
        "minutes": [
            (day.strftime("%m-%d"), round(seconds / 60, 1))
            for day, _, seconds in result.reviews_per_day
        ],
        "forecast": [(day.strftime("%m-%d"), count) for day, count in result.forecast],
    }
    quizzes = db.session.scalars(
        db.select(Quiz)
        .where(
            Quiz.user_id == current_user.id,
            Quiz.bank_id.in_(bank_ids),
            Quiz.submitted_at.is_not(None),
        )
        .order_by(Quiz.started_at.desc())
        .limit(20)
    ).all()
    weeks = heatmap_weeks(result.heatmap, result.today)
    page = render_template(
        "stats/stats.html",
        quizzes=quizzes,
        stats=result,
        calibration=calibration,
        charts=charts,
        weeks=weeks,
        day_titles=day_titles(weeks),
        months=heatmap_months(weeks),
        banks=banks,
        bank_titles={bank.id: bank.title for bank in banks},
        wanted=wanted,
        outline=outline,
        mastery_days=MASTERY_DAYS,
        mastered=MASTERED_RECALL,
    )
    # The study days summed for the first time are kept; committed once the page is made,
    # so that nothing it shows is read again after the commit.
    db.session.commit()
    return page

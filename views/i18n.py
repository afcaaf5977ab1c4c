"""The interface language: which one a request gets, the switch for visitors, page context.

A signed-in learner's choice in /settings wins; then the visitor's cookie from the language
switch; then the server's ``WENGU_DEFAULT_LANGUAGE``, when the host set one; then the
browser's ``Accept-Language``; then English. The cookie follows the account's choice while
signed in, so that the pages after signing out speak it too; an account made after using
the switch starts with the language chosen.
"""

from __future__ import annotations

import flask_babel
from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    get_template_attribute,
    has_request_context,
    redirect,
    request,
)
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from srs.study import usable_zone
from views.inputs import safe_next
from views.strings import js_strings

__all__ = [
    "COOKIE",
    "LANGUAGES",
    "bp",
    "chosen_locale",
    "html_lang",
    "select_locale",
    "select_timezone",
    "type_name",
]

bp = Blueprint("i18n", __name__)
# Dates and numbers in templates as the page's language writes them.
for _name in ("date", "datetime", "decimal", "number", "percent", "time", "timedelta"):
    bp.add_app_template_global(getattr(flask_babel, f"format_{_name}"))

# Babel's locale name → how the language names itself (shown in the switch and /settings).
LANGUAGES = {"en": "English", "zh_Hans": "简体中文"}
DEFAULT = "en"
COOKIE = "wengu_locale"
_PRIMARY = {"en": "en", "zh": "zh_Hans"}  # Accept-Language's first subtag → locale


def browser_locale() -> str:
    """The first language the browser accepts that Wengu speaks; English otherwise.

    Werkzeug's ``best_match`` prefers an exact ``en`` at a lower quality over ``zh-CN``
    at a higher one; going down the list by quality, first subtag only, does not.
    """
    for tag, quality in request.accept_languages:
        locale = _PRIMARY.get(tag.replace("_", "-").split("-")[0].lower())
        if locale and quality > 0:
            return locale
    return DEFAULT


def select_locale() -> str:
    """Flask-Babel's locale selector (outside a request, as in commands: English)."""
    if not has_request_context():
        return DEFAULT
    # An error page while the database is down cannot read the account's choice.
    signed_in = not g.get("without_database") and current_user and current_user.is_authenticated
    if signed_in and current_user.locale in LANGUAGES:
        return current_user.locale
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return current_app.config.get("WENGU_DEFAULT_LANGUAGE") or browser_locale()


def chosen_locale() -> str | None:
    """The language a visitor chose with the switch (its cookie), if any: an account made
    on the page starts with it."""
    chosen = request.cookies.get(COOKIE)
    return chosen if chosen in LANGUAGES else None


@bp.after_app_request
def remember_the_accounts_language(response: Response) -> Response:
    """Keep the switch's cookie the signed-in account's language, so that the pages after
    signing out speak the language last chosen in /settings. An account that follows the
    browser keeps the switch's choice, unless it chose the browser's just now."""
    if request.endpoint == "static" or request.blueprint == "api" or g.get("without_database"):
        return response
    if not (current_user and current_user.is_authenticated):
        return response
    chosen = current_user.locale if current_user.locale in LANGUAGES else None
    cookie = request.cookies.get(COOKIE)
    if chosen is not None and cookie != chosen:
        _set_cookie(response, chosen)
    elif chosen is None and cookie is not None and g.get("language_chosen"):
        response.delete_cookie(COOKIE, samesite="Lax", httponly=True)  # the browser's, just now
    return response


def select_timezone() -> str | None:
    """Dates on the pages fall in the learner's own time zone (the server's default for
    visitors)."""
    if has_request_context() and g.get("without_database"):
        return current_app.config.get("WENGU_DEFAULT_TIMEZONE")
    if has_request_context() and current_user and current_user.is_authenticated:
        return usable_zone(current_user.timezone)
    return current_app.config.get("WENGU_DEFAULT_TIMEZONE") if has_request_context() else None


@bp.app_template_global()
def type_name(question_type: str) -> str:
    """A question type's name in the request's language, as its macro words it."""
    return str(get_template_attribute("questions/_types.html", question_type)("name"))


def html_lang() -> str:
    """The page's ``<html lang>``: BCP 47, as browsers and screen readers read it."""
    return str(get_locale() or DEFAULT).replace("_", "-")


@bp.app_context_processor
def language_context() -> dict[str, object]:
    return {
        "page_language": html_lang(),
        "languages": LANGUAGES,
        "current_locale": str(get_locale() or DEFAULT),
        "js_strings": js_strings,
    }


@bp.get("/language/<locale>")
def switch(locale: str) -> Response:
    """The language switch of visitors who are not signed in: kept in a cookie for a year."""
    if locale not in LANGUAGES:
        abort(404)
    response = redirect(safe_next(request.args.get("next")))
    _set_cookie(response, locale)
    return response


def _set_cookie(response: Response, locale: str) -> None:
    response.set_cookie(
        COOKIE,
        locale,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )

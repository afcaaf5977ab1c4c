"""App-wide: error pages, the security headers every response carries, the health check.

Pages for 500 and 503 need no database: while it is down, the account of the session cannot
be read, so they are drawn without it (no signed-in header, the language from the cookie or
the browser), and from a plain string if even that fails. A request that fails because the
database cannot be reached logs one line, not a traceback: in an outage every request fails
the same way.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import InterfaceError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from config import VERSION
from models import db
from services.counters import redis_problem

bp = Blueprint("errors", __name__)
log = logging.getLogger("wengu.errors")
# The database cannot be reached, dropped the connection, or has no connection free:
# the request may work again in a moment.
OUTAGE = (OperationalError, InterfaceError, PoolTimeout)

# Pages run only their own scripts and styles; diagrams set a stricter policy of their own.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self'",  # the review page's service worker (static/js/sw.js)
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_SECURITY = [
    (name.lower(), name, value)
    for name, value in [("Content-Security-Policy", CSP), *HEADERS.items()]
]


def _personal() -> bool:
    """Whether this request came from someone signed in, by cookie or by bearer token."""
    if "Authorization" in request.headers:
        return True
    # Only the account already loaded: asking Flask-Login here could reach the database
    # after it failed. A view that shows the account has loaded it.
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


@bp.after_app_request
def security_headers(response: Response) -> Response:
    if request.endpoint == "static" and response.direct_passthrough and response.status_code == 200:
        # The stylesheets and scripts are small: read them so that they can be compressed
        # (streamed responses are passed through as they are). The file closes with it.
        response.direct_passthrough = False
        response.make_sequence()
    if request.endpoint != "static" and response.cache_control.public:
        # Only the static files are the same for everyone; anything else may be behind
        # sign-in, and a shared cache must not hand it to the next visitor.
        response.cache_control.public = False
        response.cache_control.private = True
    if request.endpoint != "static" and _personal():
        # A page or answer for one person: no cache, not even the browser's on a shared
        # computer, may keep it; and one that keys on the address alone must not mix people.
        response.headers.setdefault("Cache-Control", "private, no-store")
        response.vary.update({"Cookie", "Authorization"})
    # Those a view set stay: one pass over the headers (each setdefault is another).
    present = {name.lower() for name, _ in response.headers}
    response.headers.extend([(name, v) for low, name, v in _SECURITY if low not in present])
    return response


@bp.get("/healthz")
def health() -> tuple[Response, int]:
    """For load balancers and container health checks: the app answers, and reaches its
    database and (when configured) Redis; 503 when a configured dependency is down."""
    checks = {"database": "ok", "redis": "not configured"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unreachable"
    redis_url = current_app.config.get("WENGU_REDIS_URL")
    if redis_url:
        checks["redis"] = "ok" if redis_problem(redis_url) is None else "unreachable"
    healthy = checks["database"] == "ok" and checks["redis"] in {"ok", "not configured"}
    return (
        jsonify(status="ok" if healthy else "unavailable", version=VERSION, **checks),
        200 if healthy else 503,
    )


# The page's heading per status, and what to say when a view gave no description of its own
# (Werkzeug's are English). Views describe their own errors in the request's language.
TITLES = {
    400: _l("Bad request"),
    401: _l("Sign-in needed"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    413: _l("Too large"),
    422: _l("Cannot be processed"),
    429: _l("Too many attempts"),
    500: _l("Server error"),
    503: _l("Not available just now"),
}
DESCRIPTIONS = {
    400: _l("The request could not be read."),
    401: _l("Sign in to see this page."),
    403: _l("You may not open this page."),
    404: _l("There is nothing at this address."),
    405: _l("This address does not take that kind of request."),
    409: _l("That clashes with what is stored now; reload and try again."),
    413: _l("That file is too large to upload."),
    422: _l("The request was read, but its content cannot be used."),
    429: _l("Too many attempts. Wait a minute and try again."),
    500: _l("Something went wrong on our side; nothing was saved. Please try again."),
    503: _l(
        "The server cannot reach its database just now; nothing was saved. Try again in a minute."
    ),
}

# Over HTTPS Flask-WTF also checks that the Referer is this host: a token that matched but a
# host that did not is almost always a reverse proxy that drops the port from Host.
CSRF_REASONS = {
    "The referrer does not match the host.": _l(
        "This page was opened at another address than the one Wengu was given (the Referer "
        "does not match the Host header). A reverse proxy must pass the host with its port: "
        "proxy_set_header Host $http_host in nginx (see docs/hosting.md)."
    ),
    "The referrer header is missing.": _l(
        "The browser sent no Referer header, which a form sent over HTTPS needs here; allow "
        "it for this site and try again."
    ),
}


def _page_text(error: HTTPException, code: int) -> tuple[str, str]:
    """The heading and the sentence of an error page, in the request's language."""
    title = TITLES.get(code) or error.name
    if isinstance(error, CSRFError):  # Flask-WTF's own reasons are English
        description = CSRF_REASONS.get(str(error.description)) or _l(
            "The form expired or came from elsewhere (its CSRF token did not match); "
            "reload the page and try again."
        )
        if error.description in CSRF_REASONS:
            current_app.logger.warning(
                "form refused over HTTPS: Referer %r, Host %r (%s)",
                request.referrer,
                request.host,
                error.description,
            )
    elif isinstance(error, RateLimitExceeded) and error.limit.error_message:
        description = error.description  # the limit's own reason, in the request's language
    elif code in (413, 429, 500, 503) or error.description == type(error).description:
        description = DESCRIPTIONS.get(code) or error.description
    else:
        description = error.description
    return str(title), str(description)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


# What a 500 or 503 page falls back to when no template can be drawn.
_BARE_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>{title} · Wengu</title>"
    "<h1>{title}</h1><p>{description}</p>"
)


def _plain_page(code: int, description: str | None = None) -> tuple[str, int]:
    g.without_database = True
    error = ServiceUnavailable() if code == 503 else InternalServerError()
    try:
        from views.i18n import html_lang
        from views.settings import current_theme

        title, sentence = _page_text(error, code)
        description = description or sentence
        # Drawn by Jinja alone: the app's context processors would read the signed-in account.
        page = current_app.jinja_env.get_template("plain_error.html").render(
            title=title, description=description, page_language=html_lang(), theme=current_theme()
        )
        return page, code
    except Exception:
        return _BARE_PAGE.format(title=error.name, description=error.description), code


def _outage(error: BaseException) -> BaseException | None:
    """The database error behind ``error``, if it is one of :data:`OUTAGE` or says that the
    database was never set up."""
    if isinstance(error, HTTPException):
        error = getattr(error, "original_exception", None)  # type: ignore[assignment]
    return error if isinstance(error, OUTAGE) or _never_set_up(error) else None


def _never_set_up(error: BaseException | None) -> bool:
    """PostgreSQL's "relation does not exist" (SQLSTATE 42P01) comes as a programming
    error, not an operational one: a table the migrations make is missing."""
    return isinstance(error, ProgrammingError) and getattr(error.orig, "sqlstate", "") == "42P01"


_NOT_SET_UP = " (its tables are missing: run `flask --app app db upgrade`)"
# What a visitor reads then: waiting a minute will not help.
NOT_SET_UP_PAGE = _l(
    "This server's database is not set up yet; nothing was saved. Whoever runs the server: "
    "start it with python app.py, which sets the database up, or run flask --app app db "
    "upgrade."
)


def _not_set_up(cause: BaseException, message: str) -> bool:
    """Whether the database was reached but has no tables: never migrated."""
    return "no such table" in message or getattr(cause, "sqlstate", None) == "42P01"


def _unavailable(error: BaseException) -> tuple[str | Response, int]:
    """One log line (the driver's error, first line), and a 503 drawn without the database."""
    g.without_database = True
    cause = getattr(error, "orig", None) or error
    message = (str(cause).strip().splitlines() or [""])[0]
    missing = _not_set_up(cause, message)
    log.error(
        "database unavailable: %s %s: %s: %s%s",
        request.method,
        request.path,
        type(cause).__name__,
        message,
        # A database reached but never migrated (`flask run` does not migrate; app.py does).
        _NOT_SET_UP if missing else "",
    )
    description = str(NOT_SET_UP_PAGE if missing else DESCRIPTIONS[503])
    if _wants_json():
        return jsonify(error=description), 503
    return _plain_page(503, description)


def _rollback() -> None:
    # When the connection is gone, there is nothing left to roll back.
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str | Response, int]:
    """A page that says what went wrong, in the site's own layout."""
    code = error.code or 500
    if code == 429:
        log.info(
            "too many requests: %s %s from %s (%s)",
            request.method,
            request.path,
            request.remote_addr,
            error.description,
        )
    if (cause := _outage(error)) is not None:
        return _unavailable(cause)
    if _wants_json():
        return jsonify(error=error.description or error.name), code
    if code >= 500:
        return _plain_page(code)
    title, description = _page_text(error, code)
    try:
        return render_template("error.html", title=title, description=description), code
    except SQLAlchemyError as cause:  # the page's header reads the signed-in account
        if (down := _outage(cause)) is None:
            raise
        return _unavailable(down)


@bp.app_errorhandler(Exception)
def unexpected(error: Exception) -> tuple[str | Response, int]:
    """Roll back whatever the request had begun, and say so without details."""
    _rollback()
    if isinstance(error, HTTPException):
        return http_error(error)
    if _outage(error) is not None:
        return _unavailable(error)
    if current_app.testing:
        raise error  # tests see the real failure, not a polite page
    log.exception("unexpected error: %s %s", request.method, request.path, exc_info=error)
    return http_error(InternalServerError())

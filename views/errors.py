"""App-wide: error pages, the security headers every response carries, the health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from models import db

bp = Blueprint("errors", __name__)

# Pages run only their own scripts and styles; diagrams set a stricter policy of their own.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
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
    response.headers.setdefault("Content-Security-Policy", CSP)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@bp.get("/healthz")
def health() -> tuple[Response, int]:
    """For load balancers and container health checks: the app answers and reaches its database."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="database unreachable"), 503
    return jsonify(status="ok"), 200


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
}


def _page_text(error: HTTPException, code: int) -> tuple[str, str]:
    """The heading and the sentence of an error page, in the request's language."""
    title = TITLES.get(code) or error.name
    if isinstance(error, CSRFError):  # Flask-WTF's own reasons are English
        description = _l(
            "The form expired or came from elsewhere (its CSRF token did not match); "
            "reload the page and try again."
        )
    elif code in (413, 429, 500) or error.description == type(error).description:
        description = DESCRIPTIONS.get(code) or error.description
    else:
        description = error.description
    return str(title), str(description)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str | Response, int]:
    """A page that says what went wrong, in the site's own layout."""
    code = error.code or 500
    if _wants_json():
        return jsonify(error=error.description or error.name), code
    title, description = _page_text(error, code)
    return render_template("error.html", title=title, description=description), code


@bp.app_errorhandler(Exception)
def unexpected(error: Exception) -> tuple[str | Response, int]:
    """Roll back whatever the request had begun, and say so without details."""
    db.session.rollback()
    if isinstance(error, HTTPException):
        return http_error(error)
    if current_app.testing:
        raise error  # tests see the real failure, not a polite page
    current_app.logger.exception("unexpected error", exc_info=error)
    return http_error(InternalServerError())

"""App-wide: error pages, the security headers every response carries, the health check."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, render_template, request
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


def _wants_json() -> bool:
    return request.path.startswith("/api/")


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException) -> tuple[str | Response, int]:
    """A page that says what went wrong, in the site's own layout."""
    code = error.code or 500
    if _wants_json():
        return jsonify(error=error.description or error.name), code
    return render_template("error.html", error=error, code=code), code


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

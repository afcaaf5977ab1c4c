"""The Flask application factory; ``python app.py`` serves Wengu on 127.0.0.1:5000.

A server start (``python app.py``, ``gunicorn "app:create_app()"``, ``flask --app app run``)
waits for the database, migrates it to the newest schema and loads the shipped banks. The
``flask`` command's other commands load the same app without doing any of that: they act on
the database as it is, and ``flask --app app db upgrade`` migrates.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import (
    VERSION,
    SettingError,
    check_settings,
    deprecation_notices,
    proxy_fix_exposure,
    settings_from_env,
)
from extensions import babel, compress, csrf, limiter, login_manager, migrate
from models import db
from models.types import MAX_ID
from services.accounts import has_users
from services.bank_import import autoload_banks, refresh_faces, refresh_kin
from services.counters import SCHEME as COUNTER_SCHEME
from services.counters import masked_url, redis_problem
from services.first_run import kept_in_instance, setup_code, setup_link
from services.schema import MIGRATIONS, upgrade_database

__all__ = ["create_app", "wait_for_database"]

log = logging.getLogger("wengu")


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number past any id is no match (404), not an overflow
    in the database driver (500); and only ASCII digits (``\\d`` takes "١", Arabic-Indic
    one, which ``int`` reads as 1)."""

    regex = "[0-9]+"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_HANDLER = "wengu"


def configure_logging(level: str = "INFO") -> None:
    """One handler, on the root logger, writing time, level and logger to standard error.

    Every logger propagates to it, so each line is written once. Called by every
    ``create_app``; a second call adds nothing, and a process that already configured logging
    (pytest, gunicorn's ``--log-config``) keeps its handlers. Wengu's events and Werkzeug's
    request log are at ``level``; other libraries say only warnings, even where the host's
    own configuration lets their INFO through (Alembic's lines at every migration).
    """
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.set_name(_HANDLER)
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    for name in ("wengu", "werkzeug"):
        logging.getLogger(name).setLevel(level)
    # Flask-Limiter logs each refusal at INFO without the path; Wengu's own line has it.
    logging.getLogger("flask-limiter").setLevel(logging.WARNING)
    # Alembic says at INFO what each migration context assumes ("Context impl SQLiteImpl.",
    # "Will assume transactional DDL.") and which plugins it set up, in every process whose
    # logging lets INFO through; Wengu's own line names the database and the revisions.
    # At DEBUG a host sees Alembic's lines too.
    debug = logging.getLogger("wengu").getEffectiveLevel() <= logging.DEBUG
    logging.getLogger("alembic").setLevel(logging.INFO if debug else logging.WARNING)


def _secret_key(instance: Path) -> str:
    """The key kept in the instance folder, made on first start; safe if two start at once."""
    return kept_in_instance(instance / "secret_key", lambda: secrets.token_hex(32))


# Each SQLite connection's settings: a write-ahead log, so that readers never wait for the
# writer; foreign keys enforced; a writer waits up to 10 s for another; and the log synced at
# its checkpoints, not at every commit (a power cut may lose the last commits, never the
# database's integrity; a process killed loses nothing).
SQLITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000", "synchronous=NORMAL")


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(connection: Any, record: Any) -> None:
        cursor = connection.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def _rollback_keeping_prepared(engine: Engine) -> None:
    """Roll back PostgreSQL transactions in which nothing failed without forgetting the
    connection's prepared statements.

    psycopg prepares a statement the fifth time a connection runs it, so that PostgreSQL
    plans it once rather than at each run; at every rollback it forgets them all and sends
    ``DEALLOCATE ALL``. A request that does not commit (each page that only reads) ends with
    a rollback, so the review path's statements were planned afresh at nearly every
    request. A transaction in which nothing failed leaves psycopg's list of prepared
    statements as true as it found it: its ``ROLLBACK`` goes to libpq directly. One in which
    a statement failed goes through psycopg's rollback, which forgets them all: that is how
    a connection recovers when its list and the server's differ (another process changed a
    column's type; preparing a statement was cancelled), so that the next request
    prepares afresh."""
    from psycopg.pq import ExecStatus, TransactionStatus

    def do_rollback(connection: Any) -> None:
        pgconn = connection.pgconn
        if (
            pgconn.transaction_status == TransactionStatus.INTRANS
            and pgconn.exec_(b"ROLLBACK").status == ExecStatus.COMMAND_OK
        ):
            return
        connection.rollback()  # nothing open, a failed transaction, or a broken connection

    # The dialect's own method, replaced for this engine alone (the pool's reset calls it too).
    setattr(engine.dialect, "do_rollback", do_rollback)  # noqa: B010


def first_run_link(app: Flask) -> str | None:
    """The link to ``/setup`` with its code while the server has no account; else ``None``.

    Also ``None`` when the database cannot be read yet: the first request to reach the
    server then logs the link instead.
    """
    with app.app_context():
        try:
            if has_users(db.session):
                return None
        except SQLAlchemyError:
            db.session.rollback()
            return None
        finally:
            db.session.remove()
    host, port = _flask_run_address() or (app.config["WENGU_HOST"], app.config["WENGU_PORT"])
    if host in {"", "0.0.0.0", "::"}:  # noqa: S104 (naming the wildcard, not binding it)
        host = "127.0.0.1"
    code = setup_code(Path(app.instance_path), app.config["WENGU_SETUP_CODE"])
    return setup_link(f"http://{host}:{port}", code)


def _rate_limit_storage(app: Flask) -> None:
    """Point the ``wengu://`` rate-limit storage at this app's database and Redis, and warn
    at start when Redis is configured but cannot be used."""
    redis_url = app.config.get("WENGU_REDIS_URL")
    if redis_url:
        problem = redis_problem(redis_url)
        if problem:
            log.warning(
                "WENGU_REDIS_URL %s cannot be used: %s. Rate limits are counted in the database "
                "until it answers, and /healthz reports 503.",
                masked_url(redis_url),
                problem,
            )
    if app.config.get("RATELIMIT_STORAGE_URI") == f"{COUNTER_SCHEME}://":
        with app.app_context():
            # The engine's URL: Flask-SQLAlchemy resolves a relative SQLite path. Kept a URL,
            # not its text, which a SQLite path holding ? or # cannot be read back from.
            database_url = db.engine.url
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"database_url": database_url, "redis_url": redis_url}
        )


def _flask_run_address() -> tuple[str, int] | None:
    """The host and port ``flask run`` serves on, when it is loading the app."""
    context = click.get_current_context(silent=True)
    if context is None or context.info_name != "run":
        return None
    return context.params.get("host") or "127.0.0.1", context.params.get("port") or 5000


def _loaded_by_flask_command() -> bool:
    """True when a ``flask`` command is loading the app (it runs inside a click context),
    but for ``flask run``: that one serves, and starts as a server does."""
    return click.get_current_context(silent=True) is not None and _flask_run_address() is None


def wait_for_database(engine: Engine, seconds: float) -> None:
    """Connect, trying again each second for up to ``seconds`` with a log line per try.

    A server started with its database (systemd, compose) may start first; it waits rather
    than exiting at boot.
    """
    deadline = time.monotonic() + seconds
    attempt = 0
    while True:
        attempt += 1
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return
        except OperationalError as error:
            reason = (str(error.orig).strip().splitlines() or ["no answer"])[0]
            if time.monotonic() >= deadline - 0.01:
                raise RuntimeError(
                    f"The database {engine.url.render_as_string(hide_password=True)} did not "
                    f"answer within {seconds:g} s ({attempt} tries): {reason}"
                ) from None
            log.warning("Waiting for the database (try %d): %s", attempt, reason)
            time.sleep(min(1.0, deadline - time.monotonic()))


def _configure(app: Flask, settings: Mapping[str, Any]) -> None:
    """The settings, with a secret key and a SQLite database in the instance folder when
    none is given."""
    app.config.from_mapping(settings)
    app.url_map.converters["int"] = IdConverter
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(instance)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        # A URL made of its parts: a path holding ? or # is no query or fragment.
        app.config["SQLALCHEMY_DATABASE_URI"] = URL.create(
            "sqlite", database=str(instance / "wengu.sqlite3")
        )
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "sqlite":
        # A server may drop an idle connection: ask before each use. A SQLite file has no
        # server to lose it, and the question would cost a statement a request.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})


def _init_extensions(app: Flask) -> None:
    """Bind the extensions (database, CSRF, sign-in, limits, translations) to ``app``."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
    _rate_limit_storage(app)
    limiter.init_app(app)
    compress.init_app(app)
    from views import inputs

    inputs.init_app(app)
    from views.i18n import select_locale, select_timezone

    babel.init_app(
        app,
        default_locale="en",
        default_translation_directories=str(Path(app.root_path) / "translations"),
        locale_selector=select_locale,
        timezone_selector=select_timezone,
    )
    # Whitespace inside {% trans %} blocks is folded, as babel.cfg tells the extractor.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    if app.config["WENGU_PROXY_FIX"]:
        # Behind one reverse proxy: the address, scheme, host and sub-path it was reached at
        # come from its X-Forwarded-* headers (docs/hosting.md), so that redirects and the
        # links in invites and reset pages carry the public address.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1
        )


def _register(app: Flask) -> None:
    """The blueprints and the ``flask`` commands."""
    from cli import backup, bank_cli, fsrs_cli, restore, user_cli
    from views import (
        admin,
        api,
        auth,
        banks,
        errors,
        groups,
        i18n,
        inputs,
        quiz,
        reschedule,
        retention,
        review,
        settings,
        stats,
    )

    for blueprint in (
        inputs.bp,  # first: its check runs before any other view code reads the request
        errors.bp,
        i18n.bp,
        auth.bp,
        review.bp,
        banks.bp,
        groups.bp,
        stats.bp,
        quiz.bp,
        reschedule.bp,
        settings.bp,
        retention.bp,
        api.bp,
        admin.bp,
    ):
        app.register_blueprint(blueprint)
    app.cli.add_command(bank_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(fsrs_cli)
    app.cli.add_command(backup)
    app.cli.add_command(restore)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of Wengu.

    Args:
        config: settings that override those read from the environment (tests pass
            their database and instance folder here).
    """
    settings = settings_from_env()
    settings.update(config or {})
    from views.i18n import LANGUAGES

    check_settings(settings, LANGUAGES)
    configure_logging(settings["WENGU_LOG_LEVEL"])
    for notice in deprecation_notices():
        log.warning(notice)
    app = Flask(
        __name__,
        instance_path=settings["WENGU_INSTANCE_PATH"] or None,
        instance_relative_config=True,
    )
    _configure(app, settings)
    _init_extensions(app)
    _register(app)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
        elif db.engine.dialect.driver == "psycopg":
            _rollback_keeping_prepared(db.engine)
    if _loaded_by_flask_command():
        return app
    with app.app_context():
        log.info("Wengu %s; database: %s", VERSION, db.engine.url.render_as_string())
        wait_for_database(db.engine, app.config["WENGU_DATABASE_WAIT"])
        if app.config["WENGU_AUTO_MIGRATE"]:
            upgrade_database()
        if app.config["WENGU_AUTOLOAD_BANKS"]:
            for line in autoload_banks(
                db.session, Path(app.config["WENGU_BANKS_DIR"]), app.config["WENGU_MAX_BANK_BYTES"]
            ):
                log.warning(line) if line.startswith("error") else log.info(line)
        # Questions stored before their renderings were kept, or by another renderer, are
        # rendered once here, whichever banks are loaded: until then each showing renders them.
        try:
            if rendered := refresh_faces(db.session):
                log.info("rendered the Markdown of %d questions", rendered)
            if kept := refresh_kin(db.session):
                log.info("found the questions sharing a diagram in %d banks", kept)
        except SQLAlchemyError:
            # The database is down or not set up yet: its pages say so, request by request.
            db.session.rollback()
    if link := first_run_link(app):
        log.warning("First run: create the admin at %s", link)
    return app


if __name__ == "__main__":
    from flask.cli import load_dotenv

    # Set by any ``flask`` command run before in this environment (a test process, a shell
    # script): app.run() would then return at once instead of serving.
    os.environ.pop("FLASK_RUN_FROM_CLI", None)

    # As the flask command does: .env in the working folder, the environment taking precedence.
    load_dotenv(load_defaults=True)
    try:
        application = create_app()
    except SettingError as error:
        sys.exit(f"wengu: {error}")
    if link := first_run_link(application):
        rule = "=" * max(60, len(link) + 4)
        banner = "First run: open this link to create the admin account:"
        print(f"\n{rule}\n  {banner}\n  {link}\n{rule}\n", flush=True)
    exposed = proxy_fix_exposure(
        [f"{application.config['WENGU_HOST']}:{application.config['WENGU_PORT']}"],
        proxy_fix=application.config["WENGU_PROXY_FIX"],
    )
    if exposed:
        log.warning(exposed)
    application.run(host=application.config["WENGU_HOST"], port=application.config["WENGU_PORT"])

"""The Flask application factory; ``python app.py`` serves Wengu on 127.0.0.1:5000."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from config import settings_from_env
from extensions import babel, compress, csrf, limiter, login_manager, migrate
from models import db
from models.schema import MIGRATIONS, upgrade_database
from models.store import autoload_banks
from models.types import MAX_ID

__all__ = ["create_app"]

log = logging.getLogger("wengu")


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: a number past any id is no match (404), not an overflow
    in the database driver (500)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _secret_key(instance: Path) -> str:
    """The key kept in the instance folder, made on first start; safe if two start at once."""
    path = instance / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(connection: Any, record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure an instance of Wengu.

    Args:
        config: settings that override those read from the environment (tests pass
            their database and instance folder here).
    """
    settings = settings_from_env()
    settings.update(config or {})
    app = Flask(
        __name__,
        instance_path=settings["WENGU_INSTANCE_PATH"] or None,
        instance_relative_config=True,
    )
    app.config.from_mapping(settings)
    app.url_map.converters["int"] = IdConverter
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _secret_key(instance)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'wengu.sqlite3'}"
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    login_manager.init_app(app)
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
        # Behind one reverse proxy that sets X-Forwarded-For and -Proto (as compose.yaml's).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)  # type: ignore[method-assign]

    from cli import backup, bank_cli, fsrs_cli, restore, user_cli
    from views import admin, api, auth, banks, errors, groups, i18n, quiz, review, settings, stats

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
        settings.bp,
        api.bp,
        admin.bp,
    ):
        app.register_blueprint(blueprint)
    app.cli.add_command(bank_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(fsrs_cli)
    app.cli.add_command(backup)
    app.cli.add_command(restore)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_pragmas(db.engine)
        if app.config["WENGU_AUTO_MIGRATE"]:
            upgrade_database()
        if app.config["WENGU_AUTOLOAD_BANKS"]:
            for line in autoload_banks(
                db.session, Path(app.config["WENGU_QUIZZES"]), app.config["WENGU_MAX_BANK_BYTES"]
            ):
                log.warning(line) if line.startswith("error") else log.info(line)
    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    application = create_app()
    application.run(host=application.config["WENGU_HOST"], port=application.config["WENGU_PORT"])

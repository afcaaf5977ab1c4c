"""The ``flask`` command groups: thin wrappers over ``srs`` and ``models``."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup, ScriptInfo, with_appcontext
from flask_migrate.cli import db as migrate_cli
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from config import VERSION
from models import User, db
from services.accounts import (
    MAX_TOKEN_DAYS,
    AccountError,
    account_defaults,
    create_user,
    find_user,
    issue_token,
    revoke_tokens,
)
from services.backup import BackupError, backup_database, check_backup, restore_database
from services.bank_admin import forget_removal
from services.bank_export import anki_options, stored_bank
from services.bank_import import ImportReport, bank_summaries, import_bank, kept_faces
from services.conflict import committed
from services.notes import bank_coverage as stored_coverage
from services.optimize import optimize_user
from services.schema import current_revision, head_revision, upgrade_database
from srs.bank import BankError, Problem
from srs.bank_parts import Importing
from srs.coverage import bank_coverage
from srs.export import FORMATS, export_bank
from srs.lint import lint_bank
from srs.optimize import NotEnoughHistory
from srs.skeleton import SkeletonError, untitled_lines, write_skeleton
from srs.sources import read_bank, read_banks

__all__ = ["backup", "bank_cli", "fsrs_cli", "restore", "user_cli"]

bank_cli = AppGroup("bank", help="Check, import and list question banks.")


def database_label() -> str:
    """The database's URL with the password masked, as commands name it."""
    return db.engine.url.render_as_string(hide_password=True)


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None) or error
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _sqlite_missing() -> Path | None:
    """The SQLite file the settings name when it does not exist (connecting would create it)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return None if path.is_file() else path


def _no_database(path: Path) -> str:
    return (
        f"There is no database at {path}. Set WENGU_DATABASE_URL (in the environment, "
        f"a .env file or --env-file FILE) to use the server's database, or run "
        f"'flask --app app db upgrade' to create a new one."
    )


def use_database(*, create: bool = False, current: bool = True) -> str | None:
    """Name the database on standard error, then refuse one that would surprise the user.

    A command run without the host's settings would otherwise work on a new, empty SQLite
    database in the instance folder. Refused: a database that does not exist or has no Wengu
    tables (unless ``create``), and with ``current`` one at another schema revision than this
    code's. Returns the database's revision.
    """
    click.echo(f"Database: {database_label()}", err=True)
    missing = _sqlite_missing()
    if missing is not None:
        if create:
            return None
        raise click.ClickException(_no_database(missing))
    try:
        revision = current_revision()
    except SQLAlchemyError as error:
        raise click.ClickException(f"Cannot reach the database: {_first_line(error)}") from None
    if revision is None and not create:
        raise click.ClickException(
            "The database holds no Wengu tables. Set WENGU_DATABASE_URL to the server's "
            "database, or run 'flask --app app db upgrade' to create them here."
        )
    head = head_revision()
    if current and revision != head:
        raise click.ClickException(
            f"The database is at schema revision {revision}; this Wengu ({VERSION}) needs "
            f"{head}. Back it up, then run 'flask --app app db upgrade'."
        )
    return revision


def _account(name: str) -> User:
    """The account called ``name`` (as sign-in compares names), or a ClickException saying
    there is none."""
    user = find_user(db.session, name)
    if user is None:
        raise click.ClickException(f"There is no account '{name}'.")
    return user


def _kept_in_database() -> Importing:
    """What an import of each bank finds kept (:func:`kept_faces`), asked of the database
    while it answers: once it fails, of no bank (``use_database`` says why once the banks
    are read). No transaction stays open while they are."""
    failed = _sqlite_missing() is not None  # not made by asking

    def kept(bank_id: str) -> set[str] | None:
        nonlocal failed
        if failed:
            return None
        try:
            return kept_faces(db.session, bank_id)
        except SQLAlchemyError:
            failed = True
            return None
        finally:
            db.session.rollback()

    return kept


def _load(paths: tuple[str, ...], importing: bool = False) -> list:
    """Read every bank (folders, YAML files, .zip archives, Anki packages) or print every
    problem and exit 1."""
    max_bytes = current_app.config["WENGU_MAX_BANK_BYTES"]
    try:
        kept = _kept_in_database() if importing else None
        return read_banks(paths, max_bytes=max_bytes, importing=kept)
    except BankError as error:
        for problem in error.problems:
            click.echo(str(problem))
        count = len(error.problems)
        tail = "; nothing was imported." if importing else "."
        click.echo(f"{_counted(count, 'problem')}{tail}", err=True)
        raise SystemExit(1) from None


def _lint_one(path: str) -> tuple[Any, list[Problem]]:
    """The lint report of the bank at ``path``, or the problems that keep it from loading."""
    try:
        bank = read_bank(path, max_bytes=current_app.config["WENGU_MAX_BANK_BYTES"])
    except BankError as error:
        return None, error.problems
    return lint_bank(bank), []


def _counted(count: int, noun: str) -> str:
    """``1 question``, ``2 questions``: English nouns with a plain -s plural."""
    return f"{count} {noun}{'s' * (count != 1)}"


@bank_cli.command("check")
@click.argument("paths", nargs=-1, required=True)
def check(paths: tuple[str, ...]) -> None:
    """Validate banks, printing each problem as file:line:column: message."""
    for bank in _load(paths):
        cards = sum(len(question.card_ordinals) for question in bank.questions)
        counts = (
            _counted(len(bank.questions), "question"),
            _counted(cards, "card"),
            _counted(len(bank.sections), "section"),
            _counted(len(bank.diagrams), "diagram"),
        )
        click.echo(f"{bank.source}: bank '{bank.id}' is valid: {', '.join(counts)}")


@bank_cli.command("lint")
@click.argument("paths", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Exit 1 if there is any warning.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead.")
def lint(paths: tuple[str, ...], strict: bool, as_json: bool) -> None:
    """Check banks against the rules of formulating knowledge: warnings and a summary."""
    results = [(path, *_lint_one(path)) for path in paths]
    documents = [
        {"source": path, "errors": [dataclasses.asdict(p) for p in problems]}
        if problems
        else report.to_dict()
        for path, report, problems in results
    ]
    for _, report, problems in [] if as_json else results:
        click.echo("\n".join(map(str, problems)) if problems else "\n".join(report.lines()))
    if as_json:
        click.echo(json.dumps(documents, ensure_ascii=False, indent=2))
    if failed := sum(len(problems) for _, _, problems in results):
        click.echo(f"{_counted(failed, 'problem')}.", err=True)
    if failed or (strict and any(r is not None and r.warnings for _, r, _ in results)):
        raise SystemExit(1)


@bank_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
def import_(paths: tuple[str, ...]) -> None:
    """Validate banks, then import them all in one transaction."""
    banks = _load(paths, importing=True)
    use_database()

    def work() -> list[ImportReport]:
        reports = [import_bank(db.session, bank) for bank in banks]
        for bank in banks:  # imported on purpose: a removed shipped bank may load again
            forget_removal(db.session, bank.id)
        return reports

    try:
        # Another import of one of these banks at the same moment: run again on what it wrote.
        reports = committed(db.session, work)
    except Exception:
        db.session.rollback()
        raise
    for report in reports:
        click.echo(str(report))


@bank_cli.command("export")
@click.argument("bank_id")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="File format.")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="The file (for yaml: a folder, a .zip, or a .yaml for a bank without diagrams).",
)
@click.option(
    "--scheduling-of", "learner", metavar="NAME", help="With apkg: include NAME's schedule."
)
def export(bank_id: str, fmt: str, output: Path, learner: str | None) -> None:
    """Export one bank with its diagrams."""
    use_database()
    bank = stored_bank(db.session, bank_id)
    if bank is None:
        raise click.ClickException(f"There is no bank '{bank_id}'.")
    if learner is not None and fmt != "apkg":
        raise click.ClickException("--scheduling-of goes with --format apkg.")
    options: dict[str, Any] = {}
    if fmt == "apkg":
        user = _account(learner) if learner is not None else None
        options = anki_options(db.session, bank_id, user)
    try:
        export_bank(bank, fmt, output, **options)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Exported '{bank.id}' ({len(bank.questions)} questions) to {output}.")


@bank_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead.")
def list_(as_json: bool) -> None:
    """List the banks on this server with their counts."""
    use_database()
    summaries = bank_summaries(db.session)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2))
        return
    for summary in summaries:
        retired = f", {summary.retired} retired" if summary.retired else ""
        click.echo(
            f"{summary.id}\t{summary.title}\t{_counted(summary.questions, 'question')}{retired}, "
            f"{_counted(summary.diagrams, 'diagram')}"
        )


@bank_cli.command("init")
@click.argument("notes", type=click.Path(path_type=Path))
@click.option(
    "--output", type=click.Path(path_type=Path), required=True, help="A new (or empty) folder."
)
def init(notes: Path, output: Path) -> None:
    """Start a bank from study notes: one section per heading, the notes copied in."""
    try:
        bank = write_skeleton(notes, output, current_app.config["WENGU_MAX_BANK_BYTES"])
    except SkeletonError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Wrote {output}: bank '{bank.id}' with {_counted(len(bank.sections), 'section')} "
        f"from {bank.notes[0].file}, no questions yet."
    )
    if lines := untitled_lines(bank.notes[0].text):
        click.echo(
            f"Left out {_counted(len(lines), 'heading')} without a title "
            f"(line {', '.join(map(str, lines))}): give each a title to make it a section."
        )


@bank_cli.command("coverage")
@click.argument("bank")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead.")
def coverage(bank: str, as_json: bool) -> None:
    """Each heading of a bank's notes with its question count: gaps, skips, over-weighted.

    BANK is a bank folder or file, or the id of an imported bank.
    """
    if Path(bank).exists():
        (read,) = _load((bank,))
        report = bank_coverage(read)
    else:
        use_database()
        stored = stored_coverage(db.session, bank)
        if stored is None:
            raise click.ClickException(f"There is no bank '{bank}' (nor such a file or folder).")
        report = stored
    if as_json:
        click.echo(json.dumps({"bank": bank} | report.to_dict(), ensure_ascii=False, indent=2))
    elif not report.headings:
        click.echo(f"{bank}: the bank keeps no notes (or they have no headings).")
    else:
        click.echo("\n".join(report.lines()))


user_cli = AppGroup("user", help="Create accounts; issue and revoke API tokens.")


@user_cli.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the account an admin.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input's first line."
)
def user_create(name: str, admin: bool, password_stdin: bool) -> None:
    """Create an account; the password comes from a prompt or standard input."""
    use_database()
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = committed(
            db.session,
            lambda: create_user(
                db.session, name, password, admin=admin, **account_defaults(current_app.config)
            ),
        )
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {'admin ' if user.is_admin else ''}account '{user.name}'.")


@user_cli.command("token")
@click.argument("name")
@click.option(
    "--expires-days",
    type=click.IntRange(1, MAX_TOKEN_DAYS),
    default=None,
    help="Let the token expire after this many days (default: it lasts until revoked).",
)
@click.option("--label", default="command line", show_default=True, help="What it is for.")
def user_token(name: str, expires_days: int | None, label: str) -> None:
    """Print a new API token for NAME (shown once; only its hash is kept)."""
    use_database()
    user = _account(name)
    try:
        token = issue_token(db.session, user, name=label, days=expires_days)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"API token for '{user.name}'; send it as 'Authorization: Bearer TOKEN':")
    click.echo(token)


@user_cli.command("revoke-tokens")
@click.argument("name")
def user_revoke_tokens(name: str) -> None:
    """Revoke every API token of NAME: requests sending them are refused from now on."""
    use_database()
    user = _account(name)
    count = revoke_tokens(db.session, user)
    db.session.commit()
    click.echo(f"Revoked {_counted(count, 'API token')} of '{user.name}'.")


fsrs_cli = AppGroup("fsrs", help="Fit learners' FSRS parameters to their own reviews.")


@fsrs_cli.command("optimize")
@click.argument("name", metavar="[USER]", required=False)
def fsrs_optimize(name: str | None) -> None:
    """Fit personal parameters for USER (or every active account) and reschedule their cards.

    Each learner is one transaction, so a long run never holds the database for long.
    """
    use_database()
    if name is None:
        users = list(
            db.session.scalars(select(User).where(User.disabled.is_(False)).order_by(User.name))
        )
    else:
        user = _account(name)
        users = [user]
    for user in users:
        try:
            result = optimize_user(db.session, user).fit
        except NotEnoughHistory as error:
            click.echo(f"{user.name}: {error}")
            continue
        db.session.commit()
        line = (
            f"{user.name}: {result.reviews} reviews, "
            f"log loss {result.log_loss_before:.4f} → {result.log_loss_after:.4f}"
        )
        click.echo(line if result.improved else f"{line}: no better, parameters kept")


@click.command("backup")
@with_appcontext
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a consistent backup of the database to FILE, while Wengu runs.

    The database is backed up as it is: nothing is migrated or loaded first.
    """
    use_database(current=False)
    try:
        manifest = backup_database(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Backed up the database (schema revision {manifest.schema_revision}: "
        f"{manifest.contents()}) to {file}."
    )


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only check FILE; touch no database.")
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
def restore(file: Path, check: bool, yes: bool) -> None:
    """Replace the database with the backup in FILE (stop Wengu first), then migrate it.

    Nothing is migrated or loaded before the restore; an older backup is brought to the
    current schema after it.
    """
    if not check:
        use_database(create=True, current=False)
    try:
        manifest = check_backup(file, None if check else db.engine.dialect.name)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if check:
        click.echo(f"{file} is {manifest.describe()}. It is readable.")
        return
    click.echo(f"{file} is {manifest.describe()}.")
    if not yes:
        click.confirm(f"Replace everything in {database_label()} with it?", abort=True)
    db.session.remove()
    try:
        restore_database(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    before = current_revision()
    upgrade_database()
    after = current_revision()
    migrated = f"; migrated it from schema revision {before} to {after}" if before != after else ""
    click.echo(f"Restored the database from {file}{migrated}.")


_migrate_callback = migrate_cli.callback


@click.pass_context
def _migrate_group(ctx: click.Context, **params: object) -> None:
    """Perform database migrations."""
    # Flask-Migrate's own group callback does nothing; this one names the database, as every
    # command that touches it does, and lets only 'upgrade' create a new one.
    app = ctx.ensure_object(ScriptInfo).load_app()
    with app.app_context():
        click.echo(f"Database: {database_label()}", err=True)
        missing = _sqlite_missing()
        if missing is not None and ctx.invoked_subcommand != "upgrade":
            raise click.ClickException(_no_database(missing))
    _migrate_callback(**params)  # type: ignore[misc]


migrate_cli.callback = _migrate_group

"""The ``flask`` command groups: thin wrappers over ``srs`` and ``models``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from models import User, db
from models.accounts import (
    MAX_TOKEN_DAYS,
    AccountError,
    account_defaults,
    create_user,
    find_user,
    issue_token,
    revoke_tokens,
)
from models.backup import BackupError, backup_database, restore_database
from models.bank_admin import forget_removal
from models.conflict import committed
from models.optimize import optimize_user
from models.schema import upgrade_database
from models.store import bank_summaries, import_bank, learner_schedule, stored_bank
from srs.bank import BankError, load_banks
from srs.export import FORMATS, bank_from_apkg, export_bank
from srs.optimize import NotEnoughHistory

__all__ = ["backup", "bank_cli", "fsrs_cli", "restore", "user_cli"]

bank_cli = AppGroup("bank", help="Check, import and list question banks.")


def _account(name: str) -> User:
    """The account called ``name`` (as sign-in compares names), or a ClickException saying
    there is none."""
    user = find_user(db.session, name)
    if user is None:
        raise click.ClickException(f"There is no account '{name}'.")
    return user


def _load(paths: tuple[str, ...]) -> list:
    """Read every bank (folders, YAML files, Anki packages) or print every problem and exit 1."""
    max_bytes = current_app.config["WENGU_MAX_BANK_BYTES"]
    try:
        return load_banks(paths, max_bytes=max_bytes, readers={".apkg": bank_from_apkg})
    except BankError as error:
        for problem in error.problems:
            click.echo(str(problem))
        count = len(error.problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''}; nothing was imported.", err=True)
        raise SystemExit(1) from None


@bank_cli.command("check")
@click.argument("paths", nargs=-1, required=True)
def check(paths: tuple[str, ...]) -> None:
    """Validate banks, printing each problem as file:line:column: message."""
    for bank in _load(paths):
        cards = sum(len(question.card_ordinals) for question in bank.questions)
        click.echo(
            f"{bank.source}: bank '{bank.id}' is valid: {len(bank.questions)} questions, "
            f"{cards} cards, {len(bank.sections)} sections, {len(bank.diagrams)} diagrams"
        )


@bank_cli.command("import")
@click.argument("paths", nargs=-1, required=True)
def import_(paths: tuple[str, ...]) -> None:
    """Validate banks, then import them all in one transaction."""
    banks = _load(paths)
    try:
        reports = [import_bank(db.session, bank) for bank in banks]
        for bank in banks:  # imported on purpose: a removed shipped bank may load again
            forget_removal(db.session, bank.id)
        db.session.commit()
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
    bank = stored_bank(db.session, bank_id)
    if bank is None:
        raise click.ClickException(f"There is no bank '{bank_id}'.")
    options = {}
    if learner is not None:
        if fmt != "apkg":
            raise click.ClickException("--scheduling-of goes with --format apkg.")
        user = _account(learner)
        options.update(
            scheduling=learner_schedule(db.session, user, bank_id),
            zone=user.timezone,
            rollover_hour=user.rollover_hour,
        )
    try:
        export_bank(bank, fmt, output, **options)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Exported '{bank.id}' ({len(bank.questions)} questions) to {output}.")


@bank_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead.")
def list_(as_json: bool) -> None:
    """List the banks on this server with their counts."""
    summaries = bank_summaries(db.session)
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in summaries], ensure_ascii=False, indent=2))
        return
    for summary in summaries:
        retired = f", {summary.retired} retired" if summary.retired else ""
        click.echo(
            f"{summary.id}\t{summary.title}\t{summary.questions} questions{retired}, "
            f"{summary.diagrams} diagrams"
        )


user_cli = AppGroup("user", help="Create accounts; issue and revoke API tokens.")


@user_cli.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the account an admin.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input's first line."
)
def user_create(name: str, admin: bool, password_stdin: bool) -> None:
    """Create an account; the password comes from a prompt or standard input."""
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
    user = _account(name)
    count = revoke_tokens(db.session, user)
    db.session.commit()
    click.echo(f"Revoked {count} API token{'s' if count != 1 else ''} of '{user.name}'.")


fsrs_cli = AppGroup("fsrs", help="Fit learners' FSRS parameters to their own reviews.")


@fsrs_cli.command("optimize")
@click.argument("name", metavar="[USER]", required=False)
def fsrs_optimize(name: str | None) -> None:
    """Fit personal parameters for USER (or every active account) and reschedule their cards.

    Each learner is one transaction, so a long run never holds the database for long.
    """
    if name is None:
        users = list(
            db.session.scalars(select(User).where(User.disabled.is_(False)).order_by(User.name))
        )
    else:
        user = _account(name)
        users = [user]
    for user in users:
        try:
            result = optimize_user(db.session, user)
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
    """Write a consistent backup of the database to FILE, while Wengu runs."""
    try:
        backup_database(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database to {file}.")


@click.command("restore")
@with_appcontext
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: replace the database.")
def restore(file: Path, yes: bool) -> None:
    """Replace the database with the backup in FILE (stop Wengu first)."""
    if not yes:
        click.confirm(f"Replace everything in the database with {file}?", abort=True)
    db.session.remove()
    try:
        restore_database(db.engine, file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    upgrade_database()
    click.echo(f"Restored the database from {file}.")

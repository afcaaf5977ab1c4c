"""The admin area: accounts and password reset links, open registration, banks, groups.

Every page here is for signed-in admins, except the reset link itself, which is for whoever
holds it: a signed token that lasts a day and stops working once the password changes.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from functools import partial
from pathlib import Path, PurePosixPath

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from sqlalchemy import func, select
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

import srs.bank
from models import Bank, Group, Membership, SiteSetting, User, db
from models.types import MAX_ID, now_utc
from services.accounts import MIN_PASSWORD, AccountError, set_disabled, set_password
from services.admins import acts_as_admin, hold_accounts
from services.bank_admin import bank_contents, disown_banks, remove_bank, set_group, set_hidden
from services.bank_import import ImportReport, bank_summaries, kept_faces
from services.bank_source import import_upload
from srs.bank import BankError, Problem
from srs.numbers import parse_whole_number
from srs.sources import read_upload
from views.account_removal import RemovalForm, deleted, removal_page
from views.auth import password_again
from views.reset_links import reset_token, user_for_reset

bp = Blueprint("admin", __name__)
log = logging.getLogger("wengu.admin")

_PUBLIC_ENDPOINTS = {"admin.reset_password"}
_UPLOAD_TYPES = ["yaml", "yml", "zip", "apkg"]


class RegistrationForm(FlaskForm):
    open_registration = BooleanField(_l("Open registration: anyone may create an account"))


class UploadForm(FlaskForm):
    bank = FileField(
        _l("Bank file"),
        validators=[
            FileRequired(_l("Choose a .yaml file or a .zip of a bank folder.")),
            FileAllowed(
                _UPLOAD_TYPES,
                _l("Upload a .yaml file, a .zip of a bank folder, or an Anki .apkg package."),
            ),
        ],
        render_kw={"accept": ",".join(f".{suffix}" for suffix in _UPLOAD_TYPES)},
    )


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Use %(min)d to 200 characters.", min=MIN_PASSWORD)),
            Length(MIN_PASSWORD, 200, _l("Use %(min)d to 200 characters.", min=MIN_PASSWORD)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", _l("The passwords differ."))],
    )


# Changes that hold the accounts they change with the admin's own, in the order of their ids.
_HOLD_THEIR_OWN = {"admin.disable_user", "admin.enable_user", "admin.delete_user"}


@bp.before_request
def require_admin() -> Response | None:
    """Admin pages are for signed-in admins; the reset link is for whoever holds it."""
    if request.endpoint in _PUBLIC_ENDPOINTS:
        return None
    refused = _admin_only()
    if refused is None and request.method == "POST" and request.endpoint not in _HOLD_THEIR_OWN:
        # The admin's row first, then what the change writes: the order every change that
        # holds accounts keeps (services.admins), so that none waits on another in a cycle.
        hold_accounts(db.session, [current_user.id])
    return refused


@login_required
def _admin_only() -> None:
    if not current_user.is_admin:
        abort(403, description=_("Only admins can open the admin pages."))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """An upload over the server's size limit: say so in a page, not a bare error."""
    return render_template(
        "admin/too_large.html", limit=current_app.config.get("MAX_CONTENT_LENGTH")
    ), 413


def _record(event: str, *args: object) -> None:
    """An admin's action in the log, with who did it and from where."""
    log.info(f"{event} (by %r from %s)", *args, current_user.name, request.remote_addr)


def _commit_as_admin() -> None:
    """Commit the change written if the one making it is still an admin who can sign in,
    read again now (``services.admins``); else 403, and nothing changed."""
    actor = current_user.id
    if not acts_as_admin(db.session, actor):
        db.session.rollback()
        if db.session.get(User, actor) is None:
            logout_user()  # their account went meanwhile: this request is no one's now
        abort(403, description=_("You are no longer an admin: nothing was changed."))
    db.session.commit()


def _private(body: str, status: int = 200) -> Response:
    """A page carrying a reset token: kept out of caches and of Referer headers."""
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# -- users -----------------------------------------------------------------------------------


def _users_page(reset_user: User | None = None, reset_link: str | None = None) -> str:
    users = db.session.scalars(select(User).order_by(func.lower(User.name))).all()
    registration = RegistrationForm(
        formdata=None,
        data={
            "open_registration": SiteSetting.get(db.session, SiteSetting.OPEN_REGISTRATION, False)
        },
    )
    return render_template(
        "admin/users.html",
        users=users,
        registration=registration,
        reset_user=reset_user,
        reset_link=reset_link,
    )


@bp.get("/admin")
def users() -> str:
    """The accounts on this server, and whether anyone may register."""
    return _users_page()


@bp.post("/admin/registration")
def registration() -> Response:
    """Turn open registration on or off."""
    form = RegistrationForm()
    if form.validate_on_submit():
        is_open = bool(form.open_registration.data)
        SiteSetting.set(db.session, SiteSetting.OPEN_REGISTRATION, is_open)
        _commit_as_admin()
        _record("open registration turned %s", "on" if is_open else "off")
        if is_open:
            flash(
                _("Open registration is on: anyone who reaches this server can sign up."),
                "success",
            )
        else:
            flash(_("Open registration is off."), "success")
    return redirect(url_for("admin.users"))


def _account(user_id: int) -> User:
    """The account an admin action names, or a 404 that says there is none."""
    return db.get_or_404(User, user_id, description=_("There is no such account."))


def _set_disabled(user: User, disabled: bool, message: str) -> Response:
    """Disable or enable ``user``, log it, and go back to the list with ``message``."""
    hold_accounts(db.session, [current_user.id, user.id])  # see services.admins
    try:
        set_disabled(user, disabled)
        db.session.flush()
    except (StaleDataError, ObjectDeletedError):  # deleted as this request waited for it
        db.session.rollback()
        abort(404, description=_("There is no such account."))
    _commit_as_admin()
    _record("account %r %s", user.name, "disabled" if disabled else "enabled")
    flash(message, "success")
    return redirect(url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/disable")
def disable_user(user_id: int) -> Response:
    """Disable an account: it cannot sign in, its sessions end and its API tokens are revoked."""
    user = _account(user_id)
    if user.id == current_user.id:
        flash(_("You cannot disable your own account."), "error")
        return redirect(url_for("admin.users"))
    return _set_disabled(
        user, True, _("%(name)s is disabled and can no longer sign in.", name=user.name)
    )


@bp.post("/admin/users/<int:user_id>/enable")
def enable_user(user_id: int) -> Response:
    """Let a disabled account sign in again."""
    user = _account(user_id)
    return _set_disabled(user, False, _("%(name)s can sign in again.", name=user.name))


@bp.route("/admin/users/<int:user_id>/delete", methods=["GET", "POST"])
@password_again()
def delete_user(user_id: int) -> tuple[str, int] | Response:
    """Delete another account and everything in it, confirmed with the admin's password."""
    user = _account(user_id)
    if user.id == current_user.id:  # one's own, from Settings: it signs out
        return redirect(url_for("settings.delete_account"))
    form = RemovalForm()
    name = user.name
    if request.method == "POST" and deleted(user, form):
        _record("account %r deleted", name)
        flash(_("%(name)s's account and everything in it are deleted.", name=name), "success")
        return redirect(url_for("admin.users"))
    return removal_page(user, form, url_for("admin.users"))


@bp.post("/admin/users/<int:user_id>/reset-link")
def reset_link(user_id: int) -> Response:
    """Make a password reset link for an account, shown this once for the admin to send."""
    user = _account(user_id)
    link = url_for("admin.reset_password", token=reset_token(user, current_user.id), _external=True)
    _record("password reset link issued for %r", user.name)  # the link itself stays out
    return _private(_users_page(reset_user=user, reset_link=link))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response:
    """Set a new password with a reset link from an admin."""
    user = user_for_reset(token)
    if user is None:
        return _private(render_template("admin/reset_invalid.html"), 400)
    form = ResetForm()
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except AccountError as error:
            form.password.errors.append(str(error))
        else:
            db.session.commit()
            log.info("password of %r set with a reset link from %s", user.name, request.remote_addr)
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return _private(
        render_template("admin/reset.html", form=form, user=user, min_password=MIN_PASSWORD)
    )


# -- banks -----------------------------------------------------------------------------------


def _banks_page(form: UploadForm, problems: list[Problem] | None = None) -> str:
    sources = dict(db.session.execute(select(Bank.id, Bank.source)).all())
    return render_template(
        "admin/banks.html",
        summaries=bank_summaries(db.session),
        sources=sources,
        owners=dict(db.session.execute(select(Bank.id, Bank.group_id)).all()),
        groups=db.session.execute(select(Group.id, Group.name).order_by(Group.name)).all(),
        hidden=set(db.session.scalars(select(Bank.id).where(Bank.hidden.is_(True)))),
        form=form,
        problems=problems or [],
    )


def _upload_name(filename: str | None) -> str:
    """The uploaded file's own name, without any folders a browser sent along."""
    return PurePosixPath((filename or "").replace("\\", "/")).name or "upload"


def _shipped_conflict(bank: srs.bank.Bank, name: str) -> Problem | None:
    """An upload may not take the id of a shipped bank: the next start would load that back."""
    if not current_app.config["WENGU_AUTOLOAD_BANKS"]:
        return None
    existing = db.session.get(Bank, bank.id)
    shipped = Path(current_app.config["WENGU_BANKS_DIR"])
    if existing is None or Path(existing.source).parent != shipped:
        return None
    return Problem(
        name,
        1,
        1,
        f"bank: 'id' '{bank.id}' is the id of a bank shipped in {existing.source}; "
        "change that bank there, or give this one another id",
    )


@bp.get("/admin/banks")
def banks() -> str:
    """The banks on this server, and a form to import one."""
    return _banks_page(UploadForm(formdata=None))


@bp.post("/admin/banks")
def upload_bank() -> Response | tuple[str, int]:
    """Import an uploaded bank, checked as ``bank import`` checks it; nothing if it is bad."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _banks_page(form), 422
    name = _upload_name(form.bank.data.filename)
    data = form.bank.data.read()
    max_bytes = current_app.config["WENGU_MAX_BANK_BYTES"]
    try:
        bank = read_upload(
            name, data, max_bytes=max_bytes, importing=partial(kept_faces, db.session)
        )
    except BankError as error:
        _record("upload %r refused, problems: %d", name, len(error.problems))
        return _banks_page(form, error.problems), 422
    conflict = _shipped_conflict(bank, name)
    if conflict is not None:
        _record("upload %r refused: the id of a shipped bank", name)
        return _banks_page(form, [conflict]), 422
    report = import_upload(db.session, bank, name, data, max_bytes)
    _record("upload %r (%d bytes) imported: %s", name, len(data), report)
    flash(_import_message(report), "success")
    return redirect(url_for("admin.banks"))


def _bank_or_404(bank_id: str) -> Bank:
    return db.get_or_404(Bank, bank_id, description=_("There is no bank '%(bank)s'.", bank=bank_id))


@bp.post("/admin/banks/<bank_id>/hide")
def hide_bank(bank_id: str) -> Response:
    """Hide a bank from every learner; its cards and history are kept."""
    return _show_to_learners(bank_id, shown=False)


@bp.post("/admin/banks/<bank_id>/unhide")
def unhide_bank(bank_id: str) -> Response:
    """Show a hidden bank to learners again, with their progress as it was."""
    return _show_to_learners(bank_id, shown=True)


def _show_to_learners(bank_id: str, shown: bool) -> Response:
    bank = _bank_or_404(bank_id)
    set_hidden(bank, not shown)
    _commit_as_admin()
    if shown:
        _record("bank %r shown to learners again", bank.id)
        message = _("%(bank)s is shown to learners again.", bank=bank.title)
    else:
        _record("bank %r hidden from learners", bank.id)
        message = _(
            "%(bank)s is hidden from learners. Its cards and history are kept.", bank=bank.title
        )
    flash(message, "success")
    return redirect(url_for("admin.banks"))


@bp.post("/admin/banks/<bank_id>/group")
def bank_group(bank_id: str) -> Response:
    """Give a bank to a group, whose owners then edit it in the browser (or to none)."""
    bank = _bank_or_404(bank_id)
    chosen = request.form.get("group", "")
    group = None
    if chosen:
        with suppress(ValueError):  # not an id, so no group's
            group = db.session.get(Group, parse_whole_number(chosen, 1, MAX_ID))
        if group is None:
            abort(400, description=_("There is no such group."))
    set_group(bank, group.id if group else None)
    _commit_as_admin()
    _record("bank %r given to group %r", bank.id, group.name if group else None)
    if group is None:
        flash(_("%(bank)s belongs to no group: only admins edit it.", bank=bank.title), "success")
    else:
        flash(
            _(
                "%(bank)s belongs to %(group)s: its owners edit it.",
                bank=bank.title,
                group=group.name,
            ),
            "success",
        )
    return redirect(url_for("admin.banks"))


@bp.route("/admin/banks/<bank_id>/remove", methods=["GET", "POST"])
def remove_bank_page(bank_id: str) -> str | Response:
    """Remove a bank with its cards and history, after a page that says what will be lost."""
    bank = _bank_or_404(bank_id)
    shipped = Path(bank.source).parent == Path(current_app.config["WENGU_BANKS_DIR"])
    if request.method == "POST":  # CSRFProtect has checked the token
        if request.form.get("confirm") == "yes":
            title, removed_id = bank.title, bank.id
            contents = remove_bank(db.session, bank, now_utc())
            _commit_as_admin()
            _record(
                "bank %r removed with %d cards and %d reviews of %d learners",
                removed_id,
                contents.cards,
                contents.reviews,
                contents.learners,
            )
            flash(_("%(bank)s is removed, with its cards and history.", bank=title), "success")
            return redirect(url_for("admin.banks"))
        flash(_("Tick “Yes, remove” to remove %(bank)s.", bank=bank.title), "error")
    return render_template(
        "admin/remove_bank.html",
        bank=bank,
        contents=bank_contents(db.session, bank.id),
        shipped=shipped,
    )


def _import_message(report: ImportReport) -> str:
    """What an import did, as ``bank import`` prints it, in the request's language."""
    counts = {
        "added": format_number(report.added),
        "updated": format_number(report.updated),
        "retired": format_number(report.retired),
        "revived": format_number(report.revived),
        "unchanged": format_number(report.unchanged),
    }
    if report.revived:
        text = _(
            "%(added)s added, %(updated)s updated, %(retired)s retired, %(revived)s revived, "
            "%(unchanged)s unchanged",
            **counts,
        )
    else:
        text = _(
            "%(added)s added, %(updated)s updated, %(retired)s retired, %(unchanged)s unchanged",
            **counts,
        )
    return f"{report.bank}: {text}"


# -- groups ----------------------------------------------------------------------------------


@bp.get("/admin/groups")
def groups() -> str:
    """Every study group with its number of members."""
    rows = db.session.execute(
        select(Group, func.count(Membership.user_id))
        .outerjoin(Group.memberships)
        .group_by(Group.id)
        .order_by(func.lower(Group.name), Group.id)
    ).all()
    return render_template("admin/groups.html", groups=rows)


@bp.post("/admin/groups/<int:group_id>/delete")
def delete_group(group_id: int) -> Response:
    """Delete a group, its memberships and invites; members keep their accounts and reviews."""
    group = db.get_or_404(Group, group_id, description=_("There is no such group."))
    if request.form.get("confirm") != "yes":
        flash(_("Tick “Yes, delete” to delete %(name)s.", name=group.name), "error")
        return redirect(url_for("admin.groups"))
    name = group.name
    disown_banks(db.session, group.id)
    db.session.delete(group)
    _commit_as_admin()
    _record("group %r deleted", name)
    flash(
        _("%(name)s is deleted. Its members keep their accounts and reviews.", name=name),
        "success",
    )
    return redirect(url_for("admin.groups"))

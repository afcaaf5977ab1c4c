"""Study groups: the list, the board, invites, and joining (or registering) with a code."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from extensions import limiter
from models import Bank, Group, Invite, Membership, SiteSetting, User, db
from models.group import OWNER
from models.types import now_utc
from services.accounts import AccountError, sign_up
from services.conflict import committed
from services.group_board import WEAK_BELOW, board
from services.groups import (
    GroupError,
    InviteUsedUpError,
    RemovedError,
    create_group,
    create_invite,
    find_invite,
    group_bank_ids,
    hold_group,
    invite_code,
    join_group,
    leave_group,
    leave_refusal,
    member_count,
    membership,
    owns,
    remove_member,
    removed_members,
    set_group_banks,
    was_removed,
)
from services.groups import (
    allow_rejoin as allow_rejoin_of,
)
from services.invites import invite_preview
from services.queue import study_bank_ids
from views.auth import AccountForm, account_refused, new_account_form, start_session
from views.i18n import chosen_locale
from views.inputs import WholeNumberField

# Joining is not guessing a password: a class joins from one school network within a minute.
# Asking for invite codes that do not exist is guessing, and only that counts tightly; making
# accounts from one address (by invite or open registration) has a larger limit of its own.
CODE_GUESS_LIMIT = "10 per minute; 100 per day"
NEW_ACCOUNT_LIMIT = "60 per hour; 300 per day"


def no_such_invite(response: Response) -> bool:
    """Whether the request named an invite code that does not exist (or no longer works)."""
    return response.status_code == 404


# One count for both pages that make accounts; a learner signed in makes none by joining.
new_accounts = limiter.shared_limit(
    NEW_ACCOUNT_LIMIT,
    scope="new-account",
    methods=["POST"],
    exempt_when=lambda: current_user.is_authenticated,
)

bp = Blueprint("groups", __name__)
log = logging.getLogger("wengu.groups")


class GroupForm(FlaskForm):
    name = StringField(_l("Group name"), validators=[DataRequired(), Length(max=80)])
    banks = SelectMultipleField(_l("Banks the group studies"), choices=[])


class BanksForm(FlaskForm):
    banks = SelectMultipleField(_l("Banks the group studies"), choices=[])


class InviteForm(FlaskForm):
    days = WholeNumberField(_l("Valid for (days)"), default=7, validators=[NumberRange(1, 90)])
    max_uses = WholeNumberField(
        _l("Uses (empty: any)"), validators=[Optional(), NumberRange(1, 1000)]
    )


class CodeForm(FlaskForm):
    code = StringField(_l("Invite code"), validators=[DataRequired(), Length(max=40)])


def _bank_choices() -> list[tuple[str, str]]:
    banks = select(Bank).where(Bank.hidden.is_(False)).order_by(Bank.title)
    return [(b.id, b.title) for b in db.session.scalars(banks)]


def _group_for(group_id: int, *, owner: bool = False) -> tuple[Group, Membership | None]:
    """The group, if the caller may see it (a member, or an admin); owners only if asked."""
    group = db.get_or_404(
        Group, group_id, description=_("There is no such group, or you are not in it.")
    )
    if owner:  # an owner's change: one at a time, against removals (_commit_as_owner)
        hold_group(db.session, group.id)
    member = membership(db.session, group.id, current_user.id)
    if member is None and not current_user.is_admin:
        abort(404, description=_("There is no such group, or you are not in it."))
    if owner and not (current_user.is_admin or (member is not None and member.role == OWNER)):
        abort(403, description=_("Only the group's owners can do that."))
    return group, member


def _commit_as_owner(group_id: int) -> None:
    """Commit an owner's change unless another owner removed them meanwhile: read after the
    change is written, behind the group's row (``services.groups.hold_group``)."""
    db.session.flush()
    if not owns(db.session, group_id, current_user):
        db.session.rollback()
        abort(403, description=_("Only the group's owners can do that."))
    db.session.commit()


def _groups_page(form: GroupForm) -> str:
    """The learner's groups, and forms to start one (``form``) or join one."""
    groups = db.session.execute(
        select(Group, Membership)
        .join(Membership, Membership.group_id == Group.id)
        .where(Membership.user_id == current_user.id)
        .order_by(Group.name)
    ).all()
    return render_template("groups/index.html", groups=groups, form=form, code_form=CodeForm())


@bp.get("/groups")
@login_required
def index() -> str:
    """The learner's groups, and forms to start one or join one."""
    choices = _bank_choices()
    # Every bank the server shows is ticked at first: a group with no bank has no board.
    form = GroupForm(prefix="new", data={"banks": [bank_id for bank_id, _title in choices]})
    form.banks.choices = choices
    return _groups_page(form)


@bp.post("/groups")
@login_required
def create() -> str | Response:
    """Start a group; its creator is its owner."""
    form = GroupForm(prefix="new")
    form.banks.choices = _bank_choices()
    if form.validate_on_submit():
        try:
            group = create_group(db.session, current_user, form.name.data, form.banks.data)
        except GroupError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Group %(name)s started. Make an invite below to ask people to join.",
                    name=group.name,
                ),
                "success",
            )
            return redirect(url_for("groups.show", group_id=group.id, _anchor="invites-title"))
    return _groups_page(form), 400


@bp.post("/groups/join")
@login_required
def join_by_code() -> Response:
    """Go to the invite behind a typed code."""
    form = CodeForm()
    if not form.validate_on_submit():
        abort(400, description=_("Type the invite code."))
    return redirect(url_for("groups.join", code=invite_code(form.code.data)))


@bp.get("/groups/<int:group_id>")
@login_required
def show(group_id: int) -> str:
    """The group board."""
    group, member = _group_for(group_id)
    now = now_utc()
    banks_form = BanksForm(prefix="banks", data={"banks": group_bank_ids(db.session, group.id)})
    banks_form.banks.choices = _bank_choices()
    is_owner = current_user.is_admin or (member is not None and member.role == OWNER)
    members = (
        db.session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.group_id == group.id)
            .order_by(User.name)
        ).all()
        if is_owner
        else []
    )
    shown = board(db.session, group, current_user, now)
    db.session.commit()  # the members' study days summed for the first time are kept
    return render_template(
        "groups/show.html",
        group=group,
        member=member,
        is_owner=is_owner,
        board=shown,
        invites=[i for i in group.invites if i.usable(now)] if is_owner else [],
        invite_form=InviteForm(prefix="invite"),
        banks_form=banks_form,
        members=members,
        removed=removed_members(db.session, group.id) if is_owner else [],
        bank_titles=dict(_bank_choices()),
        group_banks=group_bank_ids(db.session, group.id),
        cannot_leave=leave_refusal(db.session, group, current_user) if member else None,
        alone=member is not None and member_count(db.session, group.id) == 1,
        weak_below=WEAK_BELOW,
        studying=set(study_bank_ids(db.session, current_user)) if member else set(),
        now=now,
    )


@bp.post("/groups/<int:group_id>/share")
@login_required
def share(group_id: int) -> Response:
    """Show or hide one's own numbers on the board."""
    group, member = _group_for(group_id)
    if member is None:
        abort(404, description=_("You are not in this group."))
    member.shares_progress = request.form.get("share") == "1"
    db.session.commit()
    if not member.shares_progress:
        message = _("Your progress is hidden.")
    elif group_bank_ids(db.session, group.id):
        message = _("Your progress is on the board.")
    else:  # the board counts over the group's banks: with none, it has nothing to show
        message = _("You share your progress: it shows on the board once the group has a bank.")
    flash(message, "success")
    return redirect(url_for("groups.show", group_id=group_id))


@bp.post("/groups/<int:group_id>/leave")
@login_required
def leave(group_id: int) -> Response:
    """Leave a group; one's cards and history stay one's own."""
    group, _member = _group_for(group_id)
    try:
        leave_group(db.session, group, current_user, now_utc())
    except GroupError as error:
        flash(str(error), "error")
        return redirect(url_for("groups.show", group_id=group_id))
    db.session.commit()
    flash(_("You left %(name)s.", name=group.name), "info")
    return redirect(url_for("groups.index"))


@bp.post("/groups/<int:group_id>/banks")
@login_required
def banks(group_id: int) -> Response:
    """Choose the banks the group studies."""
    group, _member = _group_for(group_id, owner=True)
    form = BanksForm(prefix="banks")
    form.banks.choices = _bank_choices()
    if form.validate_on_submit():
        set_group_banks(db.session, group, form.banks.data)
        _commit_as_owner(group_id)
        flash(_("The group's banks are saved."), "success")
    for error in form.banks.errors:  # a bank not offered: nothing saved, and why
        flash(str(error), "error")
    return redirect(url_for("groups.show", group_id=group_id))


@bp.post("/groups/<int:group_id>/invites")
@login_required
def invite(group_id: int) -> Response:
    """Make an invite code."""
    group, _member = _group_for(group_id, owner=True)
    form = InviteForm(prefix="invite")
    if form.validate_on_submit():
        made = create_invite(
            db.session,
            group,
            current_user,
            now_utc(),
            days=form.days.data,
            max_uses=form.max_uses.data,
        )
        _commit_as_owner(group_id)
        flash(_("Invite %(code)s made.", code=made.code), "success")
        # Straight to the invites, where the new one's link is to copy.
        return redirect(url_for("groups.show", group_id=group_id, _anchor="invites-title"))
    flash(_("An invite lasts 1 to 90 days, for 1 to 1,000 uses (empty: any number)."), "error")
    return redirect(url_for("groups.show", group_id=group_id))


@bp.post("/groups/<int:group_id>/invites/<int:invite_id>/revoke")
@login_required
def revoke(group_id: int, invite_id: int) -> Response:
    """Stop an invite from working."""
    _group_for(group_id, owner=True)
    found = db.session.get(Invite, invite_id)
    if found is None or found.group_id != group_id:
        abort(404, description=_("There is no such invite."))
    found.revoked_at = now_utc()
    _commit_as_owner(group_id)
    flash(_("Invite %(code)s revoked.", code=found.code), "info")
    return redirect(url_for("groups.show", group_id=group_id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/<any(promote, remove):action>")
@login_required
def member_action(group_id: int, user_id: int, action: str) -> Response:
    """Owners make members owners, or remove them."""
    group, _member = _group_for(group_id, owner=True)
    target = membership(db.session, group_id, user_id)
    if target is None:
        abort(404, description=_("There is no such member."))
    if action == "promote" and target.role == OWNER:
        flash(_("%(name)s is an owner already.", name=target.user.name), "info")
        return redirect(url_for("groups.show", group_id=group.id))
    if action == "promote":
        target.role = OWNER
    elif user_id == current_user.id:
        abort(400, description=_("Use 'Leave the group' to leave it yourself."))
    elif target.role == OWNER and not current_user.is_admin:
        abort(
            403,
            description=_(
                "An owner cannot remove another owner: they can leave, or an admin can remove them."
            ),
        )
    else:
        try:
            remove_member(db.session, group, current_user, user_id, now_utc())
        except GroupError as error:
            flash(str(error), "error")
            return redirect(url_for("groups.show", group_id=group.id))
    name = target.user.name
    _commit_as_owner(group_id)
    log.info(
        "group %r: %s %s by %r from %s",
        group.name,
        name,
        "made an owner" if action == "promote" else "removed",
        current_user.name,
        request.remote_addr,
    )
    if action == "promote":
        flash(_("%(name)s is now an owner of %(group)s.", name=name, group=group.name), "success")
    else:
        flash(
            _(
                "%(name)s was removed from %(group)s. An invite no longer lets their "
                "account in (you can allow them to rejoin under Members); revoke the invites "
                "they know if they might join under another name.",
                name=name,
                group=group.name,
            ),
            "info",
        )
    return redirect(url_for("groups.show", group_id=group.id))


@bp.post("/groups/<int:group_id>/removed/<int:user_id>/allow-rejoin")
@login_required
def allow_rejoin(group_id: int, user_id: int) -> Response:
    """Owners allow a removed learner to join again with an invite."""
    group, _member = _group_for(group_id, owner=True)
    user = db.session.get(User, user_id)
    if user is None or not allow_rejoin_of(db.session, group_id, user_id):
        abort(404, description=_("That learner is not kept out of the group."))
    _commit_as_owner(group_id)
    log.info("group %r: %s allowed to rejoin by %r", group.name, user.name, current_user.name)
    flash(
        _(
            "%(name)s may rejoin %(group)s with an invite: send them one.",
            name=user.name,
            group=group.name,
        ),
        "success",
    )
    return redirect(url_for("groups.show", group_id=group.id))


def _join_signed_in(found: Invite, now: datetime) -> str | Response | tuple[str, int]:
    """The join page of a learner signed in: one click, unless they are in the group
    already, or an owner removed them."""
    if membership(db.session, found.group_id, current_user.id) is not None:
        # An invite opened again, or a member's own: nothing to join, and no use taken.
        flash(_("You are already in %(name)s.", name=found.group.name), "info")
        return redirect(url_for("groups.show", group_id=found.group_id))
    refused = None  # why they may not join: an owner removed them
    if FlaskForm().validate_on_submit():
        try:
            committed(db.session, lambda: join_group(db.session, current_user, found, now))
        except RemovedError as error:
            db.session.rollback()
            refused = str(error)
        except InviteUsedUpError as error:
            db.session.rollback()
            abort(409, description=str(error))
        else:
            flash(_("You joined %(name)s.", name=found.group.name), "success")
            return redirect(url_for("groups.show", group_id=found.group_id))
    elif was_removed(db.session, found.group_id, current_user.id):
        refused = str(RemovedError(found.group.name))
    page = render_template(
        "groups/join.html",
        invite=found,
        form=None,
        refused=refused,
        about=invite_preview(db.session, found),
    )
    return page, 403 if refused else 200


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit(CODE_GUESS_LIMIT, deduct_when=no_such_invite)
@new_accounts
def join(code: str) -> str | Response | tuple[str, int]:
    """Join a group with an invite: signed in, one click; otherwise make an account here."""
    now = now_utc()
    found = find_invite(db.session, code, now)
    if found is None:
        abort(404, description=_("This invite has expired, was revoked, or does not exist."))
    if current_user.is_authenticated:
        return _join_signed_in(found, now)
    form = new_account_form(AccountForm)
    if form.validate_on_submit():
        try:
            user = sign_up(
                db.session,
                form.name.data,
                form.password.data,
                current_app.config,
                invite=found,
                now=now,
                timezone=form.timezone.data,
                locale=chosen_locale(),
            )
        except InviteUsedUpError as error:
            abort(409, description=str(error))
        except AccountError as error:
            account_refused(form, error)
        else:
            log.info(
                "account %r created with an invite to %r from %s",
                user.name,
                found.group.name,
                request.remote_addr,
            )
            start_session(user, remember=form.remember.data)
            flash(
                _(
                    "Welcome, %(name)s. You joined %(group)s.",
                    name=user.name,
                    group=found.group.name,
                ),
                "success",
            )
            return redirect(url_for("groups.show", group_id=found.group_id))
    return render_template(
        "groups/join.html", invite=found, form=form, about=invite_preview(db.session, found)
    )


@bp.route("/register", methods=["GET", "POST"])
@new_accounts
def register() -> str | Response:
    """Make an account without an invite, when the admin has opened registration."""
    if not SiteSetting.get(db.session, SiteSetting.OPEN_REGISTRATION, False):
        abort(404, description=_("Registration is closed: ask a group for an invite."))
    if current_user.is_authenticated:
        return redirect(url_for("review.today"))
    form = new_account_form(AccountForm)
    if form.validate_on_submit():
        try:
            user = sign_up(
                db.session,
                form.name.data,
                form.password.data,
                current_app.config,
                timezone=form.timezone.data,
                locale=chosen_locale(),
            )
        except AccountError as error:
            account_refused(form, error)
        else:
            log.info("account %r registered from %s", user.name, request.remote_addr)
            start_session(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(url_for("review.today"))
    return render_template("groups/register.html", form=form)

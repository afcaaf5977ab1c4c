"""Deleting an account, from its own Settings or by an admin: one page says what goes and
asks for the password of whoever deletes it (``services.account_removal``)."""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired

from models import User, db
from services.account_removal import (
    NoLongerAdminError,
    RemovalError,
    delete_account,
    removal_refusal,
    what_goes,
)
from services.accounts import check_password

__all__ = ["RemovalForm", "deleted", "removal_page"]


class RemovalForm(FlaskForm):
    current = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Type your password to confirm."))]
    )


def removal_page(user: User, form: RemovalForm, back: str) -> tuple[str, int]:
    """The page that confirms the deletion of ``user``'s account (400 after a refused try)."""
    page = render_template(
        "settings/delete.html",
        subject=user,
        own=user.id == current_user.id,
        removed=what_goes(db.session, user),
        refusal=removal_refusal(db.session, user),
        form=form,
        back=back,
    )
    return page, 400 if form.errors else 200


def deleted(user: User, form: RemovalForm) -> bool:
    """Delete ``user``'s account if the form confirms it with the password of the one
    signed in; whether it was deleted (if not, the form says why)."""
    if not form.validate_on_submit():
        return False
    if not check_password(current_user, form.current.data or ""):
        form.current.errors.append(_("That is not your password."))
        return False
    actor = current_user.id
    try:
        delete_account(db.session, user, by=current_user._get_current_object())
    except NoLongerAdminError as refused:
        db.session.rollback()
        if db.session.get(User, actor) is None:
            logout_user()  # their account went meanwhile: this request is no one's now
        abort(403, description=str(refused))
    except RemovalError as refused:
        db.session.rollback()
        form.current.errors.append(str(refused))
        return False
    db.session.commit()
    return True

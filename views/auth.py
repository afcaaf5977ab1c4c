"""Accounts: first-run setup, signing in and out."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any, TypeVar

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from extensions import limiter, login_manager
from models import SiteSetting, User, db
from models.types import MAX_ID
from models.user import name_key
from services.accounts import (
    MAX_ZONE_CHARS,
    MIN_PASSWORD,
    AccountError,
    AlreadySetUpError,
    ZoneError,
    account_defaults,
    authenticate,
    failed_sign_in,
    has_users,
    sign_up,
    user_for_token,
)
from services.first_run import code_matches, forget_setup_code, setup_code, setup_link
from services.sign_ins import close_sign_in, open_sign_in, user_for_sign_in
from views.i18n import chosen_locale
from views.inputs import safe_next
from views.strings import N_
from views.zones import zone_choices

bp = Blueprint("auth", __name__)
log = logging.getLogger("wengu.auth")

_OPEN_ENDPOINTS = {"auth.setup", "static", "errors.health", "i18n.switch"}
login_manager.login_message = N_("Please sign in to continue.")


class AccountForm(FlaskForm):
    """A new account's name and password: first-run setup, registration, joining."""

    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Use %(min)d to 200 characters.", min=MIN_PASSWORD)),
            Length(MIN_PASSWORD, 200, _l("Use %(min)d to 200 characters.", min=MIN_PASSWORD)),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )
    # The browser's zone, chosen by static/js/zone.js, or the server's default without
    # JavaScript. The service checks it, saying what is wrong with one that is no zone.
    timezone = SelectField(
        _l("Time zone"),
        choices=zone_choices,
        validate_choice=False,
        validators=[
            Length(
                max=MAX_ZONE_CHARS,
                message=_l("A time zone's name is at most %(max)d characters.", max=MAX_ZONE_CHARS),
            )
        ],
    )
    # As on the sign-in form: a phone's browser may end its session when it closes.
    remember = BooleanField(_l("Keep me signed in"))


_Form = TypeVar("_Form", bound=AccountForm)


def new_account_form(form_class: type[_Form]) -> _Form:
    """``form_class`` as sent, or new with the server's default time zone."""
    return form_class(data={"timezone": account_defaults(current_app.config)["timezone"]})


def account_refused(form: AccountForm, error: AccountError) -> None:
    """Show why an account was not made beside the field at fault."""
    field = form.timezone if isinstance(error, ZoneError) else form.name
    field.errors.append(str(error))


class SetupForm(AccountForm):
    """The first account, with the setup code from the server's log."""

    code = StringField(_l("Setup code"), validators=[DataRequired(), Length(max=64)])


class LoginForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))


# What User.get_id writes: the account, its session version and the sign-in's id.
_COOKIE_ID = re.compile(r"([0-9]{1,18})\.([0-9]{1,9})\.([A-Za-z0-9_-]{43})")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The account of a session or remember-me cookie (``User.get_id``), unless disabled,
    signed out on that browser, or its sessions ended since it was signed in."""
    found = _COOKIE_ID.fullmatch(user_id)
    if found is None or int(found[1]) > MAX_ID:
        return None
    user = user_for_sign_in(db.session, int(found[1]), found[3])
    if user is None or user.disabled or user.session_version != int(found[2]):
        return None
    return user


@login_manager.request_loader
def load_user_from_token(request_: object) -> User | None:
    """The account of a bearer token, for the JSON API only: a token made for a script
    opens no page and sends no form (a form reached with it could make tokens of its own,
    or an admin's could reset anyone's password)."""
    if request.blueprint != "api":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(db.session, token.strip())


@bp.before_app_request
def require_setup() -> Response | None:
    """Until the first account exists, every page leads to /setup."""
    state = current_app.extensions.setdefault("wengu", {})
    if state.get("has_users") or request.endpoint in _OPEN_ENDPOINTS or request.blueprint == "api":
        return None
    if has_users(db.session):
        state["has_users"] = True  # accounts are never all deleted: ask once per process
        return None
    if not state.get("setup_announced"):
        # The start-up line may never have been written (gunicorn, a database not yet up): say
        # it once more. Only the path: the Host header is the sender's to choose, and a link
        # built from it would hand the one-time code to whoever forged it.
        state["setup_announced"] = True
        log.warning("First run: create the admin at %s on this server", setup_link("", _code()))
    return redirect(url_for("auth.setup"))


def _code() -> str:
    return setup_code(Path(current_app.instance_path), current_app.config["WENGU_SETUP_CODE"])


# Guessing passwords is slow: ten wrong passwords a minute against one account from all
# addresses together, and a few more from one address against any accounts. Only failures
# count; a class signing in from one school network shares an address, so the address's
# limit is three times an account's: its members' mistypes would have to pass thirty in a
# minute to stop it, and then only for the rest of that minute. The per-account limit ends
# within the hour, so someone who guesses on purpose locks the owner out for an hour at most.
# Setting up and changing one's password, one person's forms, keep the tighter limit.
SIGN_IN_LIMIT = "10 per minute; 100 per day"
ADDRESS_LIMIT = "30 per minute; 300 per day"
ACCOUNT_LIMIT = "10 per minute; 50 per hour"


def sign_in_failed(response: Response) -> bool:
    """Whether the request checked a password and it was wrong (see :func:`wrong_password`)."""
    return bool(g.get("wrong_password"))


def wrong_password() -> None:
    """Count this request against the sign-in limits (a wrong password at sign-in)."""
    g.wrong_password = True


def password_again() -> Any:
    """The limit on a password asked again of the one signed in (to change it, to delete
    an account), shared by those forms: counted by account, not by address or sign-in, so
    that guesses from a session taken over are limited and no one else behind the same
    address is stopped; every try counts, so that tries sent at once are counted too."""
    return limiter.shared_limit(
        SIGN_IN_LIMIT,
        scope="password-again",
        # The account's number alone: not the session's id, which names a sign-in.
        key_func=lambda: f"account-signed-in/{getattr(current_user, 'id', None)}",
        methods=["POST"],  # every try, counted before the password is checked
    )


def account_tried() -> str:
    """The rate-limit key of the account a sign-in names: its normal form, hashed so that
    any name, however long or odd, makes a short key and no name is stored."""
    name = name_key(request.form.get("name", ""))
    return "account/" + hashlib.sha256(name.encode("utf-8", "replace")).hexdigest()[:32]


@bp.route("/setup", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def setup() -> str | Response:
    """First run: create the admin account."""
    if has_users(db.session):
        return redirect(url_for("auth.login"))
    form = new_account_form(SetupForm)
    if not form.is_submitted():
        # Filled in from the link in the log, unchecked: only a sent form is told whether
        # the code is right, and sending is rate-limited.
        form.code.data = request.args.get("code", "")
    if form.validate_on_submit():
        if not code_matches(_code(), form.code.data):
            log.info("setup refused: wrong setup code from %s", request.remote_addr)
            form.code.errors.append(
                _(
                    "That is not the setup code. It is in the server's log, on the line "
                    "that starts with “First run”."
                )
            )
            return render_template("auth/setup.html", form=form)
        try:
            user = sign_up(
                db.session,
                form.name.data,
                form.password.data,
                current_app.config,
                first_admin=True,
                timezone=form.timezone.data,
                locale=chosen_locale(),
            )
        except AlreadySetUpError:  # another first run finished while this one was sent
            return redirect(url_for("auth.login"))
        except AccountError as error:
            account_refused(form, error)
        else:
            forget_setup_code(Path(current_app.instance_path))
            log.info("setup: admin account %r created from %s", user.name, request.remote_addr)
            start_session(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s. Your admin account is ready.", name=user.name), "success")
            return redirect(url_for("review.today"))
    return render_template("auth/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(ADDRESS_LIMIT, methods=["POST"], deduct_when=sign_in_failed)
@limiter.limit(ACCOUNT_LIMIT, methods=["POST"], key_func=account_tried, deduct_when=sign_in_failed)
def login() -> str | Response:
    """Sign in with name and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session, form.name.data, form.password.data)
        if user is None:
            log.info(
                "sign-in failed for %s from %s",
                failed_sign_in(db.session, form.name.data),
                request.remote_addr,
            )
            wrong_password()
            form.password.errors.append(_("Wrong name or password."))
        else:
            target = safe_next(request.args.get("next"))
            start_session(user, remember=form.remember.data)
            return redirect(target)
    return render_template(
        "auth/login.html",
        form=form,
        open_registration=SiteSetting.get(db.session, SiteSetting.OPEN_REGISTRATION, False),
    )


def start_session(user: User, *, remember: bool = False) -> None:
    """Sign ``user`` in on a fresh session: nothing of the one before is kept (no fixation),
    and a sign-in of its own that signing out ends."""
    session.clear()
    open_sign_in(db.session, user)
    db.session.commit()
    login_user(user, remember=remember)


def keep_signed_in(user: User) -> None:
    """Sign ``user`` in again on this browser after their sessions were ended (a new
    password), with a remember-me cookie again if it had one."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    open_sign_in(db.session, user)
    db.session.commit()
    login_user(user, remember=cookie in request.cookies)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Sign out: this browser's sign-in ends, so that a copy of its cookies signs in no one."""
    close_sign_in(db.session, current_user)
    db.session.commit()
    session.clear()
    logout_user()  # after clearing: it leaves the mark that deletes the remember-me cookie
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))

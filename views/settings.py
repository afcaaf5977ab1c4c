"""A learner's own settings: scheduling, limits, day and time zone, parameters, password, theme.

The theme (light, dark, or following the system) belongs to the browser rather than the
account, so it lives in a cookie that every page reads, signed in or not.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from babel.dates import get_day_names
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    stream_with_context,
    url_for,
)
from flask_babel import format_decimal, format_number, format_percent, get_locale, ngettext, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from models import db
from models.types import now_utc
from services.accounts import (
    MIN_PASSWORD,
    AccountError,
    ZoneError,
    check_password,
    check_zone,
    end_sessions,
    issue_token,
    revoke_token,
    set_password,
    user_tokens,
)
from services.answers import review_log
from services.optimize import (
    Rescheduled,
    optimize_user,
    training_reviews,
    use_default_parameters,
)
from services.progress import set_study_day
from services.settings import (
    ALL_MINIMUM,
    EASY_DAY_CHOICES,
    SETTINGS,
    change_settings,
)
from srs.export import HistoryRow, history_csv, history_json
from srs.optimize import MIN_REVIEWS, NotEnoughHistory
from srs.scheduler import bounded_easy_days, bounded_steps, format_steps
from views.account_removal import RemovalForm, deleted, removal_page
from views.auth import keep_signed_in, password_again
from views.settings_forms import EASY_DAYS, THEMES, PasswordForm, SettingsForm, ThemeForm, TokenForm

bp = Blueprint("settings", __name__)

THEME_COOKIE = "wengu_theme"
THEME_COOKIE_DAYS = 400  # the longest a browser keeps a cookie

_API_NAMES = {"rollover_hour": "day_starts_at"}  # the form's names the API says otherwise

# The page's groups, each saved by its own button: the fields each holds. A form sent
# without a group (the API's clients, older pages) saves them all.
GROUPS = {
    "study": ("new_per_day", "reviews_per_day", "learning_steps", "relearning_steps"),
    "schedule": ("desired_retention", "maximum_interval", "timezone", "rollover_hour", *EASY_DAYS),
    "appearance": ("locale",),
}


def current_theme() -> str:
    """The theme this browser chose: ``auto`` (follow the system), ``light`` or ``dark``."""
    chosen = request.cookies.get(THEME_COOKIE, "auto")
    return chosen if chosen in THEMES else "auto"


@bp.app_context_processor
def theme_context() -> dict[str, str]:
    return {"theme": current_theme()}


def _settings_form(group: str | None = None, **kwargs: object) -> SettingsForm:
    user = current_user
    form = SettingsForm(
        data={
            "desired_retention": user.desired_retention,
            "new_per_day": user.new_per_day,
            "reviews_per_day": user.reviews_per_day,
            "learning_steps": format_steps(bounded_steps(user.learning_steps)),
            "relearning_steps": format_steps(bounded_steps(user.relearning_steps)),
            "rollover_hour": user.rollover_hour,
            "timezone": user.timezone,
            "maximum_interval": user.maximum_interval,
            "locale": user.locale or "",
            **dict(zip(EASY_DAYS, bounded_easy_days(user.easy_days), strict=True)),
        },
        **kwargs,
    )
    names = get_day_names("wide", locale=get_locale())
    for day, name in enumerate(EASY_DAYS):
        select = form[name]
        select.label.text = names[day]
        share = select.data
        if isinstance(share, float) and share not in EASY_DAY_CHOICES and 0 <= share <= 1:
            # A share the API set: shown as it is, kept unless another is chosen.
            select.choices = [*select.choices, SelectChoice(share, format_percent(share))]
    if group is not None:
        for name in [f.name for f in form if f.name != "csrf_token"]:
            if name not in GROUPS[group]:
                del form[name]
    return form


def _keep_theme(response: Response, theme: str) -> Response:
    response.set_cookie(
        THEME_COOKIE,
        theme,
        max_age=THEME_COOKIE_DAYS * 24 * 3600,
        secure=request.is_secure,
        httponly=True,
        samesite="Lax",
    )
    return response


def _page(
    form: SettingsForm,
    password_form: PasswordForm,
    token_form: TokenForm | None = None,
    new_token: str | None = None,
) -> str:
    return render_template(
        "settings/settings.html",
        form=form,
        password_form=password_form,
        token_form=token_form or TokenForm(prefix="token", formdata=None),
        tokens=user_tokens(db.session, current_user),
        new_token=new_token,
        now=now_utc(),
        theme_form=ThemeForm(data={"theme": current_theme()}, formdata=None),
        saved=request.args.get("saved"),
        groups=GROUPS,
        min_password=MIN_PASSWORD,
        training_reviews=training_reviews(db.session, current_user),
        min_reviews=MIN_REVIEWS,
        parameters_result=session.pop(_PARAMETERS_RESULT, None),
        all_minimum=ALL_MINIMUM,
    )


def _changes(fields: dict[str, Any]) -> dict[str, object]:
    """The settings a valid form holds, named and written as the API's."""
    changes = {_API_NAMES.get(name, name): data for name, data in fields.items()}
    if "desired_retention" in changes:
        changes["desired_retention"] = float(changes["desired_retention"])
    if EASY_DAYS[0] in fields:
        changes["easy_days"] = [changes.pop(name) for name in EASY_DAYS]
    return {name: data for name, data in changes.items() if name in SETTINGS}


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response:
    """Change how cards are scheduled for you: one group of settings (``group``) at a time,
    confirmed beside its own button, or all at once."""
    group = request.form.get("group") if request.method == "POST" else None
    if group is not None and group not in GROUPS:
        abort(400, description=_("There is no group of settings '%(group)s'.", group=group))
    form = _settings_form(group)
    if form.validate_on_submit():
        user = current_user
        fields = {f.name: f.data for f in form if f.name != "csrf_token"}
        change_settings(db.session, user, _changes(fields), now_utc())
        if "locale" in fields:
            user.locale = fields["locale"] or None
            g.language_chosen = True  # views.i18n: the switch's choice goes with "the browser's"
        db.session.commit()
        refresh()  # the message below in the language just chosen
        if group is None:
            flash(_("Settings saved."), "success")
            return redirect(url_for("settings.settings"))
        response = redirect(url_for("settings.settings", saved=group, _anchor=f"{group}-saved"))
        theme = request.form.get("theme")
        return _keep_theme(response, theme) if theme in THEMES else response
    if group is not None:
        # The page shows every group: the others as stored, this one as sent, with its errors.
        sent, form = form, _settings_form(formdata=None)
        for field in sent:
            if field.name != "csrf_token":
                form[field.name].data, form[field.name].raw_data = field.data, field.raw_data
                form[field.name].errors = field.errors
        form.week_errors = sent.week_errors
    return _page(form, PasswordForm(prefix="pw", formdata=None))


@bp.post("/settings/timezone")
@login_required
def use_browser_zone() -> Response:
    """Take the time zone the browser is in, as the home page offers; today is recounted."""
    try:
        zone = check_zone(request.form.get("timezone", ""))
    except ZoneError as error:
        flash(str(error), "error")
    else:
        set_study_day(db.session, current_user, zone, current_user.rollover_hour, now_utc())
        db.session.commit()
        flash(_("Your study days now follow the time zone %(zone)s.", zone=zone), "success")
    return redirect(url_for("review.today"))


@bp.post("/settings/password")
@login_required
@password_again()
def change_password() -> str | Response:
    """Set a new password, given the current one."""
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        if not check_password(current_user, form.current.data or ""):
            form.current.errors.append(_("That is not your current password."))
        else:
            try:
                set_password(current_user, form.password.data)
            except AccountError as error:
                form.password.errors.append(str(error))
            else:
                db.session.commit()
                keep_signed_in(current_user._get_current_object())
                flash(
                    _("Password changed. Other browsers signed in to this account are signed out."),
                    "success",
                )
                return redirect(url_for("settings.settings"))
    return _page(_settings_form(formdata=None), form)


@bp.post("/settings/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    """End every session of this account, on every browser and device, this one too."""
    end_sessions(current_user)
    db.session.commit()
    session.clear()
    logout_user()
    flash(_("You are signed out on every browser and device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
@password_again()
def delete_account() -> tuple[str, int] | Response:
    """Delete one's own account and everything in it, confirmed with the password."""
    form = RemovalForm()
    user = current_user._get_current_object()
    if request.method == "POST" and deleted(user, form):
        session.clear()
        logout_user()
        flash(_("Your account and everything in it are deleted."), "info")
        return redirect(url_for("auth.login"))
    return removal_page(user, form, url_for("settings.settings", _anchor="account"))


@bp.post("/settings/tokens")
@login_required
def create_token() -> tuple[str, int] | Response:
    """Make an API token, shown on this page once (only its hash is kept)."""
    form = TokenForm(prefix="token")
    if form.validate_on_submit():
        try:
            token = issue_token(
                db.session,
                current_user,
                name=form.name.data,
                days=form.days.data,
                sign_in=current_user.sign_in_id,
            )
        except AccountError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            page = _page(
                _settings_form(formdata=None),
                PasswordForm(prefix="pw", formdata=None),
                new_token=token,
            )
            response = make_response(page)
            response.headers["Cache-Control"] = "no-store"  # the token is in the page
            return response
    page = _page(_settings_form(formdata=None), PasswordForm(prefix="pw", formdata=None), form)
    return page, 400


@bp.post("/settings/tokens/<int:token_id>/revoke")
@login_required
def revoke(token_id: int) -> Response:
    """Revoke one of one's own API tokens: requests sending it are refused from now on."""
    if not FlaskForm().validate_on_submit():
        abort(400, description=_("The form expired; reload the page and try again."))
    if not revoke_token(db.session, current_user, token_id, now_utc()):
        abort(404, description=_("You have no such token."))
    db.session.commit()
    flash(_("The token is revoked."), "info")
    return redirect(url_for("settings.settings", _anchor="tokens"))


@bp.post("/settings/theme")
@login_required
def set_theme() -> Response:
    """Keep this browser's theme in a cookie: light, dark, or following the system."""
    form = ThemeForm()
    if not form.validate_on_submit():
        flash(_("Choose a theme: follow the system, light or dark."), "error")
        return redirect(url_for("settings.settings", _anchor="theme"))
    response = redirect(
        url_for("settings.settings", saved="appearance", _anchor="appearance-saved")
    )
    return _keep_theme(response, form.theme.data)


_PARAMETERS_RESULT = "parameters_result"  # the session's key for what the last button did


def _parameters_result(kind: str, text: str) -> Response:
    """Back to the page at the parameters' buttons, with ``text`` shown beside them once
    (as a group's ✓ Saved is beside its button), not at the top a screen away."""
    session[_PARAMETERS_RESULT] = {"kind": kind, "text": text}
    return redirect(url_for("settings.settings", _anchor="parameters-result"))


def _rescheduled(done: Rescheduled) -> dict[str, str]:
    return {
        "cards": format_number(done.cards),
        "due_before": format_number(done.due_before),
        "due_after": format_number(done.due_after),
    }


@bp.post("/settings/optimize")
@login_required
def optimize() -> Response:
    """Fit one's FSRS parameters to one's own reviews, and reschedule with them."""
    try:
        optimized = optimize_user(db.session, current_user)
    except NotEnoughHistory as error:
        return _parameters_result(
            "error",
            _(
                "Personal parameters need at least %(min)s reviews; you have %(reviews)s.",
                min=format_number(MIN_REVIEWS),
                reviews=format_number(error.reviews),
            ),
        )
    db.session.commit()
    fit = optimized.fit
    numbers = {
        "before": format_decimal(fit.log_loss_before, "0.0000"),
        "after": format_decimal(fit.log_loss_after, "0.0000"),
        "reviews": format_number(fit.reviews),
    }
    if optimized.rescheduled is None:
        message = _(
            "Log loss %(before)s → %(after)s over %(reviews)s reviews: "
            "no better, so nothing changed.",
            **numbers,
        )
        return _parameters_result("info", message)
    message = ngettext(
        "Log loss %(before)s → %(after)s over %(reviews)s reviews. Personal parameters "
        "in use; %(cards)s card rescheduled; due today: %(due_before)s → %(due_after)s.",
        "Log loss %(before)s → %(after)s over %(reviews)s reviews. Personal parameters "
        "in use; %(cards)s cards rescheduled; due today: %(due_before)s → %(due_after)s.",
        optimized.rescheduled.cards,
        **numbers,
        **_rescheduled(optimized.rescheduled),
    )
    return _parameters_result("success", message)


@bp.post("/settings/default-parameters")
@login_required
def default_parameters() -> Response:
    """Go back to the default FSRS parameters, and reschedule with them."""
    done = use_default_parameters(db.session, current_user)
    db.session.commit()
    if done is None:
        return _parameters_result("info", _("You use the default parameters; nothing changed."))
    message = ngettext(
        "Default parameters in use; %(cards)s card rescheduled; "
        "due today: %(due_before)s → %(due_after)s.",
        "Default parameters in use; %(cards)s cards rescheduled; "
        "due today: %(due_before)s → %(due_after)s.",
        done.cards,
        **_rescheduled(done),
    )
    return _parameters_result("success", message)


def _history_rows() -> Iterator[HistoryRow]:
    query = review_log(current_user.id).execution_options(yield_per=1000)
    for review, key, ordinal in db.session.execute(query):
        yield HistoryRow(
            card_id=review.card_id,
            reviewed_at=review.reviewed_at,
            rating=review.rating,
            state=review.state_before,
            elapsed_ms=review.elapsed_ms,
            bank=review.bank_id,
            question=key,
            ordinal=ordinal,
        )


@bp.get("/settings/history.<kind>")
@login_required
def history(kind: str) -> Response:
    """Download one's own review log: CSV as FSRS tools read it, or JSON."""
    writers = {
        "csv": (history_csv, "text/csv"),  # Werkzeug adds "; charset=utf-8"
        "json": (history_json, "application/json"),
    }
    if kind not in writers:
        abort(404, description=_("The history comes as .csv or .json."))
    write, media_type = writers[kind]
    name = f"wengu-history-{current_user.name}.{kind}"
    return Response(
        stream_with_context(write(_history_rows())),
        mimetype=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )

"""The settings page's forms: the study settings (checked by the API's rules), the
password, API tokens and the theme."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from services.accounts import MAX_TOKEN_DAYS, MIN_PASSWORD
from services.settings import (
    EASY_DAY_CHOICES,
    SettingError,
    check_easy_day,
    check_easy_week,
    check_setting,
)
from views.i18n import LANGUAGES
from views.inputs import FiniteDecimalField, WholeNumberField, checked_by
from views.zones import zone_choices

THEMES = {"auto": _l("Follow the system"), "light": _l("Light"), "dark": _l("Dark")}
EASY_DAYS = tuple(f"easy_day_{day}" for day in range(7))  # Monday first, as the API's list


def _checked(name: str) -> Callable[[Any, Any], None]:
    return checked_by(partial(check_setting, name))  # the API's rule and message


class SettingsForm(FlaskForm):
    desired_retention = FiniteDecimalField(
        _l("Desired retention"),
        places=2,
        validators=[DataRequired(), checked_by(partial(check_setting, "desired_retention"), float)],
        description=_l("The share of cards you want to recall when they come due (0.70–0.99)."),
    )
    new_per_day = WholeNumberField(
        _l("New cards a day, per bank"), validators=[_checked("new_per_day")]
    )
    reviews_per_day = WholeNumberField(
        _l("Reviews a day, per bank"), validators=[_checked("reviews_per_day")]
    )
    learning_steps = StringField(
        _l("Learning steps"),
        validators=[_checked("learning_steps")],
        description=_l("As in Anki: 1m 10m"),
    )
    relearning_steps = StringField(
        _l("Relearning steps"),
        validators=[_checked("relearning_steps")],
        description=_l("After a lapse: 10m"),
    )
    rollover_hour = WholeNumberField(
        _l("Next day starts at (hour)"),
        validators=[_checked("day_starts_at")],
        description=_l("In your time zone; 4 means 04:00."),
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=zone_choices,
        validate_choice=False,
        validators=[_checked("timezone")],
    )
    maximum_interval = WholeNumberField(
        _l("Maximum interval (days)"), validators=[_checked("maximum_interval")]
    )
    locale = SelectField(
        _l("Language"),
        choices=[
            SelectChoice("", _l("As my browser asks")),
            *(SelectChoice(code, name) for code, name in LANGUAGES.items()),
        ],
        description=_l("The language of Wengu's pages; banks keep their own."),
    )
    week_errors: tuple[str, ...] = ()  # the easy days' week refused as a whole

    def validate(self, extra_validators: Any = None) -> bool:
        """Each field by its own rule, then the easy days as a week (the API's rule too)."""
        self.week_errors = ()
        valid = super().validate(extra_validators)
        days = [self[name] for name in EASY_DAYS if name in self]
        if valid and days:
            try:
                check_easy_week([day.data for day in days])
            except SettingError as error:
                self.week_errors = (error.message,)
                return False
        return valid


# One select per weekday, labelled with the day's name in the page's language when shown.
for _day in EASY_DAYS:
    setattr(
        SettingsForm,
        _day,
        SelectField(
            choices=[SelectChoice(share, label) for share, label in EASY_DAY_CHOICES.items()],
            coerce=float,
            validate_choice=False,
            validators=[checked_by(check_easy_day)],
        ),
    )


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("The password needs at least %(min)d characters.", min=MIN_PASSWORD))
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", _l("The passwords differ."))],
    )
    current = PasswordField(_l("Current password"), validators=[DataRequired()])


class TokenForm(FlaskForm):
    name = StringField(
        _l("What the token is for"),
        validators=[DataRequired(), Length(max=80)],
        description=_l("For example: phone app, backup script."),
    )
    days = WholeNumberField(
        _l("Expires after (days)"),
        validators=[Optional(), NumberRange(1, MAX_TOKEN_DAYS)],
        description=_l("Empty: until you revoke it."),
    )


class ThemeForm(FlaskForm):
    theme = RadioField(
        _l("Theme"),
        choices=[SelectChoice(key, label) for key, label in THEMES.items()],
        validators=[DataRequired()],
    )

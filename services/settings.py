"""A learner's study settings: the one set of rules the settings page and the API both check.

Each setting has one check here that takes the value as Python holds it (a number, a text,
a list) and returns it as it is stored, or raises :class:`SettingError` with the message
the page shows beside the field and the API returns for it. So the same bad value is
refused with the same words wherever it is sent.

The names are the API's (``day_starts_at`` is ``users.rollover_hour``, an hour 0–23);
steps are written as Anki writes them (``"1m 10m"``), easy days as seven fractions of a
normal day's reviews, Monday first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from models.user import User
from services.accounts import ZoneError, check_zone
from services.progress import set_study_day
from srs.scheduler import (
    MAX_STEPS,
    NORMAL_WEEK,
    StepLengthError,
    bounded_easy_days,
    bounded_steps,
    format_steps,
    parse_steps,
)

__all__ = [
    "ALL_MINIMUM",
    "EASY_DAY_CHOICES",
    "MAX_KEYS",
    "SETTINGS",
    "SettingError",
    "SettingsError",
    "TooManyKeysError",
    "change_settings",
    "check_easy_day",
    "check_easy_week",
    "check_setting",
    "check_settings",
    "settings_of",
]

# Anki's three easy-day choices: the page offers these; the API takes any fraction 0–1.
EASY_DAY_CHOICES = {1.0: _l("Normal"), 0.5: _l("Reduced"), 0.0: _l("Minimum")}


class SettingError(ValueError):
    """One value a setting cannot take; the message says what it may be."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = str(message)


def _sentence(message: str) -> str:
    return message if message.endswith((".", "!", "?", "。", "！", "？")) else f"{message}."


class SettingsError(ValueError):
    """The settings sent that cannot be taken: each name with its message.

    The text gives each refused setting its message, a sentence each; then the names that
    are no setting, together, and the settings there are, once.
    """

    def __init__(self, errors: Mapping[str, str]) -> None:
        unknown = [name for name in errors if name not in _CHECKS]
        sentences = [
            f"{name}: {_sentence(message)}" for name, message in errors.items() if name in _CHECKS
        ]
        if unknown:
            sentences.append(
                str(
                    _l(
                        "No such setting: %(unknown)s. The settings are %(names)s.",
                        unknown=", ".join(unknown),
                        names=", ".join(SETTINGS),
                    )
                )
            )
        super().__init__(" ".join(sentences))
        self.errors = dict(errors)


MAX_KEYS = 32
"""The most names one change may send: more than there are settings, far fewer than a
flood of unknown names, each of which would otherwise be answered."""
_MAX_NAME = 64  # characters in a name sent; the settings' own are far shorter


class TooManyKeysError(ValueError):
    """A change sends more names, or longer ones, than any change of settings could."""


def _range(low: float, high: float) -> SettingError:
    return SettingError(_l("Number must be between %(min)s and %(max)s.", min=low, max=high))


def _number(value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SettingError(_l("Not a valid decimal value."))
    if not math.isfinite(value) or not low <= value <= high:
        raise _range(low, high)
    return float(value)


def _whole(low: int, high: int) -> Callable[[object], int]:
    def check(value: object) -> int:
        if value is None:  # a field left empty: say what goes in it
            raise SettingError(
                _l("Enter a whole number from %(min)s to %(max)s.", min=low, max=high)
            )
        if isinstance(value, bool) or not isinstance(value, int):
            raise SettingError(_l("Not a valid integer value."))
        if not low <= value <= high:
            raise _range(low, high)
        return value

    return check


def _shown(word: str) -> str:
    """``word`` as a message quotes it: cut short, so a long one is not echoed whole."""
    return word if len(word) <= 20 else f"{word[:19]}…"


def _steps(value: object) -> list[int]:
    if not isinstance(value, str):
        raise SettingError(_l("Steps are text, as in Anki: 1m 10m"))
    words = value.split()
    if len(words) > MAX_STEPS:
        raise SettingError(_l("At most %(count)d steps.", count=MAX_STEPS))
    for index, word in enumerate(words):
        try:
            parse_steps(word)
        except StepLengthError:
            raise SettingError(
                _l("'%(word)s' is longer than a step may be (365d).", word=_shown(word))
            ) from None
        except ValueError:
            raise _not_a_step(words, index) from None
    return list(parse_steps(value))


_NUMBER = re.compile(r"[0-9]{1,6}(?:\.[0-9]{1,3})?", re.ASCII)


def _not_a_step(words: list[str], index: int) -> SettingError:
    """Why ``words[index]`` is not a step: a number alone lacks its unit, written apart from
    it (``1 小时``, ``10 min``) or left out."""
    word = words[index]
    if _NUMBER.fullmatch(word):
        written = " ".join(words[index : index + 2])
        return SettingError(
            _l(
                "'%(word)s': write each step as a number with its unit right after it: "
                "s, m, h or d, as in %(number)sm or %(number)sh",
                word=_shown(written),
                number=word,
            )
        )
    return SettingError(_l("'%(word)s' is not a step like 30s, 10m, 1h or 1d", word=_shown(word)))


def _zone(value: object) -> str:
    if not isinstance(value, str):
        raise SettingError(_l("A time zone is a name such as Asia/Shanghai or Europe/Berlin."))
    try:
        return check_zone(value)
    except ZoneError as error:
        raise SettingError(error) from None


def check_easy_day(value: object) -> float:
    """One day's share of a normal day's reviews: a number from 0 (minimum) to 1 (normal)."""
    return _number(value, 0, 1)


ALL_MINIMUM = _l(
    "At least one day must be above 0 (Minimum): "
    "with every day at Minimum, easy days change nothing."
)
"""Why a week of easy days all at 0 is refused: the API's message, and the page's warning."""


def check_easy_week(shares: list[float]) -> None:
    """A week of easy days, each already a share from 0 to 1, as a week may be: at least
    one day above 0. With every day at Minimum none is easier than another, and the load
    balancer (:func:`srs.balance.balanced_days`) treats the week as normal, as Anki does.

    Raises:
        SettingError: every day is at 0.
    """
    if not any(share > 0 for share in shares):
        raise SettingError(ALL_MINIMUM)


def _easy_days(value: object) -> list[float]:
    if not isinstance(value, list) or len(value) != 7:
        raise SettingError(_l("Easy days are seven numbers from 0 to 1, Monday first."))
    shares = [check_easy_day(share) for share in value]
    check_easy_week(shares)
    return shares


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "desired_retention": lambda value: _number(value, 0.70, 0.99),
    "new_per_day": _whole(0, 9999),
    "reviews_per_day": _whole(0, 99999),
    "learning_steps": _steps,
    "relearning_steps": _steps,
    "day_starts_at": _whole(0, 23),
    "timezone": _zone,
    "maximum_interval": _whole(1, 36500),
    "easy_days": _easy_days,
}
SETTINGS = tuple(_CHECKS)
"""The names of the study settings, in the order the API returns them."""


def check_setting(name: str, value: object) -> Any:
    """``value`` as the setting ``name`` stores it (steps in seconds, easy days as floats).

    Raises:
        SettingError: saying what the setting may be.
    """
    return _CHECKS[name](value)


def check_settings(changes: Mapping[str, object]) -> dict[str, Any]:
    """Every change checked, as :func:`check_setting` stores it.

    Raises:
        TooManyKeysError: more names than :data:`MAX_KEYS`, or one too long to be a setting's;
            nothing is checked, so no flood of names is answered name by name.
        SettingsError: every name that is no setting, or whose value it cannot take.
    """
    if len(changes) > MAX_KEYS:
        raise TooManyKeysError(
            _l("Too many keys: %(count)d sent, at most %(max)d.", count=len(changes), max=MAX_KEYS)
        )
    if any(len(name) > _MAX_NAME for name in changes):
        raise TooManyKeysError(_l("A key is longer than %(max)d characters.", max=_MAX_NAME))
    checked, errors = {}, {}
    for name, value in changes.items():
        if name not in _CHECKS:
            errors[name] = str(_l("No such setting."))
            continue
        try:
            checked[name] = check_setting(name, value)
        except SettingError as error:
            errors[name] = error.message
    if errors:
        raise SettingsError(errors)
    return checked


def change_settings(
    session: Session, user: User, changes: Mapping[str, object], now: datetime
) -> None:
    """Check ``changes`` (any of :data:`SETTINGS`), then set them all or none.

    A new time zone or hour the day starts at moves today's bounds, so the learner's
    progress today is recounted (:func:`services.progress.set_study_day`).

    Raises:
        TooManyKeysError, SettingsError: as :func:`check_settings`; nothing is changed.
    """
    checked = check_settings(changes)
    for name in (
        "desired_retention",
        "new_per_day",
        "reviews_per_day",
        "learning_steps",
        "relearning_steps",
        "maximum_interval",
    ):
        if name in checked:
            setattr(user, name, checked[name])
    if "easy_days" in checked:
        user.easy_days = (
            None if tuple(checked["easy_days"]) == NORMAL_WEEK else checked["easy_days"]
        )
    if "timezone" in checked or "day_starts_at" in checked:
        set_study_day(
            session,
            user,
            checked.get("timezone", user.timezone),
            checked.get("day_starts_at", user.rollover_hour),
            now,
        )


def settings_of(user: User) -> dict[str, Any]:
    """``user``'s study settings as the API shows them (the names of :data:`SETTINGS`)."""
    return {
        "desired_retention": user.desired_retention,
        "new_per_day": user.new_per_day,
        "reviews_per_day": user.reviews_per_day,
        "learning_steps": format_steps(bounded_steps(user.learning_steps)),
        "relearning_steps": format_steps(bounded_steps(user.relearning_steps)),
        "day_starts_at": user.rollover_hour,
        "timezone": user.timezone,
        "maximum_interval": user.maximum_interval,
        "easy_days": list(bounded_easy_days(user.easy_days)),
    }

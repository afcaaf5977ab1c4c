"""What a reschedule asks, read from a form or a JSON body, and the texts of its refusals.

A form sends numbers as text; a JSON body must send them as numbers, as ``PUT
/api/v1/settings`` asks. A number that is not a whole number within its bounds is refused
one way, naming the true bounds, whatever is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from srs.numbers import parse_whole_number
from srs.reschedule import KINDS, MAX_CARDS, MAX_DAYS, RescheduleError

__all__ = ["FIELDS", "MESSAGES", "Ask", "AskError", "ask_from", "message"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def N_(text: str) -> str:  # noqa: N802 (gettext's name for a text marked, not translated)
    return text


class AskError(RescheduleError):
    """A request that does not say a reschedule: a field missing or not of its kind."""


# The texts of every RescheduleError, by code: English for the API, translated on pages.
MESSAGES = {
    "bounds": N_("%(field)s must be a whole number from %(low)d to %(high)d."),
    "required": N_("%(field)s is required."),
    "date": N_("%(field)s must be a date as YYYY-MM-DD."),
    "kind": N_("Choose postpone, advance or break."),
    "past": N_("The first day, %(day)s, is in the past."),
    "reversed": N_("The last day comes before the first day."),
    "too_far": N_("The last day is more than %(days)d days away."),
    "starts_today": N_("The days start today: no day is left before them."),
    "no_side": N_("Choose days before the break, after it, or both."),
    "no_days": N_("There is no day to move the cards to."),
    "nothing": N_("No card is due on those days: nothing to move."),
    "undone": N_("This reschedule was undone already."),
    "later": N_(
        "A later reschedule moved some of these cards again: undo the later reschedule first."
    ),
}
# What the learner calls each field on the page.
FIELDS = {
    "count": N_("Cards"),
    "days": N_("Days"),
    "days_before": N_("Days before"),
    "days_after": N_("Days after"),
    "first_day": N_("First day"),
    "last_day": N_("Last day"),
    "length": N_("The length of the range in days"),
}


def message(error: RescheduleError, gettext: Callable[[str], str] | None = None) -> str:
    """What ``error`` says: in English with the API's field names, or through ``gettext``
    with the page's."""
    params = dict(error.params)
    if "field" in params:
        field = str(params["field"])
        params["field"] = gettext(FIELDS[field]) if gettext else f"'{field}'"
    text = gettext(MESSAGES[error.code]) if gettext else MESSAGES[error.code]
    return text % params


@dataclass(frozen=True, slots=True)
class Ask:
    """What the learner asked for; the fields a kind does not use stay ``None``."""

    kind: str
    count: int | None = None
    days: int | None = None
    first_day: date | None = None
    last_day: date | None = None
    days_before: int | None = None
    days_after: int | None = None


def _number(
    values: Mapping[str, object], name: str, low: int, high: int, *, text: bool
) -> int | None:
    """The whole number ``name`` of ``values``, or ``None`` if it is missing. A form sends
    text; a JSON body must send a number (as ``PUT /api/v1/settings`` asks). Anything
    else, or out of bounds, is one refusal with the true bounds."""
    value = values.get(name)
    if value is None or (text and value == ""):
        return None
    if text and isinstance(value, str):
        try:
            return parse_whole_number(value.strip(), low, high)
        except ValueError:
            raise RescheduleError("bounds", field=name, low=low, high=high) from None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RescheduleError("bounds", field=name, low=low, high=high)
    return value


def _date(values: Mapping[str, object], name: str) -> date:
    value = values.get(name)
    if not isinstance(value, str) or not value:
        raise AskError("date", field=name)
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise AskError("date", field=name) from None


def _required(value: int | None, name: str) -> int:
    if value is None:
        raise AskError("required", field=name)
    return value


def ask_from(values: Mapping[str, object], *, text: bool = True) -> Ask:
    """The reschedule a form (``text``: numbers as text) or a JSON body (numbers as
    integers) asks for.

    Raises:
        AskError: the kind is unknown, or a field it needs is missing or not a date.
        RescheduleError: a number is not a whole number within its bounds.
    """
    kind = values.get("kind")
    if kind not in KINDS:
        raise AskError("kind")

    def number(name: str, low: int, high: int) -> int | None:
        return _number(values, name, low, high, text=text)

    if kind == "postpone":
        return Ask(
            kind,
            count=_required(number("count", 1, MAX_CARDS), "count"),
            days=_required(number("days", 1, MAX_DAYS), "days"),
        )
    first_day, last_day = _date(values, "first_day"), _date(values, "last_day")
    if kind == "advance":
        return Ask(
            kind,
            count=number("count", 1, MAX_CARDS),
            days=_required(number("days", 1, MAX_DAYS), "days"),
            first_day=first_day,
            last_day=last_day,
        )
    return Ask(
        kind,
        first_day=first_day,
        last_day=last_day,
        days_before=number("days_before", 0, MAX_DAYS) or 0,
        days_after=number("days_after", 0, MAX_DAYS) or 0,
    )

"""The time zones a form offers: grouped by region, each city with its offset from UTC now.

Every zone the server knows stays a choice (a browser may report an older name, such as
``Asia/Calcutta``, and ``static/js/zone.js`` chooses it by its value); the older names and
aliases come last, under their full names, after the zones of each region by city.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pytz
from babel.dates import get_timezone_location
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from models.types import now_utc
from srs.study import TIME_ZONES

__all__ = ["zone_choices"]

_REGIONS = {
    "Africa": _l("Africa"),
    "America": _l("Americas"),
    "Antarctica": _l("Antarctica"),
    "Arctic": _l("Arctic"),
    "Asia": _l("Asia"),
    "Atlantic": _l("Atlantic Ocean"),
    "Australia": _l("Australia"),
    "Europe": _l("Europe"),
    "Indian": _l("Indian Ocean"),
    "Pacific": _l("Pacific Ocean"),
}
_CURRENT = frozenset(pytz.common_timezones)

Choices = dict[object, list[tuple[str, str]]]


def _shift(zone: str, at: datetime) -> timedelta:
    return ZoneInfo(zone).utcoffset(at) or timedelta(0)


def _offset(shift: timedelta) -> str:
    minutes = int(shift.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def _place(zone: str, place: str, language: str) -> str:
    """The zone's city (or region and city) as ``language`` names it, from the CLDR's names
    in Babel; in English where it has none (a few zones in Chinese)."""
    english = place.replace("_", " ").replace("/", " / ")
    if language == "en":
        return english
    named = get_timezone_location(zone, locale=language, return_city=True)
    return english if named == get_timezone_location(zone, locale="en", return_city=True) else named


def _order(name: str, shift: timedelta, language: str) -> tuple[object, ...]:
    """English lists a region's cities alphabetically, as a select's type-ahead expects; a
    list in Chinese, which a select cannot search by typing, goes by offset from UTC."""
    return (name.casefold(),) if language == "en" else (shift, name)


@lru_cache(maxsize=4)
def _choices(hour: datetime, language: str) -> Choices:
    grouped: Choices = {"UTC": [("UTC", "UTC")]}
    for region, label in _REGIONS.items():
        places = []
        for zone in TIME_ZONES:
            first, _, place = zone.partition("/")
            if first == region and zone in _CURRENT:
                name, shift = _place(zone, place, language), _shift(zone, hour)
                places.append((_order(name, shift, language), zone, f"{name} ({_offset(shift)})"))
        grouped[label] = [(zone, text) for _, zone, text in sorted(places)]
    offered = {zone for choices in grouped.values() for zone, _ in choices}
    grouped[_l("Other names")] = [
        (zone, f"{zone} ({_offset(_shift(zone, hour))})") for zone in sorted(TIME_ZONES - offered)
    ]
    return grouped


def zone_choices(now: datetime | None = None) -> Choices:
    """The zones by region, with their offsets this hour (summer time changes them), their
    cities named in the page's language."""
    moment = now or now_utc()
    language = "en" if get_locale() is None else get_locale().language
    return _choices(moment.replace(minute=0, second=0, microsecond=0), language)

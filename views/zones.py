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


def _offset(zone: str, at: datetime) -> str:
    shift = ZoneInfo(zone).utcoffset(at) or timedelta(0)
    minutes = int(shift.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@lru_cache(maxsize=2)
def _choices(hour: datetime) -> Choices:
    grouped: Choices = {"UTC": [("UTC", "UTC")]}
    for region, label in _REGIONS.items():
        places = []
        for zone in TIME_ZONES:
            first, _, place = zone.partition("/")
            if first == region and zone in _CURRENT:
                name = place.replace("_", " ").replace("/", " / ")
                places.append((name.casefold(), zone, f"{name} ({_offset(zone, hour)})"))
        grouped[label] = [(zone, text) for _, zone, text in sorted(places)]
    offered = {zone for choices in grouped.values() for zone, _ in choices}
    grouped[_l("Other names")] = [
        (zone, f"{zone} ({_offset(zone, hour)})") for zone in sorted(TIME_ZONES - offered)
    ]
    return grouped


def zone_choices(now: datetime | None = None) -> Choices:
    """The zones by region, with their offsets this hour (summer time changes them)."""
    moment = now or now_utc()
    return _choices(moment.replace(minute=0, second=0, microsecond=0))

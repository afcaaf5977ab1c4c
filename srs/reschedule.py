"""Manual reschedules: which review cards to move, and to which study days.

Three kinds, after the FSRS Helper add-on for Anki:

- **postpone**: after time away, the least urgent of the cards due today or overdue (the
  highest recall now, then the most stable: waiting harms them least) are spread over the
  next days, so that today holds what must be done today.
- **advance**: before a trip, the cards that fall due during it are pulled forward onto
  the days before it, those that lose least by an early review first (the lowest recall
  now, closest to their due, then the most stable).
- **break**: every card due during a break is moved out of it: to the days before it, to
  the days after it, or each to the nearer side when both are offered.

The functions take plain values (cards as :class:`Movable`, days as dates) and return a
:class:`Plan`; the service turns days into due times on the learner's day boundaries.
Cards keep their order of due within each side, and the days share them evenly: the
sizes of two days differ by at most one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "KINDS",
    "MAX_CARDS",
    "MAX_DAYS",
    "Movable",
    "Move",
    "Plan",
    "RescheduleError",
    "plan_advance",
    "plan_break",
    "plan_postpone",
    "spread",
]

KINDS = ("postpone", "advance", "break")
# The longest stretch a reschedule spreads over, or a break lasts: a year.
MAX_DAYS = 366
# More cards than anyone has: a count asked above what is due takes all that is.
MAX_CARDS = 1_000_000


class RescheduleError(ValueError):
    """A reschedule that cannot be made as asked: ``code`` says why, ``params`` fill in
    the message (``services.reschedule`` holds the texts, so that pages translate them)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class Movable:
    """A review card that may be moved: its id, the study day it is due on (an overdue
    card's is the day it fell due), its recall now and its stability in days."""

    card_id: int
    due_day: date
    recall: float
    stability: float


@dataclass(frozen=True, slots=True)
class Move:
    """One card to move from the study day ``from_day`` to ``to_day``."""

    card_id: int
    from_day: date
    to_day: date


@dataclass(frozen=True, slots=True)
class Plan:
    """What a reschedule will do: the moves, and the days it is about."""

    kind: str
    first_day: date
    last_day: date
    moves: tuple[Move, ...]

    def per_day(self) -> list[tuple[date, int]]:
        """How many cards land on each day, in order of day."""
        return sorted(Counter(move.to_day for move in self.moves).items())


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def spread(cards: Sequence[Movable], days: Sequence[date]) -> list[Move]:
    """``cards`` in order of due (then id) in even runs over ``days``, the earliest cards
    on the earliest days: no two days differ by more than one card."""
    if not days:
        raise RescheduleError("no_days")
    ordered = sorted(cards, key=lambda c: (c.due_day, c.card_id))
    moves = []
    for index, card in enumerate(ordered):
        day = days[index * len(days) // len(ordered)]
        moves.append(Move(card.card_id, card.due_day, day))
    return moves


def _check_count(field: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise RescheduleError("bounds", field=field, low=low, high=high)


def plan_postpone(cards: Sequence[Movable], today: date, count: int, days: int) -> Plan:
    """Postpone ``count`` of the cards due by ``today`` (the least urgent) over the
    ``days`` study days after today.

    Raises:
        RescheduleError: ``count`` or ``days`` out of bounds.
    """
    _check_count("days", days, 1, MAX_DAYS)
    due = [card for card in cards if card.due_day <= today]
    _check_count("count", count, 1, MAX_CARDS)
    chosen = sorted(due, key=lambda c: (-c.recall, -c.stability, c.card_id))[:count]
    first = today + timedelta(days=1)
    moves = spread(chosen, _days(first, days)) if chosen else []
    return Plan("postpone", first, first + timedelta(days=days - 1), tuple(moves))


def _check_range(today: date, first_day: date, last_day: date) -> None:
    if first_day < today:
        raise RescheduleError("past", day=first_day.isoformat())
    if last_day < first_day:
        raise RescheduleError("reversed")
    _check_count("length", (last_day - first_day).days + 1, 1, MAX_DAYS)


def _before(today: date, first_day: date, days: int) -> list[date]:
    """The ``days`` study days just before ``first_day``, none before today."""
    start = max(today, first_day - timedelta(days=days))
    return _days(start, (first_day - start).days)


def _within(
    cards: Sequence[Movable], today: date, first_day: date, last_day: date
) -> list[Movable]:
    # An overdue card falls due again as soon as it can: today, if the range starts today.
    return [c for c in cards if first_day <= max(c.due_day, today) <= last_day]


def plan_advance(
    cards: Sequence[Movable],
    today: date,
    first_day: date,
    last_day: date,
    days: int,
    count: int | None = None,
) -> Plan:
    """Advance the cards due from ``first_day`` to ``last_day`` onto the ``days`` study
    days before ``first_day`` (none before today); ``count`` takes only that many, those
    an early review harms least.

    Raises:
        RescheduleError: the range is in the past or reversed, it starts today (no day
            is left before it), or ``days`` or ``count`` is out of bounds.
    """
    _check_range(today, first_day, last_day)
    _check_count("days", days, 1, MAX_DAYS)
    if first_day == today:
        raise RescheduleError("starts_today")
    inside = _within(cards, today, first_day, last_day)
    if count is not None:
        _check_count("count", count, 1, MAX_CARDS)
        inside = sorted(inside, key=lambda c: (c.recall, -c.stability, c.card_id))[:count]
    moves = spread(inside, _before(today, first_day, days)) if inside else []
    return Plan("advance", first_day, last_day, tuple(moves))


def plan_break(
    cards: Sequence[Movable],
    today: date,
    first_day: date,
    last_day: date,
    days_before: int,
    days_after: int,
) -> Plan:
    """Move every card due from ``first_day`` to ``last_day`` out of the break: onto the
    ``days_before`` study days before it (none before today), onto the ``days_after``
    after it, or, with both, each to the side nearer its due day (the first half of the
    break before, the second after).

    Raises:
        RescheduleError: the range is in the past or reversed, both sides are zero, a
            side is out of bounds, or only "before" is asked of a break starting today.
    """
    _check_range(today, first_day, last_day)
    _check_count("days_before", days_before, 0, MAX_DAYS)
    _check_count("days_after", days_after, 0, MAX_DAYS)
    if days_before == 0 and days_after == 0:
        raise RescheduleError("no_side")
    before = _before(today, first_day, days_before) if days_before else []
    if days_before and not before and not days_after:
        raise RescheduleError("starts_today")
    after = _days(last_day + timedelta(days=1), days_after)
    inside = _within(cards, today, first_day, last_day)
    if before and after:
        # The middle day of an odd break goes after, as in "each to the nearer side".
        middle = first_day + timedelta(days=((last_day - first_day).days + 1) // 2)
        early = [c for c in inside if max(c.due_day, today) < middle]
        late = [c for c in inside if max(c.due_day, today) >= middle]
    elif before:
        early, late = inside, []
    else:
        early, late = [], inside
    moves = (spread(early, before) if early else []) + (spread(late, after) if late else [])
    return Plan("break", first_day, last_day, tuple(moves))

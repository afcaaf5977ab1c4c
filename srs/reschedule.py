"""Manual reschedules: which review cards to move, and to which study days.

Three kinds, after the FSRS Helper add-on for Anki:

- **postpone**: after time away, the least urgent of the cards due today or overdue (the
  highest recall now, then the most stable: waiting harms them least) are spread over the
  next days, so that today holds what must be done today.
- **advance**: before a trip, the cards that fall due during it are pulled forward onto
  the days before it; with a count, the cards that lose least by an early review first
  (those known least well now: the lowest recall, then the most stable).
- **break**: every card due during a break is moved out of it: to the days before it, to
  the days after it, or each to the nearer side when both are offered.

The functions take plain values (cards as :class:`Movable`, days as dates, the cards
already due on each day, the learner's easy days) and return a :class:`Plan`; the service
turns days into due times on the learner's day boundaries.

The days share the moved cards as Anki's load balancer and the FSRS Helper do: each card
goes to the day whose total (already due plus moved), per share of a normal day, is the
lowest, so the lighter days fill first, a day at share 0.5 takes about half of what a day
at 1 does, and a day at 0 takes none while another day of the span can. Cards keep their
order of due within each side: the earliest cards land on the earliest days.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "KINDS",
    "MAX_CARDS",
    "MAX_DAYS",
    "NORMAL_WEEK",
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
# Every weekday takes a normal day's reviews.
NORMAL_WEEK = (1.0,) * 7


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
    """What a reschedule will do: the moves, the days it is about, and the cards already
    due on each day the moves land on (the other cards' load, read when planned)."""

    kind: str
    first_day: date
    last_day: date
    moves: tuple[Move, ...]
    load: Mapping[date, int] = field(default_factory=dict, compare=False)

    def per_day(self) -> list[tuple[date, int]]:
        """How many cards land on each day, in order of day."""
        return sorted(Counter(move.to_day for move in self.moves).items())

    def days(self) -> list[tuple[date, int, int]]:
        """Each day the moves land on, in order: the cards already due there and those
        moved there."""
        return [(day, self.load.get(day, 0), moved) for day, moved in self.per_day()]


def _days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


def _shares(days: Sequence[date], easy_days: Sequence[float]) -> list[float]:
    """Each day's share of a normal day's reviews; if every day is at 0, all count as
    normal days, since the cards must land somewhere."""
    shares = [max(0.0, float(easy_days[day.weekday()])) for day in days]
    return shares if any(shares) else [1.0] * len(days)


def spread(
    cards: Sequence[Movable],
    days: Sequence[date],
    load: Mapping[date, int] | None = None,
    easy_days: Sequence[float] = NORMAL_WEEK,
) -> list[Move]:
    """``cards`` over ``days``, levelling each day's total (``load``, the cards already
    due there, plus those moved there) per its share of ``easy_days`` (seven, Monday
    first): each card in turn goes to the day where its arrival leaves the lowest total
    per share, the earlier day on a tie. A day at share 0 takes none unless every day is
    at 0. Then the cards, in order of due (then id), fill the days in order, the earliest
    cards on the earliest days.
    """
    if not days:
        raise RescheduleError("no_days")
    load = load or {}
    shares = _shares(days, easy_days)
    # (total per share after one more card, place): the lowest comes out first.
    heap = [
        ((load.get(day, 0) + 1) / share, place)
        for place, (day, share) in enumerate(zip(days, shares, strict=True))
        if share > 0
    ]
    heapq.heapify(heap)
    sizes = [0] * len(days)
    for _ in cards:
        _, place = heapq.heappop(heap)
        sizes[place] += 1
        total = load.get(days[place], 0) + sizes[place]
        heapq.heappush(heap, ((total + 1) / shares[place], place))
    ordered = sorted(cards, key=lambda c: (c.due_day, c.card_id))
    targets = [day for day, size in zip(days, sizes, strict=True) for _ in range(size)]
    return [
        Move(card.card_id, card.due_day, day) for card, day in zip(ordered, targets, strict=True)
    ]


def _plan(
    kind: str, first: date, last: date, moves: list[Move], load: Mapping[date, int] | None
) -> Plan:
    landing = {move.to_day for move in moves}
    already = {day: count for day, count in (load or {}).items() if day in landing}
    return Plan(kind, first, last, tuple(moves), already)


def _check_count(field: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise RescheduleError("bounds", field=field, low=low, high=high)


def plan_postpone(
    cards: Sequence[Movable],
    today: date,
    count: int,
    days: int,
    *,
    load: Mapping[date, int] | None = None,
    easy_days: Sequence[float] = NORMAL_WEEK,
) -> Plan:
    """Postpone ``count`` of the cards due by ``today`` (the least urgent) over the
    ``days`` study days after today, spread on ``load`` by ``easy_days`` (see
    :func:`spread`).

    Raises:
        RescheduleError: ``count`` or ``days`` out of bounds.
    """
    _check_count("days", days, 1, MAX_DAYS)
    due = [card for card in cards if card.due_day <= today]
    _check_count("count", count, 1, MAX_CARDS)
    chosen = sorted(due, key=lambda c: (-c.recall, -c.stability, c.card_id))[:count]
    first = today + timedelta(days=1)
    moves = spread(chosen, _days(first, days), load, easy_days) if chosen else []
    return _plan("postpone", first, first + timedelta(days=days - 1), moves, load)


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
    *,
    load: Mapping[date, int] | None = None,
    easy_days: Sequence[float] = NORMAL_WEEK,
) -> Plan:
    """Advance the cards due from ``first_day`` to ``last_day`` onto the ``days`` study
    days before ``first_day`` (none before today); ``count`` takes only that many, the
    cards that lose least by an early review: those known least well now (the lowest
    recall), then the most stable. The days share them as :func:`spread` does.

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
    moves = spread(inside, _before(today, first_day, days), load, easy_days) if inside else []
    return _plan("advance", first_day, last_day, moves, load)


def plan_break(
    cards: Sequence[Movable],
    today: date,
    first_day: date,
    last_day: date,
    days_before: int,
    days_after: int,
    *,
    load: Mapping[date, int] | None = None,
    easy_days: Sequence[float] = NORMAL_WEEK,
) -> Plan:
    """Move every card due from ``first_day`` to ``last_day`` out of the break: onto the
    ``days_before`` study days before it (none before today), onto the ``days_after``
    after it, or, with both, each to the side nearer its due day (the first half of the
    break before, the second after). Each side's days share them as :func:`spread` does.

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
    moves = (spread(early, before, load, easy_days) if early else []) + (
        spread(late, after, load, easy_days) if late else []
    )
    return _plan("break", first_day, last_day, moves, load)

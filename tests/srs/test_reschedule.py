"""Choosing the cards a postpone, advance or break moves, and the days they move to."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from srs.reschedule import (
    Movable,
    RescheduleError,
    plan_advance,
    plan_break,
    plan_postpone,
    spread,
)

TODAY = date(2026, 12, 2)


def _day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def _card(card_id: int, due: int, recall: float = 0.8, stability: float = 10.0) -> Movable:
    return Movable(card_id, _day(due), recall, stability)


def test_spread_shares_the_days_evenly_in_order_of_due() -> None:
    cards = [_card(i, -i) for i in range(1, 11)]
    moves = spread(cards, [_day(1), _day(2), _day(3)])
    sizes = Counter(move.to_day for move in moves)
    assert sorted(sizes.values()) == [3, 3, 4]
    by_day = {move.card_id: move.to_day for move in moves}
    # The card due earliest (id 10) lands first, the latest (id 1) last.
    assert by_day[10] == _day(1) and by_day[1] == _day(3)


def test_postpone_takes_the_highest_recall_first() -> None:
    cards = [_card(1, -3, recall=0.5), _card(2, -1, recall=0.95), _card(3, 0, recall=0.7)]
    plan = plan_postpone(cards, TODAY, count=2, days=4)
    assert {move.card_id for move in plan.moves} == {2, 3}
    assert all(_day(1) <= move.to_day <= _day(4) for move in plan.moves)
    assert (plan.first_day, plan.last_day) == (_day(1), _day(4))


def test_postpone_breaks_ties_by_stability() -> None:
    cards = [_card(1, -1, 0.8, stability=5), _card(2, -1, 0.8, stability=50)]
    assert [m.card_id for m in plan_postpone(cards, TODAY, count=1, days=1).moves] == [2]


def test_postpone_ignores_cards_not_yet_due_and_takes_all_when_asked_for_more() -> None:
    cards = [_card(1, -2), _card(2, 0), _card(3, 1)]
    plan = plan_postpone(cards, TODAY, count=99, days=2)
    assert sorted(move.card_id for move in plan.moves) == [1, 2]


@pytest.mark.parametrize(("count", "days"), [(0, 3), (3, 0), (3, 367)])
def test_postpone_refuses_counts_out_of_bounds(count: int, days: int) -> None:
    with pytest.raises(RescheduleError) as refused:
        plan_postpone([_card(1, 0)], TODAY, count=count, days=days)
    assert refused.value.code == "bounds"


def test_advance_moves_the_trips_cards_onto_the_days_before_it() -> None:
    cards = [_card(1, 4), _card(2, 5), _card(3, 7), _card(4, 9), _card(5, 3)]
    plan = plan_advance(cards, TODAY, _day(5), _day(8), days=2)
    assert {m.card_id: m.to_day for m in plan.moves} == {2: _day(3), 3: _day(4)}


def test_advance_never_moves_a_card_before_today() -> None:
    plan = plan_advance([_card(1, 2), _card(2, 2)], TODAY, _day(2), _day(3), days=10)
    assert {m.to_day for m in plan.moves} == {TODAY, _day(1)}


def test_advance_with_a_count_takes_the_lowest_recall_then_the_most_stable() -> None:
    cards = [_card(1, 5, 0.95), _card(2, 5, 0.91, 5), _card(3, 6, 0.91, 40)]
    plan = plan_advance(cards, TODAY, _day(5), _day(6), days=1, count=2)
    assert {m.card_id for m in plan.moves} == {2, 3}
    plan = plan_advance(cards, TODAY, _day(5), _day(6), days=1, count=1)
    assert [m.card_id for m in plan.moves] == [3]


@pytest.mark.parametrize(
    ("first", "last", "code"),
    [(-1, 3, "past"), (4, 2, "reversed"), (0, 3, "starts_today"), (1, 400, "bounds")],
)
def test_advance_refuses_ranges_it_cannot_use(first: int, last: int, code: str) -> None:
    with pytest.raises(RescheduleError) as refused:
        plan_advance([], TODAY, _day(first), _day(last), days=1)
    assert refused.value.code == code


def test_a_break_with_both_sides_sends_each_card_to_the_nearer_one() -> None:
    cards = [_card(1, 3), _card(2, 4), _card(3, 5), _card(4, 6), _card(5, 8)]
    plan = plan_break(cards, TODAY, _day(3), _day(6), days_before=1, days_after=2)
    moved = {m.card_id: m.to_day for m in plan.moves}
    assert moved == {1: _day(2), 2: _day(2), 3: _day(7), 4: _day(8)}


def test_a_break_starting_today_takes_the_overdue_cards_after_it() -> None:
    cards = [_card(1, -5), _card(2, 1), _card(3, 2)]
    plan = plan_break(cards, TODAY, TODAY, _day(1), days_before=0, days_after=3)
    assert {m.card_id: m.to_day for m in plan.moves} == {1: _day(2), 2: _day(3)}


def test_a_break_needs_a_side() -> None:
    with pytest.raises(RescheduleError) as refused:
        plan_break([], TODAY, _day(1), _day(2), days_before=0, days_after=0)
    assert refused.value.code == "no_side"


def test_a_break_starting_today_cannot_move_cards_only_before_it() -> None:
    with pytest.raises(RescheduleError) as refused:
        plan_break([_card(1, 0)], TODAY, TODAY, _day(2), days_before=3, days_after=0)
    assert refused.value.code == "starts_today"


def test_the_plan_counts_the_cards_of_each_day() -> None:
    plan = plan_postpone([_card(i, 0) for i in range(5)], TODAY, count=5, days=2)
    assert plan.per_day() == [(_day(1), 3), (_day(2), 2)]


# 2026-12-06 is a Sunday: the week of _day(1) to _day(7) runs Thursday to Wednesday.
SUNDAY_OFF = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0)


def test_a_day_at_share_0_takes_no_card_while_another_day_can() -> None:
    cards = [_card(i, -1) for i in range(1, 15)]
    moves = spread(cards, [_day(i) for i in range(1, 8)], easy_days=SUNDAY_OFF)
    sizes = Counter(move.to_day for move in moves)
    assert _day(4).weekday() == 6 and sizes[_day(4)] == 0
    assert sum(sizes.values()) == 14 and set(sizes.values()) == {2, 3}


def test_a_day_at_half_takes_about_half() -> None:
    half_sunday = (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5)
    cards = [_card(i, -1) for i in range(1, 31)]
    sizes = Counter(m.to_day for m in spread(cards, [_day(3), _day(4)], easy_days=half_sunday))
    assert (sizes[_day(3)], sizes[_day(4)]) == (20, 10)


def test_the_lighter_days_fill_first() -> None:
    cards = [_card(i, -1) for i in range(1, 11)]
    load = {_day(1): 8, _day(2): 2, _day(3): 0}
    sizes = Counter(m.to_day for m in spread(cards, [_day(1), _day(2), _day(3)], load))
    # Totals levelled: 8 + 0, 2 + 4 or 5, 0 + 5 or 6, no day above the heaviest's 8.
    assert sizes[_day(1)] == 0 and sizes[_day(2)] + sizes[_day(3)] == 10
    assert abs((2 + sizes[_day(2)]) - sizes[_day(3)]) <= 1


def test_every_day_at_0_still_takes_the_cards() -> None:
    closed = (0.0,) * 7
    moves = spread([_card(1, -1), _card(2, -1)], [_day(1), _day(2)], easy_days=closed)
    assert Counter(m.to_day for m in moves) == {_day(1): 1, _day(2): 1}


def test_postpone_advance_and_break_follow_the_load_and_the_easy_days() -> None:
    cards = [_card(i, -1) for i in range(1, 7)]
    load = {_day(1): 5}
    postponed = plan_postpone(cards, TODAY, 6, 4, load=load, easy_days=SUNDAY_OFF)
    sizes = Counter(m.to_day for m in postponed.moves)
    assert sizes == {_day(2): 3, _day(3): 3}
    assert postponed.days() == [(_day(2), 0, 3), (_day(3), 0, 3)]
    trip = [_card(i, 6) for i in range(1, 5)]
    advanced = plan_advance(trip, TODAY, _day(5), _day(7), 4, load=load, easy_days=SUNDAY_OFF)
    assert _day(4) not in {m.to_day for m in advanced.moves}
    assert _day(1) not in {m.to_day for m in advanced.moves}
    away = plan_break(trip, TODAY, _day(5), _day(7), 0, 3, load={_day(8): 4})
    assert Counter(m.to_day for m in away.moves) == {_day(9): 2, _day(10): 2}

"""The cycle collector's full passes held off while a bank is read or imported.

Reading a bank of thousands of questions makes hundreds of thousands of small objects (its
YAML tree, its questions, their texts and renderings) that all live until the bank is
imported. Python's cycle collector walks every object the process holds in each of its full
passes, and the growing heap set off one after another: about 0.8 s of a 10,000-question
bank's read and import, with nothing to collect. :func:`full_passes_held` holds the full
passes off for the work; the young generations are collected as ever, so the cycles that
rendering leaves behind (a few objects a text, more for some code blocks) are freed while
young, as they would be otherwise, and a bank cannot make the process hold its garbage.

The collector is one for the whole process: while any thread is inside, the full passes are
held off for all of them, and the collector's thresholds come back when the last leaves.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

__all__ = ["HELD_OLDEST_THRESHOLD", "full_passes_held", "without_full_passes"]

HELD_OLDEST_THRESHOLD = 1_000_000
"""The oldest generation's threshold while full passes are held: collections of the middle
generation before a full pass is considered, far more than any bank's work makes."""

_lock = threading.Lock()
_inside = 0  # threads, or nested calls, inside
_thresholds = gc.get_threshold()  # as they were before the first of them


@contextmanager
def full_passes_held() -> Iterator[None]:
    """No full pass of the cycle collector during the block (the young generations are
    collected as ever); the thresholds as they were once every block holding them ends."""
    global _inside, _thresholds
    with _lock:
        if _inside == 0:
            _thresholds = gc.get_threshold()
            youngest, middle, _oldest = _thresholds
            gc.set_threshold(youngest, middle, HELD_OLDEST_THRESHOLD)
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0:
                gc.set_threshold(*_thresholds)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def without_full_passes(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run with the cycle collector's full passes held off
    (:func:`full_passes_held`)."""

    @functools.wraps(function)
    def held(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with full_passes_held():
            return function(*args, **kwargs)

    return held

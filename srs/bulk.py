"""Python's cycle collector held off while a bank is read or imported.

Reading a bank of thousands of questions makes hundreds of thousands of small objects (its
YAML tree, its questions, their texts and renderings) that all live until the bank is
imported. Each of them counts towards the collector's next pass, and every full pass walks
every one of them again: a large bank paid for a fifth of its reading and import that way,
with nothing to collect, since none of them is garbage yet. :func:`collector_paused` turns
the collector off for the work and on again after it, where it collects what cycles the
work left (few: the renderers' parse trees are freed by their reference counts).

The collector is one for the whole process: while any thread is inside the pause it stays
off for all of them, and it comes back on (if it was on before the first) when the last
leaves.
"""

from __future__ import annotations

import functools
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

__all__ = ["collector_paused", "paused_collector"]

_lock = threading.Lock()
_inside = 0  # threads, or nested calls, inside a pause
_was_enabled = False  # whether the collector ran before the first of them


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector off for the block, on again (if it was) once every block that
    turned it off has ended."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_enabled:
                gc.enable()


_P = ParamSpec("_P")
_R = TypeVar("_R")


def paused_collector(function: Callable[_P, _R]) -> Callable[_P, _R]:
    """``function`` run with the cycle collector paused (:func:`collector_paused`)."""

    @functools.wraps(function)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        with collector_paused():
            return function(*args, **kwargs)

    return paused

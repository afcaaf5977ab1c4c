"""A large bank's texts rendered ahead, on the machine's other cores, while it is read.

Reading a bank renders each of its texts once to check it (:func:`srs.render.prepare`); for
a bank of thousands of questions that is most of the reading. A :class:`RenderAhead` sends
the texts of each file read to worker processes, which render them while the next file is
parsed; their renderings are kept as :func:`srs.render.prepare` keeps its own, so the check
and the import take them as if made here. Texts already kept are not sent.

The workers are forked from this process, so they share its secret class prefix
(:func:`srs.render.own_class`), and only from a process running one thread: a lock another
thread held at the fork would stay held for ever in the worker. Whatever a worker fails to
give back in time is rendered here, as without workers.

A :class:`WorkAhead` hands other work to workers the same way: a large bank's files are
read by them, one each (:mod:`srs.bank_parts`), and an import has them make the kept
renderings (:func:`srs.faces.question_faces`) its reading did not make while it finds the
questions' kin.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.pool import AsyncResult, Pool
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from srs.render import Prepared, prepare

__all__ = ["AHEAD_FROM", "RenderAhead", "WorkAhead"]

# A bank with fewer texts left to render renders them here: forking would cost more.
AHEAD_FROM = 1000
# Texts in one message to a worker: few enough to spread a file's texts over every worker.
_CHUNK = 50
_MOST_WORKERS = 4
# How long the workers may take, all told, before what they have not rendered is rendered here.
_WAIT_SECONDS = 300.0
# How often waiting for them looks whether one was lost.
_POLL_SECONDS = 0.05
_PR_SET_PDEATHSIG = 1  # prctl(2)
_R = TypeVar("_R")


def _render(texts: list[str]) -> list[tuple[str, Prepared]]:
    return [(text, prepare(text)) for text in texts]


def _start_worker(parent: int, reader: int) -> None:
    """A worker dies with the process that forked it, whatever kills that one (on Linux,
    where the kernel can be asked to), and drops the signal handling it was forked with (a
    server's worker only notes a SIGTERM, and wakes its loop through a pipe): terminating it
    ends it, and an interrupt is the reading process's to handle.

    The kernel's signal follows the thread that forked: only the reading thread's workers
    ask for it. One the pool forks from its own thread, in place of a worker lost, would be
    killed when that thread ends, maybe holding the lock the pool's end waits for.
    """
    if threading.get_ident() == reader:  # the forking thread's, kept across the fork
        with contextlib.suppress(OSError, AttributeError):  # not Linux: ended by close()
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the kernel was asked
        os._exit(1)
    signal.set_wakeup_fd(-1)
    for number in (signal.SIGTERM, signal.SIGQUIT, signal.SIGUSR1, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def ahead_workers() -> int:
    """How many processes may render ahead of this one: none on one core, where forking is
    not offered, or while another thread runs."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if (cores or 1) < 2 or threading.active_count() > 1:
        return 0
    if multiprocessing.current_process().daemon:  # a worker itself, which may not fork
        return 0
    if "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return min(cores or 1, _MOST_WORKERS)


def _fork_pool(workers: int) -> Pool:
    fork = multiprocessing.get_context("fork")
    return fork.Pool(workers, _start_worker, (os.getpid(), threading.get_ident()))


class _Workers(Generic[_R]):
    """Worker processes, each piece of work handed to them giving back a list of ``_R``;
    a context manager, so that they stop whatever happens."""

    def __init__(self) -> None:
        self._pool: Pool | None = None
        self._results: list[AsyncResult[list[_R]]] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stops the workers, whatever they are doing."""
        pool, self._pool, self._results = self._pool, None, []
        if pool is not None:
            pool.terminate()
            pool.join()

    def _gathered(self) -> Iterator[list[_R]]:
        """What the workers give back for each piece of work handed to them, in order, as
        it comes; then stops them. It stops early at a piece a worker failed at, once a
        worker is lost (killed, say, by the kernel short of memory: its piece would never
        come) or when they have taken too long: the rest is the caller's to do."""
        deadline = time.monotonic() + _WAIT_SECONDS
        forked = list(getattr(self._pool, "_pool", ()))  # the pool's worker processes
        try:
            for result in self._results:
                while not result.ready():
                    lost = any(worker.exitcode is not None for worker in forked)
                    if lost or time.monotonic() >= deadline:
                        return
                    result.wait(_POLL_SECONDS)
                if not result.successful():
                    return
                yield result.get()
        finally:
            self.close()


class RenderAhead(_Workers[tuple[str, Prepared]]):
    """The texts one bank will check, rendered by worker processes once enough are known.

    ``add`` the texts of each file as it is read, ``send`` at the file's end, then
    ``collect`` before checking them; use it as a context manager, so that its workers stop
    whatever happens.
    """

    def __init__(self, start_from: int = AHEAD_FROM) -> None:
        super().__init__()
        self.start_from = start_from
        self.sent = 0  # texts handed to the workers
        self._known: set[str] = set()
        self._waiting: list[str] = []

    def add(self, texts: Iterable[str]) -> None:
        """Texts that will be checked; each is rendered once, however often it is added,
        and not at all if this process has it already."""
        kept = prepare.cache
        for text in texts:
            if text not in self._known and text not in kept:
                self._known.add(text)
                self._waiting.append(text)

    def send(self) -> None:
        """Hands the texts added since the last call to the workers, started once the bank
        has shown enough texts to be worth them (and if this process may fork)."""
        if self._pool is None:
            if len(self._waiting) < self.start_from or not (workers := ahead_workers()):
                return
            self._pool = _fork_pool(workers)
        waiting, self._waiting = self._waiting, []
        for start in range(0, len(waiting), _CHUNK):
            chunk = waiting[start : start + _CHUNK]
            self._results.append(self._pool.apply_async(_render, (chunk,)))
        self.sent += len(waiting)

    def collect(self) -> None:
        """Waits for the workers and keeps their renderings as :func:`prepare` would."""
        for renderings in self._gathered():
            with prepare.cache_lock or contextlib.nullcontext():
                prepare.cache.update(renderings)


def _apply(function: Callable[..., _R], chunk: list[tuple[Any, ...]]) -> list[_R]:
    return [function(*arguments) for arguments in chunk]


class WorkAhead(_Workers[_R]):
    """``function`` called with each of ``calls``, begun by worker processes while this one
    goes on (when there are enough calls to be worth forking, and it may fork), as the
    renderings are; use it as a context manager, so that its workers stop whatever happens.

    ``function`` must be found by name at a module's top level, and take and give back
    what can be pickled. Each message to a worker holds ``chunk`` calls: one where each
    call is long.
    """

    def __init__(
        self,
        function: Callable[..., _R],
        calls: Sequence[tuple[Any, ...]],
        start_from: int | None = None,
        chunk: int = _CHUNK,
    ) -> None:
        super().__init__()
        self.function = function
        self.calls = list(calls)
        enough = AHEAD_FROM if start_from is None else start_from
        if len(self.calls) < enough or not (workers := ahead_workers()):
            return
        self._pool = _fork_pool(workers)
        try:
            for start in range(0, len(self.calls), chunk):
                sent = self.calls[start : start + chunk]
                self._results.append(self._pool.apply_async(_apply, (function, sent)))
        except BaseException:  # an interrupt before the caller's block holds the workers
            self.close()
            raise

    def results(self) -> list[_R]:
        """What ``function`` gave for each call, in order: the workers' answers, and for the
        calls they did not answer (lost, late or failed) the function called here."""
        done = [answer for answers in self._gathered() for answer in answers]
        done.extend(self.function(*arguments) for arguments in self.calls[len(done) :])
        return done

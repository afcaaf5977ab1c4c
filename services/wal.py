"""SQLite's write-ahead log checkpointed by a thread of each process, not by the requests.

In WAL mode SQLite copies the log back into the database file (a checkpoint) in the commit
that takes the log past ``wal_autocheckpoint`` pages, with two ``fsync`` calls: one
answer in about sixty waited 10–20 ms for it. Here the commits leave that to a thread,
which every second checkpoints each database whose log changed since it last looked
(``PASSIVE``: it never waits for a reader or a writer, and none waits for it). The
commits keep a far higher ``wal_autocheckpoint``, :data:`BACKSTOP_PAGES`, so that the log
stays bounded if the thread falls behind.

One thread serves every engine of the process; an engine's database is dropped when the
engine is garbage-collected, and a process made by ``fork`` starts a thread of its own at
its first connection.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

__all__ = ["BACKSTOP_PAGES", "INTERVAL_SECONDS", "Watched", "checkpoint_now", "watch", "watched"]

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 1.0
# About 40 MB of log at SQLite's 4 KiB pages: reached only if the thread falls behind.
BACKSTOP_PAGES = 10_000


@dataclass
class Watched:
    """A database the thread checkpoints, and what it last saw of it."""

    path: str
    engines: weakref.WeakSet[Engine] = field(default_factory=weakref.WeakSet)
    seen: int | None = None  # the log's modification time at the last checkpoint, in ns
    checkpoints: int = 0
    frames: int = 0  # log frames copied back into the database, over all checkpoints


_lock = threading.Lock()
_watched: dict[str, Watched] = {}
_thread: threading.Thread | None = None
_thread_pid: int | None = None


def _after_fork_in_child() -> None:
    # The thread is not copied by fork, and the lock may have been copied held by it.
    global _lock, _thread
    _lock = threading.Lock()
    _thread = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def watch(engine: Engine, path: str) -> None:
    """Have this process's thread checkpoint ``path``, the file ``engine`` connects to, for as
    long as ``engine`` lives; start the thread if this process has none (call it at each
    connection: it costs a lookup)."""
    global _thread, _thread_pid
    path = os.path.abspath(path)
    with _lock:
        entry = _watched.get(path)
        if entry is None:
            entry = _watched[path] = Watched(path)
        if engine not in entry.engines:
            entry.engines.add(engine)
        if _thread_pid != os.getpid() or _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_run, name="wengu-wal-checkpoint", daemon=True)
            _thread_pid = os.getpid()
            _thread.start()


def watched(path: str) -> Watched | None:
    """What the thread knows of ``path``, or ``None`` if it is not watched."""
    with _lock:
        return _watched.get(os.path.abspath(path))


def checkpoint_now(entry: Watched) -> None:
    """Checkpoint ``entry``'s database if its log changed since the last checkpoint."""
    try:
        changed = os.stat(f"{entry.path}-wal").st_mtime_ns
    except FileNotFoundError:
        return
    if changed == entry.seen:
        return
    # mode=rw: a database deleted meanwhile is not made again, empty.
    uri = f"{Path(entry.path).as_uri()}?mode=rw"
    connection = sqlite3.connect(uri, uri=True, timeout=0, isolation_level=None)
    try:
        busy, frames, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        connection.close()
    entry.checkpoints += 1
    entry.frames += max(copied, 0)
    if not busy and copied == frames:
        # All copied: nothing to do until the log is written again. Frames a reader's
        # snapshot kept back are copied at the next tick.
        entry.seen = changed


def _run() -> None:
    global _thread
    while True:
        time.sleep(INTERVAL_SECONDS)
        with _lock:
            if _thread_pid != os.getpid():
                return
            for path in [p for p, entry in _watched.items() if not entry.engines]:
                del _watched[path]
            if not _watched:  # every engine gone: the next watch starts a thread again
                _thread = None
                return
            entries = list(_watched.values())
        for entry in entries:
            try:
                checkpoint_now(entry)
            # A database being replaced or deleted, or locked by another checkpoint: the
            # next tick tries again, and the commits' backstop bounds the log meanwhile.
            except (sqlite3.Error, OSError) as error:
                log.debug("checkpoint of %s skipped: %s", entry.path, error)

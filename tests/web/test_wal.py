"""SQLite's write-ahead log: checkpointed by a thread of the process, not in the commits."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from models import db
from services import wal

pytestmark = pytest.mark.skipif(
    os.environ.get("WENGU_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="SQLite's write-ahead log: PostgreSQL has its own",
)


def _database(app: Flask) -> str:
    with app.app_context():
        path = db.engine.url.database
    assert path
    return path


def _write_pages(app: Flask, commits: int) -> None:
    """Commits that each write about a hundred pages of the log."""
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS filler (body TEXT)"))
        for _ in range(commits):
            db.session.execute(text("INSERT INTO filler VALUES (:body)"), {"body": "x" * 400_000})
            db.session.commit()


def _log_frames(path: str) -> int:
    """The most frames ``path``'s log has held since it was made, from its file's size (a
    header of 32 bytes, then each page behind 24): a checkpoint's log starts again from
    the top and keeps its file."""
    with sqlite3.connect(path) as connection:
        page = connection.execute("PRAGMA page_size").fetchone()[0]
    return max(os.stat(f"{path}-wal").st_size - 32, 0) // (page + 24)


def test_the_apps_connections_leave_checkpoints_to_the_thread(app: Flask) -> None:
    path = _database(app)
    with app.app_context():
        assert db.session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == (
            wal.BACKSTOP_PAGES
        )
    entry = wal.watched(path)
    assert entry is not None
    assert any(t.name == "wengu-wal-checkpoint" for t in threading.enumerate())


def test_commits_past_a_thousand_pages_do_not_checkpoint(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _database(app)
    with app.app_context():
        db.session.execute(text("SELECT 1"))
    monkeypatch.setattr(wal, "_watched", {})  # the thread leaves this database alone
    _write_pages(app, 30)  # about 3,000 pages, in 30 commits
    # SQLite's default would have copied the log back and started it again at 1,000 pages.
    assert _log_frames(path) > 2_000


def test_a_checkpoint_copies_the_log_once_until_it_is_written_again(app: Flask) -> None:
    path = _database(app)
    entry = wal.Watched(os.path.abspath(path))
    _write_pages(app, 3)
    wal.checkpoint_now(entry)
    assert entry.checkpoints == 1
    assert entry.frames >= 300
    wal.checkpoint_now(entry)
    assert entry.checkpoints == 1  # the log unchanged: nothing to do
    _write_pages(app, 1)
    wal.checkpoint_now(entry)
    assert entry.checkpoints == 2


def test_the_thread_checkpoints_what_the_commits_wrote(app: Flask) -> None:
    path = _database(app)
    entry = wal.watched(path)
    assert entry is not None
    before = entry.frames
    _write_pages(app, 3)
    deadline = time.monotonic() + 10 * wal.INTERVAL_SECONDS
    while entry.frames == before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert entry.frames >= before + 300


def test_an_engine_collected_is_no_longer_watched(tmp_path: Path) -> None:
    path = str(tmp_path / "gone.sqlite3")
    engine = create_engine(f"sqlite:///{path}")
    wal.watch(engine, path)
    assert wal.watched(path) is not None
    del engine
    gc.collect()
    deadline = time.monotonic() + 10 * wal.INTERVAL_SECONDS
    while wal.watched(path) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert wal.watched(path) is None


def test_a_database_deleted_is_not_made_again(tmp_path: Path) -> None:
    path = tmp_path / "deleted.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE t (x)")
    (tmp_path / "deleted.sqlite3-wal").write_bytes(b"")
    path.unlink()
    entry = wal.Watched(str(path))
    with pytest.raises(sqlite3.OperationalError):
        wal.checkpoint_now(entry)
    assert not path.exists()


def test_a_forked_process_starts_a_thread_of_its_own(app: Flask) -> None:
    path = _database(app)
    with app.app_context():
        db.session.execute(text("SELECT 1"))
    assert wal.watched(path) is not None
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports by its exit status
        status = 1
        try:
            with app.app_context():
                db.engine.dispose(close=False)  # the parent's connections stay the parent's
                db.session.execute(text("SELECT 1"))
            alive = [t for t in threading.enumerate() if t.name == "wengu-wal-checkpoint"]
            status = 0 if len(alive) == 1 and alive[0].is_alive() else 2
        finally:
            os._exit(status)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0

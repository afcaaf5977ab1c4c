"""Requests that race each other: a transaction that lost to a concurrent one runs again.

Two requests of one learner can write the same rows at once: the same answer sent twice, an
answer from a phone and one from a laptop to the same card, two "next card" requests making
the same new card. The database lets one win: the other breaks a unique constraint, finds
the card changed under it (``Card`` is versioned by its review count), or, on PostgreSQL,
is chosen as a deadlock's victim. That one is rolled back and run again from the start, on
the rows as they now are, where it sees what the winner wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.exc import StaleDataError

__all__ = ["ATTEMPTS", "committed", "rows_changed"]

T = TypeVar("T")

ATTEMPTS = 5
# PostgreSQL's serialization_failure and deadlock_detected.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}


def _lost_race(error: Exception) -> bool:
    if isinstance(error, IntegrityError | StaleDataError):
        return True
    return getattr(getattr(error, "orig", None), "sqlstate", None) in _RETRYABLE_SQLSTATES


def committed(
    session: Session, work: Callable[[], T], attempts: int = ATTEMPTS, *, expire: bool = True
) -> T:
    """Run ``work`` and commit; if it lost a race with another transaction, run it again.

    ``work`` must start from what it reads in the database, since a second run sees the
    rows the winner wrote (an answer finds its ``review_token`` already stored). With
    ``expire=False`` the commit leaves the session's objects as they are instead of reading
    them again on next use: for work that wrote none of them (a lost race still expires
    them all, with its rollback).

    Raises:
        The last error, when every attempt lost, or any error that is not a lost race.
    """
    # Flask-SQLAlchemy's session is a registry of sessions: the setting is its session's.
    own = session() if isinstance(session, scoped_session) else session
    kept = own.expire_on_commit
    own.expire_on_commit = expire
    try:
        for _ in range(attempts - 1):
            try:
                result = work()
                session.commit()
            except (StaleDataError, DBAPIError) as error:
                session.rollback()
                if not _lost_race(error):
                    raise
            else:
                return result
        result = work()
        session.commit()
        return result
    finally:
        own.expire_on_commit = kept


def rows_changed(result: Result[Any]) -> int:
    """How many rows an ``UPDATE`` or ``DELETE`` run by ``Session.execute`` changed: a
    conditional statement that changed none lost a race."""
    return cast("CursorResult[Any]", result).rowcount

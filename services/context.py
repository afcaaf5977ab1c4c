"""The value every study service takes: one learner, their session, the moment and study day.

A service that answers "what is due", "what next" or "what did I do today" needs the same
four things; they travel together as one :class:`Study`, made once per request, rather than
as four parameters through every function on the way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from models.user import User
from srs.study import StudyDay, study_day

__all__ = ["Study", "rows", "today"]


def today(user: User, now: datetime) -> StudyDay:
    """The study day of ``user`` (their zone and rollover hour) that holds ``now``."""
    return study_day(now, user.timezone, user.rollover_hour)


def rows(session: Session) -> Connection:
    """The session's connection, its pending changes written: for reads that need rows, not
    objects (the ORM's handling of each statement costs more than SQLite's)."""
    if session.autoflush:
        session.flush()
    return session.connection()


@dataclass(frozen=True, slots=True)
class Study:
    """One learner's study at one moment: who, in which session, when, and on which day."""

    session: Session
    user: User
    now: datetime
    day: StudyDay

    @classmethod
    def at(cls, session: Session, user: User, now: datetime) -> Study:
        """The study of ``user`` at ``now``, on the study day that holds it."""
        return cls(session, user, now, today(user, now))

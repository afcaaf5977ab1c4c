"""Who may act as an admin now, checked as an admin's change is written.

An admin's request is checked when it starts (``views.admin``); another admin may disable or
delete them before it writes. So each change is written, then the acting admin's row is read
again, held until the transaction ends: a request whose admin is gone, disabled or no longer
an admin by then changes nothing. Accounts are held in the order of their ids, so that two
admins acting on each other wait for one another instead of deadlocking (PostgreSQL; SQLite
has one writer at a time).
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.user import User

__all__ = ["acts_as_admin", "hold_accounts"]


def hold_accounts(session: Session, ids: list[int], *, admins: bool = False) -> None:
    """Hold the rows of the accounts ``ids``, and of every admin if ``admins``, until the
    transaction ends, taken in the order of their ids."""
    chosen = or_(User.id.in_(ids), User.is_admin.is_(True)) if admins else User.id.in_(ids)
    session.execute(select(User.id).where(chosen).order_by(User.id).with_for_update())


def acts_as_admin(session: Session, user_id: int) -> bool:
    """Whether ``user_id`` is an admin who can sign in, as the transaction sees it now;
    their row held until it ends."""
    found = session.execute(
        select(User.is_admin, User.disabled).where(User.id == user_id).with_for_update()
    ).first()
    return found is not None and found.is_admin and not found.disabled

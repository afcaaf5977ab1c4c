"""Deleting an account with everything that is its own.

Every table that names an account deletes its rows with it (``ON DELETE CASCADE``): the
learner's cards and schedule, their review log, their kept counts and days, their quizzes
and reschedules, their sign-ins and API tokens, their memberships. Invites they made are
revoked, and stay listed without their name. Banks belong to the server, not to whoever
imported them, and stay.

An account is not deleted while it would leave the server without an admin who can sign in,
or a group with members and no owner: the same rule as leaving a group.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, aliased

from models.card import Card, Review
from models.group import OWNER, Group, Invite, Membership
from models.types import now_utc
from models.user import User
from services.admins import acts_as_admin, hold_accounts
from services.groups import close_if_empty, hold_group
from srs.scheduler import NEW

__all__ = [
    "NoLongerAdminError",
    "RemovalError",
    "Removed",
    "delete_account",
    "removal_refusal",
    "what_goes",
]


class RemovalError(ValueError):
    """The account cannot be deleted now; the message says why, in the reader's language."""


class NoLongerAdminError(RemovalError):
    """The admin deleting another account was deleted, disabled or made a learner first."""


@dataclass(frozen=True, slots=True)
class Removed:
    """What deleting an account takes with it: its cards studied (those never seen go too,
    unseen), its answers, its groups."""

    cards: int
    reviews: int
    groups: int


def what_goes(session: Session, user: User) -> Removed:
    """The counts a page shows before it asks to confirm the deletion."""
    return Removed(
        cards=session.scalar(select(func.count()).where(Card.user_id == user.id, Card.state != NEW))
        or 0,
        reviews=session.scalar(select(func.count()).where(Review.user_id == user.id)) or 0,
        groups=session.scalar(select(func.count()).where(Membership.user_id == user.id)) or 0,
    )


def _orphaned_groups(session: Session, user_id: int, among: list[int] | None = None) -> list[str]:
    """The groups (of ``among``, if given) that have members other than ``user_id`` and no
    owner but them: their names. Once ``user_id``'s rows are gone, the groups they left
    without an owner."""
    owner, other = aliased(Membership), aliased(Membership)
    query = (
        select(Group.name)
        .where(
            ~select(owner.user_id)
            .where(owner.group_id == Group.id, owner.user_id != user_id, owner.role == OWNER)
            .exists(),
            select(other.user_id)
            .where(other.group_id == Group.id, other.user_id != user_id)
            .exists(),
        )
        .order_by(Group.name)
    )
    if among is None:
        mine = aliased(Membership)
        query = query.join(mine, (mine.group_id == Group.id) & (mine.user_id == user_id)).where(
            mine.role == OWNER
        )
    else:
        query = query.where(Group.id.in_(among))
    return list(session.scalars(query))


def _only_admin(session: Session, user: User) -> bool:
    others = select(func.count()).where(
        User.is_admin.is_(True), User.disabled.is_(False), User.id != user.id
    )
    return user.is_admin and not session.scalar(others)


def _refusal(only_admin: bool, groups: list[str]) -> str | None:
    if only_admin:
        return str(
            _l(
                "This is the only admin account that can sign in: make another admin first"
                " (on the server: flask user create NAME --admin)."
            )
        )
    if groups:
        return str(
            _l(
                "Make another member an owner of %(groups)s first, or remove its members:"
                " a group is not left without an owner.",
                groups=", ".join(f"“{name}”" for name in groups),
            )
        )
    return None


def removal_refusal(session: Session, user: User) -> str | None:
    """Why ``user``'s account may not be deleted now, or ``None``."""
    return _refusal(_only_admin(session, user), _orphaned_groups(session, user.id))


def _still_may(session: Session, user_id: int, by_id: int) -> None:
    """Raise :class:`NoLongerAdminError` if ``by_id`` deletes another account and is no
    longer an admin who can sign in."""
    if by_id != user_id and not acts_as_admin(session, by_id):
        raise NoLongerAdminError(str(_l("You are no longer an admin: nothing was deleted.")))


def delete_account(session: Session, user: User, by: User) -> None:
    """Delete ``user`` and everything that is theirs, at the request of ``by`` (themselves,
    or an admin); the caller commits.

    Checked before the delete, and again after it: the two accounts, every admin's and the
    groups ``user`` is in are held first (PostgreSQL; on SQLite the delete takes the one
    writer's lock), so that an owner leaving a group, an admin deleted or disabled at the
    same time, or ``by`` losing the right to delete meanwhile is seen by the second check.

    Raises:
        RemovalError: the deletion would leave no admin who can sign in or a group with
            members and no owner, or ``by`` is no longer an admin; the caller rolls back.
    """
    user_id, by_id, was_admin = user.id, by.id, user.is_admin
    hold_accounts(session, [user_id, by_id], admins=True)
    groups = list(
        session.scalars(
            select(Membership.group_id)
            .where(Membership.user_id == user_id)
            .order_by(Membership.group_id)
        )
    )
    for group_id in groups:
        hold_group(session, group_id)
    _still_may(session, user_id, by_id)
    refusal = removal_refusal(session, user)
    if refusal is None:
        if user in session:  # its rows go: nothing of it is flushed after this
            session.expunge(user)
        # Their invites stop: whoever they were given to was asked in by someone gone.
        session.execute(
            update(Invite)
            .where(Invite.created_by == user_id, Invite.revoked_at.is_(None))
            .values(revoked_at=now_utc())
        )
        session.execute(delete(User).where(User.id == user_id))
        for group_id in groups:  # a group they were the last of: its invites stop
            close_if_empty(session, group_id, now_utc())
        _still_may(session, user_id, by_id)
        admins = select(func.count()).where(User.is_admin.is_(True), User.disabled.is_(False))
        refusal = _refusal(
            was_admin and not session.scalar(admins), _orphaned_groups(session, user_id, groups)
        )
    if refusal is not None:
        raise RemovalError(refusal)

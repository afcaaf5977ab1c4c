"""What an invite shows before anyone joins: the group, who invites, what it studies."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.bank import Bank, Question
from models.group import OWNER, GroupBank, Invite, Membership
from models.user import User

__all__ = ["InvitePreview", "invite_preview"]


@dataclass(frozen=True, slots=True)
class InvitePreview:
    """An invite's group as the join page presents it."""

    group: str
    inviter: str | None  # who made the invite, or else the group's first owner
    banks: list[tuple[str, int]]  # each bank's title and active questions
    members: int


def invite_preview(session: Session, invite: Invite) -> InvitePreview:
    """The group behind ``invite``: its name, who invites, its banks and its members."""
    inviter = None
    if invite.created_by is not None:
        inviter = session.scalar(select(User.name).where(User.id == invite.created_by))
    if inviter is None:
        inviter = session.scalar(
            select(User.name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.group_id == invite.group_id, Membership.role == OWNER)
            .order_by(Membership.joined_at, User.name)
            .limit(1)
        )
    questions = (
        select(func.count(Question.id))
        .where(Question.bank_id == Bank.id, Question.retired.is_(False))
        .scalar_subquery()
    )
    banks = session.execute(
        select(Bank.title, questions)
        .join(GroupBank, GroupBank.bank_id == Bank.id)
        .where(GroupBank.group_id == invite.group_id, Bank.hidden.is_(False))
        .order_by(Bank.title)
    ).all()
    members = session.scalar(
        select(func.count()).select_from(Membership).where(Membership.group_id == invite.group_id)
    )
    return InvitePreview(
        group=invite.group.name,
        inviter=inviter,
        banks=[(title, count) for title, count in banks],
        members=members or 0,
    )

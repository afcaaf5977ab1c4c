"""Study groups against the database: creating, inviting, joining, leaving and removing
(the board is :mod:`services.group_board`).

Nothing here commits; each function is part of the caller's one transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from models.bank import Bank
from models.group import MEMBER, OWNER, Group, GroupBank, Invite, Membership, Removal
from models.user import LeftBank, User, name_key
from services.conflict import rows_changed
from services.names import name_problem

__all__ = [
    "GroupError",
    "InviteUsedUpError",
    "RemovedError",
    "allow_rejoin",
    "close_if_empty",
    "create_group",
    "create_invite",
    "find_invite",
    "group_bank_ids",
    "hold_group",
    "invite_code",
    "join_group",
    "leave_group",
    "member_count",
    "membership",
    "owns",
    "remove_member",
    "removed_members",
    "set_group_banks",
    "was_removed",
]


class GroupError(ValueError):
    """Something a group cannot do; the message says why."""


class InviteUsedUpError(GroupError):
    """The invite was used up, revoked or expired since it was read."""

    def __init__(self) -> None:
        super().__init__(
            _l("This invite is used up or no longer valid: ask the group for a new one.")
        )


class RemovedError(GroupError):
    """An owner removed the learner from the group: no invite lets them back in until an
    owner allows them to rejoin (:func:`allow_rejoin`)."""

    def __init__(self, group: str) -> None:
        super().__init__(
            _l(
                "An owner of %(group)s removed you from it: ask an owner to allow you to rejoin.",
                group=group,
            )
        )


def was_removed(session: Session, group_id: int, user_id: int) -> bool:
    """Whether an owner removed ``user_id`` from the group, and no owner allowed them to
    rejoin since."""
    found = select(Removal.user_id).where(Removal.group_id == group_id, Removal.user_id == user_id)
    return session.scalar(found) is not None


def membership(session: Session, group_id: int, user_id: int) -> Membership | None:
    return session.get(Membership, (group_id, user_id))


def member_count(session: Session, group_id: int) -> int:
    """How many people are in the group."""
    counted = select(func.count()).select_from(Membership).where(Membership.group_id == group_id)
    return session.scalar(counted) or 0


def group_bank_ids(session: Session, group_id: int) -> list[str]:
    return list(
        session.scalars(
            select(GroupBank.bank_id)
            .where(GroupBank.group_id == group_id)
            .order_by(GroupBank.bank_id)
        )
    )


def create_group(session: Session, owner: User, name: str, bank_ids: list[str]) -> Group:
    """A new group with ``owner`` as its first member and owner."""
    name = name.strip()
    if not name or len(name) > 80:
        raise GroupError(_l("A group's name must be 1 to 80 characters."))
    if problem := name_problem(name):
        raise GroupError(problem)
    # One group to a name, as one account: an invite to a group named as another could pass
    # for it, and a form sent twice (Back, then Send again) would start a twin of the first.
    key = name_key(name)
    if same := next((n for n in session.scalars(select(Group.name)) if name_key(n) == key), None):
        raise GroupError(
            _l("A group named %(name)s exists already: choose another name.", name=same)
        )
    group = Group(name=name)
    session.add(group)
    session.flush()
    session.add(Membership(group_id=group.id, user_id=owner.id, role=OWNER, shares_progress=False))
    set_group_banks(session, group, bank_ids)
    return group


def set_group_banks(session: Session, group: Group, bank_ids: list[str]) -> None:
    """Choose the banks the group studies; its members study them from now on."""
    known = set(session.scalars(select(Bank.id).where(Bank.id.in_(bank_ids))))
    unknown = sorted(set(bank_ids) - known)
    if unknown:
        raise GroupError(_l("There is no bank '%(bank)s'.", bank=unknown[0]))
    session.execute(delete(GroupBank).where(GroupBank.group_id == group.id))
    for bank_id in sorted(known):
        session.add(GroupBank(group_id=group.id, bank_id=bank_id))
    members = select(Membership.user_id).where(Membership.group_id == group.id)
    session.execute(
        delete(LeftBank).where(LeftBank.user_id.in_(members), LeftBank.bank_id.in_(known))
    )
    session.flush()


def create_invite(
    session: Session, group: Group, by: User, now: datetime, *, days: int, max_uses: int | None
) -> Invite:
    if not 1 <= days <= 90:
        raise GroupError(_l("An invite lasts 1 to 90 days."))
    if max_uses is not None and max_uses < 1:
        raise GroupError(_l("An invite needs at least one use."))
    invite = Invite(
        group_id=group.id,
        code=Invite.new_code(),
        created_by=by.id,
        created_at=now,
        expires_at=now + timedelta(days=days),
        max_uses=max_uses,
    )
    session.add(invite)
    session.flush()
    return invite


def invite_code(typed: str) -> str:
    """An invite code as typed, written as invites are: upper case, its halves joined by a
    dash (``trpgz ws4yv`` is ``TRPGZ-WS4YV``)."""
    cleaned = typed.strip().upper().replace(" ", "")
    if len(cleaned) == 10 and "-" not in cleaned:
        cleaned = f"{cleaned[:5]}-{cleaned[5:]}"
    return cleaned


def find_invite(session: Session, code: str, now: datetime) -> Invite | None:
    """The usable invite with this code (case, spaces and dashes as typed do not matter)."""
    invite = session.scalar(select(Invite).where(Invite.code == invite_code(code)))
    return invite if invite is not None and invite.usable(now) else None


def _use_invite(session: Session, invite: Invite, now: datetime) -> bool:
    """Count one use of ``invite`` if it has one left: one conditional UPDATE, so that of
    requests redeeming its last use at once exactly one succeeds (the database serialises
    writers to the row, and each checks the count the one before it left)."""
    result = session.execute(
        update(Invite)
        .where(
            Invite.id == invite.id,
            Invite.revoked_at.is_(None),
            Invite.expires_at > now,
            or_(Invite.max_uses.is_(None), Invite.uses < Invite.max_uses),
        )
        .values(uses=Invite.uses + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire(invite, ["uses"])
    return rows_changed(result) == 1


def join_group(session: Session, user: User, invite: Invite, now: datetime) -> Membership:
    """Add ``user`` to the invite's group (once), and count the use; as its owner if it has
    none (its last member left it).

    Two joins of one learner at once may both get past the membership check; the second
    then breaks the membership's primary key, and under ``services.conflict.committed`` its
    second run finds the learner a member.

    Raises:
        RemovedError: an owner removed them from the group, and no owner allowed them to
            rejoin since.
        InviteUsedUpError: the invite has no use left (or expired, or was revoked) by now.
    """
    existing = membership(session, invite.group_id, user.id)
    if existing is not None:
        return existing
    if was_removed(session, invite.group_id, user.id):
        raise RemovedError(invite.group.name)
    if not _use_invite(session, invite, now):
        # A twin request of this learner may have taken the last use for them meanwhile.
        existing = membership(session, invite.group_id, user.id)
        if existing is not None:
            return existing
        raise InviteUsedUpError
    # A group its last member left keeps its invites: who joins it then is its owner, not a
    # member of a group no one can manage.
    owned = select(Membership.user_id).where(
        Membership.group_id == invite.group_id, Membership.role == OWNER
    )
    role = MEMBER if session.scalar(owned.limit(1)) is not None else OWNER
    joined = Membership(group_id=invite.group_id, user_id=user.id, role=role, joined_at=now)
    session.add(joined)
    group_banks = select(GroupBank.bank_id).where(GroupBank.group_id == invite.group_id)
    session.execute(
        delete(LeftBank).where(LeftBank.user_id == user.id, LeftBank.bank_id.in_(group_banks))
    )
    session.flush()
    return joined


def leave_refusal(session: Session, group: Group, user: User) -> str | None:
    """Why ``user`` may not leave ``group`` now (its last owner, with members left), or
    ``None``: the group page says so in place of the button."""
    member = membership(session, group.id, user.id)
    if member is None or member.role != OWNER:
        return None
    owners = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.group_id == group.id, Membership.role == OWNER)
    )
    others = session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.group_id == group.id, Membership.user_id != user.id)
    )
    if owners == 1 and others:
        return str(_l("Make another member an owner before you leave."))
    return None


def hold_group(session: Session, group_id: int) -> None:
    """Hold the group's row until the transaction ends, so that owners' changes to it are
    checked one after the other: two owners leaving or removing each other at once, or an
    owner acting as another removes them (PostgreSQL; SQLite's one writer at a time does the
    same for the conditional deletes below and :func:`owns` read after a write)."""
    session.execute(select(Group.id).where(Group.id == group_id).with_for_update())


def owns(session: Session, group_id: int, user: User) -> bool:
    """Whether ``user`` may act as an owner of the group now: an owner of it, or an admin.
    Read after the action's writes (:func:`hold_group`), it says whether they still were
    when the action was written."""
    if user.is_admin:
        return True
    owner = select(Membership.user_id).where(
        Membership.group_id == group_id, Membership.user_id == user.id, Membership.role == OWNER
    )
    return session.scalar(owner) is not None


def _leaves_an_owner(group_id: int, user_id: int) -> ColumnElement[bool]:
    """Whether the group keeps an owner once ``user_id``'s membership is gone: they are no
    owner, or another owner stays, or no one else does."""
    other = aliased(Membership)
    others = (other.group_id == group_id, other.user_id != user_id)
    return or_(
        Membership.role != OWNER,
        exists().where(*others, other.role == OWNER),
        ~exists().where(*others),
    )


def _delete_membership(session: Session, group_id: int, user_id: int, *also: Any) -> bool:
    """Delete a membership if the group keeps an owner and ``also`` holds, checked as the
    row is deleted; whether it was."""
    hold_group(session, group_id)
    deleted = session.execute(
        delete(Membership).where(
            Membership.group_id == group_id,
            Membership.user_id == user_id,
            _leaves_an_owner(group_id, user_id),
            *also,
        )
    )
    return rows_changed(deleted) == 1


def close_if_empty(session: Session, group_id: int, now: datetime) -> None:
    """Stop a group's open invites once its last member is gone: an old link would make
    whoever holds it the owner of a group no one runs, and of the banks given to it. An
    admin can still invite into it; who joins it then owns it (:func:`join_group`)."""
    session.execute(
        update(Invite)
        .where(
            Invite.group_id == group_id,
            Invite.revoked_at.is_(None),
            ~exists().where(Membership.group_id == group_id),
        )
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )


def leave_group(session: Session, group: Group, user: User, now: datetime) -> None:
    """Take ``user`` out of ``group`` unless they are its last owner with members left.

    Raises:
        GroupError: they are, by the time the membership would go.
    """
    if not _delete_membership(session, group.id, user.id):
        refusal = leave_refusal(session, group, user)
        if refusal:
            raise GroupError(refusal)
    close_if_empty(session, group.id, now)
    session.flush()


def remove_member(session: Session, group: Group, owner: User, user_id: int, now: datetime) -> None:
    """``owner`` (an owner of ``group``, or an admin) takes another member out of it, and
    keeps them out: an invite still open does not let them back in (:func:`allow_rejoin`).
    Owners are equals: one does not remove another (they leave, or an admin removes them).

    Raises:
        GroupError: the member is an owner and ``owner`` no admin; ``owner`` is no longer an
            owner of it (another owner removed them meanwhile); or the member is gone already.
    """
    other = aliased(Membership)
    still_owner = exists().where(
        other.group_id == group.id, other.user_id == owner.id, other.role == OWNER
    )
    # An admin acts on any group, as owns(); an owner on members only.
    also = () if owner.is_admin else (still_owner, Membership.role != OWNER)
    if not _delete_membership(session, group.id, user_id, *also):
        target = membership(session, group.id, user_id)
        if target is not None and target.role == OWNER and not owner.is_admin:
            raise GroupError(
                str(
                    _l(
                        "An owner cannot remove another owner: they can leave, or an admin"
                        " can remove them."
                    )
                )
            )
        raise GroupError(
            str(_l("That member is no longer in the group, or you are no longer its owner."))
        )
    session.merge(Removal(group_id=group.id, user_id=user_id, removed_at=now, removed_by=owner.id))
    close_if_empty(session, group.id, now)  # an admin removed its last member
    session.flush()


def allow_rejoin(session: Session, group_id: int, user_id: int) -> bool:
    """Let a removed learner join the group again with an invite; whether they were kept out."""
    deleted = session.execute(
        delete(Removal).where(Removal.group_id == group_id, Removal.user_id == user_id)
    )
    return rows_changed(deleted) == 1


def removed_members(session: Session, group_id: int) -> list[tuple[Removal, User]]:
    """The learners owners removed from the group and keep out, by name."""
    rows = session.execute(
        select(Removal, User)
        .join(User, User.id == Removal.user_id)
        .where(Removal.group_id == group_id)
        .order_by(User.name)
    )
    return [(removal, user) for removal, user in rows.tuples()]

"""Study groups against the database: creating, inviting, joining, and the group board.

Nothing here commits; each function is part of the caller's one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, case, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from models.bank import Bank, Question, Section
from models.card import Card, Review
from models.group import MEMBER, OWNER, Group, GroupBank, Invite, Membership
from models.quiz import Quiz
from models.user import LeftBank, User
from services.conflict import rows_changed
from services.context import Study
from services.queue import bank_counts_many, study_bank_ids
from services.stats import day_totals
from srs.stats import current_streak, retention_since

__all__ = [
    "WEAK_BELOW",
    "Board",
    "GroupError",
    "InviteUsedUpError",
    "MemberRow",
    "SectionRow",
    "SharedQuiz",
    "board",
    "create_group",
    "create_invite",
    "find_invite",
    "group_bank_ids",
    "hold_group",
    "join_group",
    "leave_group",
    "membership",
    "owns",
    "remove_member",
    "set_group_banks",
    "shared_quizzes",
]

WEAK_MINIMUM = 5
# A section recalled less often than a schedule aims at by default is weak: one at 100% is not.
WEAK_BELOW = 0.9


class GroupError(ValueError):
    """Something a group cannot do; the message says why."""


class InviteUsedUpError(GroupError):
    """The invite was used up, revoked or expired since it was read."""

    def __init__(self) -> None:
        super().__init__(
            _l("This invite is used up or no longer valid: ask the group for a new one.")
        )


def membership(session: Session, group_id: int, user_id: int) -> Membership | None:
    return session.get(Membership, (group_id, user_id))


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


def find_invite(session: Session, code: str, now: datetime) -> Invite | None:
    """The usable invite with this code (case and dashes as typed do not matter)."""
    cleaned = code.strip().upper().replace(" ", "")
    if len(cleaned) == 10 and "-" not in cleaned:
        cleaned = f"{cleaned[:5]}-{cleaned[5:]}"
    invite = session.scalar(select(Invite).where(Invite.code == cleaned))
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
        InviteUsedUpError: the invite has no use left (or expired, or was revoked) by now.
    """
    existing = membership(session, invite.group_id, user.id)
    if existing is not None:
        return existing
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


def leave_group(session: Session, group: Group, user: User) -> None:
    """Take ``user`` out of ``group`` unless they are its last owner with members left.

    Raises:
        GroupError: they are, by the time the membership would go.
    """
    if not _delete_membership(session, group.id, user.id):
        refusal = leave_refusal(session, group, user)
        if refusal:
            raise GroupError(refusal)
    session.flush()


def remove_member(session: Session, group: Group, owner: User, user_id: int) -> None:
    """``owner`` (an owner of ``group``, or an admin) takes another member out of it.

    Raises:
        GroupError: ``owner`` is no longer an owner of it (another owner removed them
            meanwhile), or the member is gone already.
    """
    other = aliased(Membership)
    still_owner = exists().where(
        other.group_id == group.id, other.user_id == owner.id, other.role == OWNER
    )
    also = () if owner.is_admin else (still_owner,)  # an admin acts on any group, as owns()
    if not _delete_membership(session, group.id, user_id, *also):
        raise GroupError(
            str(_l("That member is no longer in the group, or you are no longer its owner."))
        )
    session.flush()


# -- the board ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberRow:
    name: str
    role: str
    due_today: int
    reviews_7_days: int
    streak: int
    retention_30_days: float | None
    is_you: bool


@dataclass(frozen=True, slots=True)
class SectionRow:
    bank: str
    title: str
    reviews: int
    retention: float


@dataclass(frozen=True, slots=True)
class SharedQuiz:
    """A quiz several members took (the same bank, seed and choices), with their scores."""

    bank: str
    questions: int
    first_taken: datetime
    scores: list[tuple[str, float]]


@dataclass(frozen=True, slots=True)
class Board:
    members: list[MemberRow] = field(default_factory=list)
    weakest: list[SectionRow] = field(default_factory=list)
    sections_judged: int = 0  # sections with reviews enough to tell, weak or not
    hidden: int = 0
    quizzes: list[SharedQuiz] = field(default_factory=list)


_PASSED = case((Review.rating > 1, 1), else_=0)


def _member_rows(
    session: Session,
    sharing: list[tuple[Membership, User]],
    bank_ids: list[str],
    viewer: User,
    now: datetime,
) -> list[MemberRow]:
    """One row of numbers for each member who shares them, counted on the member's own
    study days exactly as their statistics page counts them over the group's banks."""
    members = []
    for member, user in sharing:
        study = Study.at(session, user, now)
        today = study.day.date
        # Due today in the group's banks the member studies, as their Today page counts it
        # (a bank they left owes nothing); their history counts in every bank of the group.
        studied = set(study_bank_ids(session, user))
        counts = bank_counts_many(study, [bank for bank in bank_ids if bank in studied])
        days = day_totals(study, bank_ids)
        month = retention_since(days, today - timedelta(days=29))["total"]
        members.append(
            MemberRow(
                name=user.name,
                role=member.role,
                due_today=sum(c.total for c in counts.values()),
                reviews_7_days=sum(
                    totals.reviews
                    for day, totals in days.items()
                    if day > today - timedelta(days=7)
                ),
                streak=current_streak((day for day, t in days.items() if t.reviews), today),
                retention_30_days=month.rate,
                is_you=user.id == viewer.id,
            )
        )
    return members


def _weakest_sections(
    session: Session, ids: list[int], bank_ids: list[str], now: datetime
) -> tuple[list[SectionRow], int]:
    """The five sections the sharing members ``ids`` recalled worst in the last 30 days,
    of those recalled less often than :data:`WEAK_BELOW`; and how many sections had reviews
    enough to tell."""
    weak = session.execute(
        select(Question.bank_id, Question.section_key, func.count(), func.sum(_PASSED))
        .select_from(Review)
        .join(Card, Card.id == Review.card_id)
        .join(Question, Question.id == Card.question_id)
        .where(
            Review.user_id.in_(ids),
            Review.bank_id.in_(bank_ids),
            Review.reviewed_at >= now - timedelta(days=30),
            Question.section_key.is_not(None),
        )
        .group_by(Question.bank_id, Question.section_key)
        .having(func.count() >= WEAK_MINIMUM)
    ).all()
    titles = {
        (bank_id, key): title
        for bank_id, key, title in session.execute(
            select(Section.bank_id, Section.key, Section.title).where(Section.bank_id.in_(bank_ids))
        )
    }
    rows = (
        SectionRow(
            bank=bank_id,
            title=titles.get((bank_id, key), key),
            reviews=count,
            retention=(good or 0) / count,
        )
        for bank_id, key, count, good in weak
    )
    below = [row for row in rows if row.retention < WEAK_BELOW]
    return sorted(below, key=lambda row: (row.retention, -row.reviews))[:5], len(weak)


def board(session: Session, group: Group, viewer: User, now: datetime) -> Board:
    """The group board: the numbers of members who share them, and the weakest sections.

    Their new study-day totals are kept (as their statistics page keeps them): the caller
    commits."""
    bank_ids = group_bank_ids(session, group.id)
    rows = session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group.id)
        .order_by(User.name)
    ).all()
    sharing = [(m, u) for m, u in rows if m.shares_progress]
    ids = [u.id for _, u in sharing]
    if not ids or not bank_ids:
        return Board(hidden=len(rows) - len(sharing))
    weakest, judged = _weakest_sections(session, ids, bank_ids, now)
    return Board(
        members=_member_rows(session, sharing, bank_ids, viewer, now),
        weakest=weakest,
        sections_judged=judged,
        hidden=len(rows) - len(sharing),
        quizzes=shared_quizzes(session, {u.id: u.name for _, u in sharing}, bank_ids, now),
    )


def shared_quizzes(
    session: Session, names: dict[int, str], bank_ids: list[str], now: datetime
) -> list[SharedQuiz]:
    """Quizzes of the last 30 days that two or more sharing members took, newest first;
    each member's first attempt counts."""
    taken = session.execute(
        select(Quiz)
        .where(
            Quiz.user_id.in_(list(names)),
            Quiz.bank_id.in_(bank_ids),
            Quiz.submitted_at.is_not(None),
            Quiz.started_at >= now - timedelta(days=30),
        )
        .order_by(Quiz.started_at)
    ).scalars()
    by_key: dict[str, dict[int, Quiz]] = {}
    for quiz in taken:
        by_key.setdefault(quiz.share_key, {}).setdefault(quiz.user_id, quiz)
    shared = [
        SharedQuiz(
            bank=next(iter(attempts.values())).bank_id,
            questions=len(next(iter(attempts.values())).items),
            first_taken=min(q.started_at for q in attempts.values()),
            scores=sorted(
                ((names[user_id], quiz.score or 0.0) for user_id, quiz in attempts.items()),
                key=lambda pair: -pair[1],
            ),
        )
        for attempts in by_key.values()
        if len(attempts) >= 2
    ]
    return sorted(shared, key=lambda quiz: quiz.first_taken, reverse=True)

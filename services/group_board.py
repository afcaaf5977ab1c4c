"""The group board: the numbers of members who share them, the sections the group recalls
worst, and the quizzes several members took.

Nothing here commits; the board keeps members' new study-day totals, and the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.bank import Question, Section
from models.card import Card, Review
from models.group import Group, Membership
from models.quiz import Quiz
from models.user import User
from services.context import Study
from services.groups import group_bank_ids
from services.queue import bank_counts_many, study_bank_ids
from services.stats import day_totals
from srs.stats import current_streak, retention_since

__all__ = [
    "WEAK_BELOW",
    "Board",
    "MemberRow",
    "SectionRow",
    "SharedQuiz",
    "board",
    "shared_quizzes",
]

WEAK_MINIMUM = 5
# A section recalled less often than a schedule aims at by default is weak: one at 100% is not.
WEAK_BELOW = 0.9


@dataclass(frozen=True, slots=True)
class MemberRow:
    name: str
    role: str
    left_today: int  # new, learning and review cards still to study today, as Today counts them
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
                left_today=sum(c.total for c in counts.values()),
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

"""Kept study counts per learner and bank, and cards placed in bank order

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 21:40:00

Choosing the next card counted, at every pick, the learner's answers today, the cards they
had introduced and the due ones, and walked the bank's questions for the next new card.
``bank_progress`` keeps the first two and where the walk may start; ``cards.position`` (the
question's place in its bank) lets the next new card be read from an index. Both are
filled here from the cards and reviews already stored.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo, available_timezones

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NEW_CARD = "state = 0"
BURIED_NEW_CARD = "state = 0 AND buried_until IS NOT NULL"


class _Day(NamedTuple):
    date: date
    start: datetime
    end: datetime


def study_day(now: datetime, zone: str, rollover_hour: int) -> _Day:
    """The learner's study day that holds ``now`` (``srs.study.study_day`` as it was when
    this revision was written; a zone the system does not know counts as UTC)."""
    tz = ZoneInfo(zone if zone in available_timezones() else "UTC")
    local = now.astimezone(tz)
    day = local.date() if local.hour >= rollover_hour else local.date() - timedelta(days=1)

    def boundary(on: date) -> datetime:
        return datetime.combine(on, time(rollover_hour), tz).astimezone(UTC)

    return _Day(day, boundary(day), boundary(day + timedelta(days=1)))


class _UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC times in and out (``models.types.UTCDateTime`` when this was written)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# introduced: cards not retired that are studied or suspended. next_position: the first
# active question lacking one of its cards for the learner (after the last if none lacks).
REFRESH = """
UPDATE bank_progress SET
  introduced = (
    SELECT count(*) FROM cards
    WHERE cards.user_id = bank_progress.user_id AND cards.bank_id = bank_progress.bank_id
      AND cards.retired = FALSE AND (cards.state != 0 OR cards.suspended = TRUE)),
  next_position = coalesce(
    (SELECT min(questions.position) FROM questions
     WHERE questions.bank_id = bank_progress.bank_id AND questions.retired = FALSE
       AND questions.card_count > (
         SELECT count(*) FROM cards
         WHERE cards.user_id = bank_progress.user_id AND cards.question_id = questions.id
           AND cards.retired = FALSE)),
    (SELECT coalesce(max(questions.position) + 1, 0) FROM questions
     WHERE questions.bank_id = bank_progress.bank_id AND questions.retired = FALSE))
"""


def _count_days() -> None:
    """Each learner's answers on their study day today (or on the day of their newest
    answer, if that is later), per bank: to new cards, and to cards in review."""
    connection = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("timezone"), sa.column("rollover_hour"))
    reviews = sa.table(
        "reviews",
        sa.column("user_id"),
        sa.column("bank_id"),
        sa.column("state_before"),
        sa.column("reviewed_at", _UTCDateTime()),
    )
    progress = sa.table(
        "bank_progress",
        sa.column("user_id"),
        sa.column("bank_id"),
        sa.column("day", sa.Date()),
        sa.column("new_done"),
        sa.column("reviews_done"),
    )
    now = datetime.now(UTC)
    for user_id, zone, hour in connection.execute(sa.select(users)).all():
        day = study_day(now, zone, hour)
        newest = connection.scalar(
            sa.select(sa.func.max(reviews.c.reviewed_at)).where(reviews.c.user_id == user_id)
        )
        if newest is not None and study_day(newest, zone, hour).date > day.date:
            day = study_day(newest, zone, hour)
        connection.execute(
            progress.update().where(progress.c.user_id == user_id).values(day=day.date)
        )
        done = connection.execute(
            sa.select(reviews.c.bank_id, reviews.c.state_before, sa.func.count())
            .where(
                reviews.c.user_id == user_id,
                reviews.c.reviewed_at >= day.start,
                reviews.c.reviewed_at < day.end,
                reviews.c.state_before.in_((0, 2)),
            )
            .group_by(reviews.c.bank_id, reviews.c.state_before)
        ).all()
        for bank_id, state, count in done:
            column = "new_done" if state == 0 else "reviews_done"
            connection.execute(
                progress.update()
                .where(progress.c.user_id == user_id, progress.c.bank_id == bank_id)
                .values({column: count})
            )


def upgrade():
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE cards SET position = "
        "(SELECT questions.position FROM questions WHERE questions.id = cards.question_id)"
    )
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_user_bank_state")
        batch_op.create_index(
            "ix_cards_user_bank_state_due",
            ["user_id", "bank_id", "state", "due", "id", "suspended", "retired", "buried_until"],
            unique=False,
        )
        batch_op.create_index(
            "ix_cards_new_position",
            ["user_id", "bank_id", "state", "position", "ordinal"],
            unique=False,
            sqlite_where=sa.text(NEW_CARD),
            postgresql_where=sa.text(NEW_CARD),
        )
        batch_op.create_index(
            "ix_cards_new_buried",
            ["user_id", "bank_id", "state", "buried_until"],
            unique=False,
            sqlite_where=sa.text(BURIED_NEW_CARD),
            postgresql_where=sa.text(BURIED_NEW_CARD),
        )

    op.create_table(
        "bank_progress",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("introduced", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("new_done", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reviews_done", sa.Integer(), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "bank_id"),
    )
    op.execute(
        "INSERT INTO bank_progress (user_id, bank_id) SELECT DISTINCT user_id, bank_id FROM cards"
    )
    op.execute(REFRESH)
    _count_days()


def downgrade():
    op.drop_table("bank_progress")
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_new_buried")
        batch_op.drop_index("ix_cards_new_position")
        batch_op.drop_index("ix_cards_user_bank_state_due")
        batch_op.create_index(
            "ix_cards_user_bank_state", ["user_id", "bank_id", "state"], unique=False
        )
        batch_op.drop_column("position")

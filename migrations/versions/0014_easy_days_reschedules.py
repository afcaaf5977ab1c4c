"""users.easy_days, reschedules and rescheduled_cards: easy days and undoable reschedules

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 19:00:00

A learner may give days of the week less review (Anki's easy days): seven fractions, Monday
first, or NULL for a normal week. Postpone, advance and a break move cards' due times; each
is kept with the cards it moved and their due times before and after, so that it can be
undone.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table, and dropping the
    # old copy would delete every card and review through their cascading foreign keys.
    op.add_column("users", sa.Column("easy_days", sa.JSON(), nullable=True))
    op.create_table(
        "reschedules",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_reschedules_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reschedules")),
    )
    op.create_index(
        "ix_reschedules_user_time", "reschedules", ["user_id", "created_at"], unique=False
    )
    op.create_table(
        "rescheduled_cards",
        sa.Column("reschedule_id", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("due_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_after", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"],
            ["cards.id"],
            name=op.f("fk_rescheduled_cards_card_id_cards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reschedule_id"],
            ["reschedules.id"],
            name=op.f("fk_rescheduled_cards_reschedule_id_reschedules"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("reschedule_id", "card_id", name=op.f("pk_rescheduled_cards")),
    )
    op.create_index(
        op.f("ix_rescheduled_cards_card_id"), "rescheduled_cards", ["card_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_rescheduled_cards_card_id"), table_name="rescheduled_cards")
    op.drop_table("rescheduled_cards")
    op.drop_index("ix_reschedules_user_time", table_name="reschedules")
    op.drop_table("reschedules")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("easy_days")

"""Review totals kept per learner, bank and study day, for the statistics page

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 22:10:00

The tables start empty: a learner's first visit to the statistics page sums their history
into them (the code treats a learner without a mark as having nothing kept), so there is
nothing to backfill here.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "review_day_marks",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("rollover_hour", sa.Integer(), nullable=False),
        sa.Column("counted_before", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_review_day_marks_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_review_day_marks")),
    )
    op.create_table(
        "review_days",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("counted_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviews", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Integer(), nullable=False),
        sa.Column("young_passed", sa.Integer(), nullable=False),
        sa.Column("young_failed", sa.Integer(), nullable=False),
        sa.Column("mature_passed", sa.Integer(), nullable=False),
        sa.Column("mature_failed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_review_days_bank_id_banks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_review_days_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "bank_id", "day", "counted_before", name=op.f("pk_review_days")
        ),
    )


def downgrade():
    op.drop_table("review_days")
    op.drop_table("review_day_marks")

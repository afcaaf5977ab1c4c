"""banks.hidden, and removed_banks: shipped banks an admin hid or removed

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:30:00

A hidden bank is out of learners' sight with its history kept. A removed bank is gone with
its cards and history; its id is remembered so that the start-up load of the shipped banks
does not bring it back.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table, and dropping the old
    # copy would delete every question, card and review through their cascading foreign keys.
    op.add_column(
        "banks", sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "removed_banks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=1000), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_removed_banks")),
    )


def downgrade():
    op.drop_table("removed_banks")
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("hidden")

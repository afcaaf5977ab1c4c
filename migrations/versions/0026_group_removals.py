"""group_removals: a member an owner removed stays out until an owner allows them to rejoin

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 03:00:00

Removing a member deleted their membership only, so an invite still open let them straight
back in. Each removal now has a row, which an invite's join refuses until an owner deletes
it ("Allow to rejoin" on the group page). Members removed before the upgrade have no row.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "group_removals",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["group_id"], ["groups.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["removed_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("group_id", "user_id"),
    )
    op.create_index("ix_group_removals_user_id", "group_removals", ["user_id"])


def downgrade():
    op.drop_index("ix_group_removals_user_id", table_name="group_removals")
    op.drop_table("group_removals")

"""users.session_version: raising it ends the account's sessions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 22:55:00

Sessions signed in before this migration hold the bare user id, which no longer matches the
"id.version" form: everyone signs in once more.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")

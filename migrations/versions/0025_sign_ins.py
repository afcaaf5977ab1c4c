"""sign_ins: each browser signed in, so that signing out ends that sign-in for good

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 20:00:00

A session cookie was signed and held only the account's id and session version: signing
out deleted the browser's copy, but a copy taken before still signed in until the password
changed. Each sign-in now has a row, named by its cookies (only the SHA-256 of the id they
carry is kept), deleted when that browser signs out. Cookies from before name no sign-in:
everyone signs in once more after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_ins",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_sign_ins_user_id", "sign_ins", ["user_id"])


def downgrade():
    op.drop_index("ix_sign_ins_user_id", table_name="sign_ins")
    op.drop_table("sign_ins")

"""questions.kin: the questions near each one in its bank that show one of its diagrams

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 19:00:00

An answer buries, until the study day ends, the new cards of its question's kin (srs.kin):
the questions at most a day's new cards away in bank order that show one of the diagrams
its back has just shown whole. ``kin`` holds their positions in the bank. It starts NULL
(no kin kept): the startup works it out for every bank from the questions as stored, and
each import keeps it.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table (see 0015).
    op.add_column("questions", sa.Column("kin", sa.JSON(), nullable=True))


def downgrade():
    op.drop_column("questions", "kin")

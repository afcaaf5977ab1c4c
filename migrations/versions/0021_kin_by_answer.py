"""questions.kin worked out again: kin now also state one another's answers

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 18:00:00

A question's kin (srs.kin) are now also the questions near it whose cards state its short
answer, or whose answer its card states. Kin kept by 0020 know only diagrams: they are
cleared, and the startup works them out again for every bank from the questions as stored,
as it did after 0020. Nothing is lost: kin are made from the questions alone.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE questions SET kin = NULL WHERE kin IS NOT NULL")


def downgrade():
    # Kin by answer are kin still: a database taken back to 0020 buries a few more new cards.
    pass

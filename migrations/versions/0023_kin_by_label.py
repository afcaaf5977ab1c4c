"""questions.kin worked out again: kin now also read the labels of diagrams

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 02:00:00

A question's kin (srs.kin) are now also the questions near it that show a diagram labelled
with its short answer, and an occlusion question's answers (the labels it masks) are looked
for in the questions near it. Kin kept before know only the questions' texts: they are
cleared, and the startup works them out again for every bank from the questions and
diagrams as stored, as it did after 0021. Nothing is lost: kin are made from the bank alone.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE questions SET kin = NULL WHERE kin IS NOT NULL")


def downgrade():
    # Kin by label are kin still: a database taken back to 0022 buries a few more new cards.
    pass

"""questions.faces and questions.faces_of: each question's Markdown rendered at import

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 00:15:00

The pages and the exports read a question's rendered Markdown (srs.faces) instead of
rendering it again; ``faces_of`` says what it was made from (the question, its bank's
language, the renderer). Both start NULL: the next import of each bank, or the startup's
reading of the bank folders, makes them, and until then every text is rendered as before.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMNs, not a batch: on SQLite a batch copies the table, and dropping the
    # old copy would delete every card and review through their cascading foreign keys.
    op.add_column("questions", sa.Column("faces", sa.JSON(), nullable=True))
    op.add_column("questions", sa.Column("faces_of", sa.String(length=32), nullable=True))


def downgrade():
    # SQLite (3.35 on) drops a column in place; a batch would copy the table (see above).
    op.drop_column("questions", "faces_of")
    op.drop_column("questions", "faces")

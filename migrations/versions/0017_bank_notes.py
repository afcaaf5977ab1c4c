"""bank_notes, questions.passage, sections.coverage_skip: a bank's study notes kept

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 04:00:00

A bank may keep the notes it was written from (``notes:``): ``bank_notes`` holds each file's
text, so that a card can show the passage it comes from and the coverage report can list the
headings without the bank's folder at hand (an upload has none). ``questions.passage`` is a
question's ``source:`` as written (``FILE#HEADING``), ``sections.coverage_skip`` a section's
``coverage: {skip: WHY}``. All start empty: the next import of each bank fills them.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bank_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_bank_notes_bank_id_banks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_notes")),
        sa.UniqueConstraint("bank_id", "file", name=op.f("uq_bank_notes_bank_id_file")),
    )
    # Plain ADD COLUMNs, not a batch: on SQLite a batch copies the table, and dropping the
    # old copy would delete every card and review through their cascading foreign keys.
    op.add_column("questions", sa.Column("passage", sa.Text(), nullable=True))
    op.add_column("sections", sa.Column("coverage_skip", sa.Text(), nullable=True))


def downgrade():
    # SQLite (3.35 on) drops a column in place; a batch would copy the table (see above).
    op.drop_column("sections", "coverage_skip")
    op.drop_column("questions", "passage")
    op.drop_table("bank_notes")

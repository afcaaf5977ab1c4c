"""An index on cards.question_id, for deleting and retiring questions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 21:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.create_index("ix_cards_question", ["question_id"], unique=False)


def downgrade():
    with op.batch_alter_table("cards", schema=None) as batch_op:
        batch_op.drop_index("ix_cards_question")

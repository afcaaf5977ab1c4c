"""ix_cards_user_due covers the load: what counting a learner's cards due by day filters on

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 04:10:00

An answer balances its interval over the learner's cards due on each day of its fuzz range
(``services.load``), filtering those cards by state, suspension, retirement and last review.
With only ``(user_id, due)`` in the index each of those cards was read from the table too;
with the filtered columns in the index the count reads the index alone. The index keeps its
name and its leading columns, so every query that used it still does.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

_LOAD = ["user_id", "due", "state", "suspended", "retired", "last_review"]


def upgrade():
    op.drop_index("ix_cards_user_due", table_name="cards")
    op.create_index("ix_cards_user_due", "cards", _LOAD)


def downgrade():
    op.drop_index("ix_cards_user_due", table_name="cards")
    op.create_index("ix_cards_user_due", "cards", ["user_id", "due"])

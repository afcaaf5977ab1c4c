"""reviews.id never given twice on SQLite (AUTOINCREMENT)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 16:30:00

An undo deletes the learner's last review. SQLite gives a new row the largest id in the
table plus one, so the next answer took the id of the one taken back, and a client reading
the log from an id on (``GET /api/v1/reviews?after_id=``) never saw it. With AUTOINCREMENT
SQLite gives no id twice. The table is copied into one made so (nothing refers to a review,
so dropping the old copy deletes nothing else); PostgreSQL's identity column already gives
no id twice.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "reviews", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade():
    # Ids never given twice are still ids: a database taken back to 0023 keeps the table.
    pass

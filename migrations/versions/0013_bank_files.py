"""bank_files and banks.group_id: a bank's YAML kept for editing, and a group's own banks

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 14:00:00

A bank uploaded in the browser was read and stored as questions; its YAML was thrown away.
Questions are now edited in the browser by changing their YAML source, so an uploaded bank
keeps its YAML files here (a bank with files on the server is edited there). A bank may
belong to a group, whose owners edit it as admins do.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "bank_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"], ["banks.id"], name=op.f("fk_bank_files_bank_id_banks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_files")),
        sa.UniqueConstraint("bank_id", "path", name=op.f("uq_bank_files_bank_id_path")),
    )

    # A plain ADD COLUMN, not a batch: on SQLite a batch copies the table, and dropping the old
    # copy would delete every question, card and review through their cascading foreign keys.
    # SQLite takes the foreign key only inline, in the ADD COLUMN itself.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE banks ADD COLUMN group_id INTEGER REFERENCES groups (id)")
    else:
        op.add_column("banks", sa.Column("group_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_banks_group_id_groups"),
            "banks",
            "groups",
            ["group_id"],
            ["id"],
        )
    op.create_index(op.f("ix_banks_group_id"), "banks", ["group_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_banks_group_id"), table_name="banks")
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_banks_group_id_groups"), type_="foreignkey")
        batch_op.drop_column("group_id")
    op.drop_table("bank_files")

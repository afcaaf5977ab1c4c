"""users.name_key: one normal form of names; api_tokens: name, expiry, last use

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:30:00

Names were compared with SQL ``lower()``, which on SQLite folds ASCII letters only: "Иван"
registered and could not sign in, and "Ärger" and "ärger" were two accounts. ``name_key``
(NFKC with case folding, ``models.user.name_key``) is filled here from each name. Where two
accounts already share a key, the oldest (lowest id) keeps its name; each later one is
renamed "name#id" (and "#2", "#3"… after that while the name is still taken), so every
account can still sign in, under a name the admin can look up.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME_LENGTH = 80


def name_key(name: str) -> str:
    """``models.user.name_key`` as it was when this revision was written."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name.strip()).casefold())


def _fill_name_keys() -> None:
    connection = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("name"), sa.column("name_key"))
    rows = connection.execute(sa.select(users.c.id, users.c.name).order_by(users.c.id)).all()
    taken: set[str] = set()
    for user_id, name in rows:
        new_name, key = name, name_key(name)
        suffix = f"#{user_id}"
        attempt = 1
        while key in taken:
            new_name = name[: NAME_LENGTH - len(suffix)] + suffix
            key = name_key(new_name)
            attempt += 1
            suffix = f"#{user_id}-{attempt}"
        taken.add(key)
        connection.execute(
            users.update().where(users.c.id == user_id).values(name=new_name, name_key=key)
        )


def upgrade():
    # Columns added and an index made, never a table copied: SQLite copies a table by
    # dropping the old one, and with foreign keys on that would delete every card, review
    # and token through ON DELETE CASCADE.
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_key", sa.String(length=255), nullable=False, server_default="")
        )
    _fill_name_keys()
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_name_key"), ["name_key"], unique=True)

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=80), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("name")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_name_key"))
        batch_op.drop_column("name_key")

"""kept_loads: each learner's load, counted once a study day and kept

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 07:20:00

Load balancing (``services.load``) spreads an answer's interval over the learner's cards due
on each study day ahead, not counting the cards answered today; an answer and the grade
buttons both read it, so it was counted at every request. ``kept_loads`` keeps it: one row
a learner, the counts of the study day they were made on, and a stamp. Triggers on ``cards``
raise the stamp and clear the counts whenever a studied card is inserted, deleted, or
changed in what the load reads (state, suspension, retirement, due, last review); an answer
moves its card into the day's answers, which the load leaves out, so an answer does so only
when the row's counts may miss it (see ``_STALE``). A trigger on ``users`` gives each new
account its row; the upgrade gives each existing one its row, with no counts.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_FORGET = "UPDATE kept_loads SET stamp = stamp + 1, counts = NULL WHERE user_id"
# The columns the load reads.
_READ = ("user_id", "state", "suspended", "retired", "due", "last_review")
_ROW = ", ".join(_READ)
# An answer moves last_review forward; nothing else does.
_ANSWERED = (
    "NEW.last_review IS NOT NULL AND (OLD.last_review IS NULL OR NEW.last_review > OLD.last_review)"
)


def _counted(card: str) -> str:
    """Whether ``card`` (OLD or NEW) is counted in the kept row's load."""
    return (
        f"({card}.state <> 0 AND NOT {card}.suspended AND NOT {card}.retired"
        f" AND {card}.last_review < day_start AND {card}.due >= window_start)"
    )


# Which of the learner's kept rows a change of a studied card makes stale: any, unless it is
# an answer; an answer, only a row with no counts (being counted, perhaps), one of a study
# day that ended before the answer, or one that counted the card or would count it now (a
# card due after that day, answered early; an answer logged for an earlier day).
_STALE = (
    f"(NOT ({_ANSWERED}) OR counts IS NULL OR NEW.last_review >= window_start"
    f" OR {_counted('OLD')} OR {_counted('NEW')})"
)

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER kept_loads_account AFTER INSERT ON users BEGIN"
    " INSERT INTO kept_loads (user_id, stamp) VALUES (NEW.id, 0); END",
    "CREATE TRIGGER kept_loads_insert AFTER INSERT ON cards WHEN NEW.state != 0 BEGIN"
    f" {_FORGET} = NEW.user_id; END",
    "CREATE TRIGGER kept_loads_delete AFTER DELETE ON cards WHEN OLD.state != 0 BEGIN"
    f" {_FORGET} = OLD.user_id; END",
    f"CREATE TRIGGER kept_loads_update AFTER UPDATE OF {_ROW} ON cards"
    " WHEN (OLD.state != 0 OR NEW.state != 0)"
    f" AND ({' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in _READ)}) BEGIN"
    f" {_FORGET} IN (OLD.user_id, NEW.user_id) AND {_STALE}; END",
)

_POSTGRESQL_FUNCTIONS = (
    """
CREATE FUNCTION kept_loads_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO kept_loads (user_id, stamp) VALUES (NEW.id, 0);
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION kept_loads_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.state <> 0 THEN
            {_FORGET} = NEW.user_id;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        IF OLD.state <> 0 THEN
            {_FORGET} = OLD.user_id;
        END IF;
    ELSIF (OLD.state <> 0 OR NEW.state <> 0)
          AND ({", ".join(f"OLD.{c}" for c in _READ)})
              IS DISTINCT FROM ({", ".join(f"NEW.{c}" for c in _READ)}) THEN
        {_FORGET} IN (OLD.user_id, NEW.user_id) AND {_STALE};
    END IF;
    RETURN NULL;
END
$$
""",
    "CREATE TRIGGER kept_loads_account AFTER INSERT ON users"
    " FOR EACH ROW EXECUTE FUNCTION kept_loads_account()",
    f"CREATE TRIGGER kept_loads_forget AFTER INSERT OR DELETE OR UPDATE OF {_ROW} ON cards"
    " FOR EACH ROW EXECUTE FUNCTION kept_loads_forget()",
)


def upgrade():
    op.create_table(
        "kept_loads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("day_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("counts", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRESQL_FUNCTIONS:
        op.execute(statement)
    op.execute("INSERT INTO kept_loads (user_id, stamp) SELECT id, 0 FROM users")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("account", "insert", "delete", "update"):
            op.execute(f"DROP TRIGGER kept_loads_{name}")
    else:
        op.execute("DROP TRIGGER kept_loads_account ON users")
        op.execute("DROP FUNCTION kept_loads_account()")
        op.execute("DROP TRIGGER kept_loads_forget ON cards")
        op.execute("DROP FUNCTION kept_loads_forget()")
    op.drop_table("kept_loads")

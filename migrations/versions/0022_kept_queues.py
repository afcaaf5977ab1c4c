"""kept_queues: what choosing a learner's next card in a bank reads, kept between requests

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05 05:00:00

Choosing the next card (``services.candidates``) walks an index of ``cards`` for each kind of
card in each bank and counts the due ones, at every request. ``kept_queues`` keeps what those
walks found, one row a learner and bank: the first few learning and review cards in order,
the first new card, the counts, and a stamp. An answer updates its bank's row itself
(``services.kept_queue``); any other change of the learner's cards in the bank (inserted,
deleted, or updated other than as an answer updates a card), and any change of the bank's
questions, raises the row's stamp and clears what it keeps, so every path that writes cards
or questions does. Rows are made when first needed.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

_FORGET = "UPDATE kept_queues SET stamp = stamp + 1, kept = NULL"
# An answer moves the review count up by one and the last review forward, and changes nothing
# that says where the card is or whether it may be shown; nothing else does all that.
_ANSWERED = (
    "NEW.reps = OLD.reps + 1 AND NEW.last_review IS NOT NULL"
    " AND (OLD.last_review IS NULL OR NEW.last_review > OLD.last_review)"
    " AND NEW.user_id = OLD.user_id AND NEW.bank_id = OLD.bank_id"
    " AND NEW.question_id = OLD.question_id AND NEW.position = OLD.position"
    " AND NEW.suspended = OLD.suspended AND NEW.retired = OLD.retired"
    " AND NEW.buried_until IS NOT DISTINCT FROM OLD.buried_until"
)
_SQLITE_ANSWERED = _ANSWERED.replace("IS NOT DISTINCT FROM", "IS")


_QUESTION = "bank_id, position, retired, card_count, card_ordinals"


def _row(name: str) -> str:
    return ", ".join(
        f"{name}.{c}::text" if c == "card_ordinals" else f"{name}.{c}"
        for c in _QUESTION.split(", ")
    )


# The questions of an update whose columns that choosing reads changed, as old (o) and new (n).
_MOVED = (
    "FROM old_rows o JOIN new_rows n ON n.id = o.id"
    f" WHERE ({_row('o')}) IS DISTINCT FROM ({_row('n')})"
)


def _of(card: str) -> str:
    return f"WHERE user_id = {card}.user_id AND bank_id = {card}.bank_id"


_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER kept_queues_insert AFTER INSERT ON cards BEGIN {_FORGET} {_of('NEW')}; END",
    f"CREATE TRIGGER kept_queues_delete AFTER DELETE ON cards BEGIN {_FORGET} {_of('OLD')}; END",
    f"CREATE TRIGGER kept_queues_update AFTER UPDATE ON cards WHEN NOT ({_SQLITE_ANSWERED})"
    f" BEGIN {_FORGET} {_of('OLD')}; {_FORGET} {_of('NEW')}; END",
    # What of a question choosing the next card reads: whether it is shown, where, and its cards.
    f"CREATE TRIGGER kept_queues_question_insert AFTER INSERT ON questions BEGIN"
    f" {_FORGET} WHERE bank_id = NEW.bank_id; END",
    f"CREATE TRIGGER kept_queues_question_update AFTER UPDATE OF {_QUESTION} ON questions"
    f" WHEN {' OR '.join(f'OLD.{c} IS NOT NEW.{c}' for c in _QUESTION.split(', '))} BEGIN"
    f" {_FORGET} WHERE bank_id = OLD.bank_id; {_FORGET} WHERE bank_id = NEW.bank_id; END",
    f"CREATE TRIGGER kept_queues_question_delete AFTER DELETE ON questions BEGIN"
    f" {_FORGET} WHERE bank_id = OLD.bank_id; END",
)

_POSTGRESQL_FUNCTIONS = (
    f"""
CREATE FUNCTION kept_queues_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_FORGET} {_of("NEW")};
    ELSIF TG_OP = 'DELETE' THEN
        {_FORGET} {_of("OLD")};
    ELSIF NOT ({_ANSWERED}) THEN
        {_FORGET} {_of("OLD")};
        IF NEW.user_id <> OLD.user_id OR NEW.bank_id <> OLD.bank_id THEN
            {_FORGET} {_of("NEW")};
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
    "CREATE FUNCTION kept_queues_questions() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "  # noqa: S608
    f"{_FORGET} WHERE bank_id IN (SELECT bank_id FROM changed); RETURN NULL; END $$",
    # A statement's trigger with transition tables takes no list of columns: compared here.
    "CREATE FUNCTION kept_queues_questions_moved() RETURNS trigger LANGUAGE plpgsql AS $$"
    f" BEGIN {_FORGET} WHERE bank_id IN (SELECT o.bank_id {_MOVED} UNION SELECT n.bank_id"
    f" {_MOVED}); RETURN NULL; END $$",
    "CREATE TRIGGER kept_queues_forget AFTER INSERT OR DELETE OR UPDATE ON cards"
    " FOR EACH ROW EXECUTE FUNCTION kept_queues_forget()",
    *(
        f"CREATE TRIGGER kept_queues_question_{name} AFTER {name.upper()} ON questions"
        f" REFERENCING {'OLD' if name == 'delete' else 'NEW'} TABLE AS changed"
        " FOR EACH STATEMENT EXECUTE FUNCTION kept_queues_questions()"
        for name in ("insert", "delete")
    ),
    "CREATE TRIGGER kept_queues_question_update AFTER UPDATE ON questions"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION kept_queues_questions_moved()",
)


def upgrade():
    op.create_table(
        "kept_queues",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("stamp", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kept", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["bank_id"], ["banks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "bank_id"),
    )
    op.create_index("ix_kept_queues_bank", "kept_queues", ["bank_id"])
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRESQL_FUNCTIONS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER kept_queues_{name}")
            op.execute(f"DROP TRIGGER kept_queues_question_{name}")
    else:
        op.execute("DROP TRIGGER kept_queues_forget ON cards")
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER kept_queues_question_{name} ON questions")
        op.execute("DROP FUNCTION kept_queues_forget()")
        op.execute("DROP FUNCTION kept_queues_questions()")
        op.execute("DROP FUNCTION kept_queues_questions_moved()")
    op.drop_index("ix_kept_queues_bank", "kept_queues")
    op.drop_table("kept_queues")

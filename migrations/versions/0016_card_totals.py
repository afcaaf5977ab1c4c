"""card_totals: each learner's cards counted by bank, state, interval and difficulty, kept

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 00:00:00

The statistics page counted every card of the learner on each visit. ``card_totals`` keeps
those counts: one row per learner, bank, state, suspension, interval bucket and difficulty
bucket, the cards (not retired) in it. Triggers on ``cards`` move a card between rows on
every insert, update and delete, so that no path that writes cards (answers, undo, suspend,
reschedule, optimize, import, retire, account deletion, restore) can leave them behind; a
bulk UPDATE is covered as one answer is. A row with ``state`` -1 and ``bank_id`` '' marks a
learner whose rows are complete (a trigger on ``users`` writes it for each new account);
without it (the table emptied) the page counts the cards afresh. The upgrade fills every
learner's rows from the cards already stored.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The buckets of srs.stats as this revision has them: INTERVAL_BUCKETS by their low end
# (-1: due before the last review, -2: not a review card or never reviewed), and the
# difficulty bucket's low end (0: new, or outside 1-10).
_KEY = ("user_id", "bank_id", "state", "suspended", "interval_bucket", "difficulty_bucket")


def _interval(days: str) -> str:
    return (
        f"CASE WHEN {days} <= 1 THEN 0 WHEN {days} <= 7 THEN 2 WHEN {days} <= 21 THEN 8"
        f" WHEN {days} <= 90 THEN 22 WHEN {days} <= 365 THEN 91 ELSE 366 END"
    )


def _sqlite_interval(card: str) -> str:
    days = (
        f"(CAST(round((julianday({card}due) - julianday({card}last_review)) * 86400000)"
        " AS INTEGER) / 86400000)"
    )
    return (
        f"CASE WHEN {card}state = 2 AND {card}last_review IS NOT NULL THEN"  # noqa: S608
        f" CASE WHEN {card}due >= {card}last_review THEN"
        f" (SELECT {_interval('d')} FROM (SELECT {days} AS d)) ELSE -1 END ELSE -2 END"
    )


def _difficulty(card: str, floor: str) -> str:
    return (
        f"CASE WHEN {card}state != 0 AND {card}difficulty >= 1 AND {card}difficulty < 10"
        f" THEN {floor} WHEN {card}state != 0 AND {card}difficulty = 10 THEN 9 ELSE 0 END"
    )


def _sqlite_key(card: str) -> str:
    floor = f"CAST({card}difficulty AS INTEGER)"
    return (
        f"{card}user_id, {card}bank_id, {card}state, {card}suspended,"
        f" {_sqlite_interval(card)}, {_difficulty(card, floor)}"
    )


_SQLITE_ADD = (
    "INSERT INTO card_totals (" + ", ".join(_KEY) + ", cards) SELECT {key}, 1"
    " WHERE NOT NEW.retired"
    " ON CONFLICT (" + ", ".join(_KEY) + ") DO UPDATE SET cards = cards + 1;"
)
_SQLITE_TAKE = (
    "UPDATE card_totals SET cards = cards - 1 WHERE NOT OLD.retired AND ("  # noqa: S608
    + ", ".join(_KEY)
    + ") = ({key});"
)
# A new account's rows start complete: it has no card yet.
_MARK = (
    "INSERT INTO card_totals (" + ", ".join(_KEY) + ", cards)"  # noqa: S608
    " VALUES (NEW.id, '', -1, FALSE, -2, 0, 0);"
)
_SQLITE_TRIGGERS = (
    f"CREATE TRIGGER card_totals_mark AFTER INSERT ON users BEGIN {_MARK} END",
    "CREATE TRIGGER card_totals_insert AFTER INSERT ON cards BEGIN "
    + _SQLITE_ADD.format(key=_sqlite_key("NEW."))
    + " END",
    "CREATE TRIGGER card_totals_delete AFTER DELETE ON cards BEGIN "
    + _SQLITE_TAKE.format(key=_sqlite_key("OLD."))
    + " END",
    "CREATE TRIGGER card_totals_update AFTER UPDATE OF user_id, bank_id, state, suspended,"
    " retired, due, last_review, difficulty ON cards"
    f" WHEN OLD.retired IS NOT NEW.retired OR ({_sqlite_key('OLD.')})"
    f" IS NOT ({_sqlite_key('NEW.')}) BEGIN "
    + _SQLITE_TAKE.format(key=_sqlite_key("OLD."))
    + " "
    + _SQLITE_ADD.format(key=_sqlite_key("NEW."))
    + " END",
)


def _postgresql_interval(card: str) -> str:
    days = f"CAST(extract(day from {card}due - {card}last_review) AS integer)"
    return (
        f"CASE WHEN {card}state = 2 AND {card}last_review IS NOT NULL THEN"
        f" CASE WHEN {card}due >= {card}last_review THEN {_interval(days)} ELSE -1 END"
        " ELSE -2 END"
    )


def _postgresql_difficulty(card: str) -> str:
    return _difficulty(card, f"CAST(floor({card}difficulty) AS integer)")


# One function for the three events. The two rows a card leaves and enters are written in
# the order of their keys, so that two answers of one learner at once cannot deadlock.
_POSTGRESQL_FUNCTIONS = (
    """
CREATE FUNCTION card_totals_add(
    a_user integer, a_bank varchar, a_state smallint, a_suspended boolean,
    a_interval integer, a_difficulty integer, a_cards integer
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- A card leaving is only subtracted: a row is never made for an account being deleted.
    IF a_cards < 0 THEN
        UPDATE card_totals SET cards = cards + a_cards
        WHERE user_id = a_user AND bank_id = a_bank AND state = a_state
          AND suspended = a_suspended AND interval_bucket = a_interval
          AND difficulty_bucket = a_difficulty;
    ELSE
        INSERT INTO card_totals (user_id, bank_id, state, suspended, interval_bucket,
                                 difficulty_bucket, cards)
        VALUES (a_user, a_bank, a_state, a_suspended, a_interval, a_difficulty, a_cards)
        ON CONFLICT (user_id, bank_id, state, suspended, interval_bucket, difficulty_bucket)
        DO UPDATE SET cards = card_totals.cards + a_cards;
    END IF;
END
$$
""",
    f"""
CREATE FUNCTION card_totals_move() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    leaves boolean := TG_OP <> 'INSERT' AND NOT OLD.retired;
    enters boolean := TG_OP <> 'DELETE' AND NOT NEW.retired;
    old_interval integer;
    old_difficulty integer;
    new_interval integer;
    new_difficulty integer;
BEGIN
    IF leaves THEN
        old_interval := {_postgresql_interval("OLD.")};
        old_difficulty := {_postgresql_difficulty("OLD.")};
    END IF;
    IF enters THEN
        new_interval := {_postgresql_interval("NEW.")};
        new_difficulty := {_postgresql_difficulty("NEW.")};
    END IF;
    IF leaves AND enters THEN
        IF (OLD.user_id, OLD.bank_id, OLD.state, OLD.suspended, old_interval, old_difficulty)
           = (NEW.user_id, NEW.bank_id, NEW.state, NEW.suspended, new_interval, new_difficulty)
        THEN
            RETURN NULL;
        END IF;
        IF (OLD.user_id, OLD.bank_id, OLD.state, OLD.suspended, old_interval, old_difficulty)
           > (NEW.user_id, NEW.bank_id, NEW.state, NEW.suspended, new_interval, new_difficulty)
        THEN
            PERFORM card_totals_add(NEW.user_id, NEW.bank_id, NEW.state, NEW.suspended,
                                    new_interval, new_difficulty, 1);
            enters := false;
        END IF;
    END IF;
    IF leaves THEN
        PERFORM card_totals_add(OLD.user_id, OLD.bank_id, OLD.state, OLD.suspended,
                                old_interval, old_difficulty, -1);
    END IF;
    IF enters THEN
        PERFORM card_totals_add(NEW.user_id, NEW.bank_id, NEW.state, NEW.suspended,
                                new_interval, new_difficulty, 1);
    END IF;
    RETURN NULL;
END
$$
""",
    f"""
CREATE FUNCTION card_totals_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {_MARK}
    RETURN NULL;
END
$$
""",
    "CREATE TRIGGER card_totals_mark AFTER INSERT ON users"
    " FOR EACH ROW EXECUTE FUNCTION card_totals_mark()",
    "CREATE TRIGGER card_totals_move AFTER INSERT OR DELETE OR UPDATE OF user_id, bank_id,"
    " state, suspended, retired, due, last_review, difficulty ON cards"
    " FOR EACH ROW EXECUTE FUNCTION card_totals_move()",
)


def _fill(dialect: str) -> str:
    """Every learner's rows counted from the cards, and each learner's mark."""
    if dialect == "sqlite":
        key = _sqlite_key("")
    else:
        key = (
            "user_id, bank_id, state, suspended, "
            + _postgresql_interval("")
            + ", "
            + _postgresql_difficulty("")
        )
    return (
        "INSERT INTO card_totals (" + ", ".join(_KEY) + ", cards)"  # noqa: S608 (constants)
        f" SELECT {key}, count(*) FROM cards WHERE retired = FALSE GROUP BY 1, 2, 3, 4, 5, 6"
    )


def upgrade():
    op.create_table(
        "card_totals",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.String(length=64), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("suspended", sa.Boolean(), nullable=False),
        sa.Column("interval_bucket", sa.Integer(), nullable=False),
        sa.Column("difficulty_bucket", sa.Integer(), nullable=False),
        sa.Column("cards", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint(*_KEY),
    )
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_TRIGGERS if dialect == "sqlite" else _POSTGRESQL_FUNCTIONS:
        op.execute(statement)
    op.execute(_fill(dialect))
    op.execute(
        "INSERT INTO card_totals (" + ", ".join(_KEY) + ", cards)"  # noqa: S608
        " SELECT id, '', -1, FALSE, -2, 0, 0 FROM users"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in (
            "card_totals_mark",
            "card_totals_insert",
            "card_totals_delete",
            "card_totals_update",
        ):
            op.execute(f"DROP TRIGGER {name}")
    else:
        op.execute("DROP TRIGGER card_totals_mark ON users")
        op.execute("DROP FUNCTION card_totals_mark()")
        op.execute("DROP TRIGGER card_totals_move ON cards")
        op.execute("DROP FUNCTION card_totals_move()")
        op.execute(
            "DROP FUNCTION card_totals_add(integer, varchar, smallint, boolean, integer,"
            " integer, integer)"
        )
    op.drop_table("card_totals")

"""A learner's cards and the log of their reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model
from models.types import UTCDateTime, now_utc
from srs.scheduler import NEW, CardState

__all__ = ["BankProgress", "Card", "KeptLoad", "KeptQueue", "Review"]

NEW_CARD = text(f"state = {NEW}")
BURIED_NEW_CARD = text(f"state = {NEW} AND buried_until IS NOT NULL")

_STATE_DUE = ("user_id", "bank_id", "state", "due", "id", "suspended", "retired", "buried_until")

# SQLite gives rowids only to INTEGER primary keys; PostgreSQL gets the wider type.
_BigId = BigInteger().with_variant(Integer, "sqlite")


class Card(Model):
    """One learner's schedule for one card of a question (``ordinal`` picks the card).

    Cards are created when first needed. The scheduling fields mirror ``fsrs.Card``;
    ``state`` 0 is a card not yet studied. ``bank_id`` and ``position`` are copied from the
    question so that the next due card and the next new card are each one index walk.
    ``retired`` follows the question (or a cloze deletion that disappeared).
    """

    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id", "ordinal"),
        Index("ix_cards_user_bank_due", "user_id", "bank_id", "due"),
        # The learner's cards due by day (services.load), counted from the index alone.
        Index(
            "ix_cards_user_due", "user_id", "due", "state", "suspended", "retired", "last_review"
        ),
        # The next learning or review card of a bank, and the count of those due: read from
        # the index alone, which holds what makes a card free to show.
        Index("ix_cards_user_bank_state_due", *_STATE_DUE),
        # The next new card in bank order, past the studied ones (the predicates are
        # literals, not parameters, so that the queries are seen to match them).
        Index(
            "ix_cards_new_position",
            "user_id",
            "bank_id",
            "state",
            "position",
            "ordinal",
            sqlite_where=NEW_CARD,
            postgresql_where=NEW_CARD,
        ),
        # New cards buried until some time: few, counted at each pick.
        Index(
            "ix_cards_new_buried",
            "user_id",
            "bank_id",
            "state",
            "buried_until",
            sqlite_where=BURIED_NEW_CARD,
            postgresql_where=BURIED_NEW_CARD,
        ),
        # Deleting or retiring questions finds their cards through this, not a scan.
        Index("ix_cards_question", "question_id"),
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(SmallInteger, default=0)
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    state: Mapped[int] = mapped_column(SmallInteger, default=NEW)
    step: Mapped[int | None] = mapped_column(SmallInteger)
    stability: Mapped[float | None]
    difficulty: Mapped[float | None]
    due: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_review: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    suspended: Mapped[bool] = mapped_column(default=False)
    buried_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    retired: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    question = relationship("Question")

    # Every UPDATE of a card checks that ``reps`` is still what was read, so that of two
    # answers to one card at once the second fails (StaleDataError) instead of overwriting
    # the first; ``services.conflict`` then runs it again on the card as the first left it.
    # The answer sets ``reps`` itself (undo takes it back), hence no generator. (The mapper
    # reads this dictionary once; it is never changed.)
    __mapper_args__ = {"version_id_col": reps, "version_id_generator": False}  # noqa: RUF012

    def schedule(self) -> CardState:
        """The card's schedule as the scheduler sees it."""
        return CardState(
            state=self.state,
            step=self.step,
            stability=self.stability,
            difficulty=self.difficulty,
            due=self.due,
            last_review=self.last_review,
            reps=self.reps,
            lapses=self.lapses,
        )

    def set_schedule(self, schedule: CardState) -> None:
        self.state = schedule.state
        self.step = schedule.step
        self.stability = schedule.stability
        self.difficulty = schedule.difficulty
        if schedule.due is not None:
            self.due = schedule.due
        self.last_review = schedule.last_review
        self.reps = schedule.reps
        self.lapses = schedule.lapses


class Review(Model):
    """One answer: the rating, how long it took, and the card's schedule around it.

    The schedule before the answer is kept so that undo can put the card back exactly;
    ``buried`` lists the sibling cards this answer buried, for the same reason.
    """

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_user_time", "user_id", "reviewed_at"),
        Index("ix_reviews_card_time", "card_id", "reviewed_at"),
        UniqueConstraint("user_id", "review_token"),
        # An undo deletes the last review: SQLite would give its id to the next one.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(_BigId, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rating: Mapped[int] = mapped_column(SmallInteger)
    elapsed_ms: Mapped[int | None]
    correct: Mapped[bool | None]
    review_token: Mapped[str | None] = mapped_column(String(128))

    state_before: Mapped[int] = mapped_column(SmallInteger)
    step_before: Mapped[int | None] = mapped_column(SmallInteger)
    stability_before: Mapped[float | None]
    difficulty_before: Mapped[float | None]
    due_before: Mapped[datetime] = mapped_column(UTCDateTime)
    last_review_before: Mapped[datetime | None] = mapped_column(UTCDateTime)

    state_after: Mapped[int] = mapped_column(SmallInteger)
    step_after: Mapped[int | None] = mapped_column(SmallInteger)
    stability_after: Mapped[float | None]
    difficulty_after: Mapped[float | None]
    due_after: Mapped[datetime] = mapped_column(UTCDateTime)

    buried: Mapped[list[int]] = mapped_column(JSON, default=list)


class BankProgress(Model):
    """A learner's running counts in one bank, kept by every change that moves them, so that
    choosing the next card counts nothing.

    ``introduced``: the learner's cards of the bank that are not retired and are studied
    (``state`` not new) or suspended. ``next_position``: every active question of the bank
    before this position has all its cards for the learner. ``new_done`` and
    ``reviews_done``: answers on the study day ``day`` to cards that were new, and that were
    in review; no answer of the learner is on a later study day.
    """

    __tablename__ = "bank_progress"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    introduced: Mapped[int] = mapped_column(default=0, server_default="0")
    next_position: Mapped[int] = mapped_column(default=0, server_default="0")
    day: Mapped[date | None]
    new_done: Mapped[int] = mapped_column(default=0, server_default="0")
    reviews_done: Mapped[int] = mapped_column(default=0, server_default="0")


class KeptLoad(Model):
    """A learner's load (``services.load``), counted once for a study day and kept.

    ``counts`` holds the learner's cards due on each study date of the window that starts
    at ``window_start`` (tomorrow's start), counted on the day that starts at
    ``day_start``; ``stamp`` goes up, and ``counts`` is cleared, whenever a card of the
    learner changes in a way that may move the load (triggers on ``cards``, migration 0019,
    so every path that writes cards does it). Counts are kept only if the stamp they were
    counted at is still the row's. Each account has its row from its creation (a trigger on
    ``users``). A migration that rebuilds ``cards`` (a batch copy on SQLite) drops the
    triggers with the old table and must create them again.
    """

    __tablename__ = "kept_loads"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[int] = mapped_column(default=0, server_default="0")
    day_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # None is SQL's NULL, which the triggers read as "no counts kept", never JSON's null.
    counts: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))


class KeptQueue(Model):
    """What choosing a learner's next card in a bank reads (``services.kept_queue``), kept
    between requests.

    ``kept`` holds the first few learning and review cards in order, the first new card and
    the question lacking cards before it, and the counts, made on the study day and with the
    review limit it names; ``stamp`` goes up, and ``kept`` is cleared, whenever the learner's
    cards in the bank change other than as an answer changes one (which updates the row
    itself), or the bank's questions change (triggers, migration 0022, so every path that
    writes cards or questions does it). What is kept is written only if the stamp it was
    read at is still the row's. A migration that rebuilds ``cards`` or ``questions`` (a
    batch copy on SQLite) drops the triggers with the old table and must create them again.
    """

    __tablename__ = "kept_queues"
    __table_args__ = (Index("ix_kept_queues_bank", "bank_id"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    bank_id: Mapped[str] = mapped_column(
        ForeignKey("banks.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[int] = mapped_column(default=0, server_default="0")
    # None is SQL's NULL, which the triggers write: nothing kept.
    kept: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

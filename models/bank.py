"""Banks, their sections, questions and diagrams, as stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Model
from models.types import UTCDateTime, now_utc

__all__ = ["Bank", "BankFile", "Diagram", "NotesFile", "Question", "RemovedBank", "Section"]


class Bank(Model):
    """A question bank; ``id`` is the id written in its ``bank.yaml``."""

    __tablename__ = "banks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(35))
    description: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(1000), default="")
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # The cards its active questions make: kept by the importer, so that "new cards left"
    # needs no sum over the questions on every request.
    card_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # Hidden by an admin: out of every learner's lists, reviews and quizzes, with its cards
    # and history kept for when it is shown again.
    hidden: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The group whose own bank this is: its owners edit it in the browser, as admins do.
    # (A group merely studying a bank, in ``group_banks``, gives no such right.) Cleared
    # before its group is deleted.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("groups.id"), index=True)

    sections: Mapped[list[Section]] = relationship(
        back_populates="bank", order_by="Section.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position", cascade="all, delete-orphan"
    )
    diagrams: Mapped[list[Diagram]] = relationship(
        back_populates="bank", order_by="Diagram.path", cascade="all, delete-orphan"
    )
    files: Mapped[list[BankFile]] = relationship(
        back_populates="bank", order_by="BankFile.path", cascade="all, delete-orphan"
    )
    notes: Mapped[list[NotesFile]] = relationship(
        back_populates="bank", order_by="NotesFile.id", cascade="all, delete-orphan"
    )


class Section(Model):
    """A part of the notes a bank follows; ``key`` is its id in the bank file."""

    __tablename__ = "sections"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    parent_key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int]
    # Why the notes' headings under it need no question: its ``coverage: {skip: WHY}``.
    coverage_skip: Mapped[str | None] = mapped_column(Text)

    bank: Mapped[Bank] = relationship(back_populates="sections")


class Question(Model):
    """A question of a bank; ``key`` is its id in the bank file, stable across imports.

    ``content`` holds the type-specific fields (prompt, answer, choices...) as written;
    ``card_ordinals`` lists the cards it makes. A question that disappears from its bank
    is ``retired``, never deleted, so its cards and their history stay.
    """

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("bank_id", "key"),
        Index("ix_questions_bank_active_position", "bank_id", "retired", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    section_key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    explanation: Mapped[str | None] = mapped_column(Text)
    card_ordinals: Mapped[list[int]] = mapped_column(JSON)
    card_count: Mapped[int] = mapped_column(default=1)  # len(card_ordinals), for SQL
    source: Mapped[str] = mapped_column(String(255), default="")
    line: Mapped[int] = mapped_column(default=0)
    # The passage of the bank's notes it comes from, its ``source:`` as written (FILE#HEADING).
    passage: Mapped[str | None] = mapped_column(Text)
    retired: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    # Its Markdown rendered at import, by srs.faces.face_key (read only where shown), and
    # what that was made from (srs.faces.faces_of); NULL until made.
    faces: Mapped[dict[str, Any] | None] = mapped_column(JSON, deferred=True)
    faces_of: Mapped[str | None] = mapped_column(String(32))
    # The positions of its kin (srs.kin), whose new cards an answer to it buries for the
    # day; NULL until worked out (a database from before them, until the server starts).
    kin: Mapped[list[int] | None] = mapped_column(JSON(none_as_null=True))

    bank: Mapped[Bank] = relationship(back_populates="questions")


class Diagram(Model):
    """An image a bank's Markdown refers to; ``path`` is relative to the bank's folder."""

    __tablename__ = "diagrams"
    __table_args__ = (UniqueConstraint("bank_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)

    bank: Mapped[Bank] = relationship(back_populates="diagrams")


class BankFile(Model):
    """A YAML file of a bank that has no files on this server (an upload): its text as it
    now stands, edited in the browser and downloaded from there; ``path`` is its name in
    the bank's folder (``bank.yaml`` first)."""

    __tablename__ = "bank_files"
    __table_args__ = (UniqueConstraint("bank_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    bank: Mapped[Bank] = relationship(back_populates="files")


class NotesFile(Model):
    """A study notes file a bank keeps (its ``notes:``): ``file`` as the bank lists it,
    relative to its folder, and the Markdown text, as the bank was last imported."""

    __tablename__ = "bank_notes"
    __table_args__ = (UniqueConstraint("bank_id", "file"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    file: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)

    bank: Mapped[Bank] = relationship(back_populates="notes")


class RemovedBank(Model):
    """A bank an admin removed: a shipped bank with this id is not loaded again at start."""

    __tablename__ = "removed_banks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(1000), default="")
    removed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

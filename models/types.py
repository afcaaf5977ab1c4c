"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

__all__ = ["MAX_ID", "UTCDateTime", "now_utc"]

# The largest id an id column holds (SQLite's INTEGER, PostgreSQL's bigint): a larger
# number sent to the driver overflows instead of finding nothing.
MAX_ID = 2**63 - 1


def now_utc() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as UTC and always gives it back aware, in ``timezone.utc``.

    SQLite keeps no zone, and PostgreSQL's driver returns its own fixed-offset zone;
    ``fsrs`` accepts nothing but ``timezone.utc``. This is the one place that converts.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime in UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

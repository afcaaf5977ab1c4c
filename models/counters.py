"""The table of rate-limit counters that ``services.counters`` keeps without Redis."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model

__all__ = ["RateCount"]


class RateCount(Model):
    """One rate-limit counter: hits in the window that ends at ``expires_at`` (Unix time)."""

    __tablename__ = "rate_counts"

    counter: Mapped[str] = mapped_column(String(255), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[float] = mapped_column(Float, index=True)

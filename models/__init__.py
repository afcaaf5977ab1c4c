"""The database: typed SQLAlchemy models and the ``db`` object."""

from models.bank import Bank, Diagram, Question, Section
from models.base import db
from models.card import Card, Review
from models.user import ApiToken, LeftBank, User

__all__ = [
    "ApiToken",
    "Bank",
    "Card",
    "Diagram",
    "LeftBank",
    "Question",
    "Review",
    "Section",
    "User",
    "db",
]

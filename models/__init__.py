"""The database: typed SQLAlchemy models and the ``db`` object."""

from models.bank import Bank, Diagram, Question, Section
from models.base import db
from models.card import Card, Review
from models.user import User

__all__ = ["Bank", "Card", "Diagram", "Question", "Review", "Section", "User", "db"]

"""The database: typed SQLAlchemy models and the ``db`` object."""

from models.bank import Bank, BankFile, Diagram, NotesFile, Question, RemovedBank, Section
from models.base import db
from models.card import BankProgress, Card, KeptLoad, KeptQueue, Review
from models.counters import RateCount
from models.group import Group, GroupBank, Invite, Membership, Removal, SiteSetting
from models.quiz import Quiz, QuizAnswer
from models.reschedule import Reschedule, RescheduledCard
from models.stats import CardTotal, ReviewDay, ReviewDayMark
from models.user import ApiToken, LeftBank, SignIn, User

__all__ = [
    "ApiToken",
    "Bank",
    "BankFile",
    "BankProgress",
    "Card",
    "CardTotal",
    "Diagram",
    "Group",
    "GroupBank",
    "Invite",
    "KeptLoad",
    "KeptQueue",
    "LeftBank",
    "Membership",
    "NotesFile",
    "Question",
    "Quiz",
    "QuizAnswer",
    "RateCount",
    "Removal",
    "RemovedBank",
    "Reschedule",
    "RescheduledCard",
    "Review",
    "ReviewDay",
    "ReviewDayMark",
    "Section",
    "SignIn",
    "SiteSetting",
    "User",
    "db",
]

"""Anki packages (``.apkg``): a bank written as Anki notes, and Anki notes read as a bank.

:func:`write_apkg` (in :mod:`srs.anki.writer`) turns a :class:`~srs.bank.Bank` into a
package Anki imports, with a learner's schedule if given; :func:`read_apkg` (in
:mod:`srs.anki.reader`) reads a package of basic and cloze notes as a bank.
:mod:`srs.anki.fields` converts field HTML and Markdown each way, :mod:`srs.anki.notetypes`
holds Wengu's note types and their stylesheet, and :mod:`srs.anki.package` opens an
untrusted package safely.
"""

from __future__ import annotations

from srs.anki.notetypes import MODEL_IDS
from srs.anki.reader import read_apkg
from srs.anki.writer import CardSchedule, PastAnswer, write_apkg

__all__ = ["MODEL_IDS", "CardSchedule", "PastAnswer", "read_apkg", "write_apkg"]

"""Anki packages written by Anki's own backend (the ``anki`` package), for the import tests.

Without the ``anki`` package the tests that use these skip, or fail under
``WENGU_TESTS_REQUIRE_ALL=1``.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from tests.support import require

__all__ = ["PNG", "TITLE", "anki_package", "replaced"]

TITLE = "Geography"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def anki_package(target: Path, *, legacy: bool = False) -> Path:
    """A deck ``Geography::Europe`` of one basic note with an image and one cloze note.

    ``legacy=False`` is Anki's default since 2.1.50 (``collection.anki21b``, all
    compressed); ``legacy=True`` is "Support older Anki versions" (``collection.anki21``).
    """
    try:
        from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
    except ImportError:  # pragma: no cover - depends on the machine
        require(False, "the anki package (Anki's backend) is not installed")
        raise
    folder = target.parent / f"{target.stem}-collection"
    folder.mkdir(parents=True)
    col = Collection(str(folder / "collection.anki2"))
    try:
        deck = col.decks.id(f"{TITLE}::Europe")
        basic = col.new_note(col.models.by_name("Basic"))
        basic["Front"] = 'Which river is this? <img src="danube.png">'
        basic["Back"] = "The Danube"
        col.add_note(basic, deck)
        cloze = col.new_note(col.models.by_name("Cloze"))
        cloze["Text"] = "{{c1::Paris}} is the capital of {{c2::France}}."
        col.add_note(cloze, deck)
        col.media.write_data("danube.png", PNG)
        options = ExportAnkiPackageOptions(
            with_scheduling=False, with_deck_configs=False, with_media=True, legacy=legacy
        )
        col.export_anki_package(out_path=str(target), options=options, limit=DeckIdLimit(deck))
    finally:
        col.close()
    return target


def replaced(source: Path, target: Path, entries: dict[str, bytes]) -> Path:
    """A copy of the package ``source`` with some entries' bytes replaced."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, entries.get(name, old.read(name)))
    return target

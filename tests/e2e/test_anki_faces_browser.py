"""Each Wengu note type's faces as Anki renders them (its own backend: the card's question and
answer HTML and the note type's stylesheet), in Chromium on a phone and a desktop, light and
night mode: screenshots in test-artifacts/anki/, and what a phone must keep legible."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from config import PROJECT_ROOT
from srs.anki import write_apkg
from srs.sources import load_bank
from tests.e2e.conftest import ARTIFACTS
from tests.support import require

try:
    from anki.collection import (
        Collection,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
    )
except ImportError:  # pragma: no cover - depends on the machine
    Collection = None

SIZES = {"phone": (360, 740), "desktop": (1280, 900)}
KINDS = ("basic", "reverse", "cloze", "typing", "occlusion", "order", "choice", "truefalse")


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require(Collection is not None, "the anki package (Anki's backend) is not installed")
    folder = tmp_path_factory.mktemp("anki")
    bank = load_bank(PROJECT_ROOT / "quizzes/docker")
    write_apkg(bank, folder / "docker.apkg")
    col = Collection(str(folder / "collection.anki2"))
    col.import_anki_package(
        ImportAnkiPackageRequest(
            package_path=str(folder / "docker.apkg"),
            options=ImportAnkiPackageOptions(with_scheduling=True),
        )
    )
    yield col
    col.close()


def picked_cards(col: Any) -> dict[str, Any]:
    """A card of each note type: the first with a diagram, else the first; for order and
    choice, the one with most items."""
    bank = load_bank(PROJECT_ROOT / "quizzes/docker")
    cards = {}
    for kind in KINDS:
        questions = [q for q in bank.questions if q.type == kind]
        drawn = [q for q in questions if "![" in f"{q.prompt}{q.answer}{q.text}"]
        if kind in {"order", "choice"}:
            question = max(questions, key=lambda q: len(q.items or q.choices))
        else:
            question = (drawn or questions)[0]
        (note_id,) = col.find_notes(f'"Wengu ID:docker/{question.id}"')
        cards[kind] = col.get_note(note_id).cards()[0]
    return cards


def typed(col: Any, card: Any, face: str) -> str:
    """The type-in box as Anki's reviewer fills it: an input on the front; on the back, what
    was typed (here: the answer in capitals) compared with the right answer."""
    if "[[type:" not in face:
        return face
    expected = card.note()["Answer"]
    start = face.index("[[type:")
    end = face.index("]]", start) + 2
    if card.question() == face:
        box = '<input type="text" id="typeans" placeholder="">'
    else:
        plain = html.unescape(expected.replace("<code>", "").replace("</code>", ""))
        box = col.compare_answer(plain, plain.upper())
    return face[:start] + box + face[end:]


def page_html(card: Any, face: str, night: bool) -> str:
    css = card.note_type()["css"]
    mode = " nightMode night_mode" if night else ""
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>body {{ margin: 0; padding: 12px; }}</style><style>{css}</style></head>"
        f'<body class="card card{card.ord + 1}{mode}"><div id="qa">{face}</div></body></html>'
    )


def test_every_note_types_faces_as_anki_shows_them(collection: Any, browser: Any) -> None:
    out = ARTIFACTS / "anki"
    out.mkdir(parents=True, exist_ok=True)
    media = Path(collection.media.dir())
    problems: list[str] = []
    for kind, card in picked_cards(collection).items():
        faces = {"front": card.question(), "back": card.answer()}
        for side, face in faces.items():
            for night in (False, True):
                page_file = media / f"wg-{kind}-{side}-{'night' if night else 'light'}.html"
                page_file.write_text(page_html(card, typed(collection, card, face), night))
                for size, (width, height) in SIZES.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = context.new_page()
                    page.goto(page_file.as_uri())
                    page.wait_for_load_state("load")
                    name = f"{kind}-{side}-{size}-{'night' if night else 'light'}"
                    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
                    problems += [f"{name}: {p}" for p in page.evaluate(LEGIBLE)]
                    context.close()
    assert problems == []


# What a phone must keep: the page never wider than the screen (only a diagram's own box
# scrolls), a diagram drawn at 300 px or more, short code on one line; and options without a
# letter (true, false) with no empty column before them.
LEGIBLE = """() => {
  const found = [];
  const root = document.scrollingElement;
  if (root.scrollWidth > window.innerWidth + 1) found.push(`page ${root.scrollWidth}px wide`);
  for (const img of document.querySelectorAll('.wg-diagram img')) {
    const width = img.getBoundingClientRect().width;
    if (img.complete && img.naturalWidth && width < 299) found.push(`diagram ${width}px`);
  }
  for (const code of document.querySelectorAll('code.nobr')) {
    const lines = code.getClientRects().length;
    if (lines > 1) found.push(`'${code.textContent}' on ${lines} lines`);
  }
  for (const label of document.querySelectorAll('.options .label')) {
    const width = label.getBoundingClientRect().width;
    if (!label.textContent.trim() && width > 0) found.push(`an empty label ${width}px wide`);
  }
  return found;
}"""

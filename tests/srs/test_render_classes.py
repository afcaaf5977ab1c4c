"""Bank content cannot take the app's own look: no class it styles, no style, no id.

Every class named in ``static/css`` is tried, in every tag that keeps a class and in a code
fence, through both ways a bank comes in (YAML, and an Anki package whose fields are HTML);
the rendered HTML must carry none of them. The classes highlighting needs survive, and the
rules that style them are checked to be harmless.
"""

from __future__ import annotations

import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import genanki
import pytest
import yaml

from config import PROJECT_ROOT
from srs import render
from srs.bank import Bank
from srs.cloze import render_cloze
from srs.render import render_markdown
from srs.sources import load_bank, read_bank

_CSS = sorted((PROJECT_ROOT / "static" / "css").glob("*.css"))
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS = re.compile(r"\.(-?[A-Za-z_][\w-]*)")
_HIGHLIGHT = set().union(*render._HIGHLIGHT_CLASSES.values())


def _rules() -> list[tuple[str, str]]:
    """Every (selector, declarations) of the app's style sheets, at-rules unwrapped."""
    found = []
    for path in _CSS:
        text = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)
        text = re.sub(r"@[^{;]+\{", "", text)  # an @media block: its rules stand alone
        found.extend((m.group(1).strip(), m.group(2)) for m in _RULE.finditer(text))
    return found


def _app_classes() -> set[str]:
    return {name for selector, _ in _rules() for name in _CLASS.findall(selector)}


HOSTILE = sorted(_app_classes() - _HIGHLIGHT)


def _snippets(name: str) -> list[str]:
    return [
        f'<div class="{name}">d</div>',
        f'<span class="{name}">s</span>',
        f'<code class="{name}">c</code>',
        f'<pre class="{name}">p</pre>',
        f'<p class="{name}">p</p>',
        f'<a class="{name}" href="https://example.org/">a</a>',
        f'<table class="{name}"><tr><td class="{name}">t</td></tr></table>',
        f'<div class="codehilite {name}">d</div>',
        f'<span class="k {name}">k</span>',
        f'<span class="wg0123456789abcdef-{name}">guessed</span>',
        f'<div style="position: fixed; inset: 0" id="{name}">styled</div>',
        f"```{{.python .{name}}}\nx = 1\n```",
    ]


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.extend((tag, name, value or "") for name, value in attrs)


def _styling(html: str) -> list[tuple[str, str, str]]:
    """The attributes of ``html`` that could take the app's look: app classes, style, id."""
    parser = _Attributes()
    parser.feed(html)
    bad = []
    for tag, name, value in parser.found:
        if name in {"style", "id"} or (name == "class" and set(value.split()) - _HIGHLIGHT):
            bad.append((tag, name, value))
    return bad


def test_the_style_sheets_name_classes_to_try() -> None:
    assert "overlay" in HOSTILE and "cloze-blank" in HOSTILE and "missing-diagram" in HOSTILE
    assert len(HOSTILE) > 100


def test_the_classes_highlighting_keeps_cannot_cover_the_page() -> None:
    """Token classes are styled only inside a code block, and nothing they set moves a box."""
    for selector, declarations in _rules():
        named = set(_CLASS.findall(selector)) & _HIGHLIGHT
        if not named:
            continue
        assert named == {"codehilite"} or ".codehilite" in selector, selector
        assert not re.search(
            r"\b(position|z-index|inset|top|left|transform|display|content)\s*:", declarations
        ), (selector, declarations)


@pytest.mark.parametrize("name", HOSTILE)
def test_no_app_class_survives_rendering(name: str) -> None:
    for snippet in _snippets(name):
        assert _styling(render_markdown(snippet)) == [], snippet
        assert _styling(render_markdown(f"![d](d.svg)\n\n{snippet}", lambda p: "/d.svg")) == []


def test_the_renderer_keeps_its_own_classes() -> None:
    """The app's own marks (a cloze blank, a missing diagram) and highlighting survive."""
    blank = render_markdown(render_cloze("a {{c1::b}}", 1, reveal=False))
    assert '<span class="cloze cloze-blank">[...]</span>' in blank
    assert '<span class="missing-diagram">d</span>' in render_markdown("![d](gone.svg)")
    code = render_markdown("```python\nx = 1\n```")
    assert '<div class="codehilite">' in code and '<span class="n">x</span>' in code


def _yaml_bank(folder: Path) -> Bank:
    questions = [
        {"id": f"q{index}", "type": "basic", "prompt": snippet, "answer": snippet}
        for index, snippet in enumerate(
            # The fence is left out: a bank is refused for one (tests/reliability/hostile.py).
            snippet
            for name in ("overlay", "cloze-blank", "dialog")
            for snippet in _snippets(name)[:-1]
        )
    ]
    path = folder / "bank.yaml"
    path.write_text(yaml.safe_dump({"id": "hostile", "title": "H", "questions": questions}))
    return load_bank(path)


def _apkg_bank(folder: Path) -> Bank:
    model = genanki.Model(1, "Basic", fields=[{"name": "Front"}, {"name": "Back"}],
                          templates=[{"name": "C", "qfmt": "{{Front}}", "afmt": "{{Back}}"}])  # fmt: skip
    deck = genanki.Deck(2, "Hostile")
    for name in ("overlay", "cloze-blank", "dialog"):
        for snippet in _snippets(name)[:-1]:  # a fence is Markdown, not Anki's HTML
            deck.add_note(genanki.Note(model=model, fields=[snippet, snippet]))
    path = folder / "hostile.apkg"
    genanki.Package(deck).write_to_file(path)
    return read_bank(path, max_bytes=5 * 1024 * 1024)


@pytest.mark.parametrize("read", [_yaml_bank, _apkg_bank])
def test_no_app_class_survives_from_either_way_in(read: object) -> None:
    with tempfile.TemporaryDirectory() as folder:
        bank = read(Path(folder))  # type: ignore[operator]
    assert len(bank.questions) >= 30
    for question in bank.questions:
        for text in (question.prompt, question.answer):
            html = render_markdown(text or "")
            assert html and _styling(html) == [], (text, html)

"""Anki fields and Wengu Markdown, each way.

:class:`FieldRenderer` writes a question's Markdown as the HTML of a note's field, its
diagrams as media file names and its cloze markers as Anki's; :func:`field_markdown` reads
a note's field HTML back as Markdown, its images as diagram references.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
from collections.abc import Callable
from html.parser import HTMLParser

from srs.bank import Bank, diagram_path
from srs.cloze import parse_cloze
from srs.faces import face_key, serve
from srs.occlusion import MaskQueryError, occlude, parse_mask_query
from srs.render import image_sources, render_markdown

__all__ = [
    "FieldRenderer",
    "cloze_stand_ins",
    "code_span",
    "field_markdown",
    "for_anki",
    "from_anki",
]

_IMAGE = re.compile(r"<img\b[^>]*>")
_SHORT_CODE = re.compile(r"(?<!<pre>)<code>([^<]{1,24})</code>")
_DIAGRAM_OPEN = '<span class="wg-diagram">'
_NOBR_CODE = '<code class="nobr">'


_CODE_BLOCK = '<div class="codehilite">'
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+.#-]*)")


def _fence_languages(text: str) -> list[str]:
    """The language of each fenced code block in Markdown, in order (``""`` for none)."""
    languages: list[str] = []
    closing: str | None = None
    for line in text.splitlines():
        found = _FENCE.match(line)
        if found is None:
            continue
        if closing is None:
            closing = found.group(1)
            languages.append(found.group(2))
        elif found.group(1).startswith(closing) and not found.group(2):
            closing = None
    return languages


def for_anki(rendered: str) -> str:
    """Rendered HTML made for a phone's narrow card: each image in a box that scrolls it
    sideways (the stylesheet keeps it at a legible width), and short inline code kept on one
    line (a command such as ``docker-compose`` must not break at its hyphen)."""
    rendered = _IMAGE.sub(lambda m: f"{_DIAGRAM_OPEN}{m.group()}</span>", rendered)
    return _SHORT_CODE.sub(lambda m: f"{_NOBR_CODE}{m.group(1)}</code>", rendered)


def from_anki(field: str) -> str:
    """A field Wengu wrote, without what :func:`for_anki` added."""
    field = re.sub(r'<span class="wg-diagram">(<img\b[^>]*>)</span>', r"\1", field)
    return field.replace(_NOBR_CODE, "<code>")


def _media_names(bank: Bank) -> dict[str, str]:
    """The media file name of each diagram path: bare, unique, prefixed with the bank id."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for diagram in sorted(bank.diagrams, key=lambda d: d.path):
        name = f"{bank.id}-{diagram.path.replace('/', '-')}"
        if name in taken:
            stem, suffix = posixpath.splitext(name)
            name = f"{stem}-{hashlib.sha256(diagram.path.encode()).hexdigest()[:8]}{suffix}"
        taken.add(name)
        names[diagram.path] = name
    return names


_OPEN, _HINT, _CLOSE = "WgClzO", "WgClzHq", "WgClzEq"


def cloze_stand_ins(text: str) -> str:
    """A cloze text with Anki's markers as plain-letter stand-ins, for rendering."""
    parts: list[str] = []
    position = 0
    for deletion in parse_cloze(text):
        parts.append(text[position : deletion.start])
        parts.append(f"{_OPEN}{deletion.number}q{deletion.answer}")
        if deletion.hint is not None:
            parts.append(f"{_HINT}{deletion.hint}")
        parts.append(_CLOSE)
        position = deletion.end
    parts.append(text[position:])
    return "".join(parts)


class FieldRenderer:
    """Renders a bank's Markdown for Anki, remembering which diagrams the notes use."""

    def __init__(self, bank: Bank) -> None:
        self.media = _media_names(bank)
        self.language = bank.language
        self.used: set[str] = set()
        self.language = bank.language
        self.diagrams = {diagram.path: diagram.data for diagram in bank.diagrams}
        self.masked: dict[str, bytes] = {}
        """Media files made here: occlusion cards' diagrams with their masks, by name."""
        self.kept = bank.rendered

    def resolve(self, reference: str) -> str | None:
        base, _, query = reference.partition("?")
        try:
            mask = parse_mask_query(query) if query else None
        except MaskQueryError:
            return None
        path = diagram_path(base if mask else reference)
        name = self.media.get(path)
        if name is None or mask is None:
            if name is not None:
                self.used.add(path)
            return name
        stem, suffix = posixpath.splitext(name)
        digest = hashlib.sha256(query.encode()).hexdigest()[:12]
        masked = f"{stem}-{digest}{suffix}"
        if masked not in self.masked:
            self.masked[masked] = occlude(self.diagrams[path], mask)
        return masked

    def html(self, text: str | None) -> str:
        if not text:
            return ""
        key = face_key(text) if self.kept else ""
        if key in self.kept:
            rendered = for_anki(serve(self.kept[key], text, self.resolve))
        else:
            rendered = for_anki(render_markdown(text, self.resolve))
        # Each code block keeps its fence's language, so that reading it back can write
        # the fence again (the highlighted HTML no longer says it).
        languages = _fence_languages(text)
        blocks = rendered.count(_CODE_BLOCK)
        if languages and blocks == len(languages):
            parts = rendered.split(_CODE_BLOCK)
            rendered = parts[0] + "".join(
                f'<div class="codehilite" data-lang="{html.escape(language)}">{part}'
                for language, part in zip(languages, parts[1:], strict=True)
            )
        return rendered

    def inline(self, text: str) -> str:
        """Rendered Markdown without the paragraph around a single line."""
        rendered = self.html(text).strip()
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            return rendered[3:-4]
        return rendered

    def cloze(self, text: str) -> str:
        """The cloze text rendered, with Anki's ``{{cN::answer::hint}}`` markers kept.

        The markers are swapped for plain-letter stand-ins while Markdown and the code
        highlighter run (either could otherwise split or escape them), then put back.
        """
        rendered = self.html(cloze_stand_ins(text))
        rendered = re.sub(rf"{_OPEN}(\d+)q", r"{{c\1::", rendered)
        rendered = rendered.replace(_HINT, "::").replace(_CLOSE, "}}")
        if "WgClz" in rendered:
            # A highlighter split a stand-in: show the text plainly rather than lose a card.
            return "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        return rendered


_SOUND = re.compile(r"\[sound:[^\]]*\]")
_LIST_MARK = re.compile(r"^(\s*)([-+*]|\d+\.)(?=\s)")
_BREAKS = {"div", "p"}
_EMPHASIS = {"strong": "**", "em": "*"}  # as Markdown writes them; Anki's <b> and <i> stay
_DROPPED = {"script", "style"}
_VOID = {"br", "img", "hr", "wbr", "col", "source", "input", "area", "base", "meta", "link"}


def _escape_list_mark(match: re.Match[str]) -> str:
    indent, mark = match.groups()
    escaped = f"{mark[:-1]}\\." if mark.endswith(".") else f"\\{mark}"
    return indent + escaped


class _FieldConverter(HTMLParser):
    """One Anki field (HTML) as Wengu Markdown: the HTML kept, its images as diagrams.

    Anki's editor writes lines as ``<div>``; those become paragraphs, and lists become
    Markdown lists, so that images inside them are Markdown images too. What Markdown
    writes comes back as its Markdown: inline code between backticks, ``<strong>`` and
    ``<em>`` as ``**`` and ``*``, line breaks kept. Text is escaped
    where Markdown would read it as markup. Script and style are dropped; everything else
    stays HTML, which Wengu sanitises when it shows it.
    """

    def __init__(self, image: Callable[[str], str | None]) -> None:
        super().__init__(convert_charrefs=True)
        self.image = image
        self.out: list[str] = []
        self.pre = 0
        self.dropped = 0
        self.lists: list[str] = []
        self.images: list[tuple[str, str, str]] = []  # (marked, markdown, alt)
        self.code: list[str] | None = None  # the text of an inline <code> being read
        self.raw = 0  # inside a table, which Markdown leaves as HTML: code stays <code>

    def at_line_start(self) -> bool:
        text = "".join(self.out[-3:])
        return not text or text.endswith("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.code is not None:
            # Markup inside inline code: the code stays HTML, as it came.
            self.out.append("<code>" + html.escape("".join(self.code), quote=False))
            self.code = None
        if tag in _DROPPED:
            self.dropped += 1
        elif self.dropped:
            return
        elif tag == "img":
            values = dict(attrs)
            reference = self.image(values.get("src") or "")
            if reference is not None:
                alt = re.sub(r"[\[\]\\\n]", "", values.get("alt") or "")
                # Marked apart until markdown() has seen which of them Markdown reads.
                marked = f"![{alt}]({reference}#wg-image-{len(self.images)})"
                self.images.append((marked, f"![{alt}]({reference})", alt))
                self.out.append(marked)
        elif tag in _BREAKS and not self.pre:
            self.out.append("\n\n")
        elif tag in {"ul", "ol"} and not self.pre:
            self.lists.append(tag)
            self.out.append("\n\n")
        elif tag == "li" and self.lists and not self.pre:
            indent = "    " * (len(self.lists) - 1)
            self.out.append(f"\n{indent}{'1.' if self.lists[-1] == 'ol' else '-'} ")
        elif tag == "code" and not self.pre and not self.raw:
            self.code = []
        elif tag in _EMPHASIS and not self.pre and not self.raw:
            self.out.append(_EMPHASIS[tag])
        else:
            if tag == "pre":
                self.pre += 1
            elif tag == "table":
                self.raw += 1
            self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.code is not None:
            code, self.code = "".join(self.code), None
            if tag == "code":
                self.out.append(code_span(code))
                return
            self.out.append("<code>" + html.escape(code, quote=False))
        if tag in _DROPPED:
            self.dropped = max(0, self.dropped - 1)
        elif tag in _VOID or self.dropped:
            return
        elif tag in _BREAKS and not self.pre:
            self.out.append("\n\n")
        elif tag in {"ul", "ol"} and not self.pre:
            if self.lists:
                self.lists.pop()
            self.out.append("\n\n")
        elif tag == "li" and self.lists and not self.pre:
            return
        elif tag in _EMPHASIS and not self.pre and not self.raw:
            self.out.append(_EMPHASIS[tag])
        else:
            if tag == "pre" and self.pre:
                self.pre -= 1
            elif tag == "table" and self.raw:
                self.raw -= 1
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.dropped:
            return
        if self.pre:
            self.out.append(html.escape(data, quote=False))
            return
        if self.code is not None:
            self.code.append(data)
            return
        # A line break in the HTML is kept (Markdown shows it as HTML does, as a space),
        # so that a text with lines written in Wengu comes back with them.
        lines = re.sub(r"\s*\n\s*", "\n", _SOUND.sub("", data)).split("\n")
        for number, line in enumerate(lines):
            start = number > 0 or self.at_line_start()
            if start:
                line = line.lstrip()
                if not line:
                    continue
            if number > 0:
                self.out.append("\n")
            text = html.escape(line, quote=False)
            text = re.sub(r"([\\`*_\[\]#])", r"\\\1", text)
            if start:
                text = _LIST_MARK.sub(_escape_list_mark, text)
                # "---" or "===" under a line would make it a heading.
                text = re.sub(r"^([=-])(?=[=\s-]*$)", r"\\\1", text)
            self.out.append(text)

    def handle_comment(self, data: str) -> None:
        return

    def markdown(self) -> str:
        self.close()
        if self.code is not None:  # an inline <code> left open
            self.out.append(code_span("".join(self.code)))
            self.code = None
        text = "".join(self.out)
        text = re.sub(r"[^\S\n]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
        text = "".join(c for c in text if c in "\n\t" or ord(c) >= 32)
        # An image Markdown does not read (inside a raw HTML block such as a table) would
        # show as its source text: keep its alt text instead.
        seen = set(image_sources(text))
        for marked, markdown, alt in self.images:
            reference = marked[marked.index("](") + 2 : -1]
            text = text.replace(marked, markdown if reference in seen else alt)
        return text


def code_span(code: str) -> str:
    """Inline code as Markdown: between backticks, one more than the longest run inside it,
    with a space inside each where the code starts or ends with a backtick, or with a
    space at both ends (Markdown would take one off each)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", code)), default=0) + 1)
    padded = code.startswith("`") or code.endswith("`")
    padded |= len(code) > 1 and code.startswith(" ") and code.endswith(" ") and code.strip() != ""
    return f"{fence} {code} {fence}" if padded else f"{fence}{code}{fence}"


def field_markdown(field: str, image: Callable[[str], str | None]) -> str:
    """One Anki field (HTML) as Wengu Markdown.

    Args:
        field: the field's HTML.
        image: the diagram reference for an ``<img src>``, or ``None`` to drop the image.
    """
    converter = _FieldConverter(image)
    converter.feed(field)
    return converter.markdown()

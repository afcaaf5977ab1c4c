"""Markdown to safe HTML for prompts, answers and explanations.

Rendering is Python-Markdown (fenced code, tables, Pygments highlighting through
``codehilite``; texts of the common shapes by :mod:`srs.quickmark`, which writes the same
HTML faster) followed by ``nh3``, a binding of the Rust ``ammonia`` sanitiser: what a bank
author writes is trusted as Markdown but never as HTML, so script, event handlers and
``javascript:`` URLs cannot survive whatever the Markdown contains. Image paths are the
bank's diagram references; a caller-supplied function maps each to the URL that serves it,
and an image whose path it does not know is shown as its alt text instead.
"""

from __future__ import annotations

import html
import re
import secrets
import threading
import xml.etree.ElementTree as etree  # noqa: N813 (the name Markdown uses)
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import markdown
import nh3
from cachetools import LRUCache, cached
from markdown.extensions import Extension
from markdown.extensions.codehilite import parse_hl_lines
from markdown.extensions.fenced_code import FencedBlockPreprocessor
from markdown.treeprocessors import Treeprocessor
from pygments.formatters import HtmlFormatter
from pygments.token import STANDARD_TYPES

from srs.cjk import SoftBreaks
from srs.quickmark import quick_html
from srs.tangle import MOST_CHARACTERS, tangle, unrenderable

__all__ = [
    "CODE_SPAN",
    "DiagramResolver",
    "Prepared",
    "highlight_css",
    "image_sources",
    "own_class",
    "portable_text",
    "prepare",
    "render_markdown",
    "render_problems",
]

DiagramResolver = Callable[[str], "str | None"]
"""Maps a diagram path written in a bank to the URL serving it, or ``None`` if unknown."""

CODE_SPAN = re.compile(r"(?<!`)(`++)(.+?)(?<!`)\1(?!`)", re.DOTALL)
"""A code span: a whole run of backticks, its text, a run of as many. Read in time in step
with the text: an opening run is taken whole (possessive) and only where a run starts, so
that a run of thousands of backticks is not tried at every length from every place in it."""

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p",
    "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "loading", "decoding"},
    "th": {"align"},
    "td": {"align"},
    "div": {"class"},
    "span": {"class"},
    "ol": {"start"},
}

# A bank may not set a class the app styles (a fixed, full-screen ``.overlay`` would cover
# the page with the author's content): the only classes that survive are those the code
# highlighter writes, and the renderer's own, which carry a secret of this process that no
# bank can know and lose it on the way out.
_HIGHLIGHT_CLASSES = {
    "div": frozenset({"codehilite"}),
    # Token classes, and "hll" for the lines ``hl_lines`` marks.
    "span": frozenset({*STANDARD_TYPES.values(), "hll"} - {""}),
}
_OWN = f"wg{secrets.token_hex(8)}-"


def own_class(name: str) -> str:
    """The class ``name`` written so that it survives sanitising, for HTML this app makes.

    Markdown given to :func:`render_markdown` may contain HTML made by the app itself (the
    blanks of a cloze card); its classes are written with this, so that raw HTML in a bank,
    which cannot know the process's secret prefix, never sets one.
    """
    return _OWN + name


def portable_text(text: str) -> str:
    """``text`` with this process's secret class prefix written the same in every process,
    so that it names the same rendering everywhere (a ``%`` of the text's own is written
    ``%25``: no bank text reads as one the app made)."""
    return text.replace("%", "%25").replace(_OWN, "%O")


def _allowed_class(tag: str, value: str) -> str | None:
    kept = [
        name.removeprefix(_OWN) if name.startswith(_OWN) else name
        for name in value.split()
        if name.startswith(_OWN) or name in _HIGHLIGHT_CLASSES.get(tag, ())
    ]
    return " ".join(kept) or None


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        return _allowed_class(tag, value)
    return value


class _Images(Treeprocessor):
    """Points every image at the URL its resolver gives, or turns it into its alt text."""

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self.resolve: DiagramResolver = lambda path: None

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            for index, child in enumerate(parent):
                if child.tag != "img":
                    continue
                url = self.resolve(child.get("src", ""))
                if url is None:
                    missing = etree.Element("span", {"class": own_class("missing-diagram")})
                    missing.text = child.get("alt") or child.get("src", "")
                    missing.tail = child.tail
                    parent[index] = missing
                else:
                    child.set("src", url)
                    child.set("loading", "lazy")
                    child.set("decoding", "async")


class _ImageExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API)
        self.images = _Images(md)
        md.treeprocessors.register(self.images, "wengu-images", 0)
        # After the inline patterns (20), which make the emphasis and code elements.
        md.treeprocessors.register(SoftBreaks(md), "wengu-soft-breaks", 15)
        md.preprocessors.register(_Fences(md, {}), "fenced_code_block", 25)


_LANGUAGE = re.compile(r"[A-Za-z0-9][\w#.+-]{0,39}\Z")
_HL_LINES = re.compile(r"\s*[1-9]\d{0,5}(?:\s+[1-9]\d{0,5})*\s*\Z")


class _Fences(FencedBlockPreprocessor):
    """Fenced code whose attributes are only a language and the lines to mark.

    Python-Markdown hands every other ``key=value`` of a fence to Pygments as an option,
    and many of those fail when the card is shown (``linenostep=0``, ``filters=…``) or
    change what is written (``pygments_formatter``, ``full``, ``cssfile``). They are
    dropped here, and noted in ``_local.refused`` for :func:`render_problems`.
    """

    def handle_attrs(self, attrs: Any) -> tuple[str, list[str], dict[str, Any]]:
        classes: list[str] = []
        config: dict[str, Any] = {}
        for key, value in attrs:
            if key == "." and not classes and _LANGUAGE.match(value or ""):
                classes.append(value)
            elif key == "hl_lines" and _HL_LINES.match(value or ""):
                config[key] = parse_hl_lines(value)
            else:
                shown = f".{value}" if key == "." else key
                _refused().append(
                    f"code block option '{shown}' is not allowed: a fence takes a language "
                    'and hl_lines="1 3" (line numbers), nothing else'
                )
        return "", classes, config


def _refused() -> list[str]:
    return _local.__dict__.setdefault("refused", [])


_local = threading.local()

_FORMATTERS_KEPT = 32


def _formatter(lang_str: str = "", **options: Any) -> HtmlFormatter:
    """The Pygments formatter for these options, built once per thread and reused.

    Building one computes its whole style sheet, which costs more than highlighting a block;
    ``codehilite`` would build one per code block. A formatter keeps no state between blocks
    but a cache of span openers, so reusing it renders the same bytes. ``lang_str`` is what
    ``codehilite`` passes a formatter given as a callable; Pygments' own HTML formatter, which
    ``codehilite`` otherwise builds by name, does not take it.
    """
    formatters: dict[str, HtmlFormatter] = _local.__dict__.setdefault("formatters", {})
    # Options come from the author's fence attributes too, so the values may be lists.
    key = repr(sorted(options.items()))
    formatter = formatters.get(key)
    if formatter is None:
        if len(formatters) >= _FORMATTERS_KEPT:
            formatters.clear()
        formatter = formatters[key] = HtmlFormatter(**options)
    return formatter


def _markdown() -> tuple[markdown.Markdown, _Images]:
    # Building a Markdown instance costs more than rendering a card; instances are not
    # thread-safe, so each thread keeps one and resets it between uses.
    if not hasattr(_local, "md"):
        images = _ImageExtension()
        _local.md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "codehilite", images],
            extension_configs={
                "codehilite": {
                    "guess_lang": False,
                    "css_class": "codehilite",
                    "pygments_formatter": _formatter,
                },
                "tables": {"use_align_attribute": True},
            },
            output_format="html",
        )
        _local.images = images.images
    return _local.md, _local.images


def _convert(text: str, resolve: DiagramResolver) -> str:
    _refused().clear()
    if tangle(text, scale=4):  # a bank's check refuses a quarter of it: a face joins a few
        return f"<p>{html.escape(text, quote=False)}</p>"
    # Most texts take a small part of Python-Markdown's time this way (see srs.quickmark).
    return quick_html(text, _markdown()[0]) or _markdown_convert(text, resolve)


def _markdown_convert(text: str, resolve: DiagramResolver = lambda path: None) -> str:
    md, images = _markdown()
    images.resolve = resolve
    try:
        return md.reset().convert(text)
    except BaseException:
        del _local.md  # a failure part-way leaves its parser's state behind: build another
        raise
    finally:
        images.resolve = lambda path: None


def render_markdown(text: str, resolve: DiagramResolver | None = None) -> str:
    """Render Markdown to sanitised HTML.

    Args:
        text: Markdown, possibly with raw HTML (which is sanitised, not trusted).
        resolve: maps a diagram path to the URL that serves it; without one, images are
            shown as their alt text.

    Returns:
        HTML safe to insert into a page: only the tags and attributes listed in this
        module, links limited to http, https and mailto, images only from URLs the
        resolver gave.
    """
    if "![" not in text:
        # No Markdown image, so the resolver is never asked: the HTML depends on the text
        # alone and is the same for every bank and caller.
        return _render_without_images(text)
    served: set[str] = set()

    def resolve_and_remember(path: str) -> str | None:
        url = resolve(path) if resolve else None
        if url is not None:
            served.add(url)
        return url

    return _clean(_convert(text, resolve_and_remember), served)


def _clean(html: str, served: set[str]) -> str:
    """Sanitised ``html``, whose images keep a source only if it is one of ``served``."""
    if not served:
        return _sanitise(html)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and value not in served:
            return None
        return _filter(tag, attribute, value)

    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel=_LINK_REL,
        attribute_filter=keep,
        set_tag_attribute_values=_SET_ATTRIBUTES,
    )


def render_problems(text: str) -> list[str]:
    """Why ``text`` cannot be shown as written, rendering it exactly as a card would be.

    Every image is taken as known, so that a diagram's own checks stay the bank's. A
    fence option that rendering drops is a problem, as is any failure to render at all:
    a text without problems renders for every learner.
    """
    if _is_plain(text):
        return []
    return list(prepare(text).problems)


@dataclass(frozen=True, slots=True)
class Prepared:
    """A text rendered for no target in particular (see :mod:`srs.faces`).

    ``html`` is what :func:`render_markdown` gives, but for each image's source, written
    as ``stand_in`` followed by the image's number and ``x``; ``images`` holds the
    references rendering asked about, in order. ``html`` is ``None`` where a resolver
    changes more than the sources (raw HTML images, kept only if their source is one it
    gave) or the text cannot be rendered, as ``problems`` then say.
    """

    html: str | None
    images: tuple[str, ...] = ()
    stand_in: str = ""
    problems: tuple[str, ...] = ()


_RAW_IMAGE = re.compile(r"<im", re.IGNORECASE)


# Checking a bank and keeping its renderings at import (a restart loads the shipped banks
# again) render each text once: room for a large bank's texts. Keyed by the text itself, so
# that srs.ahead can ask what is kept and keep what its workers rendered.
@cached(LRUCache(maxsize=65536), key=lambda text: text, lock=threading.Lock())
def prepare(text: str) -> Prepared:
    """``text`` rendered once for every target, and the problems rendering found."""
    if _is_plain(text):
        return Prepared(f"<p>{text}</p>")
    if why := tangle(text):
        return Prepared(None, problems=(why,))
    images: list[str] = []
    stand_in = ""

    def resolve(path: str) -> str:
        nonlocal stand_in
        # No bank can know it, so no text writes it where an image's source is not. Made
        # for texts with images alone: most have none.
        stand_in = stand_in or f"wgimg{secrets.token_hex(8)}n"
        images.append(path)
        return f"{stand_in}{len(images) - 1}x"

    try:
        html = _convert(text, resolve)
        served = {f"{stand_in}{i}x" for i in range(len(images))}
        html = _clean(html, served)
    # Whatever fails here would fail every review of the card: Pygments and Markdown raise
    # many kinds of error.
    except Exception as error:
        return Prepared(None, problems=(unrenderable(error),))
    finally:
        refused = tuple(dict.fromkeys(_refused()))
        _refused().clear()
    if refused or (images and _RAW_IMAGE.search(text)):
        return Prepared(None, problems=refused)
    return Prepared(html, tuple(images), stand_in if images else "")


_URL_SCHEMES = {"http", "https", "mailto"}
_LINK_REL = "noopener noreferrer nofollow"
# Without a diagram served, no image may keep a source: raw HTML's ``<img src>`` included.
_ATTRIBUTES_NO_SOURCES = _ATTRIBUTES | {"img": _ATTRIBUTES["img"] - {"src"}}

# One line of letters, digits, spaces and punctuation that no Markdown rule reads and neither
# Markdown nor the sanitiser escapes renders as itself in a paragraph, unsanitised. It starts
# with a letter (no list, heading or code); no "_", two spaces in a row or a space at the end.
_PLAIN = re.compile(r"[^\W\d_][\w ,.;:?'\"()%/@$^+=\u3001-\u303f\uff01-\uff5e]*")


@lru_cache(maxsize=8192)
def _render_without_images(text: str) -> str:
    """The sanitised HTML of an image-free text, rendered once per process."""
    if _is_plain(text):
        return f"<p>{text}</p>"
    return _sanitise(_convert(text, lambda path: None))


def _is_plain(text: str) -> bool:
    """Whether ``text`` is words and punctuation only, its HTML the text itself; not a text
    over the length limit, which :func:`prepare` refuses like any other."""
    return (
        len(text) <= MOST_CHARACTERS
        and _PLAIN.fullmatch(text) is not None
        and "_" not in text
        and "  " not in text
        and not text.endswith(" ")
    )


# A code block scrolls sideways when its lines are long: a keyboard must reach it to scroll it.
_SET_ATTRIBUTES = {"pre": {"tabindex": "0"}}

# Built once: nh3.clean would turn the allowed tags and attributes into the sanitiser's own
# sets on every call, which costs more than cleaning a card's HTML.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES_NO_SOURCES,
    url_schemes=_URL_SCHEMES,
    link_rel=_LINK_REL,
    attribute_filter=_filter,
    set_tag_attribute_values=_SET_ATTRIBUTES,
)


def _sanitise(html: str) -> str:
    return _CLEANER.clean(html)


def image_sources(text: str) -> list[str]:
    """The paths of every Markdown image in ``text``, in order (raw HTML is not searched).

    Read from the text's rendering (:func:`prepare`, kept once made: a bank's check, its
    import and its kin all ask), or rendered for this alone where that has none.
    """
    if "![" not in text:
        return []
    prepared = prepare(text)
    if prepared.html is not None:
        return list(prepared.images)
    found: list[str] = []

    def collect(path: str) -> None:
        found.append(path)

    _convert(text, collect)
    return found


def highlight_css() -> str:
    """The stylesheet for highlighted code: a light style, and a dark one for dark mode.

    The dark style applies where the page chose the dark theme (``data-theme="dark"`` on the
    root element) and, under the system's dark setting, where it follows the system
    (``data-theme="auto"``).
    """
    light = HtmlFormatter(style="friendly").get_style_defs(".codehilite")
    dark = HtmlFormatter(style="github-dark")

    def dark_defs(theme: str) -> list[str]:
        prefix = f':root[data-theme="{theme}"] .codehilite'
        return [*dark.get_background_style_defs(prefix), *dark.get_token_style_defs(prefix)]

    chosen = "\n".join(dark_defs("dark"))
    system = "\n".join(f"  {line}" for line in dark_defs("auto"))
    return (
        "/* Code highlighting, made by srs.render.highlight_css(). */\n"
        f"{light}\n{chosen}\n@media (prefers-color-scheme: dark) {{\n{system}\n}}\n"
    )

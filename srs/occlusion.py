"""Diagram cards: an SVG with some of its ``<text>`` labels masked, for ``occlusion`` questions.

A label is one ``<text>`` element of the diagram, named by its text content (white space
collapsed) or by its ``id``. The front of a card has the asked label's element removed and
a box with "?" drawn where it stood (and, with ``mode: all``, plain boxes over the question's
other labels); the back has it shown again, outlined. What the front hides leaves the SVG
entirely: the text node, and any ``<title>``, ``<desc>`` or ``aria-*`` text that repeats it.

Which labels to mask travels in a diagram URL's query as digests (:func:`selector`), so that
the page source of a card's front never spells out its answer. Nothing here touches Flask.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import xml.etree.ElementTree as etree  # noqa: N813 (the usual name)
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from srs.svg import svg_problems

__all__ = [
    "MAX_MASK_VALUES",
    "LabelError",
    "Mask",
    "MaskQueryError",
    "asked_box_note",
    "default_prompt",
    "diagram_labels",
    "find_label",
    "label_problems",
    "label_texts",
    "mask_query",
    "occlude",
    "parse_mask_query",
    "selector",
]

_SVG = "http://www.w3.org/2000/svg"
_SPACE = re.compile(r"\s+")
# A style sheet's patterns start only where a run they take starts (after a brace, a
# semicolon, an @ or at the start) and take it whole: tried from every place in a long run,
# they read a sheet in time growing with the square of its length.
_RULE = re.compile(r"(?<![^{}@])([^{}@]++)\{([^{}]*+)\}")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")
_DEFAULT_FONT_SIZE = 16.0
_SELECTOR_LENGTH = 16
_SHAPED = re.compile(rf"[0-9a-f]{{{_SELECTOR_LENGTH}}}\Z")
_QUERY_KEYS = frozenset({"ask", "mask", "reveal"})
MAX_MASK_VALUES = 50
"""The most ``ask`` and ``mask`` values one diagram URL may carry (a question has at most 20
labels): each costs a lookup, and a URL is anyone's to write."""
# A hidden box is as wide as this many ems whatever it hides: a box as wide as its label
# would tell the answer's length.
_BOX_EMS = 4.0
# Attributes that draw (geometry, presentation, references): their values are numbers,
# colours and fonts, kept even when a short label happens to occur in them.
_DRAWING_NAMES = (
    "x y x1 y1 x2 y2 cx cy r rx ry dx dy d points width height transform viewbox rotate "
    "textlength lengthadjust style fill fill-opacity fill-rule stroke stroke-width stroke- "
    "opacity stroke-dasharray stroke-linecap stroke-linejoin opacity font-family font-size "
    "font-weight font-style text-anchor dominant-baseline alignment-baseline offset stop- "
    "color stop-opacity gradientunits gradienttransform markerwidth markerheight refx refy "
    "orient markerunits preserveaspectratio version clip-path mask marker-start marker-mid "
    "marker-end filter visibility display "
)
_DRAWING = frozenset(_DRAWING_NAMES.split())
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_PRELUDE = re.compile(r"(?<![^{};])([^{};]++)\{")
_LABEL_CONTENT = frozenset({"text", "tspan", "textpath"})
# Drawn into the masked SVG itself: it is shown by <img>, where the page's own style sheets
# do not reach, so it follows the system's colour scheme as the bank's diagrams do.
_STYLE = """
.wg-occ-box{fill:#d0d7de;stroke:#6e7781;stroke-width:1.5}
.wg-occ-ask{fill:#fff8c5;stroke:#9a6700;stroke-width:2}
.wg-occ-q{fill:#7d4e00;font-weight:700;text-anchor:middle;font-family:system-ui,sans-serif}
.wg-occ-reveal{fill:#dafbe1;stroke:#1a7f37;stroke-width:2}
@media (prefers-color-scheme:dark){
.wg-occ-box{fill:#30363d;stroke:#8b949e}
.wg-occ-ask{fill:#3b2e00;stroke:#d29922}
.wg-occ-q{fill:#e3b341}
.wg-occ-reveal{fill:#0f2d1a;stroke:#3fb950}
}
"""

# A card without a prompt of its own asks in its bank's language.
_PROMPTS = {
    "zh": "图中被遮住的标签是什么？",
    "ja": "図で隠されたラベルは何ですか？",
    "de": "Welche Beschriftung ist im Diagramm verdeckt?",
    "fr": "Quelle étiquette est masquée sur le schéma ?",
    "es": "¿Qué etiqueta está oculta en el diagrama?",
    "en": "Which label is hidden in the diagram?",
}

etree.register_namespace("", _SVG)
etree.register_namespace("xlink", "http://www.w3.org/1999/xlink")


class LabelError(ValueError):
    """A label names no ``<text>`` of the diagram, or more than one."""


class MaskQueryError(ValueError):
    """A diagram URL's query is not a mask :func:`mask_query` writes."""


@dataclass(frozen=True, slots=True)
class Mask:
    """What one side of a card does to its diagram: the ``ask``ed label (a :func:`selector`),
    the ``others`` masked with it, and whether the asked one is ``revealed`` (the back)."""

    ask: str
    others: tuple[str, ...] = ()
    revealed: bool = False


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


# Under a ``mode: all`` diagram, whose plain boxes hide the question's other labels.
_ASKED_BOX = {
    "zh": "只问标着“?”的那一处；其余方框遮住的是别的标签。",
    "ja": "問われているのは「?」の箇所だけです。ほかの枠は別のラベルを隠しています。",
    "de": "Gefragt ist nur das Feld mit „?“; die leeren Felder verdecken andere Beschriftungen.",
    "fr": "Seule la case marquée « ? » est demandée ; les cases vides cachent d'autres étiquettes.",
    "es": "Solo se pregunta la casilla marcada con «?»; las vacías ocultan otras etiquetas.",
    "en": "Only the box marked ? is asked; the plain boxes hide other labels.",
}


def asked_box_note(language: str | None) -> str:
    """What a card whose diagram masks all its question's labels says under it, in the
    bank's ``language``: which of the boxes is asked."""
    primary = (language or "en").split("-")[0].split("_")[0].lower()
    return _ASKED_BOX.get(primary, _ASKED_BOX["en"])


def default_prompt(language: str | None) -> str:
    """The question a card without a ``prompt`` asks, in the bank's ``language`` (a BCP 47
    tag such as ``zh-CN``); English for a language without one."""
    primary = (language or "en").split("-")[0].split("_")[0].lower()
    return _PROMPTS.get(primary, _PROMPTS["en"])


def label_text(element: etree.Element) -> str:
    """A ``<text>`` element's content as a label names it: every text inside, white space
    collapsed, Unicode NFC."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", "".join(element.itertext()))).strip()


def label_texts(data: bytes) -> list[str]:
    """The text of every ``<text>`` element of the SVG ``data`` that has any, in document
    order: the words a learner reads in the diagram.

    Raises:
        ValueError: ``data`` is not XML.
    """
    found = (label_text(e) for e in _parse(data).iter() if _local(e.tag) == "text")
    return [text for text in found if text]


def selector(label: str, *, by_id: bool = False) -> str:
    """The digest naming a label in a mask URL: not the label itself, which would give the
    answer away in the page's source."""
    key = (
        f"id:{label}"
        if by_id
        else f"text:{_SPACE.sub(' ', unicodedata.normalize('NFC', label)).strip()}"
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:_SELECTOR_LENGTH]


def _index(root: etree.Element) -> dict[str, list[etree.Element]]:
    """Every ``<text>`` element by the selectors that name it (its text, its id), made once
    per diagram so that each label looked up costs no more walks of the tree."""
    found: dict[str, list[etree.Element]] = {}
    for element in root.iter():
        if _local(element.tag) != "text":
            continue
        text, identifier = label_text(element), element.get("id")
        keys = {selector(text)} if text else set()
        if identifier:
            keys.add(selector(identifier, by_id=True))
        for key in keys:
            found.setdefault(key, []).append(element)
    return found


def find_label(data: bytes, label: str, *, by_id: bool = False) -> etree.Element:
    """The one ``<text>`` element of the SVG ``data`` that ``label`` names.

    Raises:
        LabelError: none or several do; ``ValueError`` too if ``data`` is not XML.
    """
    found = _index(_parse(data)).get(selector(label, by_id=by_id), [])
    if len(found) != 1:
        what = f"id '{label}'" if by_id else f"label '{label}'"
        if not found:
            raise LabelError(f"{what} matches no <text> element")
        raise LabelError(f"{what} matches {len(found)} <text> elements")
    return found[0]


def label_problems(
    data: bytes, labels: Sequence[str], *, by_id: bool
) -> tuple[list[str], list[tuple[int, str]]]:
    """The text of the element each of ``labels`` names, and why each that names none or
    several cannot be masked, as ``(index, message)``."""
    try:
        root = _parse(data)
    except ValueError as error:
        return [], [(0, str(error))]
    texts: list[str] = []
    problems = []
    named = _index(root)
    for index, label in enumerate(labels):
        found = named.get(selector(label, by_id=by_id), [])
        what = f"id '{label}'" if by_id else f"label '{label}'"
        if not found:
            problems.append((index, f"{what} matches no <text> element"))
        elif len(found) > 1:
            problems.append((index, f"{what} matches {len(found)} <text> elements"))
        else:
            texts.append(label_text(found[0]))
    return texts, problems


def diagram_labels(
    file: Path, max_bytes: int, labels: Sequence[str], *, by_id: bool
) -> tuple[list[str], list[tuple[int, str]]]:
    """:func:`label_problems` of the diagram in ``file``; none for a diagram refused on its
    own (over ``max_bytes``, or failing :func:`srs.svg.svg_problems`), said where it is read."""
    if file.stat().st_size > max_bytes:
        return [], []
    data = file.read_bytes()
    if svg_problems(data):
        return [], []
    return label_problems(data, labels, by_id=by_id)


def _parse(data: bytes) -> etree.Element:
    try:
        return etree.fromstring(data)  # noqa: S314 (checked by srs.svg at import: no entities)
    except etree.ParseError as error:
        raise ValueError(f"not a well-formed SVG: {error}") from None


def mask_query(mask: Mask) -> str:
    """The query string that asks the diagram route for ``mask``."""
    pairs = [("ask", mask.ask), *(("mask", other) for other in mask.others)]
    if mask.revealed:
        pairs.append(("reveal", "1"))
    return urlencode(pairs)


def parse_mask_query(args: Mapping[str, Sequence[str]] | str) -> Mask | None:
    """The :class:`Mask` a query asks for, or ``None`` for an empty query. Repeated
    selectors count once.

    Raises:
        MaskQueryError: the query is anything else than a mask (another key, a selector
            of another shape, not one ``ask``, over :data:`MAX_MASK_VALUES` values).
    """
    if isinstance(args, str):
        try:
            values: Mapping[str, Sequence[str]] = parse_qs(
                args, keep_blank_values=True, max_num_fields=MAX_MASK_VALUES + 2
            )
        except ValueError:
            raise MaskQueryError(f"at most {MAX_MASK_VALUES} selectors") from None
    else:
        values = args
    if not values:
        return None
    unknown = sorted(set(values) - _QUERY_KEYS)
    if unknown:
        raise MaskQueryError(f"'{unknown[0][:40]}' is not part of a mask")
    asks, masks = list(values.get("ask") or ()), list(values.get("mask") or ())
    if len(asks) + len(masks) > MAX_MASK_VALUES:
        raise MaskQueryError(f"at most {MAX_MASK_VALUES} selectors")
    if len(set(asks)) != 1:
        raise MaskQueryError("a mask asks for exactly one label")
    if not all(_SHAPED.match(s) for s in (*asks, *masks)):
        raise MaskQueryError("a selector is 16 hexadecimal digits")
    reveal = list(values.get("reveal") or ())
    if reveal not in ([], ["1"]):
        raise MaskQueryError("'reveal' is 1 or absent")
    others = tuple(dict.fromkeys(m for m in masks if m != asks[0]))
    return Mask(asks[0], others, revealed=bool(reveal))


# -- geometry ---------------------------------------------------------------------------------


def _declarations(text: str) -> dict[str, str]:
    found = {}
    for part in text.split(";"):
        name, _, value = part.partition(":")
        if value.strip():
            found[name.strip().lower()] = value.strip()
    return found


def _sheet(root: etree.Element) -> dict[str, dict[str, str]]:
    """Font size and anchor set by simple rules (``text``, ``.class``) outside ``@media``."""
    rules: dict[str, dict[str, str]] = {}
    for style in (e for e in root.iter() if _local(e.tag) == "style"):
        css = re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", style.text or "")
        for selectors, body in _RULE.findall(css):
            for name in selectors.split(","):
                rules.setdefault(name.strip(), {}).update(_declarations(body))
    return rules


def _property(
    element: etree.Element, name: str, rules: dict[str, dict[str, str]], parents: dict
) -> str | None:
    """A text property as the element gets it: its style, attribute, classes, then its
    ancestors', then ``text`` rules."""
    node: etree.Element | None = element
    while node is not None:
        style = _declarations(node.get("style", ""))
        if name in style:
            return style[name]
        if node.get(name):
            return node.get(name)
        for css_class in reversed(node.get("class", "").split()):
            if name in rules.get(f".{css_class}", {}):
                return rules[f".{css_class}"][name]
        node = parents.get(node)
    return rules.get("text", {}).get(name)


def _number(value: str | None, default: float) -> float:
    match = _NUMBER.match(value.strip()) if value else None
    return float(match.group()) if match else default


def _width(text: str, size: float) -> float:
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return (wide + (len(text) - wide) * 0.62) * size


def _box(
    element: etree.Element, rules: dict, parents: dict, *, hidden: bool
) -> tuple[float, float, float, float]:
    """Where a ``<text>`` is drawn, estimated: ``(x, y, width, height)``; a ``hidden`` one's
    box is as wide whatever its text."""
    first = next((e for e in element.iter() if e.get("x") is not None), element)
    x = _number((first.get("x") or "0").split()[0] if first.get("x") else None, 0.0)
    y = _number((first.get("y") or "0").split()[0] if first.get("y") else None, 0.0)
    size = _number(_property(element, "font-size", rules, parents), _DEFAULT_FONT_SIZE)
    anchor = _property(element, "text-anchor", rules, parents) or "start"
    width = size * _BOX_EMS if hidden else max(_width(label_text(element), size), size * 2)
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    pad = size * 0.25
    # From above the tallest glyph (Chinese ones too) to just under the descenders: no lower,
    # where the next line of a tightly set diagram starts.
    return left - pad, y - size * 0.95, width + 2 * pad, size * 1.2


def _rect(box: tuple[float, float, float, float], css_class: str) -> etree.Element:
    x, y, width, height = (f"{v:.1f}" for v in box)
    return etree.Element(
        f"{{{_SVG}}}rect",
        {"x": x, "y": y, "width": width, "height": height, "rx": "4", "class": css_class},
    )


def _placeholder(box: tuple[float, float, float, float], transform: str | None) -> etree.Element:
    group = etree.Element(f"{{{_SVG}}}g", {"class": "wg-occ"})
    if transform:
        group.set("transform", transform)
    group.append(_rect(box, "wg-occ-ask"))
    x, y, width, height = box
    mark = etree.SubElement(
        group,
        f"{{{_SVG}}}text",
        {
            "x": f"{x + width / 2:.1f}",
            "y": f"{y + height * 0.8:.1f}",
            "font-size": f"{height * 0.85:.1f}",
            "class": "wg-occ-q",
        },
    )
    mark.text = "?"
    return group


# -- masking ----------------------------------------------------------------------------------


def _folded(text: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold())


def _scrub_style(style: etree.Element, tells: Callable[[str], bool]) -> None:
    """Drops a style sheet's comments, and the selectors that spell a hidden label (a rule
    left without one matches nothing)."""

    def prelude(match: re.Match[str]) -> str:
        kept = [part for part in match.group(1).split(",") if not tells(part)]
        return f"{','.join(kept) if kept else '.wg-occ-none'}{{"

    style.text = _CSS_PRELUDE.sub(prelude, _CSS_COMMENT.sub("", style.text or ""))


def _scrub(root: etree.Element, hidden: Iterable[str]) -> None:
    """Drops what could spell out a hidden label besides its element: metadata, titles and
    descriptions, attribute values (other than drawing ones) and text outside the labels
    that contain it, compared NFKC-casefolded so that full-width or other case tells too."""
    words = [_folded(w).strip() for w in hidden if w.strip()]

    def tells(text: str) -> bool:
        folded = _folded(text)
        return any(word in folded for word in words)

    for parent in list(root.iter()):
        for child in list(parent):
            local = _local(child.tag)
            if local == "metadata" or (
                local in {"title", "desc"} and tells("".join(child.itertext()))
            ):
                parent.remove(child)
        local = _local(parent.tag)
        for attribute in [a for a in parent.attrib if _local(a) not in _DRAWING]:
            if tells(attribute) or tells(parent.get(attribute, "")):
                del parent.attrib[attribute]
        if local == "style":
            _scrub_style(parent, tells)
        elif local not in _LABEL_CONTENT and parent.text and tells(parent.text):
            parent.text = None
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        for attribute in ("aria-labelledby", "aria-describedby"):
            kept = [i for i in element.get(attribute, "").split() if i in ids]
            if attribute in element.attrib:
                if kept:
                    element.set(attribute, " ".join(kept))
                else:
                    del element.attrib[attribute]


def _cover(
    element: etree.Element, parent: etree.Element, box: tuple, css_class: str, *, ask: bool
) -> None:
    """Puts a box where ``element`` stands: the "?" box of the asked label, or a plain one."""
    cover = _placeholder(box, element.get("transform")) if ask else _rect(box, css_class)
    if not ask and element.get("transform"):
        cover.set("transform", element.get("transform", ""))
    parent.insert(list(parent).index(element), cover)


def occlude(data: bytes, mask: Mask) -> bytes:
    """The SVG ``data`` with ``mask`` applied.

    The asked label's element is replaced by a box with "?" (or, revealed, kept and
    outlined); the ``others`` are replaced by plain boxes, all as wide whatever they hide.
    What else could spell a hidden label goes too (:func:`_scrub`).

    Raises:
        LabelError: a selector of ``mask`` names no ``<text>`` of the diagram, or several:
            nothing is served rather than a diagram that shows what it should hide.
        ValueError: ``data`` is not XML.
    """
    root = _parse(data)
    rules = _sheet(root)
    parents = {child: parent for parent in root.iter() for child in parent}
    named = _index(root)
    hidden: list[str] = []
    for wanted in dict.fromkeys((mask.ask, *mask.others)):
        found = named.get(wanted, [])
        if len(found) != 1:
            raise LabelError(f"selector '{wanted}' matches {len(found)} <text> elements")
        element = found[0]
        parent = parents[element]
        if wanted == mask.ask and mask.revealed:
            box = _box(element, rules, parents, hidden=False)
            _cover(element, parent, box, "wg-occ-reveal", ask=False)
            continue
        box = _box(element, rules, parents, hidden=True)
        _cover(element, parent, box, "wg-occ-box", ask=wanted == mask.ask)
        hidden.append(label_text(element))
        parent.remove(element)
    _scrub(root, hidden)
    style = etree.Element(f"{{{_SVG}}}style")
    style.text = _STYLE
    root.append(style)
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)

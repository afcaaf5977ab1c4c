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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from srs.svg import svg_problems

__all__ = [
    "LabelError",
    "Mask",
    "default_prompt",
    "diagram_labels",
    "find_label",
    "label_problems",
    "mask_query",
    "occlude",
    "parse_mask_query",
    "selector",
]

_SVG = "http://www.w3.org/2000/svg"
_SPACE = re.compile(r"\s+")
_RULE = re.compile(r"([^{}@]+)\{([^{}]*)\}")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")
_DEFAULT_FONT_SIZE = 16.0
_SELECTOR_LENGTH = 16
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


@dataclass(frozen=True, slots=True)
class Mask:
    """What one side of a card does to its diagram: the ``ask``ed label (a :func:`selector`),
    the ``others`` masked with it, and whether the asked one is ``revealed`` (the back)."""

    ask: str
    others: tuple[str, ...] = ()
    revealed: bool = False


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower()


def default_prompt(language: str | None) -> str:
    """The question a card without a ``prompt`` asks, in the bank's ``language`` (a BCP 47
    tag such as ``zh-CN``); English for a language without one."""
    primary = (language or "en").split("-")[0].split("_")[0].lower()
    return _PROMPTS.get(primary, _PROMPTS["en"])


def label_text(element: etree.Element) -> str:
    """A ``<text>`` element's content as a label names it: every text inside, white space
    collapsed, Unicode NFC."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", "".join(element.itertext()))).strip()


def selector(label: str, *, by_id: bool = False) -> str:
    """The digest naming a label in a mask URL: not the label itself, which would give the
    answer away in the page's source."""
    key = (
        f"id:{label}"
        if by_id
        else f"text:{_SPACE.sub(' ', unicodedata.normalize('NFC', label)).strip()}"
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:_SELECTOR_LENGTH]


def _texts(root: etree.Element) -> list[etree.Element]:
    return [element for element in root.iter() if _local(element.tag) == "text"]


def _matches(root: etree.Element, wanted: str) -> list[etree.Element]:
    return [
        element
        for element in _texts(root)
        if wanted in (selector(label_text(element)), selector(element.get("id", ""), by_id=True))
        and (element.get("id") or label_text(element))
    ]


def find_label(data: bytes, label: str, *, by_id: bool = False) -> etree.Element:
    """The one ``<text>`` element of the SVG ``data`` that ``label`` names.

    Raises:
        LabelError: none or several do; ``ValueError`` too if ``data`` is not XML.
    """
    found = _matches(_parse(data), selector(label, by_id=by_id))
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
    for index, label in enumerate(labels):
        found = _matches(root, selector(label, by_id=by_id))
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
    """The :class:`Mask` a query asks for, or ``None`` when it asks for none (or is malformed)."""
    values = parse_qs(args) if isinstance(args, str) else args
    asks = list(values.get("ask") or ())
    shaped = re.compile(rf"[0-9a-f]{{{_SELECTOR_LENGTH}}}\Z")
    others = tuple(values.get("mask") or ())
    if len(asks) != 1 or not all(shaped.match(s) for s in (*asks, *others)):
        return None
    return Mask(asks[0], others, revealed=list(values.get("reveal") or ()) == ["1"])


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


def _box(element: etree.Element, rules: dict, parents: dict) -> tuple[float, float, float, float]:
    """Where a ``<text>`` is drawn, estimated: ``(x, y, width, height)``."""
    first = next((e for e in element.iter() if e.get("x") is not None), element)
    x = _number((first.get("x") or "0").split()[0] if first.get("x") else None, 0.0)
    y = _number((first.get("y") or "0").split()[0] if first.get("y") else None, 0.0)
    size = _number(_property(element, "font-size", rules, parents), _DEFAULT_FONT_SIZE)
    anchor = _property(element, "text-anchor", rules, parents) or "start"
    width = max(_width(label_text(element), size), size * 2)  # room for a readable "?"
    left = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    pad = size * 0.25
    return left - pad, y - size * 0.95, width + 2 * pad, size * 1.3


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


def _scrub(root: etree.Element, hidden: Iterable[str]) -> None:
    """Drops titles, descriptions and ARIA text that spell out a hidden label."""
    words = [w.casefold() for w in hidden if w]
    if not words:
        return

    def tells(text: str) -> bool:
        folded = text.casefold()
        return any(word in folded for word in words)

    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in {"title", "desc"} and tells("".join(child.itertext())):
                parent.remove(child)
        for attribute in [a for a in parent.attrib if a.startswith("aria-")]:
            if attribute in {"aria-label", "aria-description"} and tells(parent.get(attribute, "")):
                del parent.attrib[attribute]
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        for attribute in ("aria-labelledby", "aria-describedby"):
            kept = [i for i in element.get(attribute, "").split() if i in ids]
            if attribute in element.attrib:
                if kept:
                    element.set(attribute, " ".join(kept))
                else:
                    del element.attrib[attribute]


def occlude(data: bytes, mask: Mask) -> bytes:
    """The SVG ``data`` with ``mask`` applied.

    The asked label's element is replaced by a box with "?" (or, revealed, kept and
    outlined); the ``others`` are replaced by plain boxes. A selector that names no
    element, or several, masks nothing.

    Raises:
        ValueError: ``data`` is not XML.
    """
    root = _parse(data)
    rules = _sheet(root)
    parents = {child: parent for parent in root.iter() for child in parent}
    hidden: list[str] = []
    for wanted in (mask.ask, *mask.others):
        found = _matches(root, wanted)
        if len(found) != 1:
            continue
        element = found[0]
        parent = parents[element]
        box = _box(element, rules, parents)
        position = list(parent).index(element)
        transform = element.get("transform")
        if wanted == mask.ask and mask.revealed:
            outline = _rect(box, "wg-occ-reveal")
            if transform:
                outline.set("transform", transform)
            parent.insert(position, outline)
            continue
        hidden.append(label_text(element))
        parent.remove(element)
        if wanted == mask.ask:
            parent.insert(position, _placeholder(box, transform))
        else:
            plain = _rect(box, "wg-occ-box")
            if transform:
                plain.set("transform", transform)
            parent.insert(position, plain)
    _scrub(root, hidden)
    style = etree.Element(f"{{{_SVG}}}style")
    style.text = _STYLE
    root.append(style)
    return etree.tostring(root, encoding="utf-8", xml_declaration=False)

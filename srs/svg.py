"""SVG diagrams checked before they are shown: nothing that runs, animates or loads from outside.

An SVG is shown inline with the bank's Markdown, so one that carries script, event handlers,
entities, foreign content, SMIL animation or a reference outside itself is refused, each
problem with the line and column where it is.
"""

from __future__ import annotations

import re
import xml.parsers.expat

from srs.yamlread import Position

__all__ = ["svg_problems"]


class _EntityRefusedError(Exception):
    """Stops parsing an SVG that declares entities or a DOCTYPE, or nests too deep: nothing
    after it is worth reading."""


_SVG_ROOT = "http://www.w3.org/2000/svg svg"
# Masking and exporting walk the tree recursively: a deeper or larger one would fail there
# (RecursionError) or take too long, long after the bank was accepted.
MAX_DEPTH = 100
MAX_ELEMENTS = 20000


# SMIL animation can set any attribute after the checks below have read it (an href to an
# outside page, a handler): none of it is allowed, nor is anything that runs or embeds.
_SVG_REFUSED = {"script", "foreignobject", "iframe", "embed", "object"}
_SVG_SMIL = {"set", "animate", "animatetransform", "animatemotion", "animatecolor", "discard"}
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)")


def _css_problem(text: str, *, style: bool) -> str | None:
    """Why a CSS value (a style sheet, a ``style`` or presentation attribute) may not stay.

    Only references inside the SVG (``url(#gradient)``) are allowed. In style sheets and
    ``style`` attributes CSS escapes are refused too, since ``u\\72l(`` is ``url(``.
    """
    compact = re.sub(r"[\s\x00-\x1f]", "", _CSS_COMMENT.sub("", text)).lower()
    if style and "\\" in compact:
        return "CSS escapes ('\\') are not allowed in style"
    if "@import" in compact:
        return "'@import' is not allowed"
    if "image-set(" in compact or "image(" in compact.replace("url(", ""):
        return "'image-set()' may load from outside"
    for match in _CSS_URL.finditer(compact):
        if not match.group(1).startswith("#"):
            return f"'url({match.group(1)[:60]})' refers outside the diagram"
    return None


def _attribute_problem(attribute: str, value: str) -> str | None:
    """Why one attribute of an element may not stay."""
    short = attribute.rsplit(" ", 1)[-1].lower()
    compact = re.sub(r"[\s\x00-\x1f]", "", value).lower()
    if short.startswith("on"):
        return f"SVG diagrams may not carry script: '{short}' handler"
    if "javascript:" in compact or "vbscript:" in compact:
        return f"SVG diagrams may not carry script: '{short}' URL"
    if short in {"href", "src"} and not compact.startswith("#"):
        return f"SVG diagrams may not refer outside themselves: '{short}' '{value}'"
    if short == "base":  # xml:base would turn every "#x" into an outside address
        return "SVG diagrams may not set 'xml:base'"
    css = _css_problem(value, style=short == "style")
    if css is not None:
        return f"SVG diagrams may not load from outside: {css}"
    return None


class _Checker:
    """The expat handlers of one SVG, collecting its problems where the parser is."""

    def __init__(self) -> None:
        self.parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        self.problems: list[tuple[Position, str]] = []
        self.styles = 0  # how many <style> elements the parser is inside
        self.depth = 0
        self.elements = 0
        self.sheet: list[str] = []
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.text
        self.parser.ProcessingInstructionHandler = self.instruction
        self.parser.EntityDeclHandler = self.entity
        self.parser.StartDoctypeDeclHandler = self.doctype

    def add(self, message: str) -> None:
        position = Position(self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)
        self.problems.append((position, message))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        self.elements += 1
        if self.elements == 1 and name != _SVG_ROOT:
            namespace, _, local = name.rpartition(" ")
            shown = (
                f"<{local}> in namespace '{namespace}'" if namespace else f"<{local}> without one"
            )
            self.add(
                "SVG diagrams must have the root element <svg> in the SVG namespace "
                f'(xmlns="http://www.w3.org/2000/svg"), not {shown}'
            )
            raise _EntityRefusedError
        if self.depth > MAX_DEPTH:
            self.add(f"SVG diagrams may not nest elements more than {MAX_DEPTH} deep")
            raise _EntityRefusedError
        if self.elements > MAX_ELEMENTS:
            self.add(f"SVG diagrams may not have more than {MAX_ELEMENTS} elements")
            raise _EntityRefusedError
        local = name.rsplit(" ", 1)[-1].lower()
        if local in _SVG_REFUSED:
            self.add(f"SVG diagrams may not carry script: <{local}> element")
        elif local in _SVG_SMIL:
            self.add(f"SVG diagrams may not be animated: <{local}> element")
        elif local == "style":
            self.styles += 1
        for attribute, value in attributes.items():
            message = _attribute_problem(attribute, value)
            if message is not None:
                self.add(message)

    def end(self, name: str) -> None:
        self.depth -= 1
        if name.rsplit(" ", 1)[-1].lower() == "style" and self.styles:
            self.styles -= 1
            css = _css_problem("".join(self.sheet), style=True)
            self.sheet.clear()
            if css is not None:
                self.add(f"SVG diagrams may not load from outside: {css}")

    def text(self, data: str) -> None:
        if self.styles:
            self.sheet.append(data)

    def instruction(self, target: str, data: str) -> None:
        self.add(f"SVG diagrams may not carry processing instructions: '<?{target}'")

    def doctype(self, name: str, *args: object) -> None:
        self.add(f"SVG diagrams may not have a DOCTYPE: '<!DOCTYPE {name}'")
        raise _EntityRefusedError

    def entity(self, name: str, *args: object) -> None:
        self.add(f"SVG diagrams may not declare entities: '{name}'")
        raise _EntityRefusedError


def svg_problems(data: bytes) -> list[tuple[Position, str]]:
    """Why an SVG may not be shown: script, event handlers, a DOCTYPE or entities, foreign
    content, animation, anything loaded from outside it, a root other than SVG's ``<svg>``,
    and nesting or size past what masking and exporting can walk.

    The SVG is parsed with expat rather than searched as text, so that neither case,
    namespaces nor entity tricks can hide a ``<script>``.
    """
    checker = _Checker()
    try:
        checker.parser.Parse(data, True)
    except _EntityRefusedError:
        pass
    except xml.parsers.expat.ExpatError as error:
        if not checker.problems:
            checker.problems.append(
                (
                    Position(error.lineno, error.offset + 1),
                    f"not a well-formed SVG: {xml.parsers.expat.ErrorString(error.code)}",
                )
            )
    return checker.problems

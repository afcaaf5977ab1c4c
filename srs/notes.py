"""A bank's study notes: the headings of a Markdown file, their anchors and their passages.

A bank may keep the notes it was written from (``notes: [notes/docker-notes.md]``), and a
question may cite the passage it comes from (``source: docker-notes.md#docker-engine``).
The headings are read with markdown-it-py, a CommonMark parser that gives each block its
lines, so that a ``#`` line inside a code fence is no heading; a leading YAML front matter
block (``---`` ... ``---``) is skipped first. A heading's **anchor** follows GitHub's rule
(what a link to the heading on GitHub ends with); its **passage** is its own text, up to the
next heading of any level.
"""

from __future__ import annotations

import difflib
import posixpath
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import yaml
from markdown_it import MarkdownIt

__all__ = [
    "PATH_SEPARATOR",
    "Heading",
    "Notes",
    "Passage",
    "anchor_of",
    "front_matter",
    "front_matter_problem",
    "headings_of",
    "nesting_problem",
    "normal_title",
    "resolve",
]

# Between the titles of a heading path in a ``source`` (``镜像 > 镜像摘要``).
PATH_SEPARATOR = ">"
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n(.*?\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
# How deep blocks may nest (lists, quotes): markdown-it stops reading blocks there, so a
# deeper file would lose the headings after it; such a file is refused instead.
MAX_NESTING = 100
_PARSER = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING})


@dataclass(frozen=True, slots=True)
class Heading:
    """One heading of a notes file.

    ``line`` is where it stands in the file (from 1, front matter counted); ``path`` holds
    the titles of the headings it sits under and its own; ``text`` is its passage (the
    Markdown after the heading line, up to the next heading), ``end`` the last line of it;
    ``whole`` is the Markdown up to the next heading of its level or above, its subsections
    with their headings included.
    """

    level: int
    title: str
    anchor: str
    line: int
    end: int
    path: tuple[str, ...]
    text: str
    whole: str = ""

    @property
    def has_content(self) -> bool:
        """Whether its passage holds anything but whitespace."""
        return bool(self.text.strip())

    @property
    def shown(self) -> str:
        """The Markdown a card shows as its passage: its own text, or, for an outline's
        heading with none, its subsections."""
        return self.text if self.has_content else self.whole


@dataclass(frozen=True, slots=True)
class Notes:
    """A notes file of a bank: ``file`` as the bank lists it (relative, with ``/``), its text."""

    file: str
    text: str

    @property
    def headings(self) -> tuple[Heading, ...]:
        return headings_of(self.text)

    @property
    def name(self) -> str:
        return posixpath.basename(self.file)


@dataclass(frozen=True, slots=True)
class Passage:
    """The passage a ``source`` names: its notes file and heading."""

    ref: str
    file: str
    heading: Heading


def front_matter(text: str) -> tuple[dict[str, Any], int]:
    """The leading YAML front matter of ``text`` as a mapping, and how many lines it takes.

    A block that is not a YAML mapping, or cannot be read at all, is still skipped (it is
    no part of the notes), and reads as an empty mapping; :func:`front_matter_problem`
    says why it cannot be read.
    """
    values, lines, _ = _front_matter(text)
    return (values if isinstance(values, dict) else {}), lines


def front_matter_problem(text: str) -> tuple[int, str] | None:
    """The line and reason the front matter of ``text`` cannot be read, or ``None``."""
    return _front_matter(text)[2]


@lru_cache(maxsize=64)
def _front_matter(text: str) -> tuple[Any, int, tuple[int, str] | None]:
    match = _FRONT_MATTER.match(text)
    if match is None:
        return None, 0, None
    problem = None
    try:
        values = yaml.safe_load(match.group(1) or "")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # the block starts after '---'
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        problem, values = (line, f"front matter cannot be read: {reason}"), None
    except RecursionError:
        problem, values = (1, "front matter cannot be read: it nests too deep"), None
    block = match.group(0)
    return values, block.count("\n") + (not block.endswith("\n")), problem


def anchor_of(title: str) -> str:
    """GitHub's anchor of a heading titled ``title``, before repeats are numbered.

    Lower-cased; letters (of any script), digits, ``-`` and ``_`` kept, each space made a
    ``-``, everything else (punctuation, symbols such as ``→``) dropped.
    """
    kept = []
    for char in title.strip().lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LNM":
            kept.append(char)
    return "".join(kept)


def normal_title(title: str) -> str:
    """A title as titles are compared: case folded, spaces left out."""
    return "".join(title.casefold().split())


def headings_of(text: str) -> tuple[Heading, ...]:
    """Every heading of the Markdown ``text``, in order, with its anchor, path and passage."""
    return _outline(text)[0]


def nesting_problem(text: str) -> tuple[int, str] | None:
    """Where ``text`` nests blocks too deep to be read whole, and a reason; or ``None``."""
    return _outline(text)[1]


@lru_cache(maxsize=64)
def _outline(text: str) -> tuple[tuple[Heading, ...], tuple[int, str] | None]:
    """The headings of ``text`` (parsed once per text: cards look them up again and again),
    and where it nests too deep, should it."""
    _, skipped = front_matter(text)
    lines = text.splitlines()
    # The front matter's lines are blanked, not cut, so that lines keep their numbers.
    body = "\n".join([""] * skipped + lines[skipped:])
    tokens = _PARSER.parse(body)
    found: list[tuple[int, str, int, int]] = []  # level, title, first line, line after
    deep = None
    last_line = 0
    for index, token in enumerate(tokens):
        if token.map:
            last_line = token.map[0]
        if token.level >= MAX_NESTING - 1 and deep is None:
            # markdown-it reads no further blocks at this depth: what follows could be lost.
            deep = (last_line + 1, f"blocks nest deeper than {MAX_NESTING - 2} levels")
        if token.type == "heading_open" and token.map:
            title = _plain(tokens[index + 1].children or [])
            found.append((int(token.tag[1:]), title, token.map[0], token.map[1]))
    # Where each heading's section ends: the next heading of its level or above, found in
    # one pass from the end (a stack of the headings below, levels rising to the top).
    section_ends = [len(lines)] * len(found)
    later: list[tuple[int, int]] = []
    for number in range(len(found) - 1, -1, -1):
        level, _, first, _ = found[number]
        while later and later[-1][0] > level:
            later.pop()
        if later:
            section_ends[number] = later[-1][1]
        later.append((level, first))
    headings: list[Heading] = []
    used: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    for number, (level, title, first, after) in enumerate(found):
        end = found[number + 1][2] if number + 1 < len(found) else len(lines)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        headings.append(
            Heading(
                level=level,
                title=title,
                anchor=_unique(anchor_of(title), used),
                line=first + 1,
                end=end,
                path=tuple(entry[1] for entry in stack),
                text="\n".join(lines[after:end]).strip("\n"),
                whole="\n".join(lines[after : section_ends[number]]).strip("\n"),
            )
        )
    return tuple(headings), deep


@lru_cache(maxsize=64)
def _by_anchor(text: str) -> dict[str, Heading]:
    """The headings of ``text`` by anchor, so that a card's ``source`` is found at once."""
    return {heading.anchor: heading for heading in headings_of(text)}


@lru_cache(maxsize=64)
def _normal_paths(text: str) -> tuple[tuple[str, ...], ...]:
    """Each heading's path of ``text`` with its titles as titles are compared, in order."""
    return tuple(tuple(normal_title(t) for t in heading.path) for heading in headings_of(text))


def _plain(children: list[Any]) -> str:
    """A heading's inline tokens as the text a reader sees: markup and raw HTML left out."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "image":
            parts.append(_plain(child.children or []))
    return "".join(parts).strip()


def _unique(anchor: str, used: dict[str, int]) -> str:
    """``anchor``, or ``anchor-1``, ``anchor-2``... for its repeats, as GitHub numbers them."""
    candidate = anchor
    while candidate in used:
        used[anchor] += 1
        candidate = f"{anchor}-{used[anchor]}"
    used[candidate] = 0
    return candidate


def resolve(notes: tuple[Notes, ...] | list[Notes], ref: str) -> Passage | str:
    """The passage ``ref`` (``FILE#FRAGMENT``) names among ``notes``, or why it names none.

    FILE is a notes file as the bank lists it, or its base name when no other has it;
    FRAGMENT a heading's anchor, or a heading path of titles joined by ``>`` (the last
    titles of the path suffice when they name one heading; titles compare case-folded,
    spaces ignored).
    """
    file, hash_sign, fragment = ref.partition("#")
    file, fragment = file.strip(), unquote(fragment.strip())
    if not hash_sign or not file or not fragment:
        return f"'{ref}' must be FILE#HEADING, a notes file and a heading's anchor or path"
    if not notes:
        return "not usable: the bank lists no notes"
    chosen = [n for n in notes if n.file == file] or [n for n in notes if n.name == file]
    if len(chosen) != 1:
        listed = ", ".join(n.file for n in notes)
        if chosen:
            return f"file '{file}' names {len(chosen)} notes files: write its path ({listed})"
        return f"file '{file}' is not one of the bank's notes ({listed})"
    headings = chosen[0].headings
    if (heading := _by_anchor(chosen[0].text).get(fragment)) is not None:
        return Passage(ref, chosen[0].file, heading)
    wanted = tuple(normal_title(part) for part in fragment.split(PATH_SEPARATOR))
    by_path = [
        heading
        for heading, path in zip(headings, _normal_paths(chosen[0].text), strict=True)
        if path[-len(wanted) :] == wanted
    ]
    if len(by_path) == 1:
        return Passage(ref, chosen[0].file, by_path[0])
    if by_path:
        lines = ", ".join(str(h.line) for h in by_path)
        return (
            f"'{fragment}' names {len(by_path)} headings of {file} (lines {lines}): use an anchor"
        )
    close = difflib.get_close_matches(fragment, [h.anchor for h in headings], n=3, cutoff=0.4)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"'{fragment}' is no heading of {chosen[0].file}{hint}"

"""Questions near one another in a bank that show the same diagram: kin.

An answer shows its question's back, and with it every diagram the question shows. A question
close by in bank order that shows or asks about one of those diagrams would then be answered
from what was just on screen: a diagram labelled in full, and next a card that masks one of
its labels, or a blank the diagram names. So the answer to a new card buries, until the study
day ends, the new cards of its question's kin, as it buries its siblings (``services.answers``):
each kin question is first seen on a day of its own.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from srs.bank import diagram_path
from srs.questions import question_type
from srs.render import image_sources

__all__ = ["KIN_REACH", "kin_positions", "question_diagrams"]

KIN_REACH = 20
"""How far apart in bank order two questions may stand and still be kin: about a day's new
cards. Farther apart, the second comes on another day anyway, and an answer never buries
more than this many questions on each side."""


def question_diagrams(
    type_name: str, content: Mapping[str, Any], explanation: str | None
) -> list[str]:
    """The diagrams a question shows, as paths in its bank, in order, each once: those in
    its Markdown (explanation included) and an occlusion question's own."""
    found: dict[str, None] = {}
    image = content.get("image") if type_name == "occlusion" else None
    if isinstance(image, str) and image:
        found[diagram_path(image)] = None
    texts: list[str] = []
    for key in question_type(type_name).keys:
        value = content.get(key.name)
        if key.markdown and value:
            texts.extend([value] if isinstance(value, str) else value)
    texts.append(explanation or "")
    for text in texts:
        for reference in image_sources(text):
            found[diagram_path(reference)] = None
    return list(found)


def kin_positions(diagrams: Sequence[Collection[str]], reach: int = KIN_REACH) -> list[list[int]]:
    """For a bank's questions in order, each given by the diagrams it shows: the positions
    of each one's kin, the other questions at most ``reach`` places away that show one of
    the same diagrams, in order."""
    by_diagram: dict[str, list[int]] = {}
    for position, shown in enumerate(diagrams):
        for diagram in shown:
            by_diagram.setdefault(diagram, []).append(position)
    kin: list[set[int]] = [set() for _ in diagrams]
    for positions in by_diagram.values():
        for index, position in enumerate(positions):
            for other in positions[index + 1 :]:
                if other - position > reach:
                    break
                kin[position].add(other)
                kin[other].add(position)
    return [sorted(near) for near in kin]

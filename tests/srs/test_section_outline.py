"""The quiz's section tree: each subsection after its parent, counting what it takes in."""

from __future__ import annotations

from srs.quiz import OutlineEntry, section_outline


def test_subsections_follow_their_parent_and_count_into_it() -> None:
    sections = [
        ("engine", "Engine", None),
        ("net", "Networks", None),
        ("runc", "runc", "engine"),
        ("bridge", "Bridge", "net"),
        ("veth", "veth pairs", "bridge"),
    ]
    questions = ["engine", "runc", "runc", "bridge", "veth", "veth", "veth", None]
    assert section_outline(sections, questions) == [
        OutlineEntry("engine", "Engine", 0, 3),
        OutlineEntry("runc", "runc", 1, 2),
        OutlineEntry("net", "Networks", 0, 4),
        OutlineEntry("bridge", "Bridge", 1, 4),
        OutlineEntry("veth", "veth pairs", 2, 3),
    ]


def test_a_parent_that_is_no_section_leaves_the_section_at_the_top() -> None:
    outline = section_outline([("a", "A", "gone")], ["a"])
    assert outline == [OutlineEntry("a", "A", 0, 1)]

"""Each question's rendered Markdown, made once at import and kept with it.

A text renders the same wherever it is shown but for its images' sources, which each target
resolves its own way: a URL of this server for the pages, a media file name in an Anki
package. So a text is kept as :func:`srs.render.prepare` renders it, with a stand-in for
each source and the references rendering asked about, in order; serving it asks the
target's resolver about the same references in the same order and writes its answers in.
Where that could differ from rendering the text afresh (a reference the target does not
know, shown as its alt text; a URL that is not plain; raw HTML images; no kept rendering at
all) the text is rendered afresh: what is served is byte for byte what rendering gives.

A kept rendering is found by :func:`face_key`, a hash of its text and of the renderer (this
module's revision and the versions of Markdown, Pygments and nh3): a rendering made from
other text, or by another renderer, is never served.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from importlib.metadata import version
from typing import Any

from srs.questions import question_type
from srs.questions.occlusion import masked_whole
from srs.render import DiagramResolver, portable_text, prepare, render_markdown

__all__ = [
    "RENDERER",
    "RENDERER_TAG",
    "Kept",
    "face_key",
    "faces_of",
    "keep_texts",
    "question_faces",
    "question_texts",
    "serve",
]

_REVISION = 3
"""Raised whenever :mod:`srs.render` changes what it writes, or :func:`question_texts` what
is kept (3: each card's right answer, which a quiz's results render)."""
RENDERER = "/".join(
    [str(_REVISION), *(version(package) for package in ("markdown", "pygments", "nh3"))]
)
"""The renderer kept renderings are made by: one made by another is not served."""
RENDERER_TAG = hashlib.sha256(RENDERER.encode()).hexdigest()[:8]
"""What every :func:`faces_of` by this renderer starts with."""

Kept = str | list[Any] | None
"""A kept rendering as stored (JSON): the HTML of a text without images; ``[html,
stand_in, references]`` for one with images; ``None`` for a text rendered afresh each time."""

# What a resolver's answer may hold to be written into kept HTML as it is: the sanitiser
# and Markdown write these characters back as they came, "&" aside (written "&amp;").
_PLAIN_URL = re.compile(r"[^\s\"'<>:;\\`\x00-\x1f\x7f]*")


def face_key(text: str) -> str:
    """The key of ``text``'s rendering by this renderer."""
    return hashlib.sha256(f"{RENDERER}\n{portable_text(text)}".encode()).hexdigest()[:32]


def keep(text: str) -> Kept:
    """``text`` rendered once, as it is kept."""
    prepared = prepare(text)
    if prepared.html is None or not prepared.images:
        return prepared.html
    return [prepared.html, prepared.stand_in, list(prepared.images)]


def serve(kept: Kept, text: str, resolve: DiagramResolver | None) -> str:
    """What ``render_markdown(text, resolve)`` gives, from ``kept``, ``text``'s rendering."""
    if isinstance(kept, str):
        return kept
    if kept is None or resolve is None:
        return render_markdown(text, resolve)
    html, stand_in, references = kept
    urls = [resolve(reference) for reference in references]
    if any(url is None or not _PLAIN_URL.fullmatch(url) for url in urls):
        return render_markdown(text, resolve)
    written = [str(url).replace("&", "&amp;") for url in urls]
    return re.sub(rf"{stand_in}(\d+)x", lambda found: written[int(found.group(1))], html)


class _Texts:
    """A note renderer (:class:`srs.questions.note_fields.NoteRender`) that only notes the
    texts an Anki note of a question renders."""

    def __init__(self, language: str | None) -> None:
        self.language = language
        self.texts: list[str] = []

    def html(self, text: str | None) -> str:
        if text:
            self.texts.append(text)
        return ""

    def inline(self, text: str) -> str:
        return self.html(text)

    def cloze(self, text: str) -> str:
        from srs.anki.fields import cloze_stand_ins  # which reads kept renderings from here

        return self.html(cloze_stand_ins(text))


def question_texts(
    type_name: str, content: Mapping[str, Any], explanation: str | None, language: str | None
) -> list[str]:
    """Every Markdown text the pages and the exports render for a question, once each: its
    Markdown keys, the texts its type builds from them (each card's faces, a cloze card's
    blanks, its right answer) and those of its Anki note."""
    kind = question_type(type_name)
    texts: list[str] = []
    for key in kind.keys:
        value = content.get(key.name)
        if key.markdown and value:
            texts.extend([value] if isinstance(value, str) else value)
    if explanation:
        texts.append(explanation)
    texts.extend(text for _, text in kind.rendered(content))
    for ordinal in kind.card_ordinals(content):
        faces = kind.faces_in(content, ordinal, 0, language)
        texts += [faces.front, faces.back, *faces.choices, *(text for _, text in faces.items)]
        texts.append(kind.answered_face(content, ordinal, 0, language))
        right = kind.right_answer(content, ordinal)
        if isinstance(right, str):
            texts.append(right)  # a quiz's results render it
    if type_name == "occlusion":
        # The bank page shows the diagram with the labels asked masked, then whole.
        texts += [masked_whole(content), f"![]({content['image']})"]
    note = _Texts(language)
    kind.anki_note(content, note, 0)
    return list(dict.fromkeys(text for text in texts + note.texts if text))


def keep_texts(texts: Iterable[str]) -> dict[str, Kept]:
    """The kept rendering of each of ``texts``, by :func:`face_key`."""
    return {face_key(text): keep(text) for text in texts}


def question_faces(
    type_name: str, content: Mapping[str, Any], explanation: str | None, language: str | None
) -> dict[str, Kept]:
    """The kept rendering of each text of a question (:func:`question_texts`)."""
    return keep_texts(question_texts(type_name, content, explanation, language))


def faces_of(
    type_name: str, content: Mapping[str, Any], explanation: str | None, language: str | None
) -> str:
    """What a question's kept renderings are made from, as a key: they are made again
    when it changes (its content, its bank's language, the renderer, named first)."""
    made_from = json.dumps([type_name, content, explanation, language], sort_keys=True)
    return RENDERER_TAG + hashlib.sha256(made_from.encode()).hexdigest()[:24]

"""What a name shown to others may hold: an account's, a group's. No name may pass for
another: no invisible or format characters, no accent on a letter it does not combine with,
letters of one script."""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

__all__ = ["name_problem"]


# Characters that show nothing, or change what is around them (zero-width joiners, soft
# hyphens, bidi overrides), or are not characters at all: one name could then pass for another.
_HIDDEN = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp", "Zs"}
# Characters that show nothing though their category says otherwise: Unicode's default
# ignorables outside the categories above (the combining grapheme joiner, Hangul fillers,
# Khmer's inherent vowels, Mongolian and other variation selectors), and the blank
# braille pattern.
_BLANK = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef]"
)
# Chinese, Japanese and Korean writing mixes these scripts, and with Latin.
_EAST_ASIAN = {"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC"}


def _script(char: str) -> str | None:
    """The script of a letter, as the first word of its Unicode name says (LATIN, GREEK...)."""
    if unicodedata.category(char) not in {"Lu", "Ll", "Lt", "Lo"}:
        return None  # modifier letters (ʰ, ː) belong to no one script
    words = unicodedata.name(char, "").split()
    if words and words[0] in {"FULLWIDTH", "HALFWIDTH"}:
        words = words[1:]
    return words[0] if words else None


# Scripts whose letters take their accents precomposed: a combining mark left on a bare one
# after NFC composition ("ad\u0301min") draws a name that reads as the one without it.
_COMPOSED_SCRIPTS = {"LATIN", "GREEK", "CYRILLIC"}


def _loose_mark(name: str) -> bool:
    """Whether ``name`` holds a combining mark that NFC leaves on a bare Latin, Greek or
    Cyrillic letter (or on no letter at all). Marks of scripts written with them
    (Devanagari, Thai, Hebrew, Arabic) and a second mark on an accented letter (Yoruba
    "ọ̀", Vietnamese) stay allowed."""
    composed = unicodedata.normalize("NFC", name)
    for before, char in zip(" " + composed, composed, strict=False):
        if unicodedata.category(char) not in {"Mn", "Me"}:
            continue
        script = _script(before)
        if script is None and unicodedata.category(before) not in {"Mn", "Mc", "Me"}:
            return True  # a mark on a space, a digit or punctuation
        if script in _COMPOSED_SCRIPTS and not unicodedata.decomposition(before):
            return True
    return False


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an account's name, or ``None``: it must hold no invisible or
    format character (only ordinary spaces), and letters of one script, so that no name
    can look like another (Latin ``Admin`` and ``Αdmin`` with a Greek Alpha)."""
    if _BLANK.search(name) or any(
        char != " " and unicodedata.category(char) in _HIDDEN for char in name
    ):
        return _l("A name may not hold invisible, control or format characters.")
    if _loose_mark(name):
        return _l(
            "A name may not put an accent on a letter it does not combine with (such as"
            " d with an acute accent): it would look like the name without it."
        )
    scripts = {script for char in name if (script := _script(char))}
    others = scripts - _EAST_ASIAN
    if len(others) > 1 or (others and scripts & _EAST_ASIAN and others != {"LATIN"}):
        return _l("A name may not mix letters of different scripts, such as Latin and Greek.")
    return None

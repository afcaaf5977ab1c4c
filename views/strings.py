"""The JavaScript's strings: every English text that static/js shows, in one list.

``base.html`` puts ``js_strings()`` in the page as a JSON data block; the scripts look their
texts up with ``t("English text", {name: value})``, falling back to the English. A text
added to a script goes here too, so that extraction finds it and the catalogues carry it.
Placeholders are ``{name}``, filled in by the script.
"""

from __future__ import annotations

from typing import Any

import flask_babel
from flask_babel import get_locale, gettext

__all__ = ["JS_PLURALS", "JS_STRINGS", "N_", "js_strings", "ngettext"]


def N_(text: str) -> str:  # noqa: N802 (gettext's name for a text marked, not translated)
    """Mark ``text`` for extraction; it is translated per request by :func:`js_strings`."""
    return text


JS_STRINGS = (
    # review (static/js/review/): answering in the page
    N_("Choose every right answer, then press Enter."),
    N_("Choose every right answer, then Check."),
    N_("Choose one, then Check."),
    N_("Press an option's number: it is checked at once."),
    N_("Press 1 (or T) or 2 (or F): it is checked at once."),
    N_("True"),
    N_("False"),
    N_("Pick the items in order (1–9), then Enter; Backspace takes one back."),
    N_("Tap the items in order, then Check; tap a picked one to take it back."),
    N_("Your order: a picked item pressed goes back"),
    N_("Undo pick"),
    N_("Clear"),
    N_("Your order"),
    N_("Your picks appear here, in order"),
    N_("Your answer"),
    N_("Type the answer, then Enter"),
    N_("Type the answer, then Check"),
    N_("Check"),
    N_("Show answer"),
    N_("✓ Right"),
    N_("✗ Not quite"),
    N_("right answer, chosen"),
    N_("One Undo at a time: the last is still on its way."),
    N_(
        "Undo takes back your last answer, and drops what you began on this card. "
        "Undo again to go on."
    ),
    N_("right answer, missed"),
    N_("the right answer"),
    N_("wrong answer, chosen"),
    N_("in the right place"),
    N_("in the wrong place"),
    N_("✗ Not known: here is the answer"),
    N_("You typed:"),
    N_("Right answer:"),
    N_("(wrong:)"),
    N_("(missing:)"),
    N_("Struck through: typed but wrong. Underlined: missing."),
    N_("Edit at {path}, line {line}"),
    # review (static/js/review/): a card's state, as the API names it
    N_("new"),
    N_("learning"),
    N_("review"),
    N_("relearning"),
    # review (static/js/review/): intervals on the grade buttons
    N_("<1m"),
    N_("{n}m"),
    N_("{n}h"),
    N_("{n}d"),
    N_("{n}mo"),
    N_("{n}y"),
    # review (static/js/review/): status messages
    N_("Could not save that answer: {error}. Try again."),
    N_("Could not load the next card: {error}"),
    N_("Nothing to undo."),
    N_("Undone: the card is back as it was."),
    N_("Buried until tomorrow: Undo brings it back."),
    N_("Suspended: Undo brings it back."),
    N_("Unburied: the card is back."),
    N_("Unsuspended: the card is back."),
    # review (static/js/review/): the offline queue
    N_("Offline: answers are kept until the connection is back"),
    N_("Offline, 1 answer waiting"),
    N_("Offline, {n} answers waiting"),
    N_("No connection"),
    N_("One answer could not be saved: {reason}"),
    N_("Undo needs the connection."),
    # review (static/js/review/): the end of the session
    N_("Done for now"),
    N_("Done for today"),
    N_("Nothing more is due in this bank today. Come back tomorrow."),
    N_("1 learning card comes back at {time}."),
    N_("{n} learning cards come back today, the first at {time}."),
    N_("That needs the connection."),
    # review (static/js/review/passage.js): the passage of the notes a card comes from
    N_("Loading the passage…"),
    N_("{file}, line {line}"),
    N_("The notes are unavailable offline: this passage shows once the connection is back."),
    N_("Could not load the passage: {error}"),
    # editor.js: the question editor's checks
    N_("Checking…"),
    N_("Could not check: {error}"),
    N_("No problems, no lint warnings."),
    # quiz.js
    N_("{n} question is blank. Submit anyway?"),
    N_("{n} questions are blank. Submit anyway?"),
    N_("{n} question is blank or not finished. Submit anyway?"),
    N_("{n} questions are blank or not finished. Submit anyway?"),
    N_("{time} left"),
    N_("Time is up"),
    # copy.js: a link or an invite copied
    N_("Copied"),
    N_("Selected: press Ctrl+C to copy"),
)


def ngettext(singular: str, plural: str) -> tuple[str, str]:
    """Mark a text with a count for extraction (as ``ngettext``, so that the catalogues carry
    its plural forms); :func:`js_strings` gives the scripts each form of the language."""
    return singular, plural


# Texts with a count: a script calls tn(singular, plural, n, values), and gets the form the
# page's language uses for n (Intl.PluralRules' category).
JS_PLURALS = (
    # editor.js: the question editor's checks
    ngettext(
        "{n} problem: it cannot be saved like this.",
        "{n} problems: it cannot be saved like this.",
    ),
    ngettext("No problems; {n} lint warning.", "No problems; {n} lint warnings."),
)

# A number of each plural category, to ask the catalogue for that category's form.
_SAMPLES = (0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 102, 1000000)


def plural_key(singular: str, plural: str) -> str:
    """The key a text with a count has among the scripts' strings."""
    return f"{singular}\u0004{plural}"


def _plural_forms(singular: str, plural: str) -> dict[str, str]:
    rule = get_locale().plural_form if get_locale() else None
    forms: dict[str, str] = {}
    for n in _SAMPLES:
        category = rule(n) if rule else ("one" if n == 1 else "other")
        forms.setdefault(category, flask_babel.ngettext(singular, plural, n))
    return forms


def js_strings() -> dict[str, Any]:
    """Each English text of the scripts mapped to its translation in the request's language;
    a text with a count to its forms by plural category (``one``, ``other``...)."""
    texts: dict[str, Any] = {text: gettext(text) for text in JS_STRINGS}
    for singular, plural in JS_PLURALS:
        texts[plural_key(singular, plural)] = _plural_forms(singular, plural)
    return texts

"""The JavaScript's strings: every English text that static/js shows, in one list.

``base.html`` puts ``js_strings()`` in the page as a JSON data block; the scripts look their
texts up with ``t("English text", {name: value})``, falling back to the English. A text
added to a script goes here too, so that extraction finds it and the catalogues carry it.
Placeholders are ``{name}``, filled in by the script.
"""

from __future__ import annotations

from flask_babel import gettext

__all__ = ["JS_STRINGS", "N_", "js_strings"]


def N_(text: str) -> str:  # noqa: N802 (gettext's name for a text marked, not translated)
    """Mark ``text`` for extraction; it is translated per request by :func:`js_strings`."""
    return text


JS_STRINGS = (
    # review (static/js/review/): answering in the page
    N_("Choose every right answer, then press Enter."),
    N_("Choose every right answer, then Check."),
    N_("Choose one, then Check."),
    N_("True"),
    N_("False"),
    N_("Pick the items in order (1–9), then Enter; Backspace takes one back."),
    N_("Tap the items in order, then Check; tap a picked one to take it back."),
    N_("Your order: a picked item pressed goes back"),
    N_("Undo pick"),
    N_("Clear"),
    N_("Your order"),
    N_("Your answer"),
    N_("Type the answer, then Enter"),
    N_("Type the answer, then Check"),
    N_("Check"),
    N_("Show answer"),
    N_("✓ Right"),
    N_("✗ Not quite"),
    N_("right answer, chosen"),
    N_("right answer, missed"),
    N_("wrong answer, chosen"),
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
    N_("Buried until tomorrow."),
    N_("Suspended."),
    N_("Suspended. Unsuspend it from the API or later from the bank."),
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
    # editor.js: the question editor's checks
    N_("Checking…"),
    N_("Could not check: {error}"),
    N_("{n} problems: it cannot be saved like this."),
    N_("No problems; {n} lint warnings."),
    N_("No problems, no lint warnings."),
    # quiz.js
    N_("{n} question is blank. Submit anyway?"),
    N_("{n} questions are blank. Submit anyway?"),
    N_("{time} left"),
    N_("Time is up"),
    # copy.js: a link or an invite copied
    N_("Copied"),
    N_("Selected: press Ctrl+C to copy"),
)


def js_strings() -> dict[str, str]:
    """Each English text of the scripts mapped to its translation in the request's language."""
    return {text: gettext(text) for text in JS_STRINGS}

"""What a request carries in, checked at the edge: redirect targets, numbers, text, JSON.

Each kind of input has one reader here, used by every view that takes it, so that a hostile
value of a kind is refused the same way everywhere, with a 400 that names the parameter,
and never reaches the database or a library as something it cannot take.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Blueprint, Flask, request, url_for
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from wtforms import DecimalField, Field, IntegerField
from wtforms.validators import ValidationError

from srs.numbers import parse_whole_number

__all__ = [
    "MAX_JSON_DEPTH",
    "FiniteDecimalField",
    "JsonProvider",
    "WholeNumberField",
    "bp",
    "checked_by",
    "load_json",
    "request_int",
    "safe_next",
    "safe_referrer",
    "unstorable",
]

bp = Blueprint("inputs", __name__)

# Characters PostgreSQL cannot keep in text (NUL), or that are not text at all (a lone
# UTF-16 surrogate, which JSON's \ud800 escapes make): refused wherever a request carries them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 32
_MAX_JSON_DIGITS = 30  # an integer longer than this in JSON is no count, id or rating


def unstorable(text: str) -> bool:
    """Whether ``text`` holds a character that cannot be stored as text (NUL, a surrogate)."""
    return _UNSTORABLE.search(text) is not None


@bp.app_template_global()
def takes_focus(field: Any, asked: bool = False) -> bool:
    """Whether ``field`` gets the page's autofocus: in a form sent back with errors, the first
    field with an error (not the one the page focuses at first); otherwise as ``asked``."""
    form = getattr(field, "_form", None)
    if form is None:
        return asked
    invalid = [f for f in form if f.errors and f.type != "CSRFTokenField"]
    if not invalid:
        return asked
    return invalid[0] is field


# --- redirect targets -----------------------------------------------------------------------


def _hidden_or_slash_like(text: str) -> bool:
    """Characters a browser drops, folds or reads as a slash somewhere in a URL: control
    and format characters, any space, backslashes."""
    return any(
        char == "\\" or char.isspace() or unicodedata.category(char)[0] in "CZ" for char in text
    )


def _local_path(target: str) -> bool:
    if not target or len(target) > 2048 or _hidden_or_slash_like(target):
        return False
    for form in (target, unquote(target)):
        if _hidden_or_slash_like(form):
            return False
        try:
            parts = urlsplit(form)
        except ValueError:  # a host that NFKC turns into another (``／`` into ``/``)
            return False
        if parts.scheme or parts.netloc:
            return False
        if not form.startswith("/") or form.startswith("//"):
            return False
    return True


def safe_next(target: str | None, fallback: str | None = None) -> str:
    """``target`` when it is a path on this site, else ``fallback`` (Today).

    The check reads the target as a browser would, after the forms it may take on the way:
    a browser drops tabs and newlines and reads ``\\`` as ``/`` (so ``/\\evil`` and ``/<TAB>/evil``
    are ``//evil``, another host), and Werkzeug drops control characters when it writes the
    header. So any of those, or any space, refuses the target, as does a scheme or a host,
    in the text or once percent-decoded; what is left must start with exactly one ``/``.
    """
    if target is not None and _local_path(target):
        return target
    return fallback or url_for("review.today")


def safe_referrer(fallback: str) -> str:
    """The page the request came from, when it is a page of this site; else ``fallback``."""
    try:
        parts = urlsplit(request.referrer or "")
    except ValueError:
        return fallback
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return fallback
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return safe_next(path, fallback)


# --- whole numbers --------------------------------------------------------------------------


def request_int(
    name: str,
    default: int | None,
    low: int,
    high: int,
    source: Mapping[str, str] | None = None,
) -> int | None:
    """The whole number in the request's parameter ``name`` (the query string unless
    ``source`` is given), or ``default`` when it is absent.

    Raises:
        BadRequest: the value is not ASCII digits, or lies outside ``low``..``high``; the
            message names the parameter and the range.
    """
    values = request.args if source is None else source
    text = values.get(name)
    if text is None:
        return default
    try:
        return parse_whole_number(text, low, high)
    except ValueError:
        raise BadRequest(
            _(
                "'%(name)s' must be a whole number from %(low)d to %(high)d",
                name=name,
                low=low,
                high=high,
            )
        ) from None


class WholeNumberField(IntegerField):
    """An ``IntegerField`` that reads ASCII digits only (``int`` reads ``٣`` and ``" 5"``)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = valuelist[0]
        if text == "":
            self.data = None
            return
        try:
            # The range itself is NumberRange's to check, with its own message.
            self.data = parse_whole_number(text, -(10**18), 10**18)
        except ValueError:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value.")) from None


class FiniteDecimalField(DecimalField):
    """A ``DecimalField`` that refuses ``NaN`` and ``Infinity``, which ``Decimal`` reads and
    which then break every comparison a range check makes."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


def checked_by(
    check: Callable[[Any], object], read: Callable[[Any], object] = lambda data: data
) -> Callable[[Any, Field], None]:
    """A validator that checks a field's data, as ``read`` turns it (when there is any),
    with ``check``: a rule a service keeps for the API too, whose ``ValueError`` message
    becomes the field's error. A field that could not be read keeps its own message."""

    def validate(_form: Any, field: Field) -> None:
        if field.process_errors:
            return
        try:
            check(field.data if field.data is None else read(field.data))
        except ValueError as error:
            raise ValidationError(str(error)) from None

    return validate


# --- JSON -----------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


def _depth(text: str) -> int:
    """How deep arrays and objects nest in ``text``, strings left out; counted without
    recursion, so that a deep document costs a scan and not the parser's stack."""
    deepest = depth = 0
    for char in re.findall(r"[\[\]{}]", _JSON_STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_JSON_DIGITS:
        raise ValueError(f"a number of {len(text)} digits is too long")
    return int(text)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON may carry")


def _check_strings(value: Any) -> None:
    if isinstance(value, str):
        if unstorable(value):
            raise ValueError("a string holds a character that cannot be stored (such as NUL)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)


def load_json(data: str | bytes) -> Any:
    """Read a JSON document a request sent: nested at most ``MAX_JSON_DEPTH`` deep, numbers
    finite and of reasonable length (no ``NaN``, ``Infinity``, ``1e999``), and every string
    and key storable.

    Raises:
        ValueError: saying which of those the document breaks, or why it is not JSON.
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    if _depth(text) > MAX_JSON_DEPTH:
        raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
    value = json.loads(
        text, parse_float=_finite_float, parse_int=_bounded_int, parse_constant=_no_constant
    )
    _check_strings(value)
    return value


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, reading request bodies with :func:`load_json`'s bounds."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s)


# --- the check every request passes ---------------------------------------------------------


def _fields(values: MultiDict[str, Any]) -> str | None:
    """The name of the first field that holds an unstorable character, written readably."""
    for key, value in values.items(multi=True):
        if unstorable(key) or (isinstance(value, str) and unstorable(value)):
            return _UNSTORABLE.sub(lambda found: f"\\u{ord(found.group()):04x}", key)
    return None


@bp.before_app_request
def refuse_unstorable() -> None:
    """A NUL or a lone surrogate anywhere in the path, the query, a form field, an upload's
    name or a JSON body is refused with a 400 that says where, before any view runs."""
    where = None
    if unstorable(request.path):
        where = _("the address")
    elif (key := _fields(request.args)) is not None:
        where = _("the parameter '%(name)s'", name=key)
    elif not request.is_json:  # a JSON body has no form fields and no files: read below
        if (key := _fields(request.form)) is not None:
            where = _("the field '%(name)s'", name=key)
        elif any(unstorable(f.filename or "") for f in request.files.values()):
            where = _("a file's name")
    if where is not None:
        raise BadRequest(
            _("%(where)s holds a character that cannot be stored (such as NUL).", where=where)
        )
    # Read once: the view's get_json is given the value parsed here. A body that fails
    # (or is the document null) is read again for the reason.
    if request.is_json and request.get_data(cache=True) and request.get_json(silent=True) is None:
        try:
            load_json(request.get_data(cache=True))
        except (ValueError, UnicodeDecodeError) as error:
            raise BadRequest(_("The JSON body cannot be read: %(why)s.", why=str(error))) from None


def init_app(app: Flask) -> None:
    """Read every JSON request body with the bounds of :func:`load_json`."""
    app.json = JsonProvider(app)

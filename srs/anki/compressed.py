"""Anki's current package format (``collection.anki21b``, Anki 2.1.50 and later), read safely.

Its collection, its media list and each media file are compressed with Zstandard, here
decompressed a chunk at a time within a size limit. The media list and the settings of note
types and card templates are protobuf messages, of which a handful of fields are read: a
loop of a few lines parses them, rather than the ``protobuf`` runtime, which would need
Anki's ``.proto`` files compiled into the app. Anything malformed is refused through the
caller's ``refuse``, which makes the :class:`~srs.bank.BankError` naming the package.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable

from srs.archive import MAX_FILES
from srs.bank import BankError

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the same module, backported (requirements.txt)
    from backports import zstd

__all__ = ["Refuse", "media_entries", "models_18", "protobuf", "unzstd", "zstd"]

Refuse = Callable[[str], BankError]
_CHUNK = 64 * 1024


def unzstd(data: bytes, max_bytes: int, what: str, refuse: Refuse) -> bytes:
    """One Zstandard frame decompressed a chunk at a time, refused past ``max_bytes``."""
    limit = f"the limit is {max_bytes / 1e6:g} MB"
    out = io.BytesIO()
    decompressor = zstd.ZstdDecompressor()
    try:
        while not decompressor.eof:
            # The frame's own size is the packer's claim; count what comes out.
            chunk = decompressor.decompress(data, _CHUNK)
            data = b""
            if out.tell() + len(chunk) > max_bytes:
                raise refuse(f"{what} is over {max_bytes / 1e6:g} MB; {limit}")
            out.write(chunk)
            if decompressor.needs_input and not decompressor.eof:
                raise refuse(f"{what} is cut short: its compressed data ends early")
    except zstd.ZstdError as error:
        raise refuse(f"{what} is damaged: not Zstandard-compressed data ({error})") from None
    return out.getvalue()


def protobuf(data: bytes, what: str, refuse: Refuse) -> dict[int, list[int | bytes]]:
    """A protobuf message's fields by number: varints as numbers, the rest as bytes.

    A nested message is parsed again from its bytes.
    """
    fields: dict[int, list[int | bytes]] = {}
    position, end = 0, len(data)
    damaged = f"the {what} is damaged: not a protobuf message"

    def varint() -> int:
        nonlocal position
        value = shift = 0
        while position < end and shift < 64:
            byte = data[position]
            position += 1
            value |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return value
            shift += 7
        raise refuse(damaged)

    while position < end:
        key = varint()
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value = varint()
        elif wire in {1, 2, 5}:
            size = {1: 8, 5: 4}.get(wire) or varint()
            value, position = data[position : position + size], position + size
        else:
            raise refuse(damaged)
        if number == 0 or position > end:
            raise refuse(damaged)
        fields.setdefault(number, []).append(value)
    return fields


def media_entries(raw: bytes, refuse: Refuse) -> dict[str, str]:
    """Zip entry -> file name from a ``MediaEntries`` list: entry ``i`` is the ``i``th file."""
    found: dict[str, str] = {}
    shape = "the media list is not Anki's list of media entries"
    for index, entry in enumerate(protobuf(raw, "media list", refuse).get(1, [])):
        if len(found) >= MAX_FILES:
            raise refuse(
                f"the media list names over {MAX_FILES:,} files; the most is {MAX_FILES:,}"
            )
        if not isinstance(entry, bytes):
            raise refuse(shape)
        fields = protobuf(entry, "media list", refuse)
        name = fields.get(1, [b""])[-1]
        zip_name = fields.get(255, [index])[-1]  # legacy_zip_filename, if any
        if not isinstance(name, bytes) or not isinstance(zip_name, int):
            raise refuse(shape)
        try:
            found[str(zip_name)] = name.decode("utf-8")
        except UnicodeDecodeError:
            raise refuse("the media list has a file name that is not UTF-8") from None
    return found


def models_18(
    notetypes: list[tuple], fields: list[tuple], templates: list[tuple], refuse: Refuse
) -> dict[str, object]:
    """Schema 18's note types, as the JSON objects of schema 11's ``col.models``.

    ``notetypes`` are rows (id, name, config), ``fields`` (note type, ord, name) and
    ``templates`` (note type, ord, name, config), each of the types Anki writes.
    """
    models: dict[str, dict] = {}
    for model_id, name, config in notetypes:
        settings = protobuf(config, f"settings of note type {name[:40]!r}", refuse)
        models[str(model_id)] = {
            "id": model_id,
            "name": name,
            "type": settings.get(1, [0])[-1],  # kind: 0 normal, 1 cloze
            "css": _text(settings.get(3, [b""])[-1]),
            "originalStockKind": settings.get(9, [0])[-1],
            "flds": [],
            "tmpls": [],
        }
    for model_id, order, name in fields:
        if model := models.get(str(model_id)):
            model["flds"].append({"name": name, "ord": order})
    for model_id, order, name, config in templates:
        settings = protobuf(config, f"settings of card template {name[:40]!r}", refuse)
        if model := models.get(str(model_id)):
            qfmt, afmt = (_text(settings.get(n, [b""])[-1]) for n in (1, 2))
            model["tmpls"].append({"name": name, "ord": order, "qfmt": qfmt, "afmt": afmt})
    return dict(models)


def _text(value: int | bytes) -> object:
    """A protobuf string field as text (a number where text belongs is left to the checks)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value

"""JSON from a hostile server, decoded so one bad item costs that item, not the page.

What can go wrong, and what we do:

* invalid UTF-8 (one bad byte in one item): the bytes are decoded with
  ``surrogateescape``, so each bad byte becomes one code point in U+DC80..U+DCFF and
  the document still parses. Every list item (a conversation, a message, a user)
  that holds such a code point is replaced by ``Unreadable`` and skipped and counted
  like any malformed item; the rest of the page is kept. Replacing bad bytes with
  U+FFFD instead would keep the item but silently alter an id or an address, and
  it could not be told apart from a U+FFFD the sender really wrote.
* lone surrogates written as JSON escapes (``"\\ud800"``): valid JSON, but no text
  encoding can hold them, so pydantic, the terminal and ``--json`` would all choke.
  They are replaced by U+FFFD and the item is kept: the rest of its text is fine.
  (When the body also had bad bytes, an escaped lone surrogate in U+DC80..U+DCFF
  cannot be told from one and costs its item too; that is the price of keeping the
  other items.)
* nesting: a document nested deeper than Python's recursion limit makes ``json``
  raise ``RecursionError``; it becomes ``TooDeep``, one clean error. An item nested
  deeper than ``MAX_ITEM_DEPTH`` (real ones are four or five levels deep) is skipped,
  so nothing downstream (validation, ``--json``, rendering) ever recurses into it.
"""

from __future__ import annotations

import json
from typing import Any

#: Deepest nesting kept inside one item; real lemlist items use five levels or so.
MAX_ITEM_DEPTH = 64

_REPLACEMENT = "\ufffd"


class NotJson(Exception):
    """The body is not JSON at all (an HTML page, a cut body)."""


class TooDeep(Exception):
    """The document nests deeper than the parser can follow."""


class Unreadable:
    """Stands in a list for an item that cannot be kept; ``reason`` says why."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unreadable({self.reason!r})"


def loads(raw: bytes) -> tuple[Any, bool]:
    """The parsed document and whether it held invalid UTF-8 (see the module docstring)."""
    try:
        text = raw.decode("utf-8")
        bad_bytes = False
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "surrogateescape")
        bad_bytes = True
    try:
        return json.loads(text), bad_bytes
    except RecursionError:
        raise TooDeep from None
    except ValueError:
        raise NotJson from None


def _is_escaped_byte(ch: str) -> bool:
    return "\udc80" <= ch <= "\udcff"


def _has_surrogate(text: str) -> bool:
    # Fast path: a str that encodes is free of lone surrogates.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _inspect(item: Any, bad_bytes: bool) -> tuple[str | None, bool]:
    """(why the item cannot be kept or None, whether it holds lone surrogates)."""
    stack: list[tuple[Any, int]] = [(item, 1)]
    surrogates = False
    while stack:
        value, depth = stack.pop()
        strings: tuple[str, ...]
        if isinstance(value, str):
            strings = (value,)
        elif isinstance(value, dict):
            if depth > MAX_ITEM_DEPTH:
                return f"nested deeper than {MAX_ITEM_DEPTH} levels", False
            strings = tuple(value)
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            if depth > MAX_ITEM_DEPTH:
                return f"nested deeper than {MAX_ITEM_DEPTH} levels", False
            strings = ()
            stack.extend((v, depth + 1) for v in value)
        else:
            continue
        for text in strings:
            if _has_surrogate(text):
                if bad_bytes and any(_is_escaped_byte(ch) for ch in text):
                    return "invalid UTF-8", False
                surrogates = True
    return None, surrogates


def _replace_surrogates(value: Any) -> Any:
    """``value`` with every lone surrogate replaced by U+FFFD (depth already bounded)."""
    if isinstance(value, str):
        if not _has_surrogate(value):
            return value
        return "".join(_REPLACEMENT if "\ud800" <= ch <= "\udfff" else ch for ch in value)
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_surrogates(v) for v in value]
    return value


def clean_item(item: Any, bad_bytes: bool = False) -> Any:
    """The item, its lone surrogates replaced, or ``Unreadable`` if it cannot be kept."""
    why, surrogates = _inspect(item, bad_bytes)
    if why is not None:
        return Unreadable(why)
    return _replace_surrogates(item) if surrogates else item


def clean_document(body: Any, bad_bytes: bool = False) -> Any:
    """Each list item of the document (top-level array, or the lists of an object) cleaned.

    A top-level value that is not a list and cannot be kept becomes None.
    """
    if isinstance(body, list):
        return [clean_item(item, bad_bytes) for item in body]
    if isinstance(body, dict):
        cleaned: dict[str, Any] = {}
        for key, value in body.items():
            if isinstance(value, list):
                cleaned[key] = [clean_item(item, bad_bytes) for item in value]
            else:
                kept = clean_item(value, bad_bytes)
                cleaned[key] = None if isinstance(kept, Unreadable) else kept
        return cleaned
    return clean_item(body, bad_bytes)

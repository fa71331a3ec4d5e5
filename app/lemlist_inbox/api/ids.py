"""Ids that go into a URL, checked before any request is made.

A contact id from the server (or typed by the user) becomes a path segment of
``/inbox/{contactId}``. Percent-encoding alone is not enough: ``.`` and ``..`` are
dot segments that URL normalisation resolves, so ``..`` turned ``GET
/inbox/..?markAsRead=true`` into a request to another endpoint, and an empty id names
the list itself. Such ids are refused with a clear error instead; everything else is
percent-encoded whole so no character can leave its segment.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from lemlist_inbox.api.errors import InvalidIdError

#: Longer than any id lemlist issues; a megabyte "id" is not worth a request.
MAX_ID_LENGTH = 200

#: Characters with a meaning in a URL path or query, refused outright even though
#: quoting would neutralise them: no real id holds them, so one that does is a lie.
_URL_SYNTAX = frozenset("/?#%\\")


def _problem(value: str) -> str | None:
    """Why ``value`` cannot be an id, or None if it can."""
    if not value:
        return "it is empty"
    if value in (".", ".."):
        return "it is a dot segment"
    if len(value) > MAX_ID_LENGTH:
        return f"it is longer than {MAX_ID_LENGTH} characters"
    for ch in value:
        if ch in _URL_SYNTAX:
            return f"it contains {ch!r}"
        if ch.isspace():
            return "it contains whitespace"
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            return f"it contains the control or invisible character U+{ord(ch):04X}"
    return None


def _shown(value: str) -> str:
    """The id as a safe, short, visible token: escapes instead of control characters."""
    text = value[:40].encode("ascii", "backslashreplace").decode("ascii")
    return repr(text + ("…" if len(value) > 40 else ""))


def check_id(value: object, what: str = "contact id") -> str:
    """``value`` if it is usable as an id, else ``InvalidIdError`` naming the reason."""
    if not isinstance(value, str):
        raise InvalidIdError(f"refused {what}: it is not a string")
    why = _problem(value)
    if why is not None:
        raise InvalidIdError(f"refused {what} {_shown(value)}: {why}")
    return value


def path_segment(value: object, what: str = "contact id") -> str:
    """A checked id, percent-encoded as one path segment."""
    return quote(check_id(value, what), safe="")

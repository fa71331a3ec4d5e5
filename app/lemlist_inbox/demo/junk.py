"""Malformed and oddly-typed conversation items for the ``malformed_every`` / ``odd_every`` knobs.

A real API behind a real proxy sometimes returns an item the client cannot use. The
client must skip exactly those and keep the rest of the page, so the junk here is
always unusable as a conversation (not an object, or no string ``_id``), while "odd"
items keep a good ``_id`` and only have wrong-typed fields, which a lenient client
keeps. Which junk appears is a pure function of the position, so reloading a page
gives the same junk.
"""

from __future__ import annotations

from typing import Any


def junk_item(n: int) -> Any:
    """The ``n``-th junk item: cycles through strings, nulls, numbers, lists and id-less objects."""
    kinds: tuple[Any, ...] = (
        "<!-- item lost -->",
        None,
        {"opportunities": [], "lastActivityAt": "2024-12-17T09:42:32.971Z", "contact": {"fullName": "No Id"}},
        12345,
        {"_id": 987654321, "users": "everyone", "channels": 5},
        ["ibx_notAnObject"],
        {"_id": None, "contactId": None},
        {"_id": {"$oid": "65f0c0ffee"}, "lastActivityAt": 1734428552971},
    )
    return kinds[n % len(kinds)]


def odd_item(item: Any, n: int) -> Any:
    """The same conversation with wrong-typed optional fields (its ``_id`` stays good)."""
    if not isinstance(item, dict):
        return item
    odd = dict(item)
    variants: tuple[dict[str, Any], ...] = (
        {"users": "usr_everyone", "channels": "email"},
        {"lastActivityAt": 1734428552971, "haveReplies": "yes"},
        {"contact": ["not", "an", "object"], "opportunities": None},
        {"users": [None, 5, {"userId": 7}], "channels": [1, None, "email"], "unknownField": {"x": [1, 2]}},
    )
    odd.update(variants[n % len(variants)])
    return odd

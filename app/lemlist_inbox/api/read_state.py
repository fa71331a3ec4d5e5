"""The one rule for "has this user read the conversation", shared by every layer.

lemlist lists each team user's state in ``users[]`` (``read`` true/false). A user who is
not listed, or whose flag is missing, has nothing to read there: read. Plain Python on
plain tuples, so the list, the local database and the models all apply the same rule
without loading pydantic.
"""

from __future__ import annotations

from collections.abc import Iterable

#: One team user's state: (userId, sender, read), as the API sent it.
UserState = tuple[str, bool | None, bool | None]


def is_read_by(users: Iterable[UserState], user_id: str | None) -> bool:
    """Read for ``user_id`` unless listed with ``read`` false."""
    for uid, _sender, read in users:
        if uid == user_id:
            return read is not False
    return True

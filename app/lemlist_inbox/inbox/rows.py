"""One conversation as a stored row: the bridge between the API's models and the store.

The list and the database both work from ``StoredConversation`` tuples (strings, numbers,
tuples), so a warm start builds the list straight from SQLite rows without loading
pydantic, and a sync can tell whether an incoming conversation changed anything without
building a list entry for it.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING

from lemlist_inbox.inbox.db import ContactFields, StoredConversation

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Conversation


def activity_of(conversation: Conversation) -> float:
    """The last activity as a POSIX timestamp; ``-inf`` when unknown (sorts last)."""
    when = conversation.last_activity
    if when is None:
        return -math.inf
    try:
        return when.timestamp()
    except (OverflowError, OSError, ValueError):
        return -math.inf


def stored_row(conversation: Conversation) -> StoredConversation:
    """The row kept for one conversation, with the item exactly as the API sent it."""
    return listing_row(conversation)._replace(
        raw=json.dumps(conversation.to_api_dict(), ensure_ascii=True, separators=(",", ":"))
    )


def listing_row(conversation: Conversation) -> StoredConversation:
    """What the list needs of a conversation, without the raw item (cheap: no dump)."""
    contact = conversation.contact
    fields: ContactFields | None = None
    if contact is not None:
        fields = (
            contact.id,
            contact.full_name,
            contact.first_name,
            contact.last_name,
            contact.email,
            contact.linkedin_url,
        )
    return StoredConversation(
        id=conversation.id,
        contact_id=conversation.contact_id,
        contact=fields,
        users=tuple((u.user_id, u.sender, u.read) for u in conversation.users),
        channels=tuple(conversation.channels),
        last_activity_at=conversation.last_activity_at,
        activity=activity_of(conversation),
        have_replies=conversation.have_replies,
        raw="",
    )


def same_listing(a: StoredConversation, b: StoredConversation) -> bool:
    """Whether two rows show the same thing in the list (the raw text may differ in order)."""
    return (
        a.activity == b.activity
        and a.users == b.users
        and a.contact == b.contact
        and a.channels == b.channels
        and a.have_replies == b.have_replies
        and a.contact_id == b.contact_id
    )

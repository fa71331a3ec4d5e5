"""Read marks the app owes lemlist, kept in the local inbox so they outlive the process.

Opening an unread conversation is a promise to mark it read on lemlist for the whole
team. Offline, or when the app quits before the request lands, that promise sits in the
database (``pending_marks``) and is kept on the next start: ``restore`` hands every owed
mark back to the queue, which sends each once and crosses it off only when the server
confirmed it. The queue itself (``api.mark_queue``) retries with backoff; this module only
connects it to the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lemlist_inbox.api.mark_queue import MarkQueue
    from lemlist_inbox.inbox.db import InboxDatabase

__all__ = ["owed_ids", "restore"]


def restore(queue: MarkQueue, db: InboxDatabase, user_id: str) -> int:
    """Queue the marks a previous run still owed for ``user_id``; returns how many.

    Must run on the event loop (the queue starts a task per mark). Marks of other users
    stay in the file for when that user is viewed again.
    """
    count = 0
    for mark in db.pending_marks():
        if mark.user_id == user_id and queue.submit(mark.contact_id, mark.user_id, mark.conversation_id):
            count += 1
    return count


def owed_ids(db: InboxDatabase, user_id: str) -> set[str]:
    """Conversations read here but not yet on lemlist: a sync must not show them unread."""
    return {mark.conversation_id for mark in db.pending_marks() if mark.user_id == user_id}

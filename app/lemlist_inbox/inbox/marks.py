"""Read marks the app owes lemlist, kept in the local inbox so they outlive the process.

Opening an unread conversation is a promise to mark it read on lemlist for the whole
team. Offline, or when the app quits before the request lands, that promise sits in the
database (``pending_marks``) and is kept on the next start: ``restore`` hands every owed
mark back to the queue, which sends each once and crosses it off only when the server
confirmed it. The queue itself (``api.mark_queue``) retries with backoff; this module only
connects it to the database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lemlist_inbox.api.mark_queue import MarkQueue
    from lemlist_inbox.inbox.db import InboxDatabase
    from lemlist_inbox.inbox.local import LocalInbox

__all__ = ["PROCESS_OWNER", "MarkBook", "instance_alive", "new_owner", "owed_ids", "restore"]


def new_owner() -> str:
    """A claim owner for one running instance: the process id (to tell a live holder
    from a dead one) and a random part (two apps in one process are two instances)."""
    owner = f"{os.getpid()}:{secrets.token_hex(4)}"
    _LIVE.add(owner)
    return owner


#: Owners of this process still running (a ``MarkBook`` drops its own on close).
_LIVE: set[str] = set()
#: The owner of callers that name none (the CLI: one instance per process).
PROCESS_OWNER = new_owner()


def instance_alive(owner: str) -> bool:
    """Whether the instance that wrote ``owner`` may still run."""
    try:
        pid = int(owner.split(":", 1)[0])
    except ValueError:
        return False
    if pid == os.getpid():
        return owner in _LIVE
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # e.g. another user's process: it exists
        return True
    return True


def restore(
    queue: MarkQueue,
    db: InboxDatabase,
    user_id: str,
    *,
    owner: str = PROCESS_OWNER,
    alive: Callable[[str], bool] = instance_alive,
) -> int:
    """Queue the marks a previous run still owed for ``user_id``; returns how many.

    Must run on the event loop (the queue starts a task per mark). Marks of other users
    stay in the file for when that user is viewed again. A mark another running
    instance already sends (``claim_mark``) is left to it: sent once, not twice.
    """
    count = 0
    for mark in db.pending_marks():
        if mark.user_id != user_id or queue.is_pending(mark.conversation_id, mark.user_id):
            continue
        if not db.claim_mark(mark.conversation_id, mark.user_id, owner, alive):
            continue
        if queue.submit(mark.contact_id, mark.user_id, mark.conversation_id):
            count += 1
    return count


def owed_ids(db: InboxDatabase, user_id: str) -> set[str]:
    """Conversations read here but not yet on lemlist: a sync must not show them unread."""
    return {mark.conversation_id for mark in db.pending_marks() if mark.user_id == user_id}


class MarkBook:
    """The ``MarkJournal`` of the app's one ``MarkQueue``: each mark goes to the local
    inbox of the user it is for (the viewing user can change while a mark is owed).

    Writing a mark down (to a file: it can no longer be lost) also tells that inbox the
    conversation was read here, so no sync shows it unread again before lemlist has it;
    crossing it off says lemlist has.
    A user whose inbox is not attached (never viewed in this run) gets nothing written.
    """

    def __init__(self, owner: str | None = None) -> None:
        self._inboxes: dict[str, LocalInbox] = {}
        #: Who claims the marks written here (``restore``); one per app.
        self.owner = owner or new_owner()
        #: Told (conversation id, user id) when a mark was written to disk: the list may
        #: show the row read now, as the mark can no longer be lost.
        self.on_kept: Callable[[str, str], None] | None = None

    def attach(self, inbox: LocalInbox) -> None:
        """Keep ``inbox`` for its user's marks (the latest one opened wins)."""
        self._inboxes[inbox.user_id] = inbox

    def inbox(self, user_id: str) -> LocalInbox | None:
        return self._inboxes.get(user_id)

    def kept(self, user_id: str) -> bool:
        """Whether a mark owed for ``user_id`` is on disk (so it outlives this process)."""
        inbox = self._inboxes.get(user_id)
        db = inbox.db if inbox is not None else None
        return db is not None and db.path is not None and db.degraded is None

    def add_pending_mark(self, conversation_id: str, contact_id: str, user_id: str) -> None:
        inbox = self._inboxes.get(user_id)
        if inbox is None:
            return
        if inbox.db is not None:
            inbox.db.add_pending_mark(conversation_id, contact_id, user_id)
            # Ours to send: an instance started meanwhile must not restore it too.
            inbox.db.claim_mark(conversation_id, user_id, self.owner, instance_alive)
        if not self.kept(user_id):
            return  # in memory only (``cache = false``): read once lemlist has it, as ever
        inbox.read_here(conversation_id)
        if self.on_kept is not None:
            self.on_kept(conversation_id, user_id)

    def note_mark_failure(self, conversation_id: str, user_id: str, error: str) -> None:
        inbox = self._inboxes.get(user_id)
        if inbox is not None and inbox.db is not None:
            inbox.db.note_mark_failure(conversation_id, user_id, error)

    def remove_pending_mark(self, conversation_id: str, user_id: str) -> None:
        inbox = self._inboxes.get(user_id)
        if inbox is None:
            return
        inbox.read_confirmed(conversation_id)
        if inbox.db is not None:
            # The row first: a crash between the two leaves the mark owed (sent again,
            # harmless), never a landed mark shown unread after a restart.
            inbox.db.set_read(conversation_id, user_id)
            inbox.db.remove_pending_mark(conversation_id, user_id)
            inbox.db.release_mark(conversation_id, user_id)

    def close(self) -> None:
        """The app is done: its claims may be taken over by the next start."""
        _LIVE.discard(self.owner)
        for inbox in self._inboxes.values():
            inbox.close()
        self._inboxes.clear()

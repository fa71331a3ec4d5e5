"""Mark-as-read on open: once per shown conversation, never dropped, never for one unseen.

A conversation is marked read when its thread is *on screen*, not when it is asked
for: a thread still loading when the user moves on (``J J J`` over a slow link), or
opened while the pane was hidden and replaced before it showed, was never read, and
marking it would tell the whole team a lie. So the thread request never carries
``markAsRead``; the pane hands a mark over here once the thread is painted, and the
``MarkQueue`` sends it (``client.mark_read``), retries it in the background when it
fails, and reports it if it keeps failing.

No widget here: the pane is told through callbacks, so what is owed and what is
shown stay apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lemlist_inbox.api.mark_queue import MarkQueue, PendingMark
from lemlist_inbox.render import sanitize_line

__all__ = ["MarkSubject", "OpenMarks", "OwedMark"]


class MarkSubject(Protocol):
    """What marking needs of a conversation: the store's ``Entry`` or an API model.

    One rule for "is read by" (``api.read_state.is_read_by``) behind both.
    """

    @property
    def id(self) -> str: ...

    def is_read_by(self, user_id: str | None) -> bool: ...


@dataclass(frozen=True)
class OwedMark:
    """A mark the user asked for by opening a conversation, to send once it is shown."""

    conversation: MarkSubject
    contact_id: str
    user_id: str


class OpenMarks:
    """The marks owed for shown conversations, through the queue.

    ``marked(conversation_id, user_id)``: the server took a mark. ``failing(conversation_id,
    text)``: a queued mark keeps failing (text for the user). ``label`` names a
    conversation's contact in the failure text.
    """

    def __init__(
        self,
        queue: MarkQueue,
        *,
        marked: Callable[[str, str], None],
        failing: Callable[[str, str], None],
        label: Callable[[MarkSubject], str],
    ) -> None:
        self._queue = queue
        self._marked = marked
        self._failing = failing
        self._label = label
        queue.on_success = self._mark_landed
        queue.on_failure = self._mark_failing
        #: MarkSubject objects whose mark is queued, to update the model when it lands.
        self._queued: dict[tuple[str, str], MarkSubject] = {}

    def owed(self, conversation: MarkSubject, user_id: str) -> bool:
        """Whether showing ``conversation`` should mark it: unread, and no mark on its way."""
        if conversation.is_read_by(user_id):
            return False
        return not self._queue.is_pending(conversation.id, user_id)  # once is enough

    def send(self, mark: OwedMark) -> None:
        """The conversation is on screen: send its mark (queued, retried until it lands)."""
        key = (mark.conversation.id, mark.user_id)
        self._queued[key] = mark.conversation
        self._queue.submit(mark.contact_id, mark.user_id, mark.conversation.id)

    async def flush(self, timeout: float) -> list[str]:
        """On quit: send pending marks within ``timeout``; return the ids that could not be sent."""
        return await self._queue.flush(max(0.0, timeout))

    def close(self) -> None:
        """The pane is going away: stop the retries (pending marks are kept in the queue)."""
        self._queue.close()

    def _mark_landed(self, mark: PendingMark) -> None:
        conversation = self._queued.pop((mark.conversation_id, mark.user_id), None)
        # An API model is updated here; the store's entry by the screen (``MarkedRead``).
        mark_read_by = getattr(conversation, "mark_read_by", None)
        if callable(mark_read_by):
            mark_read_by(mark.user_id)
        self._marked(mark.conversation_id, mark.user_id)

    def _mark_failing(self, mark: PendingMark) -> None:
        conversation = self._queued.get((mark.conversation_id, mark.user_id))
        who = self._label(conversation) if conversation is not None else mark.conversation_id
        tries = "try" if mark.attempts == 1 else "tries"
        reason = sanitize_line(mark.last_error or "unknown error", 300)
        self._failing(
            mark.conversation_id,
            f"Could not mark the conversation with {who} as read after {mark.attempts} {tries} "
            f"({reason}); still retrying in the background.",
        )

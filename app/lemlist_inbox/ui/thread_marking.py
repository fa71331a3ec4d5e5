"""Mark-as-read on open: sent exactly once per open of an unread conversation, never dropped.

Two routes, and this module owns the marks in flight on both: the thread request
itself carries the mark (``markAsRead=true``) when the thread has to be fetched, or
the ``MarkQueue`` sends it (``client.mark_read``) when the thread was already cached.
A marking request that fails or is cancelled hands its mark to the queue, which
retries it in the background and reports it if it keeps failing.

No widget here: the pane is told through callbacks, so what is owed and what is
shown stay apart.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lemlist_inbox.api.errors import AuthError, BadRequestError, NotFoundError, PaymentRequiredError
from lemlist_inbox.api.mark_queue import MarkQueue, PendingMark
from lemlist_inbox.render import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient, Thread
    from lemlist_inbox.api.models import Conversation

__all__ = ["MarkIntent", "OpenMarks"]


@dataclass
class MarkIntent:
    """A mark riding on a thread request (``markAsRead=true``), settled exactly once.

    The request runs as its own task, shielded from the load worker: if the user moves
    on before it answers, it still finishes, so the mark is neither lost nor sent twice.
    """

    conversation: Conversation
    contact_id: str
    user_id: str
    generation: int
    settled: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.conversation.id, self.user_id)


class OpenMarks:
    """The marks owed for opened conversations: riding on thread requests, or queued.

    ``marked(conversation_id, user_id)``: the server took a mark. ``failing(conversation_id,
    text)``: a queued mark keeps failing (text for the user). ``fetched(intent, thread)``: a
    marking thread request answered (the pane may have moved on; it decides). ``label``
    names a conversation's contact in the failure text.
    """

    def __init__(
        self,
        client: LemlistClient,
        queue: MarkQueue,
        *,
        marked: Callable[[str, str], None],
        failing: Callable[[str, str], None],
        fetched: Callable[[MarkIntent, Thread], None],
        label: Callable[[Conversation], str],
    ) -> None:
        self._client = client
        self._queue = queue
        self._marked = marked
        self._failing = failing
        self._fetched = fetched
        self._label = label
        queue.on_success = self._mark_landed
        queue.on_failure = self._mark_failing
        #: Thread requests carrying a mark, by (conversation id, user id).
        self._fetches: dict[tuple[str, str], asyncio.Task[Thread]] = {}
        #: Conversation objects whose mark is queued, to update the model when it lands.
        self._queued: dict[tuple[str, str], Conversation] = {}
        self._closing = False

    def owed(self, conversation: Conversation, user_id: str) -> bool:
        """Whether opening ``conversation`` should mark it: unread, and no mark on its way."""
        if conversation.is_read_by(user_id):
            return False
        if self._queue.is_pending(conversation.id, user_id):
            return False  # already owed and being retried: once is enough
        return (conversation.id, user_id) not in self._fetches  # already on its way

    def in_flight(self, conversation_id: str, user_id: str | None) -> asyncio.Task[Thread] | None:
        """The thread request already carrying this mark, to wait for it rather than send another."""
        return self._fetches.get((conversation_id, user_id)) if user_id is not None else None

    def queue(self, conversation: Conversation, contact_id: str, user_id: str) -> None:
        self._queued[(conversation.id, user_id)] = conversation
        self._queue.submit(contact_id, user_id, conversation.id)

    def fetch(self, intent: MarkIntent) -> asyncio.Task[Thread]:
        """Fetch the thread with ``markAsRead=true`` as a task of its own (see ``MarkIntent``)."""
        task = asyncio.get_running_loop().create_task(
            self._client.thread(intent.contact_id, user_id=intent.user_id, mark_as_read=True),
            name=f"thread+mark {intent.conversation.id}",
        )
        self._fetches[intent.key] = task
        task.add_done_callback(functools.partial(self._fetch_done, intent))
        return task

    async def flush(self, timeout: float) -> list[str]:
        """On quit: send pending marks within ``timeout``; return the ids that could not be sent."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        fetches = list(self._fetches.values())
        if fetches:
            # Thread requests carrying a mark are still out: let them answer (a success
            # settles the mark, a failure queues it), then cancel the stragglers, which
            # hands their marks to the queue too.
            _, late = await asyncio.wait(fetches, timeout=max(0.0, timeout))
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        return await self._queue.flush(max(0.0, deadline - loop.time()))

    def close(self) -> None:
        """The pane is going away: stop the requests; a cancelled one queues nothing now."""
        self._closing = True
        for task in list(self._fetches.values()):
            task.cancel()
        self._queue.close()

    def _landed(self, conversation: Conversation | None, conversation_id: str, user_id: str) -> None:
        if conversation is not None:
            conversation.mark_read_by(user_id)
        self._marked(conversation_id, user_id)

    def _mark_landed(self, mark: PendingMark) -> None:
        conversation = self._queued.pop((mark.conversation_id, mark.user_id), None)
        self._landed(conversation, mark.conversation_id, mark.user_id)

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

    def _fetch_done(self, intent: MarkIntent, task: asyncio.Task[Thread]) -> None:
        if self._fetches.get(intent.key) is task:
            del self._fetches[intent.key]
        if intent.settled:
            return
        intent.settled = True
        exc = None if task.cancelled() else task.exception()
        if not task.cancelled() and exc is None:
            self._landed(intent.conversation, intent.conversation.id, intent.user_id)
            self._fetched(intent, task.result())
            return
        # Failed or cancelled: the queue takes the mark over and retries it. Not for
        # errors a retry cannot fix about this contact (not found, bad request, key):
        # the pane shows those, and a contact that does not exist cannot be marked.
        if self._closing:
            return
        if isinstance(exc, NotFoundError | BadRequestError | AuthError | PaymentRequiredError):
            return
        self.queue(intent.conversation, intent.contact_id, intent.user_id)

"""A background queue of ``markAsRead`` calls that could not be sent yet.

Marking a conversation read is a promise made to the user the moment they open it:
dropping it because the link was down for a minute would leave the conversation
unread on lemlist and in every teammate's inbox. So a mark that fails is kept here
and retried with a bounded backoff for as long as the app runs; after a few failed
tries the caller is told (so the UI can say so), but the mark stays pending. On quit
``flush`` gives every pending mark one last short chance and returns the ones that
still could not be sent, so they can be reported instead of vanishing.

Pure asyncio, no Textual: the UI passes callbacks and runs them on its own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from lemlist_inbox.api.errors import (
    AuthError,
    BadRequestError,
    LemlistError,
    NotFoundError,
    PaymentRequiredError,
    describe_error,
)

__all__ = ["MarkClient", "MarkJournal", "MarkQueue", "PendingMark", "default_backoff"]


class MarkClient(Protocol):
    """The one client method the queue needs (``LemlistClient`` provides it)."""

    async def mark_read(self, contact_id: str, user_id: str) -> None: ...


@dataclass
class PendingMark:
    """One mark still owed to the server, with what happened on the last try."""

    conversation_id: str
    contact_id: str
    user_id: str
    attempts: int = 0
    last_error: str | None = None
    reported: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.conversation_id, self.user_id)


def default_backoff(failures: int) -> float:
    """Seconds to wait after ``failures`` failed tries: 1, 2, 4 ... capped at 60, with jitter.

    The cap keeps an offline mark cheap (one request a minute) yet quick to land
    once the link is back; the jitter keeps many pending marks from retrying in step.
    """
    base = min(60.0, 2.0 ** max(0, failures - 1))
    return base * random.uniform(0.8, 1.2)


# Errors a retry cannot fix on its own: reported at the first failure instead of
# after the retry budget, so the user hears about a revoked key at once. They are
# still retried (slowly), as the queue never drops a mark while the app runs.
_PERMANENT: tuple[type[LemlistError], ...] = (
    AuthError,
    BadRequestError,
    NotFoundError,
    PaymentRequiredError,
)


MarkCallback = Callable[[PendingMark], None]


class MarkJournal(Protocol):
    """Where owed marks are written down so they outlive the process (the local inbox).

    The queue calls it as marks come and go; a journal that fails must not stop the
    queue (the local database degrades itself instead of raising).
    """

    def add_pending_mark(self, conversation_id: str, contact_id: str, user_id: str) -> None: ...

    def note_mark_failure(self, conversation_id: str, user_id: str, error: str) -> None: ...

    def remove_pending_mark(self, conversation_id: str, user_id: str) -> None: ...


class MarkQueue:
    """Pending ``markAsRead`` calls, each retried by its own task until it lands.

    One task per pending mark (bounded by ``concurrency`` for the actual requests)
    keeps a slow or failing mark from holding up the others; the client's shared
    rate limiter still bounds the total request rate.
    """

    def __init__(
        self,
        client: MarkClient,
        *,
        max_attempts_before_report: int = 5,
        backoff: Callable[[int], float] = default_backoff,
        concurrency: int = 4,
        on_success: MarkCallback | None = None,
        on_failure: MarkCallback | None = None,
        journal: MarkJournal | None = None,
    ) -> None:
        self._client = client
        self._journal = journal
        self._report_after = max(1, max_attempts_before_report)
        self._backoff = backoff
        self._concurrency = max(1, concurrency)
        self._semaphore: asyncio.Semaphore | None = None
        self.on_success = on_success
        self.on_failure = on_failure
        self._pending: dict[tuple[str, str], PendingMark] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self.sent = 0  # marks that landed through this queue, for status and tests

    # -- queries -------------------------------------------------------------------

    @property
    def pending(self) -> list[str]:
        """Conversation ids whose mark has not reached the server yet."""
        return [mark.conversation_id for mark in self._pending.values()]

    def pending_marks(self) -> list[PendingMark]:
        return list(self._pending.values())

    def is_pending(self, conversation_id: str, user_id: str | None = None) -> bool:
        """Is a mark for this conversation (for this user, if given) still owed?"""
        if user_id is not None:
            return (conversation_id, user_id) in self._pending
        return any(key[0] == conversation_id for key in self._pending)

    def __len__(self) -> int:
        return len(self._pending)

    # -- submitting ----------------------------------------------------------------

    def submit(self, contact_id: str, user_id: str, conversation_id: str, *, delay: float = 0.0) -> bool:
        """Queue a mark and start sending it (after ``delay`` seconds).

        Must be called from the event loop. Returns False when the same mark is already
        pending: a conversation is marked once, however often it is opened meanwhile.
        """
        mark = PendingMark(conversation_id=conversation_id, contact_id=contact_id, user_id=user_id)
        if mark.key in self._pending:
            return False
        self._pending[mark.key] = mark
        if self._journal is not None:
            # Written down before the first try: a crash from here on cannot lose it.
            self._journal.add_pending_mark(conversation_id, contact_id, user_id)
        self._start(mark, delay)
        return True

    def resume(self) -> None:
        """Restart background retries (after ``flush`` stopped them), sending at once."""
        for mark in self._pending.values():
            if mark.key not in self._tasks:
                self._start(mark, 0.0)

    def _start(self, mark: PendingMark, delay: float) -> None:
        task = asyncio.get_running_loop().create_task(
            self._retry(mark, delay), name=f"mark-read {mark.conversation_id}"
        )
        self._tasks[mark.key] = task
        task.add_done_callback(functools.partial(self._forget_task, mark.key))

    def _forget_task(self, key: tuple[str, str], task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]

    # -- sending -------------------------------------------------------------------

    def _limit(self) -> asyncio.Semaphore:
        # Created lazily so the queue can be built before the loop runs (in a widget's __init__).
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self._concurrency)
        return self._semaphore

    async def _attempt(self, mark: PendingMark) -> bool:
        """One try; True when the mark landed (and has left the queue)."""
        async with self._limit():
            if mark.key not in self._pending:  # settled by another path meanwhile
                return True
            try:
                await self._client.mark_read(mark.contact_id, mark.user_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure keeps the mark; a bug must not kill the task
                mark.attempts += 1
                mark.last_error = describe_error(exc)
                if self._journal is not None:
                    self._journal.note_mark_failure(mark.conversation_id, mark.user_id, mark.last_error)
                permanent = isinstance(exc, _PERMANENT)
                if not mark.reported and (permanent or mark.attempts >= self._report_after):
                    mark.reported = True
                    self._notify(self.on_failure, mark)
                return False
        if self._pending.pop(mark.key, None) is not None:
            if self._journal is not None:
                self._journal.remove_pending_mark(mark.conversation_id, mark.user_id)
            self.sent += 1
            self._notify(self.on_success, mark)
        return True

    async def _retry(self, mark: PendingMark, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        while not await self._attempt(mark):
            await asyncio.sleep(max(0.0, self._backoff(mark.attempts)))

    @staticmethod
    def _notify(callback: MarkCallback | None, mark: PendingMark) -> None:
        if callback is None:
            return
        # A broken listener must not stop the retries of every other mark.
        with contextlib.suppress(Exception):
            callback(mark)

    # -- shutting down ---------------------------------------------------------------

    async def _stop_tasks(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()

    async def flush(self, timeout: float = 3.0) -> list[str]:
        """Give every pending mark one last try, within ``timeout`` seconds in all.

        For quit: background retries stop (``resume`` restarts them), each pending mark
        is sent once more, concurrently, and the conversation ids that still could not
        be sent are returned so the caller can report them.
        """
        await self._stop_tasks()
        marks = list(self._pending.values())
        if marks:
            attempts = asyncio.gather(*(self._attempt(mark) for mark in marks), return_exceptions=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(attempts, timeout=max(0.0, timeout))
        return self.pending

    async def aclose(self) -> None:
        """Stop retrying (pending marks are kept, see ``pending``)."""
        await self._stop_tasks()

    def close(self) -> None:
        """Cancel the retry tasks without waiting (for synchronous teardown)."""
        for task in list(self._tasks.values()):
            task.cancel()

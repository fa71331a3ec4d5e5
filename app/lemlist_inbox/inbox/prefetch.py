"""The background prefetch: store the newest ``prefetch_threads`` threads.

Why: the list's subjects and first words come from stored threads (``inbox.summary``),
full-text search covers stored messages only, and offline only a stored thread opens.
So after each sync the newest conversations' threads are fetched and stored, as
``lemlist-inbox sync --threads N`` does:

* **never marking anything read**: ``markAsRead`` is never sent (a prefetch is not the
  user reading), and the stored copy changes nothing the list says about read state;
* **behind what the user asks for**: its requests are ``background`` ones
  (``api.ratelimit``): they wait while any other request waits and leave a quarter of
  each rate window free, so an opened thread never queues behind the prefetch; and
  only ``CONCURRENCY`` are in flight at once;
* **resumable**: a thread whose stored copy is fresh (the conversation has not moved
  since it was fetched) costs no request, so after a restart the prefetch goes on
  where it stopped; a fresh copy kept without a summary (a file of the previous
  schema) is summarized from the file;
* progress is reported as (done, of how many), fresh copies counted as done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from lemlist_inbox.api.errors import LemlistError, NetworkError

if TYPE_CHECKING:
    from lemlist_inbox.api.client import Thread
    from lemlist_inbox.inbox.local import LocalInbox
    from lemlist_inbox.inbox.store import Entry

__all__ = ["CONCURRENCY", "PrefetchResult", "ThreadClient", "gather_or_cancel", "prefetch_threads"]

#: Threads fetched at once: few, the rest of the budget is the user's.
CONCURRENCY = 2


class ThreadClient(Protocol):
    """What the prefetch needs of ``LemlistClient``."""

    async def thread(
        self,
        contact_id: str,
        *,
        user_id: str | None = None,
        mark_as_read: bool = False,
        page_size: int = 100,
        urgent: bool = True,
        background: bool = False,
    ) -> Thread: ...


@dataclass
class PrefetchResult:
    """What one prefetch did."""

    total: int = 0
    stored: int = 0
    fresh: int = 0
    failed: int = 0
    summarized: int = 0

    @property
    def done(self) -> int:
        return self.stored + self.fresh + self.failed


async def prefetch_threads(
    local: LocalInbox,
    client: ThreadClient,
    *,
    count: int,
    user_id: str | None,
    on_progress: Callable[[PrefetchResult], None] | None = None,
    concurrency: int = CONCURRENCY,
) -> PrefetchResult:
    """Store the threads of the newest ``count`` conversations that are not fresh.

    Raises ``NetworkError`` (the link is down: the rest waits for the next sync);
    any other API error costs its one thread. Nothing without a local inbox file.
    """
    result = PrefetchResult()
    db = local.db
    if db is None or count <= 0:
        return result
    entries = [entry for entry in local.store.newest(count) if entry.thread_id]
    result.total = len(entries)
    states = await asyncio.to_thread(db.thread_states)
    report = on_progress or (lambda progress: None)
    todo: list[Entry] = []
    for entry in entries:
        contact_id = entry.thread_id
        assert contact_id is not None
        state = states.get(contact_id)
        if state is not None and -entry.key[0] <= state[0]:
            result.fresh += 1
            if not state[1] and await local.threads.summarize_stored(contact_id) is not None:
                result.summarized += 1
        else:
            todo.append(entry)
    report(result)
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(entry: Entry) -> None:
        contact_id = entry.thread_id
        assert contact_id is not None
        activity = -entry.key[0]
        async with gate:
            # Opened (and stored) by the user while this one waited its turn: nothing to do.
            stored = await asyncio.to_thread(db.thread_activity, contact_id)
            if stored is not None and activity <= stored:
                result.fresh += 1
                report(result)
                return
            try:
                # Never markAsRead: storing a thread is not the user reading it.
                thread = await client.thread(
                    contact_id, user_id=user_id, mark_as_read=False, urgent=False, background=True
                )
            except NetworkError:
                raise
            except LemlistError:  # one thread gone or refused: the others still count
                result.failed += 1
                report(result)
                return
        await local.threads.save(contact_id, thread, activity=activity, contact_name=entry.name)
        result.stored += 1
        report(result)

    await gather_or_cancel([one(entry) for entry in todo])
    return result


async def gather_or_cancel(jobs: Iterable[Awaitable[None]]) -> None:
    """Run ``jobs`` together; when one fails (or this is cancelled), cancel the rest.

    The others are collected before the error goes on, so none is left running
    against a closed client or with an exception nobody retrieved.
    """
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise

"""Keeping the local inbox in step with lemlist: cold load, incremental sync, reconcile.

The API has no change feed and no filters; all it offers is the inbox ordered by last
activity, newest first, 20 requests / 2 s. So:

* **cold** (nothing stored, or the last full load never finished): every page, streamed
  into the store as today and saved as it comes;
* **incremental** (a warm start, ``r``, auto-refresh): pages from the top until the first
  page that brings nothing new or changed: new activity lifts a conversation to the top,
  so everything below the first unchanged page is as stored. A restart after a few new
  replies costs one or two requests instead of the whole inbox;
* **reconcile**: read states change without moving a conversation (a teammate reads it on
  the web) and conversations disappear; neither shows at the top. So at most every
  ``reconcile_interval`` every page is walked once more, at a low concurrency so threads
  the user opens (urgent requests) always pass first, and what the server no longer
  lists is removed. A walk that fails part-way removes nothing.

Every function here merges into the in-memory store (what the list draws) and writes
what changed to the database in a worker thread, so the event loop never waits on disk.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from lemlist_inbox.api.pagination import iter_pages
from lemlist_inbox.inbox.rows import listing_row, stored_row

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Conversation, Page
    from lemlist_inbox.inbox.db import InboxDatabase
    from lemlist_inbox.inbox.store import ConversationStore, MergeResult

__all__ = [
    "SyncClient",
    "SyncProgress",
    "full_load",
    "incremental",
    "needs_full_load",
    "reconcile",
    "reconcile_due",
    "walked_before",
]

#: Pages an incremental sync reads at most before it turns into a full walk (a burst of
#: activity bigger than this is rarer than a restart after a day offline).
MAX_INCREMENTAL_PAGES = 20
#: Concurrent page requests while reconciling: low, so the user's own requests go first.
RECONCILE_CONCURRENCY = 2

STATE_COMPLETE = "complete"
STATE_LAST_SYNC = "last_sync"
STATE_LAST_RECONCILE = "last_reconcile"


class SyncClient(Protocol):
    """What sync needs of ``LemlistClient``."""

    page_concurrency: int

    async def conversations_page(self, user_id: str, page: int, limit: int = 100) -> Page[Conversation]: ...


@dataclass
class SyncProgress:
    """How a sync went, for the status line and ``lemlist-inbox sync``."""

    kind: str
    requests: int = 0
    loaded: int = 0
    changed: int = 0
    removed: int = 0
    skipped: int = 0
    expected: int | None = None
    complete: bool = False
    #: The page just merged (de-duplicated), for a caller printing rows as they come
    #: (``lemlist-inbox list`` on an empty store); only the latest is kept.
    page: Page[Conversation] | None = None


PageCallback = Callable[["MergeResult", SyncProgress], None]


def _noop(merged: MergeResult, progress: SyncProgress) -> None:
    return None


async def _save(db: InboxDatabase | None, conversations: Sequence[Conversation]) -> None:
    """Write changed conversations (raw items included) off the event loop."""
    if db is None or not conversations:
        return
    items = list(conversations)
    await asyncio.to_thread(lambda: db.save_conversations([stored_row(c) for c in items]))


async def _set_state(db: InboxDatabase | None, stamps: dict[str, float | str]) -> None:
    if db is None:
        return

    def write() -> None:
        for key, value in stamps.items():
            db.set_state(key, str(value))

    await asyncio.to_thread(write)


def _changed(store: ConversationStore, page: Page[Conversation]) -> list[Conversation]:
    return [c for c in page.items if not store.unchanged(listing_row(c))]


def _merge(store: ConversationStore, changed: list[Conversation], keep_read: Collection[str]) -> MergeResult:
    """Merge, then re-apply the reads the server has not confirmed yet.

    A mark made offline is the user's word: a page fetched before it reaches lemlist
    still says "unread", and must not undo it on screen.
    """
    merged = store.merge(changed)
    if keep_read:
        for conversation in changed:
            if conversation.id in keep_read:
                store.mark_read(conversation.id)
    return merged


def _account(progress: SyncProgress, page: Page[Conversation], changed: int) -> None:
    progress.requests += 1
    progress.page = page
    progress.loaded += len(page.items)
    progress.changed += changed
    progress.skipped += page.skipped
    total = page.pagination.total_items
    if total is not None and total >= 0:
        progress.expected = total


async def _walk(
    client: SyncClient,
    store: ConversationStore,
    db: InboxDatabase | None,
    user_id: str,
    progress: SyncProgress,
    *,
    page_size: int,
    concurrency: int,
    on_page: PageCallback,
    keep_read: Collection[str],
) -> set[str]:
    """Every page, merged and saved as it comes; returns the ids the server listed."""
    seen: set[str] = set()
    listed: set[str] = set()

    async def fetch(number: int) -> Page[Conversation]:
        return await client.conversations_page(user_id, number, page_size)

    pages = iter_pages(fetch, limit=page_size, concurrency=concurrency, seen=seen, verify=True)
    async with contextlib.aclosing(pages):
        async for page in pages:
            listed.update(c.id for c in page.items)
            changed = _changed(store, page)
            merged = _merge(store, changed, keep_read)
            _account(progress, page, len(changed))
            await _save(db, changed)
            on_page(merged, progress)
    return listed | seen


async def full_load(
    client: SyncClient,
    store: ConversationStore,
    db: InboxDatabase | None,
    user_id: str,
    *,
    page_size: int,
    on_page: PageCallback = _noop,
    keep_read: Collection[str] = (),
) -> SyncProgress:
    """Every page (cold start, or after an unfinished one); a complete walk also reconciles."""
    return await _walk_every_page(
        "full", client.page_concurrency, client, store, db, user_id, page_size, on_page, keep_read
    )


async def reconcile(
    client: SyncClient,
    store: ConversationStore,
    db: InboxDatabase | None,
    user_id: str,
    *,
    page_size: int,
    on_page: PageCallback = _noop,
    keep_read: Collection[str] = (),
) -> SyncProgress:
    """Walk every page at low concurrency; pick up read states, drop what is gone."""
    concurrency = min(RECONCILE_CONCURRENCY, client.page_concurrency)
    return await _walk_every_page(
        "reconcile", concurrency, client, store, db, user_id, page_size, on_page, keep_read
    )


async def _walk_every_page(
    kind: str,
    concurrency: int,
    client: SyncClient,
    store: ConversationStore,
    db: InboxDatabase | None,
    user_id: str,
    page_size: int,
    on_page: PageCallback,
    keep_read: Collection[str],
) -> SyncProgress:
    """A walk to the last page, then what it did not list is removed (both strategies)."""
    progress = SyncProgress(kind)
    listed = await _walk(
        client,
        store,
        db,
        user_id,
        progress,
        page_size=page_size,
        concurrency=concurrency,
        on_page=on_page,
        keep_read=keep_read,
    )
    await _finish_walk(store, db, listed, progress)
    return progress


async def _finish_walk(
    store: ConversationStore, db: InboxDatabase | None, listed: set[str], progress: SyncProgress
) -> None:
    """After a walk that reached its end: remove what the server no longer lists."""
    gone = [conversation_id for conversation_id in store.ids() if conversation_id not in listed]
    progress.removed = store.remove(gone)
    if db is not None and gone:
        await asyncio.to_thread(db.delete_conversations, gone)
    progress.complete = True
    now = time.time()
    await _set_state(db, {STATE_COMPLETE: "1", STATE_LAST_SYNC: now, STATE_LAST_RECONCILE: now})


async def incremental(
    client: SyncClient,
    store: ConversationStore,
    db: InboxDatabase | None,
    user_id: str,
    *,
    page_size: int,
    on_page: PageCallback = _noop,
    keep_read: Collection[str] = (),
    max_pages: int = MAX_INCREMENTAL_PAGES,
) -> SyncProgress:
    """Pages from the top until one brings nothing new or changed (see the module docstring).

    If even ``max_pages`` pages all changed, the burst is too large to follow page by
    page (items shift between requests): the rest is left to a full walk, which the
    caller runs when ``complete`` is False.
    """
    progress = SyncProgress("incremental")
    for number in range(1, max_pages + 1):
        page = await client.conversations_page(user_id, number, page_size)
        changed = _changed(store, page)
        merged = _merge(store, changed, keep_read)
        _account(progress, page, len(changed))
        await _save(db, changed)
        on_page(merged, progress)
        last = page.pagination.total_pages
        if not changed or not page.items or (last is not None and number >= last):
            progress.complete = True
            break
    if progress.complete:
        await _set_state(db, {STATE_LAST_SYNC: time.time()})
    return progress


def reconcile_due(db: InboxDatabase | None, interval: float, now: float | None = None) -> bool:
    """Whether a reconcile walk is owed: never done, or older than ``interval`` seconds."""
    if db is None or interval <= 0:
        return False
    last = db.get_time(STATE_LAST_RECONCILE)
    return last is None or (time.time() if now is None else now) - last >= interval


def walked_before(db: InboxDatabase | None) -> bool:
    """Whether a full walk of this inbox ever finished (so the stored tail is real)."""
    return db is not None and db.get_state(STATE_COMPLETE) == "1"


def needs_full_load(store: ConversationStore, complete: bool) -> bool:
    """Nothing in the list, or no full walk ever finished (its tail was never seen)."""
    return not len(store) or not complete

"""Threads kept in the local inbox: a reopen (also after a restart) costs no request.

A stored thread is the messages exactly as the API sent them plus the conversation's
last activity when they were fetched. It is *fresh* while the conversation has not moved
since (no new message can have arrived without moving it to the top), so the pane shows it
at once and refetches only a stale one, in the background, keeping the stored copy on
screen meanwhile. Offline, a stale copy is still shown (and said to be from then).

Each save also keeps the thread's summary (``inbox.summary``: subject, first words, who
spoke last) and hands it to ``on_summary``, so the list row of a thread just opened or
prefetched fills in at once; without a database the summary is still made and handed
over (the row fills in for this run), only nothing is written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lemlist_inbox.inbox.summary import ThreadSummary, summarize

if TYPE_CHECKING:
    from lemlist_inbox.api.client import Thread
    from lemlist_inbox.inbox.db import InboxDatabase

#: Told of each thread summary made by a save: (contact id, summary), on the event loop.
SummaryListener = Callable[[str, ThreadSummary], None]

__all__ = ["StoredThreads", "ThreadCopy"]


@dataclass(frozen=True)
class ThreadCopy:
    """A thread read back from the database."""

    thread: Thread
    #: The conversation's last activity (POSIX time) when the copy was fetched.
    activity: float
    fetched_at: float

    def fresh_for(self, activity: float) -> bool:
        """Whether nothing can have happened in the conversation since the copy was made."""
        return activity <= self.activity


class StoredThreads:
    """Read and write threads of the local inbox, off the event loop."""

    def __init__(self, db: InboxDatabase | None) -> None:
        self._db = db
        #: Called with every summary a save makes (``LocalInbox`` updates the list's row).
        self.on_summary: SummaryListener | None = None

    async def load(self, contact_id: str) -> ThreadCopy | None:
        """The stored copy of a thread (parsed leniently, as a fetched one), or None."""
        if self._db is None:
            return None
        return await asyncio.to_thread(self.read, contact_id)

    def read(self, contact_id: str) -> ThreadCopy | None:
        """``load`` for a caller already off the event loop (the thread pane's worker,
        which reads, converts and lays out a stored thread in one hop)."""
        db = self._db
        if db is None:
            return None
        stored = db.thread(contact_id)
        if stored is None:
            return None
        from lemlist_inbox.api.client import Thread
        from lemlist_inbox.api.models import Message, parse_items
        from lemlist_inbox.api.pagination import oldest_first

        messages, skipped, reasons = parse_items(Message, stored.messages)
        return ThreadCopy(
            Thread(messages=oldest_first(messages), skipped=skipped, skip_reasons=reasons),
            stored.activity,
            stored.fetched_at,
        )

    async def save(
        self, contact_id: str, thread: Thread, *, activity: float, contact_name: str | None = None
    ) -> None:
        """Keep a fetched thread (as the API sent its messages) for later and offline reading,
        index its rendered text for search, and keep its summary; all in a worker thread."""
        db = self._db
        messages = list(thread.messages)

        def store() -> ThreadSummary | None:
            if db is None:
                return summarize(messages)
            from lemlist_inbox.inbox.search import SearchIndex
            from lemlist_inbox.render.message import render_thread

            db.save_thread(contact_id, [message.to_api_dict() for message in messages], activity=activity)
            rendered = render_thread(messages, contact_name=contact_name)
            SearchIndex(db).index_thread(contact_id, rendered)
            summary = summarize(messages, rendered)
            if summary is not None:
                db.save_summary(contact_id, summary)
            return summary

        summary = await asyncio.to_thread(store)
        if summary is not None and self.on_summary is not None:
            self.on_summary(contact_id, summary)

    async def summarize_stored(self, contact_id: str) -> ThreadSummary | None:
        """Make and keep the summary of a stored thread that has none (one kept before
        summaries existed): no request, only the newest message rendered."""
        db = self._db
        if db is None:
            return None
        copy = await self.load(contact_id)
        if copy is None:
            return None
        messages = list(copy.thread.messages)

        def make() -> ThreadSummary | None:
            summary = summarize(messages)
            if summary is not None:
                db.save_summary(contact_id, summary)
            return summary

        summary = await asyncio.to_thread(make)
        if summary is not None and self.on_summary is not None:
            self.on_summary(contact_id, summary)
        return summary

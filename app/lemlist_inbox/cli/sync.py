"""``lemlist-inbox sync``: bring the local inbox up to date, and store threads for offline.

The same sync as the TUI's (``LocalInbox.sync``): every page on an empty store, else
pages from the top until one brings nothing new, plus a walk of every page when the
last one is older than ``reconcile_interval`` (``--full`` forces it). ``--threads N``
then stores the newest N threads, two at a time and behind anything urgent, skipping
those whose stored copy is fresh and never marking anything read (``markAsRead`` is not
sent). Progress goes to a terminal's stderr; one summary line ends every run, so a cron
job's mail says what happened.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from lemlist_inbox.api.errors import LemlistError, NetworkError
from lemlist_inbox.api.pagination import cap_notice
from lemlist_inbox.cli.local import open_inbox
from lemlist_inbox.cli.session import Session, UsageError, resolve_user
from lemlist_inbox.inbox.prefetch import gather_or_cancel
from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.inbox.local import LocalInbox
    from lemlist_inbox.inbox.store import Entry, MergeResult
    from lemlist_inbox.inbox.sync import SyncProgress

EXIT_OK = 0
#: Threads fetched at once: few, so a TUI running beside us keeps most of the budget.
THREAD_CONCURRENCY = 2


async def cmd_sync(session: Session) -> int:
    if not session.settings.cache:
        raise UsageError("cache = false in the config file: there is no local inbox to sync")
    user_id = await resolve_user(session)
    inbox = open_inbox(session, user_id)
    try:
        return await _sync(session, inbox)
    finally:
        inbox.close()


async def _sync(session: Session, inbox: LocalInbox) -> int:
    out, args = session.out, session.args
    started = time.monotonic()
    client = session.client
    planned: int | None = None

    def on_page(merged: MergeResult, progress: SyncProgress) -> None:
        nonlocal planned
        if progress.page is not None and planned is None:
            planned = progress.page.pagination.total_pages
            if (notice := cap_notice(planned)) is not None:
                out.warning(notice)
        of = f" of {planned}" if planned else ""
        out.progress.show(
            f"syncing: {progress.kind} page {progress.requests}{of}, {len(inbox.store):,} conversations…"
        )

    try:
        progress = await inbox.sync(
            client, page_size=session.settings.page_size, on_page=on_page, force_reconcile=args.full
        )
        stored, fresh, failed = await _threads(session, inbox, args.threads)
    finally:
        out.progress.done()
    elapsed = time.monotonic() - started
    summary = (
        f"synced {len(inbox.store):,} conversations in {elapsed:.1f} s "
        f"({client.stats.requests:,} requests; {progress.kind}"
    )
    if progress.removed:
        summary += f", {progress.removed:,} removed"
    summary += ")"
    if args.threads:
        summary += f"; {stored} thread(s) stored, {fresh} already fresh"
        if failed:
            summary += f", {failed} failed"
    out.message(summary)
    if progress.skipped:
        out.warning(f"skipped {progress.skipped} malformed conversation(s)")
    if inbox.db is not None and inbox.db.warning and inbox.db.warning != inbox.warning:
        out.warning(inbox.db.warning)
    return EXIT_OK


async def _threads(session: Session, inbox: LocalInbox, count: int) -> tuple[int, int, int]:
    """Store the newest ``count`` threads; returns (stored, already fresh, failed).

    Asked as the configured user (``userId`` only when set), like ``show``."""
    if count <= 0:
        return 0, 0, 0
    store = inbox.store
    entries = [e for e in store.view_slice(0, store.view_size) if e.thread_id][:count]
    gate = asyncio.Semaphore(THREAD_CONCURRENCY)
    done = fresh = failed = 0
    ask_as = session.settings.user_id

    async def one(entry: Entry) -> None:
        nonlocal done, fresh, failed
        contact_id = entry.thread_id
        assert contact_id is not None
        activity = -entry.key[0]
        copy = await inbox.threads.load(contact_id)
        if copy is not None and copy.fresh_for(activity):
            fresh += 1
            return
        async with gate:
            try:
                # Never marks: a prefetch for offline reading is not the user reading it.
                thread = await session.client.thread(
                    contact_id, user_id=ask_as, mark_as_read=False, urgent=False
                )
            except NetworkError:
                raise
            except LemlistError as exc:  # one thread gone or refused: the others still count
                failed += 1
                session.out.warning(f"thread {sanitize_line(contact_id, 60)}: {exc}")
                return
        await inbox.threads.save(contact_id, thread, activity=activity, contact_name=entry.name)
        done += 1
        session.out.progress.show(f"storing threads: {done + fresh + failed} of {len(entries)}…")

    await gather_or_cancel([one(entry) for entry in entries])
    return done, fresh, failed

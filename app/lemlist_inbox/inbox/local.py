"""``LocalInbox``: what the app knows and owes for one viewing user, in one object.

The UI (and the CLI) talk to this instead of juggling the database, the in-memory list,
the sync strategy and the marks owed: it opens the right database, builds the list from
it before any request (warm start), picks cold, incremental or reconcile for each sync,
keeps offline reads from being undone, and says how fresh the data is.

No Textual, no pydantic or httpx at import: a warm start imports this before the first
frame, and the client comes later (``api`` types are only named for type checking).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from lemlist_inbox.api.errors import NetworkError
from lemlist_inbox.inbox.db import InboxDatabase, StoredConversation, database_path
from lemlist_inbox.inbox.marks import owed_ids, restore
from lemlist_inbox.inbox.store import ConversationStore, Entry, MergeResult
from lemlist_inbox.inbox.summary import ThreadSummary
from lemlist_inbox.inbox.sync import (
    STATE_LAST_SYNC,
    SyncClient,
    SyncProgress,
    full_load,
    incremental,
    needs_full_load,
    reconcile,
    reconcile_due,
    walked_before,
)
from lemlist_inbox.inbox.threads import StoredThreads

if TYPE_CHECKING:
    from lemlist_inbox.api.mark_queue import MarkQueue


class Strategy(Protocol):
    """``full_load``, ``incremental`` or ``reconcile`` (same arguments, same result)."""

    async def __call__(
        self,
        client: SyncClient,
        store: ConversationStore,
        db: InboxDatabase | None,
        user_id: str,
        *,
        page_size: int,
        on_page: Callable[[MergeResult, SyncProgress], None],
        keep_read: Collection[str],
    ) -> SyncProgress: ...


__all__ = [
    "DATA_DIR_ENV",
    "DEFAULT_RECONCILE_INTERVAL",
    "WARM_HEAD",
    "LocalInbox",
    "OfflineError",
    "StoreOptions",
    "default_data_dir",
    "describe_age",
]

#: Overrides the platform's data dir (tests, a second profile, a portable install).
DATA_DIR_ENV = "LEMLIST_INBOX_DATA"

#: Rows read before the first frame; the rest follow in a worker (one screen is ~40).
WARM_HEAD = 400
#: Stored rows read at a time after the head (``LocalInbox.chunks``).
READ_CHUNK = 5000
#: Seconds between two reconcile walks (read states changed elsewhere, deletions).
DEFAULT_RECONCILE_INTERVAL = 30 * 60.0


@dataclass(frozen=True)
class StoreOptions:
    """Where and whether to keep the inbox (``cache``, the data dir, the interval)."""

    data_dir: Path | None
    base_url: str
    demo: bool = False
    reconcile_interval: float = DEFAULT_RECONCILE_INTERVAL

    def path_for(self, user_id: str) -> Path | None:
        if self.data_dir is None:
            return None
        return database_path(self.data_dir, self.base_url, user_id, demo=self.demo)

    def _last_user_file(self) -> Path | None:
        if self.data_dir is None:
            return None
        return self.data_dir / ("demo-last-user" if self.demo else "last-user")

    def last_user(self) -> str | None:
        """The viewing user chosen last time, for a warm start with no user configured.

        The demo never writes the user's config file, so without this a demo restart
        would ask again and could not show stored rows in its first frame.
        """
        path = self._last_user_file()
        if path is None:
            return None
        try:
            text = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if text and len(text) <= 200 and text.isprintable() else None

    def remember_user(self, user_id: str) -> None:
        """Keep ``user_id`` for ``last_user``; a failure only costs the next warm start."""
        path = self._last_user_file()
        if path is None or not user_id.isprintable():
            return
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                file.write(user_id)
            os.replace(tmp, path)
        except OSError:
            return


class OfflineError(NetworkError):
    """Nothing may be sent (``--offline``): what is not in the local inbox is not there.

    A ``NetworkError`` so every caller already treats it as "no link"; its own type so
    the thread pane can say "not stored" instead of "could not reach lemlist".
    """

    def __init__(self, message: str = "offline (--offline): nothing is sent or fetched") -> None:
        super().__init__(message)


def default_data_dir() -> Path:
    """``$LEMLIST_INBOX_DATA``, else the platform's data dir (``~/.local/share/lemlist-inbox``).

    The data dir, not the cache dir: the local inbox holds read marks and replies not yet
    sent, which a cache cleaner must not delete.
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("lemlist-inbox"))


def describe_age(seconds: float) -> str:
    """ "just now", "3 min ago", "2 h ago", "4 days ago": how old the data on screen is."""
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400 * 2:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


class LocalInbox:
    """The local inbox of one viewing user (see the module docstring)."""

    def __init__(
        self,
        options: StoreOptions,
        user_id: str,
        *,
        clock: Callable[[], float] = time.time,
        store: ConversationStore | None = None,
    ) -> None:
        self.options = options
        self.user_id = user_id
        self._clock = clock
        path = options.path_for(user_id)
        opened = InboxDatabase.open(path) if path is not None else None
        if opened is not None:
            opened.user_id = user_id
        #: One line for the user when the file was rebuilt or cannot be used (said once).
        self.warning = opened.warning if opened is not None else None
        #: The file, or None (``cache = false``, or it could not be opened): then nothing
        #: is kept beyond the list in memory, so memory stays what it was without a store.
        self.db = opened if opened is not None and opened.path is not None else None
        if opened is not None and self.db is None:
            opened.close()
        #: ``store``: the list a widget already draws (emptied for ``user_id``), so a
        #: switch of user keeps one list object on screen.
        if store is not None:
            store.clear(user_id)
        self.store = store if store is not None else ConversationStore(user_id)
        self.threads = StoredThreads(self.db)
        self.threads.on_summary = self._on_summary
        #: Told of the rows a stored thread's summary changed (the list repaints them).
        self.on_rows_changed: Callable[[list[Entry]], None] | None = None
        #: Reads made here that lemlist has not confirmed: they win over what a page says.
        self.owed: set[str] = owed_ids(self.db, user_id) if self.db is not None else set()
        #: Whether a full walk finished, so an incremental sync may stop at the first
        #: unchanged page (the stored tail is real).
        self.complete = walked_before(self.db)
        #: Set when the last sync could not reach lemlist (cleared by the next success).
        self.offline = False
        #: When the last full walk ended, for ``cache = false`` (no file to keep it in).
        self._walked_at: float | None = None

    def _on_summary(self, contact_id: str, summary: ThreadSummary) -> None:
        changed = self.store.apply_summary(contact_id, summary)
        if changed and self.on_rows_changed is not None:
            self.on_rows_changed(changed)

    # -- starting ------------------------------------------------------------------

    def warm_start(self, head: int | None = WARM_HEAD) -> int:
        """Put stored rows in the list, newest first (``head`` of them; None = all).

        Cheap enough for before the first frame with ``head`` set: one indexed query and
        no pydantic. Returns how many rows the list holds afterwards.
        """
        if self.db is not None:
            if head is None:
                for rows in self.chunks():
                    self.store.merge_rows(rows)
            else:
                self.store.merge_rows(self.db.conversations(limit=head))
            self._apply_owed()
        return len(self.store)

    def chunks(self, start: int = 0) -> Iterator[list[StoredConversation]]:
        """The stored rows from ``start`` on, ``READ_CHUNK`` at a time, newest first.

        Read whole, 100,000 rows stayed alive beside the entries built from them: ~70 MB
        of a 212 MB peak (benchmarks/README.md, figure 8 "peak RSS, 100,000 stored").
        A row changed between two chunks may be read twice (the merge keeps one) or
        missed (the next sync brings it).
        """
        if self.db is None:
            return
        offset = start
        while True:
            rows = self.db.conversations(limit=READ_CHUNK, offset=offset)
            if rows:
                yield rows
            if len(rows) < READ_CHUNK:
                return
            offset += len(rows)

    def stored_counts(self) -> tuple[int, int]:
        """(conversations, unread) in the file: the status line's figures before ``load_rest``."""
        return self.db.counts() if self.db is not None else (0, 0)

    def load_rest(self) -> MergeResult:
        """Every stored row (after ``warm_start`` with a head); run in a worker thread.

        Checks the whole file first (``InboxDatabase.verify``), which is too slow for
        before the first frame.
        """
        if self.db is None:
            return MergeResult()
        if not self.db.verify():
            # Rebuilt empty: the rows on screen stay, and the next sync walks everything.
            self.warning = self.db.warning
            self.complete = False
            return MergeResult()
        merged = MergeResult()
        for rows in self.chunks():
            step = self.store.merge_rows(rows)
            merged.added += step.added
            merged.updated += step.updated
        self._apply_owed()
        return merged

    def read_rest(
        self, head: int = 0, limit: int | None = None, *, verify: bool = True
    ) -> list[StoredConversation] | None:
        """``load_rest`` without the merge, for a worker thread: verify the file, then read
        the stored rows after the first ``head`` (already in the list from ``warm_start``).

        The merge (``merge_rest``) then runs on the event loop, where the list is drawn:
        the in-memory list is not meant to be changed from two threads. None when the
        file was found damaged and rebuilt (``warning`` says so).
        """
        if self.db is None:
            return []
        if verify and not self.db.verify():
            self.warning = self.db.warning
            self.complete = False
            return None
        return self.db.conversations(limit=limit, offset=head)

    def merge_rest(self, rows: list[StoredConversation]) -> MergeResult:
        """Merge rows from ``read_rest`` (on the event loop), keeping offline reads read."""
        merged = self.store.merge_rows(rows)
        self._apply_owed()
        return merged

    def _apply_owed(self) -> None:
        for conversation_id in self.owed:
            self.store.mark_read(conversation_id)

    def restore_marks(self, queue: MarkQueue, owner: str | None = None) -> int:
        """Hand the marks a previous run still owed to ``queue`` (on the event loop).

        ``owner`` names this instance for the claims that keep two instances on one
        file from both sending a mark (``inbox.marks.restore``).
        """
        if self.db is None:
            return 0
        if owner is None:
            return restore(queue, self.db, self.user_id)
        return restore(queue, self.db, self.user_id, owner=owner)

    # -- syncing -------------------------------------------------------------------

    @property
    def last_sync(self) -> float | None:
        return self.db.get_time(STATE_LAST_SYNC) if self.db is not None else None

    def freshness(self) -> str:
        """For the status line until a sync finishes: "synced 3 min ago", "offline · …"."""
        last = self.last_sync
        if last is None:
            return "offline · nothing stored yet" if self.offline else "not synced yet"
        age = describe_age(max(0.0, self._clock() - last))
        return f"offline · data from {age}" if self.offline else f"synced {age}"

    async def sync(
        self,
        client: SyncClient,
        *,
        page_size: int,
        on_page: Callable[[MergeResult, SyncProgress], None] | None = None,
        force_reconcile: bool = False,
        allow_reconcile: bool = True,
    ) -> SyncProgress:
        """Bring the list up to date with the fewest requests that can (module docstring).

        ``allow_reconcile=False`` never walks every page when only the interval asks for it
        (``lemlist-inbox list`` prints right after the top pages; ``sync`` reconciles).

        Raises the client's typed errors (rows already merged stay); a network error
        also sets ``offline`` until a later sync succeeds. ``allow_reconcile=False``
        leaves a due reconcile to the caller (``reconcile``), e.g. to run it in the
        background after the list is current.
        """
        callback = on_page or (lambda merged, progress: None)

        async def run(strategy: Strategy) -> SyncProgress:
            return await strategy(
                client, self.store, self.db, self.user_id,
                page_size=page_size, on_page=callback, keep_read=self.owed,
            )  # fmt: skip

        try:
            if needs_full_load(self.store, self.complete):
                progress = await run(full_load)
            else:
                progress = await run(incremental)
                if not progress.complete:  # a burst too big to follow from the top
                    progress = await run(full_load)
            self.offline = False
            if progress.kind == "full":
                self.complete = True
                self._walked_at = self._clock()
            elif force_reconcile or (allow_reconcile and self.reconcile_due()):
                progress = await run(reconcile)
                self._walked_at = self._clock()
        except NetworkError:
            self.offline = True
            raise
        return progress

    async def reconcile(
        self,
        client: SyncClient,
        *,
        page_size: int,
        on_page: Callable[[MergeResult, SyncProgress], None] | None = None,
    ) -> SyncProgress:
        """Walk every page once (read states changed elsewhere, deletions); see ``sync``.

        Its requests are ordinary (not urgent) and few at a time (``RECONCILE_CONCURRENCY``),
        so a thread the user opens meanwhile takes the next free slot of the rate limiter.
        """
        try:
            progress = await reconcile(
                client, self.store, self.db, self.user_id,
                page_size=page_size, on_page=on_page or (lambda merged, progress: None),
                keep_read=self.owed,
            )  # fmt: skip
        except NetworkError:
            self.offline = True
            raise
        self.offline = False
        self.complete = True
        self._walked_at = self._clock()
        return progress

    def reconcile_due(self) -> bool:
        """A walk of every page is owed (never done, or older than ``reconcile_interval``)."""
        interval = self.options.reconcile_interval
        if self.db is not None:
            return reconcile_due(self.db, interval, now=self._clock())
        if interval <= 0:
            return False
        return self._walked_at is None or self._clock() - self._walked_at >= interval

    # -- marks -----------------------------------------------------------------------

    def read_here(self, conversation_id: str) -> None:
        """The user read it here; until lemlist confirms, no page may show it unread."""
        self.owed.add(conversation_id)

    def read_confirmed(self, conversation_id: str) -> None:
        self.owed.discard(conversation_id)

    def close(self) -> None:
        if self.db is not None:
            self.db.close()

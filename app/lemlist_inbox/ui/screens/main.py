"""The main screen: conversation list beside the thread pane, status line, footer.

This screen owns the *flow*: which user is viewed, the background load and the
auto-refresh, the filter, opening conversations. The widgets it composes each do
one job (draw the list, draw a thread, show the status) and talk back by messages.

Local first: the screen reads a ``LocalInbox`` per viewing user. Switching to a user
(at start when one is configured, or from the picker) puts their stored rows in the list
before any request (``warm_start``: the first screenful, then the rest in a worker), says
how fresh they are, then syncs (``LocalInbox.sync``: a cold full load, streamed as pages
arrive, when nothing is stored; else an incremental sync that stops at the first page
with nothing new). Auto-refresh is the same incremental sync. A reconcile (every page,
for read states changed elsewhere and deletions) runs in the background when due; its
page requests are ordinary ones, two at a time, and the rate limiter gives the next free
slot to an urgent request (a thread the user opens), so it never delays one
(``api.ratelimit``). No auto-refresh runs while it walks: a conversation new since its
walk began must not be taken for one the server dropped.

After each sync the threads of the newest ``prefetch_threads`` conversations are stored
in the background (``inbox.prefetch``: never marked read, behind every other request,
resumed after a restart), so rows get their subjects and first words and search and
offline reading cover them; the status line counts them while it runs.

Below ``NARROW_WIDTH`` columns only one pane shows at a time (class ``-narrow``;
``-reading`` when the thread is the one shown), in ``styles/app.tcss``. Side by side,
the list marks the conversation open in the pane; until one is opened, the pane
*previews* the highlighted one (the same pane, asked not to mark it read: a preview is
not a reading), and Enter, space or Tab opens it for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget

from lemlist_inbox.api.errors import AuthError, LemlistError, NetworkError
from lemlist_inbox.config import remember_user_id
from lemlist_inbox.inbox.local import READ_CHUNK, WARM_HEAD, LocalInbox
from lemlist_inbox.inbox.prefetch import PrefetchResult, prefetch_threads
from lemlist_inbox.inbox.store import CHANNELS, REPLY_STATES, ConversationStore, Entry, MergeResult
from lemlist_inbox.ui.clipboard import copy_text
from lemlist_inbox.ui.exiting import quiet_at_exit
from lemlist_inbox.ui.format import WIDE_SCREEN, choose_glyphs
from lemlist_inbox.ui.internals import focused_without_repaint
from lemlist_inbox.ui.load_failure import RETRY_HINT, LoadFailure, describe_failure
from lemlist_inbox.ui.reply.controller import ReplyController
from lemlist_inbox.ui.reply.service_backend import reply_backend
from lemlist_inbox.ui.screens.help import HelpScreen
from lemlist_inbox.ui.screens.user_picker import UserPicker
from lemlist_inbox.ui.thread.find_bar import FindBar
from lemlist_inbox.ui.thread.view import ThreadView
from lemlist_inbox.ui.widgets.conversation_list import ConversationList
from lemlist_inbox.ui.widgets.filter_input import FilterInput
from lemlist_inbox.ui.widgets.header import InboxHeader
from lemlist_inbox.ui.widgets.key_bar import KeyBar
from lemlist_inbox.ui.widgets.status_line import StatusLine

if TYPE_CHECKING:
    from collections.abc import Sequence

    from lemlist_inbox.api.models import TeamUser
    from lemlist_inbox.inbox.search import SearchHit
    from lemlist_inbox.inbox.sync import SyncProgress
    from lemlist_inbox.render import RenderedMessage
    from lemlist_inbox.ui.app import InboxApp

NARROW_WIDTH = WIDE_SCREEN
PREFETCH_DELAY = 0.3
REPAINT_EVERY = 0.25  # seconds between list updates while pages stream in
#: The status while ``r`` walks every page (read states changed elsewhere, deletions).
CHECKING = "checking every page…"
#: Sync state key of the viewing user's display name (for the header before the team is known).
USER_LABEL = "user_label"
#: Stored rows merged per turn of the event loop after the first screenful (keys stay live).
MERGE_CHUNK = 2_000


class MainScreen(Screen[None]):
    """List + thread; see the module docstring."""

    # Keys that only matter for the list are *shown* by the list's own bindings (the
    # footer lists the focused widget's first) and hidden here, so the footer stays
    # short enough for 80 columns in both panes while every key works everywhere.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "switch_pane", "Switch pane", show=False),
        Binding("escape,h", "back", "Back", key_display="esc"),
        Binding("J,right_square_bracket", "next_conversation", "Next", key_display="J"),
        Binding("K,left_square_bracket", "previous_conversation", "Prev", key_display="K"),
        Binding("space", "space", "Page", show=False),
        # priority: handled as the key arrives, so "/hugo" typed in one burst lands in the box.
        Binding("slash", "filter", "Filter", key_display="/", priority=True, show=False),
        Binding("u", "toggle_unread", "Unread", show=False),
        Binding("c", "cycle_channel", "Channel", show=False),
        Binding("w", "cycle_reply", "Replied", show=False),
        Binding("r", "refresh", "Refresh", show=False),
        Binding("y", "copy_email", "Copy email", show=False),
        Binding("L", "link_picker", "Links", show=False),
        Binding("A", "attachment_picker", "Attachments", show=False),
        Binding("U", "switch_user", "User", show=False),
        Binding("R", "reply", "Reply"),
        Binding("O", "outbox", "Outbox", show=False),
        Binding("s", "search", "Search", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "app.quit", "Quit"),
    ]

    #: ``Screen.focused`` without its repaint: Textual repaints the whole screen when focus
    #: moves, though nothing this screen draws itself depends on it (the panes show focus
    #: themselves; the key bar follows the bindings). That repaint made every thread open a
    #: full 160x45 frame (benchmark row "5 thread open: cached"; ``ui.internals``).
    focused: Reactive[Widget | None] = focused_without_repaint()

    def __init__(self) -> None:
        super().__init__()
        self.store = ConversationStore()
        #: The viewing user's local inbox (rows, stored threads, sync state).
        self.local: LocalInbox | None = None
        #: Whether a background reconcile walk is running (auto-refresh waits for it).
        self.reconciling = False
        self._rest_pending = False
        self.user_id: str | None = None
        self.team: list[TeamUser] | None = None
        self.busy = False
        self._load_run = 0
        self._prefetch_timer: Timer | None = None
        self._refresh_timer: Timer | None = None
        #: The key was rejected: auto-refresh stops polling (and notifying) until ``r``.
        self._key_rejected = False
        self._repaint_timer: Timer | None = None
        self._last_repaint = -1.0
        self._progress: SyncProgress | None = None
        #: Whether the last filter change left a query (see ``_after_filter``).
        self._had_query = False
        #: The last load or refresh failed (cleared when one succeeds): what the list
        #: says while nothing is loaded, and a poll reloads everything rather than page 1.
        self._failure: LoadFailure | None = None
        #: Entering unread-only: where the reader was (the list's ``place``), then the
        #: conversation under the cursor and the one open in the pane; leaving goes back
        #: if neither changed since (the reader did nothing with the unread view).
        self._unread_return: tuple[tuple[str | None, int], str | None, str | None] | None = None
        #: Where the reader was when the filter box opened: cancelling it goes back there.
        self._filter_return: tuple[str | None, int] | None = None
        #: The pane shows the highlighted conversation as a preview (nothing opened yet).
        self.previewing = False
        #: ``R`` and ``O``: replies, the outbox, drafts (``ui.reply.controller``).
        self.replies = ReplyController(self, reply_backend)
        #: The last full-text query (``s`` opens the search screen with it again).
        self.search_query = ""

    @property
    def inbox_app(self) -> InboxApp:
        from lemlist_inbox.ui.app import InboxApp

        assert isinstance(self.app, InboxApp)
        return self.app

    # -- composition -----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.inbox_app
        yield InboxHeader(demo=app.demo, id="header")
        with Horizontal(id="panes"):
            yield ConversationList(self.store, clock=app.clock, glyphs=choose_glyphs(), id="list")
            yield ThreadView(
                app.client_factory,
                app.settings,
                id="thread",
                mark_queue=app.mark_queue,
                connect=app.connected,
            )
        yield FilterInput(
            placeholder="filter: name, email, subject or first words", select_on_focus=False, id="filter"
        )
        yield FindBar(id="find")
        yield StatusLine(id="status")
        yield KeyBar(id="keys")

    @property
    def conversation_list(self) -> ConversationList:
        return self.query_one("#list", ConversationList)

    @property
    def thread(self) -> ThreadView:
        return self.query_one("#thread", ThreadView)

    @property
    def status(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one("#filter", FilterInput)

    @property
    def header(self) -> InboxHeader:
        return self.query_one("#header", InboxHeader)

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    def on_mount(self) -> None:
        app = self.inbox_app
        app.mark_book.on_kept = self._on_mark_kept
        self.filter_input.display = False
        self.query_one("#find", FindBar).display = False
        self.set_focus(self.conversation_list)
        interval = app.settings.refresh_interval
        if interval > 0:
            self._refresh_timer = self.set_interval(interval, self._poll_first_page)
        if app.initial_user_id:
            self.set_user(app.initial_user_id, remember=False)
            if not app.offline:
                self._fetch_team()
        else:
            self.conversation_list.empty_text = "looking up the team's users…"
            self.status.update_state(prompt="choose whose inbox to read (U)")
            self._choose_first_user()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW_WIDTH
        self.set_class(narrow, "-narrow")
        # Entering narrow mode: keep showing the pane that has focus.
        self.set_class(narrow and self.focused is self.thread, "-reading")

    # -- users -----------------------------------------------------------------------

    def set_user(self, user_id: str, *, remember: bool) -> None:
        """View another user's inbox: forget what was loaded for the previous one, reload."""
        app = self.inbox_app
        if remember and not app.demo:
            try:
                remember_user_id(app.settings, user_id)
            except OSError as exc:
                self.notify(f"could not save the choice: {exc.strerror}", severity="warning", markup=False)
        elif app.demo:  # the demo's last user, for a warm start next time
            app.store_options.remember_user(user_id)
        self.user_id = user_id
        self.status.update_state(prompt="")
        for group in ("load", "refresh", "reconcile", "threads"):
            self.workers.cancel_group(self, group)
        self.reconciling = False
        self.thread.clear()
        self.previewing = False
        self.conversation_list.set_open(None)
        self.status.update_state(threads=None)
        self._show_list()
        self._failure = None
        self._unread_return = None
        self.conversation_list.reset_cursor()
        #: Stored rows beyond the first screenful still to merge (whichever load runs next).
        self._rest_pending = self._open_local(user_id)
        self._update_header()
        self.replies.show_waiting()
        self._key_rejected = False
        self._load()

    def _open_local(self, user_id: str) -> bool:
        """Open ``user_id``'s local inbox and show its first rows; True if any are stored.

        Runs before the first frame at start: one indexed query and no pydantic. The
        counts are the file's until the rest of the rows are in (``_load``).
        """
        app = self.inbox_app
        local = app.mark_book.inbox(user_id)
        if local is None:
            local = LocalInbox(app.store_options, user_id, store=self.store)
            app.mark_book.attach(local)
        else:  # viewed before in this run: its file is still open (marks may be owed)
            self.store.clear(user_id)
        self.local = local
        local.on_rows_changed = self._on_rows_changed
        self.status.update_state(freshness="", warning="")  # the previous user's file said those
        if app.offline:
            local.offline = True
        self.thread.stored = local.threads
        shown = local.warm_start(WARM_HEAD)
        local.restore_marks(app.mark_queue, owner=app.mark_book.owner)
        if local.warning:
            self._warn(local.warning)
        self.conversation_list.sync()
        if shown:
            total, unread = local.stored_counts()
            self._update_counts(
                total=max(total, len(self.store)), unread=max(unread, 0), freshness=local.freshness()
            )
        else:
            self._update_counts()
        return shown > 0

    def _warn(self, warning: str) -> None:
        """One line about the local inbox (rebuilt, not saved): said once, in the status,
        without the path of the file set aside (too long for it: a notification and the
        log give that)."""
        short = re.sub(r"; moved to .*, rebuilding$", "; rebuilt", warning)
        if self.status.state.warning != short:
            self.log.warning(f"local inbox: {warning}")
            self.status.update_state(warning=short)
            if short != warning:
                self.notify(warning, severity="warning", timeout=10, markup=False)

    def _update_header(self) -> None:
        label = self.user_id or ""
        local = self.local if self.local is not None and self.local.user_id == self.user_id else None
        db = local.db if local is not None else None
        # The name as last seen, so a warm start's first frame names the user too.
        stored = db.get_state(USER_LABEL) if db is not None else None
        if stored:
            label = stored
        for user in self.team or []:
            if user.user_id == self.user_id:
                label = user.display_name
                if db is not None and stored != label:
                    db.set_state(USER_LABEL, label)
        self.header.set_user(label)

    @work(exclusive=True, group="team")
    @quiet_at_exit
    async def _fetch_team(self) -> None:
        """The team's names, for the header; a failure here only costs the nice name."""
        try:
            client = await self.inbox_app.connected()
            self.team = await client.team_users()
        except Exception:  # a name in the header is not worth an error
            return
        self._update_header()

    @work(exclusive=True, group="team")
    @quiet_at_exit
    async def _choose_first_user(self) -> None:
        """No user configured: the only team user, or ask."""
        try:
            client = await self.inbox_app.connected()
            self.team = await client.team_users()
        except Exception as exc:  # typed API errors, and anything else: never a traceback
            self._show_error(exc)
            self._show_empty()
            return
        self._failure = None
        self.status.update_state(error=None)
        if len(self.team) == 1:
            self.set_user(self.team[0].user_id, remember=True)
        elif not self.team:
            none = "this team has no users"
            self._failure = LoadFailure(message=none, summary=none, hint=RETRY_HINT, retry=True)
            self.status.update_state(error=none, retry=True)
            self._show_empty()
        else:
            self._pick_user(remember=True)

    def _pick_user(self, *, remember: bool) -> None:
        def chosen(user_id: str | None) -> None:
            if user_id is not None and user_id != self.user_id:
                self.set_user(user_id, remember=remember)
            elif self.user_id is None:
                self.conversation_list.empty_text = "no user chosen: press U to choose one"

        self.app.push_screen(UserPicker(self.inbox_app.client, self.team, current=self.user_id), chosen)

    # -- loading ---------------------------------------------------------------------

    def action_refresh(self) -> None:
        """r: sync now, then walk every page in the background (read states changed
        elsewhere, deletions); what is loaded stays on screen.

        With no user chosen yet, it retries looking up the team (which failed).
        """
        if self.user_id is None:
            if self._failure is not None:
                self._failure = None
                self.status.update_state(error=None)
                self.conversation_list.set_empty("looking up the team's users…")
                self._choose_first_user()
            return
        self._key_rejected = False
        self.workers.cancel_group(self, "refresh")
        self.workers.cancel_group(self, "reconcile")
        self.reconciling = False
        self._load(reconcile=True)

    @work(exclusive=True, group="load")
    @quiet_at_exit
    async def _load(self, *, reconcile: bool = False, quiet: bool = False) -> None:
        """The rest of the stored rows (if not merged yet), then a sync; a due reconcile
        follows (``reconcile``: whether due or not).

        ``quiet`` (auto-refresh): the list and status stay as they are while it runs.
        """
        user_id, local = self.user_id, self.local
        if user_id is None or local is None:
            return
        app = self.inbox_app
        self._load_run += 1
        run = self._load_run
        self.busy = not quiet
        try:
            if self._rest_pending:
                await self._load_rest(local)
                self._rest_pending = False
            self._catch_up_index(local)
            if not self.is_mounted:
                return
            if app.offline:
                self._finish_offline(local)
                return
            cold = not len(self.store) or not local.complete
            if not quiet:
                self._show_empty()
                if cold:
                    self.status.update_state(loading=True, loaded=0, expected=None, error=None, skipped=0)

            def on_page(merged: MergeResult, progress: SyncProgress) -> None:
                self._progress = progress if progress.kind == "full" else None
                self._repaint_soon()

            error: Exception | None = None
            walked = False
            try:
                client = await app.connected()
                progress = await local.sync(
                    client, page_size=app.settings.page_size, on_page=on_page, allow_reconcile=False
                )
                walked = progress.kind == "full"  # every page read: nothing left to reconcile
            except Exception as exc:  # typed API errors, and anything else: never a traceback
                error = exc
        except asyncio.CancelledError:
            # Replaced by a newer load, or the app is quitting (widgets may be gone).
            if run == self._load_run:
                self._cancel_repaint()
                self.busy = False
            raise
        if run != self._load_run or not self.is_mounted:
            return
        self._cancel_repaint()
        self.busy = False
        self._progress = None
        if error is not None:
            self._sync_failed(local, error)
        else:
            self._failure = None
            app.online.set()
        self._show_empty()
        self.conversation_list.sync()
        self._update_counts(loading=False, **({} if error is not None else {"error": None, "freshness": ""}))
        if error is None and not walked and (reconcile or local.reconcile_due()):
            self._reconcile(announce=reconcile)
        if error is None:
            self._start_prefetch()

    # -- background prefetch of the newest threads --------------------------------------

    @property
    def prefetching(self) -> bool:
        """Whether the background prefetch of the newest threads is running."""
        return self._group_running("threads")

    def _start_prefetch(self) -> None:
        """Store the newest threads in the background, unless it runs already or there
        is nothing to store them in (``cache = false``, ``--offline``)."""
        app, local = self.inbox_app, self.local
        count = app.settings.prefetch_threads
        if app.offline or local is None or local.db is None or count <= 0 or self.user_id is None:
            return
        if self.prefetching:
            return
        self._prefetch_newest(local, self.user_id, count)

    @work(exclusive=True, group="threads")
    @quiet_at_exit
    async def _prefetch_newest(self, local: LocalInbox, user_id: str, count: int) -> None:
        """``inbox.prefetch``: the status says "threads 57/200" while it works."""

        def show(threads: tuple[int, int] | None) -> None:
            if self.user_id == user_id and self.is_mounted:
                with contextlib.suppress(NoMatches):  # the app is closing
                    self.status.update_state(threads=threads)

        def progress(result: PrefetchResult) -> None:
            show((result.done, result.total) if result.done < result.total else None)

        try:
            client = await self.inbox_app.connected()
            await prefetch_threads(local, client, count=count, user_id=user_id, on_progress=progress)
        except Exception as exc:  # the next sync tries again; never an error line for it
            self.log.warning(f"prefetch stopped: {exc!r}")
        finally:
            show(None)

    def _on_rows_changed(self, entries: list[Entry]) -> None:
        """A stored thread's summary reached its rows: repaint them (the view, if filtered)."""
        if not self.is_mounted:
            return
        with contextlib.suppress(NoMatches):  # the app is closing
            if self.store.filtered:
                self.conversation_list.sync()
                self._update_counts()
            else:
                for entry in entries:
                    self.conversation_list.refresh_row(entry.id)

    async def _load_rest(self, local: LocalInbox) -> None:
        """Every stored row after the first screenful: read (and the file checked) in a
        thread, merged here in chunks so keys are handled in between.

        Started once the first frame is on screen: the thread holds the interpreter lock
        while it builds the rows, and before that frame it delayed it by 50-70 ms at
        10,000 stored (``benchmarks/README.md``, figure 10)."""
        await self.wait_for_refresh()
        offset = WARM_HEAD
        while True:
            # READ_CHUNK rows a read (the file checked before the first): the whole rest
            # at once stayed alive beside the entries built from it (figure 8, peak RSS).
            rows = await asyncio.to_thread(local.read_rest, offset, READ_CHUNK, verify=offset == WARM_HEAD)
            if not self.is_mounted:  # the app quit meanwhile
                return
            if rows is None:  # the file was damaged: rebuilt empty, the rows on screen stay
                if local.warning:
                    self._warn(local.warning)
                return
            for start in range(0, len(rows), MERGE_CHUNK):
                local.merge_rest(rows[start : start + MERGE_CHUNK])
                await asyncio.sleep(0)
            if len(rows) < READ_CHUNK:
                break
            offset += len(rows)
        self.conversation_list.sync()
        self._update_counts()

    def _finish_offline(self, local: LocalInbox) -> None:
        """``--offline``: the store is all there is; say how old it is."""
        self.busy = False
        self._show_empty()
        self.conversation_list.sync()
        self._update_counts(loading=False, freshness=local.freshness())

    def _sync_failed(self, local: LocalInbox, error: Exception) -> None:
        """Offline with something stored: say how old the rows are, not an error."""
        if isinstance(error, NetworkError):
            self.inbox_app.online.clear()
            if local.last_sync is not None and len(self.store):
                self._failure = describe_failure(error, self.inbox_app.settings.config_path)
                self.status.update_state(error=None, freshness=local.freshness())
                return
        self._show_error(error)  # before the list's text, which says what failed

    @work(exclusive=True, group="reconcile")
    @quiet_at_exit
    async def _reconcile(self, *, announce: bool = False) -> None:
        """Walk every page in the background (see the module docstring); quiet on failure.

        ``announce`` (``r``): the status says so while it runs, as the reader asked.
        """
        user_id, local = self.user_id, self.local
        if user_id is None or local is None or self.inbox_app.offline:
            return
        app = self.inbox_app
        self.reconciling = True
        if announce:
            self.status.update_state(freshness=CHECKING)

        def on_page(merged: MergeResult, progress: SyncProgress) -> None:
            if merged.added or merged.updated:
                self._repaint_soon()

        try:
            client = await app.connected()
            await local.reconcile(client, page_size=app.settings.page_size, on_page=on_page)
        except Exception as exc:  # the list stays as it is; the next one tries again
            self.log.warning(f"reconcile stopped: {exc!r}")
            if isinstance(exc, NetworkError) and self.user_id == user_id and local.last_sync is not None:
                self._sync_failed(local, exc)  # "offline · data from …", never an error line
            return
        finally:
            self.reconciling = False
            if announce and self.is_mounted and self.status.state.freshness == CHECKING:
                self.status.update_state(freshness="")
        if self.user_id != user_id:
            return
        self._show_empty()
        self.conversation_list.sync()
        self._update_counts()

    def _repaint_soon(self) -> None:
        """Show merged pages at most every ``REPAINT_EVERY`` seconds.

        Each list update changes its virtual size, which re-lays out the whole screen;
        pages can arrive ten a second, so they are shown in batches. The first page
        is shown at once (first rows after one round trip).
        """
        if self._repaint_timer is not None:
            return
        now = asyncio.get_running_loop().time()
        wait = self._last_repaint + REPAINT_EVERY - now
        if wait <= 0:
            self._repaint_now()
        else:
            self._repaint_timer = self.set_timer(wait, self._repaint_now)

    def _repaint_now(self) -> None:
        self._repaint_timer = None
        self._last_repaint = asyncio.get_running_loop().time()
        self.conversation_list.sync()
        progress = self._progress
        if progress is not None:
            self._update_counts(loaded=progress.loaded, expected=progress.expected, skipped=progress.skipped)

    def _poll_first_page(self) -> None:
        """Auto-refresh: an incremental sync (a cold one if the last load stopped short)."""
        if self.user_id is None or self.busy or self._key_rejected or self.reconciling:
            return
        if self.inbox_app.offline or self._group_running("load"):
            return
        self._load(quiet=self._failure is None)

    def _group_running(self, group: str) -> bool:
        return any(w.node is self and w.group == group and not w.is_finished for w in self.workers)

    def _cancel_repaint(self) -> None:
        if self._repaint_timer is not None:
            self._repaint_timer.stop()
            self._repaint_timer = None

    def _show_error(self, error: BaseException) -> None:
        """Say what failed in the status line (and in the list while it is empty)."""
        if not isinstance(error, LemlistError):
            self.log.error(f"unexpected error in a worker: {error!r}")
        failure = describe_failure(error, self.inbox_app.settings.config_path)
        self._failure = failure
        self.status.update_state(error=failure.message, retry=failure.retry)
        if isinstance(error, AuthError):
            self._key_rejected = True
            self.notify(failure.notice, severity="error", timeout=10, markup=False)

    def _show_empty(self) -> None:
        """Give the list the words for "no row shown" that fit the moment."""
        listing = self.conversation_list
        failure = self._failure
        if self.busy and not len(self.store):
            listing.set_empty("loading…")
        elif failure is not None and not len(self.store):
            # Nothing loaded: an empty list here is a failure, not an empty inbox.
            listing.set_empty(failure.summary, failure.hint)
        elif self.store.filtered and len(self.store):
            listing.set_empty("no conversation matches the filter")
        else:
            listing.set_empty("no conversations")

    def _update_counts(self, **extra: object) -> None:
        store = self.store
        state: dict[str, object] = {
            "total": len(store),
            "unread": store.unread_count,
            "shown": store.view_size,
            "query": store.query,
            "unread_only": store.unread_only,
            "channel": store.channel,
            "reply": store.reply,
        }
        state.update(extra)
        self.status.update_state(**state)

    # -- opening ---------------------------------------------------------------------

    @on(ConversationList.Selected)
    def _on_selected(self, event: ConversationList.Selected) -> None:
        self.open_conversation(event.conversation_id)

    def open_conversation(self, conversation_id: str, *, focus_thread: bool = True) -> None:
        """Show a conversation in the pane, as the list has it now.

        Always handed to the pane, even when it is the one already there: a refresh may
        have brought a reply to it, and the pane keeps an unchanged thread as it is.
        """
        entry = self.store.get(conversation_id)
        if entry is None:
            return
        thread = self.thread
        thread.open(entry, user_id=self.user_id, user_action=True)
        self.previewing = False
        self.conversation_list.set_open(conversation_id)
        self.replies.conversation_opened(entry)
        if self.narrow:
            self.add_class("-reading")
        if focus_thread:
            self.set_focus(thread)

    @on(ConversationList.Highlighted)
    def _on_highlighted(self, event: ConversationList.Highlighted) -> None:
        if self._prefetch_timer is not None:
            self._prefetch_timer.stop()
        if event.conversation_id is not None:
            self._prefetch_timer = self.set_timer(PREFETCH_DELAY, self._prefetch)
        elif self.previewing:  # nothing shown in the list: nothing to preview either
            self.thread.clear()

    @property
    def _may_preview(self) -> bool:
        """The pane beside the list shows the highlighted conversation until one is opened."""
        return not self.narrow and (self.previewing or self.thread.current_conversation_id is None)

    def _prefetch(self) -> None:
        conversation_id = self.conversation_list.cursor_id
        entry = self.store.get(conversation_id) if conversation_id else None
        if entry is None:
            return
        if self._may_preview:
            # A preview, never a reading: the pane is asked not to mark it read.
            self.thread.open(entry, user_id=self.user_id, user_action=False)
            self.previewing = True
        elif conversation_id != self.thread.current_conversation_id:
            self.thread.prefetch(entry, user_id=self.user_id)

    @on(ThreadView.MarkedRead)
    def _on_marked_read(self, event: ThreadView.MarkedRead) -> None:
        if event.user_id is not None and event.user_id != self.user_id:
            return  # a mark owed for another user's inbox landed
        if self.store.mark_read(event.conversation_id):
            self.conversation_list.refresh_row(event.conversation_id)
            self._update_counts()

    def _on_mark_kept(self, conversation_id: str, user_id: str) -> None:
        """A mark is on disk (sent now or on a later start): the row reads as read."""
        if user_id == self.user_id and self.store.mark_read(conversation_id):
            self.conversation_list.refresh_row(conversation_id)
            self._update_counts()

    @on(ThreadView.FindRequested)
    def _on_find_requested(self, event: ThreadView.FindRequested) -> None:
        self.query_one("#find", FindBar).start(self.thread)

    @on(ThreadView.MarkFailed)
    def _on_mark_failed(self, event: ThreadView.MarkFailed) -> None:
        self.notify(f"could not mark as read: {event.error}", severity="warning", timeout=8, markup=False)

    # -- navigation ------------------------------------------------------------------

    def _show_list(self) -> None:
        self.remove_class("-reading")
        self.set_focus(self.conversation_list)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide "esc Back" in the list when there is nothing to go back from (footer room)."""
        if action == "back" and self.focused is self.conversation_list and not self.store.query:
            return False
        # "/" typed into the filter box itself is text, not the binding; in the thread
        # pane it is the pane's own "/" (find in the thread).
        searchable = self.focused is self.thread and self.thread.current_conversation_id is not None
        return not (action == "filter" and (self.focused is self.filter_input or searchable))

    def action_back(self) -> None:
        """Esc/h: from the thread back to the list; in the list, Esc clears a filter."""
        if self.focused is self.conversation_list:
            if self.store.query:
                self._clear_filter()
            return
        self._show_list()

    def action_switch_pane(self) -> None:
        if self.focused is self.conversation_list:
            if self.previewing and self.conversation_list.cursor_id is not None:
                self.open_conversation(self.conversation_list.cursor_id)  # reading it now
                return
            if self.thread.current_conversation_id is None:
                return
            if self.narrow:
                self.add_class("-reading")
            self.set_focus(self.thread)
        else:
            self._show_list()

    def _step(self, delta: int) -> None:
        listing = self.conversation_list
        before = listing.cursor
        listing.move_to(listing.cursor + delta)
        if listing.cursor != before and listing.cursor_id is not None:
            self.open_conversation(listing.cursor_id, focus_thread=self.focused is not listing)

    def action_next_conversation(self) -> None:
        self._step(1)

    def action_previous_conversation(self) -> None:
        self._step(-1)

    def action_space(self) -> None:
        """space in the list: open the highlighted conversation, or page it when open.

        One pane at a time (narrow), the open thread is not on screen from the list:
        space shows it again, where the reading stopped, rather than paging it unseen.
        """
        listing = self.conversation_list
        if listing.cursor_id is None:
            return
        if self.previewing or self.thread.current_conversation_id != listing.cursor_id:
            self.open_conversation(listing.cursor_id, focus_thread=False)
        elif self.narrow and not self.has_class("-reading"):
            self.open_conversation(listing.cursor_id)
        else:
            self.thread.scroll_page_down(animate=False)

    # -- filter ----------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.filter_input
        self._filter_return = self.conversation_list.place
        box.display = True
        self._show_list()
        self.set_focus(box)

    @on(FilterInput.Changed)
    def _on_filter_changed(self, event: FilterInput.Changed) -> None:
        before = self.store.query
        self.store.set_filter(query=event.value)
        # A new query starts at its first match; emptying it keeps the conversation.
        self._after_filter(top=self.store.query != before and bool(self.store.query))

    @on(FilterInput.Submitted)
    def _on_filter_submitted(self, event: FilterInput.Submitted) -> None:
        self.filter_input.display = False
        self.set_focus(self.conversation_list)

    @on(FilterInput.Cancelled)
    def _on_filter_cancelled(self, event: FilterInput.Cancelled) -> None:
        """Esc in the box undoes the filter: back where the reader was before ``/``
        (as Esc after an incremental search in vim). Enter keeps the filter instead,
        and clearing it from the list later keeps the conversation then under the cursor."""
        self._clear_filter(back=self._filter_return)

    def _clear_filter(self, back: tuple[str | None, int] | None = None) -> None:
        box = self.filter_input
        with box.prevent(FilterInput.Changed):
            box.value = ""
        box.display = False
        self._filter_return = None
        self.store.set_filter(query="")
        self._after_filter(back=back)
        self.set_focus(self.conversation_list)

    def action_toggle_unread(self) -> None:
        """u: unread only, or back to everything.

        Entering it, the cursor stays on its conversation if unread, else goes to the
        nearest unread one. Leaving it, the cursor stays on the conversation it is on
        (every one is in the full list), or, if the reader neither moved nor opened a
        conversation meanwhile, goes back to where it was before: ``u u`` changes nothing.
        """
        listing = self.conversation_list
        if not self.store.unread_only:
            before = listing.place
            self.store.set_filter(unread_only=True)
            self._after_filter()
            self._unread_return = (before, listing.cursor_id, self.thread.current_conversation_id)
            return
        saved, self._unread_return = self._unread_return, None
        now = (listing.cursor_id, self.thread.current_conversation_id)
        back = saved[0] if saved is not None and saved[1:] == now else None
        self.store.set_filter(unread_only=False)
        self._after_filter(back=back)

    def action_cycle_channel(self) -> None:
        """c: every channel, then email, LinkedIn, WhatsApp, SMS only, and back.

        The cursor stays on its conversation if still shown, else goes to the nearest
        one shown in list order (as ``u``)."""
        self.store.set_filter(channel=_next(CHANNELS, self.store.channel))
        self._after_filter()

    def action_cycle_reply(self) -> None:
        """w: everything, then "they replied" (the contact spoke last), then "waiting for
        them" (we did), and back; who spoke last is the stored thread's (a conversation
        never replied to is waiting; one replied to whose thread is not stored is in
        neither until the prefetch or an open stores it)."""
        self.store.set_filter(reply=_next(REPLY_STATES, self.store.reply))
        self._after_filter()

    def _after_filter(self, *, top: bool = False, back: tuple[str | None, int] | None = None) -> None:
        # The keys shown depend on the filter only through "is there a query" (Esc in
        # ``check_action``): refreshing them on every keystroke repainted the key bar
        # each time for nothing (benchmark row "3 responsiveness: filter keystroke").
        if bool(self.store.query) != self._had_query:
            self._had_query = bool(self.store.query)
            self.refresh_bindings()
        self._show_empty()
        self.conversation_list.sync(top=top, back=back)
        self._update_counts()

    # -- the rest --------------------------------------------------------------------

    def action_copy_email(self) -> None:
        conversation_id = self.thread.current_conversation_id
        if self.focused is self.conversation_list or conversation_id is None:
            conversation_id = self.conversation_list.cursor_id
        entry = self.store.get(conversation_id) if conversation_id else None
        if entry is None:
            return
        if not entry.email:
            self.notify("this contact has no email address", severity="warning", markup=False)
            return
        copy_text(self.app, entry.email)  # OSC 52, and the tmux buffer inside tmux

    def _picker_thread(self, what: str) -> Sequence[RenderedMessage] | None:
        """The thread the pickers list: the open one, or from the list the highlighted one if
        its thread is at hand. None (and a notification saying why) when there is none."""
        listing = self.conversation_list
        conversation_id = self.thread.current_conversation_id
        if self.focused is listing and listing.cursor_id is not None and listing.cursor_id != conversation_id:
            messages = self.thread.rendered_for(listing.cursor_id)
            if messages:
                return messages
            conversation_id = None  # not loaded: the highlighted one is what was asked for
        messages = self.thread.rendered_for() if conversation_id is not None else ()
        if not messages:
            loading = conversation_id is not None and self.thread.state == "loading"
            hint = f"the thread is still loading; its {what} in a moment" if loading else None
            self.notify(hint or f"open a conversation to see its {what}", severity="warning", markup=False)
            return None
        return messages

    def action_link_picker(self) -> None:
        """L: the thread's links, to open or copy one (``LinkPicker``)."""
        from lemlist_inbox.ui.picker_items import thread_links
        from lemlist_inbox.ui.screens.link_picker import LinkPicker
        from lemlist_inbox.ui.thread.style import choose_glyphs

        messages = self._picker_thread("links")
        if messages is None:
            return
        items = thread_links(messages)
        if not items:
            self.notify("no links in this conversation", markup=False)
            return
        self.app.push_screen(LinkPicker(items, marks=choose_glyphs()))

    def action_attachment_picker(self) -> None:
        """A: the thread's attachments, to download, open or copy one (``AttachmentPicker``)."""
        from lemlist_inbox.config import download_folder
        from lemlist_inbox.ui.picker_items import thread_attachments
        from lemlist_inbox.ui.screens.attachment_picker import AttachmentPicker

        messages = self._picker_thread("attachments")
        if messages is None:
            return
        app = self.inbox_app
        items = thread_attachments(messages, app.settings.base_url)
        if not items:
            self.notify("no attachments in this conversation", markup=False)
            return
        picker = AttachmentPicker(
            items,
            connect=app.connected,
            folder=download_folder(app.settings),
            max_bytes=int(app.settings.download_max_mb * 1_000_000),
            offline=app.offline,
        )
        self.app.push_screen(picker)

    def action_switch_user(self) -> None:
        if self.inbox_app.offline:  # the team's users come from lemlist
            self.notify("offline (--offline): the team cannot be listed", severity="warning", markup=False)
            return
        self._pick_user(remember=False)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_reply(self) -> None:
        self.replies.reply()

    def action_outbox(self) -> None:
        self.replies.open_outbox()

    # -- search ----------------------------------------------------------------------

    def action_search(self) -> None:
        """s: full-text search over the stored messages (``ui.screens.search``)."""
        from lemlist_inbox.ui.screens.search import SearchScreen

        if self.local is None:  # no user chosen yet: whose messages would it search?
            self.notify("choose whose inbox to read first (U)", severity="warning", markup=False)
            return
        screen = SearchScreen(self.local, query=self.search_query, clock=self.inbox_app.clock)

        def done(hit: SearchHit | None) -> None:
            self.search_query = screen.current_query
            if hit is not None:
                self.open_search_hit(hit)

        self.app.push_screen(screen, done)

    def open_search_hit(self, hit: SearchHit) -> None:
        """Open the conversation of a search result (the main screen's one open path), on
        the message that matched (``hit.message_id``) with its first matched word found and
        highlighted (``hit.matched_words()``: as they matched, ``LinkedIn`` for ``linked*``),
        so ``n`` / ``N`` go on through the thread from there."""
        conversation_id = hit.conversation_id
        if conversation_id is None or self.store.get(conversation_id) is None:
            self.notify("that conversation is not in the list (yet)", severity="warning", markup=False)
            return
        self.conversation_list.move_to_id(conversation_id)
        self.open_conversation(conversation_id)
        # Land on the message that matched, its words highlighted (applied once shown).
        words = hit.matched_words()
        if words:
            self.thread.find(words[0], message_id=hit.message_id)

    @work(exclusive=True, group="index")
    @quiet_at_exit
    async def _catch_up_index(self, local: LocalInbox) -> None:
        """Index threads stored before search existed: once, in a worker thread, after the
        stored rows are in (it competes with nothing the reader waits for then)."""
        if local.index_checked:
            return
        local.index_checked = True
        try:
            await asyncio.to_thread(local.catch_up_index)
        except Exception as exc:  # search is a convenience: never an error for the reader
            self.log.warning(f"search index catch-up stopped: {exc!r}")


def _next(cycle: tuple[str, ...], current: str) -> str:
    """The value after ``current`` in ``cycle``, wrapping (an unknown one starts over)."""
    try:
        return cycle[(cycle.index(current) + 1) % len(cycle)]
    except ValueError:
        return cycle[0]

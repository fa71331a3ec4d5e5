"""The thread pane: one conversation's messages, oldest first, as literal text.

How it reads: an open lands on the newest message (its first line at the top of the pane,
with room kept below a short one for that), the older messages folded to one line each
(``layout.fold_line``; ``o`` one, ``Z`` all); ``}`` / ``{`` go message by message; the
pane's header (its border title) names the contact and says ``message 7 of 9`` and, while
searching, ``match 2 of 5``. ``find`` (``/`` through ``find_bar.FindBar``, and the
full-text search's results) highlights every match, ``n`` / ``N`` step through them,
unfolding what hides one. ``m`` marks the conversation read on demand.

Why it is built the way it is:

- It is a line-API widget (``ScrollView`` + ``render_line``), not a ``Static`` holding
  one huge ``Text``: a 500-message thread is tens of thousands of lines, and a
  ``Static`` re-wraps all of them on every resize and refresh. Here the wrapping is
  done once per (width, quotes shown) into a list of segment lines, and painting a
  frame only turns the handful of lines on screen into ``Strip``s.
- Fetching runs in an async worker (exclusive: opening another conversation cancels
  the previous load); HTML -> text conversion (``render.render_thread``) and wrapping
  run in a *thread* worker, so a 1 MB message never blocks the keys. Small layouts
  (a re-wrap after ``z`` or a resize of an ordinary thread) are built inline because a
  thread hop would cost more than the work.
- Rendered threads and wrapped layouts are cached (``cache``), so re-opening a
  conversation costs no request and no conversion. A thread with many messages to
  convert shows its newest message first, the folded lines of the others without their
  first words (``render.render_header``), then the full rendering in place
  (``CachedThread.partial``: never cached, and a search waits for the full one).
- With a local inbox (``stored``, the screen hands it over), a fetched thread is kept on
  disk; an open (also after a restart, also offline) shows the stored copy at once (read,
  parsed, converted and laid out in one worker hop: ``_stored_open``) and
  fetches again, in the background, only when the conversation's last activity is newer
  than the copy (``ThreadCopy.fresh_for``). A stale copy is cached under a stamp of its
  own, so it never passes for the current version. A prefetch takes a fresh stored copy
  rather than a request.
- The pane is handed the store's ``Entry`` (what the list draws), or a ``Conversation``
  (tests, the CLI's callers); both give an id, a thread id, an activity stamp, a contact
  to name and ``is_read_by``. It builds neither client nor mark queue when given them:
  the app owns both (``connect``, ``mark_queue``).
- Everything from the API goes into ``rich.text.Text`` via ``append(plain, style)``;
  no string from a server or a sender is ever parsed as markup.
- Mark-as-read on open is sent once per open of an unread conversation, when its
  thread is *painted* (``_set_layout`` with a thread layout at a real width), never
  when it is only asked for: a conversation passed over while it loaded, or opened
  while the pane was hidden and replaced before it showed, stays unread. The mark
  goes through ``client.mark_read`` (the ``MarkQueue``): a failed mark is retried in
  the background and reported if it keeps failing, never dropped.
- The lines on screen always belong to the thread opened, in its version: the pane
  remembers which thread its layout is (``_shown``), and layouts are cached by
  conversation *and* activity stamp. Opened while the pane is hidden (one pane at a
  time below 100 columns, where a hidden pane has no width), the old lines are
  dropped at once and the new thread is wrapped when the pane shows again.

Where the rest lives: ``style`` (glyphs, ASCII fallback, component styles),
``wrap`` (styled text -> screen lines), ``layout`` (messages -> a
``ThreadLayout``, reading-position arithmetic), ``errors`` (the error line),
``marking`` (the marks in flight: on a thread request or queued). This module
keeps the widget: opening, loading, caching, re-wrapping and painting.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar, cast

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.worker import Worker, get_current_worker

from lemlist_inbox import render
from lemlist_inbox.api.errors import describe_error
from lemlist_inbox.api.mark_queue import MarkQueue
from lemlist_inbox.inbox.local import OfflineError
from lemlist_inbox.inbox.rows import activity_of
from lemlist_inbox.inbox.store import Entry
from lemlist_inbox.render import sanitize, sanitize_line
from lemlist_inbox.ui.internals import QuietFocusScrollView, set_virtual_size
from lemlist_inbox.ui.thread.cache import CachedThread, LayoutCache, MessageCache, ThreadCache
from lemlist_inbox.ui.thread.errors import error_line
from lemlist_inbox.ui.thread.layout import (
    NEWEST,
    Anchor,
    ThreadLayout,
    build_layout,
    find_pattern,
    layout_cost,
    message_blocks,
    message_text,
    notice_layout,
)
from lemlist_inbox.ui.thread.marking import OpenMarks, OwedMark
from lemlist_inbox.ui.thread.style import (
    ASCII_GLYPHS,
    STYLE_CLASSES,
    UNICODE_GLYPHS,
    ThreadGlyphs,
    ThreadStyles,
    choose_glyphs,
    resolve_styles,
)
from lemlist_inbox.ui.thread.wrap import wrap_text

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient, Thread
    from lemlist_inbox.api.models import Conversation
    from lemlist_inbox.api.models import Message as ApiMessage
    from lemlist_inbox.config import Settings
    from lemlist_inbox.inbox.threads import StoredThreads, ThreadCopy
    from lemlist_inbox.render import RenderedMessage

    #: What the pane opens: the store's entry, or an API model.
    Subject = Entry | Conversation

# The pure parts live in style / wrap / layout / errors;
# they are re-exported here because callers and tests import them from this module.
__all__ = [
    "ASCII_GLYPHS",
    "UNICODE_GLYPHS",
    "ThreadGlyphs",
    "ThreadLayout",
    "ThreadStyles",
    "ThreadView",
    "build_layout",
    "choose_glyphs",
    "error_line",
    "layout_cost",
    "message_blocks",
    "message_text",
    "notice_layout",
]

#: Old private name of ``wrap.wrap_text``, still imported from here by tests.
_wrap = wrap_text

#: Below this many characters of text a layout is wrapped inline on the UI thread
#: (measured on the 2-core CI box: ~0.3-0.5 µs per character, so <= ~15 ms); above,
#: in a thread worker so keys stay responsive.
INLINE_LAYOUT_CHARS = 30_000
#: An open with ``--offline`` of a conversation whose thread was never stored.
NOT_STORED = (
    "This conversation is not stored for offline reading (it was never opened here). "
    "Start without --offline to fetch it."
)
#: Prefetches kept in flight at once; older ones are cancelled (the cursor moved on).
MAX_PREFETCH = 4
#: An open with more messages than this to convert shows the newest one first, the
#: others folded without their first words, and the rest once converted: converting
#: is ~0.4 ms a message, and the newest message is what the reader came for
#: (benchmark row "5 thread open: 50-message thread, stored").
EAGER_MESSAGES = 8


def _same(client: LemlistClient) -> LemlistClient:
    """A ready client as a factory (tests and the CLI's callers may hand one over)."""
    return client


def _contact(subject: Subject) -> tuple[str | None, str | None]:
    """(display name, email) of the conversation's contact; (None, None) without one."""
    if isinstance(subject, Entry):
        if subject.contact is None:
            return None, None
        return subject.name, subject.email or None
    contact = subject.contact
    if contact is None:
        return None, None
    return contact.display_name, contact.email


def _activity(subject: Subject) -> float:
    """The conversation's last activity as POSIX time (``-inf`` unknown), as the store keeps it."""
    if isinstance(subject, Entry):
        return -subject.key[0]
    return activity_of(subject)


#: Marks a rendering of a stored copy older than the conversation: never equal to an
#: activity stamp, so the memory cache never takes it for the current version.
STALE_PREFIX = "\x00stored:"


def _stale_stamp(activity: float) -> str:
    return f"{STALE_PREFIX}{activity!r}"


# --------------------------------------------------------------------------- widget


@dataclass(frozen=True)
class _RenderRequest:
    """Everything a thread worker needs; nothing in it touches the DOM."""

    conversation_id: str
    stamp: str | None
    generation: int | None  # None: prefetch, only fills the cache
    title: Text | None
    width: int
    expanded: bool
    styles: ThreadStyles
    glyphs: ThreadGlyphs
    messages: Sequence[ApiMessage] = ()
    rendered: Sequence[RenderedMessage] | None = None
    skipped: int = 0
    anchor: Anchor | None = None
    contact_name: str | None = None
    #: The messages shown folded, and the words searched ("" none): part of the layout.
    folded: frozenset[int] = frozenset()
    find: str = ""
    #: ``rendered`` is a newest-first thread (``CachedThread.partial``): never cached.
    partial: bool = False


def default_folds(count: int) -> frozenset[int]:
    """Every message but the newest folded: what an open shows."""
    return frozenset(range(max(0, count - 1)))


@dataclass(frozen=True)
class _Goto:
    """Where to scroll once a layout with the searched words is on screen: the first
    match in ``message_id`` (else the first at or below ``line``), or match ``index``."""

    index: int = -1
    message_id: str | None = None
    line: int = 0
    backward: bool = False


#: Scrollbar colours the pane takes from ``.thread--focused`` while it has focus.
FOCUS_RULES = (
    "scrollbar_color",
    "scrollbar_color_hover",
    "scrollbar_color_active",
    "scrollbar_background",
    "scrollbar_background_hover",
    "scrollbar_background_active",
)


def _is_stale(stamp: str | None) -> bool:
    return stamp is not None and stamp.startswith(STALE_PREFIX)


class ThreadView(QuietFocusScrollView, can_focus=True):
    """Scrollable view of one conversation; see the module docstring for the design."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*STYLE_CLASSES.values(), "thread--focused"}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("z", "toggle_quotes", "Quotes", tooltip="Fold or unfold the quoted history"),
        Binding("space", "thread_page_down", "Page", tooltip="Page down"),
        Binding("b,shift+space", "thread_page_up", "Page up"),
        Binding("j,down", "thread_scroll(1)", "Down", show=False),
        Binding("k,up", "thread_scroll(-1)", "Up", show=False),
        Binding("g,home", "thread_home", "Top", show=False),
        Binding("G,end", "thread_end", "Bottom", show=False),
        Binding("r", "reload", "Retry", show=False),
        Binding("right_curly_bracket", "next_message", "Next msg", key_display="}", show=False),
        Binding("left_curly_bracket", "previous_message", "Prev msg", key_display="{", show=False),
        Binding("o", "toggle_fold", "Unfold", show=False, tooltip="Fold or unfold this message"),
        Binding("Z", "toggle_folds", "Unfold all", show=False),
        # priority: as the screen's "/" (the list filter), so "/word" typed in a burst lands in the box.
        Binding("slash", "find_start", "Find", key_display="/", priority=True, show=False),
        Binding("n", "find_next", "Next match", show=False),
        Binding("N", "find_previous", "Prev match", show=False),
        Binding("escape", "find_clear", "Clear find", show=False),
        Binding("m", "mark_read", "Mark read", show=False),
    ]

    class MarkedRead(Message):
        """The server took the mark: the conversation is now read for ``user_id``."""

        def __init__(self, conversation_id: str, user_id: str | None = None) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.user_id = user_id

    class MarkFailed(Message):
        """A mark keeps failing; it stays queued and is still retried."""

        def __init__(self, conversation_id: str, error: str) -> None:
            super().__init__()
            self.conversation_id = conversation_id
            self.error = error

    class FindRequested(Message):
        """``/`` in the pane: the screen opens the find box for it (``find_bar.FindBar``)."""

    class _RenderDone(Message):
        """A thread worker finished rendering and/or wrapping (posted from that thread)."""

        def __init__(
            self,
            request: _RenderRequest,
            rendered: Sequence[RenderedMessage] | None,
            layout: ThreadLayout | None,
            error: str | None,
            partial: bool = False,
        ) -> None:
            super().__init__()
            self.request = request
            self.rendered = rendered
            self.layout = layout
            self.error = error
            #: Only the newest message converted (``EAGER_MESSAGES``); the rest follows.
            self.partial = partial

    def __init__(
        self,
        client: LemlistClient | Callable[[], LemlistClient],
        settings: Settings,
        *,
        id: str | None = None,
        classes: str | None = None,
        cache: ThreadCache | None = None,
        mark_queue: MarkQueue,
        owns_queue: bool = False,
        tz: tzinfo | None = None,
        connect: Callable[[], Awaitable[LemlistClient]] | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        # The app passes a factory: its client (httpx, pydantic) is built after the first
        # frame, and this pane is part of that frame (benchmark row "1 start-up: heavy modules").
        self._connect: Callable[[], LemlistClient] = (
            client if callable(client) else functools.partial(_same, client)
        )
        #: The app's ``connected``: the client built off the UI thread, shared.
        self._connect_async = connect
        #: The local inbox's threads (set by the screen per viewing user), or None.
        self.stored: StoredThreads | None = None
        self._settings = settings
        self._cache = cache if cache is not None else ThreadCache()
        self._layouts: LayoutCache[ThreadLayout] = LayoutCache()
        self._messages = MessageCache()
        self._tz = tz
        self._glyphs = choose_glyphs()
        self._mark_queue = mark_queue
        #: The queue is the app's (it outlives the pane, and holds marks restored from the
        #: last run); ``owns_queue`` only for a pane used on its own, which then closes it.
        self._owns_queue = owns_queue
        self._open_marks: OpenMarks | None = None
        #: The mark the open of the current conversation owes, sent once its thread shows.
        self._owed: OwedMark | None = None
        #: The thread whose layout is on screen; ``None`` for a notice (loading, error...).
        self._shown: CachedThread | None = None
        #: The conversation on screen (or loading), ``None`` when the pane is empty.
        self.current_conversation_id: str | None = None
        self._conversation: Subject | None = None
        self._user_id: str | None = None
        self._generation = 0
        self._state = "empty"  # empty | loading | thread | error
        self._notice: tuple[str, str] = ("", "notice")  # text, style name, for re-wrapping
        self._expanded = False
        self._thread: CachedThread | None = None
        self._layout = ThreadLayout([], 0, [])
        self._pending_layout_key: tuple[object, ...] | None = None
        self._prefetching: dict[str, Worker[None]] = {}
        self._relayout_scheduled = False
        #: ``rich_style`` for painting, kept until the next restyle (see ``_base_style``).
        self._base: Style | None = None
        #: The messages folded to one line; ``None``: the open's default (all but the newest).
        self._folds: frozenset[int] | None = None
        #: The words searched in the thread (sanitized), "" for none; the match ``n`` is on.
        self._find_text = ""
        self._match_index = -1
        #: The current match's cells by screen line, painted ``match_current``.
        self._match_cells: dict[int, list[tuple[int, int]]] = {}
        #: A search asked for before the thread showed (``find`` right after ``open``).
        self._find_later: tuple[str, str | None] | None = None
        #: Where to scroll once the layout with the searched words is on screen.
        self._goto: _Goto | None = None
        #: The next thread layout put on screen lands on the newest message.
        self._landing = False
        self._header_text = ""

    # ------------------------------------------------------------------ the client, built on first use

    @property
    def _client(self) -> LemlistClient:
        return self._connect()

    async def _get_client(self) -> LemlistClient:
        if self._connect_async is not None:
            return await self._connect_async()
        return self._client

    @property
    def mark_queue(self) -> MarkQueue:
        """Marks the API has not taken yet (retried): the app's queue."""
        return self._mark_queue

    @property
    def pending_marks(self) -> int:
        """Marks still to send (the app's queue, so marks of any pane or earlier run)."""
        return len(self._mark_queue)

    @property
    def _marks(self) -> OpenMarks:
        if self._open_marks is None:
            self._open_marks = OpenMarks(
                self.mark_queue,
                marked=self._marked,
                failing=self._mark_failing,
                label=lambda subject: self._contact_label(cast("Subject", subject)),
            )
        return self._open_marks

    # ------------------------------------------------------------------ public API

    def open(self, conversation: Subject, *, user_id: str | None, user_action: bool = True) -> None:
        """Show a conversation: from the cache at once, else 'loading…' and fetch it.

        Marks it read (once, when it shows) when this is a user action, marking is on,
        and it is unread for ``user_id``. Re-opening the thread already on screen or
        loading (unchanged) keeps the load, the reading position and the quote state, so
        a list refresh that re-opens it, or Enter pressed twice, is harmless.
        """
        mark = self._mark_for(conversation, user_id, user_action)
        if conversation.id == self.current_conversation_id and self._same_thread(conversation):
            self._conversation = conversation
            self._user_id = user_id
            if mark is not None:
                self._owed = mark
                self._settle_mark()
            return
        self._open(conversation, user_id, mark)

    def _same_thread(self, conversation: Subject) -> bool:
        """Whether the current thread (shown or loading) is still ``conversation``'s."""
        if conversation.thread_id is None:
            return False
        stamp = conversation.last_activity_at
        if self._state == "thread":
            return self._thread is not None and self._thread.stamp == stamp
        current = self._conversation
        return self._state == "loading" and current is not None and current.last_activity_at == stamp

    def _open(self, conversation: Subject, user_id: str | None, mark: OwedMark | None) -> None:
        self._generation += 1
        self.workers.cancel_group(self, "load")
        self.workers.cancel_group(self, "layout")
        self._pending_layout_key = None
        self.current_conversation_id = conversation.id
        self._conversation = conversation
        self._user_id = user_id
        self._owed = mark
        self._expanded = False
        self._thread = None
        self._reset_reading()
        self._landing = True
        contact_id = conversation.thread_id
        if contact_id is None:
            self._show_notice(
                "This conversation has no contact id, so its messages cannot be fetched.", "error"
            )
            self._state = "error"
            return
        cached = self._cache.get(conversation.id, conversation.last_activity_at)
        if cached is not None:
            self._show_thread(cached, home=True)
            return
        self._state = "loading"
        self._show_notice(f"Loading the conversation with {self._contact_label(conversation)}…", "notice")
        _: Worker[None] = self.run_worker(
            # A callable, not a coroutine: a load cancelled before it starts then leaves
            # no never-awaited coroutine behind.
            functools.partial(self._load, conversation, contact_id, user_id, self._generation),
            group="load",
            exclusive=True,
            exit_on_error=False,
            name=f"load {conversation.id}",
        )

    def prefetch(self, conversation: Subject, *, user_id: str | None) -> None:
        """Fetch and render a conversation into the cache, quietly. Never marks it read."""
        contact_id = conversation.thread_id
        if contact_id is None or conversation.id in self._prefetching:
            return
        if self._cache.get(conversation.id, conversation.last_activity_at) is not None:
            return
        if conversation.id == self.current_conversation_id and self._state == "loading":
            return  # already being fetched for display
        while len(self._prefetching) >= MAX_PREFETCH:
            oldest = next(iter(self._prefetching))
            self._prefetching.pop(oldest).cancel()
        self._prefetching[conversation.id] = self.run_worker(
            functools.partial(self._prefetch, conversation, contact_id, user_id),
            group="prefetch",
            exit_on_error=False,
            name=f"prefetch {conversation.id}",
        )

    def clear(self) -> None:
        """Empty the pane (no conversation selected); nothing is marked."""
        self._generation += 1
        self.workers.cancel_group(self, "load")
        self.workers.cancel_group(self, "layout")
        self.current_conversation_id = None
        self._conversation = None
        self._owed = None
        self._thread = None
        self._state = "empty"
        self._reset_reading()
        self._show_notice("", "notice")

    def _reset_reading(self) -> None:
        """A new conversation: default folds, no search (one asked for later still comes)."""
        self._folds = None
        self._find_text = ""
        self._match_index = -1
        self._match_cells = {}
        self._find_later = None
        self._goto = None
        self._landing = False

    def find(self, query: str, *, message_id: str | None = None) -> None:
        """Search the open thread for ``query`` and show its first match, highlighted.

        Case-insensitive and literal (never a pattern); every occurrence is highlighted,
        the current one apart, and ``n`` / ``N`` go on from there. With ``message_id``
        (a ``RenderedMessage.message_id``, the API message's ``_id``) it lands on the first
        match in that message, unfolding it; else on the first match at or below the
        reading position. Called right after ``open`` while the thread still loads, it
        is applied once the thread shows. If the words appear only in folded quoted
        history, the quotes are unfolded (as ``z``). An empty query clears the search.
        For the full-text search's results and the ``/`` box alike.
        """
        text = sanitize_line(query, 200)
        if self.current_conversation_id is None:
            return
        shown = self._shown
        if self._state != "thread" or shown is None or shown is not self._thread or shown.partial:
            self._find_later = (text, message_id)  # applied once the whole thread shows
            return
        self._find_later = None
        self._search(text, _Goto(message_id=message_id, line=self._top_line()))

    def clear_find(self) -> None:
        """Forget the search: no highlight, no match count (the reading position stays)."""
        self._find_later = None
        self._goto = None
        if not self._find_text:
            return
        self._find_text = ""
        self._set_match(-1)
        self._relayout()

    @property
    def find_text(self) -> str:
        """The words searched in the thread ("" none)."""
        return self._find_text

    @property
    def match_position(self) -> tuple[int, int]:
        """(1-based current match, matches); (0, n) before ``n`` reached one, (0, 0) none."""
        matches = self._layout.matches if self._find_text else []
        current = self._match_index + 1 if 0 <= self._match_index < len(matches) else 0
        return current, len(matches)

    @property
    def message_position(self) -> tuple[int, int]:
        """(1-based message at the reading position, messages); (0, 0) with no thread."""
        layout = self._layout
        if self._shown is None or not layout.message_starts:
            return 0, 0
        return layout.message_at(self._top_line()) + 1, layout.message_count

    @property
    def folded(self) -> frozenset[int]:
        """Indexes (oldest first, from 0) of the messages shown as one line."""
        return self._fold_set()

    def _fold_set(self) -> frozenset[int]:
        thread = self._thread
        if thread is None:
            return frozenset()
        if self._folds is None:
            return default_folds(len(thread.messages))
        return self._folds

    def _top_line(self) -> int:
        return round(self.scroll_y)

    def reload(self) -> None:
        """Fetch the current conversation again, bypassing the cache.

        Marks nothing new; a mark the failed open still owes is sent once it shows.
        """
        conversation = self._conversation
        if conversation is None:
            return
        owed = self._owed
        if owed is not None and owed.conversation.id != conversation.id:
            owed = None
        self._cache.discard(conversation.id)
        self._layouts.discard_conversation(conversation.id)
        self._open(conversation, self._user_id, owed)

    def show_sent(self, conversation_id: str, message: ApiMessage) -> bool:
        """A reply just sent, added to the thread on screen at once; False if another shows.

        Under a stamp of its own (never a real activity stamp), so neither cache takes
        this local version for lemlist's: the next open or refresh fetches the thread.
        """
        thread = self._thread
        if thread is None or self._state != "thread" or self.current_conversation_id != conversation_id:
            return False
        rendered = render.render_message(message)
        stamp = f"{STALE_PREFIX}sent:{len(thread.messages) + 1}:{thread.stamp}"
        self._thread = CachedThread(
            thread.conversation_id, stamp, (*thread.messages, rendered), thread.skipped
        )
        self._relayout()
        self.call_after_refresh(self.scroll_end, animate=False)
        return True

    async def flush_marks(self, timeout: float = 3.0) -> list[str]:
        """On quit: send pending marks within ``timeout``; return the ids that could not be sent."""
        if self._open_marks is None and not len(self._mark_queue):
            return []  # nothing was ever opened or queued
        return await self._marks.flush(timeout)

    @property
    def expanded(self) -> bool:
        """Whether quoted history is shown (``z``)."""
        return self._expanded

    @property
    def state(self) -> str:
        """``empty``, ``loading``, ``thread`` or ``error`` (for the app and tests)."""
        return self._state

    def rendered_for(self, conversation_id: str | None = None) -> Sequence[RenderedMessage]:
        """The rendered messages of the thread on screen, or of ``conversation_id`` if it is
        at hand (open, or cached: opened or prefetched before); empty otherwise. For the
        link and attachment pickers, which list what is there and fetch nothing."""
        if conversation_id is None or conversation_id == self.current_conversation_id:
            thread = self._thread if self._state == "thread" else None
        else:
            thread = self._cache.get(conversation_id, check_stamp=False)
        return thread.messages if thread is not None else ()

    @property
    def layout_text(self) -> str:
        """The pane's current text, plain (for tests and copy)."""
        return self._layout.text()

    # ------------------------------------------------------------------ marking

    def _mark_for(self, conversation: Subject, user_id: str | None, user_action: bool) -> OwedMark | None:
        """The mark this open owes once the thread shows, if any."""
        contact_id = conversation.thread_id
        if not (user_action and self._settings.mark_read_on_open and user_id and contact_id):
            return None
        if not self._marks.owed(conversation, user_id):
            return None
        return OwedMark(conversation, contact_id, user_id)

    def _settle_mark(self) -> None:
        """Send the owed mark if its conversation's thread is what the pane shows now."""
        mark = self._owed
        shown = self._shown
        if mark is None or shown is None or shown is not self._thread:
            return
        if shown.conversation_id != mark.conversation.id:
            return
        self._owed = None
        if self._marks.owed(mark.conversation, mark.user_id):
            self._marks.send(mark)

    def _marked(self, conversation_id: str, user_id: str) -> None:
        self.post_message(self.MarkedRead(conversation_id, user_id))

    def _mark_failing(self, conversation_id: str, error: str) -> None:
        self.post_message(self.MarkFailed(conversation_id, error))

    # ------------------------------------------------------------------ loading

    async def _load(
        self,
        conversation: Subject,
        contact_id: str,
        user_id: str | None,
        generation: int,
    ) -> None:
        activity = _activity(conversation)
        copy = None
        if self.stored is not None:
            # One hop: read, parse, convert and lay out a fresh copy in the same thread.
            template = self._render_template(conversation, generation)
            try:
                copy = await asyncio.to_thread(self._stored_open, template, contact_id, activity)
            except Exception as exc:  # a damaged copy costs itself: fetch as without one
                self.log.warning(f"stored thread unreadable: {exc!r}")
            if generation != self._generation:
                return
        if copy is not None:
            if copy.fresh_for(activity):
                return  # rendered and posted by ``_stored_open``
            self._start_render(
                conversation,
                copy.thread.messages,
                copy.thread.skipped,
                generation,
                stale=_stale_stamp(copy.activity),
            )
        try:
            # Never markAsRead here: the mark waits until the thread shows (_settle_mark).
            client = await self._get_client()
            thread = await client.thread(contact_id, user_id=user_id, mark_as_read=False)
        except Exception as exc:  # API error or a bug: one clear line, never a traceback
            if copy is not None:
                return  # the stored copy stays on screen (offline: reading from then)
            if generation == self._generation:
                self._state = "error"
                self._show_notice(NOT_STORED if isinstance(exc, OfflineError) else error_line(exc), "error")
            return
        self._keep(conversation, contact_id, thread, activity)
        self._start_render(conversation, thread.messages, thread.skipped, generation)

    async def _prefetch(self, conversation: Subject, contact_id: str, user_id: str | None) -> None:
        activity = _activity(conversation)
        try:
            if self.stored is not None:
                copy = await self.stored.load(contact_id)
                if copy is not None and copy.fresh_for(activity):
                    self._start_render(conversation, copy.thread.messages, copy.thread.skipped, None)
                    return
            # mark_as_read stays False: a prefetch is never the user reading the thread;
            # not urgent: it must not overtake the pages of a load in progress.
            client = await self._get_client()
            thread = await client.thread(contact_id, user_id=user_id, mark_as_read=False, urgent=False)
        except Exception:
            return  # quiet: the open will fetch again and show the error there
        finally:
            self._prefetching.pop(conversation.id, None)
        self._keep(conversation, contact_id, thread, activity)
        self._start_render(conversation, thread.messages, thread.skipped, None)

    def _keep(self, conversation: Subject, contact_id: str, thread: Thread, activity: float) -> None:
        """Save a fetched thread in the local inbox, in the background."""
        stored = self.stored
        if stored is None:
            return
        name, _email = _contact(conversation)
        _: Worker[None] = self.run_worker(
            # A callable, not a coroutine: cancelled before it starts, it leaves none unawaited.
            functools.partial(stored.save, contact_id, thread, activity=activity, contact_name=name),
            group="save",
            exit_on_error=False,
            name=f"save {conversation.id}",
        )

    def _render_template(self, conversation: Subject, generation: int) -> _RenderRequest:
        """What a render of ``conversation`` needs from the DOM, taken on the UI thread."""
        return _RenderRequest(
            conversation_id=conversation.id,
            stamp=conversation.last_activity_at,
            generation=generation,
            title=None,
            width=self._content_width(),
            expanded=False,
            styles=self._resolve_styles(),
            glyphs=self._glyphs,
            contact_name=_contact(conversation)[0],
        )

    def _stored_open(self, template: _RenderRequest, contact_id: str, activity: float) -> ThreadCopy | None:
        """In a thread: the stored copy; a fresh one is rendered and posted from here too."""
        stored = self.stored
        copy = stored.read(contact_id) if stored is not None else None
        if copy is None or not copy.fresh_for(activity) or template.generation != self._generation:
            return copy
        conversation = self._conversation
        if conversation is None or conversation.id != template.conversation_id:
            return copy
        messages = copy.thread.messages
        request = replace(
            template,
            title=self._title(conversation, len(messages), template.styles),
            messages=messages,
            skipped=copy.thread.skipped,
            folded=default_folds(len(messages)),
        )
        generation = template.generation
        self._render_and_wrap(request, cancelled=lambda: generation != self._generation)
        return copy

    def _start_render(
        self,
        conversation: Subject,
        messages: Sequence[ApiMessage],
        skipped: int,
        generation: int | None,
        *,
        stale: str | None = None,
    ) -> None:
        request = _RenderRequest(
            conversation_id=conversation.id,
            stamp=stale if stale is not None else conversation.last_activity_at,
            generation=generation,
            title=self._title(conversation, len(messages)),
            width=self._content_width(),
            expanded=False,
            styles=self._resolve_styles(),
            glyphs=self._glyphs,
            messages=messages,
            skipped=skipped,
            contact_name=_contact(conversation)[0],
            folded=default_folds(len(messages)),
        )
        self._render_worker(request)

    @work(thread=True, group="render", exit_on_error=False)
    def _render_worker(self, request: _RenderRequest) -> None:
        """HTML -> text and wrapping, off the UI thread; the result is posted back."""
        self._render_and_wrap(request)

    def _render_and_wrap(self, request: _RenderRequest, cancelled: Callable[[], bool] | None = None) -> None:
        """The body of both thread workers: convert what is not rendered yet, wrap, post back.

        A fetch (``request.rendered`` is None) always reports, so its rendering reaches
        the cache even when the wrap was cancelled; a re-wrap reports only a finished layout.
        """
        if cancelled is None:
            worker = get_current_worker()
            cancelled = functools.partial(getattr, worker, "is_cancelled")
        rendered: Sequence[RenderedMessage] | None = request.rendered
        layout: ThreadLayout | None = None
        try:
            if rendered is None and self._newest_first(request):
                messages = request.messages
                newest = self._messages.render(
                    messages[-1:],
                    request.contact_name,
                    functools.partial(render.render_thread, contact_name=request.contact_name),
                )
                headers = [render.render_header(m, contact_name=request.contact_name) for m in messages[:-1]]
                partial = [*headers, *newest]
                first = self._build_layout(request, partial, cancelled=cancelled)
                if first is None:
                    return
                self.post_message(self._RenderDone(request, partial, first, None, partial=True))
            if rendered is None:
                rendered = self._messages.render(
                    request.messages,
                    request.contact_name,
                    functools.partial(render.render_thread, contact_name=request.contact_name),
                )
            if request.width > 0:
                layout = self._build_layout(request, rendered, cancelled=cancelled)
        except Exception as exc:  # a renderer bug must not take the app down
            self.post_message(self._RenderDone(request, None, None, describe_error(exc)))
            return
        if layout is not None or request.rendered is None:
            self.post_message(self._RenderDone(request, rendered, layout, None))

    def _newest_first(self, request: _RenderRequest) -> bool:
        """Whether to show the newest message before the others are converted."""
        messages = request.messages
        if request.generation is None or request.width <= 0 or len(messages) <= EAGER_MESSAGES:
            return False
        if request.folded != default_folds(len(messages)) or request.find:
            return False
        return self._messages.missing(messages[:-1], request.contact_name) > EAGER_MESSAGES

    def _build_layout(
        self,
        request: _RenderRequest,
        rendered: Sequence[RenderedMessage],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> ThreadLayout | None:
        return build_layout(
            rendered,
            width=request.width,
            expanded=request.expanded,
            styles=request.styles,
            glyphs=request.glyphs,
            title=request.title,
            skipped=request.skipped,
            tz=self._tz,
            cancelled=cancelled,
            folded=request.folded,
            find=find_pattern(request.find) if request.find else None,
        )

    @on(_RenderDone)
    def _render_done(self, message: ThreadView._RenderDone) -> None:
        request = message.request
        if message.error is not None:
            if request.generation == self._generation:
                self._state = "error"
                reason = sanitize_line(message.error, 300)
                self._show_notice(f"This conversation could not be displayed ({reason}).", "error")
            return
        thread = self._thread
        if message.rendered is not None and request.rendered is None:
            thread = CachedThread(
                request.conversation_id,
                request.stamp,
                tuple(message.rendered),
                request.skipped,
                partial=message.partial,
            )
            if not message.partial:
                self._cache.put(thread)
        if message.layout is not None and not message.partial and not request.partial:
            self._layouts.put(self._layout_key_for(request), message.layout)
        if request.generation != self._generation or request.conversation_id != self.current_conversation_id:
            return  # the user moved on: the result only fills the caches
        current = self._thread
        same_conversation = current is not None and current.conversation_id == request.conversation_id
        if (
            same_conversation
            and _is_stale(request.stamp)
            and not _is_stale(current.stamp if current else None)
        ):
            return  # a stored copy rendered after the fetched thread: the newer one stays
        if request.rendered is not None:  # a re-wrap of what is on screen
            self._pending_layout_key = None
            if message.layout is not None and self._layout_key_for(request) == self._layout_key():
                self._set_layout(message.layout, anchor=request.anchor, thread=True)
            else:
                self._relayout()
            return
        if message.partial and current is not None and current.stamp == request.stamp:
            return  # the full rendering is already on screen
        if message.partial and thread is not None and message.layout is not None:
            self._thread = thread
            self._state = "thread"
            self._set_layout(message.layout, home=True, thread=True)
            return
        if thread is not None:
            # The fetched version replacing its stored copy (or the newest-first lines
            # their full rendering) keeps the reading position.
            self._show_thread(thread, home=not (same_conversation and self._state == "thread"))

    # ------------------------------------------------------------------ display

    def _contact_label(self, conversation: Subject) -> str:
        name, _email = _contact(conversation)
        return sanitize_line(name if name is not None else conversation.id, 80) or "this contact"

    def _title(self, conversation: Subject, count: int, styles: ThreadStyles | None = None) -> Text:
        """The title line; with ``styles`` given it touches no DOM (a worker may call it)."""
        _name, address = _contact(conversation)
        title = Text(end="", overflow="fold")
        styles = styles if styles is not None else self._resolve_styles()
        title.append(self._contact_label(conversation), styles.title)
        email = sanitize_line(address, 200) if address else ""
        if email and email != self._contact_label(conversation):
            title.append(f" <{email}>", styles.meta)
        noun = "message" if count == 1 else "messages"
        title.append(f"  {count} {noun}", styles.meta)
        return title

    def _content_width(self) -> int:
        if not self.is_mounted:
            return 0
        return max(0, self.scrollable_content_region.width)

    def _resolve_styles(self) -> ThreadStyles:
        if not self.is_mounted:
            return ThreadStyles()
        return resolve_styles(lambda component: self.get_component_rich_style(component, default=Style()))

    def _layout_key(self) -> tuple[object, ...]:
        """What a wrapped layout depends on; the stamp keeps an older version's lines out."""
        return (
            self.current_conversation_id,
            self._thread.stamp if self._thread is not None else None,
            self._content_width(),
            self._expanded,
            self._resolve_styles(),
            self._glyphs,
            self._fold_set(),
            self._find_text,
            self._thread.partial if self._thread is not None else False,
        )

    def _layout_key_for(self, request: _RenderRequest) -> tuple[object, ...]:
        return (
            request.conversation_id,
            request.stamp,
            request.width,
            request.expanded,
            request.styles,
            request.glyphs,
            request.folded,
            request.find,
            request.partial,
        )

    def _show_notice(self, text: str, style_name: str) -> None:
        self._notice = (text, style_name)
        styles = self._resolve_styles()
        style = styles.error if style_name == "error" else styles.notice
        self._set_layout(notice_layout(sanitize(text), style, max(1, self._content_width())), home=True)

    def _show_thread(self, thread: CachedThread, *, home: bool) -> None:
        self._thread = thread
        self._state = "thread"
        self._relayout(home=home)

    def _anchor(self) -> Anchor | None:
        """The reading position: the line at the top of the view (``layout.Anchor``)."""
        return self._layout.anchor_at(round(self.scroll_y))

    def _relayout(self, *, home: bool = False, anchor: Anchor | None = None) -> None:
        """Show the current thread at the current width, quote state, folds and search,
        from cache if possible; at ``anchor`` (default: the reading position)."""
        thread = self._thread
        if thread is None:
            if self._state in ("loading", "error", "empty") and self.is_mounted:
                text, style_name = self._notice
                self._show_notice(text, style_name)
            return
        width = self._content_width()
        if width <= 0:
            # Hidden or not laid out yet; on_resize comes back here when it shows. Another
            # conversation's lines must not wait there to be shown under this one's id.
            if self._shown is not thread:
                self._set_layout(ThreadLayout([], 0, []), home=True)
            return
        if anchor is None:
            anchor = None if home else self._anchor()
        key = self._layout_key()
        layout = self._layouts.get(key)
        if layout is not None:
            self._set_layout(layout, home=home, anchor=anchor, thread=True)
            return
        conversation = self._conversation
        title = self._title(conversation, len(thread.messages)) if conversation is not None else None
        request = _RenderRequest(
            conversation_id=thread.conversation_id,
            stamp=thread.stamp,
            generation=self._generation,
            title=title,
            width=width,
            expanded=self._expanded,
            styles=self._resolve_styles(),
            glyphs=self._glyphs,
            rendered=thread.messages,
            skipped=thread.skipped,
            anchor=NEWEST if home else anchor,
            folded=self._fold_set(),
            find=self._find_text,
            partial=thread.partial,
        )
        if layout_cost(thread.messages, self._expanded) <= INLINE_LAYOUT_CHARS:
            built = self._build_layout(request, thread.messages)
            assert built is not None
            self._layouts.put(key, built)
            self._set_layout(built, home=home, anchor=anchor, thread=True)
            return
        if self._pending_layout_key == key:
            return
        self._pending_layout_key = key
        if home or not self._layout.lines:
            self._show_notice("Formatting the conversation…", "notice")
            self._state = "thread"
        self._layout_worker(request)

    @work(thread=True, group="layout", exclusive=True, exit_on_error=False)
    def _layout_worker(self, request: _RenderRequest) -> None:
        """Re-wrap a big thread (resize, ``z``) off the UI thread."""
        self._render_and_wrap(request)

    def _set_layout(
        self,
        layout: ThreadLayout,
        *,
        home: bool = False,
        anchor: Anchor | None = None,
        thread: bool = False,
    ) -> None:
        """Put ``layout`` on screen: the current thread's lines (``thread``) or a notice.

        A thread lands on its newest message (``home``, or the first real layout after an
        open: the pane may have been hidden then); a pending search goes to its match.
        """
        self._layout = layout
        self._shown = self._thread if thread else None
        real = thread and layout.width > 0
        self._update_virtual_size()
        if real and self._landing:
            self._landing = False
            home = True
        if home:
            y = layout.line_for(NEWEST) if real else 0
            self.scroll_to(0, y or 0, animate=False, force=True)
        elif anchor is not None and (y := layout.line_for(anchor)) is not None:
            self.scroll_to(0, y, animate=False, force=True)
        if real:
            if self._match_index >= len(layout.matches):
                self._set_match(-1)
            elif self._match_index >= 0:
                self._set_match(self._match_index)
            self._resolve_goto(layout)
        self.refresh()
        self._update_header()
        if real:
            self._settle_mark()
            if self._find_later is not None:
                query, message_id = self._find_later
                self._find_later = None
                self.call_later(self.find, query, message_id=message_id)

    def _update_virtual_size(self) -> None:
        """Room to scroll the newest message's first line to the top, however short it is."""
        layout = self._layout
        height = layout.scroll_height(self.scrollable_content_region.height) if self._shown else None
        # Not ``self.virtual_size = ...``: a layout reactive, it re-arranges and repaints
        # the whole screen; only this pane and its scrollbar change (``ui.internals``).
        set_virtual_size(self, Size(layout.width, layout.line_count if height is None else height))

    def _search(self, text: str, goto: _Goto) -> None:
        """Search ``text`` (sanitized) and go to ``goto`` once its layout is on screen."""
        self._find_text = text
        self._set_match(-1)
        self._goto = goto if text else None
        self._relayout()

    def _searched(self, layout: ThreadLayout) -> bool:
        """Whether ``layout`` was built with the words searched now."""
        pattern = find_pattern(self._find_text) if self._find_text else None
        return layout.find == (pattern.pattern if pattern is not None else "")

    def _resolve_goto(self, layout: ThreadLayout) -> None:
        """Scroll to the match a search or ``n``/``N`` asked for, unfolding it first."""
        goto = self._goto
        if goto is None or not self._searched(layout):
            return
        matches = layout.matches
        if not matches:
            self._goto = None
            if not self._expanded and self._thread is not None and self._quotes_hold(self._find_text):
                self._expanded = True  # the words are only in quoted history: show it (z)
                self._goto = goto
                self._relayout()
            return
        index = goto.index
        if index < 0 and goto.message_id is not None:
            index = next(
                (n for n, m in enumerate(matches) if self._message_id(m.message) == goto.message_id), -1
            )
        if index < 0:
            index = layout.match_before(goto.line) if goto.backward else layout.match_after(goto.line)
        index = max(0, min(index, len(matches) - 1))
        match = matches[index]
        if match.folded:
            # Unfold its message and come back once that layout is on screen.
            self._goto = _Goto(index=index)
            self._folds = self._fold_set() - {match.message}
            self._relayout(anchor=Anchor(match.message, 0, width=layout.width))
            return
        self._goto = None
        self._set_match(index)
        start = layout.message_starts[match.message]
        view = self._top_line()
        if not view <= match.line < view + self._view_height():
            # A few lines of context above the match, never above its message's first line.
            self.scroll_to(0, max(start, match.line - 2), animate=False, force=True)

    def _quotes_hold(self, text: str) -> bool:
        """Whether ``text`` appears in a message's folded quoted history."""
        pattern = find_pattern(text)
        thread = self._thread
        if pattern is None or thread is None:
            return False
        return any(rm.body.quoted and pattern.search(rm.body.quoted) for rm in thread.messages)

    def _message_id(self, index: int) -> str | None:
        thread = self._thread
        if thread is None or not 0 <= index < len(thread.messages):
            return None
        return thread.messages[index].message_id

    def _view_height(self) -> int:
        return max(1, self.scrollable_content_region.height)

    def _set_match(self, index: int) -> None:
        """Make match ``index`` the current one (-1: none) and note its cells for painting."""
        self._match_index = index
        cells: dict[int, list[tuple[int, int]]] = {}
        matches = self._layout.matches
        if 0 <= index < len(matches):
            for line, left, right in matches[index].cells:
                cells.setdefault(line, []).append((left, right))
        if cells != self._match_cells:
            self._match_cells = cells
            self.refresh()

    def _update_header(self) -> None:
        """The pane's header: who, ``message 7 of 9``, and ``match 2 of 5`` while searching."""
        parts: list[str] = []
        conversation = self._conversation
        if conversation is not None:
            parts.append(self._contact_label(conversation))
        current, count = self.message_position
        if count:
            parts.append(f"message {current} of {count}")
        if self._find_text and self._shown is not None:
            matches = len(self._layout.matches)
            quoted = sanitize_line(self._find_text, 40)
            if not matches:
                parts.append(f'no match for "{quoted}"')
            elif self._match_index >= 0:
                parts.append(f"match {self._match_index + 1} of {matches}")
            else:
                noun = "match" if matches == 1 else "matches"
                parts.append(f"{matches} {noun}")
        text = self._glyphs.separator.join(parts)
        if text != self._header_text:
            self._header_text = text
            self.border_title = Content(f" {text} ") if text else None

    # ------------------------------------------------------------------ Textual hooks

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        base = self._base_style()
        layout = self._layout
        if self._layout.width != width and width > 0 and not self._relayout_scheduled:
            # The pane's width changed without a Resize reaching us (e.g. a scrollbar came
            # and went): re-wrap after this frame.
            self._relayout_scheduled = True
            self.call_after_refresh(self._deferred_relayout)
        if index >= layout.line_count:
            return Strip.blank(width, base)
        strip = layout.strip(index)
        runs = self._match_cells.get(index)
        if runs:
            strip = self._highlight(strip, runs)
        return strip.apply_style(base).crop_extend(scroll_x, scroll_x + width, base)

    def _highlight(self, strip: Strip, runs: list[tuple[int, int]]) -> Strip:
        """The current match's cells of one line, in ``match_current`` over their own style."""
        current = self._resolve_styles().match_current
        cuts = sorted({cut for run in runs for cut in run} | {strip.cell_length})
        pieces = strip.divide(cuts)
        segments: list[Segment] = []
        left = 0
        for piece, right in zip(pieces, cuts, strict=False):
            hit = any(a <= left and right <= b for a, b in runs)
            for segment in piece:
                if hit and not segment.control:
                    style = segment.style + current if segment.style else current
                    segments.append(Segment(segment.text, style))
                else:
                    segments.append(segment)
            left = right
        return Strip(segments, strip.cell_length)

    def _base_style(self) -> Style:
        """``rich_style``, once per restyle rather than once per line painted.

        ``DOMNode.rich_style`` is not cached: it walks the styles of every ancestor, and
        was a fifth of the UI time of showing a cached thread (benchmark row "5 thread open: cached"). It
        changes only with a restyle of the pane or an ancestor, which reaches
        ``notify_style_update`` (a theme switch, the screen's narrow/reading classes).
        """
        base = self._base
        if base is None:
            base = self._base = self.rich_style
        return base

    def _deferred_relayout(self) -> None:
        self._relayout_scheduled = False
        if self._layout.width != self._content_width():
            self._relayout()

    def on_resize(self, event: Resize) -> None:
        if self._layout.width != self._content_width():
            self._relayout()
        else:
            self._update_virtual_size()  # the room under the newest message follows the height

    def focus_changed(self, focused: bool) -> None:
        """Focus shows in the scrollbar: ``.thread--focused``'s colours, set inline.

        Not a ``ThreadView:focus`` rule: that restyles the pane and its 16 component
        classes on every focus change (``ui.internals.QuietFocusScrollView``). Inline rules repaint the pane
        and its scrollbar only; cleared, the stylesheet's colours show again.
        """
        look = self.get_component_styles("thread--focused") if focused else None
        styles = self.styles
        for rule in FOCUS_RULES:
            value = look.get_rule(rule, None) if look is not None else None
            if styles.inline.get_rule(rule, None) != value:
                setattr(styles, rule, value)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base = None
        # A theme switch changes the component styles baked into the strips (and the
        # focus colours): re-wrap, but only when they really changed. Later, because
        # the component styles are resolved after this hook.
        if self.is_mounted:
            self.call_later(self._restyle)

    def _restyle(self) -> None:
        if self.has_focus:
            self.focus_changed(True)
        if self._thread is not None and self._layouts.get(self._layout_key()) is None:
            self._relayout()

    def on_mount(self) -> None:
        # The header's "message 7 of 9" follows the reading position, however it moved.
        self.watch(self, "scroll_y", self._scrolled, init=False)
        if not self._owns_queue:
            # The app's queue may hold marks restored from the last run: their landing
            # must reach the list even if this pane never opens a thread.
            _ = self._marks

    def _scrolled(self) -> None:
        self._update_header()

    def on_unmount(self) -> None:
        if self._open_marks is not None and self._owns_queue:
            self._open_marks.close()

    # ------------------------------------------------------------------ actions

    def action_toggle_quotes(self) -> None:
        """Fold or unfold every quoted history of the thread, keeping the reading position."""
        if self._thread is None:
            return
        self._expanded = not self._expanded
        self._relayout()

    def action_thread_page_down(self) -> None:
        self.scroll_page_down(animate=False)

    def action_thread_page_up(self) -> None:
        self.scroll_page_up(animate=False)

    def action_thread_scroll(self, lines: int) -> None:
        self.scroll_to(y=self.scroll_y + lines, animate=False)

    def action_thread_home(self) -> None:
        self.scroll_to(y=0, animate=False)

    def action_thread_end(self) -> None:
        """The end of the text at the bottom of the view (not the room kept under a short
        newest message, which is there for ``}`` and the landing of an open)."""
        end = max(0, self._layout.line_count - self._view_height())
        self.scroll_to(y=min(self.max_scroll_y, end), animate=False)

    def action_reload(self) -> None:
        """``r`` retries a thread that failed to load; otherwise it is the screen's refresh."""
        if self._state != "error" or self._conversation is None:
            raise SkipAction()
        self.reload()

    # ------------------------------------------------------------------ messages, folds, search

    def _thread_layout(self) -> ThreadLayout | None:
        """The thread's layout on screen (not a notice), if it has messages."""
        if self._shown is None or self._shown is not self._thread or not self._layout.message_starts:
            return None
        return self._layout

    def _go_to_message(self, index: int) -> None:
        layout = self._thread_layout()
        if layout is None:
            return
        index = max(0, min(index, layout.message_count - 1))
        self.scroll_to(0, layout.message_starts[index], animate=False, force=True)

    def action_next_message(self) -> None:
        """``}``: the next message's first line at the top (a folded one shows its one line)."""
        layout = self._thread_layout()
        if layout is None:
            return
        top = self._top_line()
        starts = layout.message_starts
        following = bisect.bisect_right(starts, top)
        if following < len(starts):
            self._go_to_message(following)

    def action_previous_message(self) -> None:
        """``{``: back to this message's first line, or to the one before when already there."""
        layout = self._thread_layout()
        if layout is None:
            return
        top = self._top_line()
        starts = layout.message_starts
        before = bisect.bisect_left(starts, top) - 1
        if before >= 0:
            self._go_to_message(before)
        else:
            self.scroll_to(0, 0, animate=False, force=True)

    def action_toggle_fold(self) -> None:
        """``o``: fold or unfold the message at the reading position; it stays at the top."""
        layout = self._thread_layout()
        if layout is None:
            return
        index = layout.message_at(self._top_line())
        folds = self._fold_set()
        self._folds = folds - {index} if index in folds else folds | {index}
        self._relayout(anchor=Anchor(index, 0, width=layout.width))

    def action_toggle_folds(self) -> None:
        """``Z``: unfold every message; when none is folded, fold all but the one being read."""
        layout = self._thread_layout()
        if layout is None or self._thread is None:
            return
        folds = self._fold_set()
        if folds:
            self._folds = frozenset()
        else:
            reading = layout.message_at(self._top_line())
            self._folds = frozenset(range(len(self._thread.messages))) - {reading}
        self._relayout()

    def action_find_start(self) -> None:
        """``/`` in the pane: the screen opens the find box (``FindRequested``); while the
        thread loads the words wait for it (``find``)."""
        if self.current_conversation_id is None:
            raise SkipAction()  # nothing to search: "/" stays the list filter
        self.post_message(self.FindRequested())

    def action_find_next(self) -> None:
        """``n``: the next match (wrapping), unfolding its message if folded."""
        self._step_match(1)

    def action_find_previous(self) -> None:
        """``N``: the previous match (wrapping)."""
        self._step_match(-1)

    def _step_match(self, delta: int) -> None:
        layout = self._thread_layout()
        if layout is None:
            return
        if not self._find_text:
            self.notify("nothing searched: / finds in the thread", markup=False)
            return
        matches = layout.matches
        if not matches:
            self._update_header()
            return
        top = self._top_line()
        index = self._match_index
        in_view = 0 <= index < len(matches) and top <= matches[index].line < top + self._view_height()
        if in_view:
            index = (index + delta) % len(matches)
        elif delta > 0:
            index = layout.match_after(top)
        else:
            index = layout.match_before(top + self._view_height())
        self._goto = _Goto(index=index)
        self._resolve_goto(layout)
        self._update_header()

    def action_find_clear(self) -> None:
        """Esc in the pane clears a search; without one it is the screen's "back"."""
        if not self._find_text:
            raise SkipAction()
        self.clear_find()

    def action_mark_read(self) -> None:
        """``m``: mark the open conversation read now (with ``mark_read_on_open = false``).

        Through the same queue as a mark on open (retried, never sent twice: nothing is
        sent for a conversation already read or whose mark is on its way).
        """
        conversation = self._conversation
        user_id = self._user_id
        if conversation is None or self._shown is None:
            return
        contact_id = conversation.thread_id
        if user_id is None or contact_id is None:
            self.notify("this conversation cannot be marked read", severity="warning", markup=False)
            return
        if conversation.is_read_by(user_id):
            when = " (marked when it opened: mark_read_on_open)" if self._settings.mark_read_on_open else ""
            self.notify(f"already read{when}", markup=False)
            return
        if not self._marks.owed(conversation, user_id):
            self.notify("already being marked read", markup=False)
            return
        self._owed = None
        self._marks.send(OwedMark(conversation, contact_id, user_id))
        self.notify("marking as read", markup=False)

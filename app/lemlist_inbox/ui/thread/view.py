"""The thread pane: one conversation's messages, oldest first, as literal text.

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
  conversation costs no request and no conversion.
- With a local inbox (``stored``, the screen hands it over), a fetched thread is kept on
  disk; an open (also after a restart, also offline) shows the stored copy at once and
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

import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
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
    TOP,
    Anchor,
    ThreadLayout,
    build_layout,
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
    from lemlist_inbox.inbox.threads import StoredThreads
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

    class _RenderDone(Message):
        """A thread worker finished rendering and/or wrapping (posted from that thread)."""

        def __init__(
            self,
            request: _RenderRequest,
            rendered: Sequence[RenderedMessage] | None,
            layout: ThreadLayout | None,
            error: str | None,
        ) -> None:
            super().__init__()
            self.request = request
            self.rendered = rendered
            self.layout = layout
            self.error = error

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
        self._show_notice("", "notice")

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
            try:
                copy = await self.stored.load(contact_id)
            except Exception as exc:  # a damaged copy costs itself: fetch as without one
                self.log.warning(f"stored thread unreadable: {exc!r}")
            if generation != self._generation:
                return
        if copy is not None:
            fresh = copy.fresh_for(activity)
            stale = None if fresh else _stale_stamp(copy.activity)
            self._start_render(
                conversation, copy.thread.messages, copy.thread.skipped, generation, stale=stale
            )
            if fresh:
                return
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
        )
        self._render_worker(request)

    @work(thread=True, group="render", exit_on_error=False)
    def _render_worker(self, request: _RenderRequest) -> None:
        """HTML -> text and wrapping, off the UI thread; the result is posted back."""
        self._render_and_wrap(request)

    def _render_and_wrap(self, request: _RenderRequest) -> None:
        """The body of both thread workers: convert what is not rendered yet, wrap, post back.

        A fetch (``request.rendered`` is None) always reports, so its rendering reaches
        the cache even when the wrap was cancelled; a re-wrap reports only a finished layout.
        """
        worker = get_current_worker()
        rendered: Sequence[RenderedMessage] | None = request.rendered
        layout: ThreadLayout | None = None
        try:
            if rendered is None:
                rendered = self._messages.render(
                    request.messages,
                    request.contact_name,
                    functools.partial(render.render_thread, contact_name=request.contact_name),
                )
            if request.width > 0:
                layout = self._build_layout(request, rendered, cancelled=lambda: worker.is_cancelled)
        except Exception as exc:  # a renderer bug must not take the app down
            self.post_message(self._RenderDone(request, None, None, describe_error(exc)))
            return
        if layout is not None or request.rendered is None:
            self.post_message(self._RenderDone(request, rendered, layout, None))

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
                request.conversation_id, request.stamp, tuple(message.rendered), request.skipped
            )
            self._cache.put(thread)
        if message.layout is not None:
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
        if thread is not None:
            # The fetched version replacing its stored copy keeps the reading position.
            self._show_thread(thread, home=not (same_conversation and self._state == "thread"))

    # ------------------------------------------------------------------ display

    def _contact_label(self, conversation: Subject) -> str:
        name, _email = _contact(conversation)
        return sanitize_line(name if name is not None else conversation.id, 80) or "this contact"

    def _title(self, conversation: Subject, count: int) -> Text:
        _name, address = _contact(conversation)
        title = Text(end="", overflow="fold")
        styles = self._resolve_styles()
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
        )

    def _layout_key_for(self, request: _RenderRequest) -> tuple[object, ...]:
        return (
            request.conversation_id,
            request.stamp,
            request.width,
            request.expanded,
            request.styles,
            request.glyphs,
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

    def _relayout(self, *, home: bool = False) -> None:
        """Show the current thread at the current width and quote state, from cache if possible."""
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
            anchor=TOP if home else anchor,
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
        """Put ``layout`` on screen: the current thread's lines (``thread``) or a notice."""
        self._layout = layout
        self._shown = self._thread if thread else None
        # Not ``self.virtual_size = ...``: a layout reactive, it re-arranges and repaints
        # the whole screen; only this pane and its scrollbar change (``ui.internals``).
        set_virtual_size(self, Size(layout.width, layout.line_count))
        if home:
            self.scroll_to(0, 0, animate=False, force=True)
        elif anchor is not None and (y := layout.line_for(anchor)) is not None:
            self.scroll_to(0, y, animate=False, force=True)
        self.refresh()
        if thread and layout.width > 0:
            self._settle_mark()

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
        return layout.strip(index).apply_style(base).crop_extend(scroll_x, scroll_x + width, base)

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
        if not self._owns_queue:
            # The app's queue may hold marks restored from the last run: their landing
            # must reach the list even if this pane never opens a thread.
            _ = self._marks

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
        self.scroll_to(y=self.max_scroll_y, animate=False)

    def action_reload(self) -> None:
        """``r`` retries a thread that failed to load; otherwise it is the screen's refresh."""
        if self._state != "error" or self._conversation is None:
            raise SkipAction()
        self.reload()

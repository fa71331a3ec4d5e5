"""The conversation list: a line-API virtual list over the store's view.

It never builds a widget per row (ListView does, and dies at 100,000 rows): like
Textual's own ``Log``/``OptionList`` it is a ``ScrollView`` whose ``render_line`` draws
only the rows on screen, straight from the store. Moving the cursor repaints two
lines; appending a page only changes ``virtual_size``. The cursor is held by
conversation id, so rows arriving above or below, a refresh or a filter change never
move it to another conversation; when a filter hides that conversation, the cursor
goes to the nearest one shown in list order (the store's ``locate``), and it comes
back to it when the filter lets it show again.

Relative ages ("5m") are computed from one "now" shared by every row, taken when the
clock's minute changes (a timer set for that moment); only the rows whose age text
changed are repainted then.

Every string from the API becomes a plain ``Segment`` (no markup parsing anywhere),
already passed through ``render.sanitize`` by the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from lemlist_inbox.inbox.store import ConversationStore, Entry, SortKey
from lemlist_inbox.ui.charset import chrome
from lemlist_inbox.ui.clock import Clock, system_clock
from lemlist_inbox.ui.format import (
    UNICODE,
    WIDE_SCREEN,
    Columns,
    Glyphs,
    clock_minute,
    columns_for,
    fit,
    row_pieces,
    row_times,
    seconds_to_next_minute,
)
from lemlist_inbox.ui.internals import QuietFocusScrollView, set_virtual_size

_ROLES = ("mark", "name", "email", "subject", "snippet", "channels", "replied", "them", "us", "time")
_ROW_CACHE = 512  # rendered rows kept (a few screens' worth); cleared wholesale when full
#: Past the minute's end before the tick reads the clock (a timer may fire a hair early).
TICK_MARGIN = 0.01
#: The least wait between ticks when the minute has not changed (a clock that stands still).
TICK_MIN = 1.0


class _Frame(NamedTuple):
    """What every row of one frame shares, looked up once per frame (see ``render_lines``)."""

    width: int
    top: int
    now: datetime
    columns: Columns


class ConversationList(QuietFocusScrollView, can_focus=True):
    """Virtual list of conversations; posts ``Highlighted`` and ``Selected`` by id."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False),
        Binding("k,up", "cursor_up", "Up", show=False),
        Binding("g,home", "first", "Top", show=False),
        Binding("G,end", "last", "Bottom", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("enter,l", "select", "Open", key_display="⏎/l"),
        # Shown in the footer while the list has focus; the screen runs them (and binds
        # them everywhere, unlisted). J/K are listed in the footer only from the thread.
        Binding("slash", "screen.filter", "Filter", key_display="/", priority=True),
        Binding("u", "screen.toggle_unread", "Unread"),
        Binding("c", "screen.cycle_channel", "Channel", show=False),
        Binding("w", "screen.cycle_reply", "Replied", show=False),
        Binding("r", "screen.refresh", "Refresh"),
        Binding("J,right_square_bracket", "screen.next_conversation", "Next", show=False),
        Binding("K,left_square_bracket", "screen.previous_conversation", "Prev", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "conversation-list--cursor",
        "conversation-list--cursor-blurred",
        "conversation-list--unread",
        "conversation-list--mark",
        "conversation-list--name",
        "conversation-list--email",
        "conversation-list--subject",
        "conversation-list--snippet",
        "conversation-list--channels",
        "conversation-list--replied",
        "conversation-list--them",
        "conversation-list--us",
        "conversation-list--time",
        "conversation-list--empty",
        "conversation-list--open",
    }

    class Highlighted(Message):
        """The cursor moved to another conversation (None: the view is empty)."""

        def __init__(self, conversation_id: str | None) -> None:
            super().__init__()
            self.conversation_id = conversation_id

    class Selected(Message):
        """The user asked to open a conversation (Enter, l, or a click)."""

        def __init__(self, conversation_id: str) -> None:
            super().__init__()
            self.conversation_id = conversation_id

    def __init__(
        self,
        store: ConversationStore,
        *,
        clock: Clock = system_clock,
        glyphs: Glyphs = UNICODE,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.store = store
        self.clock = clock
        self.glyphs = glyphs
        self._empty_text = "loading…"
        self._empty_hint = ""
        self.cursor = 0
        self.cursor_id: str | None = None
        #: The conversation open in the thread pane (its row is marked), or None.
        self.open_id: str | None = None
        #: The conversation the cursor was last on, and its place in the order then: kept
        #: while the view is empty, so the cursor can come back (or land near it).
        self._anchor: tuple[str, SortKey] | None = None
        #: The one "now" of every row's age, moved on when the clock's minute changes.
        self._now = clock()
        #: Time texts by (activity instant, absolute column shown), for ``_now``: ~15 us
        #: to format, against a dict lookup; emptied when ``_now`` moves on.
        self._times: dict[tuple[float, int], tuple[str, str]] = {}
        self._columns: tuple[tuple[int, bool], Columns] | None = None
        self._styles: dict[str, Style] = {}
        self._rows: dict[tuple[object, ...], Strip] = {}
        self._visible: tuple[object, ...] = ()
        self._frame: _Frame | None = None

    # -- public ----------------------------------------------------------------------

    @property
    def highlighted_id(self) -> str | None:
        return self.cursor_id

    @property
    def empty_text(self) -> str:
        """What the list says when no row is shown (loading, nothing there, what failed)."""
        return self._empty_text

    @empty_text.setter
    def empty_text(self, text: str) -> None:
        self.set_empty(text, self._empty_hint)

    @property
    def empty_hint(self) -> str:
        return self._empty_hint

    def set_empty(self, text: str, hint: str = "") -> None:
        """Say ``text`` (and what to do, ``hint``) while the view is empty; repaints if it changed."""
        if (text, hint) == (self._empty_text, self._empty_hint):
            return
        self._empty_text, self._empty_hint = text, hint
        self._visible = ()  # the next ``sync`` compares against a fresh frame
        if not self.store.view_size:
            self.refresh()

    def reset_cursor(self) -> None:
        """Forget where the cursor was (another user's inbox): the next rows start at the top."""
        self._anchor = None
        self.sync(top=True)

    @property
    def place(self) -> tuple[str | None, int]:
        """Where the reader is: the cursor's conversation and the scroll (for ``sync``'s
        ``back``, to return there exactly)."""
        return self.cursor_id, self.scroll_offset.y

    def sync(self, *, top: bool = False, back: tuple[str | None, int] | None = None) -> None:
        """Catch up with the store after a merge, a filter change or a mark.

        The cursor stays on the same conversation and on the same screen row: rows
        added above it scroll the view by as many lines instead of moving the cursor.
        A conversation no longer shown hands the cursor to the nearest one shown
        (``ConversationStore.locate``). ``top`` puts it on the first row (a new filter
        query); ``back`` (a ``place``) returns to that conversation and scroll if the
        conversation is shown (undoing a filter).
        """
        store = self.store
        size = store.view_size
        old_index, old_id = self.cursor, self.cursor_id
        screen_row = old_index - self.scroll_offset.y
        index: int | None = None
        returned = False
        if size and top:
            index = 0
        elif size:
            if back is not None:
                index = store.view_index(back[0])
                returned = index is not None
            if index is None and self._anchor is not None:
                index = store.locate(*self._anchor)
        set_virtual_size(self, Size(self.scrollable_content_region.width, size))
        self._place(index if index is not None else 0)
        height = self._page_height
        if top:
            self._scroll_top(0)
        elif returned and back is not None:
            self._scroll_top(back[1])
        elif self.cursor != old_index and 0 <= screen_row < height:
            # Keep the cursor on the screen row it was on (rows arrived above it, or a
            # filter moved it): what the eye was on stays where it was.
            self._scroll_top(self.cursor - screen_row)
        else:
            self._scroll_top(self.scroll_offset.y)
        self._scroll_cursor_visible()
        # Pages usually land below the screen: repaint only if what is visible changed.
        top_row = self.scroll_offset.y
        visible = (
            self.cursor,
            top_row,
            size == 0,
            tuple((e.id, e.version) for e in store.view_slice(top_row, top_row + height)),
        )
        if visible != self._visible:
            self._visible = visible
            self.refresh()
        if self.cursor_id != old_id:
            self.post_message(self.Highlighted(self.cursor_id))

    def move_to(self, index: int) -> None:
        """Put the cursor on a view index (clamped); repaints only the two rows involved."""
        size = self.store.view_size
        if not size:
            return
        index = max(0, min(index, size - 1))
        if self.virtual_size.height != size:
            # Rows merged since the last sync (repaints are batched while loading).
            set_virtual_size(self, Size(self.scrollable_content_region.width, size))
        old, old_id = self.cursor, self.cursor_id
        self._place(index)
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_cursor_visible()
        if self.cursor_id != old_id:
            self.post_message(self.Highlighted(self.cursor_id))

    def move_to_id(self, conversation_id: str) -> bool:
        index = self.store.view_index(conversation_id)
        if index is None:
            return False
        self.move_to(index)
        return True

    def refresh_row(self, conversation_id: str) -> None:
        """Repaint one conversation's row (after it was marked read)."""
        index = self.store.view_index(conversation_id)
        if index is not None:
            self.refresh_line(index)

    def set_open(self, conversation_id: str | None) -> None:
        """Mark the row of the conversation open in the thread pane (None: none is)."""
        if conversation_id == self.open_id:
            return
        old, self.open_id = self.open_id, conversation_id
        for ident in (old, conversation_id):
            if ident is not None:
                self.refresh_row(ident)

    # -- actions ---------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        self.move_to(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_to(self.cursor - 1)

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.store.view_size - 1)

    def action_page_down(self) -> None:
        self.move_to(self.cursor + max(self._page_height - 1, 1))

    def action_page_up(self) -> None:
        self.move_to(self.cursor - max(self._page_height - 1, 1))

    def action_select(self) -> None:
        if self.cursor_id is not None:
            self.post_message(self.Selected(self.cursor_id))

    # -- events ----------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < self.store.view_size:
            self.move_to(index)
            self.action_select()

    def on_mount(self) -> None:
        # Relative times ("5m") age even when nothing else happens.
        self._now = self.clock()
        self._times.clear()
        self._schedule_tick(self._now, changed=True)

    def _schedule_tick(self, now: datetime, *, changed: bool) -> None:
        """Wake when the clock's minute ends: the next moment an age can change."""
        wait = seconds_to_next_minute(now) + TICK_MARGIN
        self.set_timer(wait if changed else max(wait, TICK_MIN), self._tick, name="list ages")

    def _tick(self) -> None:
        """A new minute: move every row's "now" on; repaint the visible rows whose ages changed."""
        now = self.clock()
        old = self._now
        changed = clock_minute(now) != clock_minute(old)
        if changed:
            columns = self._columns_for(self.scrollable_content_region.width)
            top = self.scroll_offset.y
            rows = self.store.view_slice(top, top + self._page_height)
            before = [self._row_times(entry, columns) for entry in rows]
            self._now = now
            self._times.clear()
            for index, (entry, old_times) in enumerate(zip(rows, before, strict=True), start=top):
                if self._row_times(entry, columns) != old_times:
                    self.refresh_line(index)
        self._schedule_tick(now, changed=changed)

    def on_resize(self, event: events.Resize) -> None:
        set_virtual_size(self, Size(self.scrollable_content_region.width, self.store.view_size))
        self._scroll_cursor_visible()

    # -- rendering -------------------------------------------------------------------

    @property
    def _page_height(self) -> int:
        return self.scrollable_content_region.height

    def _place(self, index: int) -> None:
        """Put the cursor on view row ``index`` (0 when the view is empty) and remember it."""
        store = self.store
        self.cursor = index
        if index < store.view_size:
            entry = store.view_at(index)
            self.cursor_id = entry.id
            self._anchor = (entry.id, entry.key)
        else:
            self.cursor_id = None  # the anchor stays: the view may come back

    def _scroll_top(self, y: int) -> None:
        """Scroll to ``y``, within what the rows allow (the view may just have shrunk)."""
        y = max(0, min(y, self.store.view_size - self._page_height))
        if y != self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, immediate=True)

    def _scroll_cursor_visible(self) -> None:
        height = self._page_height
        if height <= 0:
            return
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _columns_for(self, width: int) -> Columns:
        wide_screen = self.app.size.width >= WIDE_SCREEN
        if self._columns is None or self._columns[0] != (width, wide_screen):
            self._columns = ((width, wide_screen), columns_for(width, wide_screen=wide_screen))
        return self._columns[1]

    # Styles are resolved once per restyle (theme change), not per row: ``rich_style``
    # walks the CSS of every ancestor and would dominate the cost of a line. Focus is
    # no restyle (``QuietFocusScrollView``): the cursor row takes ``--cursor`` with focus and
    # ``--cursor-blurred`` without, so opening a thread (focus moves to the pane)
    # repaints one row of the list (benchmark row "5 thread open: cached").

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._restyle()

    def focus_changed(self, focused: bool) -> None:
        self.refresh_line(self.cursor)

    def _restyle(self) -> None:
        old = self._styles
        self._styles = {}
        # Rows are kept when the styles they were drawn with did not change (a restyle
        # of the screen for its narrow/reading classes, say).
        if not old or any(self._style(name) != style for name, style in old.items()):
            self._rows.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            if name == "base":
                style = self.rich_style
            else:
                style = self.get_component_rich_style(f"conversation-list--{name}", partial=True)
            self._styles[name] = style
        return style

    def _frame_context(self) -> _Frame:
        width = self.scrollable_content_region.width
        return _Frame(width, self.scroll_offset.y, self._now, self._columns_for(width))

    def _row_times(self, entry: Entry, columns: Columns) -> tuple[str, str]:
        """``row_times`` at ``_now``, formatted once per instant and minute."""
        key = (entry.shown_stamp, columns.absolute)
        times = self._times.get(key)
        if times is None:
            if len(self._times) >= 4 * _ROW_CACHE:
                self._times.clear()
            times = self._times[key] = row_times(entry, columns, self._now)
        return times

    def _empty_line(self, width: int) -> str:
        """The empty text and its hint on one line; the hint first when both do not fit,
        so a long message cannot push the way out off the screen."""
        text, hint = self._empty_text, self._empty_hint
        if not hint:
            return text
        dot = chrome().separator
        line = f"{text}{dot}{hint}"
        return line if cell_len(line) <= width else f"{hint}{dot}{text}"

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the rows of ``crop`` with one lookup of the width, scroll and time.

        ``scrollable_content_region``, ``scroll_offset``, ``app.size`` and the clock are
        Textual properties that walk the DOM and the compositor's map: looked up in each
        ``render_line`` they cost more than drawing the row (~150 us a line on the 2-core
        box, 6 ms for a screen of new rows after each filter keystroke: benchmark row "3
        responsiveness: filter keystroke").
        """
        self._frame = self._frame_context()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    def render_line(self, y: int) -> Strip:
        frame = self._frame or self._frame_context()
        width = frame.width
        base = self._style("base")
        index = frame.top + y
        store = self.store
        if index >= store.view_size:
            if index == 0 and self._empty_text:
                text = fit(self._empty_line(width), width, self.glyphs.ellipsis)
                return Strip([Segment(text, base + self._style("empty"))], width)
            return Strip.blank(width, base)
        entry = store.view_at(index)
        now = frame.now
        is_cursor = index == self.cursor
        # The cursor row's look follows focus (see ``focus_changed``).
        cursor_name = ("cursor" if self.has_focus else "cursor-blurred") if is_cursor else ""
        # A row only changes with its content, the cursor, the width or its time texts.
        times = self._row_times(entry, frame.columns)
        is_open = entry.id == self.open_id
        key = (entry.id, entry.version, entry.unread, cursor_name, is_open, width, times)
        strip = self._rows.get(key)
        if strip is not None:
            return strip
        row_style = base
        if is_open:
            row_style = row_style + self._style("open")
        if entry.unread:
            row_style = row_style + self._style("unread")
        cursor = self._style(cursor_name) if is_cursor else Style()
        if is_cursor:
            row_style = row_style + cursor
        pieces = row_pieces(entry, frame.columns, now, self.glyphs, times=times, is_open=is_open)
        segments = []
        for text, role in pieces:
            style = row_style + self._style(role) if role in _ROLES else row_style
            if is_cursor:
                style = style + cursor
            segments.append(Segment(text, style))
        strip = Strip(segments).adjust_cell_length(width, row_style)
        if len(self._rows) >= _ROW_CACHE:
            self._rows.clear()
        self._rows[key] = strip
        return strip

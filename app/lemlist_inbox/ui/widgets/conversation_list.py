"""The conversation list: a line-API virtual list over the store's view.

It never builds a widget per row (ListView does, and dies at 100,000 rows): like
Textual's own ``Log``/``OptionList`` it is a ``ScrollView`` whose ``render_line`` draws
only the rows on screen, straight from the store. Moving the cursor repaints two
lines; appending a page only changes ``virtual_size``. The cursor is held by
conversation id, so rows arriving above or below, a refresh or a filter change never
move it to another conversation.

Every string from the API becomes a plain ``Segment`` (no markup parsing anywhere),
already passed through ``render.sanitize`` by the store.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip

from lemlist_inbox.ui.clock import Clock, system_clock
from lemlist_inbox.ui.format import UNICODE, WIDE_SCREEN, Columns, Glyphs, columns_for, fit, row_pieces
from lemlist_inbox.ui.pane_focus import QuietFocusScrollView
from lemlist_inbox.ui.store import ConversationStore
from lemlist_inbox.ui.virtual_size import set_virtual_size

_ROLES = ("mark", "name", "email", "channels", "replied", "time")
TIME_REFRESH = 30.0  # seconds between repaints for the relative times
_ROW_CACHE = 512  # rendered rows kept (a few screens' worth); cleared wholesale when full


class _Frame(NamedTuple):
    """What every row of one frame shares, looked up once per frame (see ``render_lines``)."""

    width: int
    top: int
    now: datetime
    minute: int
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
        "conversation-list--channels",
        "conversation-list--replied",
        "conversation-list--time",
        "conversation-list--empty",
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
        self.empty_text = "loading…"
        self.cursor = 0
        self.cursor_id: str | None = None
        self._columns: tuple[tuple[int, bool], Columns] | None = None
        self._styles: dict[str, Style] = {}
        self._rows: dict[tuple[object, ...], Strip] = {}
        self._visible: tuple[object, ...] = ()
        self._frame: _Frame | None = None

    # -- public ----------------------------------------------------------------------

    @property
    def highlighted_id(self) -> str | None:
        return self.cursor_id

    def sync(self) -> None:
        """Catch up with the store after a merge, a filter change or a mark.

        The cursor stays on the same conversation and on the same screen row: rows
        added above it scroll the view by as many lines instead of moving the cursor.
        """
        store = self.store
        size = store.view_size
        old_index, old_id = self.cursor, self.cursor_id
        index = store.view_index(old_id)
        if index is None:
            # The conversation left the view (filter): stay at the same position.
            index = min(old_index, size - 1) if size else 0
        self.cursor = index
        screen_row = old_index - self.scroll_offset.y
        set_virtual_size(self, Size(self.scrollable_content_region.width, size))
        new_id = store.view_at(index).id if size else None
        if new_id is not None and old_id is not None and index != old_index and new_id == old_id:
            self.scroll_to(y=max(index - screen_row, 0), animate=False, immediate=True)
        self.cursor_id = new_id
        self._scroll_cursor_visible()
        # Pages usually land below the screen: repaint only if what is visible changed.
        top = self.scroll_offset.y
        visible = (
            index,
            top,
            self.empty_text if size == 0 else "",
            tuple((e.id, e.version) for e in store.view_slice(top, top + self._page_height)),
        )
        if visible != self._visible:
            self._visible = visible
            self.refresh()
        if new_id != old_id:
            self.post_message(self.Highlighted(new_id))

    def move_to(self, index: int) -> None:
        """Put the cursor on a view index (clamped); repaints only the two rows involved."""
        size = self.store.view_size
        if not size:
            return
        index = max(0, min(index, size - 1))
        if self.virtual_size.height != size:
            # Rows merged since the last sync (repaints are batched while loading).
            set_virtual_size(self, Size(self.scrollable_content_region.width, size))
        old = self.cursor
        self.cursor = index
        new_id = self.store.view_at(index).id
        changed = new_id != self.cursor_id
        self.cursor_id = new_id
        self.refresh_line(old)
        self.refresh_line(index)
        self._scroll_cursor_visible()
        if changed:
            self.post_message(self.Highlighted(new_id))

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
        self.set_interval(TIME_REFRESH, self.refresh)

    def on_resize(self, event: events.Resize) -> None:
        set_virtual_size(self, Size(self.scrollable_content_region.width, self.store.view_size))
        self._scroll_cursor_visible()

    # -- rendering -------------------------------------------------------------------

    @property
    def _page_height(self) -> int:
        return self.scrollable_content_region.height

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
    # repaints one row of the list (issue 5, thread open).

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
        now = self.clock()
        return _Frame(width, self.scroll_offset.y, now, int(now.timestamp()) // 60, self._columns_for(width))

    def render_lines(self, crop: Region) -> list[Strip]:
        """Render the rows of ``crop`` with one lookup of the width, scroll and time.

        ``scrollable_content_region``, ``scroll_offset``, ``app.size`` and the clock are
        Textual properties that walk the DOM and the compositor's map: looked up in each
        ``render_line`` they cost more than drawing the row (~150 us a line on the 2-core
        box, 6 ms for a screen of new rows after each filter keystroke; issue 5).
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
            if index == 0 and self.empty_text:
                text = fit(self.empty_text, width)
                return Strip([Segment(text, base + self._style("empty"))], width)
            return Strip.blank(width, base)
        entry = store.view_at(index)
        now = frame.now
        is_cursor = index == self.cursor
        # The cursor row's look follows focus (see ``focus_changed``).
        cursor_name = ("cursor" if self.has_focus else "cursor-blurred") if is_cursor else ""
        # A row only changes with its content, the cursor, the width or the minute.
        key = (entry.id, entry.version, entry.unread, cursor_name, width, frame.minute)
        strip = self._rows.get(key)
        if strip is not None:
            return strip
        row_style = base
        if entry.unread:
            row_style = row_style + self._style("unread")
        cursor = self._style(cursor_name) if is_cursor else Style()
        if is_cursor:
            row_style = row_style + cursor
        pieces = row_pieces(entry, frame.columns, now, self.glyphs, now.tzinfo)
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

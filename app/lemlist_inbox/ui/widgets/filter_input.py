"""The ``/`` filter box: an ``Input`` that says when the user is done or gives up.

Enter keeps the filter and hands focus back to the list; Esc clears it. Both are
messages so the screen, which owns the store, decides what they mean.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input

from lemlist_inbox.ui.virtual_size import set_virtual_size


class FilterInput(Input):
    """Filter-as-you-type box at the bottom of the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear filter", key_display="esc"),
    ]

    class Cancelled(Message):
        """Esc: clear the filter and close the box."""

    def _watch_value(self, value: str) -> None:
        """``Input._watch_value`` without its full-screen relayout on every keystroke.

        Textual's version assigns ``virtual_size``, a layout reactive, so each character
        typed re-arranged and repainted the whole screen (issue 5: filter keystrokes);
        this box has a fixed width, so only the box itself needs a new frame.
        """
        # Set the new size first, without a relayout; Textual's own assignment then finds
        # it unchanged and does nothing but the rest (Changed message, cursor, selection).
        set_virtual_size(self, Size(self.content_width, 1))
        super()._watch_value(value)

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

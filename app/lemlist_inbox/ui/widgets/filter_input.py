"""The ``/`` filter box: an ``Input`` that says when the user is done or gives up.

Enter keeps the filter and hands focus back to the list; Esc clears it. Both are
messages so the screen, which owns the store, decides what they mean. Typing repaints
the box only, not the screen (``ui.internals.QuietInput``; benchmark row "3
responsiveness: filter keystroke").
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message

from lemlist_inbox.ui.internals import QuietInput


class FilterInput(QuietInput):
    """Filter-as-you-type box at the bottom of the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear filter", key_display="esc"),
    ]

    class Cancelled(Message):
        """Esc: clear the filter and close the box."""

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

"""The ``/`` filter box: an ``Input`` that says when the user is done or gives up.

Enter keeps the filter and hands focus back to the list; Esc clears it. Both are
messages so the screen, which owns the store, decides what they mean.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FilterInput(Input):
    """Filter-as-you-type box at the bottom of the list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Clear filter", key_display="esc"),
    ]

    class Cancelled(Message):
        """Esc: clear the filter and close the box."""

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())

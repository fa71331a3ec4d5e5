"""Changing a widget's virtual size without re-laying out the whole screen.

``Widget.virtual_size`` is a *layout* reactive in Textual: assigning it re-arranges
every widget of the screen and repaints all of them. The conversation list's size
changes with every batch of pages appended and every filter keystroke, and the filter
box's with every character typed; only that widget (and its scrollbar) needs a new
frame, unless the scrollbar appears or disappears, which the scrollbar's own layout
reactive then handles (issue 5: a filter keystroke cost two full-screen frames).
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget


def set_virtual_size(widget: Widget, size: Size) -> None:
    """Set ``widget.virtual_size``, repainting only the widget and its scrollbars."""
    if size == widget.virtual_size:
        return
    if not widget.is_mounted:
        widget.virtual_size = size
        return
    widget.set_reactive(Widget.virtual_size, size)
    widget._scroll_update(size)  # scrollbars: sizes, visibility (a layout only if it changes)
    widget.refresh()

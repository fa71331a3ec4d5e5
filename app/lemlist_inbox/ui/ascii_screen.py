"""ASCII for what Textual draws itself: scrollbars, borders, its own widgets, server text.

Our own marks have chosen ASCII forms (``ui.format``, ``ui.thread.style``, the
widgets); this module is the guarantee for the rest of an ASCII screen (``ui.charset``):

- ``AsciiScrollBarRender`` draws the thumb as whole reversed cells, without the
  eighth-block characters Textual uses for sub-cell positions;
- ``AsciiFilter`` is a line filter over every rendered line: each non-ASCII
  character becomes an ASCII look-alike of the same width (``charset.to_ascii``), so
  a border, a toast, the command palette or a contact named ``Zoé 中`` never sends a
  byte the terminal cannot show, and no column moves.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter
from textual.scrollbar import ScrollBar, ScrollBarRender

from lemlist_inbox.ui.charset import to_ascii

__all__ = ["AsciiFilter", "AsciiScrollBarRender", "use_ascii_scrollbars"]


class AsciiScrollBarRender(ScrollBarRender):
    """Textual's scrollbar with blanks for its partial-cell ends: the thumb is colour only."""

    VERTICAL_BARS: ClassVar[list[str]] = [" "] * 8
    HORIZONTAL_BARS: ClassVar[list[str]] = [" "] * 8
    BLANK_GLYPH: ClassVar[str] = " "


def use_ascii_scrollbars(ascii_only: bool) -> None:
    """Every scrollbar of the process drawn in ASCII (or back to Textual's own).

    ``ScrollBar.renderer`` is the hook Textual documents for replacing the renderer;
    it is a class attribute, so this is process-wide, as the charset decision is.
    """
    ScrollBar.renderer = AsciiScrollBarRender if ascii_only else ScrollBarRender


# Textual internal: LineFilter.apply(segments, background) gets each rendered line of a widget
# and returns its replacement; textual.filter calls filters "used internally" (NO_COLOR is one).
class AsciiFilter(LineFilter):
    """Replaces every non-ASCII character of a rendered line, cell for cell."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if all(segment.text.isascii() for segment in segments):
            return segments
        return [
            segment
            if segment.control or segment.text.isascii()
            else Segment(to_ascii(segment.text), segment.style, segment.control)
            for segment in segments
        ]

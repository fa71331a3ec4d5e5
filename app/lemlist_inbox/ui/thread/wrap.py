"""Wrapping styled text into screen lines, fast: the one costly step of showing a thread.

Pure (no widget, no DOM), so it can run in a thread worker. A general rich wrap costs
about 2 µs a character; the single-style and ASCII paths here are several times
faster, which is what lets an ordinary thread be laid out inline on the UI thread.
"""

from __future__ import annotations

import io
import itertools

from rich.cells import cell_len, chop_cells, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from lemlist_inbox.ui.internals import divide_line

__all__ = ["BLANK", "FittedLine", "Line", "make_console", "wrap_text"]

#: One wrapped screen line: its segments and its width in cells. Plain tuples, not
#: ``Strip``s: a Strip carries seven small caches (~1.2 kB a line, measured), so a
#: 14,000-line thread would weigh 17 MB; as tuples it is a fraction of that. Strips
#: are made only for the lines on screen, in ``render_line``.
Line = tuple[tuple[Segment, ...], int]
BLANK: Line = ((), 0)


def _line(segments: list[Segment], cells: int | None = None) -> Line:
    return (tuple(segments), Segment.get_line_length(segments) if cells is None else cells)


def make_console(width: int) -> Console:
    # A private console per build: rich consoles are not shared across threads, and this
    # one never writes anywhere (it only measures and splits text into segments).
    return Console(
        width=max(1, width),
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        markup=False,
        emoji=False,
        highlight=False,
    )


def _wrap_ascii(line: str, width: int) -> list[str]:
    """Greedy word wrap of one ASCII line (cells == characters), at C speed via ``rfind``."""
    pieces: list[str] = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width + 1)
        if cut <= 0 or not line[:cut].strip():
            pieces.append(line[:width])  # one word longer than the line: fold it
            line = line[width:]
        else:
            pieces.append(line[:cut].rstrip(" "))
            line = line[cut + 1 :]
        line = line.lstrip(" ")
    if line or not pieces:  # the spaces a cut leaves at the very end make no line of their own
        pieces.append(line)
    return pieces


def _wrap_plain(line: str, style: Style | None, width: int) -> list[Line]:
    """Wrap a single-style line without building rich ``Text`` objects.

    Bodies are nearly all single-style lines, and rich's general wrapper costs about
    2 µs per character; this path is several times faster, which is what keeps an
    ordinary thread's layout cheap enough to build inline on the UI thread.
    """
    if line.isascii():
        if len(line) <= width:
            return [((Segment(line, style),), len(line))]
        return [((Segment(piece, style),), len(piece)) for piece in _wrap_ascii(line, width)]
    cells = cell_len(line)
    if cells <= width:
        return [((Segment(line, style),), cells)]
    offsets = divide_line(line, width, fold=True)
    bounds = [0, *offsets, len(line)]
    lines: list[Line] = []
    for start, end in itertools.pairwise(bounds):
        piece = line[start:end].rstrip(" ")
        lines.append(((Segment(piece, style),), cell_len(piece)))
    return lines


class FittedLine(Text):
    """A line that must stay one line: its ``shrink`` part is shortened (…) to fit the width.

    If the other parts alone are wider than the line, the whole line is cut at the width.
    """

    def __init__(self, *parts: tuple[str, Style], shrink: int = 1, min_room: int = 4) -> None:
        super().__init__(end="", no_wrap=True)
        self.parts = parts
        self.shrink = shrink
        #: Below this many cells the shortened part is left out rather than cut to "x…".
        self.min_room = min_room
        for part, style in self.parts:
            self.append(part, style)

    def fitted_line(self, width: int) -> Line | None:
        """The line at ``width`` without rich's renderer (the common case: it fits once
        shortened); ``None`` when only a cut of the whole line fits (``fitted`` does it)."""
        rest = [cell_len(part) for part, _ in self.parts]
        total = sum(rest)
        parts = list(self.parts)
        if total > width:
            room = width - (total - rest[self.shrink])
            if room < 0:
                return None
            text, style = parts[self.shrink]
            parts[self.shrink] = (
                set_cell_size(text, room - 1).rstrip() + "…" if room >= self.min_room else "",
                style,
            )
            total = sum(cell_len(part) for part, _ in parts)
        return tuple(Segment(part, style) for part, style in parts if part), total

    def fitted(self, width: int) -> Text:
        if self.cell_len <= width:
            return self
        rest = sum(cell_len(part) for number, (part, _) in enumerate(self.parts) if number != self.shrink)
        room = width - rest
        fitted = Text(end="", no_wrap=True)
        for number, (part, style) in enumerate(self.parts):
            if number != self.shrink:
                fitted.append(part, style)
            elif room >= self.min_room:
                fitted.append(set_cell_size(part, room - 1).rstrip() + "…", style)
        if fitted.cell_len > width:
            fitted.truncate(width, overflow="ellipsis")
        return fitted


def wrap_text(console: Console, text: Text, width: int) -> list[Line]:
    """Wrap at spaces; a ``no_wrap`` text is instead folded at exactly ``width`` cells."""
    width = max(1, width)
    if isinstance(text, FittedLine):
        one = text.fitted_line(width)
        if one is not None and one[1] <= width:
            return [one]
        text = text.fitted(width)
    if text.no_wrap:
        chunks = chop_cells(text.plain, width) or [""]
        offsets = list(itertools.accumulate(len(chunk) for chunk in chunks))[:-1]
        pieces = text.divide(offsets) if offsets else [text]
        return [_line(list(piece.render(console)), piece.cell_len) for piece in pieces]
    base = text.style if isinstance(text.style, Style) else None
    options = console.options.update(width=width, no_wrap=False, overflow="fold")
    strips: list[Line] = []
    lines: list[Text] = list(text.split("\n", allow_blank=True))
    if len(lines) > 1 and text.plain.endswith("\n"):
        lines = lines[:-1]  # as rich does: a final newline ends the last line, adds none
    for line in lines:
        plain = line.plain
        runs = _runs(line, base)
        if runs is None:
            strips.extend(_line(segments) for segments in console.render_lines(line, options, pad=False))
        elif len(runs) <= 1:
            strips.extend(_wrap_plain(plain, runs[0][1] if runs else base, width))
        elif (cells := cell_len(plain)) <= width:
            strips.append((tuple(Segment(run, style) for run, style in runs), cells))
        else:  # several styles on one long line: rich's general wrapper
            strips.extend(_line(segments) for segments in console.render_lines(line, options, pad=False))
    return strips


def _runs(line: Text, base: Style | None) -> list[tuple[str, Style | None]] | None:
    """The line as (text, style) runs, or None when its spans overlap (then rich handles it).

    Text built with ``append`` has ordered, non-overlapping spans, which is all we build.
    """
    plain = line.plain
    runs: list[tuple[str, Style | None]] = []
    position = 0
    for span in line.spans:
        if span.start < position or not isinstance(span.style, Style):
            return None
        if span.start > position:
            runs.append((plain[position : span.start], base))
        if span.end > span.start:
            runs.append((plain[span.start : span.end], base + span.style if base else span.style))
        position = span.end
    if position < len(plain):
        runs.append((plain[position:], base))
    return runs

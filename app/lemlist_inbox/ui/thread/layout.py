"""A thread's rendered messages laid out as styled screen lines at one width.

Pure (no widget, no DOM), so a big thread can be laid out in a thread worker; the
widget only turns the few lines on screen into ``Strip``s. Also the reading-position
arithmetic (which message, how far into it), because it depends only on the layout,
the folded messages (one line each, ``fold_line``), the chat form of LinkedIn, WhatsApp
and SMS messages (``render.is_chat``), and where the searched words are (``Match``:
found in each block's text before wrapping, then placed on the wrapped lines, so a match
a wrap cuts in two is still one match over two lines).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

from lemlist_inbox import render
from lemlist_inbox.render.marks import link_host
from lemlist_inbox.ui.internals import hyperlink_style
from lemlist_inbox.ui.thread.style import UNICODE_GLYPHS, ThreadGlyphs, ThreadStyles
from lemlist_inbox.ui.thread.wrap import BLANK, FittedLine, Line, make_console, wrap_text

if TYPE_CHECKING:
    from lemlist_inbox.render import RenderedMessage

__all__ = [
    "NEWEST",
    "TOP",
    "Anchor",
    "Match",
    "ThreadLayout",
    "build_layout",
    "find_pattern",
    "fold_line",
    "layout_cost",
    "message_blocks",
    "message_text",
    "notice_layout",
]


@dataclass(frozen=True)
class Anchor:
    """A reading position taken in one layout, to find again in another of the same thread.

    ``z`` changes only the quote part of each message (its header and body are the
    same lines folded or not), so at the same width a line before the quote is found
    again exactly (``line`` lines into the message), and a line in the quote or after
    it (``in_quote``) lands on the message's quote line. At another width (a resize)
    every line re-wraps, and ``fraction`` (how far into the message) is what is left.
    """

    #: Message index; -1 for a line above the first message (the title), ``line`` then
    #: being the line itself.
    message: int
    line: int
    fraction: float = 0.0
    #: Width of the layout the anchor was taken in.
    width: int = 0
    #: At or past the first line of the message's quote (folded or not).
    in_quote: bool = False


#: The top of the thread (its title).
TOP = Anchor(-1, 0)
#: The newest message's first line: where an open lands (``line_for`` clamps the index).
NEWEST = Anchor(1 << 62, 0)
#: Longest query the thread search takes (characters); a longer one is cut.
MAX_FIND_CHARS = 200


@dataclass(frozen=True)
class Match:
    """One occurrence of the searched words in a layout.

    ``line`` is the screen line it starts on; ``cells`` the (line, first cell, cell after
    the last) runs it covers, one per screen line (a match wrapped across lines has two).
    In a folded message it has no cells and ``line`` is the message's folded line:
    ``folded`` says unfolding it would show the match.
    """

    message: int
    line: int
    cells: tuple[tuple[int, int, int], ...] = ()
    folded: bool = False


def find_pattern(query: str) -> re.Pattern[str] | None:
    """The query as a literal, case-insensitive pattern; ``None`` for nothing to find.

    Literal: the user's words are never a regular expression (``re.escape``). The query
    is sanitized like any text shown, so it can only match what the pane shows.
    """
    words = render.sanitize_line(query, MAX_FIND_CHARS)
    if not words.strip():
        return None
    return re.compile(re.escape(words), re.IGNORECASE)


@dataclass
class ThreadLayout:
    """A thread wrapped to one width: the lines to paint and where each message starts."""

    lines: list[Line]
    width: int
    #: First line of each message, ascending (for keeping the reading position).
    message_starts: list[int] = field(default_factory=list)
    #: Per message, the first line of its quote (the folded line, or "quoted text"
    #: unfolded), -1 when it has none: where its lines start to differ with ``z``.
    quote_starts: list[int] = field(default_factory=list)
    #: Every occurrence of the searched words, in reading order (``find_pattern``).
    matches: list[Match] = field(default_factory=list)
    #: The messages shown as one line (``fold_line``).
    folded: frozenset[int] = frozenset()
    #: The pattern ``matches`` are of (``find_pattern(...).pattern``), "" without a search.
    find: str = ""
    #: Per message, the first line that belongs to it on screen: the rule above it, if any.
    message_heads: list[int] = field(default_factory=list)

    @property
    def line_count(self) -> int:
        return len(self.lines)

    def strip(self, index: int) -> Strip:
        segments, cells = self.lines[index]
        return Strip(segments, cells)

    @property
    def strips(self) -> list[Strip]:
        """Every line as a ``Strip`` (tests and tools; the widget makes them per line)."""
        return [self.strip(index) for index in range(len(self.lines))]

    def text(self) -> str:
        """The plain text of the layout (tests, copy)."""
        return "\n".join("".join(seg.text for seg in segments).rstrip() for segments, _ in self.lines)

    def message_span(self, index: int) -> tuple[int, int]:
        """The first line of message ``index`` and the line after its last."""
        starts = self.message_starts
        end = starts[index + 1] if index + 1 < len(starts) else self.line_count
        return starts[index], end

    def quote_start(self, index: int) -> int:
        """The first line of message ``index``'s quote, -1 when it has none."""
        return self.quote_starts[index] if index < len(self.quote_starts) else -1

    @property
    def message_count(self) -> int:
        return len(self.message_starts)

    def message_at(self, y: int) -> int:
        """The message at line ``y`` (the rule above a message is its own); 0 above the first,
        -1 without any."""
        if not self.message_starts:
            return -1
        heads = self.message_heads or self.message_starts
        return max(0, bisect.bisect_right(heads, y) - 1)

    def scroll_height(self, view_height: int) -> int:
        """Lines to scroll through: enough for the newest message's first line to reach the
        top of a ``view_height`` view, even when it is shorter than the view (blank below)."""
        if not self.message_starts:
            return self.line_count
        return max(self.line_count, self.message_starts[-1] + max(1, view_height))

    def match_after(self, y: int) -> int:
        """Index of the first match at or below line ``y`` (wrapping to the first); -1 none."""
        if not self.matches:
            return -1
        lines = [match.line for match in self.matches]
        index = bisect.bisect_left(lines, y)
        return index if index < len(lines) else 0

    def match_before(self, y: int) -> int:
        """Index of the last match above line ``y`` (wrapping to the last); -1 none."""
        if not self.matches:
            return -1
        lines = [match.line for match in self.matches]
        index = bisect.bisect_left(lines, y) - 1
        return index if index >= 0 else len(lines) - 1

    def anchor_at(self, y: int) -> Anchor | None:
        """The reading position at line ``y``, to find it again after ``z`` or a re-wrap."""
        starts = self.message_starts
        if not starts:
            return None
        if y < starts[0]:
            return Anchor(-1, y, width=self.width)  # above the first message (the title)
        index = bisect.bisect_right(starts, y) - 1
        start, end = self.message_span(index)
        quote = self.quote_start(index)
        return Anchor(
            index,
            y - start,
            max(0.0, (y - start) / max(1, end - start)),
            self.width,
            in_quote=0 <= quote <= y,
        )

    def line_for(self, anchor: Anchor) -> int | None:
        """The line to scroll to for ``anchor`` in this layout; ``None`` keeps the scroll."""
        if anchor.message < 0:
            return anchor.line
        if not self.message_starts:
            return None
        index = min(anchor.message, len(self.message_starts) - 1)
        start, end = self.message_span(index)
        if anchor.width == self.width and index == anchor.message:
            quote = self.quote_start(index)
            if anchor.in_quote and quote >= 0:
                return quote
            if not anchor.in_quote and (quote < 0 or start + anchor.line < quote):
                return min(start + anchor.line, max(start, end - 1))
        return start + round(anchor.fraction * max(0, end - start))


def _mark(rm: RenderedMessage, glyphs: ThreadGlyphs, styles: ThreadStyles) -> tuple[str, Style]:
    """The direction's mark and style: ``→`` sent, ``←`` received, ``•`` anything else."""
    from lemlist_inbox.api.models import Direction

    if rm.direction == Direction.SENT:
        return glyphs.sent, styles.sent
    if rm.direction == Direction.RECEIVED:
        return glyphs.received, styles.received
    return glyphs.other, styles.other


def fold_line(
    rm: RenderedMessage, *, styles: ThreadStyles, glyphs: ThreadGlyphs, tz: tzinfo | None = None
) -> FittedLine:
    """A folded message as one line: ``▸ ← them · Hugo Martin · 5 Dec 2024 17:39 · Thanks…``.

    Always one line whatever the width: the first words are cut to fit, then the rest.
    """
    who, sender, when, words = render.fold_parts(rm, tz)
    mark, style = _mark(rm, glyphs, styles)
    sep = glyphs.separator
    return FittedLine(
        (f"{glyphs.folded} {mark} {who}{sep}{sender}", style),
        (f"{sep}{when}", styles.meta),
        (f"{sep}{words}" if words else "", styles.body),
        shrink=2,
        min_room=len(sep) + 4,
    )


def _direction(rm: RenderedMessage, glyphs: ThreadGlyphs, styles: ThreadStyles) -> tuple[str, Style]:
    # ``rm.title`` is "Sent by us" / "Reply from contact" / the type shown literally.
    # Imported here: the models (pydantic) are loaded once a message exists, and this
    # module is part of the first frame, which must not wait for them.
    from lemlist_inbox.api.models import Direction

    if rm.direction == Direction.SENT:
        return f"{glyphs.sent} {rm.title}", styles.sent
    if rm.direction == Direction.RECEIVED:
        return f"{glyphs.received} {rm.title}", styles.received
    return f"{glyphs.other} {rm.title}", styles.other


def message_blocks(
    rm: RenderedMessage,
    *,
    expanded: bool,
    styles: ThreadStyles,
    glyphs: ThreadGlyphs,
    tz: tzinfo | None = None,
) -> list[Text]:
    """One message as styled blocks: header, body, quote (folded or not), links, attachments."""
    return _message_blocks(rm, expanded=expanded, styles=styles, glyphs=glyphs, tz=tz)[0]


def _message_blocks(
    rm: RenderedMessage,
    *,
    expanded: bool,
    styles: ThreadStyles,
    glyphs: ThreadGlyphs,
    tz: tzinfo | None = None,
) -> tuple[list[Text], int]:
    """``message_blocks``, and the index of the block its quote starts with (-1: none).

    The blocks before the quote are the same folded or unfolded (what keeps the
    reading position across ``z``, ``ThreadLayout.quote_starts``).

    The header rows come from ``render.header_lines`` so the pane and ``lemlist-inbox show``
    agree. Only ``append(plain, style)`` is used: every string here came from a stranger.
    Link lines are ``no_wrap`` blocks, which ``wrap_text`` folds at the exact width instead of
    at spaces, so a long URL stays on its ``[n]`` line rather than jumping below it.
    """
    blocks: list[Text] = []
    out = Text(end="", overflow="fold")
    blocks.append(out)
    if render.is_chat(rm):
        # A chat message: one compact line (``render.chat_line``), then the text.
        who, what, when = render.chat_parts(rm, tz)
        mark, style = _mark(rm, glyphs, styles)
        out.append(f"{mark} {who}", style)
        out.append(f"{glyphs.separator}{what}{glyphs.separator}", styles.meta)
        out.append(when, styles.meta)
        out.append("\n")
    else:
        label, style = _direction(rm, glyphs, styles)
        out.append(label, style)
        out.append("\n")
        rows = render.header_lines(rm, tz)
        pad = max((len(name) for name, _ in rows), default=0) + 2
        for name, value in rows:
            out.append(f"{name + ':':<{pad}}", styles.label)
            if name == "Subject":
                out.append(value, styles.subject)
            elif name == "Date":
                out.append(value, styles.meta)
            else:
                out.append(value, styles.body)
            out.append("\n")
        out.append("\n")

    body = rm.body
    text = body.text.strip("\n")
    if text:
        out.append(text, styles.body)
        out.append("\n")
    elif not body.quoted:
        out.append("(no text)", styles.notice)
        out.append("\n")

    quote_block = -1
    if body.quoted:
        header = body.quote_header or ""
        blocks.append(Text("", end=""))
        quote_block = len(blocks)
        if expanded:
            out = Text(end="", overflow="fold")
            blocks.append(out)
            out.append(f"{glyphs.unfolded} quoted text", styles.quote_fold)
            out.append(" (z to hide)", styles.notice)
            out.append("\n")
            if header:
                out.append(header, styles.quote)
                out.append("\n")
            out.append(body.quoted.strip("\n"), styles.quote)
            out.append("\n")
        else:
            count = body.quote_line_count or len(body.quoted.strip("\n").splitlines())
            noun = "line" if count == 1 else "lines"
            # One line whatever the width: the attribution is shortened, the key hint kept.
            blocks.append(
                FittedLine(
                    (f"{glyphs.folded} {count} quoted {noun} hidden", styles.quote_fold),
                    (f" {glyphs.dash} {header}" if header else "", styles.quote),
                    (" (z to show)", styles.notice),
                )
            )

    links = body.links if expanded else body.visible_links
    if links:
        blocks.append(Text("", end=""))
        for link in links:
            line = Text(end="", no_wrap=True)
            line.append(f"[{link.number}] ", styles.link_number)
            line.append(link.target, styles.link + hyperlink_style(link.target))  # OSC 8
            blocks.append(line)
            if link.suspicious:
                reason = link.warning or f"text shows {link.text}"
                warning = Text(end="", overflow="fold")
                warning.append("    ")
                warning.append(f"{glyphs.warning} {reason}, goes to {link_host(link.target)}", styles.warning)
                blocks.append(warning)

    if rm.attachments:
        out = Text(end="", overflow="fold")
        out.append("\n")
        for attachment in rm.attachments:
            out.append(f"{glyphs.attachment} ", styles.attachment)
            out.append(attachment, styles.attachment)
            out.append("\n")
        blocks.append(out)
    return blocks, quote_block


def message_text(
    rm: RenderedMessage,
    *,
    expanded: bool,
    styles: ThreadStyles,
    glyphs: ThreadGlyphs = UNICODE_GLYPHS,
    tz: tzinfo | None = None,
) -> str:
    """The plain text of one message's blocks, unwrapped (tests, copy)."""
    blocks = message_blocks(rm, expanded=expanded, styles=styles, glyphs=glyphs, tz=tz)
    return "\n".join(block.plain.rstrip("\n") for block in blocks)


def _message_cost(rm: RenderedMessage, expanded: bool) -> int:
    cost = len(rm.body.text) + 200
    if expanded and rm.body.quoted:
        cost += len(rm.body.quoted)
    return cost


def layout_cost(messages: Sequence[RenderedMessage], expanded: bool) -> int:
    """Roughly how much wrapping a layout needs (characters), to pick inline vs thread."""
    return sum(_message_cost(rm, expanded) for rm in messages)


def build_layout(
    messages: Sequence[RenderedMessage],
    *,
    width: int,
    expanded: bool,
    styles: ThreadStyles,
    glyphs: ThreadGlyphs = UNICODE_GLYPHS,
    title: Text | None = None,
    skipped: int = 0,
    tz: tzinfo | None = None,
    cancelled: Callable[[], bool] = lambda: False,
    folded: Collection[int] = (),
    find: re.Pattern[str] | None = None,
) -> ThreadLayout | None:
    """Wrap a whole thread to ``width`` cells; ``None`` if ``cancelled()`` turned true meanwhile.

    Pure (no DOM access), so it can run in a thread worker. The messages in ``folded`` are
    one line each (``fold_line``); consecutive folded lines go without a rule between them,
    as a mail client's thread index. Each occurrence of ``find`` in what a message shows
    (folded or not, with quotes as ``expanded`` says) is a ``Match``, highlighted in the
    lines of an unfolded message.
    """
    width = max(1, width)
    console = make_console(width)
    strips: list[Line] = []
    starts: list[int] = []
    quotes: list[int] = []
    heads: list[int] = []
    matches: list[Match] = []
    folds = frozenset(index for index in folded if 0 <= index < len(messages))
    if title is not None:
        strips.extend(wrap_text(console, title, width))
    if skipped:
        noun = "message" if skipped == 1 else "messages"
        note = Text(f"{skipped} {noun} could not be read and are not shown.", styles.notice)
        strips.extend(wrap_text(console, note, width))
    if not messages:
        strips.extend(wrap_text(console, Text("No messages in this conversation.", styles.notice), width))
        return ThreadLayout(strips, width, [], [])
    rule = wrap_text(console, Text(glyphs.rule * width, styles.separator, no_wrap=True), width)[0]
    for index, rm in enumerate(messages):
        if cancelled():
            return None
        fold = index in folds
        heads.append(len(strips))
        if index and not fold and index - 1 not in folds and _chat_pair(messages[index - 1], rm):
            strips.append(BLANK)  # a chat reads on: a blank line between two chat messages
        elif (index or title is not None) and not (fold and index - 1 in folds):
            strips.append(BLANK)
            strips.append(rule)
        starts.append(len(strips))
        if fold:
            if find is not None:  # what unfolding it would show, counted (not laid out)
                blocks, _ = _message_blocks(rm, expanded=expanded, styles=styles, glyphs=glyphs, tz=tz)
                found = sum(len(find.findall(b.plain)) for b in blocks if not isinstance(b, FittedLine))
                matches.extend(Match(index, len(strips), folded=True) for _ in range(found))
            strips.extend(wrap_text(console, fold_line(rm, styles=styles, glyphs=glyphs, tz=tz), width))
            quotes.append(-1)
            continue
        blocks, quote_block = _message_blocks(rm, expanded=expanded, styles=styles, glyphs=glyphs, tz=tz)
        quote = -1
        for number, block in enumerate(blocks):
            if number == quote_block:
                quote = len(strips)
            spans = [] if find is None or isinstance(block, FittedLine) else _spans(find, block.plain)
            if spans:
                block = block.copy()
                for start, end in spans:
                    block.stylize(styles.match, start, end)
            lines = wrap_text(console, block, width)
            if spans:
                matches.extend(_locate(index, len(strips), block.plain, lines, spans))
            strips.extend(lines)
        quotes.append(quote)
    return ThreadLayout(strips, width, starts, quotes, matches, folds, find.pattern if find else "", heads)


def _chat_pair(previous: RenderedMessage, current: RenderedMessage) -> bool:
    """Two chat messages in a row (``render.is_chat``): no rule between them."""
    return render.is_chat(previous) and render.is_chat(current)


def _spans(pattern: re.Pattern[str], text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start()]


def _line_text(line: Line) -> str:
    return "".join(segment.text for segment in line[0])


def _locate(
    message: int, first: int, source: str, lines: Sequence[Line], spans: Sequence[tuple[int, int]]
) -> list[Match]:
    """Where each span of ``source`` landed in its wrapped ``lines`` (the first at ``first``).

    Wrapping keeps every character in order and drops only whitespace (the newlines, the
    spaces where a line was broken), so walking both texts side by side maps each source
    offset to (line, character); a span cut by a wrap covers the end of one line and the
    start of the next. A span the walk cannot place (it should not happen) lands on the
    block's first line, still counted.
    """
    texts = [_line_text(line) for line in lines]
    wanted = sorted({offset for start, end in spans for offset in (start, end - 1)})
    where: dict[int, tuple[int, int]] = {}
    position = 0
    target = 0
    done = False
    for row, text in enumerate(texts):
        for column, char in enumerate(text):
            while position < len(source) and source[position] != char and source[position].isspace():
                position += 1
            if position >= len(source) or source[position] != char:
                done = True
                break
            while target < len(wanted) and wanted[target] < position:
                target += 1  # a dropped space: it has no cell of its own
            if target < len(wanted) and wanted[target] == position:
                where[position] = (row, column)
                target += 1
            position += 1
            if target >= len(wanted):
                done = True
                break
        if done:
            break
    found: list[Match] = []
    for start, end in spans:
        head, tail = where.get(start), where.get(end - 1)
        if head is None or tail is None or tail < head:
            found.append(Match(message, first))
            continue
        cells: list[tuple[int, int, int]] = []
        for row in range(head[0], tail[0] + 1):
            text = texts[row]
            left = cell_len(text[: head[1]]) if row == head[0] else 0
            right = cell_len(text[: tail[1] + 1]) if row == tail[0] else cell_len(text)
            if right > left:
                cells.append((first + row, left, right))
        found.append(Match(message, first + head[0], tuple(cells)))
    return found


def notice_layout(text: str, style: Style, width: int) -> ThreadLayout:
    """A one-message layout for loading, empty and error states (``text`` must be sanitized)."""
    width = max(1, width)
    return ThreadLayout(wrap_text(make_console(width), Text(text, style), width), width, [])

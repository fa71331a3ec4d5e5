"""A whole thread as plain text lines: what ``lemlist-inbox show`` prints.

The lines are the thread pane's, in the same order with the same marks: the direction
line (``→ Sent by us``), the labelled header rows from ``header_lines``, the body, the
folded quote as one line (``▸ 21 quoted lines hidden — On … wrote:``) or in full, the
numbered links with a warning under a suspicious one, the attachments, and a rule
between messages. ``tests/cli/test_show_matches_tui.py`` compares them with the pane's
own layout, line for line. What differs, on purpose, is what only makes sense in one of
the two (the README lists it): the key hints (``z to show``) become the flag that does
the same (``--quotes``), expanded quoted lines start with ``> `` (a pipe has no dim
colour to set them apart), and nothing is wrapped (the terminal or pager does that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from lemlist_inbox.render.body import Body
from lemlist_inbox.render.marks import UNICODE_MARKS, TextMarks, link_host
from lemlist_inbox.render.message import RenderedMessage, chat_parts, header_lines, is_chat

#: Shown for a message without any text, so it does not look like a rendering failure.
EMPTY_BODY = "(no text)"
#: Shown for a thread without messages (the pane says the same).
NO_MESSAGES = "No messages in this conversation."
#: Width of the rule between messages when the output is not a terminal.
DEFAULT_RULE_WIDTH = 72


@dataclass(frozen=True)
class QuoteHints:
    """What to tell the reader beside a quote: a key in the pane, a flag on the command line."""

    show: str = " (--quotes to show)"
    hide: str = ""
    #: Put before each expanded quoted line.
    prefix: str = "> "


def direction_line(rm: RenderedMessage, marks: TextMarks) -> str:
    """``→ Sent by us``, ``← Reply from contact``, or ``• <type>`` for anything else."""
    from lemlist_inbox.api.models import Direction

    if rm.direction == Direction.SENT:
        return f"{marks.sent} {rm.title}"
    if rm.direction == Direction.RECEIVED:
        return f"{marks.received} {rm.title}"
    return f"{marks.other} {rm.title}"


def direction_mark(rm: RenderedMessage, marks: TextMarks) -> str:
    """``→`` sent by us, ``←`` from the contact, ``•`` anything else."""
    from lemlist_inbox.api.models import Direction

    if rm.direction == Direction.SENT:
        return marks.sent
    if rm.direction == Direction.RECEIVED:
        return marks.received
    return marks.other


def chat_line(rm: RenderedMessage, marks: TextMarks, tz: tzinfo | None = None) -> str:
    """A chat message's one header line: ``← Hugo Martin · WhatsApp · Thu 5 Dec 2024 17:39``."""
    return f"{direction_mark(rm, marks)} " + marks.separator.join(chat_parts(rm, tz))


def folded_quote_line(body: Body, marks: TextMarks = UNICODE_MARKS, hint: str = "") -> str:
    """The one line standing in for a folded quote."""
    count = body.quote_line_count or len((body.quoted or "").strip("\n").splitlines())
    noun = "line" if count == 1 else "lines"
    header = f" {marks.dash} {body.quote_header}" if body.quote_header else ""
    return f"{marks.folded} {count} quoted {noun} hidden{header}{hint}"


def _quote_lines(body: Body, expanded: bool, marks: TextMarks, hints: QuoteHints) -> list[str]:
    if body.quoted is None:
        return []
    if not expanded:
        return ["", folded_quote_line(body, marks, hints.show)]
    lines = ["", f"{marks.unfolded} quoted text{hints.hide}"]
    if body.quote_header:
        lines.append(body.quote_header)
    lines.extend(f"{hints.prefix}{line}".rstrip() for line in body.quoted.strip("\n").split("\n"))
    return lines


def link_lines(body: Body, *, expanded: bool, marks: TextMarks = UNICODE_MARKS) -> list[str]:
    """``[1] https://…``, with ``    ⚠ text shows paypal.com, goes to evil.example`` under a suspicious one.

    With the quote folded, only the links of the visible part are listed.
    """
    lines: list[str] = []
    for link in body.links if expanded else body.visible_links:
        lines.append(f"[{link.number}] {link.target}")
        if link.suspicious:
            reason = link.warning or f"text shows {link.text}"
            lines.append(f"    {marks.warning} {reason}, goes to {link_host(link.target)}")
    return lines


def message_lines(
    rm: RenderedMessage,
    *,
    expanded: bool = False,
    marks: TextMarks = UNICODE_MARKS,
    hints: QuoteHints | None = None,
    tz: tzinfo | None = None,
) -> list[str]:
    """One message: direction, header rows, body, quote, links, attachments.

    A chat message (``is_chat``) has one compact line instead of the direction and rows.
    """
    hints = hints or QuoteHints()
    if is_chat(rm):
        lines = [chat_line(rm, marks, tz)]
    else:
        lines = [direction_line(rm, marks)]
        rows = header_lines(rm, tz)
        pad = max((len(name) for name, _ in rows), default=0) + 2
        lines.extend(f"{name + ':':<{pad}}{value}".rstrip() for name, value in rows)
        lines.append("")
    body = rm.body
    text = body.text.strip("\n")
    if text:
        lines.extend(line.rstrip() for line in text.split("\n"))
    elif body.quoted is None:
        lines.append(EMPTY_BODY)
    lines.extend(_quote_lines(body, expanded, marks, hints))
    links = link_lines(body, expanded=expanded, marks=marks)
    if links:
        lines.append("")
        lines.extend(links)
    if rm.attachments:
        lines.append("")
        lines.extend(f"{marks.attachment} {name}" for name in rm.attachments)
    return lines


def thread_lines(
    rendered: Sequence[RenderedMessage],
    *,
    expanded: bool = False,
    marks: TextMarks = UNICODE_MARKS,
    hints: QuoteHints | None = None,
    rule_width: int = DEFAULT_RULE_WIDTH,
    tz: tzinfo | None = None,
) -> list[str]:
    """Every message, oldest first, a blank line and a rule between two (between two chat
    messages only the blank line)."""
    if not rendered:
        return [NO_MESSAGES]
    rule = marks.rule * max(1, rule_width)
    lines: list[str] = []
    for index, rm in enumerate(rendered):
        if index and is_chat(rm) and is_chat(rendered[index - 1]):
            lines.append("")  # a chat reads on: no rule between two chat messages
        elif index:
            lines.extend(("", rule))
        lines.extend(message_lines(rm, expanded=expanded, marks=marks, hints=hints, tz=tz))
    return lines


def thread_as_text(
    rendered: Sequence[RenderedMessage],
    *,
    expand_quotes: bool = False,
    tz: tzinfo | None = None,
    marks: TextMarks = UNICODE_MARKS,
    rule_width: int = DEFAULT_RULE_WIDTH,
) -> str:
    """``thread_lines`` as one string ending in a newline."""
    lines = thread_lines(rendered, expanded=expand_quotes, marks=marks, rule_width=rule_width, tz=tz)
    return "\n".join(lines) + "\n"

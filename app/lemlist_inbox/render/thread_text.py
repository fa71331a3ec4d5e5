"""A whole thread as plain text: what ``lemlist-inbox show`` prints.

The CLI output is the same rendering the thread pane shows, in text form, so scripts, tests and
people reading over a pipe all see one truth: direction, header lines, body, the folded quote as
one line (or in full, ``> ``-prefixed), numbered links with their real targets, attachments.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from lemlist_inbox.render.body import Body
from lemlist_inbox.render.message import RenderedMessage, header_lines

#: Shown for a message without any text, so it does not look like a rendering failure.
EMPTY_BODY = "(no text)"


def folded_quote_line(body: Body) -> str:
    """The one line standing in for a folded quote."""
    count = body.quote_line_count
    noun = "line" if count == 1 else "lines"
    line = f"[…] quoted text hidden ({count} {noun})"
    return f"{line}: {body.quote_header}" if body.quote_header else line


def link_lines(body: Body, *, include_quoted: bool = True) -> list[str]:
    """``[1] https://…``, with ``(!) text shows evil.com`` after a suspicious one."""
    lines = []
    for link in body.links:
        if link.quoted and not include_quoted:
            continue
        line = f"[{link.number}] {link.target}"
        if link.suspicious:
            line += f"  (!) {link.warning or 'link text differs from its target'}"
        lines.append(line)
    return lines


def body_lines(body: Body, *, expand_quotes: bool = False) -> list[str]:
    """The body, its quote (folded or in full), links and nothing else."""
    lines = body.text.split("\n") if body.text else []
    if not lines and not body.quoted:
        lines = [EMPTY_BODY]
    if body.quoted:
        if lines:
            lines.append("")
        if expand_quotes:
            if body.quote_header:
                lines.append(body.quote_header)
            lines.extend(f"> {line}".rstrip() for line in body.quoted.split("\n"))
        else:
            lines.append(folded_quote_line(body))
    links = link_lines(body, include_quoted=expand_quotes or body.quoted is None)
    if links:
        lines.append("")
        lines.append("Links:")
        lines.extend(links)
    return lines


def message_text(rm: RenderedMessage, *, expand_quotes: bool = False, tz: tzinfo | None = None) -> str:
    lines = [f"── {rm.title} ──"]
    width = max(len(label) for label, _ in header_lines(rm, tz))
    lines.extend(f"{label + ':':<{width + 1}} {value}" for label, value in header_lines(rm, tz))
    lines.append("")
    lines.extend(body_lines(rm.body, expand_quotes=expand_quotes))
    if rm.attachments:
        lines.append("")
        lines.append("Attachments:")
        lines.extend(f"  {name}" for name in rm.attachments)
    return "\n".join(lines)


def thread_as_text(
    rendered: Sequence[RenderedMessage], *, expand_quotes: bool = False, tz: tzinfo | None = None
) -> str:
    """Every message of a thread, separated by a blank line; ``(no messages)`` for an empty one."""
    if not rendered:
        return "(no messages)\n"
    return "\n\n".join(message_text(rm, expand_quotes=expand_quotes, tz=tz) for rm in rendered) + "\n"

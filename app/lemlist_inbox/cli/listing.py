"""``lemlist-inbox list``: the conversations, printed as the pages arrive.

Pages come from ``iter_conversation_pages`` in page order (fetched concurrently, each
handed over as soon as it and every page before it are in), so the rows of page 1 are
on screen, or in the pipe, while later pages are still on the wire, and Ctrl+C keeps
what was printed. Conversations that reached the top while we were listing come last
(the loader's final check finds them); ``--json`` is the one format built at the end,
sorted newest activity first by the instant, not the text, of each timestamp.

Plain rows have fixed columns, so a field never moves: the unread mark is a column of
its own (``*`` or a space), then last activity (local ``YYYY-MM-DD HH:MM``), contact
name, email, channels and contact id. Into a pipe the columns are tab-separated (every
server string is cleaned first, and cleaning turns tabs into spaces, so a tab is always
a separator); on a terminal they are aligned to its width (names and emails cut with an
ellipsis), the id last so it is never cut.
"""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from lemlist_inbox.cli.output import SortedJsonArray, json_text
from lemlist_inbox.cli.session import Session, resolve_user
from lemlist_inbox.render.sanitize import sanitize_line
from lemlist_inbox.ui.format import fit

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Conversation

EXIT_OK = 0
#: Cells of the aligned name, email and channel columns on a wide terminal.
NAME_CELLS, EMAIL_CELLS, CHANNEL_CELLS = 24, 32, 14
#: Mark, space, ``YYYY-MM-DD HH:MM``, four column gaps and a usual contact id.
_FIXED_CELLS = 1 + 1 + 16 + 4 * 2 + 21
_OLDEST = datetime.min.replace(tzinfo=UTC)


def activity_stamp(conversation: Conversation) -> str:
    """Last activity in local time, or ``-`` when missing or not representable here."""
    when = conversation.last_activity
    if when is None:
        return "-"
    try:
        return when.astimezone().strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError, OSError):
        return "-"


def _sort_key(conversation: Conversation) -> datetime:
    return conversation.last_activity or _OLDEST


def row_fields(conversation: Conversation, user_id: str) -> list[str]:
    """The columns of one row, every one cleaned, ``-`` for an empty one."""
    contact = conversation.contact
    name = sanitize_line(contact.display_name if contact else "(unknown contact)", 200)
    email = sanitize_line(contact.email if contact else "", 200)
    channels = ",".join(c for c in (sanitize_line(ch, 40) for ch in conversation.channels) if c)
    ident = sanitize_line(conversation.thread_id or "", 200)
    mark = "*" if not conversation.is_read_by(user_id) else " "
    return [mark, activity_stamp(conversation), name or "-", email or "-", channels or "-", ident or "-"]


def tsv_row(fields: list[str]) -> str:
    return "\t".join(fields)


@dataclass(frozen=True)
class Columns:
    """Cells of the name, email and channel columns: as wide as the terminal allows."""

    name: int = NAME_CELLS
    email: int = EMAIL_CELLS
    channels: int = CHANNEL_CELLS

    @classmethod
    def for_width(cls, width: int) -> Columns:
        room = max(0, width - _FIXED_CELLS)
        if room >= NAME_CELLS + EMAIL_CELLS + CHANNEL_CELLS:
            return cls()
        # Narrow: share the room (at least a few cells each; a row may then wrap).
        channels = max(5, room * 15 // 100)
        name = max(8, room * 40 // 100)
        return cls(name=name, email=max(8, room - name - channels), channels=channels)

    def row(self, fields: list[str]) -> str:
        mark, stamp, name, email, channels, ident = fields
        return "  ".join(
            (
                f"{mark} {stamp:<16}",
                fit(name, self.name),
                fit(email, self.email),
                fit(channels, self.channels),
                ident,
            )
        )


class _Progress:
    """``loading page 3 of 12, 300 conversations`` on a terminal's stderr."""

    def __init__(self, session: Session) -> None:
        self._progress = session.out.progress
        self._last_page = 0

    def page(self, number: int, planned: int | None, rows: int) -> None:
        self._last_page = max(self._last_page, number)
        of = f" of {planned}" if planned and planned >= self._last_page else ""
        self._progress.show(f"loading page {self._last_page}{of}, {rows} conversation(s)…")


async def cmd_list(session: Session) -> int:
    args, out = session.args, session.out
    user_id = await resolve_user(session)
    pages = session.client.iter_conversation_pages(user_id, limit=session.settings.page_size)
    progress = _Progress(session)
    if out.stdout_is_terminal:
        format_row = Columns.for_width(shutil.get_terminal_size().columns).row
    else:
        format_row = tsv_row
    collected = SortedJsonArray()  # encoded page by page, while later pages are on the wire
    count = skipped = 0
    planned: int | None = None
    try:
        async with contextlib.aclosing(pages):
            async for page in pages:
                skipped += page.skipped
                if planned is None:
                    planned = page.pagination.total_pages
                batch = [c for c in page.items if not (args.unread and c.is_read_by(user_id))]
                if args.limit is not None:
                    batch = batch[: args.limit - count]
                count += len(batch)
                if args.json:
                    for c in batch:
                        collected.add(_sort_key(c), c.to_api_dict())
                elif args.jsonl:
                    out.raw("".join(json_text(c.to_api_dict()) + "\n" for c in batch))
                else:
                    out.lines([format_row(row_fields(c, user_id)) for c in batch])
                progress.page(page.number, planned, count)
                if args.limit is not None and count >= args.limit:
                    break
    finally:
        out.progress.done()
    if args.json:
        out.raw(collected.text(reverse=True))
    if skipped:
        out.warning(f"skipped {skipped} malformed conversation(s)")
    return EXIT_OK

"""``lemlist-inbox list``: the conversations, through the local inbox.

On a filled local inbox, ``list`` asks only for what changed (pages from the top until
one brings nothing new: one or two requests) and prints the stored rows; ``--offline``
prints them without any request. On an empty one (or with ``cache = false``) every
page is read and printed as it arrives, as follows.

Pages come from ``iter_pages`` (through ``inbox.sync``) in page order (fetched concurrently, each
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
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lemlist_inbox.api.errors import NetworkError
from lemlist_inbox.api.pagination import cap_notice
from lemlist_inbox.cli.local import age_text, open_inbox, say_offline
from lemlist_inbox.cli.output import SortedJsonArray, json_text
from lemlist_inbox.cli.session import OfflineError, Session, resolve_user
from lemlist_inbox.inbox.sync import needs_full_load
from lemlist_inbox.render.sanitize import sanitize_line
from lemlist_inbox.ui.format import fit

if TYPE_CHECKING:
    from lemlist_inbox.inbox.local import LocalInbox
    from lemlist_inbox.inbox.store import Entry, MergeResult
    from lemlist_inbox.inbox.sync import SyncProgress

EXIT_OK, EXIT_ERROR = 0, 1
#: Cells of the aligned name, email and channel columns on a wide terminal.
NAME_CELLS, EMAIL_CELLS, CHANNEL_CELLS = 24, 32, 14
#: Mark, space, ``YYYY-MM-DD HH:MM``, four column gaps and a usual contact id.
_FIXED_CELLS = 1 + 1 + 16 + 4 * 2 + 21
_OLDEST = datetime.min.replace(tzinfo=UTC)


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


class _Enough(Exception):
    """``--limit`` rows are out: stop the sync (the pages read so far are kept)."""


def entry_fields(entry: Entry) -> list[str]:
    """The columns of one row, every one cleaned, ``-`` for an empty one.

    From the stored row whether the rows were just fetched or read from the file, so a
    warm ``list`` prints exactly what a cold one does. The name is the contact's full
    name, else first + last, else email, else id (``Contact.display_name``); the
    activity is local ``YYYY-MM-DD HH:MM``, or ``-`` when missing or not representable.
    """
    contact = entry.contact
    if contact is None:
        name = "(unknown contact)"
    else:
        ident, full_name, first, last, email_field, _linkedin = contact
        parts = " ".join(p for p in (first, last) if p and p.strip())
        name = (full_name.strip() if full_name and full_name.strip() else "") or parts
        name = name or email_field or ident or "(unknown contact)"
    email = sanitize_line((contact[4] if contact else None) or "", 200)
    channels = ",".join(c for c in (sanitize_line(ch, 40) for ch in entry.channels) if c)
    ident = sanitize_line(entry.thread_id or "", 200)
    when = entry.last_activity
    stamp = "-"
    if when is not None:
        with contextlib.suppress(OverflowError, ValueError, OSError):
            stamp = when.astimezone().strftime("%Y-%m-%d %H:%M")
    mark = "*" if entry.unread else " "
    return [mark, stamp, sanitize_line(name, 200) or "-", email or "-", channels or "-", ident or "-"]


class _Printer:
    """Writes rows in the chosen format, counting them against ``--limit``."""

    def __init__(self, session: Session) -> None:
        args, out = session.args, session.out
        self.out = out
        self.json, self.jsonl = bool(args.json), bool(args.jsonl)
        self.unread, self.limit = bool(args.unread), args.limit
        if out.stdout_is_terminal:
            self.format_row = Columns.for_width(shutil.get_terminal_size().columns).row
        else:
            self.format_row = tsv_row
        self.count = 0
        #: ``--json``: encoded as rows come (while later pages are on the wire), sorted
        #: newest first at the end (figure 9, the time after the last page).
        self.collected = SortedJsonArray()

    @property
    def full(self) -> bool:
        return self.limit is not None and self.count >= self.limit

    def rows(self, entries: list[Entry], items: Callable[[list[Entry]], list[dict[str, Any]]]) -> None:
        """Print ``entries`` (filtered, cut at the limit); ``items`` gives their API dicts."""
        batch = [e for e in entries if not (self.unread and not e.unread)]
        if self.limit is not None:
            batch = batch[: self.limit - self.count]
        self.count += len(batch)
        if self.json:
            for item in items(batch):
                self.collected.add(_item_key(item), item)
        elif self.jsonl:
            self.out.raw("".join(json_text(item) + "\n" for item in items(batch)))
        else:
            self.out.lines([self.format_row(entry_fields(e)) for e in batch])

    def finish(self) -> None:
        if self.json:
            self.out.raw(self.collected.text(reverse=True))


async def cmd_list(session: Session) -> int:
    user_id = await resolve_user(session)
    inbox = open_inbox(session, user_id)
    try:
        if session.offline:
            return _print_offline(session, inbox)
        return await _sync_and_print(session, inbox)
    finally:
        inbox.close()


def _print_offline(session: Session, inbox: LocalInbox) -> int:
    if not len(inbox.store):
        raise OfflineError("offline, and nothing is stored for this inbox yet (run: lemlist-inbox sync)")
    printer = _Printer(session)
    _print_stored(inbox, printer)
    say_offline(session, inbox.last_sync)
    return EXIT_OK


def _print_stored(inbox: LocalInbox, printer: _Printer) -> None:
    """Every stored row, newest activity first (the store's order)."""
    store = inbox.store
    entries = store.view_slice(0, store.view_size)
    raws: dict[str, str] = {}
    if (printer.json or printer.jsonl) and inbox.db is not None:
        raws = inbox.db.raw_conversations()

    def items(batch: list[Entry]) -> list[dict[str, Any]]:
        out = []
        for entry in batch:
            text = raws.get(entry.id)
            if text is not None:
                with contextlib.suppress(ValueError):
                    value = json.loads(text)
                    if isinstance(value, dict):
                        out.append(value)
                        continue
            out.append(entry.conversation.to_api_dict())
        return out

    printer.rows(entries, items)
    printer.finish()


async def _sync_and_print(session: Session, inbox: LocalInbox) -> int:
    """Sync through the store: stream an empty store's pages, else print it after the sync.

    An empty (or never completed) store is a full load: each page's rows are printed
    as soon as the page is merged, as before there was a store, so the first rows are
    out while later pages are on the wire. A filled store is brought up to date from
    the top (one or two requests) and then printed whole. Never the walk of every page
    that read states changed elsewhere need (seconds for a large inbox): ``sync`` does
    that, every ``reconcile_interval``.
    """
    out = session.out
    printer = _Printer(session)
    progress_line = _Progress(session)
    streaming = needs_full_load(inbox.store, inbox.complete)
    store = inbox.store
    planned: int | None = None
    skipped = 0

    def on_page(merged: MergeResult, progress: SyncProgress) -> None:
        nonlocal planned, skipped
        page = progress.page
        if page is None:
            return
        skipped += page.skipped
        if planned is None:
            planned = page.pagination.total_pages
            if (notice := cap_notice(planned)) is not None:
                out.warning(notice)
        if streaming and not printer.full:
            entries = [e for e in (store.get(c.id) for c in page.items) if e is not None]
            by_id = {c.id: c for c in page.items}
            printer.rows(entries, lambda batch: [by_id[e.id].to_api_dict() for e in batch])
            progress_line.page(page.number, planned, printer.count)
            if printer.full:
                raise _Enough
        else:
            progress_line.page(page.number, planned, len(store))

    try:
        with contextlib.suppress(_Enough):
            await inbox.sync(
                session.client, page_size=session.settings.page_size, on_page=on_page, allow_reconcile=False
            )
    except NetworkError as exc:
        out.progress.done()
        if streaming or not len(store):
            raise
        out.error(str(exc))
        out.message(
            f"the local inbox is from {age_text(inbox.last_sync)}; to read it: lemlist-inbox --offline list"
        )
        return EXIT_ERROR
    finally:
        out.progress.done()
    if streaming:
        printer.finish()
    else:
        _print_stored(inbox, printer)
    if skipped:
        out.warning(f"skipped {skipped} malformed conversation(s)")
    if inbox.db is not None and inbox.db.warning and inbox.db.warning != inbox.warning:
        out.warning(inbox.db.warning)  # a write failed on the way (disk full): said once
    return EXIT_OK


def _item_key(item: dict[str, Any]) -> datetime:
    from lemlist_inbox.api.timestamps import parse_time

    value = item.get("lastActivityAt")
    return (parse_time(value) if isinstance(value, str) else None) or _OLDEST

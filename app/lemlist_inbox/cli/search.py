"""``lemlist-inbox search QUERY``: full-text search over the local inbox, newest first.

The same index and query language as the reader's ``s`` screen (``inbox.search``):
words (all must match), ``"a phrase"``, ``prefix*``, ``-word``, ``a OR b``. It reads the
local inbox only and never sends a request, so it works the same with ``--offline``;
what it finds is what was stored (threads opened in the reader, prefetched, or stored by
``sync --threads N``). A file whose threads were stored before the index existed is
indexed first, once (progress on a terminal's stderr).

Output follows ``list``: into a pipe one tab-separated line a message (local time,
channel, contact, subject, the matching words in context, contact id, message id), every
field cleaned so a tab is always a separator; on a terminal two lines a message, cut to
its width (time, channel, contact, subject; then the contact id and the context), the
matched words in bold unless ``TERM`` is dumb or ``NO_COLOR`` is set.
``--json`` is one array of objects (``cli.output`` escaping). Exit 0 with a match, 1 when
nothing matches or nothing is indexed (said on stderr), 2 for a query that cannot be
searched (one line saying why).
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len

from lemlist_inbox.cli.local import iso_time, local_time, open_inbox, stored_users
from lemlist_inbox.cli.output import json_array
from lemlist_inbox.cli.session import OfflineError, Session, UsageError, resolve_user
from lemlist_inbox.inbox.search import SearchError, SearchHit, plain, split_hits
from lemlist_inbox.render.sanitize import sanitize, sanitize_line
from lemlist_inbox.ui.format import fit

if TYPE_CHECKING:
    from lemlist_inbox.inbox.local import LocalInbox

EXIT_OK, EXIT_NONE = 0, 1
DEFAULT_LIMIT = 50
#: Cells of the contact column on a terminal.
CONTACT_CELLS = 22
_BOLD, _RESET = "\x1b[1m", "\x1b[0m"


async def _user(session: Session) -> str:
    """Whose local inbox to search, without a request when the files can tell."""
    if session.settings.user_id:
        return session.settings.user_id
    if session.demo and session.demo_user:
        return session.demo_user
    known = stored_users(session.settings, demo=session.demo)
    if len(known) == 1:
        return known[0]
    return await resolve_user(session)  # several (or none) stored: the team says, or usage


async def cmd_search(session: Session) -> int:
    args, out = session.args, session.out
    query: str = " ".join(args.query)
    if not session.settings.cache:
        raise OfflineError("search reads the local inbox, and cache = false keeps none")
    inbox = open_inbox(session, await _user(session), rows=False)
    try:
        hits = _search(session, inbox, query, args.limit or DEFAULT_LIMIT)
    finally:
        inbox.close()
    if hits is None:
        return EXIT_NONE
    if args.json:
        out.raw(json_array(_json(hit) for hit in hits))
    elif out.stdout_is_terminal:
        out.lines(_terminal_lines(hits))
    else:
        out.lines(["\t".join(_fields(hit)) for hit in hits])
    if not hits:
        out.message(f"no stored message matches {sanitize_line(query, 200)!r}")
        return EXIT_NONE
    return EXIT_OK


def _search(session: Session, inbox: LocalInbox, query: str, limit: int) -> list[SearchHit] | None:
    """The hits (indexing what was stored before the index, first); None: nothing indexed."""
    index = inbox.search_index
    if index is None:  # the file could not be used (said by open_inbox)
        raise OfflineError("search reads the local inbox, which cannot be used")
    progress = session.out.progress
    if index.stale():
        inbox.catch_up_index(
            lambda done, total: progress.show(f"indexing stored threads: {done} of {total}…")
        )
        progress.done()
    try:
        hits = index.search(query, limit=limit)
    except SearchError as exc:
        raise UsageError(f"search: {exc}") from None
    if not hits and not index.indexed_threads():
        stored = len(inbox.db.thread_ids()) if inbox.db is not None else 0
        session.out.message(
            f"nothing is indexed yet ({stored} threads stored): open threads in the reader, "
            "or store the newest N with `lemlist-inbox sync --threads N`"
        )
        return None
    return hits


def _when(hit: SearchHit) -> str:
    return local_time(hit.created) if hit.created > 0 else "-"


def _contact(hit: SearchHit) -> str:
    return sanitize_line(hit.contact or hit.sender or hit.contact_id, 200) or "-"


def _fields(hit: SearchHit) -> list[str]:
    """The tab-separated columns (cleaned: a tab in a field became a space)."""
    return [
        _when(hit),
        sanitize_line(hit.channel, 40) or "-",
        _contact(hit),
        sanitize_line(plain(hit.subject), 500) or "-",
        sanitize_line(plain(hit.snippet), 1000) or "-",
        sanitize_line(hit.contact_id, 200) or "-",
        sanitize_line(hit.message_id, 200) or "-",
    ]


def _marked(text: str, width: int, bold: bool) -> str:
    """One line of marked text cut to ``width`` cells, the matched words in bold.

    ``sanitize`` each run (the spaces around a matched word are kept, unlike
    ``sanitize_line``), whitespace folded to single spaces.
    """
    flat = " ".join(text.split())
    out: list[str] = []
    room = width
    for piece, matched in split_hits(flat):
        clean = " ".join(sanitize(piece).split(" "))
        if room <= 0:
            break
        cut = fit(clean, room).rstrip() if cell_len(clean) > room else clean
        room -= cell_len(cut)
        out.append(f"{_BOLD}{cut}{_RESET}" if matched and bold else cut)
    return "".join(out).rstrip()


def _terminal_lines(hits: list[SearchHit]) -> list[str]:
    """Two lines a hit: time, channel, contact, subject; then the contact id and the
    context. Each cut to the terminal's width (the id never: ``show ID`` needs it)."""
    width = max(40, shutil.get_terminal_size((100, 24)).columns)
    term = os.environ.get("TERM", "").lower()
    bold = term not in {"", "dumb", "unknown", "emacs"} and "NO_COLOR" not in os.environ
    contact_cells = CONTACT_CELLS if width >= 100 else 16
    lines: list[str] = []
    for hit in hits:
        channel = fit(sanitize_line(hit.channel, 40) or "-", 8)
        head = f"{_when(hit):<16}  {channel}  {fit(_contact(hit), contact_cells)}  "
        subject = sanitize_line(plain(hit.subject), 500) or "-"
        lines.append((head + fit(subject, max(0, width - cell_len(head)))).rstrip())
        ident = f"  {sanitize_line(hit.contact_id, 200)}  "
        lines.append(ident + _marked(hit.snippet, width - cell_len(ident), bold))
    return lines


def _json(hit: SearchHit) -> dict[str, Any]:
    """One hit for ``--json``: plain text fields plus the matched words."""
    return {
        "contactId": hit.contact_id,
        "conversationId": hit.conversation_id,
        "messageId": hit.message_id,
        "createdAt": iso_time(hit.created) if hit.created > 0 else None,
        "channel": hit.channel,
        "contact": hit.contact or None,
        "sender": hit.sender,
        "subject": " ".join(plain(hit.subject).split()),
        "snippet": " ".join(plain(hit.snippet).split()),
        "matches": hit.matched_words(),
    }

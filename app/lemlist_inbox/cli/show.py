"""``lemlist-inbox show``: one thread as the thread pane shows it, in plain text.

The lines come from ``render.thread_lines``, the same layout as the pane (see its
docstring for the few deliberate differences). Marks follow the output: Unicode where
stdout can encode them, ASCII otherwise (the pane's rule, ``ui.thread.style``).

Through the local inbox: a stored thread is printed without a request while it is fresh,
that is while the conversation has not moved since the copy was made (as of a sync less
than ``refresh_interval`` ago: an older sync cannot vouch for it); otherwise the thread is
fetched, stored and printed. Fetching never marks it read (``markAsRead`` is only sent
with ``--mark-read``). ``--offline`` prints the stored copy, however old, and says from when.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import shutil
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lemlist_inbox.cli.local import open_inbox, say_offline
from lemlist_inbox.cli.output import json_array
from lemlist_inbox.cli.session import OfflineError, Session, UsageError, resolve_user

if TYPE_CHECKING:
    from lemlist_inbox.api.client import Thread
    from lemlist_inbox.inbox.local import LocalInbox
    from lemlist_inbox.render import RenderedMessage

EXIT_OK = 0
#: How recent the last sync must be to trust the stored last activity, when the
#: auto-refresh is off (``refresh_interval = 0``).
DEFAULT_TRUST = 60.0


def rule_width(terminal: bool) -> int:
    """The rule between messages: the terminal's width, or the default into a pipe."""
    from lemlist_inbox.render.thread_text import DEFAULT_RULE_WIDTH

    if not terminal:
        return DEFAULT_RULE_WIDTH
    return max(20, shutil.get_terminal_size((DEFAULT_RULE_WIDTH, 24)).columns)


async def _viewing_user(session: Session) -> str | None:
    """Whose local inbox holds the thread; None (no store, as before it) when it takes a
    choice only the user can make (a team of several users and no ``--user-id``)."""
    if session.args.mark_read or session.offline or session.settings.user_id:
        return await resolve_user(session)
    if not session.settings.cache:
        return None
    try:
        return await resolve_user(session)
    except UsageError:
        return None


async def cmd_show(session: Session) -> int:
    args = session.args
    if args.mark_read and session.offline:
        raise UsageError("--mark-read sends a request; it cannot be used with --offline")
    user_id = await _viewing_user(session)
    inbox = open_inbox(session, user_id, rows=False) if user_id is not None else None
    try:
        thread, offline_since = await _thread(session, inbox, user_id)
    finally:
        if inbox is not None:
            inbox.close()
    _print(session, thread)
    if session.offline:
        say_offline(session, offline_since)
    return EXIT_OK


async def _thread(
    session: Session, inbox: LocalInbox | None, user_id: str | None
) -> tuple[Thread, float | None]:
    """The thread, and (offline) when the stored copy was fetched."""
    args = session.args
    contact_id: str = args.contact_id
    stored = inbox.db.conversation_for_contact(contact_id) if inbox is not None and inbox.db else None
    copy = await inbox.threads.load(contact_id) if inbox is not None else None
    if session.offline:
        if copy is None:
            raise OfflineError(
                "offline, and this thread is not in the local inbox "
                "(lemlist-inbox sync --threads N stores the newest N)"
            )
        return copy.thread, copy.fetched_at
    if copy is not None and stored is not None and not args.mark_read and inbox is not None:
        last_sync = inbox.last_sync
        trust = session.settings.refresh_interval or DEFAULT_TRUST
        if copy.fresh_for(stored.activity) and last_sync is not None and time.time() - last_sync < trust:
            return copy.thread, None
    # The pre-store behaviour: userId only when configured, or to mark for that user.
    ask_as = session.settings.user_id or (user_id if args.mark_read else None)
    thread = await session.client.thread(contact_id, user_id=ask_as, mark_as_read=args.mark_read)
    if inbox is not None and inbox.db is not None and stored is not None and args.mark_read and ask_as:
        inbox.db.set_read(stored.id, ask_as)
    if inbox is not None:
        activity = stored.activity if stored is not None else _newest(thread)
        name = _name(stored.contact) if stored is not None else None
        await inbox.threads.save(contact_id, thread, activity=activity, contact_name=name)
    return thread, None


def _newest(thread: Thread) -> float:
    """The newest message's time: what the conversation's last activity is at least."""
    newest = -math.inf
    for message in thread.messages:
        created = message.created
        if created is not None:
            with contextlib.suppress(OverflowError, OSError, ValueError):
                newest = max(newest, created.timestamp())
    return newest


def _name(contact: tuple[str | None, ...] | None) -> str | None:
    if contact is None:
        return None
    full, first, last = contact[1], contact[2], contact[3]
    if full and full.strip():
        return full.strip()
    return " ".join(p for p in (first, last) if p and p.strip()) or None


def hyperlinked(lines: Sequence[str], rendered: Sequence[RenderedMessage]) -> list[str]:
    """The lines with each link line's URL made an OSC 8 hyperlink (for a terminal only:
    in a pipe or a file the escape sequences would be noise).

    A link line is ``[n] target`` for a link of the thread; its target is clickable when it
    is http, https or mailto and clean (``render.hyperlinks``); anything else stays text.
    """
    from lemlist_inbox.render.hyperlinks import osc8

    targets = {f"[{link.number}] {link.target}": link.target for rm in rendered for link in rm.body.links}
    out: list[str] = []
    for line in lines:
        target = targets.get(line)
        if target is None:
            out.append(line)
        else:
            number, _, shown = line.partition(" ")
            out.append(f"{number} {osc8(shown, target)}")
    return out


def _print(session: Session, thread: Thread) -> None:
    args, out = session.args, session.out
    if args.json:
        out.raw(json_array(m.to_api_dict() for m in thread.messages))
    else:
        from lemlist_inbox.render import TextMarks, render_thread, thread_lines
        from lemlist_inbox.ui.thread.style import choose_glyphs

        marks = TextMarks(**dataclasses.asdict(choose_glyphs()))  # the pane's marks, by name
        rendered = render_thread(thread.messages)
        lines = thread_lines(
            rendered,
            expanded=args.quotes,
            marks=marks,
            rule_width=rule_width(out.stdout_is_terminal),
        )
        out.lines(hyperlinked(lines, rendered) if out.stdout_is_terminal else lines)
    if thread.skipped:
        noun = "message" if thread.skipped == 1 else "messages"
        out.warning(f"{thread.skipped} {noun} could not be read and are not shown")
    if thread.truncated:  # a server offering messages forever: the oldest are missing
        out.warning(thread.notice)

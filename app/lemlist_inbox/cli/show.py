"""``lemlist-inbox show``: one thread as the thread pane shows it, in plain text.

The lines come from ``render.thread_lines``, the same layout as the pane (see its
docstring for the few deliberate differences). Marks follow the output: Unicode where
stdout can encode them, ASCII otherwise (the pane's rule, ``ui.thread.style``).
"""

from __future__ import annotations

import dataclasses
import shutil

from lemlist_inbox.cli.output import json_array
from lemlist_inbox.cli.session import Session, resolve_user

EXIT_OK = 0


def rule_width(terminal: bool) -> int:
    """The rule between messages: the terminal's width, or the default into a pipe."""
    from lemlist_inbox.render.thread_text import DEFAULT_RULE_WIDTH

    if not terminal:
        return DEFAULT_RULE_WIDTH
    return max(20, shutil.get_terminal_size((DEFAULT_RULE_WIDTH, 24)).columns)


async def cmd_show(session: Session) -> int:
    args, out = session.args, session.out
    user_id: str | None = session.settings.user_id
    if args.mark_read:
        user_id = await resolve_user(session)
    thread = await session.client.thread(args.contact_id, user_id=user_id, mark_as_read=args.mark_read)
    if args.json:
        out.raw(json_array(m.to_api_dict() for m in thread.messages))
    else:
        from lemlist_inbox.render import TextMarks, render_thread, thread_lines
        from lemlist_inbox.ui.thread.style import choose_glyphs

        marks = TextMarks(**dataclasses.asdict(choose_glyphs()))  # the pane's marks, by name
        lines = thread_lines(
            render_thread(thread.messages),
            expanded=args.quotes,
            marks=marks,
            rule_width=rule_width(out.stdout_is_terminal),
        )
        out.lines(lines)
    if thread.skipped:
        noun = "message" if thread.skipped == 1 else "messages"
        out.warning(f"{thread.skipped} {noun} could not be read and are not shown")
    return EXIT_OK

"""What the list shows of a stored thread: subject, first words, who spoke last, when.

A conversation item from ``GET /inbox`` carries none of that (no subject, no text, and a
``lastActivityAt`` that matches no message when an open or a click moved it), so a row
could not be triaged from the list. The summary is taken from the thread once it is
stored (opened, or fetched by the background prefetch) and kept in the local inbox, so
a warm start draws it before any request.

Everything in a summary is sanitized, single-line text (the renderer's output, cut to
a bound): the list draws it as literal segments, and the filter matches it as typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from lemlist_inbox.render.sanitize import sanitize_line

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Message
    from lemlist_inbox.render.message import RenderedMessage

__all__ = ["SNIPPET_CHARS", "SUBJECT_CHARS", "THEM", "US", "ThreadSummary", "summarize"]

#: Who spoke last: the team (a message we sent) or the contact (their reply).
US = "us"
THEM = "them"
#: Bounds: a row shows at most ~60 cells of subject and snippet, the filter matches what
#: is kept, and 100,000 summaries must stay a few MB (benchmark "filter keystroke").
SUBJECT_CHARS = 120
SNIPPET_CHARS = 160

_REF = re.compile(r"\s*\[\d{1,4}\]")  # the renderer's link numbers ("lemcal [1] !")


class ThreadSummary(NamedTuple):
    """One thread as the list needs it; ``latest`` is POSIX time (``-inf`` unknown)."""

    subject: str
    snippet: str
    #: ``US``, ``THEM`` or "" (only activities of unknown types).
    last_from: str
    latest: float


def _cut(text: str, limit: int) -> str:
    """``text`` on one line, at most ``limit`` characters, cut at a word when one is near."""
    text = sanitize_line(_REF.sub("", text), limit=max(limit * 4, 200))
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 2 // 3:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _stamp(rm: RenderedMessage) -> float:
    if rm.when is None:
        return -math.inf
    try:
        return rm.when.timestamp()
    except (OverflowError, OSError, ValueError):
        return -math.inf


def summarize(
    messages: Sequence[Message], rendered: Sequence[RenderedMessage] | None = None
) -> ThreadSummary | None:
    """The summary of a thread given oldest first (None when it has no message).

    ``rendered`` is ``render_thread(messages)`` when the caller has it (a save renders
    the whole thread for the search index anyway); otherwise only the newest message
    is rendered. The snippet and time are the newest message's; "who spoke last" is the
    newest message we know the direction of (an unknown activity type says nothing);
    the subject is the newest one given (LinkedIn and WhatsApp messages have none).
    """
    if not messages:
        return None
    from lemlist_inbox.api.models import Direction
    from lemlist_inbox.render.message import render_message

    if rendered is None or len(rendered) != len(messages):
        newest = render_message(messages[-1])
        subjects = [sanitize_line(m.subject if isinstance(m.subject, str) else "") for m in messages]
        directions = [m.direction for m in messages]
    else:
        newest = rendered[-1]
        subjects = [rm.subject for rm in rendered]
        directions = [rm.direction for rm in rendered]
    subject = next((s for s in reversed(subjects) if s), "")
    last_from = ""
    for direction in reversed(directions):
        if direction is Direction.SENT:
            last_from = US
            break
        if direction is Direction.RECEIVED:
            last_from = THEM
            break
    body = newest.body
    text = body.text if not body.failed else ""
    if not text.strip() and body.quoted:
        text = body.quoted
    return ThreadSummary(_cut(subject, SUBJECT_CHARS), _cut(text, SNIPPET_CHARS), last_from, _stamp(newest))

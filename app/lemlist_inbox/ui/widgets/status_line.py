"""The status line: what is loading, how much there is, and what went wrong.

It renders a single line from a small state object, so the screen only says *what*
changed (``status.update_state(loaded=1200)``) and this widget decides how it reads.
Error text comes from the api layer's typed errors, which never hold the key; it is
sanitized again here because it may quote a server body.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from textual.content import Content
from textual.widget import Widget

from lemlist_inbox.render import sanitize
from lemlist_inbox.ui.charset import UNICODE_CHROME, Chrome, chrome


@dataclass(frozen=True)
class StatusState:
    """Everything the status line shows; the screen replaces fields as things happen."""

    loading: bool = False
    loaded: int = 0
    expected: int | None = None
    total: int = 0
    unread: int = 0
    shown: int = 0
    query: str = ""
    unread_only: bool = False
    #: The channel filter ("" = every channel) and the reply-state filter ("them": they
    #: replied, "us": waiting for them, "" = any).
    channel: str = ""
    reply: str = ""
    skipped: int = 0
    error: str | None = None
    #: Whether ``r`` can help with ``error``; a rejected key is not fixed by retrying.
    retry: bool = True
    notice: str = ""
    #: Shown instead of the counts before there is anything to count (no user yet).
    prompt: str = ""
    #: How old the rows on screen are while no sync has finished ("synced 3 min ago",
    #: "offline · data from 2 h ago"); empty once the list is current.
    freshness: str = ""
    #: One line about the local inbox (rebuilt, cannot be saved); said once, kept shown.
    warning: str = ""
    #: The background prefetch of the newest threads: (stored or fresh, of how many),
    #: shown while it runs; None when it is not running.
    threads: tuple[int, int] | None = None
    #: Replies: being sent, not sent (and the key that helps), drafts of the open thread.
    outbox: str = ""


#: How the status line names a channel of the channel filter.
CHANNEL_NAMES = {"email": "email", "linkedin": "LinkedIn", "whatsapp": "WhatsApp", "sms": "SMS"}
#: How it names the reply-state filter.
REPLY_NAMES = {"them": "they replied", "us": "waiting for them"}


def filter_words(state: StatusState, marks: Chrome = UNICODE_CHROME) -> list[str]:
    """The active filters as the status line says them, in the order they compose."""
    words = []
    if state.query:
        words.append(f"filter {marks.open_quote}{sanitize(state.query)}{marks.close_quote}")
    if state.unread_only:
        words.append("unread only")
    if state.channel:
        words.append(CHANNEL_NAMES.get(state.channel, sanitize(state.channel)))
    if state.reply:
        words.append(REPLY_NAMES.get(state.reply, sanitize(state.reply)))
    return words


def _count(number: int) -> str:
    return f"{number:,}"


def describe(state: StatusState, marks: Chrome = UNICODE_CHROME) -> list[tuple[str, str]]:
    """The line as (text, style) parts; pure so it can be tested without an app.

    ``marks`` are the separator, ellipsis and quotes of this screen (``charset.chrome``).
    """
    dot = marks.separator
    parts: list[tuple[str, str]] = []
    if state.error:
        # First, so a narrow terminal cuts the counts rather than the problem; the way
        # out leads, so a long server message cannot push it off the screen.
        lead = "press r to retry: " if state.retry else ""
        parts.append((f"{lead}{sanitize(state.error)}", "bold reverse"))
        parts.append((dot, ""))
    if state.outbox:
        # Before the counts: "not sent" must not be the part a narrow terminal cuts.
        parts.append((sanitize(state.outbox), "bold"))
        parts.append((dot, ""))
    if state.prompt:
        parts.append((sanitize(state.prompt), "bold"))
        return parts
    if state.loading:
        if state.expected:
            parts.append((f"loaded {_count(state.loaded)} of {_count(state.expected)}", "bold"))
        else:
            parts.append((f"loading{marks.ellipsis}", "bold"))
    else:
        noun = "conversation" if state.total == 1 else "conversations"
        parts.append((f"{_count(state.total)} {noun}", "bold"))
    parts.append((f"{dot}{_count(state.unread)} unread", ""))
    filters = filter_words(state, marks)
    if filters:
        parts.append((f"{dot}{' + '.join(filters)}: {_count(state.shown)} shown", "bold"))
    if state.threads is not None:
        done, total = state.threads
        parts.append((f"{dot}threads {_count(done)}/{_count(total)}", ""))
    if state.freshness:
        parts.append((f"{dot}{sanitize(state.freshness)}", "italic"))
    if state.skipped:
        parts.append((f"{dot}{_count(state.skipped)} malformed skipped", ""))
    if state.warning:
        parts.append((f"{dot}{sanitize(state.warning)}", "bold"))
    if state.notice:
        parts.append((f"{dot}{sanitize(state.notice)}", ""))
    return parts


class StatusLine(Widget):
    """One line above the footer; see ``describe`` for its wording."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.state = StatusState()

    def update_state(self, **changes: Any) -> None:
        new = replace(self.state, **changes)
        if new != self.state:
            self.state = new
            self.set_class(bool(new.error), "-error")
            self.refresh()

    def render(self) -> Content:
        return Content.assemble(*describe(self.state, chrome()))

"""The review screen: exactly what will be sent, and aerc's four keys.

``y`` send, ``e`` edit again, ``p`` postpone (a lemlist draft), ``n`` discard. Nothing
leaves without ``y``; a reply that cannot be sent (empty, unchanged, a header to fix:
``compose.ComposeError``) is shown with the reason, and ``y`` then says so instead of
sending. The screen only *answers* which key was chosen; the reply flow (``flow``) asks
before discarding and does the sending, so this screen has no side effect to test.

Every string on it is the user's own text or a server string already sanitized by the
renderer; the header rows are sanitized here (they hold the contact's name and address).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from lemlist_inbox.inbox.compose import Reply, ReplyTemplate, text_to_html
from lemlist_inbox.render import sanitize_line
from lemlist_inbox.ui.reply.preview import PreviewPane, sent_message
from lemlist_inbox.ui.thread.style import ThreadStyles
from lemlist_inbox.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from lemlist_inbox.api.models import Message as ApiMessage

__all__ = ["ReviewChoice", "ReviewScreen", "split_sender"]

ReviewChoice = Literal["send", "edit", "postpone", "discard"]


def split_sender(sender: str) -> tuple[str, str]:
    """``John Doe <john@acme.com>`` -> (name, address); a bare address stays whole."""
    name, sep, rest = sender.rpartition("<")
    if sep and rest.endswith(">"):
        return name.strip(), rest[:-1].strip()
    return "", sender.strip()


class ReviewScreen(Screen[ReviewChoice]):
    """See the module docstring; dismissed with the choice."""

    DEFAULT_CSS = """
    ReviewScreen { layout: vertical; }
    #review-title { background: $panel; color: $accent; padding: 0 1; }
    #review-headers { padding: 0 1; color: $text; }
    #review-notes { padding: 0 1; color: $text-muted; margin-bottom: 1; }
    #review-preview, #review-empty {
        height: 1fr; background: $surface; padding: 0 1; border-top: solid $panel;
        scrollbar-gutter: stable;
    }
    #review-keys { dock: bottom; height: 1; background: $footer-background; color: $footer-foreground; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "choose('send')", "Send"),
        Binding("e", "choose('edit')", "Edit"),
        Binding("p", "choose('postpone')", "Postpone"),
        Binding("n", "choose('discard')", "Discard"),
    ]

    def __init__(
        self,
        template: ReplyTemplate,
        reply: Reply | None,
        *,
        problem: str | None,
        styles: Callable[[], ThreadStyles],
        lead_email: str = "",
        from_draft: bool = False,
        warnings: tuple[str, ...] = (),
        message: ApiMessage | None = None,
    ) -> None:
        super().__init__()
        self.template = template
        self.reply = reply
        #: Why this text cannot be sent as it is (None: it can).
        self.problem = problem
        self._styles = styles
        self._lead_email = lead_email
        self._from_draft = from_draft
        self._warnings = warnings
        #: The reply as the reply service will post it, as a thread message (None: built here).
        self._message = message

    def _rows(self) -> list[tuple[str, str]]:
        reply, template = self.reply, self.template
        channel = reply.channel if reply is not None else template.channel
        rows = [("To", template.to), ("Channel", channel), ("From", template.sender)]
        if channel == "email":
            subject = reply.subject if reply is not None else template.subject
            cc = reply.cc if reply is not None else template.cc
            rows.append(("Subject", subject))
            if cc:
                rows.append(("Cc", ", ".join(cc)))
        return rows

    def compose(self) -> ComposeResult:
        # One line for where it goes (the preview below shows From, To and Subject as the
        # thread will): what the header block said, without repeating it at 24 rows.
        rows = dict(self._rows())
        title = Content.assemble(
            ("Review: ", "bold"),
            (f"{rows['Channel']} reply", "bold"),
            " to ",
            sanitize_line(rows["To"], 200),
            (" (from a draft)" if self._from_draft else "", "italic"),
        )
        yield Static(title, id="review-title")
        if rows.get("Cc"):
            yield Static(
                Content.assemble(("Cc: ", "bold"), sanitize_line(rows["Cc"], 500)), id="review-headers"
            )
        notes: list[Content] = []
        if self.problem is not None:
            notes.append(
                Content.styled(f"cannot be sent: {sanitize_line(self.problem, 300)}", "bold reverse")
            )
        elif self.reply is not None:
            for warning in (*self._warnings, *self.reply.warnings):
                notes.append(Content.styled(f"note: {sanitize_line(warning, 300)}", "bold"))
            notes.append(Content("y sends it, e edits it again, p keeps it as a draft, n discards it"))
        else:
            notes.append(Content(""))
        yield Static(Content("\n").join(notes), id="review-notes")
        if self.reply is not None:
            from lemlist_inbox import render

            message = self._message if self._message is not None else self._as_sent(self.reply)
            yield PreviewPane(render.render_message(message), self._styles, id="review-preview")
        else:
            yield Static(Content("(nothing to show)"), id="review-empty")
        yield KeyBar(id="review-keys")

    def _as_sent(self, reply: Reply) -> ApiMessage:
        """The reply as the thread will list it once sent, from this sender, stamped now."""
        name, address = split_sender(self.template.sender)
        return sent_message(
            # LinkedIn and WhatsApp carry the text as typed: shown as such, tags and all
            # (escaped here so the renderer cannot take a "<i>" for markup).
            html=reply.html if reply.channel == "email" else text_to_html(reply.body),
            channel=reply.channel,
            subject=reply.subject,
            sender_name=name,
            sender_email=address,
            lead_email=self._lead_email if reply.channel == "email" else "",
            when=self._now(),
        )

    def _now(self) -> str:
        """ "Now" by the app's clock (pinned in tests), as the API writes times."""
        clock = getattr(self.app, "clock", None)
        now = clock() if callable(clock) else datetime.now(UTC)
        return now.astimezone(UTC).isoformat().replace("+00:00", "Z")

    def on_mount(self) -> None:
        for pane in self.query(PreviewPane):
            pane.focus()

    def action_choose(self, choice: ReviewChoice) -> None:
        if choice == "send" and (self.problem is not None or self.reply is None):
            self.notify(
                f"not sent: {sanitize_line(self.problem or 'nothing to send', 300)} (e to edit)",
                severity="warning",
                markup=False,
            )
            return
        if choice == "postpone" and self.reply is None:
            self.notify(
                "nothing to keep as a draft (e to edit, n to discard)", severity="warning", markup=False
            )
            return
        self.dismiss(choice)

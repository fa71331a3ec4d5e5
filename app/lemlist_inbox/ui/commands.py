"""Command palette (ctrl+p) entries for the inbox's actions.

The palette is for the keys a user has not learnt yet: each command names its key
in the help text, and runs the same action the key runs on the main screen.
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

#: (title, action on the main screen, help shown under it).
COMMANDS: list[tuple[str, str, str]] = [
    ("Refresh the inbox", "refresh", "r: reload every page, keeping what is loaded"),
    ("Toggle unread only", "toggle_unread", "u: show only conversations unread by you"),
    ("Filter conversations", "filter", "/: filter by name, email, subject or first words"),
    ("Filter by channel", "cycle_channel", "c: all, email, LinkedIn, WhatsApp, SMS in turn"),
    ("Filter by reply state", "cycle_reply", "w: all, they replied (last word theirs), waiting for them"),
    ("Copy contact email", "copy_email", "y: copy the contact's email to the clipboard"),
    ("Links of the thread", "link_picker", "L: open or copy one of the thread's links"),
    ("Attachments of the thread", "attachment_picker", "A: download, open or copy an attachment"),
    ("Switch viewing user", "switch_user", "U: read another team user's inbox"),
    ("Reply to the conversation", "reply", "R: write a reply in your editor, review it, send it"),
    ("Show the outbox", "outbox", "O: replies not confirmed by lemlist yet"),
    ("Next conversation", "next_conversation", "J or ]"),
    ("Previous conversation", "previous_conversation", "K or ["),
    ("Show keys", "help", "?: every key of the app"),
    ("Quit", "quit", "q: quit, sending pending read marks first"),
]


class InboxCommands(Provider):
    """Offers the main screen's actions by name."""

    async def _run(self, action: str) -> None:
        from lemlist_inbox.ui.app import InboxApp

        app = self.app
        if action == "quit":
            await app.run_action("quit")
            return
        if isinstance(app, InboxApp) and app.main_screen is not None:
            await app.main_screen.run_action(action)

    async def discover(self) -> Hits:
        for title, action, help_text in COMMANDS:
            yield DiscoveryHit(title, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), partial(self._run, action), help=help_text)

"""The one-line header: whose inbox this is, and whether it is the demo.

A Textual ``Header`` shows the app title and a clock; what a shared-team inbox
reader needs instead is the *viewing user*, because read state is per user.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from lemlist_inbox.render import sanitize
from lemlist_inbox.ui.charset import chrome


class InboxHeader(Widget):
    """``lemlist inbox · Alice Martin's inbox · demo``; names are shown literally."""

    def __init__(self, *, demo: bool = False, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.demo = demo
        self.user_label = ""

    def set_user(self, label: str) -> None:
        self.user_label = " ".join(sanitize(label).split())
        self.refresh()

    def render(self) -> Content:
        separator = chrome().separator
        parts: list[str | tuple[str, str]] = [(" lemlist inbox", "bold")]
        if self.user_label:
            parts.append((separator, ""))
            parts.append((f"{self.user_label}'s inbox", "bold"))
        else:
            parts.append((f"{separator}choose a user", ""))
        if self.demo:
            parts.append((separator, ""))
            parts.append(("demo", "bold reverse"))
        return Content.assemble(*parts)

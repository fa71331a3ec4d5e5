"""The one-line header: whose inbox this is, and whether it is the demo.

A Textual ``Header`` shows the app title and a clock; what a shared-team inbox
reader needs instead is the *viewing user*, because read state is per user.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from lemlist_inbox.render import sanitize


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
        parts: list[str | tuple[str, str]] = [(" lemlist inbox", "bold")]
        if self.user_label:
            parts.append((" · ", ""))
            parts.append((f"{self.user_label}'s inbox", "bold"))
        else:
            parts.append((" · choose a user", ""))
        if self.demo:
            parts.append((" · ", ""))
            parts.append(("demo", "bold reverse"))
        return Content.assemble(*parts)

"""The in-app editor: a ``TextArea`` on the same text file the external editor gets.

Used where the user's editor cannot run (no terminal to hand over: headless, a web
driver) or when the config says ``editor = "internal"``. The text is written to the
reply's private file at every change (``on_change``), so a crash mid-sentence keeps it as
the external editor's file would. ``ctrl+s`` and Esc both end the editing and go to
the review screen, where ``n`` discards: no key here throws text away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static, TextArea

__all__ = ["InternalEditor"]


class InternalEditor(Screen[str]):
    """Edits ``text``; dismissed with the edited text (never with nothing)."""

    DEFAULT_CSS = """
    InternalEditor { layout: vertical; }
    #editor-hint { background: $panel; color: $accent; padding: 0 1; }
    #editor-text { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s,escape", "done", "Review", key_display="ctrl+s/esc", priority=True),
    ]

    def __init__(self, text: str, *, on_change: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.initial = text
        self._on_change = on_change

    def compose(self) -> ComposeResult:
        yield Static(
            Content(
                "Write the reply below the blank line · ctrl+s or Esc: review (send, draft or discard there)"
            ),
            id="editor-hint",
        )
        area = TextArea(self.initial, id="editor-text", soft_wrap=True, tab_behavior="indent")
        yield area

    @property
    def area(self) -> TextArea:
        return self.query_one("#editor-text", TextArea)

    def on_mount(self) -> None:
        area = self.area
        # The cursor starts on the body's first line (after the header block), as mail
        # clients put it.
        lines = self.initial.split("\n")
        row = next((i + 1 for i, line in enumerate(lines) if not line.strip()), 0)
        area.move_cursor((min(row, len(lines) - 1), 0))
        area.focus()

    @on(TextArea.Changed)
    def _changed(self, event: TextArea.Changed) -> None:
        if self._on_change is not None:
            self._on_change(event.text_area.text)

    def action_done(self) -> None:
        self.dismiss(self.area.text)

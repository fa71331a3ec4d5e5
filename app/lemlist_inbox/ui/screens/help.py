"""The ``?`` screen: every key, from the single table in ``ui.keys``."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from lemlist_inbox.ui.keys import HELP


def help_content() -> Content:
    """The key table as plain styled text (no markup: key names hold brackets)."""
    width = max(cell_len(keys) for _section, rows in HELP for keys, _ in rows) + 2
    parts: list[str | tuple[str, str]] = []
    for number, (section, rows) in enumerate(HELP):
        if number:
            parts.append("\n")
        parts.append((section, "bold underline"))
        parts.append("\n")
        for keys, what in rows:
            parts.append(("  " + keys + " " * (width - cell_len(keys)), "bold"))
            parts.append(what + "\n")
    parts.append(("\nEsc, q or ? closes this help.", "italic"))
    return Content.assemble(*parts)


class HelpScreen(ModalScreen[None]):
    """A modal listing all keys; any of Esc, q, ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", key_display="esc"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(Content("Keys"), id="help-title")
            yield Static(help_content(), id="help-body")

    def action_close(self) -> None:
        self.dismiss(None)

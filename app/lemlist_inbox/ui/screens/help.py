"""The ``?`` screen: every key, from the single table in ``ui.keys``, and what each
mark of the list and the thread pane means, in the marks this screen draws (Unicode,
or ASCII on an ASCII screen: ``ui.charset``)."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from lemlist_inbox.ui import format as list_format
from lemlist_inbox.ui.charset import ascii_keys, ascii_only
from lemlist_inbox.ui.keys import HELP, mark_legend
from lemlist_inbox.ui.thread import style as thread_style


def help_content(ascii_screen: bool | None = None) -> Content:
    """The key table and the marks' legend as plain styled text (no markup: key names
    hold brackets). ``ascii_screen`` None asks ``charset.ascii_only``."""
    if ascii_screen is None:
        ascii_screen = ascii_only()
    if ascii_screen:
        keys_table = [(section, [(ascii_keys(k), what) for k, what in rows]) for section, rows in HELP]
        legend = mark_legend(list_format.ASCII, thread_style.ASCII_GLYPHS)
    else:
        keys_table = HELP
        legend = mark_legend(list_format.UNICODE, thread_style.UNICODE_GLYPHS)
    table = keys_table + legend
    width = max(cell_len(keys) for _section, rows in table for keys, _ in rows) + 2
    parts: list[str | tuple[str, str]] = []
    for number, (section, rows) in enumerate(table):
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

"""The ``?`` screen: every key, from the single table in ``ui.keys``, and what each
mark of the list and the thread pane means, in the marks this screen draws (Unicode,
or ASCII on an ASCII screen: ``ui.charset``)."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
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

Sections = list[tuple[str, list[tuple[str, str]]]]


def help_sections(ascii_screen: bool | None = None) -> Sections:
    """The key table then the marks' legend, in this screen's charset (None asks
    ``charset.ascii_only``): key symbols spelled out and ASCII marks on an ASCII screen."""
    if ascii_screen is None:
        ascii_screen = ascii_only()
    if ascii_screen:
        keys_table = [(section, [(ascii_keys(k), what) for k, what in rows]) for section, rows in HELP]
        return keys_table + mark_legend(list_format.ASCII, thread_style.ASCII_GLYPHS)
    return HELP + mark_legend(list_format.UNICODE, thread_style.UNICODE_GLYPHS)


def help_content(ascii_screen: bool | None = None) -> Group:
    """The sections as two-column grids: a description too long for the box wraps under
    itself, not under the keys. Plain ``Text`` (no markup: key names hold brackets)."""
    sections = help_sections(ascii_screen)
    width = max(cell_len(keys) for _section, rows in sections for keys, _ in rows)
    parts: list[RenderableType] = []
    for number, (section, rows) in enumerate(sections):
        parts.append(Text(("\n" if number else "") + section, style="bold underline"))
        grid = Table.grid(padding=(0, 2), pad_edge=False)
        grid.add_column(width=width, no_wrap=True, style="bold")
        grid.add_column(ratio=1)
        for keys, what in rows:
            grid.add_row(Text(keys), Text(what))
        parts.append(Padding(grid, (0, 0, 0, 2)))
    parts.append(Text("\nEsc, q or ? closes this help.", style="italic"))
    return Group(*parts)


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

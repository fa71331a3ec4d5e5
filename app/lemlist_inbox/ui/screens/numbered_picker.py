"""The frame both thread pickers share (links ``L``, attachments ``A``): a titled list of
numbered entries, a status line, ``j``/``k``, digits to jump, Esc to close.

Digits jump the way urlscan's do, without a timer: each digit extends the number typed
so far when that number exists (``1`` then ``2`` is entry 12 of 15), else starts a new
one (``1``, ``2`` among 9 entries is entry 2). Entries are ``Content`` built from plain
strings, never markup: every one came from a stranger.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

__all__ = ["NumberedPicker", "jump_target"]


def jump_target(typed: str, digit: str, count: int) -> str:
    """The number typed after ``digit``: ``typed + digit`` if it exists, else ``digit``."""
    longer = (typed + digit).lstrip("0")
    if longer and int(longer) <= count:
        return longer
    return digit if digit != "0" and int(digit) <= count else ""


class NumberedPicker(ModalScreen[None]):
    """A modal list; subclasses fill it (``set_entries``) and add their actions."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close", key_display="esc"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self, title: str, hint: str) -> None:
        super().__init__(classes="numbered-picker")
        self._title = title
        self._hint = hint
        self._typed = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="numbered-picker--box"):
            yield Static(Content(self._title), classes="numbered-picker--title")
            yield OptionList(classes="numbered-picker--list")
            yield Static(Content(self._hint), classes="numbered-picker--status")
            yield Static(Content(self._hint), classes="numbered-picker--hint")

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @property
    def highlighted(self) -> int | None:
        return self.options.highlighted

    def set_entries(self, entries: list[Content]) -> None:
        options = self.options
        options.clear_options()
        options.add_options([Option(entry) for entry in entries])
        if entries:
            options.highlighted = 0
        options.focus()

    def set_status(self, text: str, *, error: bool = False) -> None:
        """The line above the key hint: what happened last (a copy, a download's progress)."""
        status = self.query_one(".numbered-picker--status", Static)
        status.set_class(error, "-error")
        status.update(Content(text))

    def on_mount(self) -> None:
        self.set_status("")

    def on_key(self, event: events.Key) -> None:
        character = event.character
        if character is None or not character.isdigit() or not character.isascii():
            self._typed = ""
            return
        event.stop()
        count = self.options.option_count
        self._typed = jump_target(self._typed, character, count)
        if self._typed:
            self.options.highlighted = int(self._typed) - 1

    def action_down(self) -> None:
        self.options.action_cursor_down()

    def action_up(self) -> None:
        self.options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)

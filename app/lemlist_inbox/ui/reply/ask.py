"""Small modal questions of the reply flow: a yes/no, and a choice among a few lines.

``Ask`` answers True only for ``y``; Esc or ``n`` answer False, so a question about
something that cannot be undone (discard, delete, resend) defaults to doing nothing.
``Choose`` lists options (a draft to continue, or a new reply) and answers the index,
None when cancelled. Option texts hold server strings: they are sanitized here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lemlist_inbox.render import sanitize, sanitize_line

__all__ = ["Ask", "Choose"]


class Ask(ModalScreen[bool]):
    """``question (y/n)``; only ``y`` says yes."""

    DEFAULT_CSS = """
    Ask { align: center middle; }
    Ask .ask-box {
        width: 70; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 1; border: round $warning; background: $surface;
    }
    Ask .ask-question { text-style: bold; margin-bottom: 1; }
    Ask .ask-hint { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="ask-box"):
            yield Static(Content(sanitize(self.question)), classes="ask-question")
            yield Static(Content("y yes · n or Esc no"), classes="ask-hint")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class Choose(ModalScreen[int | None]):
    """A title and options; Enter picks, Esc cancels."""

    DEFAULT_CSS = """
    Choose { align: center middle; }
    Choose .ask-box {
        width: 90; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 1; border: round $accent; background: $surface;
    }
    Choose .ask-question { text-style: bold; margin-bottom: 1; }
    Choose .ask-hint { color: $text-muted; }
    Choose OptionList { height: auto; max-height: 14; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", key_display="esc"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self, title: str, options: Sequence[str]) -> None:
        super().__init__()
        self.title_text = title
        self.options = list(options)

    def compose(self) -> ComposeResult:
        with Vertical(classes="ask-box"):
            yield Static(Content(sanitize(self.title_text)), classes="ask-question")
            yield OptionList(*[Option(Content(sanitize_line(o, 200))) for o in self.options])
            yield Static(Content("Enter chooses · Esc cancels"), classes="ask-hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

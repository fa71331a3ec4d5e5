"""``O``: the replies that wait in the outbox, and what can be done with each.

One row per entry, oldest first: its state, the contact, the channel, the first words
and the last error. ``s`` (or Enter) sends it again, ``e`` edits it (then the review
screen as for a new reply), ``d`` deletes it after asking. The screen decides nothing
itself: it hands the chosen entry and action back to the main screen (``on_choice``),
which owns the reply flow and the no-double-send rule (an ``unknown`` entry, whose POST
timed out, is looked for in the thread and the user asked before it is sent again).
The list is rebuilt from the store each time it is shown or changed (``reload``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lemlist_inbox.render import sanitize_line
from lemlist_inbox.ui.reply.flow import first_words
from lemlist_inbox.ui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from lemlist_inbox.inbox.outbox import OutboxEntry

__all__ = ["OutboxAction", "OutboxScreen", "entry_line"]

OutboxAction = Literal["send", "edit", "delete"]

#: How each state reads in the list.
STATE_WORDS = {
    "pending": "waiting",
    "sending": "sending",
    "failed": "not sent",
    "unknown": "maybe sent",
}


def entry_line(entry: OutboxEntry, contact: str) -> Content:
    """Two lines: ``not sent · Ada Lovelace · email · Thanks for…`` and the error under it."""
    state = STATE_WORDS.get(entry.state, entry.state)
    style = "bold reverse" if entry.state == "unknown" else "bold"
    head = Content.assemble(
        (f"{state:<10}", style),
        " ",
        (sanitize_line(contact, 40) or entry.contact_id, "bold"),
        f" · {sanitize_line(entry.channel, 20)} · ",
        first_words(entry.text, 48),
    )
    error = entry.last_error or (
        "timed out: it may have gone; s checks the thread first" if entry.may_have_been_sent else ""
    )
    if not error:
        return head
    return Content("\n").join([head, Content.styled(f"           {sanitize_line(error, 200)}", "italic")])


class OutboxScreen(Screen[None]):
    """See the module docstring."""

    DEFAULT_CSS = """
    OutboxScreen { layout: vertical; }
    #outbox-title { background: $panel; color: $accent; padding: 0 1; }
    #outbox-list { height: 1fr; border: none; }
    #outbox-empty { padding: 0 1; color: $text-muted; height: auto; }
    #outbox-keys { dock: bottom; height: 1; background: $footer-background; color: $footer-foreground; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "act('send')", "Send again"),
        Binding("e", "act('edit')", "Edit"),
        Binding("d", "act('delete')", "Delete"),
        Binding("escape,q,O", "close", "Close", key_display="esc"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(
        self,
        entries: Callable[[], list[OutboxEntry]],
        contact: Callable[[OutboxEntry], str],
        *,
        on_choice: Callable[[OutboxEntry, OutboxAction], None],
        select: str | None = None,
    ) -> None:
        super().__init__()
        self._entries = entries
        self._contact = contact
        self._on_choice = on_choice
        self._select = select
        self.shown: list[OutboxEntry] = []

    def compose(self) -> ComposeResult:
        yield Static(Content.styled("Outbox: replies not confirmed by lemlist", "bold"), id="outbox-title")
        yield OptionList(id="outbox-list")
        yield Static(Content(""), id="outbox-empty")
        yield KeyBar(id="outbox-keys")

    @property
    def options(self) -> OptionList:
        return self.query_one("#outbox-list", OptionList)

    def on_mount(self) -> None:
        self.reload()
        self.options.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the outbox again; the cursor stays on its entry when it is still there."""
        options = self.options
        current = self._current()
        keep = current.id if current is not None else self._select
        self.shown = self._entries()
        options.clear_options()
        options.add_options([Option(entry_line(e, self._contact(e)), id=e.id) for e in self.shown])
        empty = self.query_one("#outbox-empty", Static)
        if not self.shown:
            empty.update(Content("Nothing waits: every reply was confirmed by lemlist. Esc closes."))
            return
        empty.update(Content(""))
        index = next((i for i, e in enumerate(self.shown) if e.id == keep), 0)
        options.highlighted = index

    def _current(self) -> OutboxEntry | None:
        index = self.options.highlighted if self.is_mounted else None
        if index is None or not 0 <= index < len(self.shown):
            return None
        return self.shown[index]

    def action_act(self, action: OutboxAction) -> None:
        entry = self._current()
        if entry is None:
            return
        self._on_choice(entry, action)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_act("send")

    def action_down(self) -> None:
        self.options.action_cursor_down()

    def action_up(self) -> None:
        self.options.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)

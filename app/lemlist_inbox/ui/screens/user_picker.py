"""Choosing the viewing user: read state in lemlist is per team user.

Shown at start-up when no user id is configured, and on ``U``. It lists the team's
users (fetched here if the caller has not got them yet); names are API strings, so
each option is a plain ``Content``, never markup. User ids are API strings too: they
never become Textual ids (a repeated id would crash the list, an odd one would not
parse); options are matched back to users by position, and a user id listed twice is
shown once (the first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from lemlist_inbox.api.errors import LemlistError
from lemlist_inbox.render import sanitize
from lemlist_inbox.ui.charset import UNICODE_CHROME, Chrome, chrome
from lemlist_inbox.ui.exiting import quiet_at_exit

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.models import TeamUser


def user_label(user: TeamUser, current: str | None, marks: Chrome = UNICODE_CHROME) -> Content:
    """``Alice Martin  alice@x.io  admin`` with the current user marked (``marks.current``)."""
    name = " ".join(sanitize(user.display_name).split())
    parts: list[str | tuple[str, str]] = [(f"{marks.current} " if user.user_id == current else "  ", "bold")]
    parts.append((name, "bold"))
    if user.email and user.email != user.display_name:
        parts.append("  " + " ".join(sanitize(user.email).split()))
    if user.role:
        parts.append(("  " + " ".join(sanitize(user.role).split()), "italic"))
    return Content.assemble(*parts)


def unique_users(team: list[TeamUser]) -> list[TeamUser]:
    """``team`` with each user id once, the first occurrence kept, order unchanged."""
    seen: set[str] = set()
    unique: list[TeamUser] = []
    for user in team:
        if user.user_id not in seen:
            seen.add(user.user_id)
            unique.append(user)
    return unique


class UserPicker(ModalScreen[str | None]):
    """Dismisses with the chosen user id, or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", key_display="esc"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def __init__(self, client: LemlistClient, team: list[TeamUser] | None, *, current: str | None) -> None:
        super().__init__()
        self.client = client
        self.team = team
        self.current = current
        #: The users listed, in option order (``team`` without repeated ids).
        self.shown: list[TeamUser] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="picker-box"):
            yield Static(Content("Whose inbox?"), id="picker-title")
            yield OptionList(id="picker-list")
            yield Static(Content("Enter chooses, Esc cancels"), id="picker-hint")

    def on_mount(self) -> None:
        if self.team is None:
            hint = f"loading the team's users{chrome().ellipsis}"
            self.query_one("#picker-hint", Static).update(Content(hint))
            self._load()
        else:
            self._fill(self.team)

    @work(exclusive=True)
    @quiet_at_exit
    async def _load(self) -> None:
        try:
            self.team = await self.client.team_users()
        except Exception as exc:  # typed API errors, and anything else: never a traceback
            reason = str(exc) if isinstance(exc, LemlistError) else exc.__class__.__name__
            self.query_one("#picker-hint", Static).update(Content(f"error: {sanitize(reason)}"))
            return
        self.query_one("#picker-hint", Static).update(Content("Enter chooses, Esc cancels"))
        self._fill(self.team)

    def _fill(self, team: list[TeamUser]) -> None:
        self.shown = unique_users(team)
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        marks = chrome()
        options.add_options([Option(user_label(user, self.current, marks)) for user in self.shown])
        for index, user in enumerate(self.shown):
            if user.user_id == self.current:
                options.highlighted = index
        if options.highlighted is None and self.shown:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        self.dismiss(self.shown[index].user_id if 0 <= index < len(self.shown) else None)

    def action_down(self) -> None:
        self.query_one("#picker-list", OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one("#picker-list", OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)

"""``InboxApp``: the Textual application the CLI runs.

The app holds what lives as long as the process (the API client, settings, clock)
and the quit sequence; the main screen holds the inbox flow. Quitting flushes the
read marks still queued in the thread pane and *returns* the ids of any that could
not be sent from ``run()``; the CLI prints them to stderr once the terminal is
restored (and exits non-zero), so a mark is never dropped silently.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.resources import stylesheet
from lemlist_inbox.ui.clock import Clock, system_clock
from lemlist_inbox.ui.commands import InboxCommands
from lemlist_inbox.ui.screens.main import MainScreen

FLUSH_TIMEOUT = 3.0


class InboxApp(App[list[str]]):
    """The terminal inbox; ``run()`` returns the ids of read marks that could not be sent."""

    TITLE = "lemlist inbox"
    CSS_PATH: ClassVar[list[str | PurePath]] = [stylesheet("app.tcss"), stylesheet("thread.tcss")]
    COMMANDS = App.COMMANDS | {InboxCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        client: LemlistClient,
        settings: Settings,
        *,
        user_id: str | None,
        clock: Clock | None = None,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.client = client
        self.settings = settings
        self.initial_user_id = user_id
        self.clock: Clock = clock or system_clock
        self.demo = demo
        self.main_screen: MainScreen | None = None
        self.unsent_marks: list[str] = []
        self._quitting = False
        if self.no_color:
            self.add_class("-no-color")
        if settings.theme and settings.theme in self.available_themes:
            self.theme = settings.theme

    def get_default_screen(self) -> MainScreen:
        self.main_screen = MainScreen()
        return self.main_screen

    async def action_quit(self) -> None:
        """Flush pending read marks (bounded wait), then exit with the ones left over."""
        if self._quitting:
            return
        self._quitting = True
        unsent: list[str] = []
        if self.main_screen is not None and self.main_screen.is_mounted:
            thread = self.main_screen.thread
            if len(thread.mark_queue):
                # The wait can last FLUSH_TIMEOUT seconds: say why nothing happens yet.
                self.notify("sending pending read marks before quitting…", timeout=FLUSH_TIMEOUT)
            try:
                unsent = await thread.flush_marks(timeout=FLUSH_TIMEOUT)
            except Exception as exc:  # never lose the quit itself
                self.log.error(f"flush_marks failed: {exc!r}")
        self.unsent_marks = list(unsent)
        self.exit(result=self.unsent_marks)

    async def run_async(self, **kwargs: Any) -> list[str] | None:
        """Run, then close the client: the app owns its lifetime once started."""
        try:
            return await super().run_async(**kwargs)
        finally:
            await self.client.aclose()

"""``InboxApp``: the Textual application the CLI runs.

The app holds what lives as long as the process (the API client, settings, clock)
and the quit sequence; the main screen holds the inbox flow.

The CLI hands over a *factory* for the client: building it imports httpx, tenacity
and pydantic (~170 ms of CPU on a small server), which the first frame does not need,
so the workers wait for it (``connected``): it is built in a thread once that frame is
painted (benchmark row "1 start-up: heavy modules").
Tests may hand over a ready client.

The app also owns the read marks owed to lemlist: one ``MarkQueue`` for the whole
run, whose journal (``inbox.marks.MarkBook``) writes each mark into the local inbox of
its user before the first try, so a mark made offline (or not sent by quit time) is
sent on a later start, once. The queue's client waits for the real one and, while the
app is offline, for the link to come back (``online``), instead of burning retries.

``store`` says where the local inboxes live (``StoreOptions``); without it nothing is
written (``cache = false``, and the tests' default). ``offline`` (``--offline``): no
request at all; the app reads the store.

Quitting with a reply open (in the editor or the review) asks first, and waits
(bounded) for a reply being sent to be confirmed. Quitting flushes the read marks still
queued and *returns* the ids of any that could not be sent and are not kept in a local
inbox either, from ``run()``; the CLI prints them to stderr once the terminal is
restored (and exits non-zero), so a mark is never dropped silently.

An unhandled exception anywhere (a key handler, a worker, a timer, compose) ends the
app with return code 1 and is kept in ``crash``; nothing is printed on the screen. The
CLI writes its traceback, key redacted, to the crash log and prints one line naming
it, after the terminal is restored (``logs.write_crash_log``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.screen import Screen

from lemlist_inbox.api.mark_queue import MarkQueue
from lemlist_inbox.config import Settings
from lemlist_inbox.inbox.local import OfflineError, StoreOptions
from lemlist_inbox.inbox.marks import MarkBook
from lemlist_inbox.resources import stylesheet
from lemlist_inbox.ui import charset
from lemlist_inbox.ui.ascii_screen import AsciiFilter, use_ascii_scrollbars
from lemlist_inbox.ui.clock import Clock, system_clock
from lemlist_inbox.ui.commands import InboxCommands
from lemlist_inbox.ui.internals import CrashKeepingApp, stable_link_ids
from lemlist_inbox.ui.reply.ask import Ask
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.screenshots import save_screenshot

if TYPE_CHECKING:
    from lemlist_inbox.api.client import LemlistClient

FLUSH_TIMEOUT = 3.0


class _AppMarks:
    """The ``MarkClient`` of the app's queue: a mark waits for the link, then the client.

    The queue can so be built before the first frame (no httpx), and a mark owed while
    offline costs no request until a sync has reached lemlist again (``online``).
    """

    def __init__(self, app: InboxApp) -> None:
        self._app = app

    async def mark_read(self, contact_id: str, user_id: str) -> None:
        await self._app.online.wait()
        client = await self._app.connected()
        await client.mark_read(contact_id, user_id)


class InboxApp(CrashKeepingApp[list[str]]):
    """The terminal inbox; ``run()`` returns the ids of read marks that could not be sent."""

    TITLE = "lemlist inbox"
    CSS_PATH: ClassVar[list[str | PurePath]] = [
        stylesheet("app.tcss"),
        stylesheet("thread.tcss"),
        stylesheet("pickers.tcss"),
    ]
    COMMANDS = App.COMMANDS | {InboxCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        client: LemlistClient | Callable[[], LemlistClient],
        settings: Settings,
        *,
        user_id: str | None,
        clock: Clock | None = None,
        demo: bool = False,
        store: StoreOptions | None = None,
        offline: bool = False,
    ) -> None:
        super().__init__()
        self._client: LemlistClient | None = None
        self._connect: Callable[[], LemlistClient] | None = None
        self._connecting: asyncio.Task[LemlistClient] | None = None
        self._models_loading: asyncio.Task[None] | None = None
        if callable(client):
            self._connect = client
        else:
            self._client = client
        self.settings = settings
        self.clock: Clock = clock or system_clock
        self.demo = demo
        #: Where local inboxes live; ``data_dir=None`` keeps nothing (today's behaviour).
        self.store_options = store or StoreOptions(data_dir=None, base_url=settings.base_url, demo=demo)
        #: ``--offline``: never send a request; everything comes from the store.
        self.offline = offline
        #: Set while lemlist is reachable as far as we know (cleared by a network error
        #: of a sync, set again by the next success): queued marks wait for it.
        self.online = asyncio.Event()
        if not offline:
            self.online.set()
        #: The demo never writes the config: its last user is kept beside its database.
        self.initial_user_id = user_id or (self.store_options.last_user() if demo else None)
        self.mark_book = MarkBook()
        self.mark_queue = MarkQueue(_AppMarks(self), journal=self.mark_book)
        self.main_screen: MainScreen | None = None
        self.unsent_marks: list[str] = []
        #: Marks not sent by quit time but kept in a local inbox (sent by the next start).
        self.kept_marks = 0
        self._quitting = False
        #: The user said yes to quitting with a reply not finished (``action_quit``).
        self._quit_confirmed = False
        # One Unicode-or-ASCII decision for every mark, border and scrollbar (ui.charset).
        charset.configure(settings.ascii)
        self.ascii_only = charset.ascii_only()
        use_ascii_scrollbars(self.ascii_only)
        stable_link_ids()  # a URL folded over lines is one OSC 8 link (ui.internals)
        self._ascii_filter = AsciiFilter()
        if self.no_color:
            self.add_class("-no-color")
        if settings.theme and settings.theme in self.available_themes:
            self.theme = settings.theme

    @property
    def client(self) -> LemlistClient:
        """The API client, built now if no worker has built it yet."""
        if self._client is None:
            assert self._connect is not None
            self._client = self._connect()
        return self._client

    async def connected(self) -> LemlistClient:
        """The API client for a worker; the first call builds it (after the first frame).

        Built in a thread: its imports take a tenth of a second or more, during which the
        event loop keeps handling keys. Concurrent callers share one build.
        """
        if self.offline:  # first: a client handed over ready must not be used either
            raise OfflineError()
        if self._client is not None:
            return self._client
        if self._connecting is None:
            self._connecting = asyncio.create_task(self._build_client())
        return await asyncio.shield(self._connecting)

    async def _build_client(self) -> LemlistClient:
        assert self._connect is not None
        # The imports hold the GIL: started before the first frame is on screen, they
        # would delay it by their whole length (measured: 60-280 ms, by how they raced).
        await self.screen.wait_for_refresh()
        client = await asyncio.to_thread(self._connect)
        from lemlist_inbox.api.client import load_models

        # The callers' first requests go out now; the models they need for the answers
        # load meanwhile (an answer that comes first waits on the same import).
        self._models_loading = asyncio.create_task(asyncio.to_thread(load_models))
        if self._client is None:  # the synchronous ``client`` may have won meanwhile
            self._client = client
        elif client is not self._client:
            await client.aclose()
        return self._client

    def get_line_filters(self) -> list[LineFilter]:
        """Textual's filters, then, on an ASCII screen, the one that makes every drawn
        character ASCII (``ui.ascii_screen``): borders, toasts and server text included."""
        # Textual internal: App.get_line_filters() is applied to every rendered line of every
        # widget (textual.filter says filters are "used internally"; NO_COLOR is one).
        filters = list(super().get_line_filters())
        if self.ascii_only:
            filters.append(self._ascii_filter)
        return filters

    def get_key_display(self, binding: Binding) -> str:
        """Textual's key names (``⏎``, ``↓``), spelled out on an ASCII screen."""
        shown = super().get_key_display(binding)
        return charset.ascii_keys(shown) if self.ascii_only else shown

    def on_unmount(self) -> None:
        """Shutting down: stop the mark retries (what is owed stays in the local inbox)
        and close the local inboxes, which frees their marks for the next start."""
        self.mark_queue.close()
        self.mark_book.close()

    def client_factory(self) -> LemlistClient:
        """``client`` as a callable, for widgets composed before the client exists."""
        return self.client

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette commands, minus its own Quit (ours flushes read marks and
        is listed by ``InboxCommands``) and with a Screenshot that says where it went."""
        for command in super().get_system_commands(screen):
            if command.title in {"Quit", "Screenshot"}:
                continue
            yield command
        yield SystemCommand(
            "Screenshot",
            "Save an SVG screenshot of the screen (the notification says where)",
            lambda: self.set_timer(0.1, self.action_screenshot),
        )

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """Save an SVG of the screen in the screenshots folder, created if missing."""
        save_screenshot(self, filename=filename, folder=path)

    def get_default_screen(self) -> MainScreen:
        self.main_screen = MainScreen()
        return self.main_screen

    async def action_quit(self) -> None:
        """Flush pending read marks (bounded wait), then exit with the ones left over."""
        if self._quitting:
            return
        main = self.main_screen
        if main is not None and not self._quit_confirmed and (path := main.replies.unfinished()) is not None:
            self.push_screen(
                Ask(f"A reply is not finished. Quit anyway? Its text stays in {path}."), self._confirm_quit
            )
            return
        self._quitting = True
        if main is not None:  # a reply on its way gets its answer first (bounded)
            await main.replies.settle(FLUSH_TIMEOUT)
        unsent: list[str] = []
        queue = self.mark_queue
        # Offline, a last try cannot land: the marks wait in the local inbox (if any).
        timeout = FLUSH_TIMEOUT if self.online.is_set() else 0.0
        if len(queue) and timeout:
            # The wait can last FLUSH_TIMEOUT seconds: say why nothing happens yet.
            self.notify("sending pending read marks before quitting…", timeout=FLUSH_TIMEOUT)
        try:
            await queue.flush(timeout)
            # Kept in a local inbox, an unsent mark is sent by the next start: not lost.
            pending = queue.pending_marks()
            unsent = [m.conversation_id for m in pending if not self.mark_book.kept(m.user_id)]
            self.kept_marks = len(pending) - len(unsent)
        except Exception as exc:  # never lose the quit itself
            self.log.error(f"flush_marks failed: {exc!r}")
            unsent = queue.pending
        self.unsent_marks = list(unsent)
        self.exit(result=self.unsent_marks)

    def _confirm_quit(self, yes: bool | None) -> None:
        if yes:
            self._quit_confirmed = True
            self.call_later(self.run_action, "quit")

    async def run_async(self, **kwargs: Any) -> list[str] | None:
        """Run, then close the client: the app owns its lifetime once started."""
        try:
            return await super().run_async(**kwargs)
        finally:
            if self._client is not None:
                await self._client.aclose()

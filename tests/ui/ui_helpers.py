"""Helpers for the inbox UI tests: a real DemoServer on loopback, a real client, the app.

The shared machinery (pinned time, servers, waits, screen text) is ``tui_harness``; what
is here is the UI tests' own way to build an app (a default client, a choice of user)
and their shorter wait bound.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widget import Widget

import tui_harness
from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults
from lemlist_inbox.inbox.local import StoreOptions
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from tui_harness import REFERENCE, ServerFactory, first_user, fixed_clock, main_screen, screen_text

__all__ = [
    "REFERENCE",
    "ServerFactory",
    "first_user",
    "fixed_clock",
    "focused",
    "loaded",
    "local_app",
    "main_screen",
    "make_app",
    "screen_text",
    "snapshot_server",
    "wait_for",
]

#: How long the UI tests let the app run before a wait fails (a bound, not a timing assertion).
TIMEOUT = 10.0


def make_app(
    server: DemoServer,
    *,
    user_id: str | bool | None = True,
    page_size: int = 10,
    refresh_interval: float = 0.0,
    max_retries: int = 2,
    demo: bool = True,
    settings: Settings | None = None,
) -> InboxApp:
    """An InboxApp on a fresh client; ``user_id=True`` means the team's first user."""
    client = LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=max_retries)
    settings = settings or Settings(api_key=DEMO_API_KEY, base_url=server.base_url)
    uid = first_user(server) if user_id is True else (user_id or None)
    return tui_harness.inbox_app(
        client, settings, uid, page_size=page_size, refresh_interval=refresh_interval, demo=demo
    )


def snapshot_server(
    conversations: int = 40, *, faults: Faults | None = None, hostile: bool = False
) -> DemoServer:
    """The stand-in the snapshots (and the tests beside them) are taken on: seed 7, the
    reference time, no rate limit unless ``faults`` says otherwise. Use it as a context."""
    return DemoServer(
        conversations=conversations,
        seed=7,
        faults=faults or Faults(rate_limit=False),
        reference=REFERENCE,
        hostile=hostile,
    )


def local_app(
    server: DemoServer,
    data_dir: Path | None,
    *,
    offline: bool = False,
    mark_read_on_open: bool = True,
    user_id: str | None = None,
    prefetch_threads: int = 0,
    page_size: int = 10,
    **client: Any,
) -> InboxApp:
    """An app whose local inbox lives in ``data_dir`` (None: none; demo scope: the port may change).

    No retries, no refresh, and no background prefetch unless asked (``prefetch_threads``):
    most tests count the requests of what the user does. ``client`` goes to ``make_client``.
    """
    client.setdefault("max_retries", 0)
    settings = Settings(
        api_key=DEMO_API_KEY,
        base_url=server.base_url,
        mark_read_on_open=mark_read_on_open,
        prefetch_threads=prefetch_threads,
        page_size=page_size,
        refresh_interval=0,
    )
    store = None if data_dir is None else StoreOptions(data_dir=data_dir, base_url=server.base_url, demo=True)
    return InboxApp(
        tui_harness.make_client(server, DEMO_API_KEY, **client),
        settings,
        user_id=user_id or first_user(server),
        clock=fixed_clock,
        demo=True,
        store=store,
        offline=offline,
    )


async def wait_for(predicate: Callable[[], bool], *, timeout: float = TIMEOUT, step: float = 0.02) -> None:
    """``tui_harness.wait_for`` with the UI tests' bound."""
    await tui_harness.wait_for(predicate, timeout=timeout, step=step)


async def loaded(app: InboxApp) -> MainScreen:
    """Wait until the first full load finished; returns the main screen."""
    return await tui_harness.loaded(app, TIMEOUT)


def focused(app: App[Any]) -> Widget | None:
    """The focused widget (a function, so type checkers do not narrow it between presses)."""
    return app.focused

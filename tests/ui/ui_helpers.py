"""Helpers for the inbox UI tests: a real DemoServer on loopback, a real client, the app.

Time is pinned (TZ=UTC, a fixed clock equal to the demo's reference instant) so
relative times and snapshots never depend on when the tests run.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

os.environ["TZ"] = "UTC"
time.tzset()
os.environ.pop("NO_COLOR", None)

from textual.app import App  # noqa: E402
from textual.widget import Widget  # noqa: E402

from lemlist_inbox.api.client import LemlistClient  # noqa: E402
from lemlist_inbox.config import Settings  # noqa: E402
from lemlist_inbox.demo import DEMO_API_KEY, SEED_REFERENCE, DemoServer  # noqa: E402
from lemlist_inbox.ui.app import InboxApp  # noqa: E402
from lemlist_inbox.ui.screens.main import MainScreen  # noqa: E402

REFERENCE: datetime = SEED_REFERENCE


def fixed_clock() -> datetime:
    return REFERENCE


ServerFactory = Callable[..., DemoServer]


def first_user(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


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
    settings.page_size = page_size
    settings.refresh_interval = refresh_interval
    uid = first_user(server) if user_id is True else (user_id or None)
    return InboxApp(client, settings, user_id=uid, clock=fixed_clock, demo=demo)


def main_screen(app: InboxApp) -> MainScreen:
    assert app.main_screen is not None
    return app.main_screen


async def wait_for(predicate: Callable[[], bool], *, timeout: float = 10.0, step: float = 0.02) -> None:
    """Let the app run until ``predicate()`` holds (bounded; not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(step)


async def loaded(app: InboxApp) -> MainScreen:
    """Wait until the first full load finished; returns the main screen."""
    await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
    screen = main_screen(app)
    await wait_for(lambda: len(screen.store) > 0 and not screen.busy)
    return screen


def screen_text(app: App[Any]) -> str:
    """The terminal's text as the user sees it (from the compositor, not the SVG)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def focused(app: App[Any]) -> Widget | None:
    """The focused widget (a function, so type checkers do not narrow it between presses)."""
    return app.focused

"""Key errors and a vanished server, in the real TUI.

A wrong key is said clearly (status line and a notification), once: the app does not
retry a 401 in a loop. A key revoked mid-session is reported at the next refresh and
the rows stay. A server that goes away is reported, the rows stay, the keys work, and
``r`` recovers once it is back. The key never shows on screen.
"""

from __future__ import annotations

import asyncio
import inspect
from typing import Any

import pytest
from textual.pilot import Pilot

from lemlist_inbox.demo import DemoServer
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.help import HelpScreen
from lemlist_inbox.ui.screens.main import MainScreen
from secret_keys import FAULTS_KEY, REVOKED_KEY
from tui_harness import (
    ServerFactory,
    assert_screen_clean,
    main_screen,
    make_app,
    run_loaded,
    wait_for,
)


@pytest.fixture
def server(make_server: ServerFactory) -> DemoServer:
    return make_server(40, api_key=REVOKED_KEY)


def notifications(app: InboxApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def assert_no_key_anywhere(app: InboxApp) -> None:
    svg = app.export_screenshot()
    for key in (FAULTS_KEY, REVOKED_KEY):
        assert key not in svg
        assert all(key not in text for text in notifications(app))
        assert key not in (main_screen(app).status.state.error or "")


async def settle(server: DemoServer, quiet: float = 0.6, limit: float = 5.0) -> int:
    """Requests the server saw, once nothing new arrived for ``quiet`` seconds (bounded)."""
    count = -1
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while count != len(server.log) and loop.time() < deadline:
        count = len(server.log)
        await asyncio.sleep(quiet)
    return len(server.log)


async def refresh_ticks(screen: MainScreen, count: int) -> None:
    """Let the auto-refresh timer fire ``count`` more times (counted, not slept: a loaded
    machine delays the ticks, and a fixed sleep would then prove nothing)."""
    timer = screen._refresh_timer
    assert timer is not None and timer._callback is not None
    poll = timer._callback
    ticks = 0

    async def counted() -> None:
        nonlocal ticks
        result = poll()
        if inspect.isawaitable(result):
            await result
        ticks += 1

    timer._callback = counted
    try:
        await wait_for(lambda: ticks >= count)
    finally:
        timer._callback = poll


async def usable(pilot: Pilot[Any], screen: MainScreen) -> None:
    """Help opens and closes, the cursor moves: the app is not stuck on the error."""
    await pilot.press("question_mark")
    await wait_for(lambda: isinstance(pilot.app.screen, HelpScreen))
    await pilot.press("escape")
    await wait_for(lambda: pilot.app.screen is screen)
    if screen.store.view_size >= 2:
        before = screen.conversation_list.cursor_id
        await pilot.press("j")
        assert screen.conversation_list.cursor_id != before


async def test_wrong_key_is_said_once_and_not_retried(server: DemoServer, apps: list[InboxApp]) -> None:
    # Auto-refresh on (every 0.2 s here, 60 s by default): a rejected key must not be
    # polled again and again, nor re-notified at every poll, until the user presses r.
    app = make_app(server, FAULTS_KEY, refresh_interval=0.2)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: screen.status.state.error is not None)
        error = screen.status.state.error or ""
        assert error.startswith("API key rejected"), error
        assert "authentication" in error
        await wait_for(lambda: any("API key rejected" in text for text in notifications(app)))
        requests = await settle(server)
        assert all(record.status == 401 for record in server.log)
        # the team lookup and page 1, each once: no retry of a 401, no polling with it
        assert len(server.requests("/api/team")) == 1
        assert len(server.requests("/api/inbox")) == 1, f"{len(server.requests('/api/inbox'))} /inbox calls"
        await refresh_ticks(screen, 5)  # five polls the app had the chance to send
        assert len(server.log) == requests, "no request after the key was rejected"
        rejected = [text for text in notifications(app) if "API key rejected" in text]
        assert len(rejected) == 1, f"notified {len(rejected)} times"
        await usable(pilot, screen)
        assert_no_key_anywhere(app)
        assert "API key rejected" in assert_screen_clean(app, "wrong key")


@pytest.mark.parametrize("noticed_by", ["r", "auto_refresh"])
async def test_key_revoked_mid_session_keeps_rows_and_recovers(
    noticed_by: str, server: DemoServer, apps: list[InboxApp]
) -> None:
    app = make_app(server, REVOKED_KEY, page_size=10, refresh_interval=0.2 if noticed_by != "r" else 0.0)
    async with run_loaded(app, apps) as (pilot, screen):
        rows = [screen.store.view_at(i).id for i in range(screen.store.view_size)]
        assert len(rows) == len(server.dataset)
        server.api_key = FAULTS_KEY  # the user's key is revoked
        before = len(server.log)
        if noticed_by == "r":
            await pilot.press("r")
        await wait_for(lambda: screen.status.state.error is not None and not screen.busy)
        assert (screen.status.state.error or "").startswith("API key rejected")
        await settle(server)
        assert len(server.log) - before <= 2, "one 401, no retry loop, no more polling"
        assert len([t for t in notifications(app) if "API key rejected" in t]) == 1
        assert [screen.store.view_at(i).id for i in range(screen.store.view_size)] == rows
        await usable(pilot, screen)
        assert_no_key_anywhere(app)
        server.api_key = REVOKED_KEY  # the key is valid again (or the user fixed it)
        await pilot.press("r")
        await wait_for(lambda: not screen.busy and screen.status.state.error is None)
        assert len(screen.store) == len(server.dataset)
        if noticed_by != "r":  # polling resumed after r
            seen = len(server.log)
            await wait_for(lambda: len(server.log) > seen + 1)


async def test_server_gone_keeps_rows_then_back_and_r_recovers(
    server: DemoServer, apps: list[InboxApp]
) -> None:
    app = make_app(server, REVOKED_KEY, page_size=10)
    async with run_loaded(app, apps) as (pilot, screen):
        rows = [screen.store.view_at(i).id for i in range(screen.store.view_size)]
        port = server.port
        server.stop()
        await pilot.press("r")
        await wait_for(lambda: screen.status.state.error is not None and not screen.busy)
        error = screen.status.state.error or ""
        assert error.startswith("cannot reach 127.0.0.1"), error
        assert "\n" not in error and "Traceback" not in error
        assert [screen.store.view_at(i).id for i in range(screen.store.view_size)] == rows
        assert error[:30] in assert_screen_clean(app, "server gone")
        await usable(pilot, screen)
        # opening a conversation while the server is gone: a clear message in the pane
        await pilot.press("enter")
        await wait_for(lambda: screen.thread.state in ("error", "thread"))
        assert screen.thread.state == "error" or screen.thread.current_conversation_id is not None
        server.start()
        assert server.port == port
        await pilot.press("escape", "r")
        await wait_for(lambda: not screen.busy and screen.status.state.error is None)
        assert len(screen.store) == len(server.dataset)
        assert_no_key_anywhere(app)

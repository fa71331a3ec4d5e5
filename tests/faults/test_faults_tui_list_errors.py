"""What the conversation list says when a load fails, in the real TUI over loopback HTTP.

With nothing loaded the list itself says what failed and what to do (never "no
conversations", which reads like an empty inbox, and never "loading…" once nothing is
loading); a rejected key says how to fix it instead of offering a retry that cannot
help; rows already on screen stay there whatever fails.
"""

from __future__ import annotations

import socket

from lemlist_inbox.api import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import Faults
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.screens.user_picker import UserPicker
from secret_keys import FAULTS_KEY, REVOKED_KEY
from tui_harness import (
    FAST_POLICY,
    ServerFactory,
    assert_screen_clean,
    inbox_app,
    main_screen,
    make_app,
    make_client,
    run_loaded,
    screen_lines,
    wait_for,
)


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def list_lines(app: InboxApp) -> list[str]:
    """The list pane's rows as on screen (the whole terminal at 80 columns)."""
    screen = main_screen(app)
    region = screen.conversation_list.region
    return [line[region.x : region.right].rstrip() for line in screen_lines(app)[region.y : region.bottom]]


async def failed(screen: MainScreen) -> None:
    await wait_for(lambda: screen.status.state.error is not None and not screen.busy)


async def test_failed_load_with_nothing_loaded_says_it_could_not_reach_the_host(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(10, api_key=FAULTS_KEY)
    port = closed_port()
    client = LemlistClient(
        FAULTS_KEY, base_url=f"http://127.0.0.1:{port}/api", max_retries=0, retry_policy=FAST_POLICY
    )
    app = make_app(server, FAULTS_KEY, client=client)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main_screen(app)
        await failed(screen)
        await pilot.pause()
        first = list_lines(app)[0]
        assert f"127.0.0.1:{port}" in first and "reach" in first, first
        assert "r to retry" in first, first
        assert "no conversations" not in first and "loading" not in first, first
        assert_screen_clean(app, "nothing loaded")


async def test_retry_that_fails_again_does_not_leave_the_list_loading(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(
        10, api_key=FAULTS_KEY, faults=Faults(rate_limit=False, error_every=1, status_for_error=503)
    )
    app = make_app(server, FAULTS_KEY, max_retries=0)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main_screen(app)
        await failed(screen)
        for attempt in range(2):
            before = len(server.requests("/api/inbox"))
            await pilot.press("r")
            await wait_for(lambda: len(server.requests("/api/inbox")) > before)  # noqa: B023
            await failed(screen)
            await pilot.pause()
            first = list_lines(app)[0]
            assert "loading" not in first, f"retry {attempt + 1}: {first!r}"
            assert "503" in first and "r to retry" in first, first
            assert "no conversations" not in first


async def test_rejected_key_says_how_to_fix_it_and_offers_no_retry(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(10, api_key=REVOKED_KEY)
    app = make_app(server, FAULTS_KEY)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main_screen(app)
        await failed(screen)
        await pilot.pause()
        text = assert_screen_clean(app, "key rejected")
        first = list_lines(app)[0]
        assert "key" in first and "rejected" in first, first
        assert "LEMLIST_API_KEY" in text, text
        assert "r to retry" not in text, text
        assert FAULTS_KEY not in text and REVOKED_KEY not in text


async def test_error_after_rows_loaded_keeps_the_rows_on_screen(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(12, api_key=FAULTS_KEY)
    app = make_app(server, FAULTS_KEY, page_size=10, max_retries=0)
    async with run_loaded(app, apps, size=(80, 24)) as (pilot, screen):
        names = [screen.store.view_at(i).name for i in range(3)]
        server.faults.error_every = 1
        await pilot.press("r")
        await failed(screen)
        await pilot.pause()
        shown = "\n".join(list_lines(app))
        assert all(name[:15] in shown for name in names), shown
        assert len(screen.store) == len(server.dataset)
        # a rejected key mid-session: rows stay too
        server.faults.error_every = 0
        server.api_key = REVOKED_KEY
        await pilot.press("r")
        await wait_for(lambda: (screen.status.state.error or "").startswith("API key rejected"))
        await pilot.pause()
        shown = "\n".join(list_lines(app))
        assert all(name[:15] in shown for name in names), shown
        assert "r to retry" not in assert_screen_clean(app, "key rejected mid-session")


async def test_team_lookup_that_fails_says_what_failed_and_r_retries_it(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    """No user configured: the team lookup comes first; its failure is said in the list and
    ``r`` tries it again (it used to do nothing until a user was chosen)."""
    server = make_server(
        10, api_key=FAULTS_KEY, faults=Faults(rate_limit=False, error_every=1, status_for_error=503)
    )
    client = make_client(server, FAULTS_KEY, max_retries=0)
    settings = Settings(api_key=FAULTS_KEY, base_url=server.base_url)
    app = inbox_app(client, settings, None, page_size=10, refresh_interval=0.0)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = main_screen(app)
        await failed(screen)
        await pilot.pause()
        first = list_lines(app)[0]
        assert "503" in first and "r to retry" in first, first
        server.faults.error_every = 0
        await pilot.press("r")
        await wait_for(lambda: isinstance(app.screen, UserPicker))

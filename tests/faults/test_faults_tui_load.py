"""Faults at the TUI level: the real app over real loopback HTTP, the stand-in misbehaving.

Under each fault (429 storm, 5xx every 3rd request, connection resets, bodies cut
short, truncated JSON, an HTML page with status 200, a list that changes while it is
paged): the load either completes with every conversation exactly once (the store's
ids against the server's data set), or stops with a clear one-line status and keeps
the rows it has; the keys keep working while the faults go on; and once the fault
is gone a later ``r`` completes the list, exactly.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from textual.pilot import Pilot

from lemlist_inbox.demo import DemoServer, Faults
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from secret_keys import FAULTS_KEY
from tui_harness import ServerFactory, assert_screen_clean, main_screen, make_app, wait_for

CONVERSATIONS = 60  # plus the 4 example threads: 7 pages of 10


def serve(make_server: ServerFactory, faults: Faults, conversations: int = CONVERSATIONS) -> DemoServer:
    """A stand-in misbehaving as ``faults`` say, with the key these tests use."""
    return make_server(conversations, api_key=FAULTS_KEY, faults=faults)


def store_ids(screen: MainScreen) -> list[str]:
    """The ids of every row in the list, in order (the view, unfiltered)."""
    return [screen.store.view_at(i).id for i in range(screen.store.view_size)]


def assert_exactly_once(screen: MainScreen, server: DemoServer) -> None:
    ids = store_ids(screen)
    assert len(ids) == len(set(ids)), "a conversation shows twice"
    assert len(ids) == len(screen.store)
    expected = set(server.dataset.conversations.ids())
    assert set(ids) == expected, f"missing {len(expected - set(ids))}, extra {len(set(ids) - expected)}"


def assert_clear_status(error: str | None) -> None:
    assert error, "the status line says what went wrong"
    assert "\n" not in error and len(error) < 200, error
    assert "Traceback" not in error and not error.startswith("unexpected error"), error
    assert FAULTS_KEY not in error


async def keys_still_work(pilot: Pilot[Any], screen: MainScreen) -> None:
    """Move, filter and clear while the faults go on: the app answers every key.

    The cursor follows its conversation when rows arrive above it, so a move is
    checked by the conversation under the cursor changing, not by the row number.
    """
    listing = screen.conversation_list
    await wait_for(lambda: screen.store.view_size >= 3)
    listing.move_to(0)
    before = listing.cursor_id
    await pilot.press("j")
    moved = listing.cursor_id
    assert moved != before
    await pilot.press("k")
    assert listing.cursor_id != moved
    await pilot.press("slash", "z", "z", "z", "z", "q")
    await pilot.pause()
    assert screen.store.query == "zzzzq"
    await pilot.press("escape")
    await pilot.pause()
    assert screen.store.query == "" and screen.store.view_size == len(screen.store)
    await pilot.press("question_mark")
    await pilot.pause()
    await pilot.press("escape")
    await pilot.pause()
    assert pilot.app.screen is screen


async def load_with_keys_working(pilot: Pilot[Any], app: InboxApp) -> MainScreen:
    """From the first rows on, the keys work while the load goes on; the screen once it ended."""
    await wait_for(lambda: app.main_screen is not None and app.main_screen.store.view_size > 0)
    screen = main_screen(app)
    await keys_still_work(pilot, screen)
    await wait_for(lambda: not screen.busy)
    return screen


FAULTS: dict[str, dict[str, Any]] = {
    "429_storm": {"burst_429": 12},
    "5xx_every_3rd": {"error_every": 3},
    "connection_resets": {"reset_every": 4},
    "cut_bodies": {"truncate_every": 4, "truncate_mode": "close"},
    "truncated_json": {"truncate_every": 4, "truncate_mode": "json"},
    "html_200": {"html_every": 4},
    "mixed": {"error_every": 5, "reset_every": 7, "html_every": 11, "truncate_every": 13},
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_load_under_fault_has_every_conversation_exactly_once(
    fault: str, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    knobs = FAULTS[fault]
    server = serve(make_server, Faults(rate_limit=False, latency=0.01, **knobs))
    app = make_app(server, FAULTS_KEY, page_size=10, max_retries=6)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await load_with_keys_working(pilot, app)
        assert app.client.stats.retries > 0 or screen.status.state.error, "the fault really fired"
        if screen.status.state.error is None:
            assert_exactly_once(screen, server)
        else:  # stopped: a clear line, and what was loaded stays
            assert_clear_status(screen.status.state.error)
            assert len(screen.store) > 0
        # the fault goes away; r completes the list, exactly
        for name in knobs:
            setattr(server.faults, name, Faults.__dataclass_fields__[name].default)
        await pilot.press("r")
        await wait_for(lambda: not screen.busy and screen.status.state.error is None)
        assert_exactly_once(screen, server)
        assert_screen_clean(app, fault)
        assert not server.errors


STOPPING: dict[str, dict[str, Any]] = {
    "connection_resets": {"reset_every": 3},
    "truncated_json": {"truncate_every": 3, "truncate_mode": "json"},
    "html_200": {"html_every": 3},
    "429_beyond_budget": {"burst_429": 1000},
    "timeouts": {"slow_body": 0.6},
}


@pytest.mark.parametrize("fault", list(STOPPING))
async def test_load_that_cannot_finish_stops_clearly_and_r_completes(
    fault: str, make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    knobs = STOPPING[fault]
    server = serve(make_server, Faults(rate_limit=False, paths=("/api/inbox",)))
    server.faults.burst_429 = 0
    # no retries (and a short read timeout): the first failure ends the load
    app = make_app(server, FAULTS_KEY, page_size=10, max_retries=0, timeout=0.3)
    apps.append(app)
    for name, value in knobs.items():
        setattr(server.faults, name, value)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(lambda: app.main_screen is not None and app.main_screen.status.state.error is not None)
        screen = main_screen(app)
        await wait_for(lambda: not screen.busy)
        assert_clear_status(screen.status.state.error)
        kept = store_ids(screen)
        assert len(kept) < len(server.dataset)
        error = screen.status.state.error or ""
        # on screen (a long message is cut at the terminal's edge, its start shows)
        assert error[:40] in assert_screen_clean(app, fault)
        if kept:
            await keys_still_work(pilot, screen)
        for name in knobs:
            setattr(server.faults, name, Faults.__dataclass_fields__[name].default)
        # The fault is gone, and so is the reason for a 0.3 s timeout with no retry: on a
        # busy machine a healthy page can take longer, and the recovery then failed too.
        app.client._timeout = 15.0
        app.client._http.timeout = httpx.Timeout(15.0, connect=10.0)
        await pilot.press("r")
        await wait_for(lambda: not screen.busy and screen.status.state.error is None)
        assert_exactly_once(screen, server)
        assert set(kept) <= set(store_ids(screen)), "rows loaded before the failure are kept"


async def test_list_changing_mid_load_loses_and_doubles_nothing(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    """New activity while paging (pages shift under the client): nothing lost or doubled."""
    server = serve(make_server, Faults(rate_limit=False, latency=0.01), conversations=90)
    before = set(server.dataset.conversations.ids())
    server.faults.activity_every = 2
    server.faults.activity_count = 3
    app = make_app(server, FAULTS_KEY, page_size=10)
    apps.append(app)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await load_with_keys_working(pilot, app)
        assert screen.status.state.error is None
        ids = store_ids(screen)
        assert len(ids) == len(set(ids)), "a conversation shows twice"
        assert before <= set(ids), f"lost {len(before - set(ids))} conversations that existed before the load"
        assert len(server.dataset) > len(before), "conversations really arrived mid-load"
        # the list stops changing: a refresh gives exactly the server's list
        server.faults.activity_every = 0
        await pilot.press("r")
        await wait_for(lambda: not screen.busy)
        assert_exactly_once(screen, server)
        # newest activity first, as the server orders it
        assert store_ids(screen) == list(server.dataset.conversations.ids())

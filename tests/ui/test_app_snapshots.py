"""SVG snapshots of the main screens (pytest-textual-snapshot).

Deterministic: the demo data is generated from a fixed seed at a fixed reference
instant, the app's clock is pinned to that instant, and TZ=UTC (see ui_helpers).
Update with ``pytest tests/ui/test_app_snapshots.py --snapshot-update`` after checking
the new pictures by eye.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_helpers import loaded, main_screen, make_app, snapshot_server, wait_for

from lemlist_inbox.demo import DemoServer
from lemlist_inbox.ui.app import InboxApp

SnapCompare = Callable[..., bool]


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with snapshot_server() as running:
        yield running


def app_for(server: DemoServer) -> InboxApp:
    return make_app(server, page_size=100)


async def open_row(pilot: Pilot[Any], row: int) -> None:
    app = pilot.app
    assert isinstance(app, InboxApp)
    screen = await loaded(app)
    for _ in range(row):
        await pilot.press("j")
    await pilot.press("enter")
    conversation_id = screen.store.view_at(row).id
    await wait_for(lambda: screen.thread.current_conversation_id == conversation_id)
    await wait_for(lambda: screen.thread.state == "thread")
    await pilot.pause(0.2)


async def list_only(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, InboxApp)
    await loaded(app)
    await pilot.press("j", "j")
    await pilot.pause(0.4)  # the prefetch of the resting row finishes, nothing on screen changes


def test_wide_list_and_thread(snap_compare: SnapCompare, server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_row(pilot, 2)

    assert snap_compare(app_for(server), terminal_size=(160, 45), run_before=run_before)


def test_narrow_list(snap_compare: SnapCompare, server: DemoServer) -> None:
    assert snap_compare(app_for(server), terminal_size=(80, 24), run_before=list_only)


def test_narrow_thread(snap_compare: SnapCompare, server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_row(pilot, 2)

    assert snap_compare(app_for(server), terminal_size=(80, 24), run_before=run_before)


def test_help_screen(snap_compare: SnapCompare, server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, InboxApp)
        await loaded(app)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(app_for(server), terminal_size=(100, 40), run_before=run_before)


def test_filter_and_unread_only(snap_compare: SnapCompare, server: DemoServer) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, InboxApp)
        screen = await loaded(app)
        await pilot.press("u", "slash")
        screen.filter_input.cursor_blink = False
        await pilot.press("a")
        await wait_for(lambda: main_screen(app).store.query == "a")
        assert screen.store.unread_only
        await pilot.pause(0.4)

    assert snap_compare(app_for(server), terminal_size=(100, 30), run_before=run_before)


def test_hostile_names_at_80_columns(snap_compare: SnapCompare) -> None:
    """Markup, escapes, bidi overrides, 300-character names, emoji and CJK: the layout holds."""
    with snapshot_server(5, hostile=True) as hostile:
        assert snap_compare(app_for(hostile), terminal_size=(80, 24), run_before=list_only)


async def open_named(pilot: Pilot[Any], name: str) -> None:
    """Open the conversation with ``name`` (its thread painted, the newest message on top)."""
    app = pilot.app
    assert isinstance(app, InboxApp)
    screen = await loaded(app)
    index = next(i for i in range(screen.store.view_size) if screen.store.view_at(i).name == name)
    screen.conversation_list.move_to(index)
    await pilot.press("enter")
    thread = screen.thread
    await wait_for(lambda: thread.state == "thread" and thread.message_position[1] > 0)
    await pilot.pause(0.2)


def test_folded_thread(snap_compare: SnapCompare, server: DemoServer) -> None:
    """A 13-message thread from its top: the title, twelve folded lines, the newest message."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_named(pilot, "Hélène Béranger")
        await pilot.press("g")
        await pilot.pause(0.1)

    assert snap_compare(app_for(server), terminal_size=(80, 24), run_before=run_before)


def test_chat_thread(snap_compare: SnapCompare, server: DemoServer) -> None:
    """A WhatsApp thread, every message unfolded: one line of who and when, then the text."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await open_named(pilot, "Sergio")
        await pilot.press("Z")
        app = pilot.app
        assert isinstance(app, InboxApp)
        thread = main_screen(app).thread
        await wait_for(lambda: not thread.folded and not thread._layout.folded)
        await pilot.press("G")
        await pilot.pause(0.1)

    assert snap_compare(app_for(server), terminal_size=(160, 45), run_before=run_before)

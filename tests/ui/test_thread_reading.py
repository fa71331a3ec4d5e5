"""Reading a thread through the real app: landing on the newest message, folds, message
by message, the chat form, find in the thread, and ``m``, at 80x24 and 160x45.

Every check reads what the pane holds and, for what the issue promises on screen, what
the terminal shows (``pane_on_terminal``), against the demo stand-in over loopback.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot
from ui_helpers import ServerFactory, focused, loaded, make_app, wait_for

from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.thread.find_bar import FindBar
from lemlist_inbox.ui.thread.view import ThreadView

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
#: The demo's 15-message email thread and its WhatsApp-only one (13 messages).
LONG = "Niccolò Russo"
CHAT = "Sergio"


def pane_on_terminal(screen: MainScreen) -> list[str]:
    """The terminal's cells where the thread pane is, its header row included."""
    region = screen.thread.region
    strips = list(screen.app.screen._compositor.render_strips())
    return [strip.crop(region.x, region.right).text for strip in strips[region.y : region.bottom]]


async def open_named(pilot: Pilot[Any], screen: MainScreen, name: str) -> ThreadView:
    """Open the conversation with ``name`` from the list; wait until its thread is painted."""
    store = screen.store
    index = next(i for i in range(store.view_size) if store.view_at(i).name == name)
    screen.conversation_list.move_to(index)
    await pilot.press("enter")
    view = screen.thread
    await wait_for(lambda: view.state == "thread" and view.message_position[1] > 0)
    await pilot.pause()
    return view


async def settled(pilot: Pilot[Any], view: ThreadView) -> None:
    """The layout for the current folds and search is on screen."""
    await wait_for(lambda: view._layout.folded == view.folded and view._pending_layout_key is None)
    await pilot.pause()


def top_text(view: ThreadView) -> str:
    return view.render_line(0).text.rstrip()


async def start(
    make_server: ServerFactory, apps: list[InboxApp], **settings: Any
) -> tuple[InboxApp, DemoServer]:
    server = make_server(30)
    custom = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, **settings) if settings else None
    app = make_app(server, settings=custom)
    apps.append(app)
    return app, server


# --------------------------------------------------------------------------- landing


@pytest.mark.parametrize("size", SIZES)
async def test_a_15_message_thread_opens_with_its_newest_message_on_screen(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, LONG)
        assert view.message_position == (15, 15)
        layout = view._layout
        newest = layout.message_starts[-1]
        assert view.scroll_y == newest, "the newest message's first line is at the top of the pane"
        assert view.folded == frozenset(range(14))
        on_screen = pane_on_terminal(screen)
        assert "message 15 of 15" in on_screen[0]  # the pane's header
        assert LONG in on_screen[0]
        assert on_screen[1].strip() == layout.text().splitlines()[newest].strip()
        assert on_screen[1].strip().startswith(("→ Sent by us", "← Reply from contact"))
        # The older messages are one line each above it.
        await pilot.press("g")
        folded = [line for line in layout.text().splitlines() if line.startswith("▸ ")]
        assert len(folded) == 14
        assert all(" · " in line for line in folded)
        assert {line.split(" ")[2] for line in folded} <= {"us", "them", "manualTask"}


async def test_a_whatsapp_thread_reads_as_a_chat_without_subject_or_to_lines(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, CHAT)
        await pilot.press("Z")
        await settled(pilot, view)
        assert not view.folded
        lines = view.layout_text.splitlines()
        for label in ("Subject:", "To:", "From:", "Campaign:", "Date:"):
            assert not any(line.startswith(label) for line in lines), label
        heads = [lines[start] for start in view._layout.message_starts]
        assert len(heads) == 13
        assert all(head.startswith(("→ ", "← ")) and " · WhatsApp · " in head for head in heads)
        # What the terminal shows, too (the newest messages at the bottom of the view).
        await pilot.press("G")
        on_screen = "\n".join(pane_on_terminal(screen))
        assert "WhatsApp" in on_screen
        assert "Subject:" not in on_screen and "To:" not in on_screen


# --------------------------------------------------------------------------- message by message, folds


@pytest.mark.parametrize("size", SIZES)
async def test_braces_move_message_by_message_and_the_header_follows(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, LONG)
        starts = view._layout.message_starts
        await pilot.press("left_curly_bracket")
        assert view.message_position == (14, 15)
        assert view.scroll_y == starts[13]
        assert top_text(view).startswith("▸ "), "a folded message shows its one line at the top"
        await pilot.press("left_curly_bracket", "left_curly_bracket")
        assert view.message_position == (12, 15)
        await pilot.press("right_curly_bracket")
        assert view.message_position == (13, 15) and view.scroll_y == starts[12]
        assert "message 13 of 15" in pane_on_terminal(screen)[0]
        await pilot.press("g", "right_curly_bracket")
        assert view.message_position == (1, 15) and view.scroll_y == starts[0]
        # Past the newest, } stays there.
        await pilot.press("G", *["right_curly_bracket"] * 16)
        assert view.message_position == (15, 15) and view.scroll_y >= starts[14]
        # From inside a message, { goes back to its own first line first.
        await pilot.press("Z")
        await settled(pilot, view)
        starts = view._layout.message_starts
        view.scroll_to(y=starts[13] + 2, animate=False)
        await wait_for(lambda: view.scroll_y == starts[13] + 2)
        assert view.message_position == (14, 15)
        await pilot.press("left_curly_bracket")
        assert view.scroll_y == starts[13]
        await pilot.press("left_curly_bracket")
        assert view.scroll_y == starts[12] and view.message_position == (13, 15)


async def test_o_unfolds_and_folds_the_message_at_the_top_and_Z_all_of_them(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, LONG)
        await pilot.press("left_curly_bracket", "left_curly_bracket")  # message 13, folded
        assert 12 in view.folded
        await pilot.press("o")
        await settled(pilot, view)
        assert 12 not in view.folded and view.folded == frozenset(range(14)) - {12}
        assert view.message_position == (13, 15)
        assert view.scroll_y == view._layout.message_starts[12], "it stays at the top"
        assert top_text(view).startswith(("→ ", "← ", "• "))
        await pilot.press("j", "j", "o")  # from inside it: folded again, its line at the top
        await settled(pilot, view)
        assert 12 in view.folded
        assert view.scroll_y == view._layout.message_starts[12]
        assert top_text(view).startswith("▸ ")
        await pilot.press("Z")
        await settled(pilot, view)
        assert view.folded == frozenset()
        assert view.message_position == (13, 15), "the reading position stays"
        assert all(not line.startswith("▸ ") for line in view.layout_text.splitlines())
        await pilot.press("Z")
        await settled(pilot, view)
        assert view.folded == frozenset(range(15)) - {12}, "all but the one being read"
        assert view.message_position == (13, 15)


async def test_z_quotes_still_keep_the_line_at_the_top_with_folds(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, LONG)
        await pilot.press("j")
        before = top_text(view)
        await pilot.press("z")
        await wait_for(lambda: view.expanded and view._pending_layout_key is None)
        await pilot.pause()
        assert top_text(view) == before
        assert view.folded == frozenset(range(14))


# --------------------------------------------------------------------------- find in the thread


def find_bar(screen: MainScreen) -> FindBar:
    return screen.query_one("#find", FindBar)


@pytest.mark.parametrize("size", SIZES)
async def test_slash_finds_in_the_thread_n_and_N_step_and_esc_clears(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, LONG)
        await pilot.press("slash")
        assert focused(app) is find_bar(screen), "in the pane, / is find, not the list filter"
        assert not screen.filter_input.display
        await pilot.press(*"LEMLIST")  # case-insensitive
        await wait_for(lambda: view.find_text == "LEMLIST" and view.match_position[0] > 0)
        current, total = view.match_position
        assert total > 3
        assert f"match {current} of {total}" in pane_on_terminal(screen)[0]
        await pilot.press("enter")
        assert focused(app) is view and not find_bar(screen).display
        # n walks every match in order, wrapping, and unfolds a folded message holding one.
        seen = [view.match_position[0]]
        for _ in range(total):
            await pilot.press("n")
            await wait_for(lambda: view.match_position[0] not in (0, seen[-1]))
            await settled(pilot, view)
            seen.append(view.match_position[0])
            match = view._layout.matches[view.match_position[0] - 1]
            assert not match.folded and match.cells
            assert view.scroll_y <= match.line < view.scroll_y + view.scrollable_content_region.height
        assert sorted(seen[1:]) == list(range(1, total + 1))
        assert seen[-1] == seen[0]
        assert len(view.folded) < 14, "n unfolded the folded messages it went into"
        await pilot.press("N")
        await wait_for(lambda: view.match_position[0] == seen[-2])
        # The current match is painted apart from the others.
        match = view._layout.matches[view.match_position[0] - 1]
        line, left, right = match.cells[0]
        painted = view.render_line(line - round(view.scroll_y))
        reverse: set[int] = set()
        x = 0
        for segment in painted:
            width = cell_len(segment.text)
            if segment.style is not None and segment.style.reverse:
                reverse |= set(range(x, x + width))
            x += width
        assert reverse == set(range(left, right)), "the current match, and only it, in reverse"
        assert view._resolve_styles().match_current.reverse
        # Esc in the pane clears the search; the next Esc is "back to the list" again.
        await pilot.press("escape")
        await settled(pilot, view)
        assert view.find_text == "" and view.match_position == (0, 0)
        assert "match" not in pane_on_terminal(screen)[0]
        assert view._layout.matches == []


async def test_slash_in_the_list_stays_the_filter_and_esc_in_the_box_clears_the_find(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, _server = await start(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        view = await open_named(pilot, screen, LONG)
        await pilot.press("slash", *"zzzqqq")
        await wait_for(lambda: view.find_text == "zzzqqq")
        await settled(pilot, view)
        assert view.match_position == (0, 0)
        assert 'no match for "zzzqqq"' in pane_on_terminal(screen)[0]
        await pilot.press("escape")
        assert view.find_text == "" and focused(app) is view
        await pilot.press("n")  # nothing searched: it says how
        await wait_for(lambda: any("/ finds in the thread" in str(n.message) for n in app._notifications))
        await pilot.press("tab")  # back to the list
        assert focused(app) is screen.conversation_list
        await pilot.press("slash")
        assert focused(app) is screen.filter_input and not find_bar(screen).display


async def test_find_called_right_after_open_lands_on_the_match_in_that_message(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    """The full-text search's way in: open, then ``find`` before the thread has loaded."""
    app, server = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        entry = next(
            screen.store.view_at(i)
            for i in range(screen.store.view_size)
            if screen.store.view_at(i).name == LONG
        )
        contact_id = entry.thread_id
        assert contact_id is not None
        oldest = server.dataset.thread(contact_id)[-1]  # the API lists newest first
        word = "Niccolò"
        server.faults.latency = 0.2
        screen.open_conversation(entry.id)
        view = screen.thread
        assert view.state == "loading"
        view.find(word, message_id=oldest["_id"])
        server.faults.latency = 0.0
        await wait_for(lambda: view.match_position[0] > 0)
        await settled(pilot, view)
        match = view._layout.matches[view.match_position[0] - 1]
        assert match.message == 0 and 0 not in view.folded, "its message unfolded"
        assert view.scroll_y <= match.line < view.scroll_y + view.scrollable_content_region.height
        assert view.message_position[0] == 1


# --------------------------------------------------------------------------- m


def marks_of(server: DemoServer, contact_id: str) -> int:
    return sum(1 for r in server.requests(f"/api/inbox/{contact_id}") if r.query.get("markAsRead") == "true")


async def test_m_marks_the_open_conversation_read_when_opening_does_not(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, server = await start(make_server, apps, mark_read_on_open=False)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        store = screen.store
        entry = next(store.view_at(i) for i in range(store.view_size) if store.view_at(i).unread)
        other = next(
            store.view_at(i)
            for i in range(store.view_size)
            if store.view_at(i).unread and store.view_at(i) is not entry
        )
        contact_id = entry.thread_id
        assert contact_id is not None
        unread = store.unread_count
        screen.open_conversation(entry.id)
        view = screen.thread
        await wait_for(lambda: view.state == "thread" and view.message_position[1] > 0)
        await pilot.pause(0.1)
        assert entry.unread and marks_of(server, contact_id) == 0, "opening does not mark"
        await pilot.press("m")
        await wait_for(lambda: not entry.unread)
        assert marks_of(server, contact_id) == 1
        assert store.unread_count == unread - 1
        assert other.unread, "only the open conversation"
        await pilot.press("m")  # already read: nothing sent again
        await pilot.pause(0.1)
        assert marks_of(server, contact_id) == 1


async def test_m_is_harmless_when_opening_marks_read(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, server = await start(make_server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        store = screen.store
        entry = next(store.view_at(i) for i in range(store.view_size) if store.view_at(i).unread)
        contact_id = entry.thread_id
        assert contact_id is not None
        screen.open_conversation(entry.id)
        await wait_for(lambda: not entry.unread and marks_of(server, contact_id) == 1)
        await pilot.press("m")
        await pilot.pause(0.1)
        assert marks_of(server, contact_id) == 1
        assert any("already read" in str(n.message) for n in app._notifications)


async def test_slash_while_the_thread_loads_finds_once_it_shows(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app, server = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        store = screen.store
        index = next(i for i in range(store.view_size) if store.view_at(i).name == LONG)
        screen.conversation_list.move_to(index)
        server.faults.latency = 0.3
        await pilot.press("enter")
        view = screen.thread
        assert view.state == "loading"
        await pilot.press("slash", *"talk")
        assert focused(app) is find_bar(screen)
        server.faults.latency = 0.0
        await wait_for(lambda: view.match_position[0] > 0)
        await pilot.press("enter")
        assert focused(app) is view and view.find_text == "talk"
        # Focus leaving the box another way (Tab) hides it and keeps the search.
        await pilot.press("slash")
        assert find_bar(screen).display
        await pilot.press("tab")
        assert not find_bar(screen).display and view.find_text == "talk"

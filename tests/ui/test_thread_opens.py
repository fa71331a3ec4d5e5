"""Opening conversations one after another through the real app, at 80x24 and 160x45.

The pane must show the conversation just opened, whatever was on it before and
whether the pane was hidden (80 columns: one pane at a time) when it was opened; and
a conversation is marked read only once it was shown. Every check reads both what
the pane holds and what the terminal shows, and the marks are read from the stand-in's
request log, so a mark sent for the wrong conversation cannot hide.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from ui_helpers import ServerFactory, loaded, make_app, wait_for

from lemlist_inbox.demo import DemoServer, Faults
from lemlist_inbox.inbox.store import Entry
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
#: Enough latency that a request is still out when the next key arrives.
LATENCY = 0.05


def marked_contacts(server: DemoServer) -> list[str]:
    """Contact ids the stand-in was asked to mark read, in order."""
    return [
        record.path.rsplit("/", 1)[-1]
        for record in server.requests("/api/inbox/")
        if record.query.get("markAsRead") == "true"
    ]


def contact(entry: Entry) -> str:
    contact_id = entry.thread_id
    assert contact_id is not None
    return contact_id


def title_of(entry: Entry) -> str:
    """The first words of the pane's title line for this conversation."""
    person = entry.conversation.contact
    assert person is not None
    return person.display_name


def pane_on_terminal(screen: MainScreen) -> list[str]:
    """The terminal's cells where the thread pane is, line by line (what the user sees there)."""
    region = screen.thread.scrollable_content_region
    strips = list(screen.app.screen._compositor.render_strips())
    return [strip.crop(region.x, region.right).text for strip in strips[region.y : region.bottom]]


async def shows(screen: MainScreen, entry: Entry) -> None:
    """Wait until the pane shows ``entry``'s thread, then check it is on the terminal too."""
    thread = screen.thread

    def on_pane() -> bool:
        lines = thread.layout_text.splitlines()
        return thread.state == "thread" and bool(lines) and lines[0].startswith(title_of(entry))

    await wait_for(on_pane)
    assert thread.current_conversation_id == entry.id

    # Painted on the terminal, not only held: the pane is visible and shows those lines.
    def painted() -> bool:
        seen = pane_on_terminal(screen)
        held = thread.layout_text.splitlines()[round(thread.scroll_y) :]
        held = (held + [""] * 5)[:5]
        return bool(seen) and [line.rstrip() for line in seen[:5]] == [line.rstrip() for line in held]

    await wait_for(painted)
    if screen.narrow:
        assert screen.has_class("-reading") and not screen.conversation_list.display


async def marks_settle(screen: MainScreen, server: DemoServer, expected: set[str]) -> None:
    """Wait until the marks expected landed and no mark is left in the queue."""
    await wait_for(lambda: set(marked_contacts(server)) >= expected and screen.thread.pending_marks == 0)
    assert set(marked_contacts(server)) == expected


async def prefetched(pilot: Pilot[Any], screen: MainScreen, entry: Entry) -> None:
    """The cursor rests on ``entry`` until its thread is prefetched (the cached path)."""
    await wait_for(lambda: entry.id in screen.thread._cache)


@pytest.mark.parametrize("size", SIZES)
async def test_the_pane_shows_the_conversation_just_opened_and_marks_only_it(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    server = make_server(30, faults=Faults(rate_limit=False, latency=LATENCY))
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        rows = [screen.store.view_at(i) for i in range(8)]
        unread = {contact(entry) for entry in rows if entry.unread}
        # What the sequence below relies on in the demo data.
        assert [entry.unread for entry in rows[:6]] == [False, True, False, True, True, False]
        expected: set[str] = set()

        def shown(entry: Entry) -> None:
            if contact(entry) in unread:
                expected.add(contact(entry))

        # Enter opens the first row.
        await pilot.press("enter")
        await shows(screen, rows[0])
        shown(rows[0])
        # Back, down, wait for the prefetch, Enter: shown from the cache.
        await pilot.press("escape", "j")
        await prefetched(pilot, screen, rows[1])
        await pilot.press("enter")
        await shows(screen, rows[1])
        shown(rows[1])
        await marks_settle(screen, server, expected)
        # Back, down, Enter at once: fetched while the pane shows "loading".
        await pilot.press("escape", "j", "enter")
        await shows(screen, rows[2])
        shown(rows[2])
        # J and K from the thread.
        await pilot.press("J")
        await shows(screen, rows[3])
        shown(rows[3])
        await pilot.press("K")
        await shows(screen, rows[2])
        await marks_settle(screen, server, expected)
        # J J J quickly while the server is slow: rows 3 (cached) and 4 (still loading) are
        # passed over; row 4 was never on screen and must stay unread.
        server.faults.latency = 2.0
        await pilot.press("J", "J", "J")
        server.faults.latency = LATENCY
        await shows(screen, rows[5])
        shown(rows[5])
        await marks_settle(screen, server, expected)
        assert contact(rows[4]) not in marked_contacts(server)
        skipped = screen.store.get(rows[4].id)
        assert skipped is not None and skipped.unread, "a conversation never shown stays unread"
        # Back to it: shown now, and marked now.
        await pilot.press("escape", "k", "enter")
        await shows(screen, rows[4])
        shown(rows[4])
        await marks_settle(screen, server, expected)
        # Every mark was sent once.
        marks = marked_contacts(server)
        assert len(marks) == len(set(marks)), marks


@pytest.mark.parametrize("size", SIZES)
async def test_space_b_J_K_work_in_the_thread_and_space_from_the_list_shows_it(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    server = make_server(30, faults=Faults(rate_limit=False, latency=LATENCY))
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        thread = screen.thread
        rows = [screen.store.view_at(i) for i in range(6)]
        screen.conversation_list.move_to(4)  # a long thread (11 messages)
        await pilot.press("enter")
        await shows(screen, rows[4])
        # It lands on its newest message; every message unfolded and from the top, it pages.
        assert thread.message_position == (11, 11)
        await pilot.press("Z")
        await wait_for(lambda: not thread.folded and not thread._layout.folded)
        await pilot.press("g")
        page = thread.scrollable_content_region.height
        await pilot.press("space")
        assert thread.scroll_y == page
        await pilot.press("space", "b")
        assert thread.scroll_y == page
        # Back in the list, space on the conversation open: the thread, where it was,
        # then the next page (one pane at a time: first it shows the pane again).
        await pilot.press("escape")
        await pilot.press("space")
        await shows(screen, rows[4])
        if screen.narrow:
            assert thread.scroll_y == page, "shown where the reading stopped"
            await pilot.press("space")
        assert thread.scroll_y == 2 * page
        # J and K from the thread open the neighbours, each on its newest message.
        await pilot.press("J")
        await shows(screen, rows[5])
        assert thread.scroll_y == thread._layout.message_starts[-1]
        assert thread.message_position[0] == thread.message_position[1]
        await pilot.press("K", "K")
        await shows(screen, rows[3])
        assert screen.conversation_list.cursor == 3


def message_count(screen: MainScreen) -> int:
    """The count in the pane's title line ("Name <email>  3 messages")."""
    title = screen.thread.layout_text.splitlines()[0]
    return int(title.rsplit("  ", 1)[1].split()[0])


async def bump(pilot: Pilot[Any], screen: MainScreen, server: DemoServer, expected: str) -> Entry:
    """A reply arrives in ``expected`` (the stand-in's next bump) and ``r`` shows it."""
    assert server.add_activity(1, new=0) == [expected]
    await pilot.press("r")
    await wait_for(lambda: not screen.busy and screen.store.view_at(0).id == expected)
    return screen.store.view_at(0)


async def open_index(pilot: Pilot[Any], screen: MainScreen, entry_id: str) -> int:
    index = next(i for i in range(screen.store.view_size) if screen.store.view_at(i).id == entry_id)
    screen.conversation_list.move_to(index)
    await pilot.press("enter")
    await shows(screen, screen.store.view_at(index))
    return message_count(screen)


@pytest.mark.parametrize("size", SIZES)
async def test_a_conversation_with_new_activity_shows_its_new_messages(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    """Seen once, then a reply arrives (``r`` brings it): opening it again shows the reply,
    whether it is still the conversation on the pane or its new version was prefetched
    (at 80 columns while the pane was hidden, so without being wrapped)."""
    twin = make_server(30)
    first, second = twin.add_activity(1, new=0)[0], twin.add_activity(1, new=0)[0]
    server = make_server(30, faults=Faults(rate_limit=False, latency=LATENCY))
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        count_second = await open_index(pilot, screen, second)
        await pilot.press("escape")
        count_first = await open_index(pilot, screen, first)  # on the pane from now on
        await pilot.press("escape")
        # A reply to the conversation on the pane: Enter on it shows the reply.
        entry = await bump(pilot, screen, server, first)
        screen.conversation_list.move_to(0)
        await pilot.press("enter")
        await shows(screen, entry)
        await wait_for(lambda: message_count(screen) == count_first + 1)
        await pilot.press("escape")
        # A reply to one seen before: prefetched in its new version, then opened.
        entry = await bump(pilot, screen, server, second)
        stamp = entry.last_activity_at
        screen.conversation_list.move_to(1)
        screen.conversation_list.move_to(0)

        def prefetched_new() -> bool:
            cached = screen.thread._cache.get(entry.id, stamp, check_stamp=False)
            return cached is not None and cached.stamp == stamp

        await wait_for(prefetched_new)
        await pilot.press("enter")
        await shows(screen, entry)
        assert message_count(screen) == count_second + 1

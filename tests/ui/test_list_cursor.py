"""Where the cursor goes when `u` or `/` change what the list shows, in the real app.

The rule: it stays on its conversation while that is shown; otherwise it goes to the
nearest one shown in list order (the next shown below it, else the last shown above);
a new filter query starts at its first match; leaving `u` keeps the conversation the
cursor is on, or goes back to where it was if it never moved (`u u` changes nothing);
and the cursor is always on screen.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.pilot import Pilot
from ui_helpers import ServerFactory, fixed_clock, loaded, make_app, wait_for

from lemlist_inbox.api.models import Conversation
from lemlist_inbox.inbox.store import ConversationStore
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.widgets.conversation_list import ConversationList

CONVERSATIONS = 60


def order(screen: MainScreen) -> list[str]:
    store = screen.store
    return [store.view_at(i).id for i in range(store.view_size)]


def nearest(full: list[str], shown: set[str], index: int) -> str | None:
    """The expected cursor: ``full[index]`` if shown, else the next shown, else the previous."""
    for candidate in full[index:]:
        if candidate in shown:
            return candidate
    for candidate in reversed(full[:index]):
        if candidate in shown:
            return candidate
    return None


def unread_ids(screen: MainScreen) -> set[str]:
    return {i for i in order(screen) if screen.store.get(i).unread}  # type: ignore[union-attr]


def assert_cursor_on_screen(screen: MainScreen) -> None:
    listing = screen.conversation_list
    top, height, size = (
        listing.scroll_offset.y,
        listing.scrollable_content_region.height,
        screen.store.view_size,
    )
    assert top <= listing.cursor < top + height, (top, listing.cursor, height)
    assert top <= max(size - height, 0), f"scrolled past the last row: top {top}, {size} rows"
    if size:
        assert listing.cursor_id == screen.store.view_at(listing.cursor).id


async def start(make_server: ServerFactory, apps: list[InboxApp]) -> InboxApp:
    app = make_app(make_server(CONVERSATIONS), page_size=100)
    apps.append(app)
    return app


async def go_to(pilot: Pilot[Any], screen: MainScreen, index: int) -> None:
    """Move the cursor to a row with the keys (g, then j)."""
    await pilot.press("g", *["j"] * index)
    await wait_for(lambda: screen.conversation_list.cursor == index)


async def test_u_on_a_read_row_goes_to_the_nearest_unread_below_it(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        full, unread = order(screen), unread_ids(screen)
        # a read row with an unread one somewhere below, not right below
        row = next(i for i in range(3, len(full) - 2) if full[i] not in unread and full[i + 1] not in unread)
        await go_to(pilot, screen, row)
        await pilot.press("u")
        expected = nearest(full, unread, row)
        assert expected is not None
        assert screen.conversation_list.cursor_id == expected
        assert_cursor_on_screen(screen)


async def test_u_at_row_25_stays_near_row_25_and_on_screen(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        full, unread = order(screen), unread_ids(screen)
        await go_to(pilot, screen, 25)
        await pilot.press("u")
        assert screen.conversation_list.cursor_id == nearest(full, unread, 25)
        assert_cursor_on_screen(screen)
        # and from the bottom of the list: the last unread, with the rows filling the screen
        await pilot.press("u", "G", "u")
        assert screen.conversation_list.cursor_id == nearest(full, unread, len(full) - 1)
        assert_cursor_on_screen(screen)


async def test_u_twice_returns_to_the_same_conversation(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        full, unread = order(screen), unread_ids(screen)
        row = next(i for i in range(5, len(full)) if full[i] not in unread)
        await go_to(pilot, screen, row)
        top = screen.conversation_list.scroll_offset.y
        await pilot.press("u", "u")
        assert screen.conversation_list.cursor_id == full[row]
        assert screen.conversation_list.cursor == row
        assert screen.conversation_list.scroll_offset.y == top
        # moved while unread-only: leaving it keeps the conversation moved to
        await pilot.press("u", "j")
        moved_to = screen.conversation_list.cursor_id
        assert moved_to in unread
        await pilot.press("u")
        assert screen.conversation_list.cursor_id == moved_to
        assert_cursor_on_screen(screen)
        # opened the conversation it landed on, without moving: leaving keeps that one
        await go_to(pilot, screen, row)
        await pilot.press("u")
        landed = screen.conversation_list.cursor_id
        await pilot.press("enter")
        await wait_for(lambda: screen.thread.current_conversation_id == landed)
        await pilot.press("escape", "u")
        assert screen.conversation_list.cursor_id == landed
        assert_cursor_on_screen(screen)


async def test_slash_query_starts_at_the_top(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        full = order(screen)
        # a row that the query matches, below other matches
        row = next(i for i in range(8, len(full)) if "@" in screen.store.view_at(i).search)
        await go_to(pilot, screen, row)
        await pilot.press("slash", "@")
        await wait_for(lambda: screen.store.query == "@")
        listing = screen.conversation_list
        assert listing.cursor == 0 and listing.cursor_id == screen.store.view_at(0).id
        assert listing.scroll_offset.y == 0
        # moved within the matches, then the query changes again: its first match
        await pilot.press("enter", "j", "j", "slash", "e")
        await wait_for(lambda: screen.store.query == "@e")
        assert listing.cursor == 0 and listing.cursor_id == screen.store.view_at(0).id


async def test_clearing_the_filter_keeps_the_conversation(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = await start(make_server, apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        full = order(screen)
        listing = screen.conversation_list
        # found by the filter, then the filter cleared: still on it, at its place in the list
        target = screen.store.view_at(30)
        await pilot.press("slash", *target.email)
        await wait_for(lambda: screen.store.query == target.email.casefold())
        assert listing.cursor_id == target.id
        await pilot.press("enter", "escape")
        await wait_for(lambda: screen.store.query == "")
        assert listing.cursor_id == target.id and listing.cursor == 30
        assert_cursor_on_screen(screen)
        # a query that ends up matching nothing, cancelled (Esc in the box): back on the
        # conversation the cursor was on before `/`, as after an incremental search in vim
        await go_to(pilot, screen, 12)
        top = listing.scroll_offset.y
        await pilot.press("slash", "z", "z", "q", "x")
        await wait_for(lambda: screen.store.query == "zzqx" and screen.store.view_size == 0)
        await pilot.press("escape")
        await wait_for(lambda: screen.store.query == "")
        assert listing.cursor_id == full[12] and listing.scroll_offset.y == top
        assert_cursor_on_screen(screen)
        # the same when the query matched (the cursor went to its first match)
        await pilot.press("slash", "@")
        await wait_for(lambda: screen.store.query == "@")
        await pilot.press("escape")
        await wait_for(lambda: screen.store.query == "")
        assert listing.cursor_id == full[12]


def conv(n: int, unread: bool) -> Conversation:
    return Conversation.model_validate(
        {
            "_id": f"ibx_{n}",
            "contactId": f"ctc_{n}",
            "lastActivityAt": f"2024-12-17T09:{59 - n:02d}:00Z",
            "users": [{"userId": "me", "read": not unread}],
            "contact": {"fullName": f"Person {n}", "email": f"p{n}@example.com"},
        }
    )


class ListApp(App[None]):
    """Just the list over a hand-made store, recording every Highlighted message."""

    def __init__(self, store: ConversationStore) -> None:
        super().__init__()
        self.store = store
        self.highlighted: list[str | None] = []

    def compose(self) -> ComposeResult:
        yield ConversationList(self.store, clock=fixed_clock, id="list")

    def on_mount(self) -> None:
        self.query_one(ConversationList).sync()

    def on_conversation_list_highlighted(self, event: ConversationList.Highlighted) -> None:
        self.highlighted.append(event.conversation_id)


async def test_highlighted_fires_once_for_each_conversation_the_cursor_lands_on() -> None:
    store = ConversationStore("me")
    store.merge([conv(n, unread=n % 3 == 0) for n in range(20)])
    app = ListApp(store)
    async with app.run_test(size=(80, 10)) as pilot:
        listing = app.query_one(ConversationList)
        expected: list[str | None] = []

        async def step(action: Any) -> None:
            before = listing.cursor_id
            action()
            await pilot.pause()
            if listing.cursor_id != before:
                expected.append(listing.cursor_id)

        await wait_for(lambda: listing.cursor_id == "ibx_0")
        expected.append("ibx_0")

        def show(top: bool = False, back: tuple[str | None, int] | None = None, **change: Any) -> None:
            store.set_filter(**change)
            listing.sync(top=top, back=back)

        await step(lambda: listing.move_to(4))
        await step(lambda: show(unread_only=True))
        await step(lambda: show(top=True, query="nobody"))
        await step(lambda: show(query=""))
        await step(lambda: show(back=("ibx_4", 0), unread_only=False))
        await step(lambda: listing.move_to(4))
        await pilot.pause()
        assert app.highlighted == expected
        assert None in expected and expected[-1] == "ibx_4"

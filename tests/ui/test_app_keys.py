"""Every key of the inbox, driven through the real app against the demo server."""

from __future__ import annotations

from textual.command import CommandPalette
from ui_helpers import ServerFactory, focused, loaded, make_app, screen_text, wait_for

from lemlist_inbox.demo import DemoServer
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.help import HelpScreen
from lemlist_inbox.ui.screens.user_picker import UserPicker
from lemlist_inbox.ui.thread.view import ThreadView


def new_app(server: DemoServer, apps: list[InboxApp], **kw: object) -> InboxApp:
    app = make_app(server, **kw)  # type: ignore[arg-type]
    apps.append(app)
    return app


async def test_j_k_and_arrows_move_the_cursor(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        listing = screen.conversation_list
        assert listing.cursor == 0 and listing.cursor_id == screen.store.view_at(0).id
        await pilot.press("j", "j", "down")
        assert listing.cursor == 3
        await pilot.press("k", "up")
        assert listing.cursor == 1
        assert listing.cursor_id == screen.store.view_at(1).id
        await pilot.press("k", "k", "k")
        assert listing.cursor == 0


async def test_g_G_home_end_pageup_pagedown(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(60), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        listing = screen.conversation_list
        last = screen.store.view_size - 1
        await pilot.press("G")
        assert listing.cursor == last
        await pilot.press("g")
        assert listing.cursor == 0
        await pilot.press("end")
        assert listing.cursor == last
        await pilot.press("home")
        assert listing.cursor == 0
        await pilot.press("pagedown")
        page = listing.cursor
        assert page >= 10
        await pilot.press("pagedown")
        assert listing.cursor > page
        await pilot.press("pageup", "pageup")
        assert listing.cursor == 0
        await pilot.press("G")
        await pilot.pause()
        assert listing.scroll_offset.y > 0  # the cursor row is scrolled into view


async def test_enter_and_l_open_the_thread(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "enter")
        second = screen.store.view_at(1).id
        assert screen.thread.current_conversation_id == second
        assert focused(app) is screen.thread
        await pilot.press("escape", "j", "l")
        assert screen.thread.current_conversation_id == screen.store.view_at(2).id
        assert focused(app) is screen.thread


async def test_click_opens_a_row(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.click("#list", offset=(5, 3))
        assert screen.conversation_list.cursor == 3
        assert screen.thread.current_conversation_id == screen.store.view_at(3).id


async def test_tab_switches_pane_and_esc_h_go_back(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("tab")
        assert focused(app) is screen.conversation_list  # nothing open yet: stays
        await pilot.press("enter")
        assert focused(app) is screen.thread
        await pilot.press("tab")
        assert focused(app) is screen.conversation_list
        await pilot.press("tab")
        assert focused(app) is screen.thread
        await pilot.press("escape")
        assert focused(app) is screen.conversation_list
        await pilot.press("tab", "h")
        assert focused(app) is screen.conversation_list


async def test_J_K_brackets_open_next_and_previous(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        ids = [screen.store.view_at(i).id for i in range(4)]
        await pilot.press("enter", "J")
        assert screen.thread.current_conversation_id == ids[1]
        assert focused(app) is screen.thread
        await pilot.press("right_square_bracket")
        assert screen.thread.current_conversation_id == ids[2]
        await pilot.press("K")
        assert screen.thread.current_conversation_id == ids[1]
        await pilot.press("left_square_bracket")
        assert screen.thread.current_conversation_id == ids[0]
        assert screen.conversation_list.cursor == 0


async def test_space_opens_then_pages(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("space")
        assert screen.thread.current_conversation_id == screen.store.view_at(0).id
        assert focused(app) is screen.conversation_list
        await pilot.press("space")  # already open: pages the thread, no error
        assert screen.thread.current_conversation_id == screen.store.view_at(0).id


async def test_slash_filters_enter_keeps_esc_clears(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        total = screen.store.view_size
        target = screen.store.view_at(5)
        needle = target.email[:6]
        await pilot.press("slash")
        assert focused(app) is screen.filter_input
        await pilot.press(*needle)
        assert 0 < screen.store.view_size < total
        assert all(needle.casefold() in screen.store.view_at(i).search for i in range(screen.store.view_size))
        assert "shown" in screen_text(app)
        await pilot.press("enter")
        assert focused(app) is screen.conversation_list
        assert screen.store.query == needle.casefold()
        assert not screen.filter_input.display
        await pilot.press("slash", "escape")
        assert screen.store.query == "" and screen.store.view_size == total
        assert focused(app) is screen.conversation_list


async def test_u_toggles_unread_only(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        total, unread = screen.store.view_size, screen.store.unread_count
        assert 0 < unread < total
        await pilot.press("u")
        assert screen.store.view_size == unread
        assert all(screen.store.view_at(i).unread for i in range(unread))
        assert "unread only" in screen_text(app)
        await pilot.press("u")
        assert screen.store.view_size == total


async def test_r_refresh_merges_new_activity_and_keeps_cursor(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server()
    app = new_app(server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "j", "j")
        before = len(screen.store)
        held = screen.conversation_list.cursor_id
        bumped = server.add_activity(3, new=2)
        await pilot.press("r")
        await wait_for(lambda: all(i in screen.store for i in bumped) and not screen.busy)
        assert screen.conversation_list.cursor_id == held
        assert [screen.store.view_at(i).id for i in range(3)] == bumped
        assert len(screen.store) == before + 2


async def test_y_copies_the_contact_email(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "y")
        assert app.clipboard == screen.store.view_at(1).email
        assert "@" in app.clipboard


async def test_U_switches_viewing_user(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    server = make_server()
    app = new_app(server, apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("U")
        await wait_for(lambda: isinstance(app.screen, UserPicker))
        await pilot.pause()
        await pilot.press("j", "enter")
        second = str(server.dataset.users[1]["userId"])
        await wait_for(lambda: screen.user_id == second and not screen.busy and len(screen.store) > 0)
        assert screen.store.user_id == second
        name = str(server.dataset.users[1]["name"])
        await wait_for(lambda: name in screen_text(app))


async def test_ctrl_p_opens_the_command_palette(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"unread only")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(lambda: screen.store.unread_only)


async def test_question_mark_shows_help(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        # The table is taller than the screen: read it page by page, as a user scrolls it.
        box = app.screen.query_one("#help-box")
        seen = screen_text(app)
        for _page in range(20):
            if box.scroll_y >= box.max_scroll_y:
                break
            box.scroll_page_down(animate=False)
            await pilot.pause()
            seen += screen_text(app)
        for key in ("j / k", "space", "ctrl+p", "OSC 52", "unread only"):
            assert key in seen
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits_and_returns_unsent_marks(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(app)
        await pilot.press("q")
        await wait_for(lambda: app.return_value is not None)
    assert app.return_value == []


async def test_quit_reports_marks_that_could_not_be_sent(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server()
    app = new_app(server, apps, max_retries=0)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        index = next(i for i in range(screen.store.view_size) if screen.store.view_at(i).unread)
        screen.conversation_list.move_to(index)
        # Prefetched, so it shows offline: a mark is owed only for a thread on screen.
        await wait_for(lambda: screen.store.view_at(index).id in screen.thread._cache)
        server.stop()
        await pilot.press("enter")
        await wait_for(lambda: screen.thread.pending_marks == 1)
        await pilot.press("q")
        await wait_for(lambda: app.return_value is not None, timeout=15)
    assert app.return_value is not None and len(app.return_value) == 1


async def test_every_help_key_is_bound(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    """The help table names real keys: each one is bound on the list, thread or screen."""
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)):
        screen = await loaded(app)
        bound: set[str] = set()
        for node in (screen, screen.conversation_list, screen.thread, app):
            for key in node._bindings.key_to_bindings:
                bound.add(key)
        for key in (
            "j",
            "k",
            "g",
            "G",
            "pagedown",
            "pageup",
            "enter",
            "l",
            "space",
            "slash",
            "u",
            "r",
            "z",
            "J",
            "K",
            "right_square_bracket",
            "left_square_bracket",
            "escape",
            "h",
            "tab",
            "y",
            "U",
            "s",
            "question_mark",
            "q",
            "home",
            "end",
            "down",
            "up",
            "right_curly_bracket",
            "left_curly_bracket",
            "o",
            "Z",
            "n",
            "N",
            "m",
        ):
            assert key in bound, key
        assert isinstance(screen.thread, ThreadView)


async def test_slash_and_query_typed_in_one_burst(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    """Keys that arrive together (a fast typist, a slow SSH link) all land in the filter box."""
    from textual import events

    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        for key, char in (("slash", "/"), ("h", "h"), ("u", "u"), ("g", "g"), ("o", "o")):
            app.post_message(events.Key(key, char))
        await wait_for(lambda: screen.store.query == "hugo")
        assert not screen.store.unread_only
        await pilot.press("enter")
        assert screen.store.query == "hugo"


async def test_key_bar_shows_the_focused_panes_keys_and_clicks_run_them(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        await pilot.pause()
        bar = screen.query_one("#keys")
        listing_keys = bar.render_line(0).text
        assert "Open" in listing_keys and "Unread" in listing_keys and "Quit" in listing_keys
        assert "Quotes" not in listing_keys
        x = listing_keys.index("Unread")
        await pilot.click("#keys", offset=(x, 0))
        assert screen.store.unread_only
        await pilot.press("u", "enter")
        await pilot.pause()
        thread_keys = bar.render_line(0).text
        assert "Quotes" in thread_keys and "Next" in thread_keys and "Unread" not in thread_keys


async def test_key_bar_shows_esc_back_exactly_while_a_filter_is_kept(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    """The bindings are refreshed when a query appears or goes, not on every keystroke."""
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.pause()

        def painted_keys() -> str:  # what the compositor shows, not a fresh render_line
            return screen_text(app).splitlines()[-1]

        assert "Back" not in painted_keys()
        await pilot.press("slash", *"ab", "backspace", "enter")
        await pilot.pause()
        assert screen.store.query == "a" and focused(app) is screen.conversation_list
        assert "Back" in painted_keys()
        await pilot.press("escape")  # in the list: clears the filter, focus stays put
        await pilot.pause()
        assert screen.store.query == "" and focused(app) is screen.conversation_list
        assert "Back" not in painted_keys()

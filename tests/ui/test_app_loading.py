"""Background paging, refresh, marking read, errors and start-up, through the real app."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.pilot import Pilot
from ui_helpers import (
    ServerFactory,
    first_user,
    focused,
    loaded,
    main_screen,
    make_app,
    screen_text,
    wait_for,
)

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.user_picker import UserPicker


def marks(server: DemoServer, contact_id: str | None = None) -> int:
    """markAsRead requests the server saw (for one contact, or all)."""
    return sum(
        1
        for record in server.requests("/api/inbox/")
        if record.query.get("markAsRead") == "true"
        and (contact_id is None or record.path.endswith("/" + contact_id))
    )


async def test_rows_appear_while_loading_and_cursor_stays(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(80, faults=Faults(rate_limit=False, latency=0.25))
    app = make_app(server, page_size=10)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(lambda: app.main_screen is not None and app.main_screen.store.view_size > 0)
        screen = main_screen(app)
        assert screen.busy, "rows must be on screen before the load finished"
        status = screen.status.state
        assert status.loading and status.expected is not None and status.loaded < status.expected
        assert "loaded" in screen_text(app)
        await pilot.press("j", "j")
        held = screen.conversation_list.cursor_id
        await wait_for(lambda: not screen.busy, timeout=20)
        assert screen.conversation_list.cursor_id == held
        assert screen.conversation_list.cursor == 2
        assert len(screen.store) == len(server.dataset)
        assert f"{len(server.dataset)} conversations" in screen_text(app)


async def test_open_marks_read_exactly_once_and_prefetch_never(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server()
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        store = screen.store
        unread = [i for i in range(store.view_size) if store.view_at(i).unread]
        assert len(unread) >= 2
        # Rest the cursor on an unread row: prefetch fetches, never marks.
        first = store.view_at(unread[0])
        screen.conversation_list.move_to(unread[0])
        contact = first.conversation.thread_id
        assert contact is not None
        await wait_for(lambda: any(r.path.endswith("/" + contact) for r in server.requests("/api/inbox/")))
        await pilot.pause(0.2)
        assert marks(server) == 0
        assert store.view_at(unread[0]).unread
        unread_before = store.unread_count
        # Open it: one mark, the row updates at once.
        await pilot.press("enter")
        await wait_for(lambda: not first.unread)
        assert marks(server, contact) == 1
        assert store.unread_count == unread_before - 1
        # Open something else and come back: no second mark.
        await pilot.press("escape", "j", "enter")
        await pilot.press("escape", "k", "enter")
        await pilot.pause(0.3)
        assert marks(server, contact) == 1


async def test_mark_read_off_in_settings(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    server = make_server()
    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, mark_read_on_open=False)
    app = make_app(server, settings=settings)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        index = next(i for i in range(screen.store.view_size) if screen.store.view_at(i).unread)
        screen.conversation_list.move_to(index)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert marks(server) == 0
        assert screen.store.view_at(index).unread


async def test_error_mid_paging_keeps_rows_then_r_completes(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(60, faults=Faults(rate_limit=False, error_every=3))
    app = make_app(server, page_size=10, max_retries=0)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = main_screen(app) if app.main_screen else None
        await wait_for(lambda: app.main_screen is not None and app.main_screen.status.state.error is not None)
        screen = main_screen(app)
        await wait_for(lambda: not screen.busy)
        kept = len(screen.store)
        assert 0 < kept < len(server.dataset)
        text = screen_text(app)
        assert "press r to retry" in text
        await pilot.press("j")  # still usable
        held = screen.conversation_list.cursor_id
        server.faults.error_every = 0
        await pilot.press("r")
        await wait_for(lambda: not screen.busy and len(screen.store) == len(server.dataset))
        assert screen.status.state.error is None
        assert screen.conversation_list.cursor_id == held


async def test_auto_refresh_merges_first_page(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    server = make_server()
    app = make_app(server, refresh_interval=0.2)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await pilot.press("j", "j")
        held = screen.conversation_list.cursor_id
        before = len(screen.store)
        bumped = server.add_activity(3, new=1)
        await wait_for(lambda: all(i in screen.store for i in bumped))
        await wait_for(lambda: [screen.store.view_at(i).id for i in range(3)] == bumped)
        assert len(screen.store) == before + 1
        assert screen.conversation_list.cursor_id == held
        assert all(screen.store.view_at(i).unread for i in range(3))


async def test_narrow_layout_one_pane_at_a_time(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = make_app(make_server())
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await loaded(app)
        await pilot.pause()
        assert screen.narrow
        assert screen.conversation_list.region.width == 80
        assert not screen.thread.region
        await pilot.press("enter")
        await pilot.pause()
        assert not screen.conversation_list.region
        assert screen.thread.region.width == 80
        assert focused(app) is screen.thread
        await pilot.press("escape")
        await pilot.pause()
        assert screen.conversation_list.region.width == 80
        assert focused(app) is screen.conversation_list
        await pilot.press("tab")
        await pilot.pause()
        assert screen.thread.region.width == 80
        await pilot.press("h")
        await pilot.pause()
        assert screen.conversation_list.region.width == 80


async def test_wrong_key_is_reported_not_raised(make_server: ServerFactory) -> None:
    server = make_server()
    client = LemlistClient("wrong-key", base_url=server.base_url)
    settings = Settings(api_key="wrong-key", base_url=server.base_url, refresh_interval=0)
    app = InboxApp(client, settings, user_id=first_user(server), demo=False)
    async with client, app.run_test(size=(160, 45)):
        screen = main_screen(app)
        await wait_for(lambda: screen.status.state.error is not None)
        assert screen.status.state.error is not None
        assert screen.status.state.error.startswith("API key rejected")
        assert "wrong-key" not in screen_text(app)


async def test_startup_picker_remembers_choice(make_server: ServerFactory, tmp_path: Path) -> None:
    server = make_server()
    config = tmp_path / "config.toml"
    client = LemlistClient(DEMO_API_KEY, base_url=server.base_url)
    settings = Settings(
        api_key=DEMO_API_KEY, base_url=server.base_url, refresh_interval=0, config_path=config
    )
    app = InboxApp(client, settings, user_id=None, demo=False)
    async with client, app.run_test(size=(160, 45)) as pilot:
        await wait_for(lambda: isinstance(app.screen, UserPicker))
        await pilot.pause()
        await pilot.press("j", "j", "enter")
        third = str(server.dataset.users[2]["userId"])
        screen = main_screen(app)
        await wait_for(lambda: screen.user_id == third and len(screen.store) > 0)
    assert tomllib.loads(config.read_text())["user_id"] == third


async def test_startup_demo_does_not_write_config_and_single_user_is_picked(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(users=1)
    config = tmp_path / "config.toml"
    client = LemlistClient(DEMO_API_KEY, base_url=server.base_url)
    settings = Settings(
        api_key=DEMO_API_KEY, base_url=server.base_url, refresh_interval=0, config_path=config
    )
    app = InboxApp(client, settings, user_id=None, demo=True)
    async with client, app.run_test(size=(160, 45)):
        screen = main_screen(app)
        await wait_for(lambda: screen.user_id == first_user(server) and len(screen.store) > 0)
        assert not isinstance(app.screen, UserPicker)
        name = str(server.dataset.users[0]["name"])
        await wait_for(lambda: f"{name}'s inbox" in screen_text(app))
        assert "demo" in screen_text(app).splitlines()[0]
    assert not config.exists()


async def test_malformed_items_are_counted_in_the_status(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(40, faults=Faults(rate_limit=False, malformed_every=7))
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(160, 45)):
        screen = await loaded(app)
        assert screen.status.state.skipped > 0
        assert "malformed skipped" in screen_text(app)


def test_run_returns_unsent_marks(
    make_server: ServerFactory,
) -> None:
    """``run()`` returns the marks that could not be sent (the CLI prints them), never drops them."""
    server = make_server()
    app = make_app(server, max_retries=0)

    async def drive(pilot: Pilot[object]) -> None:
        screen = await loaded(app)
        index = next(i for i in range(screen.store.view_size) if screen.store.view_at(i).unread)
        screen.conversation_list.move_to(index)
        # Prefetched, so it shows offline: a mark is owed only for a thread on screen.
        await wait_for(lambda: screen.store.view_at(index).id in screen.thread._cache)
        server.stop()
        await screen.run_action("space")
        await wait_for(lambda: screen.thread.state != "loading")
        await app.run_action("quit")

    result = app.run(headless=True, size=(120, 30), auto_pilot=drive)
    assert result is not None and len(result) == 1
    assert app.unsent_marks == result


async def test_quit_while_loading_is_clean(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    server = make_server(200, faults=Faults(rate_limit=False, latency=0.2))
    app = make_app(server, page_size=10)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(lambda: app.main_screen is not None and app.main_screen.store.view_size > 0)
        assert main_screen(app).busy
        await pilot.press("q")
        await wait_for(lambda: app.return_value is not None)
    assert app.return_value == []


async def test_resize_keeps_the_focused_pane_and_light_theme_works(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server()
    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, theme="textual-light")
    app = make_app(server, settings=settings)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        assert app.theme == "textual-light"
        screen = await loaded(app)
        await pilot.press("enter")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.narrow and screen.thread.region.width == 80
        await pilot.resize_terminal(160, 45)
        await pilot.pause()
        assert not screen.narrow and screen.thread.region and screen.conversation_list.region


async def test_unexpected_exception_in_paging_keeps_rows_and_app(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    """A bug below the UI (an exception the api did not wrap) ends the load, not the app."""
    from lemlist_inbox.api.models import Conversation, Page

    server = make_server()
    app = make_app(server)
    apps.append(app)
    real = app.client.conversations_page

    async def broken(user_id: str, page: int, limit: int = 100) -> Page[Conversation]:
        if page > 1:
            raise RuntimeError("boom")
        return await real(user_id, page, limit)

    app.client.conversations_page = broken  # type: ignore[method-assign]
    async with app.run_test(size=(160, 45)) as pilot:
        screen = main_screen(app) if app.main_screen else None
        await wait_for(lambda: app.main_screen is not None and app.main_screen.status.state.error is not None)
        screen = main_screen(app)
        assert screen.status.state.error == "unexpected error: RuntimeError"
        assert len(screen.store) == 10
        await pilot.press("j", "enter")
        assert screen.thread.current_conversation_id == screen.store.view_at(1).id

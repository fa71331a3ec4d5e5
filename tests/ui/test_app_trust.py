"""App-level trust: the user picker, the palette, screenshots, copying, help glyphs."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import OptionList
from ui_helpers import ServerFactory, loaded, make_app, screen_text, wait_for

from lemlist_inbox.demo import DemoServer
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.user_picker import UserPicker


def new_app(server: DemoServer, apps: list[InboxApp], **kw: object) -> InboxApp:
    app = make_app(server, **kw)  # type: ignore[arg-type]
    apps.append(app)
    return app


async def test_user_picker_survives_two_users_with_the_same_id(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server()
    users = server.dataset.users
    first = dict(users[0])
    # The same id again (with a hostile name), and an id no Textual id could be.
    users.append({**first, "name": "[bold]Twin[/bold] \x1b]0;owned\x07"})
    users.append({**dict(users[1]), "userId": "usr 1.#[x]", "name": "[red]Odd[/red]"})
    app = new_app(server, apps, user_id=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(lambda: isinstance(app.screen, UserPicker))
        picker = app.screen
        assert isinstance(picker, UserPicker)
        options = picker.query_one("#picker-list", OptionList)
        await wait_for(lambda: options.option_count > 0)
        ids = [user.user_id for user in picker.shown]
        assert len(ids) == len(set(ids)) == len(users) - 1
        text = screen_text(app)
        assert "[red]Odd[/red]" in text
        assert "Twin" not in text  # the repeated id is shown once, as the first user
        options.highlighted = options.option_count - 1
        # Enter goes to the focused widget: wait for the list to have it (a loaded box may
        # paint the picker before its on_mount focus has run).
        await wait_for(lambda: options.has_focus and options.highlighted == options.option_count - 1)
        await pilot.press("enter")
        await wait_for(lambda: not isinstance(app.screen, UserPicker))
        assert app.main_screen is not None and app.main_screen.user_id == "usr 1.#[x]"


async def test_palette_lists_quit_once(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    app = new_app(make_server(), apps)
    async with app.run_test(size=(160, 45)) as pilot:
        await loaded(app)
        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"quit")
        palette = app.screen
        listed = palette.query_one("CommandList", OptionList)
        await wait_for(lambda: listed.option_count > 0)
        await pilot.pause(0.3)
        prompts = [listed.get_option_at_index(i).prompt for i in range(listed.option_count)]
        titles = [str(prompt).splitlines()[0] for prompt in prompts]
        assert sum(1 for title in titles if title.strip().lower() == "quit") == 1, titles


async def test_palette_screenshot_is_saved_in_a_fresh_home_and_says_where(
    make_server: ServerFactory, apps: list[InboxApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("XDG_DOWNLOAD_DIR", "XDG_PICTURES_DIR", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    app = new_app(make_server(), apps)
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(app)
        await pilot.press("ctrl+p")
        await wait_for(lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"screenshot")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(lambda: any(".svg" in str(n.message) for n in app._notifications))
        message = next(str(n.message) for n in app._notifications if ".svg" in str(n.message))
        saved = [p for p in home.rglob("*.svg")]
        assert len(saved) == 1, message
        assert str(saved[0]) in message
        assert app.settings.api_key is not None and app.settings.api_key not in saved[0].read_text()

"""``L`` (links) and ``A`` (attachments) against the hostile stand-in, over loopback HTTP.

The hostile ``lookalike_link`` case has a link whose text shows another address, a
``javascript:`` link and a mailto; ``bidi_override`` has attachments named ``../../../.bashrc``
and ``invoice<RLO>fdp.exe`` and one whose URL carries an escape. The environment decides
between browser and clipboard, so each test sets it (no display, a display, SSH).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.pilot import Pilot
from textual.widgets import Static
from ui_helpers import ServerFactory, loaded, make_app, screen_text, wait_for

from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, hostile
from lemlist_inbox.demo.files import DemoFile
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.attachment_picker import AttachmentPicker
from lemlist_inbox.ui.screens.link_picker import LinkPicker
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.screens.numbered_picker import NumberedPicker, jump_target

SIZE = (100, 40)
P = TypeVar("P", bound=NumberedPicker)


def messages(app: InboxApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def status(app: InboxApp) -> str:
    return str(app.screen.query_one(".numbered-picker--status", Static).render())


@pytest.fixture(autouse=True)
def no_display(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("sys.platform", "linux")


@pytest.fixture
def server(make_server: ServerFactory) -> DemoServer:
    return make_server(5, hostile=True)


def app_with(server: DemoServer, apps: list[InboxApp], folder: Path, max_mb: float = 50.0) -> InboxApp:
    """An app downloading into ``folder``, registered in ``apps`` so it is shut down after."""
    settings = Settings(
        api_key=DEMO_API_KEY, base_url=server.base_url, download_dir=folder, download_max_mb=max_mb
    )
    app = make_app(server, settings=settings)
    apps.append(app)
    return app


async def open_case(pilot: Pilot[Any], screen: MainScreen, case: str) -> None:
    conversation_id = hostile.conversation_id(case)
    assert screen.conversation_list.move_to_id(conversation_id)
    await pilot.press("enter")
    await wait_for(
        lambda: screen.thread.current_conversation_id == conversation_id and screen.thread.state == "thread"
    )


async def open_picker(pilot: Pilot[Any], key: str, kind: type[P]) -> P:
    """Press ``key`` and wait for the picker of ``kind`` to be the screen."""
    await pilot.press(key)
    await wait_for(lambda: isinstance(pilot.app.screen, kind))
    picker = pilot.app.screen
    assert isinstance(picker, kind)
    return picker


def test_local_display_rules() -> None:
    from lemlist_inbox.ui.opener import local_display

    assert local_display({"DISPLAY": ":0"}, "linux")
    assert local_display({"WAYLAND_DISPLAY": "wayland-0"}, "linux")
    assert not local_display({}, "linux")  # a headless server or a console
    assert local_display({}, "darwin") and local_display({}, "win32")
    for ssh in ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT"):
        assert not local_display({"DISPLAY": "localhost:10.0", ssh: "x"}, "linux")
        assert not local_display({ssh: "x"}, "darwin")


def test_digits_extend_a_number_only_when_it_exists() -> None:
    assert jump_target("", "1", 15) == "1"
    assert jump_target("1", "2", 15) == "12"
    assert jump_target("12", "3", 15) == "3"
    assert jump_target("1", "2", 9) == "2"
    assert jump_target("", "0", 9) == ""
    assert jump_target("", "7", 3) == ""


async def test_l_lists_links_digits_jump_y_copies_enter_copies_without_a_display(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "lookalike_link")
        picker = await open_picker(pilot, "L", LinkPicker)
        targets = [item.target for item in picker.items]
        assert targets[:3] == ["https://evil.example/login", "https://evil.example/2", "javascript:alert(1)"]
        text = screen_text(app)
        assert "Links (4 links)" in text
        assert "⚠ text shows paypal.com" in text and "⚠ text shows lemlist.com" in text
        assert "not followed from here" in text  # javascript:
        await pilot.press("3")
        assert picker.highlighted == 2
        await pilot.press("enter")  # javascript: is never opened
        assert isinstance(app.screen, LinkPicker) and "not followed" in status(app)
        await pilot.press("1", "y")
        assert app.clipboard == "https://evil.example/login"
        await pilot.press("2", "enter")
        await wait_for(lambda: not isinstance(app.screen, LinkPicker))
        assert app.clipboard == "https://evil.example/2"
        assert (
            messages(app)[-1]
            == "no local display: copied https://evil.example/2 (OSC 52: the terminal sets the clipboard)"
        )


async def test_enter_opens_in_the_browser_with_a_local_display(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("webbrowser.open", lambda url, new=0: opened.append(url) or True)
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "lookalike_link")
        await pilot.press("L", "enter")
        await wait_for(lambda: bool(opened) and bool(messages(app)))
        assert opened == ["https://evil.example/login"]
        assert messages(app)[-1] == "opened https://evil.example/login in the browser"
        assert app.clipboard == ""


async def test_over_ssh_it_copies_even_with_a_display(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setenv("DISPLAY", "localhost:10.0")  # X forwarding
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
    monkeypatch.setattr("webbrowser.open", lambda url, new=0: opened.append(url) or True)
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "lookalike_link")
        await pilot.press("L", "enter")
        await wait_for(lambda: bool(messages(app)))
        assert opened == [] and app.clipboard == "https://evil.example/login"
        assert messages(app)[-1].startswith("over SSH (no local browser): copied https://evil.example/login")


async def test_l_and_a_without_an_open_conversation_say_so(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(app)
        # The highlighted row's thread must not be at hand either: its prefetch hangs.
        server.faults.latency = 5.0
        await pilot.press("L")
        await pilot.press("A")
        await wait_for(lambda: len(messages(app)) == 2)
        assert messages(app) == [
            "open a conversation to see its links",
            "open a conversation to see its attachments",
        ]
        assert not isinstance(app.screen, LinkPicker | AttachmentPicker)
        server.faults.latency = 0.0


async def test_from_the_list_l_lists_the_highlighted_conversation_once_loaded(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "lookalike_link")
        await pilot.press("escape")  # back to the list
        await open_case(pilot, screen, "bidi_override")
        await pilot.press("escape")
        assert screen.conversation_list.move_to_id(hostile.conversation_id("lookalike_link"))
        await pilot.press("L")
        await wait_for(lambda: isinstance(app.screen, LinkPicker))
        assert (
            isinstance(app.screen, LinkPicker) and app.screen.items[0].target == "https://evil.example/login"
        )


async def test_a_downloads_a_dot_dot_name_inside_the_folder_only(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    folder = tmp_path / "Downloads"
    app = app_with(server, apps, folder)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "bidi_override")
        picker = await open_picker(pilot, "A", AttachmentPicker)
        text = screen_text(app)
        assert "../../../.bashrc" in text and "1.2 kB" in text and "text/plain" in text
        assert "invoicefdp.exe" in text  # the override is gone
        assert "\x1b" not in text and "52;c;" not in text
        await pilot.press("d")
        await wait_for(lambda: bool(picker.saved))
        assert picker.saved == [folder / "bashrc"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["Downloads"]  # nothing above the folder
        assert sorted(p.name for p in folder.iterdir()) == ["bashrc"]
        assert status(app) == f"saved {folder / 'bashrc'} (1.2 kB)"
        await pilot.press("2", "d")
        await wait_for(lambda: len(picker.saved) == 2)
        assert picker.saved[1] == folder / "invoicefdp.exe"
        await pilot.press("3", "d")  # its URL carries an escape: not followed
        assert "no URL to download it from" in status(app)
        await pilot.press("1", "d")  # again: never overwrites
        await wait_for(lambda: len(picker.saved) == 3)
        assert picker.saved[2] == folder / "bashrc (1)"


async def test_a_refuses_an_attachment_over_the_cap_before_asking(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    app = app_with(server, apps, tmp_path, max_mb=0.001)  # 1000 bytes; the .bashrc is 1200
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "bidi_override")
        await pilot.press("A", "d")
        await wait_for(lambda: "limit" in status(app))
        assert (
            status(app)
            == "../../../.bashrc is 1.2 kB, over the 0.001 MB limit (download_max_mb); not downloaded"
        )
        assert server.requests("/files/") == [] and list(tmp_path.iterdir()) == []


async def test_a_download_shows_progress_keeps_the_ui_live_and_esc_cancels(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    server.files.add(DemoFile("fil_hostile_dotdot", 5_000_000))  # bigger than it says, and slow
    server.files.chunk_delay = 0.05
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "bidi_override")
        await pilot.press("A", "d")
        await wait_for(lambda: "kB of" in status(app) or "MB of" in status(app))
        assert status(app).startswith("downloading ../../../.bashrc: ") and status(app).endswith(
            "Esc cancels"
        )
        picker = app.screen
        assert isinstance(picker, AttachmentPicker) and picker.downloading
        await pilot.press("j")  # the list still moves while it downloads
        assert picker.highlighted == 1
        await pilot.press("escape")
        await wait_for(lambda: not picker.downloading)
        assert status(app) == "download cancelled; nothing kept"
        assert isinstance(app.screen, AttachmentPicker)
        await wait_for(lambda: list(tmp_path.iterdir()) == [])
        await pilot.press("escape")
        await wait_for(lambda: not isinstance(app.screen, AttachmentPicker))


async def test_a_o_and_y_follow_the_url_like_a_link(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "bidi_override")
        await pilot.press("A", "y")
        url = f"http://127.0.0.1:{server.port}/files/fil_hostile_dotdot"
        assert app.clipboard == url
        assert status(app) == "copied the URL of ../../../.bashrc"
        await pilot.press("2", "o")
        await wait_for(lambda: app.clipboard.endswith("fil_hostile_bidi"))
        assert messages(app)[-1].startswith("no local display: copied http://127.0.0.1")
        await pilot.press("3", "y")
        assert "no URL to copy" in status(app)
        assert server.requests("/files/") == []  # listing, copying and opening fetch nothing


async def test_no_image_is_ever_fetched_tracking_pixels_included(
    server: DemoServer, make_server: ServerFactory, apps: list[InboxApp], tmp_path: Path
) -> None:
    """Images (a 1x1 tracking pixel, a logo, a CSS background) point at a second loopback
    server; opening the thread, the link and attachment pickers and following a link never
    make it see a request."""
    tracker = make_server(1)
    base = f"http://127.0.0.1:{tracker.port}"
    images = (
        f'<img src="{base}/track/open/usr_x/tsk_y" width="1" height="1" alt="logo">'
        f'<img src="{base}/logo.png" alt="Company logo"><div style="background:url({base}/bg.png)">x</div>'
        f'<p><a href="{base}/landing">site</a></p>'
    )
    contact = hostile.contact_id("lookalike_link")
    newest = server.dataset.thread(contact)[0]  # the served dicts themselves
    newest["message"] = str(newest["message"]) + images
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        await open_case(pilot, screen, "lookalike_link")
        assert "Company logo" in screen.thread.layout_text  # the alt text, never the image
        picker = await open_picker(pilot, "L", LinkPicker)
        assert [item.target for item in picker.items if item.target.startswith(base)] == [f"{base}/landing"]
        await pilot.press("escape")
        await app.workers.wait_for_complete()
    assert tracker.log == []


async def test_the_palette_opens_both_pickers(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    from textual.command import CommandPalette

    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        for case, query, title, kind in (
            ("bidi_override", "attachments", "Attachments of the thread", AttachmentPicker),
            ("lookalike_link", "links of", "Links of the thread", LinkPicker),
        ):
            await open_case(pilot, screen, case)
            await pilot.press("ctrl+p")
            await wait_for(lambda: isinstance(app.screen, CommandPalette))
            await pilot.press(*query)
            await wait_for(lambda t=title: t in screen_text(app))  # type: ignore[misc]
            await pilot.press("enter")
            await wait_for(lambda k=kind: isinstance(app.screen, k))  # type: ignore[misc]
            await pilot.press("escape")
            await wait_for(lambda: app.screen is screen)
            await pilot.press("escape")  # back to the list


async def test_l_while_the_thread_loads_says_so(
    server: DemoServer, apps: list[InboxApp], tmp_path: Path
) -> None:
    app = app_with(server, apps, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await loaded(app)
        server.faults.latency = 5.0  # the thread request hangs while L is pressed
        assert screen.conversation_list.move_to_id(hostile.conversation_id("lookalike_link"))
        await pilot.press("enter")
        await wait_for(lambda: screen.thread.state == "loading")
        await pilot.press("L")
        await wait_for(lambda: bool(messages(app)))
        assert messages(app)[-1] == "the thread is still loading; its links in a moment"
        server.faults.latency = 0.0

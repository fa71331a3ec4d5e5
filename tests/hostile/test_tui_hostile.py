"""Hostile content through the real TUI: the stand-in serves the 13 nasty cases
(``DemoServer(hostile=True)``), the real ``InboxApp`` shows them, and the terminal's
lines are checked as the compositor paints them.

For every case: its list row and its opened thread show the text literally (Rich
markup stays brackets; escapes, BEL, CR, C1 and bidi controls are gone, the letters
around them stay), no control character reaches any painted line, and every line of
the screen is exactly the terminal's width, at 160x45 and at 80x24. The 500-message
thread opens and pages; the empty thread says so. Snapshots pin the pictures.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from lemlist_inbox.demo import DemoServer, hostile
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from secret_keys import HOSTILE_KEY
from tui_harness import (
    CONTROL,
    ServerFactory,
    assert_screen_clean,
    loaded,
    make_app,
    run_loaded,
    screen_lines,
    wait_for,
)

WIDE, NARROW = (160, 45), (80, 24)

#: case -> (in its list row, in its thread, never in its thread). Literal text: what
#: the sender typed, minus the control characters only.
EXPECTED: dict[str, tuple[list[str], list[str], list[str]]] = {
    "rich_markup": (
        ["[bold red]Mallory[/bo"],
        [
            "[bold red]Mallory[/bold red] [link=https://evil.example]Support[/link]",
            "Subject: [blink]URGENT[/blink] [@click=app.quit]press[/]",
            "Hello [bold]friend[/bold], [reverse]this[/reverse] is [/] not markup.",
        ],
        [],
    ),
    "terminal_escapes": (
        ["EveAdmin", "eve@evil.example"],
        ["From:    EveAdmin <eve@evil.example>", "Subject: Invoice overdue", "Look: click me", "red and"],
        ["52;c;", "]8;;", "[2J", "[31m", "cm0gLXJm"],
    ),
    "carriage_return": (
        ["Totally Legit BankEVI"],
        ["Totally Legit BankEVIL CORP", "Please confirm your password"],
        [],
    ),
    "bidi_override": (
        ["Ann fdp.exe", "annmoc.evil@example.com"],
        ["Subject: Document txt.exe", "Open the file gpj.exeisolated now"],
        [],
    ),
    "lookalike_link": (
        ["PayPal Security"],
        [
            "Log in at https://www.paypal.com/signin [1]",
            "[1] https://evil.example/login",
            "⚠ text shows paypal.com, goes to evil.example",
            "[3] javascript:alert(1)",
        ],
        [],
    ),
    "long_name": (
        ["Wolfeschlegelsteinhau"],
        [
            "Wolfeschlegelsteinhausenbergerdorff Wolfeschlegelsteinhausenbergerdorff",
            "SSSSSSSSSS",
            "word word",
        ],
        [],
    ),
    "wide_chars": (
        ["🦄 王伟 佐藤花子", "用户@例子.中国"],
        ["こんにちは 🎉 안녕하세요", "全角テキスト"],
        [],
    ),
    "no_name_no_email": ([hostile.contact_id("no_name_no_email")], ["(no text)"], []),
    "html_nasties": (
        ["Html Nasties"],
        ["Subject: <script>alert(1)</script>", "deep", "unclosed tags"],
        ["document.write", "display:none", "iVBORw0KGgo", "https://evil.example"],
    ),
    "empty_thread": (["Empty Thread"], ["No messages in this conversation."], []),
    "long_thread": (["Long Thread"], ["500 messages", "Message 1 of 500", "Message 500 of 500"], []),
    "wrong_types": (["Wrong Types"], ["someFutureType", "2 messages could not be read"], []),
    "big_message": (["Big Message"], ["Our 1 MB newsletter", "Item 0: quarterly update [1]"], []),
}


def test_every_corpus_case_is_covered() -> None:
    assert set(EXPECTED) == set(hostile.CASE_NAMES)


@pytest.fixture
def server(make_server: ServerFactory) -> DemoServer:
    """A fresh hostile stand-in per test: marks made by one test never show in another."""
    return make_server(5, api_key=HOSTILE_KEY, hostile=True)


async def open_case(pilot: Pilot[Any], screen: MainScreen, case: str, *, unfold: bool = False) -> str:
    """Put the cursor on the case's row, check the row, open it; returns the row's text.

    ``unfold``: then ``Z``, every message unfolded (an open folds all but the newest)."""
    conversation_id = hostile.conversation_id(case)
    listing = screen.conversation_list
    assert listing.move_to_id(conversation_id), case
    await pilot.pause()
    index = screen.store.view_index(conversation_id)
    assert index is not None
    row = listing.render_line(index - int(listing.scroll_y)).text
    await pilot.press("enter")
    view = screen.thread
    await wait_for(lambda: view.current_conversation_id == conversation_id and view.state == "thread")
    await wait_for(lambda: view._thread is not None and not view._thread.partial)
    await pilot.pause()
    if unfold:
        await pilot.press("Z")
        await wait_for(lambda: not view.folded and not view._layout.folded)
        await pilot.pause()
    return row


@pytest.mark.parametrize("case", hostile.CASE_NAMES)
async def test_hostile_case_shows_literally_in_list_and_thread(
    case: str, server: DemoServer, apps: list[InboxApp]
) -> None:
    in_row, in_thread, never = EXPECTED[case]
    app = make_app(server, HOSTILE_KEY, page_size=100)
    async with run_loaded(app, apps, WIDE) as (pilot, screen):
        row = await open_case(pilot, screen, case)
        assert_screen_clean(app, f"{case} at 160x45, landed on the newest message")
        await pilot.press("g")
        await pilot.pause()
        assert_screen_clean(app, f"{case} at 160x45, the folded lines")
        await pilot.press("Z")
        await wait_for(lambda: not screen.thread.folded and not screen.thread._layout.folded)
        await pilot.pause()
        for text in in_row:
            assert text in row, f"{case}: {text!r} not in row {row!r}"
        assert not CONTROL.search(row)
        assert cell_len(row) == screen.conversation_list.scrollable_content_region.width
        thread = screen.thread.layout_text
        for text in in_thread:
            assert text in thread, f"{case}: {text!r} not in the thread"
        for text in never:
            assert text not in thread, f"{case}: {text!r} reached the thread"
        assert not CONTROL.search(thread.replace("\n", "")), case
        assert_screen_clean(app, f"{case} at 160x45")
        # every painted line of the thread, down to its end, not just the first screen
        await pilot.press("G")
        await pilot.pause()
        assert_screen_clean(app, f"{case} at 160x45, end of thread")
        assert not app.export_screenshot().count("\x1b")


@pytest.mark.parametrize(
    "case", ["long_name", "wide_chars", "rich_markup", "terminal_escapes", "carriage_return"]
)
async def test_hostile_thread_keeps_the_layout_at_80_columns(
    case: str, server: DemoServer, apps: list[InboxApp]
) -> None:
    app = make_app(server, HOSTILE_KEY, page_size=100)
    async with run_loaded(app, apps, NARROW) as (pilot, screen):
        assert_screen_clean(app, "list at 80x24")
        await open_case(pilot, screen, case)
        assert screen.narrow and screen.thread.region.width == 80
        seen = 0
        while True:  # page through the whole thread: every page is clean and 80 cells wide
            assert_screen_clean(app, f"{case} at 80x24, scroll {screen.thread.scroll_y}")
            seen += 1
            if screen.thread.scroll_y >= screen.thread.max_scroll_y or seen > 200:
                break
            await pilot.press("space")
            await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert_screen_clean(app, f"{case}: back to the list at 80x24")


async def test_500_message_thread_opens_and_pages(server: DemoServer, apps: list[InboxApp]) -> None:
    app = make_app(server, HOSTILE_KEY, page_size=100)
    async with run_loaded(app, apps, NARROW) as (pilot, screen):
        await open_case(pilot, screen, "long_thread")
        view = screen.thread
        text = assert_screen_clean(app, "landed on the newest message")
        assert "Message 500 of 500" in text and "message 500 of 500" in text  # the text, the header
        await pilot.press("g")
        await pilot.pause()
        text = assert_screen_clean(app, "top of the long thread, folded")
        assert "500 messages" in text and "Message 1 of 500" in text  # a folded line's first words
        await pilot.press("Z")
        await wait_for(lambda: not view.folded and not view._layout.folded)
        await pilot.press("g")
        await pilot.pause()
        text = assert_screen_clean(app, "top of the long thread, unfolded")
        assert "Message 500 of 500" not in text
        tops = [view.scroll_y]
        for _ in range(3):
            await pilot.press("space")
            await pilot.pause()
            tops.append(view.scroll_y)
            assert_screen_clean(app, f"long thread at {view.scroll_y}")
        assert tops == sorted(tops) and len(set(tops)) == 4, tops
        assert tops[1] - tops[0] >= view.scrollable_content_region.height - 2  # a page, not a line
        await pilot.press("G")
        await pilot.pause()
        bottom = assert_screen_clean(app, "bottom of the long thread")
        assert "Message 500 of 500" in bottom
        assert view.scroll_y == view._layout.line_count - view.scrollable_content_region.height
        await pilot.press("g")
        await pilot.pause()
        assert "Message 1 of 500" in "\n".join(screen_lines(app))


async def test_empty_thread_says_so(server: DemoServer, apps: list[InboxApp]) -> None:
    app = make_app(server, HOSTILE_KEY, page_size=100)
    async with run_loaded(app, apps, NARROW) as (pilot, screen):
        await open_case(pilot, screen, "empty_thread")
        assert "No messages in this conversation." in assert_screen_clean(app, "empty thread")


# ---------------------------------------------------------------------------- snapshots

SnapCompare = Callable[..., bool]


def snapshot_app(server: DemoServer) -> InboxApp:
    return make_app(server, HOSTILE_KEY, page_size=100)


async def settle_list(pilot: Pilot[Any]) -> MainScreen:
    app = pilot.app
    assert isinstance(app, InboxApp)
    screen = await loaded(app)
    await pilot.pause(0.4)  # the prefetch of the resting row finishes; nothing on screen changes
    return screen


def opener(case: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, InboxApp)
        screen = await settle_list(pilot)
        await open_case(pilot, screen, case)
        conversation_id = hostile.conversation_id(case)
        entry = screen.store.get(conversation_id)
        # the mark lands (the row's unread dot goes) before the picture is taken
        await wait_for(lambda: entry is not None and not entry.unread)
        await pilot.pause(0.4)
        assert_screen_clean(app, f"snapshot {case}")

    return run_before


def test_snapshot_hostile_list_80x24(snap_compare: SnapCompare, server: DemoServer) -> None:
    assert snap_compare(snapshot_app(server), terminal_size=NARROW, run_before=settle_list)


def test_snapshot_hostile_thread_80x24(snap_compare: SnapCompare, server: DemoServer) -> None:
    assert snap_compare(snapshot_app(server), terminal_size=NARROW, run_before=opener("rich_markup"))


def test_snapshot_hostile_list_and_thread_160x45(snap_compare: SnapCompare, server: DemoServer) -> None:
    assert snap_compare(snapshot_app(server), terminal_size=WIDE, run_before=opener("wide_chars"))


def test_snapshot_hostile_escapes_thread_160x45(snap_compare: SnapCompare, server: DemoServer) -> None:
    assert snap_compare(snapshot_app(server), terminal_size=WIDE, run_before=opener("terminal_escapes"))

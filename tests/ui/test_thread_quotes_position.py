"""``z`` folds and unfolds quotes without moving the reader: the line at the top stays.

Through the real app at 80x24 (the thread pane alone) and 160x45 (beside the list), on
the demo's longest quoted thread (Vivaan Gupta: 11 messages, 9 with quoted history,
about 200 lines folded and 800 unfolded). A message's header and body are the same
lines folded or not, so a line of them at the top of the view stays exactly at the
top; from inside a quote, the top goes to that message's quote line (folded: the
"quoted lines hidden" line; unfolded: "quoted text").
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from ui_helpers import ServerFactory, loaded, make_app, screen_text, wait_for

from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen
from lemlist_inbox.ui.thread.view import ThreadView

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
LONG_QUOTED = "Vivaan Gupta"


def top_line(view: ThreadView) -> str:
    """What the pane paints on its first row."""
    return view.render_line(0).text.rstrip()


def lines(view: ThreadView) -> list[str]:
    return view.layout_text.splitlines()


def message_span(view: ThreadView, index: int) -> tuple[int, int]:
    return view._layout.message_span(index)


async def scroll_top_to(pilot: Pilot[Any], view: ThreadView, y: int) -> str:
    view.scroll_to(y=y, animate=False)
    await wait_for(lambda: view.scroll_y == y)
    await pilot.pause()
    assert top_line(view) == lines(view)[y].rstrip()
    return top_line(view)


async def toggle(pilot: Pilot[Any], view: ThreadView) -> None:
    expanded = view.expanded
    await pilot.press("z")
    await wait_for(lambda: view.expanded is not expanded)
    await pilot.pause()


async def open_long_thread(pilot: Pilot[Any], screen: MainScreen) -> ThreadView:
    index = next(i for i in range(screen.store.view_size) if screen.store.view_at(i).name == LONG_QUOTED)
    screen.conversation_list.move_to(index)
    await pilot.press("enter")
    view = screen.thread
    await wait_for(lambda: view.state == "thread" and lines(view)[0].startswith(LONG_QUOTED))
    await pilot.press("Z")  # every message unfolded: this is about the quotes
    await wait_for(lambda: not view.folded and not view._layout.folded)
    assert view.max_scroll_y > 100
    return view


def quoted_messages(view: ThreadView) -> list[int]:
    """Messages (by index) whose quote is folded into one line, in the folded layout."""
    text = lines(view)
    found = []
    for index in range(len(view._layout.message_starts)):
        start, end = message_span(view, index)
        if any("quoted lines hidden" in line for line in text[start:end]):
            found.append(index)
    return found


@pytest.mark.parametrize("size", SIZES)
async def test_z_keeps_the_line_at_the_top_of_the_view(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    server = make_server(30)
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        view = await open_long_thread(pilot, screen)
        quoted = quoted_messages(view)
        assert len(quoted) >= 5
        height = view.scrollable_content_region.height
        checked = 0
        for index in quoted[1:]:
            start, end = message_span(view, index)
            text = lines(view)
            fold = next(y for y in range(start, end) if "quoted lines hidden" in text[y])
            # A line of the body, in the middle between the header and the folded quote.
            body = [y for y in range(start + 6, fold) if text[y].strip()]
            if not body or body[len(body) // 2] > view.max_scroll_y - height:
                continue
            y = body[len(body) // 2]
            top = await scroll_top_to(pilot, view, y)
            await toggle(pilot, view)  # unfold every quote
            assert view.expanded
            assert top_line(view) == top, f"message {index}: unfolding moved the view"
            assert top in screen_text(app)
            await toggle(pilot, view)  # fold them again
            assert top_line(view) == top, f"message {index}: folding moved the view"
            assert view.scroll_y == y
            checked += 1
        assert checked >= 3


@pytest.mark.parametrize("size", SIZES)
async def test_z_from_inside_a_quote_keeps_that_quote_at_the_top(
    make_server: ServerFactory, apps: list[InboxApp], size: tuple[int, int]
) -> None:
    server = make_server(30)
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=size) as pilot:
        screen = await loaded(app)
        view = await open_long_thread(pilot, screen)
        index = quoted_messages(view)[2]
        await toggle(pilot, view)  # unfolded, at the top
        start, end = message_span(view, index)
        text = lines(view)
        head = next(y for y in range(start, end) if "quoted text (z to hide)" in text[y])
        await scroll_top_to(pilot, view, head + (end - head) // 2)  # deep in that quote
        await toggle(pilot, view)  # fold: the folded quote of the same message is at the top
        assert "quoted lines hidden" in top_line(view)
        start, end = message_span(view, index)
        assert start <= view.scroll_y < end, "still the same message"
        await toggle(pilot, view)  # unfold again: its quote starts at the top
        assert "quoted text (z to hide)" in top_line(view)
        assert view.scroll_y == head

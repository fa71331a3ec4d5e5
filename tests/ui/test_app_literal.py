"""Everything from the API shows literally: markup stays text, control characters never
reach the terminal, wide characters keep the columns straight."""

from __future__ import annotations

import re
from typing import Any

from rich.cells import cell_len
from textual.app import App, ComposeResult
from ui_helpers import REFERENCE, ServerFactory, fixed_clock, loaded, make_app, screen_text, wait_for

from lemlist_inbox.api.models import Conversation
from lemlist_inbox.demo import hostile
from lemlist_inbox.inbox.store import ConversationStore
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.widgets.conversation_list import ConversationList

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
ME = "usr_me"


def conversation(n: int, name: str, email: str) -> Conversation:
    raw: dict[str, Any] = {
        "_id": f"ibx_{n}",
        "contactId": f"ctc_{n}",
        "lastActivityAt": REFERENCE.isoformat(),
        "channels": ["email"],
        "users": [{"userId": ME, "read": False}],
        "contact": {"_id": f"ctc_{n}", "fullName": name, "email": email},
    }
    return Conversation.model_validate(raw)


class ListApp(App[None]):
    """Just the list widget over a hand-made store."""

    def __init__(self, store: ConversationStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        yield ConversationList(self.store, clock=fixed_clock, id="list")

    def on_mount(self) -> None:
        self.query_one(ConversationList).sync()


async def test_markup_and_control_characters_in_names_render_literally() -> None:
    store = ConversationStore(ME)
    store.merge(
        [
            conversation(1, "[bold]x[/bold]", "[i]mail[/i]@example.com"),
            conversation(
                2, "Eve\x1b[2J\x1b]52;c;cm0gLXJm\x07Admin\rEVIL \u202efdp.exe", "e\x1b[31m@x.io\u202e"
            ),
            conversation(3, "王伟 佐藤花子 🦄", "用户@例子.中国"),
        ]
    )
    app = ListApp(store)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        listing = app.query_one(ConversationList)
        lines = [listing.render_line(y).text for y in range(3)]
        text = screen_text(app)
        width = listing.scrollable_content_region.width
    assert "[bold]x[/bold]" in text
    assert "[i]mail[/i]@example.com" in text
    assert "Eve" in lines[1] and "Admin" in lines[1] and "EVIL" in lines[1]
    assert "fdp.exe" in lines[1]
    for line in [*lines, text]:
        assert not CONTROL.search(line), repr(line)
    for line in lines:
        assert cell_len(line) == width == 80


async def test_hostile_demo_data_through_the_real_app(
    make_server: ServerFactory, apps: list[InboxApp]
) -> None:
    server = make_server(10, hostile=True)
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await loaded(app)
        text = screen_text(app)
        assert "[bold red]Mallory" in text
        assert not CONTROL.search(text)
        for case in ("rich_markup", "terminal_escapes", "bidi_override", "carriage_return", "wide_chars"):
            entry = next(
                screen.store.view_at(i)
                for i in range(screen.store.view_size)
                if screen.store.view_at(i).conversation.thread_id == hostile.contact_id(case)
            )
            screen.conversation_list.move_to_id(entry.id)
            await pilot.press("enter")
            await wait_for(lambda entry=entry: screen.thread.current_conversation_id == entry.id)  # type: ignore[misc]
            await pilot.pause(0.3)
            text = screen_text(app)
            assert not CONTROL.search(text), case
            await pilot.press("escape")
        # emoji and CJK keep every row exactly the list's width
        for y in range(screen.store.view_size):
            row = screen.conversation_list.render_line(y).text
            assert cell_len(row) == screen.conversation_list.scrollable_content_region.width


async def test_hostile_rows_at_80_columns(make_server: ServerFactory, apps: list[InboxApp]) -> None:
    server = make_server(5, hostile=True)
    app = make_app(server)
    apps.append(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(app)
        await pilot.pause()
        text = screen_text(app)
        assert not CONTROL.search(text)
        assert all(cell_len(line) == 80 for line in text.splitlines())


async def test_rows_drawn_per_frame_and_one_by_one_agree_after_a_scroll() -> None:
    """``render_lines`` looks the scroll offset up once per frame; it must not outlive it."""
    store = ConversationStore(ME)
    store.merge([conversation(n, f"Person {n:02d}", f"p{n}@x.io") for n in range(40)])
    app = ListApp(store)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        listing = app.query_one(ConversationList)
        width = listing.scrollable_content_region.width
        framed = [strip.text.rstrip() for strip in listing.render_lines(listing.region.reset_offset)]
        assert framed[:3] == [listing.render_line(y).text.rstrip() for y in range(3)]
        # Scrolled with no frame drawn since: nothing of the last frame may be reused.
        listing.scroll_to(y=12, animate=False, immediate=True)
        top = listing.scroll_offset.y
        assert top == 12
        first = listing.render_line(0).text
        assert store.view_at(top).name in first
        assert len(first) == width

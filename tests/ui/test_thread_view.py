"""ThreadView through Pilot, with a real LemlistClient against a real DemoServer on 127.0.0.1.

No timed asserts: every wait polls a condition with a generous bound.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import PurePath
from typing import Any, ClassVar

import pytest
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.pilot import Pilot

from lemlist_inbox import render as render_module
from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.mark_queue import MarkQueue
from lemlist_inbox.api.models import Conversation
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.demo import data as data_module
from lemlist_inbox.demo import hostile as hostile_module
from lemlist_inbox.render import render_thread
from lemlist_inbox.resources import stylesheet
from lemlist_inbox.ui.thread.view import ThreadView

SEED_CONTACT = "ctc_wfKeM8EmiTikud7QE"
HOSTILE_CONTACT = "ctc_hostileMarkup0001"
EMPTY_CONTACT = "ctc_emptyThread000001"
BIG_CONTACT = "ctc_bigThread00000001"
HUGE_CONTACT = "ctc_hugeMessage000001"
USER = "usr_t2KCwPen66NrrqGtQ"


# --------------------------------------------------------------------------- data


def _conv(contact_id: str, name: str, email: str, *, read: bool = False) -> dict[str, Any]:
    return {
        "_id": "ibx_" + contact_id[4:],
        "contactId": contact_id,
        "channels": ["email"],
        "lastActivityAt": "2024-12-10T10:00:00.000Z",
        "users": [{"userId": USER, "sender": True, "read": read}],
        "contact": {"_id": contact_id, "fullName": name, "email": email},
    }


def _msg(index: int, contact_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "_id": f"act_{contact_id[4:]}{index:04d}",
        "type": "emailsSent",
        "createdAt": f"2024-12-{1 + index // 100:02d}T{(index // 60) % 24:02d}:{index % 60:02d}:00.000Z",
        "sendUserName": "Camille",
        "sendUserEmail": "camille@lemtest.com",
        "leadEmail": "x@example.com",
        "contactId": contact_id,
        "subject": f"Message {index}",
        "message": f"<p>Body of message {index}</p>",
        "attachments": [],
    }
    base.update(fields)
    return base


def hostile_cases(dataset: object) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Our own nasty conversations, served by the real stand-in."""
    hostile = (
        _conv(HOSTILE_CONTACT, "[bold]Mallory[/bold] \x1b[2J", "mallory@evil.example"),
        [
            _msg(
                1,
                HOSTILE_CONTACT,
                subject="[red]Invoice[/red] \x07 [link=https://evil.example]pay[/link]",
                sendUserName="[b]Boss[/b]\x1b]52;c;SGVsbG8=\x07",
                message=(
                    "<p>Hello [bold]world[/bold] \x1b[31mred\x1b[0m and [/] done\x08</p>"
                    '<p><a href="https://real.example/login">https://paypal.com/login</a></p>'
                ),
                attachments=[{"name": "[i]report[/i].pdf", "size": 12345}],
            ),
            _msg(
                2,
                HOSTILE_CONTACT,
                type="linkedinReplied",
                fromEmail="mallory@evil.example",
                message="Plain [i]LinkedIn[/i] text\nsecond line",
            ),
            _msg(3, HOSTILE_CONTACT, type="mysteryEvent", message="<p>who knows</p>"),
        ],
    )
    no_messages: list[dict[str, Any]] = []
    empty = (_conv(EMPTY_CONTACT, "Nobody", "nobody@example.com"), no_messages)
    big = (
        _conv(BIG_CONTACT, "Chatty", "chatty@example.com"),
        [_msg(i, BIG_CONTACT, message=f"<p>Line one of {i}</p><p>Line two of {i}</p>") for i in range(500)],
    )
    huge = (
        _conv(HUGE_CONTACT, "Verbose", "verbose@example.com"),
        [_msg(0, HUGE_CONTACT, message="<p>start of the huge one</p>" + "<p>" + "word " * 200_000 + "</p>")],
    )
    return [hostile, empty, big, huge]


# --------------------------------------------------------------------------- fixtures


class ThreadApp(App[None]):
    """The smallest app around a ThreadView, recording what it posts."""

    CSS_PATH: ClassVar[list[str | PurePath]] = [stylesheet("thread.tcss")]
    BINDINGS: ClassVar[list[BindingType]] = [("x", "count", "Count")]

    def __init__(self, view: ThreadView) -> None:
        super().__init__()
        self.view = view
        self.presses = 0
        self.marked: list[ThreadView.MarkedRead] = []
        self.failed: list[ThreadView.MarkFailed] = []

    def compose(self) -> ComposeResult:
        yield self.view

    def on_mount(self) -> None:
        self.view.focus()

    def action_count(self) -> None:
        self.presses += 1

    def on_thread_view_marked_read(self, message: ThreadView.MarkedRead) -> None:
        self.marked.append(message)

    def on_thread_view_mark_failed(self, message: ThreadView.MarkFailed) -> None:
        self.failed.append(message)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoServer]:
    # Our own cases instead of the stand-in's hostile set (wherever the dataset looks it up).
    monkeypatch.setattr(hostile_module, "hostile_conversations", hostile_cases)
    monkeypatch.setattr(data_module, "hostile_conversations", hostile_cases, raising=False)
    with DemoServer(conversations=40, hostile=True) as running:
        yield running


@pytest.fixture
async def client(server: DemoServer) -> AsyncIterator[LemlistClient]:
    # No client-side retries: a fault reaches the thread pane / mark queue at once.
    async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0, timeout=5) as c:
        yield c


def conversation(server: DemoServer, contact_id: str) -> Conversation:
    return Conversation.model_validate(server.dataset.conversation(contact_id))


def unread_conversation(server: DemoServer, skip: int = 0) -> tuple[Conversation, str]:
    """A generated conversation that some team user has not read, and that user."""
    found = 0
    for raw in server.dataset.conversations:
        conv = Conversation.model_validate(raw)
        if conv.contact_id in (SEED_CONTACT, HOSTILE_CONTACT, EMPTY_CONTACT, BIG_CONTACT, HUGE_CONTACT):
            continue
        for user in conv.users:
            if user.read is False:
                if found == skip:
                    return conv, user.user_id
                found += 1
                break
    raise AssertionError("the demo data has no unread conversation")


def mark_requests(server: DemoServer) -> list[Any]:
    return [r for r in server.requests("/api/inbox/") if r.query.get("markAsRead") == "true"]


async def wait_for(pilot: Pilot[None], predicate: Callable[[], bool], what: str, tries: int = 600) -> None:
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"gave up waiting for: {what}")


def make_view(client: LemlistClient, **settings: Any) -> ThreadView:
    queue = MarkQueue(client)
    return ThreadView(client, Settings(**settings), id="thread", mark_queue=queue, owns_queue=True)


async def open_and_wait(pilot: Pilot[None], view: ThreadView, conv: Conversation, user: str | None) -> None:
    view.open(conv, user_id=user)
    await wait_for(pilot, lambda: view.state in ("thread", "error"), f"thread {conv.id}")
    await pilot.pause()


async def unfold_all(pilot: Pilot[None], view: ThreadView) -> None:
    """``Z``: every message unfolded (an open folds all but the newest), and its layout shown."""
    await pilot.press("Z")
    await wait_for(
        pilot, lambda: not view.folded and not view._layout.folded and view.state == "thread", "unfolded"
    )
    await pilot.pause()


@asynccontextmanager
async def running(view: ThreadView, size: tuple[int, int]) -> AsyncIterator[tuple[ThreadApp, Pilot[None]]]:
    """The view in a ``ThreadApp`` under Pilot, at a terminal ``size``."""
    app = ThreadApp(view)
    async with app.run_test(size=size) as pilot:
        yield app, pilot


def queued_view(client: LemlistClient, **queue_kwargs: Any) -> tuple[MarkQueue, ThreadView]:
    """A view whose mark queue the test tunes (attempts before a report, backoff)."""
    queue = MarkQueue(client, **queue_kwargs)
    return queue, ThreadView(client, Settings(), mark_queue=queue, owns_queue=True)


async def prefetched_unread(
    pilot: Pilot[None], view: ThreadView, server: DemoServer
) -> tuple[Conversation, str]:
    """An unread conversation and its user, its thread prefetched (cached, not marked)."""
    conv, user = unread_conversation(server)
    view.prefetch(conv, user_id=user)
    await wait_for(pilot, lambda: conv.id in view._cache, "prefetched")
    return conv, user


async def open_offline_until_tried(
    pilot: Pilot[None], view: ThreadView, server: DemoServer, conv: Conversation, user: str
) -> None:
    """Stop the server, open ``conv`` (from the cache), wait for its mark's first failed try."""
    server.stop()
    view.open(conv, user_id=user)
    await wait_for(pilot, lambda: view.mark_queue.pending_marks()[0].attempts >= 1, "first failed try")


# --------------------------------------------------------------------------- display


async def test_open_shows_seed_thread_oldest_first(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (110, 40)) as (_app, pilot):
        conv = conversation(server, SEED_CONTACT)
        view.open(conv, user_id=USER)
        assert view.state == "loading"
        assert "Loading" in view.layout_text
        await wait_for(pilot, lambda: view.state == "thread", "thread shown")
        await unfold_all(pilot, view)
        text = view.layout_text
        assert view.current_conversation_id == conv.id
        assert "my lemcal [1]" in text
        assert "[1] https://app.lemcal.com/@christophe-opoix/15-min-chat?leadId=lea_WoeA2FAw8jemE2Mex" in text
        assert "track/open" not in text  # tracking pixel gone
        assert "Victoire" in text.splitlines()[0]
        # oldest first: the first mail, then Victoire's reply, then Camille's
        first = text.index("Subject:  Have you heard")
        reply = text.index("Re: Have you heard")
        last = text.index("Meet me !")
        assert first < reply < last
        assert "→ Sent by us" in text
        assert "← Reply from contact" in text
        # what is painted is what the layout holds
        await pilot.press("g")
        painted = "\n".join(view.render_line(y).text for y in range(5))
        assert "Victoire" in painted


async def test_quote_folded_then_z_expands_and_folds(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (110, 40)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        await unfold_all(pilot, view)
        folded = view.layout_text
        assert "quoted lines hidden — On Tue, Dec 3, 2024" in folded
        assert "(z to show)" in folded
        assert folded.count("Beurre frais") == 1  # only in the first mail, not in the folded quote
        await pilot.press("z")
        assert view.expanded
        expanded = view.layout_text
        assert "(z to hide)" in expanded
        assert expanded.count("Beurre frais") == 2
        assert "quoted lines hidden" not in expanded
        await pilot.press("z")
        assert view.layout_text == folded


async def test_z_keeps_reading_position(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (100, 20)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        await pilot.press("G")
        await pilot.pause()
        bottom_before = view.scroll_y
        top_line = view.render_line(0).text
        await pilot.press("z")
        await pilot.pause()
        # The last message stays in view instead of jumping to the top.
        assert view.scroll_y > 0
        assert bottom_before > 0
        assert "Camille" in top_line or view.scroll_y >= bottom_before


async def test_keys_page_and_scroll(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (80, 20)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        await unfold_all(pilot, view)
        await pilot.press("g")
        assert view.scroll_y == 0
        page = view.scrollable_content_region.height
        await pilot.press("space")
        await pilot.pause()
        assert view.scroll_y == page
        await pilot.press("b")
        await pilot.pause()
        assert view.scroll_y == 0
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert view.scroll_y == 3
        await pilot.press("k")
        await pilot.pause()
        assert view.scroll_y == 2
        await pilot.press("G")
        await pilot.pause()
        # The end of the text at the bottom (the room under a short newest message aside).
        end = view._layout.line_count - view.scrollable_content_region.height
        assert view.scroll_y == end > page and view.max_scroll_y - end <= page
        await pilot.press("g")
        await pilot.pause()
        assert view.scroll_y == 0


async def test_bindings_are_described_for_the_footer(client: LemlistClient) -> None:
    view = make_view(client)
    app = ThreadApp(view)
    async with app.run_test(size=(80, 20)):
        shown = {b.key: b.description for (_, b, enabled, _) in app.active_bindings.values() if b.show}
        assert shown.get("z") == "Quotes"
        assert shown.get("space") == "Page"


async def test_literal_rendering_of_markup_and_control_chars(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (120, 60)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, HOSTILE_CONTACT), USER)
        assert view.state == "thread"
        await unfold_all(pilot, view)
        text = view.layout_text
        assert "[bold]Mallory[/bold]" in text  # contact name, literal
        assert "[red]Invoice[/red]" in text  # subject
        assert "[link=https://evil.example]pay[/link]" in text
        assert "[b]Boss[/b]" in text  # sender
        assert "[bold]world[/bold]" in text  # body
        assert "[/]" in text
        assert "Plain [i]LinkedIn[/i] text" in text  # plain-text body as it is
        assert "second line" in text
        assert "[i]report[/i].pdf (12.3 kB)" in text  # attachment name and size
        assert "mysteryEvent" in text  # unknown type shown literally
        for bad in ("\x1b", "\x07", "\x08", "SGVsbG8="):
            assert bad not in text
        # the suspicious link is flagged with where it really goes
        assert "text shows paypal.com" in text
        assert "goes to real.example" in text
        assert "⚠" in text
        # and the painted lines hold no control character either
        for y in range(view.scrollable_content_region.height):
            painted = view.render_line(y).text
            assert not any(ord(ch) < 32 for ch in painted)


async def test_empty_thread(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (80, 20)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, EMPTY_CONTACT), USER)
        assert "No messages in this conversation" in view.layout_text


async def test_error_state_for_unknown_contact(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (80, 20)) as (_app, pilot):
        ghost = Conversation.model_validate({"_id": "ibx_ghost", "contactId": "ctc_doesNotExist"})
        await open_and_wait(pilot, view, ghost, USER)
        assert view.state == "error"
        text = view.layout_text
        assert "not found" in text
        assert "Traceback" not in text
        assert len(text.splitlines()) <= 3  # one clear message (wrapped), nothing more


async def test_network_error_then_retry_with_r(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (100, 20)) as (_app, pilot):
        server.faults.error_every = 1
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        assert view.state == "error"
        assert "retry" in view.layout_text
        server.faults.error_every = 0
        await pilot.press("r")
        await wait_for(pilot, lambda: view.state == "thread", "reloaded")
        assert "Meet me !" in view.layout_text  # the newest message, unfolded
        await unfold_all(pilot, view)
        assert "my lemcal [1]" in view.layout_text


async def test_500_message_thread_displays(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, BIG_CONTACT), USER)
        landed = "".join(view.render_line(y).text for y in range(view.scrollable_content_region.height))
        assert "Line one of 499" in landed and "Line one of 498" not in landed
        await unfold_all(pilot, view)
        text = view.layout_text
        assert "500 messages" in text.splitlines()[0]
        assert text.index("Line one of 0\n") < text.index("Line one of 499")
        await pilot.press("G")
        await pilot.pause()
        assert view.scroll_y == view._layout.line_count - view.scrollable_content_region.height > 1000
        # resizing re-wraps to the new width and keeps roughly the same place
        await pilot.resize_terminal(70, 30)
        await wait_for(pilot, lambda: view._layout.width == view.scrollable_content_region.width, "re-wrap")
        assert view.scroll_y > 1000


async def test_clear_empties_the_pane(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (80, 20)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        view.clear()
        assert view.current_conversation_id is None
        assert view.layout_text.strip() == ""


# --------------------------------------------------------------------------- caching


async def test_cached_open_makes_no_request_and_is_immediate(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (_app, pilot):
        seed = conversation(server, SEED_CONTACT)
        other = conversation(server, EMPTY_CONTACT)
        await open_and_wait(pilot, view, seed, USER)
        first_text = view.layout_text
        await open_and_wait(pilot, view, other, USER)
        before = len(server.requests())
        view.open(seed, user_id=USER)
        # shown synchronously, from the cache: no loading state, no request, no re-render
        assert view.state == "thread"
        assert view.layout_text == first_text
        await pilot.pause(0.1)
        assert len(server.requests()) == before


async def test_new_activity_makes_the_cache_stale(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (_app, pilot):
        seed = conversation(server, SEED_CONTACT)
        await open_and_wait(pilot, view, seed, USER)
        before = len(server.requests())
        changed = seed.model_copy(update={"last_activity_at": "2030-01-01T00:00:00.000Z"})
        await open_and_wait(pilot, view, changed, USER)
        assert len(server.requests()) == before + 1


# --------------------------------------------------------------------------- marking read


async def test_user_open_marks_read_exactly_once(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        conv, user = unread_conversation(server)
        assert conv.thread_id is not None
        assert not conv.is_read_by(user)
        await open_and_wait(pilot, view, conv, user)
        await wait_for(pilot, lambda: bool(app.marked), "MarkedRead")
        assert [m.conversation_id for m in app.marked] == [conv.id]
        assert conv.is_read_by(user)  # local model updated at once
        marks = mark_requests(server)
        assert len(marks) == 1
        assert marks[0].query["userId"] == user
        assert server.dataset.is_read(conv.thread_id, user) is True
        # opening it again (cached, and now read) sends nothing at all
        before = len(server.requests())
        view.open(conv, user_id=user)
        await pilot.pause(0.1)
        assert len(server.requests()) == before
        assert len(mark_requests(server)) == 1
        assert len(app.marked) == 1


async def test_prefetch_never_marks_then_open_marks_via_mark_read(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        shown = conversation(server, SEED_CONTACT)
        await open_and_wait(pilot, view, shown, USER)
        conv, user = await prefetched_unread(pilot, view, server)
        # quiet: the visible pane still shows the other thread
        assert view.current_conversation_id == shown.id
        assert "Meet me !" in view.layout_text
        assert mark_requests(server) == []
        assert not conv.is_read_by(user)
        thread_requests = len(server.requests(f"/api/inbox/{conv.thread_id}"))
        view.open(conv, user_id=user)
        assert view.state == "thread"  # from the cache at once
        await wait_for(pilot, lambda: bool(app.marked), "MarkedRead")
        marks = mark_requests(server)
        assert len(marks) == 1
        assert marks[0].query.get("limit") == "1"  # client.mark_read, not a re-fetch
        assert len(server.requests(f"/api/inbox/{conv.thread_id}")) == thread_requests + 1
        assert conv.is_read_by(user)


async def test_no_mark_without_user_action_or_when_disabled(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client, mark_read_on_open=False)
    async with running(view, (100, 30)) as (app, pilot):
        conv, user = unread_conversation(server)
        await open_and_wait(pilot, view, conv, user)
        other, other_user = unread_conversation(server, skip=1)
        view._settings.mark_read_on_open = True
        view.open(other, user_id=other_user, user_action=False)
        await wait_for(pilot, lambda: view.state == "thread", "thread")
        await pilot.pause(0.1)
        assert mark_requests(server) == []
        assert app.marked == []
        assert not conv.is_read_by(user)


async def test_mark_failure_is_queued_retried_and_reported(server: DemoServer, client: LemlistClient) -> None:
    queue, view = queued_view(client, max_attempts_before_report=2, backoff=lambda failures: 0.05)
    async with running(view, (100, 30)) as (app, pilot):
        conv, user = await prefetched_unread(pilot, view, server)
        server.faults.error_every = 1  # every request now answers 500
        view.open(conv, user_id=user)
        await wait_for(pilot, lambda: bool(app.failed), "MarkFailed")
        failure = app.failed[0]
        assert failure.conversation_id == conv.id
        assert "as read" in failure.error and "still retrying" in failure.error
        assert queue.pending == [conv.id]  # kept, not dropped
        assert not conv.is_read_by(user)
        # opening it again while the mark is pending does not send a second one
        view.open(conv, user_id=user)
        server.faults.error_every = 0
        await wait_for(pilot, lambda: bool(app.marked), "MarkedRead after recovery")
        assert conv.is_read_by(user)
        assert queue.pending == []
        assert len(app.marked) == 1
        assert server.dataset.is_read(conv.thread_id or "", user) is True


async def test_mark_survives_server_restart(server: DemoServer, client: LemlistClient) -> None:
    queue, view = queued_view(client, max_attempts_before_report=2, backoff=lambda failures: 0.05)
    async with running(view, (100, 30)) as (app, pilot):
        conv, user = await prefetched_unread(pilot, view, server)
        server.stop()
        view.open(conv, user_id=user)
        assert view.state == "thread"  # still readable from the cache while offline
        await wait_for(pilot, lambda: bool(app.failed), "MarkFailed while offline")
        assert queue.pending == [conv.id]
        server.start()  # same port, same data
        await wait_for(pilot, lambda: bool(app.marked), "MarkedRead once back")
        # A mark sent as the server went down may have landed even though its
        # answer was lost; marking is idempotent, so it may arrive twice, never zero.
        assert len(mark_requests(server)) >= 1
        assert conv.is_read_by(user)


async def test_open_that_fails_to_load_marks_nothing_until_r_shows_it(
    server: DemoServer, client: LemlistClient
) -> None:
    queue, view = queued_view(client, max_attempts_before_report=50, backoff=lambda failures: 0.05)
    async with running(view, (100, 30)) as (app, pilot):
        conv, user = unread_conversation(server)
        server.faults.error_every = 1
        await open_and_wait(pilot, view, conv, user)
        assert view.state == "error"
        await pilot.pause(0.2)
        assert queue.pending == [] and mark_requests(server) == [], "never shown, so not read"
        assert not conv.is_read_by(user)
        server.faults.error_every = 0
        await pilot.press("r")  # the retry shows it: the open's mark is sent now
        await wait_for(pilot, lambda: view.state == "thread", "thread after r")
        await wait_for(pilot, lambda: bool(app.marked), "mark after the thread showed")
        assert conv.is_read_by(user)
        assert len(mark_requests(server)) == 1


async def test_flush_marks_returns_unsent_ids_when_server_gone(
    server: DemoServer, client: LemlistClient
) -> None:
    _queue, view = queued_view(client, backoff=lambda failures: 3600.0)
    async with running(view, (100, 30)) as (_app, pilot):
        conv, user = await prefetched_unread(pilot, view, server)
        await open_offline_until_tried(pilot, view, server, conv, user)
        assert await view.flush_marks(timeout=2.0) == [conv.id]


async def test_flush_marks_sends_pending_when_server_back(server: DemoServer) -> None:
    # As in the app, the last try has the client's own retries: right after a restart a
    # pooled connection may still be the dead one, and one transient error must not
    # turn into "could not be sent".
    async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=2, timeout=5) as client:
        await _flush_after_restart(server, client)


async def _flush_after_restart(server: DemoServer, client: LemlistClient) -> None:
    queue, view = queued_view(client, backoff=lambda failures: 3600.0)
    async with running(view, (100, 30)) as (_app, pilot):
        conv, user = await prefetched_unread(pilot, view, server)
        await open_offline_until_tried(pilot, view, server, conv, user)
        server.start()
        unsent = await view.flush_marks(timeout=5.0)
        assert unsent == [], queue.pending_marks()
        # A mark sent as the server went down may have landed even though its
        # answer was lost; marking is idempotent, so it may arrive twice, never zero.
        assert len(mark_requests(server)) >= 1


async def test_switching_away_before_the_thread_shows_leaves_it_unread(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        server.faults.latency = 0.3
        conv, user = unread_conversation(server)
        view.open(conv, user_id=user)
        other, other_user = unread_conversation(server, skip=1)
        view.open(other, user_id=other_user)  # cancels the first load before it answers
        server.faults.latency = 0.0
        await wait_for(pilot, lambda: bool(app.marked), "mark of the thread shown")
        assert view.current_conversation_id == other.id and view.state == "thread"
        assert [m.conversation_id for m in app.marked] == [other.id]
        assert not conv.is_read_by(user)
        assert server.dataset.is_read(conv.thread_id or "", user) is False
        assert [r.path for r in mark_requests(server)] == [f"/api/inbox/{other.thread_id}"]


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark"])
async def test_themes_render(server: DemoServer, client: LemlistClient, theme: str) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        app.theme = theme
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        await unfold_all(pilot, view)
        assert "my lemcal [1]" in view.layout_text
        styles_before = view._resolve_styles()
        # "auto" theme colours ($text-muted) are resolved against the background: muted
        # text is mid-grey, never white on a light theme or black on a dark one
        muted = styles_before.label.color
        assert muted is not None
        red, green, blue = muted.get_truecolor()
        assert 60 < red < 200 and 60 < green < 200 and 60 < blue < 200, muted
        app.theme = "textual-dark" if theme == "textual-light" else "textual-light"
        await pilot.pause()
        await pilot.pause()
        assert "my lemcal [1]" in view.layout_text
        # the layout on screen was rebuilt with the new theme's colours
        assert view._resolve_styles() != styles_before
        assert view._layouts.get(view._layout_key()) is view._layout


async def test_reopen_while_loading_sends_one_fetch_and_one_mark(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        server.faults.latency = 0.2
        conv, user = unread_conversation(server)
        view.open(conv, user_id=user)
        view.open(conv, user_id=user)  # e.g. Enter pressed twice
        await wait_for(pilot, lambda: view.state == "thread", "thread")
        server.faults.latency = 0.0
        await wait_for(pilot, lambda: bool(app.marked), "MarkedRead")
        fetches = [r for r in server.requests(f"/api/inbox/{conv.thread_id}") if "markAsRead" not in r.query]
        assert len(fetches) == 1, "the second open waits for the first load"
        assert len(mark_requests(server)) == 1


async def test_html_conversion_runs_off_the_ui_thread_while_keys_work(
    server: DemoServer, client: LemlistClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 1 MB message converts in a thread worker; the UI handles keys meanwhile.

    The conversion is held until the test has pressed a key: were it on the UI thread,
    the key could never be handled and the test would time out instead of passing.
    """
    release = threading.Event()
    threads: list[int] = []
    real = render_thread

    def held_render(messages: Any, **kwargs: Any) -> Any:
        threads.append(threading.get_ident())
        release.wait(timeout=30)
        return real(messages, **kwargs)

    monkeypatch.setattr(render_module, "render_thread", held_render)
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        view.open(conversation(server, HUGE_CONTACT), user_id=USER)
        await wait_for(pilot, lambda: bool(threads), "conversion started")
        await pilot.press("x", "x")
        assert app.presses == 2
        assert view.state == "loading"
        release.set()
        await wait_for(pilot, lambda: view.state == "thread", "huge message shown")
        assert threads[0] != threading.get_ident()
        assert "start of the huge one" in view.layout_text
        await pilot.press("G")
        await pilot.pause()
        assert view.scroll_y == view.max_scroll_y > 100


async def test_z_on_a_big_thread_rewraps_in_a_worker_and_keeps_position(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (100, 30)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, BIG_CONTACT), USER)
        await unfold_all(pilot, view)
        view.scroll_to(y=5000, animate=False)
        await pilot.pause()
        anchor = view._anchor()
        assert anchor is not None
        await pilot.press("z")
        await wait_for(pilot, lambda: view._pending_layout_key is None, "re-wrap done")
        assert view.expanded
        assert view._anchor() is not None
        assert abs(view.scroll_y - 5000) < 50


async def test_no_color_environment(
    server: DemoServer, client: LemlistClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    view = make_view(client)
    async with running(view, (100, 30)) as (app, pilot):
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        await unfold_all(pilot, view)
        assert "my lemcal [1]" in view.layout_text
        assert app.screen._compositor is not None
        await pilot.press("g")
        assert "Victoire" in "".join(view.render_line(y).text for y in range(3))


async def test_z_at_the_top_stays_at_the_top(server: DemoServer, client: LemlistClient) -> None:
    view = make_view(client)
    async with running(view, (80, 20)) as (_app, pilot):
        await open_and_wait(pilot, view, conversation(server, SEED_CONTACT), USER)
        await unfold_all(pilot, view)
        await pilot.press("g")
        await pilot.press("z")
        await pilot.pause()
        assert view.scroll_y == 0
        assert "Victoire" in view.render_line(0).text


async def test_reopening_the_shown_thread_keeps_position_and_quotes(
    server: DemoServer, client: LemlistClient
) -> None:
    view = make_view(client)
    async with running(view, (80, 20)) as (_app, pilot):
        conv = conversation(server, SEED_CONTACT)
        await open_and_wait(pilot, view, conv, USER)
        await pilot.press("space", "z")
        await pilot.pause()
        y = view.scroll_y
        assert y > 0 and view.expanded
        view.open(conversation(server, SEED_CONTACT), user_id=USER)  # e.g. after a list refresh
        await pilot.pause()
        assert view.scroll_y == y
        assert view.expanded


async def test_a_long_thread_shows_its_newest_message_first_then_the_folded_lines_fill_in(
    server: DemoServer, client: LemlistClient
) -> None:
    """500 messages to convert: the newest shows before the 499 others are converted, their
    folded lines without words; the full rendering then replaces them in place, and only
    the full one is cached."""
    view = make_view(client)
    async with running(view, (100, 30)) as (_app, pilot):
        shown: list[tuple[bool, int]] = []
        real = view._set_layout

        def spy(layout: Any, **kwargs: Any) -> None:
            real(layout, **kwargs)
            if kwargs.get("thread") and view._thread is not None and layout.width:
                shown.append((view._thread.partial, round(view.scroll_y)))

        view._set_layout = spy  # type: ignore[method-assign]
        conv = conversation(server, BIG_CONTACT)
        await open_and_wait(pilot, view, conv, USER)
        await wait_for(pilot, lambda: view._thread is not None and not view._thread.partial, "full")
        await pilot.pause()
        assert shown[0][0] is True, "the newest message first"
        assert shown[-1][0] is False
        assert len({y for _partial, y in shown}) == 1, "the full rendering keeps the position"
        lines = view.layout_text.splitlines()
        folded = [line for line in lines if line.startswith("▸ ")]
        assert len(folded) == 499 and all("Line one of" in line for line in folded)
        cached = view._cache.get(conv.id, conv.last_activity_at)
        assert cached is not None and not cached.partial and len(cached.messages) == 500
        assert not any(rm.pending for rm in cached.messages)

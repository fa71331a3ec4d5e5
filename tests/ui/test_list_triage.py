"""Triage from the list, over real loopback HTTP against the stand-in: rows with subjects
and first words from stored threads, the background prefetch (never a read mark, behind
what the user opens), the ``c`` and ``w`` filters, the preview and the open row's mark."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from ui_helpers import (
    ServerFactory,
    first_user,
    fixed_clock,
    local_app,
    main_screen,
    screen_text,
    snapshot_server,
    wait_for,
)

import tui_harness
from lemlist_inbox.api import RateLimiter
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.local import StoreOptions
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens.main import MainScreen

WIDE = (160, 45)
NARROW = (80, 24)


def stored_app(
    server: DemoServer,
    data_dir: Path | None,
    *,
    prefetch: int = 200,
    mark_read_on_open: bool = True,
    limiter: RateLimiter | None = None,
) -> InboxApp:
    """The app with a local inbox in ``data_dir`` (None: none) and the prefetch as set."""
    client: dict[str, Any] = {} if limiter is None else {"rate_limiter": limiter}
    return local_app(
        server,
        data_dir,
        prefetch_threads=prefetch,
        mark_read_on_open=mark_read_on_open,
        page_size=100,
        **client,
    )


def marks_sent(server: DemoServer) -> list[str]:
    """The contacts a read mark was sent for (``markAsRead=true`` in any request)."""
    return [r.path.rsplit("/", 1)[-1] for r in server.requests("/api/inbox/") if r.query.get("markAsRead")]


def thread_requests(server: DemoServer) -> list[str]:
    return [r.path.rsplit("/", 1)[-1] for r in server.requests("/api/inbox/")]


async def prefetched(app: InboxApp, count: int) -> MainScreen:
    """The screen once the first sync and the prefetch of ``count`` threads are done."""
    await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
    screen = main_screen(app)
    await wait_for(lambda: len(screen.store) > 0 and not screen.busy)
    local = screen.local
    assert local is not None and local.db is not None
    db = local.db
    newest = {e.thread_id for e in screen.store.newest(count)}
    await wait_for(lambda: newest <= db.thread_ids() and not screen.prefetching, timeout=20)
    return screen


def row_text(screen: MainScreen, conversation_id: str) -> str:
    listing = screen.conversation_list
    index = screen.store.view_index(conversation_id)
    assert index is not None
    return listing.render_line(index - listing.scroll_offset.y).text


async def test_the_prefetch_stores_the_newest_threads_fills_their_rows_and_marks_nothing_read(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    user = first_user(server)
    unread_before = [
        c["contactId"]
        for c in server.dataset.conversations
        if not server.dataset.is_read(c["contactId"], user)
    ]
    app = stored_app(server, tmp_path, prefetch=12)
    async with app.run_test(size=NARROW) as pilot:
        screen = await prefetched(app, 12)
        newest = screen.store.newest(12)
        assert all(entry.summary is not None for entry in newest)
        assert all(entry.summary is None for entry in screen.store.newest(30)[12:])
        assert marks_sent(server) == []  # never markAsRead
        assert screen.store.unread_count == len(unread_before)
        top = newest[0]
        assert top.summary is not None
        # the row shows the newest message's first words (and the subject, when it has one)
        words = top.summary.snippet.split()[0]
        assert words in row_text(screen, top.id)
        # "/" finds a conversation by a word of its subject or snippet, not only names
        entry = next(e for e in newest if e.summary and e.summary.subject)
        assert entry.summary is not None
        word = max(entry.summary.subject.split(), key=len).strip("!?,.")
        await pilot.press("slash", *word.lower(), "enter")
        assert screen.store.view_index(entry.id) is not None
        assert word.casefold() not in entry.name.casefold()
    await app.client.aclose()
    assert [c for c in unread_before if server.dataset.is_read(c, user)] == []

    # a restart resumes: every stored thread is fresh, so no thread is fetched again
    server.clear_log()
    again = stored_app(server, tmp_path, prefetch=12)
    async with again.run_test(size=NARROW):
        screen = main_screen(again)
        # the first frame already shows the stored summaries (warm start, no request yet)
        assert screen.store.newest(1)[0].summary is not None
        await prefetched(again, 12)
        assert thread_requests(server) == []
    await again.client.aclose()


async def test_an_open_goes_before_the_prefetch_and_only_it_is_marked_read(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(40)
    # A tight window: the prefetch of 30 threads keeps the limiter busy for seconds.
    limiter = RateLimiter(max_calls=4, period=1.0)
    app = stored_app(server, tmp_path, prefetch=30, limiter=limiter)
    async with app.run_test(size=NARROW) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: len(screen.store) > 0 and not screen.busy)
        await wait_for(
            lambda: screen.status.state.threads is not None and screen.status.state.threads[0] >= 2
        )
        target = screen.store.newest(40)[35]  # not one the prefetch stores
        assert target.thread_id is not None
        before = len(server.requests())
        index = screen.store.view_index(target.id)
        assert index is not None
        screen.conversation_list.move_to(index)
        await pilot.press("enter")
        await wait_for(lambda: target.thread_id in thread_requests(server))
        log = server.requests()[before:]
        opened_at = next(i for i, r in enumerate(log) if r.path.endswith(target.thread_id))
        # at most what was already in flight went first: the open did not queue behind the rest
        assert opened_at <= 2
        assert screen.status.state.threads is not None  # the prefetch was still going
        await wait_for(lambda: not screen.prefetching, timeout=30)
        # the open is the only conversation ever marked (if it was unread at all)
        assert set(marks_sent(server)) <= {target.thread_id}
        assert [e.id for e in screen.store.newest(30) if e.thread_id in marks_sent(server)] == []
    await app.client.aclose()


async def test_offline_there_is_no_prefetch(make_server: ServerFactory, tmp_path: Path) -> None:
    server = make_server(20)
    app = stored_app(server, tmp_path, prefetch=10)
    async with app.run_test(size=NARROW):
        await prefetched(app, 10)
    await app.client.aclose()
    server.clear_log()
    client = tui_harness.make_client(server, DEMO_API_KEY)
    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, prefetch_threads=200)
    store = StoreOptions(data_dir=tmp_path, base_url=server.base_url, demo=True)
    offline = InboxApp(
        client, settings, user_id=first_user(server), clock=fixed_clock, demo=True, store=store, offline=True
    )
    async with offline.run_test(size=NARROW) as pilot:
        screen = main_screen(offline)
        await wait_for(lambda: not screen.busy)
        await pilot.pause(0.3)
        assert not screen.prefetching and screen.status.state.threads is None
    await client.aclose()
    assert server.requests() == []


async def test_c_cycles_the_channel_filter_and_keeps_the_cursor_where_it_can(
    make_server: ServerFactory,
) -> None:
    server = make_server(40)
    app = stored_app(server, None)
    async with app.run_test(size=NARROW) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: len(screen.store) > 0 and not screen.busy)
        store, listing = screen.store, screen.conversation_list
        linkedin = next(e for e in store.newest(40) if "linkedin" in e.channels and "email" in e.channels)
        index = store.view_index(linkedin.id)
        assert index is not None
        listing.move_to(index)
        await pilot.press("c")  # email
        assert store.channel == "email" and listing.cursor_id == linkedin.id
        assert all("email" in store.view_at(i).channels for i in range(store.view_size))
        assert "email: " in screen_text(app)
        await pilot.press("c")  # LinkedIn: still shown
        assert store.channel == "linkedin" and listing.cursor_id == linkedin.id
        assert "LinkedIn: " in screen_text(app)
        await pilot.press("c", "c")  # WhatsApp, SMS: not shown, the cursor goes to the nearest
        assert store.channel == "sms"
        assert listing.cursor_id != linkedin.id
        await pilot.press("u")  # composes with unread only
        assert "SMS + " in screen_text(app) or "unread only + SMS" in screen_text(app)
        await pilot.press("u", "c")  # back to every channel
        assert store.channel == "" and not store.filtered
        assert store.view_size == len(store)
    await app.client.aclose()


async def test_w_shows_who_owes_a_reply_from_stored_threads(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    app = stored_app(server, tmp_path, prefetch=40)
    async with app.run_test(size=NARROW) as pilot:
        screen = await prefetched(app, 40)
        store = screen.store
        await pilot.press("w")
        assert store.reply == "them"
        theirs = [store.view_at(i) for i in range(store.view_size)]
        assert theirs and all(e.summary is not None and e.summary.last_from == "them" for e in theirs)
        assert "they replied: " in screen_text(app)
        await pilot.press("w")
        assert store.reply == "us"
        ours = [store.view_at(i) for i in range(store.view_size)]
        assert ours and all(e.last_from == "us" for e in ours)
        assert "waiting for them: " in screen_text(app)
        assert not {e.id for e in theirs} & {e.id for e in ours}
        await pilot.press("slash", *"zzz-nothing", "enter")  # composes with the query
        assert store.view_size == 0
        await pilot.press("escape", "w")
        assert not store.filtered
    await app.client.aclose()


async def test_the_wide_pane_previews_the_highlighted_conversation_without_marking_it(
    make_server: ServerFactory,
) -> None:
    server = make_server(30)
    user = first_user(server)
    app = stored_app(server, None)
    async with app.run_test(size=WIDE) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: len(screen.store) > 0 and not screen.busy)
        listing, thread = screen.conversation_list, screen.thread
        unread = [
            screen.store.view_at(i) for i in range(screen.store.view_size) if screen.store.view_at(i).unread
        ]
        first = unread[0]
        index = screen.store.view_index(first.id)
        assert index is not None
        listing.move_to(index)
        await wait_for(lambda: thread.current_conversation_id == first.id and thread.state == "thread")
        assert screen.previewing and listing.open_id is None
        assert first.name in screen_text(app)
        await pilot.pause(0.2)
        assert marks_sent(server) == [] and first.unread  # a preview is not a reading
        # the preview follows the cursor
        await pilot.press("j")
        second = screen.store.view_at(listing.cursor)
        await wait_for(lambda: thread.current_conversation_id == second.id and thread.state == "thread")
        assert screen.previewing
        await pilot.press("k", "enter")  # now opened: marked read, and its row marked open
        await wait_for(lambda: not first.unread)
        assert marks_sent(server) == [first.thread_id]
        assert not screen.previewing and listing.open_id == first.id
        await pilot.press("tab")  # back to the list
        assert row_text(screen, first.id).startswith("▶")
        await pilot.press("j", "j")
        await pilot.pause(0.5)  # past the preview's debounce: the pane keeps what was opened
        assert thread.current_conversation_id == first.id
        assert server.dataset.is_read(first.thread_id, user)  # type: ignore[arg-type]
    await app.client.aclose()


async def test_a_narrow_screen_previews_nothing(make_server: ServerFactory) -> None:
    server = make_server(10)
    app = stored_app(server, None)
    async with app.run_test(size=NARROW) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: len(screen.store) > 0 and not screen.busy)
        await pilot.pause(0.5)
        assert screen.thread.current_conversation_id is None and not screen.previewing
    await app.client.aclose()


async def _all_stored(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, InboxApp)
    await prefetched(app, 200)
    screen = main_screen(app)
    await wait_for(lambda: screen.narrow or screen.thread.state == "thread")
    await pilot.pause(0.3)


def test_list_with_subjects_at_80x24(snap_compare: Any, tmp_path: Path) -> None:
    with snapshot_server() as server:
        assert snap_compare(stored_app(server, tmp_path), terminal_size=NARROW, run_before=_all_stored)


def test_list_with_subjects_and_preview_at_160x45(snap_compare: Any, tmp_path: Path) -> None:
    with snapshot_server() as server:
        assert snap_compare(stored_app(server, tmp_path), terminal_size=WIDE, run_before=_all_stored)


async def test_hostile_subjects_and_first_words_show_literally_at_both_sizes(tmp_path: Path) -> None:
    """Markup, terminal escapes, bidi overrides, carriage returns and 300-character subjects
    from the stand-in's hostile cases: sanitized, drawn literally, the layout holds."""
    with snapshot_server(5, hostile=True) as server:
        for size in (NARROW, WIDE):
            app = stored_app(server, tmp_path / f"{size[0]}")
            async with app.run_test(size=size) as pilot:
                screen = await prefetched(app, 200)
                await pilot.pause(0.3)
                text = tui_harness.assert_screen_clean(app, f"list at {size}")
                markup = next(
                    e for e in screen.store.newest(200) if e.summary and "[blink]" in e.summary.subject
                )
                row = row_text(screen, markup.id)
                assert "[blink]URGENT[/" in row and "[bold]fr" in row  # brackets kept: no markup
                assert "Invoice" in text and "overdue" in text
                assert not tui_harness.CONTROL.search(text.replace("\n", ""))
                for entry in screen.store.newest(200):
                    if entry.summary is not None:
                        assert not tui_harness.CONTROL.search(entry.summary.subject + entry.summary.snippet)
            await app.client.aclose()

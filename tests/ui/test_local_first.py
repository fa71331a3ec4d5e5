"""The TUI on its local inbox, over real loopback HTTP against the stand-in.

Each test runs the app more than once on one data dir (a tmp dir: never the developer's),
as a user restarting it would: the second start shows the stored rows before any answer,
syncs with one or two requests, reads stored threads offline, and sends a read mark made
offline on a later start, exactly once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from ui_helpers import (
    ServerFactory,
    first_user,
    loaded,
    local_app,
    main_screen,
    screen_text,
    wait_for,
)

import tui_harness
from lemlist_inbox import cli
from lemlist_inbox.config import Settings
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.local import LocalInbox, StoreOptions
from lemlist_inbox.ui.app import InboxApp
from lemlist_inbox.ui.screens import main as main_module
from lemlist_inbox.ui.screens.main import MainScreen

SIZE = (160, 45)


def synced(screen: MainScreen) -> bool:
    """The start-up sync (and any reconcile after it) is over and succeeded."""
    state = screen.status.state
    return not screen.busy and not screen.reconciling and not state.freshness and state.error is None


def unread_for(conversation: dict[str, object], user: str) -> bool:
    users = conversation.get("users") or []
    assert isinstance(users, list)
    return not any(u.get("userId") == user and u.get("read") for u in users if isinstance(u, dict))


def view_ids(screen: MainScreen) -> list[str]:
    return [screen.store.view_at(i).id for i in range(screen.store.view_size)]


def inbox_pages(server: DemoServer) -> int:
    return len([r for r in server.requests("/api/inbox") if r.path == "/api/inbox"])


def mark_requests(server: DemoServer, contact_id: str) -> int:
    return len(
        [r for r in server.requests(f"/api/inbox/{contact_id}") if r.query.get("markAsRead") == "true"]
    )


async def first_run(server: DemoServer, data_dir: Path, **kw: object) -> list[str]:
    """Start, load everything (cold, streamed), quit; the ids in list order."""
    app = local_app(server, data_dir, **kw)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: len(screen.store) == len(server.dataset) and synced(screen))
        await wait_for(lambda: screen.team is not None)  # the user's name is kept too
        ids = view_ids(screen)
    await app.client.aclose()
    return ids


async def test_warm_start_shows_stored_rows_with_the_stand_in_stopped(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    ids = await first_run(server, tmp_path)
    unread = sum(1 for c in server.dataset.conversations if unread_for(c, first_user(server)))
    first = server.dataset.users[0]
    name = str(first["name"])
    server.stop()

    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        # No wait: the rows were there for the first frame, from the file.
        assert view_ids(screen)[: len(screen.store)] == ids[: len(screen.store)]
        assert screen.conversation_list.cursor == 0
        assert screen.conversation_list.cursor_id == ids[0]
        assert screen.status.state.unread == unread
        assert screen.header.user_label == name  # as last seen, with no team lookup possible
        await wait_for(lambda: not screen.busy)
        assert view_ids(screen) == ids  # the rest of the file, then a failed sync: all kept
        assert screen.status.state.freshness.startswith("offline · data from")
        assert screen.status.state.error is None
        assert "offline · data from" in screen_text(app)
        await pilot.press("slash", *"zzzz-no-match", "enter")
        assert screen.store.view_size == 0
    await app.client.aclose()


async def test_a_sync_after_bumps_costs_two_requests_and_lifts_them_to_the_top(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(60)
    await first_run(server, tmp_path)
    bumped = server.add_activity(4, new=1)
    server.clear_log()

    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: synced(screen) and len(screen.store) == len(server.dataset))
        assert inbox_pages(server) <= 2
        assert view_ids(screen)[: len(bumped)] == bumped
    await app.client.aclose()


async def test_refresh_reconciles_deletions_and_read_states_changed_elsewhere(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(40)
    await first_run(server, tmp_path)
    user = first_user(server)
    conversations = list(server.dataset.conversations)
    gone = conversations[20]
    read_elsewhere = next(c for c in conversations[25:] if unread_for(c, user))
    server.dataset.remove(gone["contactId"])
    server.dataset.mark_read(read_elsewhere["contactId"], user)

    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: synced(screen))
        # Neither change moves a conversation: the incremental sync cannot see them.
        assert gone["_id"] in screen.store
        await pilot.press("r")
        await wait_for(lambda: gone["_id"] not in screen.store)
        await wait_for(lambda: synced(screen))
        entry = screen.store.get(read_elsewhere["_id"])
        assert entry is not None and not entry.unread
        assert len(screen.store) == len(server.dataset)
    await app.client.aclose()
    db = InboxDatabase.open(StoreOptions(tmp_path, server.base_url, demo=True).path_for(user))
    assert gone["_id"] not in db.conversation_ids()
    db.close()


async def test_a_read_mark_made_offline_is_sent_after_a_restart_exactly_once(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    user = first_user(server)
    target = next(c for c in server.dataset.conversations if unread_for(c, user))
    contact = target["contactId"]

    # Online, marking off: open the conversation so its thread is stored, unread.
    app = local_app(server, tmp_path, mark_read_on_open=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: synced(screen))
        screen.open_conversation(target["_id"])
        await wait_for(lambda: screen.thread.state == "thread")
        local = screen.local
        assert local is not None and local.db is not None
        await wait_for(lambda: contact in local.db.thread_ids())  # type: ignore[union-attr]
        text = screen.thread.layout_text
        await pilot.press("q")
    await app.client.aclose()

    # Offline: the stored thread opens, and the mark is written down, not sent.
    server.clear_log()
    app = local_app(server, tmp_path, offline=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        assert screen.status.state.freshness.startswith("offline · data from")
        screen.open_conversation(target["_id"])
        await wait_for(lambda: screen.thread.state == "thread")
        assert screen.thread.layout_text == text
        entry = screen.store.get(target["_id"])
        await wait_for(lambda: entry is not None and not entry.unread)  # shown read at once
        other = next(i for i in reversed(view_ids(screen)) if i != target["_id"])
        screen.open_conversation(other)  # never opened nor highlighted: nothing stored
        await wait_for(lambda: screen.thread.state == "error")
        assert "not stored for offline reading" in screen.thread.layout_text
        await pilot.press("q")
    assert app.return_value == []  # kept for the next start, so not reported lost
    assert server.requests() == []  # --offline: not one request
    assert server.dataset.is_read(contact, user) is False
    await app.client.aclose()

    # Online again: sent once, crossed off.
    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: server.dataset.is_read(contact, user) is True)
        await wait_for(lambda: len(app.mark_queue) == 0)
        await wait_for(lambda: synced(screen))
        entry = screen.store.get(target["_id"])
        assert entry is not None and not entry.unread
    await app.client.aclose()

    # And never again.
    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: synced(screen))
        assert len(app.mark_queue) == 0
    await app.client.aclose()
    assert mark_requests(server, contact) == 1


async def test_a_corrupt_database_is_rebuilt_with_one_warning(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    path = StoreOptions(tmp_path, server.base_url, demo=True).path_for(first_user(server))
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 200)

    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: synced(screen) and len(screen.store) == len(server.dataset))
        assert screen.status.state.warning == "the local inbox was not a readable database; rebuilt"
    await app.client.aclose()
    assert list(tmp_path.glob("*.bad-*"))

    # Rebuilt: the next start is a warm one, with nothing to say.
    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        assert len(screen.store) == len(server.dataset)
        await wait_for(lambda: synced(screen))
        assert screen.status.state.warning == ""
    await app.client.aclose()


async def test_two_instances_on_one_database_both_work(make_server: ServerFactory, tmp_path: Path) -> None:
    """Both sync and show the same inbox; a mark owed from before is sent by one of them."""
    server = make_server(30)
    user = first_user(server)
    await first_run(server, tmp_path)
    path = StoreOptions(tmp_path, server.base_url, demo=True).path_for(user)
    owed = next(c for c in server.dataset.conversations if unread_for(c, user))
    db = InboxDatabase.open(path)
    db.add_pending_mark(owed["_id"], owed["contactId"], user)
    db.close()
    server.add_activity(3, new=1)
    one, two = local_app(server, tmp_path), local_app(server, tmp_path)
    async with one.run_test(size=SIZE), two.run_test(size=SIZE):
        first, second = main_screen(one), main_screen(two)
        await wait_for(lambda: synced(first) and synced(second))
        assert len(first.store) == len(second.store) == len(server.dataset)
        assert view_ids(first) == view_ids(second)
        await wait_for(lambda: server.dataset.is_read(owed["contactId"], user) is True)
        await wait_for(lambda: len(one.mark_queue) == 0 and len(two.mark_queue) == 0)
    await one.client.aclose()
    await two.client.aclose()
    assert mark_requests(server, owed["contactId"]) == 1
    db = InboxDatabase.open(path)
    assert db.verify() and db.warning is None
    assert len(db.conversation_ids()) == len(server.dataset)
    assert db.pending_marks() == []
    db.close()


def thread_requests(server: DemoServer, contact_id: str) -> int:
    return len(
        [
            r
            for r in server.requests(f"/api/inbox/{contact_id}")
            if r.path == f"/api/inbox/{contact_id}" and r.query.get("markAsRead") != "true"
        ]
    )


async def test_a_stored_thread_opens_without_a_request_and_is_refetched_only_when_newer(
    make_server: ServerFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(main_module, "PREFETCH_DELAY", 3600.0)  # only opens fetch here
    server = make_server(30)
    user = first_user(server)
    ids = await first_run(server, tmp_path)
    # Every thread stored, as after a user read them all (through the store's own API).
    local = LocalInbox(StoreOptions(tmp_path, server.base_url, demo=True), user)
    local.warm_start(None)
    contacts: dict[str, str] = {}
    async with tui_harness.make_client(server, DEMO_API_KEY) as client:
        for entry in local.store.view_slice(0, len(local.store)):
            assert entry.thread_id is not None
            contacts[entry.id] = entry.thread_id
            thread = await client.thread(entry.thread_id, user_id=user, mark_as_read=False)
            await local.threads.save(entry.thread_id, thread, activity=-entry.key[0])
    local.close()
    bumped = server.add_activity(1, new=0)[0]
    quiet = next(i for i in ids[5:] if i != bumped)
    server.clear_log()

    app = local_app(server, tmp_path, mark_read_on_open=False)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: synced(screen))
        screen.open_conversation(quiet)
        await wait_for(lambda: screen.thread.state == "thread")
        assert thread_requests(server, contacts[quiet]) == 0

        copy = await LocalInbox(StoreOptions(tmp_path, server.base_url, demo=True), user).threads.load(
            contacts[bumped]
        )
        assert copy is not None
        old = len(copy.thread.messages)
        screen.open_conversation(bumped)
        await wait_for(lambda: screen.thread.state == "thread")
        # The stored copy, then the newer thread from one request, with the new reply.
        await wait_for(lambda: f"{old + 1} messages" in screen.thread.layout_text)
        assert thread_requests(server, contacts[bumped]) == 1
    await app.client.aclose()


async def test_reconnection_clears_the_status_and_sends_the_mark_made_offline(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    user = first_user(server)
    target = next(c for c in server.dataset.conversations if unread_for(c, user))
    contact = target["contactId"]
    app = local_app(server, tmp_path, mark_read_on_open=False)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: synced(screen))
        screen.open_conversation(target["_id"])
        local = screen.local
        assert local is not None and local.db is not None
        await wait_for(lambda: contact in local.db.thread_ids())  # type: ignore[union-attr]
    await app.client.aclose()
    server.stop()

    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = main_screen(app)
        await wait_for(lambda: screen.status.state.freshness.startswith("offline · data from"))
        assert not app.online.is_set()
        screen.open_conversation(target["_id"])
        await wait_for(lambda: screen.thread.state == "thread")
        entry = screen.store.get(target["_id"])
        await wait_for(lambda: entry is not None and not entry.unread)
        assert len(app.mark_queue) == 1
        server.start()
        await pilot.press("r")
        await wait_for(lambda: server.dataset.is_read(contact, user) is True)
        await wait_for(lambda: synced(screen) and len(app.mark_queue) == 0)
        assert screen.status.state.error is None
        assert "offline" not in screen_text(app)
    await app.client.aclose()
    assert mark_requests(server, contact) == 1


def test_cache_false_writes_no_database(
    make_server: ServerFactory, monkeypatch: pytest.MonkeyPatch, private_data_dir: Path
) -> None:
    """Through ``cli._run_tui``: ``cache = false`` keeps nothing; the default keeps a file."""
    server = make_server(20)
    real_run = InboxApp.run

    def headless_run(self: InboxApp, **kwargs: Any) -> Any:
        async def drive(pilot: Pilot[list[str]]) -> None:
            await loaded(self)
            await pilot.press("q")

        return real_run(self, headless=True, size=(120, 30), auto_pilot=drive)

    monkeypatch.setattr(InboxApp, "run", headless_run)
    monkeypatch.setattr(cli, "_client", lambda settings: tui_harness.make_client(server, DEMO_API_KEY))
    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, user_id=first_user(server))
    settings.refresh_interval = 0
    vars(settings)["cache"] = False  # the setting, whether or not this Settings declares it
    assert cli._run_tui(settings, demo=False) == cli.EXIT_OK
    assert not private_data_dir.exists()

    vars(settings)["cache"] = True
    assert cli._run_tui(settings, demo=False) == cli.EXIT_OK
    assert len(list(private_data_dir.glob("inbox-*.sqlite3"))) == 1


async def test_a_mark_that_landed_stays_read_after_a_restart(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    """Even below the first page, which the next start's incremental sync never reads."""
    server = make_server(30)
    user = first_user(server)
    await first_run(server, tmp_path)
    deep = next(c for c in list(server.dataset.conversations)[20:] if unread_for(c, user))
    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: synced(screen))
        screen.open_conversation(deep["_id"])
        await wait_for(lambda: server.dataset.is_read(deep["contactId"], user) is True)
        await wait_for(lambda: len(app.mark_queue) == 0)
    await app.client.aclose()
    server.stop()

    app = local_app(server, tmp_path)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: not screen.busy)
        entry = screen.store.get(deep["_id"])
        assert entry is not None and not entry.unread
    await app.client.aclose()


async def test_switching_user_opens_that_users_local_inbox(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    server = make_server(30)
    alice, bob = (str(u["userId"]) for u in server.dataset.users[:2])
    await first_run(server, tmp_path, user_id=alice)
    await first_run(server, tmp_path, user_id=bob)
    bob_unread = sum(1 for c in server.dataset.conversations if unread_for(c, bob))
    server.stop()

    app = local_app(server, tmp_path, user_id=alice)
    async with app.run_test(size=SIZE):
        screen = main_screen(app)
        await wait_for(lambda: not screen.busy)
        screen.set_user(bob, remember=False)
        # Bob's rows at once, from his own file (the stand-in is gone).
        assert screen.store.user_id == bob and len(screen.store) == len(server.dataset)
        assert screen.store.unread_count == bob_unread
        assert screen.local is not None and screen.local.user_id == bob
        await wait_for(lambda: screen.status.state.freshness.startswith("offline · data from"))
    await app.client.aclose()

"""LocalInbox: warm start without a request, the right sync for each start, freshness, offline."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.errors import NetworkError
from lemlist_inbox.api.retry import RetryPolicy
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.local import LocalInbox, StoreOptions, describe_age
from lemlist_inbox.inbox.store import ConversationStore

FAST = RetryPolicy(backoff_base=0.001, max_backoff=0.005, max_retry_after=0.02, default_retry_after=0.01)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=250) as srv:
        yield srv


def client_for(server: DemoServer) -> LemlistClient:
    return LemlistClient(DEMO_API_KEY, base_url=server.base_url, retry_policy=FAST, max_retries=1, timeout=2)


def options(tmp_path: Path, server: DemoServer) -> StoreOptions:
    return StoreOptions(data_dir=tmp_path / "data", base_url=server.base_url)


def listing(inbox: LocalInbox) -> list[str]:
    return [inbox.store.view_at(i).id for i in range(inbox.store.view_size)]


async def stored_file(server: DemoServer, tmp_path: Path) -> str:
    """A file holding every conversation of the first user (synced, closed); that user."""
    user = str(server.dataset.users[0]["userId"])
    first = LocalInbox(options(tmp_path, server), user)
    async with client_for(server) as client:
        await first.sync(client, page_size=100)
    first.close()
    return user


def inbox_requests(server: DemoServer) -> int:
    return len([r for r in server.requests("/api/inbox") if r.path == "/api/inbox"])


async def test_second_start_shows_rows_before_any_request_and_syncs_in_one(
    server: DemoServer, tmp_path: Path
) -> None:
    user = str(server.dataset.users[0]["userId"])
    first = LocalInbox(options(tmp_path, server), user)
    assert first.warm_start() == 0
    async with client_for(server) as client:
        progress = await first.sync(client, page_size=100)
    assert progress.kind == "full" and progress.complete
    first.close()

    server.clear_log()
    clock = Clock()
    again = LocalInbox(options(tmp_path, server), user, clock=clock)
    assert again.warm_start(head=40) == 40  # the first screenful, before any request
    assert again.stored_counts() == (len(first.store), first.store.unread_count)  # status figures at once
    again.load_rest()
    assert listing(again) == [c["_id"] for c in server.dataset.conversations]
    assert inbox_requests(server) == 0
    async with client_for(server) as client:
        progress = await again.sync(client, page_size=100)
    assert (progress.kind, inbox_requests(server)) == ("incremental", 1)


async def test_freshness_and_offline_are_said(server: DemoServer, tmp_path: Path) -> None:
    user = str(server.dataset.users[0]["userId"])
    clock = Clock()
    inbox = LocalInbox(options(tmp_path, server), user, clock=clock)
    assert inbox.freshness() == "not synced yet"
    async with client_for(server) as client:
        await inbox.sync(client, page_size=100)
    synced = inbox.last_sync
    assert synced is not None
    clock.now = synced + 185
    assert inbox.freshness() == "synced 3 min ago"
    server.stop()
    async with client_for(server) as client:
        with pytest.raises(NetworkError):
            await inbox.sync(client, page_size=100)
    assert inbox.offline and inbox.freshness() == "offline · data from 3 min ago"
    assert len(inbox.store) == len(server.dataset)  # rows stay
    server.start()
    async with client_for(server) as client:
        await inbox.sync(client, page_size=100)
    assert not inbox.offline


async def test_cache_false_writes_nothing_and_still_syncs_incrementally(
    server: DemoServer, tmp_path: Path
) -> None:
    user = str(server.dataset.users[0]["userId"])
    inbox = LocalInbox(StoreOptions(data_dir=None, base_url=server.base_url), user)
    async with client_for(server) as client:
        assert (await inbox.sync(client, page_size=100)).kind == "full"
        server.clear_log()
        server.add_activity(2)
        progress = await inbox.sync(client, page_size=100)
    assert progress.kind == "incremental" and inbox_requests(server) <= 2
    assert not (tmp_path / "data").exists()
    assert inbox.db is None and inbox.warning is None


async def test_an_owed_read_stays_read_after_a_restart(server: DemoServer, tmp_path: Path) -> None:
    user = str(server.dataset.users[0]["userId"])
    inbox = LocalInbox(options(tmp_path, server), user)
    async with client_for(server) as client:
        await inbox.sync(client, page_size=100)
    unread = next(e for e in (inbox.store.view_at(i) for i in range(inbox.store.view_size)) if e.unread)
    assert inbox.db is not None
    inbox.db.add_pending_mark(unread.id, unread.thread_id or "", user)  # read offline, then quit
    inbox.close()
    again = LocalInbox(options(tmp_path, server), user)
    again.warm_start(head=None)
    assert not again.store.get(unread.id).unread  # type: ignore[union-attr]


def test_an_unusable_data_dir_says_so_once_and_keeps_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    inbox = LocalInbox(StoreOptions(data_dir=blocker, base_url="http://127.0.0.1:1/api"), "usr_1")
    assert inbox.db is None
    assert inbox.warning is not None and "nothing is saved" in inbox.warning


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(5, "just now"), (60, "1 min ago"), (3599, "59 min ago"), (7200, "2 h ago"), (86400 * 3, "3 days ago")],
)
def test_describe_age(seconds: float, text: str) -> None:
    assert describe_age(seconds) == text


async def test_the_rest_is_read_in_a_thread_and_merged_on_the_loop(
    server: DemoServer, tmp_path: Path
) -> None:
    """``read_rest`` touches only the file; ``merge_rest`` the list (the loop's side)."""
    user = await stored_file(server, tmp_path)
    store = ConversationStore("someone else")
    again = LocalInbox(options(tmp_path, server), user, store=store)
    assert again.store is store and store.user_id == user and len(store) == 0  # emptied for the user
    assert again.warm_start(head=40) == 40
    rows = await asyncio.to_thread(again.read_rest, 40)
    assert rows is not None and len(rows) == len(server.dataset) - 40
    assert len(store) == 40  # nothing merged from the thread
    again.merge_rest(rows)
    assert listing(again) == [c["_id"] for c in server.dataset.conversations]


async def test_reconcile_on_its_own_drops_what_the_server_no_longer_lists(
    server: DemoServer, tmp_path: Path
) -> None:
    user = str(server.dataset.users[0]["userId"])
    inbox = LocalInbox(options(tmp_path, server), user)
    async with client_for(server) as client:
        await inbox.sync(client, page_size=100)
        gone = list(server.dataset.conversations)[200]
        server.dataset.remove(gone["contactId"])
        progress = await inbox.sync(client, page_size=100, allow_reconcile=False)
        assert progress.kind == "incremental" and gone["_id"] in inbox.store
        progress = await inbox.reconcile(client, page_size=100)
    assert progress.kind == "reconcile" and progress.removed == 1
    assert gone["_id"] not in inbox.store


def test_the_last_user_is_kept_beside_the_database(tmp_path: Path) -> None:
    demo = StoreOptions(data_dir=tmp_path / "data", base_url="http://127.0.0.1:1/api", demo=True)
    assert demo.last_user() is None
    demo.remember_user("usr_1")
    assert demo.last_user() == "usr_1"
    assert StoreOptions(data_dir=tmp_path / "data", base_url="x").last_user() is None  # the demo's only
    demo.remember_user("usr_\x1b[2J")  # never kept: it would be shown in the header
    assert demo.last_user() == "usr_1"
    assert StoreOptions(data_dir=None, base_url="x", demo=True).last_user() is None


async def test_the_stored_rows_are_read_in_chunks_all_once_in_order(
    server: DemoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Warm start of everything, ``load_rest`` and ``read_rest`` by chunks (figure 8, peak
    RSS): across chunk boundaries every row comes once, newest first."""
    from lemlist_inbox.inbox import local

    user = await stored_file(server, tmp_path)
    expected = [c["_id"] for c in server.dataset.conversations]
    monkeypatch.setattr(local, "READ_CHUNK", 7)

    whole = LocalInbox(options(tmp_path, server), user)
    chunks = list(whole.chunks())
    assert [len(c) for c in chunks[:-1]] == [7] * (len(chunks) - 1) and 0 < len(chunks[-1]) <= 7
    assert [row.id for c in chunks for row in c] == expected
    assert whole.warm_start(head=None) == len(expected) and listing(whole) == expected
    whole.close()

    rest = LocalInbox(options(tmp_path, server), user)
    rest.warm_start(head=10)
    rest.load_rest()
    assert listing(rest) == expected
    part = rest.read_rest(10, 7, verify=False)
    assert part is not None and [row.id for row in part] == expected[10:17]
    rest.close()

"""Sync against the stand-in over real loopback HTTP: cold, incremental, reconcile, restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lemlist_inbox.api import LemlistError
from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.retry import RetryPolicy
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.store import ConversationStore
from lemlist_inbox.inbox.sync import (
    full_load,
    incremental,
    needs_full_load,
    reconcile,
    reconcile_due,
    walked_before,
)

PAGE = 50
FAST = RetryPolicy(backoff_base=0.001, max_backoff=0.005, max_retry_after=0.02, default_retry_after=0.01)


def live_client(base_url: str, key: str, **kwargs: Any) -> LemlistClient:
    """The real client over loopback, with the real rate limiter and short retry waits."""
    kwargs.setdefault("retry_policy", FAST)
    kwargs.setdefault("timeout", 5.0)
    return LemlistClient(key, base_url=base_url, **kwargs)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=400) as srv:
        yield srv


def user_of(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


def warm_store(db: InboxDatabase, user_id: str) -> ConversationStore:
    """What a restart does: the list rebuilt from the database alone."""
    store = ConversationStore(user_id)
    store.merge_rows(db.conversations())
    return store


def inbox_requests(server: DemoServer) -> int:
    return len([r for r in server.requests("/api/inbox") if r.path == "/api/inbox"])


def server_order(server: DemoServer) -> list[str]:
    return [c["_id"] for c in server.dataset.conversations]


async def test_cold_load_fills_the_database_and_a_restart_needs_no_request(
    server: DemoServer, tmp_path: Path
) -> None:
    user = user_of(server)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    store = ConversationStore(user)
    assert needs_full_load(store, walked_before(db))
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        progress = await full_load(client, store, db, user, page_size=PAGE)
    assert progress.complete
    assert len(store) == len(server.dataset)
    db.close()

    server.stop()  # a restart with the stand-in gone: everything from the file
    again = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    restarted = warm_store(again, user)
    assert [restarted.view_at(i).id for i in range(restarted.view_size)] == server_order(server)
    assert restarted.unread_count == store.unread_count
    assert not needs_full_load(restarted, walked_before(again))


async def test_sync_after_bumps_makes_at_most_two_requests_and_bumped_rows_lead(
    server: DemoServer, tmp_path: Path
) -> None:
    user = user_of(server)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        await full_load(client, ConversationStore(user), db, user, page_size=PAGE)
        bumped = server.add_activity(5, new=2)
        store = warm_store(db, user)
        server.clear_log()
        progress = await incremental(client, store, db, user, page_size=PAGE)
    assert progress.complete
    assert inbox_requests(server) <= 2
    assert progress.changed == 5
    assert [store.view_at(i).id for i in range(5)] == bumped
    assert all(store.get(i).unread for i in bumped)  # type: ignore[union-attr]
    assert [store.view_at(i).id for i in range(store.view_size)] == server_order(server)
    # and the file has the news too: the next restart starts from it
    assert [r.id for r in db.conversations(limit=5)] == bumped


async def test_sync_with_no_news_is_one_request(server: DemoServer, tmp_path: Path) -> None:
    user = user_of(server)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        await full_load(client, ConversationStore(user), db, user, page_size=PAGE)
        store = warm_store(db, user)
        server.clear_log()
        progress = await incremental(client, store, db, user, page_size=PAGE)
    assert (progress.complete, progress.changed, inbox_requests(server)) == (True, 0, 1)


async def test_reconcile_removes_a_deleted_conversation_and_picks_up_a_read_elsewhere(
    server: DemoServer, tmp_path: Path
) -> None:
    user = user_of(server)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        store = ConversationStore(user)
        await full_load(client, store, db, user, page_size=PAGE)
        deep = list(server.dataset.conversations)[PAGE:]  # below page 1: a sync from the top stops first
        unread_deep = next(c for c in deep if server.dataset.is_read(c["contactId"], user) is False)
        gone = deep[-1] if deep[-1] is not unread_deep else deep[-2]
        server.dataset.mark_read(unread_deep["contactId"], user)  # a teammate's web session
        server.dataset.remove(gone["contactId"])

        # An incremental sync cannot see either: nothing moved at the top.
        await incremental(client, store, db, user, page_size=PAGE)
        assert gone["_id"] in store
        assert store.get(unread_deep["_id"]).unread  # type: ignore[union-attr]

        progress = await reconcile(client, store, db, user, page_size=PAGE)
    assert progress.complete and progress.removed == 1
    assert gone["_id"] not in store
    assert not store.get(unread_deep["_id"]).unread  # type: ignore[union-attr]
    restarted = warm_store(db, user)
    assert gone["_id"] not in restarted
    assert not restarted.get(unread_deep["_id"]).unread  # type: ignore[union-attr]


async def test_a_walk_that_fails_part_way_removes_nothing(server: DemoServer, tmp_path: Path) -> None:
    user = user_of(server)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    async with live_client(server.base_url, DEMO_API_KEY, max_retries=0) as client:
        store = ConversationStore(user)
        await full_load(client, store, db, user, page_size=PAGE)
        before = len(store)
        server.faults.paths = ("/api/inbox",)
        server.faults.error_every = 3  # one of the next three page requests fails for good
        with pytest.raises(LemlistError):
            await reconcile(client, store, db, user, page_size=PAGE)
    assert len(store) == before
    assert len(db.conversations()) == before


async def test_offline_reads_are_not_undone_by_a_sync(server: DemoServer, tmp_path: Path) -> None:
    user = user_of(server)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        store = ConversationStore(user)
        await full_load(client, store, db, user, page_size=PAGE)
        bumped = server.add_activity(1, new=0)[0]
        store.mark_read(bumped)  # read here; the server does not know yet
        await incremental(client, store, db, user, page_size=PAGE, keep_read={bumped})
    assert not store.get(bumped).unread  # type: ignore[union-attr]


def test_reconcile_is_due_when_never_done_or_old(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    assert reconcile_due(db, 1800, now=1000.0)
    db.set_state("last_reconcile", "1000")
    assert not reconcile_due(db, 1800, now=2000.0)
    assert reconcile_due(db, 1800, now=2800.0)
    assert not reconcile_due(db, 0, now=1e9)  # 0 = off
    assert not reconcile_due(None, 1800)

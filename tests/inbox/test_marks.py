"""Read marks made offline survive a restart and are sent exactly once (real loopback HTTP)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.api.mark_queue import MarkQueue
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.marks import MarkBook, instance_alive, owed_ids, restore


def unread_for(server: DemoServer, count: int) -> list[tuple[str, str, str]]:
    user = str(server.dataset.users[0]["userId"])
    found = [
        (c["_id"], c["contactId"], user)
        for c in server.dataset.conversations
        if server.dataset.is_read(c["contactId"], user) is False
    ]
    assert len(found) >= count
    return found[:count]


def marks_sent(server: DemoServer, contact_id: str) -> int:
    return len(
        [
            r
            for r in server.requests(f"/api/inbox/{contact_id}")
            if r.query.get("markAsRead") == "true" and r.status < 400
        ]
    )


async def wait_until(predicate: object, timeout: float = 15.0) -> None:
    assert callable(predicate)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_offline_marks_are_sent_after_a_restart_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    with DemoServer(conversations=40) as server:
        targets = unread_for(server, 3)
        server.stop()  # offline
        db = InboxDatabase.open(path)
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0, timeout=1) as client:
            queue = MarkQueue(client, backoff=lambda failures: 3600.0, journal=db)
            for conversation_id, contact_id, user_id in targets:
                queue.submit(contact_id, user_id, conversation_id)
            unsent = await queue.flush(timeout=2)  # quitting while offline
            assert sorted(unsent) == sorted(t[0] for t in targets)
        db.close()

        server.start()  # the network is back; the app starts again
        again = InboxDatabase.open(path)
        user_id = targets[0][2]
        assert owed_ids(again, user_id) == {t[0] for t in targets}
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0) as client:
            queue = MarkQueue(client, backoff=lambda failures: 0.05, journal=again)
            assert restore(queue, again, user_id) == 3
            assert restore(queue, again, user_id) == 0  # once is enough
            await wait_until(lambda: not again.pending_marks())
            await queue.aclose()
        for _conversation_id, contact_id, user in targets:
            assert server.dataset.is_read(contact_id, user) is True
            assert marks_sent(server, contact_id) == 1
        again.close()
        assert InboxDatabase.open(path).pending_marks() == []


async def test_a_failed_try_is_written_down(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    with DemoServer(conversations=10) as server:
        [(conversation_id, contact_id, user_id)] = unread_for(server, 1)
        server.stop()
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url, max_retries=0, timeout=1) as client:
            queue = MarkQueue(client, backoff=lambda failures: 3600.0, journal=db)
            queue.submit(contact_id, user_id, conversation_id)
            await wait_until(lambda: db.pending_marks() and db.pending_marks()[0].attempts == 1)
            await queue.aclose()
    [mark] = db.pending_marks()
    assert mark.last_error


class _Holding:
    """A client whose marks never finish: what is queued stays queued."""

    async def mark_read(self, contact_id: str, user_id: str) -> None:
        await asyncio.Event().wait()


async def test_a_mark_another_live_instance_sends_is_left_to_it(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    db.add_pending_mark("cnv_1", "ctc_1", "usr_1")
    first, second = MarkQueue(_Holding()), MarkQueue(_Holding())
    assert restore(first, db, "usr_1", owner="4242:a", alive=lambda owner: True) == 1
    # A second instance on the same file, while the first runs: not sent twice.
    assert restore(second, db, "usr_1", owner="1111:b", alive=lambda owner: owner == "4242:a") == 0
    assert len(second) == 0
    # The first one died without sending it: the next start takes it over.
    assert restore(second, db, "usr_1", owner="1111:b", alive=lambda owner: False) == 1
    await first.aclose()
    await second.aclose()
    db.close()


def test_an_instance_is_alive_while_its_book_is_open() -> None:
    book = MarkBook()
    assert instance_alive(book.owner)
    book.close()
    assert not instance_alive(book.owner)
    assert not instance_alive("not-a-pid")

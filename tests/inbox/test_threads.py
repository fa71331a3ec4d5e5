"""Stored threads: fetched once, reopened from the file after a restart, fresh until activity moves."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lemlist_inbox.api.client import LemlistClient
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer
from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.search import SearchIndex
from lemlist_inbox.inbox.threads import StoredThreads
from lemlist_inbox.render.message import render_thread


async def test_a_stored_thread_reopens_after_a_restart_without_the_server(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    with DemoServer(conversations=20) as server:
        conversation = server.dataset.conversations[0]
        contact_id = conversation["contactId"]
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url) as client:
            fetched = await client.thread(contact_id)
        threads = StoredThreads(InboxDatabase.open(path))
        await threads.save(contact_id, fetched, activity=100.0)
    # the server is gone; a new process opens the file
    copy = await StoredThreads(InboxDatabase.open(path)).load(contact_id)
    assert copy is not None
    assert [m.id for m in copy.thread.messages] == [m.id for m in fetched.messages]
    assert [m.to_api_dict() for m in copy.thread.messages] == [m.to_api_dict() for m in fetched.messages]
    assert copy.fresh_for(100.0) and not copy.fresh_for(100.5)


async def test_a_stored_thread_is_searchable_by_a_word_of_its_body(tmp_path: Path) -> None:
    with DemoServer(conversations=20) as server:
        contact_id = server.dataset.conversations[0]["contactId"]
        async with LemlistClient(DEMO_API_KEY, base_url=server.base_url) as client:
            fetched = await client.thread(contact_id)
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    await StoredThreads(db).save(contact_id, fetched, activity=1.0)
    newest = render_thread(fetched.messages)[-1]
    word = max(re.findall(r"[A-Za-z]{6,}", newest.body.text), key=len)
    hits = SearchIndex(db).search(word)
    assert newest.message_id in [h.message_id for h in hits]
    assert all(h.contact_id == contact_id for h in hits)


async def test_unknown_fields_and_odd_messages_survive_the_round_trip(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    db.save_thread(
        "ctc_x",
        [
            {"_id": "m2", "type": "whatsapp", "createdAt": "2026-12-01T10:00:00Z", "future": {"a": 1}},
            {"no_id": True},
            {"_id": "m1", "type": "emailsReplied", "createdAt": "2026-11-30T10:00:00Z"},
        ],
        activity=5.0,
    )
    copy = await StoredThreads(db).load("ctc_x")
    assert copy is not None
    assert [m.id for m in copy.thread.messages] == ["m1", "m2"]  # oldest first, as fetched ones
    assert copy.thread.skipped == 1
    assert json.dumps(copy.thread.messages[1].to_api_dict()).count("future") == 1


async def test_without_a_database_nothing_is_stored() -> None:
    threads = StoredThreads(None)
    assert await threads.load("ctc_x") is None

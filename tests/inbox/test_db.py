"""The on-disk inbox: round trips, permissions, bad files, two instances, failed writes."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import sqlite3
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from lemlist_inbox.inbox.db import (
    SCHEMA_VERSION,
    InboxDatabase,
    StoredConversation,
    database_path,
)


def row(
    ident: str, activity: float, *, read: bool | None = False, contact_id: str | None = None
) -> StoredConversation:
    return StoredConversation(
        id=ident,
        contact_id=contact_id or f"ctc_{ident}",
        contact=(f"ctc_{ident}", f"Name {ident}", None, None, f"{ident}@example.com", None),
        users=(("usr_1", True, read),),
        channels=("email",),
        last_activity_at="2026-12-01T10:00:00.000Z",
        activity=activity,
        have_replies=True,
        raw=json.dumps({"_id": ident}),
    )


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "inbox.sqlite3"


def test_conversations_round_trip_newest_first(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0), row("b", 3.0), row("c", 2.0), row("d", -math.inf)])
    rows = db.conversations()
    assert [r.id for r in rows] == ["b", "c", "a", "d"]
    assert rows[0] == row("b", 3.0)._replace(raw="")  # the list never reads the raw item
    assert [r.id for r in db.conversations(limit=2)] == ["b", "c"]
    assert db.raw_conversation("a") == {"_id": "a"}
    db.close()
    again = InboxDatabase.open(path)
    assert [r.id for r in again.conversations()] == ["b", "c", "a", "d"]
    assert again.warning is None


def test_a_contact_finds_its_newest_conversation_and_raw_items_come_in_bulk(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations(
        [row("a", 1.0, contact_id="ctc_x"), row("b", 3.0, contact_id="ctc_x"), row("c", 2.0)]
    )
    found = db.conversation_for_contact("ctc_x")
    assert found is not None and (found.id, found.activity) == ("b", 3.0)
    assert db.conversation_for_contact("ctc_nobody") is None
    assert {k: json.loads(v) for k, v in db.raw_conversations().items()} == {
        "a": {"_id": "a"},
        "b": {"_id": "b"},
        "c": {"_id": "c"},
    }
    db.close()


def test_save_replaces_by_id_and_delete_drops_thread_too(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0)])
    db.save_conversations([row("a", 5.0, read=True)])
    [only] = db.conversations()
    assert only.activity == 5.0 and only.users == (("usr_1", True, True),)
    db.save_thread("ctc_a", [{"_id": "m1"}], activity=5.0)
    db.delete_conversations(["a"])
    assert db.conversations() == []
    assert db.thread("ctc_a") is None


def test_hostile_strings_are_stored_without_raising(path: Path) -> None:
    db = InboxDatabase.open(path)
    nasty = "\ud800\x1b]0;title\x07\u202e"
    db.save_conversations([row(nasty, 1.0)._replace(raw='{"x": 1}')])
    db.save_thread(nasty, [{"body": nasty}], activity=1.0)
    assert db.conversations()[0].id == "\ufffd\x1b]0;title\x07\u202e"  # storable; the UI sanitizes
    stored = db.thread(nasty)
    assert stored is not None and stored.messages == [{"body": nasty}]


def test_threads_round_trip(path: Path) -> None:
    db = InboxDatabase.open(path)
    assert db.thread("ctc_x") is None
    db.save_thread("ctc_x", [{"_id": "m1", "body": "<p>hi</p>"}, {"_id": "m2"}], activity=42.0)
    stored = db.thread("ctc_x")
    assert stored is not None
    assert stored.activity == 42.0
    assert [m["_id"] for m in stored.messages] == ["m1", "m2"]
    assert db.thread_ids() == {"ctc_x"}


def test_pending_marks_survive_a_restart_and_are_never_doubled(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.add_pending_mark("cnv_1", "ctc_1", "usr_1")
    db.add_pending_mark("cnv_1", "ctc_1", "usr_1")
    db.note_mark_failure("cnv_1", "usr_1", "network down")
    db.close()
    again = InboxDatabase.open(path)
    [mark] = again.pending_marks()
    assert (mark.conversation_id, mark.contact_id, mark.user_id, mark.attempts, mark.last_error) == (
        "cnv_1",
        "ctc_1",
        "usr_1",
        1,
        "network down",
    )
    again.remove_pending_mark("cnv_1", "usr_1")
    assert again.pending_marks() == []


def test_file_is_private_and_folder_is_0700(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0)])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    wal = Path(f"{path}-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) == 0o600


def test_corrupt_file_is_moved_aside_and_rebuilt_with_one_warning(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not sqlite" * 100)
    db = InboxDatabase.open(path)
    assert db.warning is not None and "moved to" in db.warning
    assert db.degraded is None
    db.save_conversations([row("a", 1.0)])
    assert [r.id for r in db.conversations()] == ["a"]
    aside = [p for p in path.parent.iterdir() if ".bad-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not sqlite")


def test_damaged_pages_are_detected_and_rebuilt(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row(f"c{i}", float(i)) for i in range(2000)])
    db._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    data = bytearray(path.read_bytes())
    for offset in range(4096 * 2, len(data), 4096):  # scribble over every page after the first two
        data[offset + 100 : offset + 400] = os.urandom(300)
    path.write_bytes(bytes(data))
    again = InboxDatabase.open(path)  # cheap checks only: a warm start cannot read every page first
    assert again.verify() is False
    assert again.warning is not None and "rebuilding" in again.warning
    assert again.conversations() == []
    again.save_conversations([row("a", 1.0)])
    assert [r.id for r in again.conversations()] == ["a"]
    assert any(".bad-" in p.name for p in path.parent.iterdir())


def test_a_sound_file_verifies(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0)])
    assert db.verify() is True and db.warning is None


def test_newer_schema_is_moved_aside(path: Path) -> None:
    InboxDatabase.open(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db = InboxDatabase.open(path)
    assert db.warning is not None and f"schema {SCHEMA_VERSION + 1}" in db.warning


def test_foreign_sqlite_file_is_not_used(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE notes (x)")
    db = InboxDatabase.open(path)
    assert db.warning is not None and "not a lemlist-inbox database" in db.warning


def test_read_only_folder_keeps_working_in_memory(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permissions: make the folder a file instead, which fails for anyone.
        blocker = tmp_path / "data"
        blocker.write_text("a file where the folder should be")
        target = blocker / "inbox.sqlite3"
    else:
        locked = tmp_path / "data"
        locked.mkdir(mode=0o500)
        target = locked / "inbox.sqlite3"
    db = InboxDatabase.open(target)
    assert db.path is None
    assert db.warning is not None and "nothing is saved" in db.warning
    db.save_conversations([row("a", 1.0)])  # in memory, no raise
    assert [r.id for r in db.conversations()] == ["a"]


def test_failed_write_degrades_once_and_never_raises(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0)])
    db._db.execute("PRAGMA query_only = ON")  # every write now fails as on a read-only disk
    db.save_conversations([row("b", 2.0)])
    assert db.degraded is not None
    first_warning = db.warning
    assert first_warning is not None and "working in memory" in first_warning
    db.add_pending_mark("cnv", "ctc", "usr")  # skipped, no raise
    assert db.warning == first_warning
    assert [r.id for r in db.conversations()] == ["a"]


def test_two_instances_write_at_once_without_corruption(path: Path) -> None:
    first, second = InboxDatabase.open(path), InboxDatabase.open(path)
    errors: list[BaseException] = []

    def writer(db: InboxDatabase, prefix: str) -> None:
        try:
            for n in range(150):
                db.save_conversations([row(f"{prefix}{n}", float(n))])
                db.add_pending_mark(f"{prefix}{n}", "ctc", "usr")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(db, p)) for db, p in ((first, "a"), (second, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert first.degraded is None and second.degraded is None
    assert len(first.conversations()) == 300 == len(second.conversations())
    assert len(second.pending_marks()) == 300
    first.close()
    second.close()
    assert InboxDatabase.open(path).warning is None


def test_cache_false_writes_nothing(tmp_path: Path) -> None:
    db = InboxDatabase.open(None)
    db.save_conversations([row("a", 1.0)])
    assert db.path is None and db.warning is None
    assert list(tmp_path.iterdir()) == []


def test_clear_keeps_pending_marks(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0)])
    db.save_thread("ctc_a", [], activity=1.0)
    db.set_state("last_sync", "12.5")
    db.add_pending_mark("a", "ctc_a", "usr_1")
    db.clear()
    info = db.info()
    assert (info.conversations, info.threads, info.pending_marks, info.last_sync) == (0, 0, 1, None)


def test_info_counts_and_times(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.save_conversations([row("a", 1.0), row("b", 2.0)])
    db.set_state("last_sync", "100.5")
    info = db.info()
    assert info.path == path and info.size_bytes > 0
    assert (info.conversations, info.threads, info.last_sync, info.last_reconcile) == (2, 0, 100.5, None)


def test_database_path_depends_on_account_and_user_never_the_key(tmp_path: Path) -> None:
    a = database_path(tmp_path, "https://api.lemlist.com/api", "usr_1")
    assert a == database_path(tmp_path, "https://api.lemlist.com/api/", "usr_1")
    assert a != database_path(tmp_path, "https://api.lemlist.com/api", "usr_2")
    assert a != database_path(tmp_path, "http://127.0.0.1:1/api", "usr_1")
    assert a != database_path(tmp_path, "https://api.lemlist.com/api", "usr_1", demo=True)
    assert a.parent == tmp_path
    demo = database_path(tmp_path, "http://127.0.0.1:4001/api", "usr_1", demo=True)
    assert demo == database_path(tmp_path, "http://127.0.0.1:4002/api", "usr_1", demo=True)


def _open_at_once(path: str, barrier: Any, results: Any) -> None:
    barrier.wait()
    db = InboxDatabase.open(Path(path))
    results.put((db.path is not None, db.warning))
    db.close()


def test_instances_creating_the_file_at_the_same_instant_all_use_it(tmp_path: Path) -> None:
    """Each read of the file's identity in its own snapshot, or a journal-mode change
    refused at once, made one of several new instances move the file aside or fall
    back to memory."""
    context = multiprocessing.get_context("fork")
    for trial in range(25):
        path = tmp_path / f"t{trial}" / "inbox.sqlite3"
        barrier, results = context.Barrier(4), context.Queue()
        procs = [context.Process(target=_open_at_once, args=(str(path), barrier, results)) for _ in range(4)]
        for proc in procs:
            proc.start()
        outcomes = [results.get(timeout=30) for _ in procs]
        for proc in procs:
            proc.join(30)
        assert outcomes == [(True, None)] * 4, (trial, outcomes)
        assert not list(path.parent.glob("*.bad-*"))


def test_set_read_updates_the_row_and_the_raw_item(path: Path) -> None:
    db = InboxDatabase.open(path)
    db.user_id = "usr_1"
    stored = row("a", 1.0)._replace(
        raw=json.dumps({"_id": "a", "users": [{"userId": "usr_1", "read": False}]})
    )
    db.save_conversations([stored, row("b", 2.0)])
    assert db.counts() == (2, 2)
    db.set_read("a", "usr_1")
    db.set_read("missing", "usr_1")  # gone meanwhile: nothing to do
    assert db.counts() == (2, 1)
    [a] = [r for r in db.conversations() if r.id == "a"]
    assert a.users == (("usr_1", True, True),)
    assert db.raw_conversation("a") == {"_id": "a", "users": [{"userId": "usr_1", "read": True}]}
    db.close()

"""The commands through the local inbox: real processes, real loopback HTTP, the stand-in.

What each test proves is counted on the stand-in's request log (``DemoServer.requests``),
never timed: a warm ``list`` costs at most two requests, ``--offline`` none at all (the
server is stopped, so any request would fail the command), ``sync --threads`` never sends
``markAsRead``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_runner import demo_flags, local_env, run_cli
from lemlist_inbox.demo import DemoServer
from lemlist_inbox.inbox.db import SCHEMA_VERSION, InboxDatabase, database_path

KEY = "store-cli-key-7d41e0c2"
CONVERSATIONS = 230  # asked for; the stand-in adds a few fixed ones (``total``)


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=CONVERSATIONS, api_key=KEY, seed=5) as srv:
        yield srv


def total(server: DemoServer) -> int:
    return len(server.dataset.conversations)


def user_of(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


def cli(
    server: DemoServer, tmp_path: Path, *args: str, offline: bool = False
) -> subprocess.CompletedProcess[str]:
    flags = [*demo_flags(server), *(["--offline"] if offline else [])]
    return run_cli(*flags, *args, env=local_env(tmp_path, KEY))


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def db_path(server: DemoServer, tmp_path: Path) -> Path:
    return database_path(tmp_path / "data", server.base_url, user_of(server))


def listed_ids(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [json.loads(line)["_id"] for line in result.stdout.splitlines()]


def inbox_pages(server: DemoServer) -> list[int]:
    return [int(r.query.get("page", "0")) for r in server.requests("/api/inbox") if r.path == "/api/inbox"]


def thread_requests(server: DemoServer) -> list[dict[str, str]]:
    return [r.query for r in server.requests("/api/inbox/")]


def newest_contacts(server: DemoServer, count: int) -> list[str]:
    return [str(c["contactId"]) for c in server.dataset.conversations[:count]]


def test_warm_list_after_bumps_makes_at_most_two_requests_bumped_rows_first(
    server: DemoServer, tmp_path: Path
) -> None:
    cold = ok(cli(server, tmp_path, "list", "--jsonl"))
    assert len(listed_ids(cold)) == total(server)
    server.clear_log()
    bumped = server.add_activity(5, new=1)
    warm = ok(cli(server, tmp_path, "list", "--jsonl"))
    assert len(inbox_pages(server)) <= 2, inbox_pages(server)
    ids = listed_ids(warm)
    assert ids[:5] == bumped
    assert ids == [c["_id"] for c in server.dataset.conversations]
    assert not any(q.get("markAsRead") for r in server.requests() for q in [r.query])


def test_warm_plain_list_prints_the_same_rows_as_a_cold_one(server: DemoServer, tmp_path: Path) -> None:
    cold = ok(cli(server, tmp_path, "list"))
    warm = ok(cli(server, tmp_path, "list"))
    assert warm.stdout == cold.stdout
    assert warm.stderr == cold.stderr == ""
    unread = ok(cli(server, tmp_path, "list", "--unread", "--limit", "7"))
    assert unread.stdout.splitlines() == [line for line in cold.stdout.splitlines() if line[0] == "*"][:7]


def test_offline_list_with_the_server_stopped_prints_the_stored_rows(
    server: DemoServer, tmp_path: Path
) -> None:
    online = ok(cli(server, tmp_path, "list", "--json"))
    server.stop()  # any request now fails the command
    assert cli(server, tmp_path, "list").returncode == 1
    offline = ok(cli(server, tmp_path, "list", "--json", offline=True))
    assert json.loads(offline.stdout) == json.loads(online.stdout)
    assert re.fullmatch(
        r"lemlist-inbox: offline · data from just now \(\d{4}-\d\d-\d\d \d\d:\d\d\)\n", offline.stderr
    )


def test_offline_with_nothing_stored_is_one_line_and_exit_1(server: DemoServer, tmp_path: Path) -> None:
    server.stop()
    result = cli(server, tmp_path, "list", offline=True)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "nothing is stored" in result.stderr
    shown = cli(server, tmp_path, "show", "ctc_nothing", offline=True)
    assert (
        shown.returncode == 1 and shown.stderr.count("\n") == 1 and "not in the local inbox" in shown.stderr
    )


def test_sync_threads_stores_the_newest_threads_without_marking_then_show_reads_them_offline(
    server: DemoServer, tmp_path: Path
) -> None:
    contacts = newest_contacts(server, 4)
    elsewhere = tmp_path / "elsewhere"  # the reference output, from another local inbox
    online = {c: ok(cli(server, elsewhere, "show", c)).stdout for c in contacts[:3]}
    server.clear_log()
    result = ok(cli(server, tmp_path, "sync", "--threads", "3"))
    assert re.fullmatch(
        rf"lemlist-inbox: synced {total(server)} conversations in \d+\.\d s \(\d+ requests; full\); "
        r"3 thread\(s\) stored, 0 already fresh\n",
        result.stderr,
    ), result.stderr
    assert result.stdout == ""
    queries = thread_requests(server)
    assert len(queries) >= 3 and not any("markAsRead" in q for q in queries)

    server.clear_log()
    again = ok(cli(server, tmp_path, "sync", "--threads", "3"))
    assert "0 thread(s) stored, 3 already fresh" in again.stderr and not thread_requests(server)
    server.clear_log()
    assert ok(cli(server, tmp_path, "show", contacts[0])).stdout == online[contacts[0]]
    assert not thread_requests(server), "a fresh stored thread is printed without a request"

    server.stop()
    for contact in contacts[:3]:
        shown = ok(cli(server, tmp_path, "show", contact, offline=True))
        assert shown.stdout == online[contact]
        assert shown.stderr.startswith("lemlist-inbox: offline · data from just now")
    assert cli(server, tmp_path, "show", contacts[3], offline=True).returncode == 1


def test_show_fetches_and_stores_but_never_marks_read(server: DemoServer, tmp_path: Path) -> None:
    contact = newest_contacts(server, 1)[0]
    ok(cli(server, tmp_path, "show", contact))
    assert not any("markAsRead" in q for q in thread_requests(server))
    server.stop()
    assert ok(cli(server, tmp_path, "show", contact, "--json", offline=True)).stdout.startswith("[")


def test_cache_info_before_and_after_a_sync(server: DemoServer, tmp_path: Path) -> None:
    before = json.loads(ok(cli(server, tmp_path, "cache", "info", "--json")).stdout)
    assert before["exists"] is False and before["conversations"] == 0 and before["last_sync"] is None
    assert not (tmp_path / "data").exists(), "cache info never creates the file"
    ok(cli(server, tmp_path, "sync", "--threads", "2"))
    after = json.loads(ok(cli(server, tmp_path, "cache", "info", "--json")).stdout)
    assert after["path"] == str(db_path(server, tmp_path))
    assert (after["conversations"], after["threads"], after["pending_read_marks"], after["outbox"]) == (
        total(server),
        2,
        0,
        0,
    )
    assert after["schema_version"] == SCHEMA_VERSION and after["size_bytes"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", after["last_sync"])
    text = ok(cli(server, tmp_path, "cache", "info")).stdout
    assert f"conversations       {total(server)}" in text
    assert re.search(r"last sync +just now \(\d{4}-\d\d-\d\d \d\d:\d\d\) · \d{4}-", text)


def test_cache_clear_keeps_pending_read_marks(server: DemoServer, tmp_path: Path) -> None:
    ok(cli(server, tmp_path, "sync", "--threads", "1"))
    db = InboxDatabase.open(db_path(server, tmp_path))
    db.add_pending_mark("ibx_owed", "ctc_owed", user_of(server))  # read offline in the TUI
    db.close()
    cleared = ok(cli(server, tmp_path, "cache", "clear"))
    assert f"{total(server)} conversations, 1 threads; kept 1 pending read mark(s)" in cleared.stdout
    info = json.loads(ok(cli(server, tmp_path, "cache", "info", "--json")).stdout)
    assert (info["conversations"], info["threads"], info["pending_read_marks"]) == (0, 0, 1)
    assert info["last_sync"] is None
    server.stop()
    assert cli(server, tmp_path, "list", offline=True).returncode == 1  # nothing stored any more


def test_two_processes_syncing_one_database_both_succeed(server: DemoServer, tmp_path: Path) -> None:
    command = [
        sys.executable, "-m", "lemlist_inbox", "--base-url", server.base_url,
        "--user-id", user_of(server), "sync", "--threads", "5",
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEMLIST")} | local_env(tmp_path, KEY)
    procs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [proc.communicate(timeout=60) for proc in procs]
    for proc, (_out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert "warning" not in err and err.startswith("lemlist-inbox: synced"), err
    with sqlite3.connect(db_path(server, tmp_path)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT COUNT(*) FROM conversations").fetchone()[0] == total(server)
        assert db.execute("SELECT COUNT(*) FROM threads").fetchone()[0] == 5


@pytest.mark.parametrize("damage", ["garbage", "torn"])
def test_a_corrupt_database_is_rebuilt_with_one_warning_line(
    server: DemoServer, tmp_path: Path, damage: str
) -> None:
    rows = ok(cli(server, tmp_path, "list")).stdout
    path = db_path(server, tmp_path)
    data = bytearray(path.read_bytes())
    if damage == "garbage":
        data = bytearray(b"not a database at all " * 200)
    else:  # a valid header, damaged pages (a crash of the disk, not of SQLite)
        for offset in range(4096 * 2, len(data), 4096):
            data[offset : offset + 64] = b"\xff" * 64
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    path.write_bytes(bytes(data))
    result = ok(cli(server, tmp_path, "list"))
    assert result.stdout == rows
    warnings = result.stderr.splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("lemlist-inbox: warning: the local inbox was")
    assert "rebuilding" in warnings[0]
    assert list(path.parent.glob(f"{path.name}.bad-*")), "the damaged file is kept aside"
    assert ok(cli(server, tmp_path, "list")).stderr == "", "rebuilt once, then quiet"


def test_cache_false_writes_nothing(server: DemoServer, tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("cache = false\n")
    first = ok(cli(server, tmp_path, "list"))
    second = ok(cli(server, tmp_path, "list"))
    assert first.stdout == second.stdout and len(first.stdout.splitlines()) == total(server)
    ok(cli(server, tmp_path, "show", newest_contacts(server, 1)[0]))
    assert not (tmp_path / "data").exists()
    offline = cli(server, tmp_path, "list", offline=True)
    assert offline.returncode == 1 and "cache = false" in offline.stderr
    assert cli(server, tmp_path, "sync").returncode == 2
    assert not (tmp_path / "data").exists()


def test_the_key_is_never_in_the_database(server: DemoServer, tmp_path: Path) -> None:
    ok(cli(server, tmp_path, "sync", "--threads", "10"))
    ok(cli(server, tmp_path, "show", newest_contacts(server, 12)[-1]))
    basic = base64.b64encode(f":{KEY}".encode()).decode()
    files = list((tmp_path / "data").iterdir())
    assert files
    for file in files:
        raw = file.read_bytes()
        assert KEY.encode() not in raw and basic.encode() not in raw, file
        assert KEY not in file.name
    assert not any(KEY in str(p) for p in files)


def test_offline_sends_nothing_and_needs_no_key(server: DemoServer, tmp_path: Path) -> None:
    ok(cli(server, tmp_path, "list"))
    server.clear_log()
    env = local_env(tmp_path, KEY)
    del env["LEMLIST_API_KEY"]
    result = run_cli(
        "--base-url", server.base_url, "--user-id", user_of(server), "--offline", "list", env=env
    )
    ok(result)
    assert len(result.stdout.splitlines()) == total(server)
    assert server.requests() == []
    users = run_cli("--base-url", server.base_url, "--offline", "users", env=env)
    assert users.returncode == 1 and "needs the network" in users.stderr


def test_demo_has_its_own_database(tmp_path: Path) -> None:
    env = local_env(tmp_path, KEY)
    ok(run_cli("--demo", "list", env=env))
    files = [p.name for p in (tmp_path / "data").glob("*.sqlite3")]
    assert len(files) == 1 and files[0].startswith("demo-")
    offline = ok(run_cli("--demo", "--offline", "list", env=env))
    assert offline.stdout.count("\n") >= 300


def test_list_never_walks_every_page_sync_does_when_the_interval_is_up(
    server: DemoServer, tmp_path: Path
) -> None:
    (tmp_path / "c.toml").write_text("reconcile_interval = 60\n")
    ok(cli(server, tmp_path, "list"))
    db = InboxDatabase.open(db_path(server, tmp_path))
    db.set_state("last_reconcile", "0")  # long ago
    db.close()
    server.clear_log()
    ok(cli(server, tmp_path, "list"))
    assert len(inbox_pages(server)) == 1
    server.clear_log()
    synced = ok(cli(server, tmp_path, "sync"))
    assert "; reconcile)" in synced.stderr
    pages = -(-total(server) // 100)
    assert set(inbox_pages(server)) == set(range(1, pages + 1)) and len(inbox_pages(server)) > pages


def test_show_mark_read_is_kept_in_the_local_inbox_at_once(server: DemoServer, tmp_path: Path) -> None:
    ok(cli(server, tmp_path, "list"))
    user = user_of(server)
    unread = next(
        c
        for c in server.dataset.conversations[5:]
        if any(u["userId"] == user and u["read"] is False for u in c["users"])
    )
    ok(cli(server, tmp_path, "show", str(unread["contactId"]), "--mark-read"))
    marks = [q for q in thread_requests(server) if q.get("markAsRead")]
    assert len(marks) == 1 and marks[0]["userId"] == user
    server.stop()
    rows = ok(cli(server, tmp_path, "list", "--jsonl", offline=True)).stdout.splitlines()
    item = next(json.loads(line) for line in rows if json.loads(line)["_id"] == unread["_id"])
    assert next(u for u in item["users"] if u["userId"] == user)["read"] is True
    plain = ok(cli(server, tmp_path, "list", offline=True)).stdout
    line = next(x for x in plain.splitlines() if x.endswith(str(unread["contactId"])))
    assert line.startswith(" "), "no unread mark"


def test_offline_finds_the_one_stored_user_without_user_id(server: DemoServer, tmp_path: Path) -> None:
    ok(cli(server, tmp_path, "list"))
    server.stop()
    env = local_env(tmp_path, KEY)
    result = ok(run_cli("--base-url", server.base_url, "--offline", "list", env=env))
    assert len(result.stdout.splitlines()) == total(server)
    other = run_cli("--base-url", "http://127.0.0.1:9/api", "--offline", "list", env=env)
    assert other.returncode == 2 and "--user-id" in other.stderr


def test_show_refetches_a_stored_thread_older_than_the_conversation_or_the_last_sync(
    server: DemoServer, tmp_path: Path
) -> None:
    contact = newest_contacts(server, 1)[0]
    ok(cli(server, tmp_path, "list"))
    ok(cli(server, tmp_path, "show", contact))
    server.clear_log()
    ok(cli(server, tmp_path, "show", contact))
    assert not thread_requests(server), "fresh: printed from the file"

    with sqlite3.connect(db_path(server, tmp_path)) as db:  # stored before the last activity
        db.execute("UPDATE threads SET activity = activity - 60 WHERE contact_id = ?", (contact,))
    ok(cli(server, tmp_path, "show", contact))
    assert len(thread_requests(server)) == 1
    server.clear_log()
    ok(cli(server, tmp_path, "show", contact))
    assert not thread_requests(server), "the fetched copy was stored"

    db = InboxDatabase.open(db_path(server, tmp_path))
    db.set_state("last_sync", "0")  # the stored activity itself is old news
    db.close()
    ok(cli(server, tmp_path, "show", contact))
    assert len(thread_requests(server)) == 1


def test_an_unusable_data_dir_is_said_once_and_list_still_works(server: DemoServer, tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    result = ok(cli(server, tmp_path, "list"))
    assert len(result.stdout.splitlines()) == total(server)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "nothing is saved" in lines[0], result.stderr

"""The outbox: written before sending, never sent twice, never lost across a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from lemlist_inbox.inbox.db import InboxDatabase
from lemlist_inbox.inbox.outbox import Outbox


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "inbox.sqlite3"


def add(outbox: Outbox, text: str = "Yes, the price is final.") -> str:
    entry = outbox.add(
        contact_id="ctc_1",
        user_id="usr_1",
        channel="email",
        payload={"contactId": "ctc_1", "message": f"<p>{text}</p>"},
        text=text,
        conversation_id="cnv_1",
    )
    assert entry is not None
    return entry.id


def test_a_reply_is_on_disk_before_it_is_sent_and_gone_after(path: Path) -> None:
    outbox = Outbox(InboxDatabase.open(path))
    entry_id = add(outbox)
    assert [e.state for e in Outbox(InboxDatabase.open(path)).entries()] == [
        "pending"
    ]  # another process sees it
    assert outbox.begin_send(entry_id)
    outbox.sent(entry_id)
    assert outbox.entries() == []


def test_a_send_in_flight_cannot_start_again(path: Path) -> None:
    outbox = Outbox(InboxDatabase.open(path))
    entry_id = add(outbox)
    assert outbox.begin_send(entry_id)
    assert not outbox.begin_send(entry_id)  # a second key press, or a second instance


def test_a_crash_while_sending_leaves_it_unknown_and_never_resent_by_itself(path: Path) -> None:
    outbox = Outbox(InboxDatabase.open(path))
    entry_id = add(outbox)
    outbox.begin_send(entry_id)
    # the process dies here; a new one starts
    after = Outbox(InboxDatabase.open(path))
    [entry] = after.recover(older_than=0)
    assert entry.state == "unknown" and entry.may_have_been_sent
    assert not after.begin_send(entry_id)
    assert not after.retry(entry_id)  # not without the user's word
    assert after.retry(entry_id, confirmed_not_sent=True)
    assert after.begin_send(entry_id)


def test_a_failure_keeps_the_text_and_a_retry_is_allowed(path: Path) -> None:
    outbox = Outbox(InboxDatabase.open(path))
    entry_id = add(outbox, "Hello <b>there</b>")
    outbox.begin_send(entry_id)
    outbox.failed(entry_id, "lemlist: mailbox disconnected (HTTP 400)")
    [entry] = Outbox(InboxDatabase.open(path)).entries()
    assert (entry.state, entry.text, entry.attempts) == ("failed", "Hello <b>there</b>", 1)
    assert entry.last_error == "lemlist: mailbox disconnected (HTTP 400)"
    assert outbox.begin_send(entry_id)


def test_a_timeout_is_unknown_and_found_in_the_thread(path: Path) -> None:
    clock = [1000.0]
    outbox = Outbox(InboxDatabase.open(path), clock=lambda: clock[0])
    entry_id = add(outbox, "Yes, the price is final.\n\nBest, John")
    outbox.begin_send(entry_id)
    outbox.unknown(entry_id, "no answer within 15 s")
    entry = outbox.get(entry_id)
    assert entry is not None and entry.state == "unknown"
    older = (900.0, "Yes, the price is final. Best, John")  # an older message saying the same
    assert not Outbox.appears_in(entry, [older])
    assert Outbox.appears_in(
        entry, [older, (1001.0, "Yes, the price is final.\nBest, John\n--\nSent with lemlist")]
    )
    assert not Outbox.appears_in(entry, [(1001.0, "Yes, the price is")])


def test_pending_entries_survive_a_cache_clear(path: Path) -> None:
    db = InboxDatabase.open(path)
    add(Outbox(db))
    db.clear()
    assert len(Outbox(db).entries()) == 1


def test_a_send_still_in_flight_elsewhere_is_not_taken_for_a_crash(path: Path) -> None:
    now = [1000.0]
    outbox = Outbox(InboxDatabase.open(path), clock=lambda: now[0])
    entry_id = add(outbox)
    assert outbox.begin_send(entry_id)  # another instance is sending it now
    other = Outbox(InboxDatabase.open(path), clock=lambda: now[0])
    [entry] = other.recover()
    assert entry.state == "sending"  # not "unknown": a confirmed resend could race it
    now[0] += 121
    [entry] = other.recover()
    assert entry.state == "unknown"


def test_two_instances_racing_to_send_one_entry_only_one_wins(path: Path) -> None:
    first = Outbox(InboxDatabase.open(path))
    second = Outbox(InboxDatabase.open(path))
    entry_id = add(first)
    assert [first.begin_send(entry_id), second.begin_send(entry_id)] == [True, False]

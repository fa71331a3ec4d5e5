"""Row summaries of stored threads: made from the messages, kept in the file (also one of
the previous schema, migrated), shown by the list's rows and matched by its filter."""

from __future__ import annotations

import json
import math
import sqlite3
from pathlib import Path
from typing import Any

from lemlist_inbox.api.client import Thread
from lemlist_inbox.api.models import Conversation, Message
from lemlist_inbox.inbox.db import APPLICATION_ID, SCHEMA_VERSION, InboxDatabase, StoredConversation
from lemlist_inbox.inbox.rows import listing_row
from lemlist_inbox.inbox.store import ConversationStore
from lemlist_inbox.inbox.summary import SNIPPET_CHARS, THEM, US, ThreadSummary, summarize
from lemlist_inbox.inbox.threads import StoredThreads

ME = "usr_me"


def message(ident: str, kind: str, when: str, body: str, subject: str | None = None) -> Message:
    raw: dict[str, Any] = {"_id": ident, "type": kind, "createdAt": when, "message": body}
    if subject is not None:
        raw["subject"] = subject
    return Message.model_validate(raw)


def conversation(
    n: int, *, replies: bool | None = True, channels: tuple[str, ...] = ("email",)
) -> Conversation:
    raw: dict[str, Any] = {
        "_id": f"ibx_{n}",
        "contactId": f"ctc_{n}",
        "lastActivityAt": f"2024-12-17T10:{n:02d}:00.000Z",
        "users": [{"userId": ME, "read": True}],
        "channels": list(channels),
        "contact": {"_id": f"ctc_{n}", "fullName": f"Person {n}", "email": f"p{n}@example.com"},
    }
    if replies is not None:
        raw["haveReplies"] = replies
    return Conversation.model_validate(raw)


SENT = message("m1", "emailsSent", "2024-12-16T09:00:00Z", "<p>Hello Ann,</p><p>Our offer.</p>", "Offer")
REPLY = message(
    "m2",
    "emailsReplied",
    "2024-12-17T08:30:00Z",
    "<div>Sounds <b>great</b>, call me [tomorrow]\x1b[2J\u202e!</div>"
    "<blockquote>On Mon, Dec 16 you wrote: Hello Ann</blockquote>",
    "Re: Offer",
)


def test_the_summary_is_the_newest_message_and_who_wrote_it() -> None:
    summary = summarize([SENT, REPLY])
    assert summary is not None
    assert summary.subject == "Re: Offer"
    assert summary.last_from == THEM
    assert summary.snippet.startswith("Sounds great, call me [tomorrow]")
    assert "\x1b" not in summary.snippet and "\u202e" not in summary.snippet
    assert "you wrote" not in summary.snippet  # the quoted history is not the news
    assert summary.latest == REPLY.created.timestamp()  # type: ignore[union-attr]
    ours = summarize([REPLY, message("m3", "linkedinSent", "2024-12-18T08:00:00Z", "ok")])
    assert ours is not None
    assert ours.last_from == US
    assert ours.subject == "Re: Offer"  # a LinkedIn message has none: the newest one given
    assert summarize([]) is None


def test_an_unknown_activity_says_nothing_about_who_spoke_last_and_long_text_is_cut() -> None:
    long = message("m9", "somethingNew", "2024-12-18T08:00:00Z", "word " * 500)
    summary = summarize([SENT, long])
    assert summary is not None
    assert summary.last_from == US  # the newest message with a known direction
    assert len(summary.snippet) <= SNIPPET_CHARS + 1 and summary.snippet.endswith("…")
    assert summarize([long]) == ThreadSummary("", summary.snippet, "", summary.latest)


async def test_a_saved_thread_keeps_its_summary_and_rows_read_it_back(tmp_path: Path) -> None:
    db = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    db.user_id = ME
    db.save_conversations([listing_row(conversation(1)), listing_row(conversation(2))])
    threads = StoredThreads(db)
    told: list[tuple[str, ThreadSummary]] = []
    threads.on_summary = lambda contact_id, summary: told.append((contact_id, summary))
    await threads.save("ctc_1", Thread(messages=[SENT, REPLY]), activity=5.0)
    assert [contact for contact, _ in told] == ["ctc_1"]
    db.close()
    again = InboxDatabase.open(tmp_path / "inbox.sqlite3")
    rows = {row.id: row for row in again.conversations()}
    assert rows["ibx_1"].summary == told[0][1]
    assert rows["ibx_2"].summary is None
    assert again.thread_states() == {"ctc_1": (5.0, True)}
    again.delete_conversations(["ibx_1"])
    assert again.summary("ctc_1") is None


def test_a_file_of_the_previous_schema_is_migrated_with_everything_it_holds(tmp_path: Path) -> None:
    path = tmp_path / "inbox.sqlite3"
    db = InboxDatabase.open(path)
    db.user_id = ME
    db.save_conversations([listing_row(conversation(1))._replace(raw=json.dumps({"_id": "ibx_1"}))])
    db.save_thread("ctc_1", [{"_id": "m1", "type": "emailsSent"}], activity=3.0)
    db.add_pending_mark("ibx_1", "ctc_1", ME)
    db.close()
    with sqlite3.connect(path) as raw:  # what a file of schema 1 looks like: no summaries
        raw.execute("DROP TABLE summaries")
        raw.execute("PRAGMA user_version = 1")
        assert raw.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    migrated = InboxDatabase.open(path)
    assert migrated.warning is None  # not moved aside
    assert [row.id for row in migrated.conversations()] == ["ibx_1"]
    assert migrated.thread("ctc_1") is not None
    assert [mark.conversation_id for mark in migrated.pending_marks()] == ["ibx_1"]
    assert migrated.thread_states() == {"ctc_1": (3.0, False)}  # the prefetch will summarize it
    migrated.save_summary("ctc_1", ThreadSummary("s", "t", US, 1.0))
    assert migrated.summary("ctc_1") == ThreadSummary("s", "t", US, 1.0)
    migrated.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_the_filter_matches_subject_and_snippet_and_summaries_survive_pages() -> None:
    store = ConversationStore(ME)
    store.merge([conversation(n) for n in (1, 2, 3)])
    store.set_filter(query="great")
    assert store.view_size == 0
    changed = store.apply_summary("ctc_2", ThreadSummary("Re: Offer", "Sounds GREAT", THEM, 7.0))
    assert [entry.id for entry in changed] == ["ibx_2"]
    assert [store.view_at(i).id for i in range(store.view_size)] == ["ibx_2"]  # joins the view
    store.set_filter(query="re: off")
    assert store.view_size == 1
    # a page from the API (no thread in it) keeps the stored summary, moved or not
    store.merge([conversation(2)])
    entry = store.get("ibx_2")
    assert entry is not None and entry.summary is not None and entry.summary.subject == "Re: Offer"
    moved = listing_row(conversation(2))._replace(activity=10_000.0)
    store.merge_rows([moved])
    entry = store.get("ibx_2")
    assert entry is not None and entry.summary is not None and entry.shown_stamp == 7.0
    assert store.apply_summary("ctc_404", ThreadSummary("", "", "", -math.inf)) == []


def test_channel_and_reply_filters_compose_with_the_query_and_unread() -> None:
    store = ConversationStore(ME)
    store.merge(
        [
            conversation(1, channels=("email",)),
            conversation(2, channels=("linkedin", "email")),
            conversation(3, channels=("LinkedIn",), replies=False),  # never replied: waiting
            conversation(4, channels=("whatsapp",)),
        ]
    )
    store.apply_summary("ctc_1", ThreadSummary("a", "b", THEM, 1.0))
    store.apply_summary("ctc_2", ThreadSummary("a", "b", US, 1.0))

    def shown() -> list[str]:
        return sorted(store.view_at(i).id for i in range(store.view_size))

    store.set_filter(channel="linkedin")
    assert shown() == ["ibx_2", "ibx_3"]
    store.set_filter(reply=US)
    assert shown() == ["ibx_2", "ibx_3"]
    store.set_filter(channel="")
    assert shown() == ["ibx_2", "ibx_3"]
    store.set_filter(reply=THEM)
    assert shown() == ["ibx_1"]
    store.set_filter(query="person 1")
    assert shown() == ["ibx_1"]
    store.set_filter(query="", reply="")  # ibx_4: replies, no stored thread: in neither
    assert len(shown()) == 4
    store.set_filter(reply=THEM, channel="whatsapp")
    assert shown() == []
    store.set_filter(reply="", channel="whatsapp", unread_only=True)
    assert shown() == []
    store.set_filter(unread_only=False)
    assert shown() == ["ibx_4"]


def test_stored_rows_carry_their_summary_into_the_store() -> None:
    summary = ThreadSummary("Subject", "first words", THEM, 3.0)
    row: StoredConversation = listing_row(conversation(5))._replace(summary=summary)
    store = ConversationStore(ME)
    store.merge_rows([row])
    entry = store.get("ibx_5")
    assert entry is not None and entry.summary == summary and entry.last_from == THEM
    assert "first words" in entry.search

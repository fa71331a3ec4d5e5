"""Generated data: deterministic, realistic, compact at 100k, with lemlist's examples verbatim."""

from __future__ import annotations

import collections
import json
from datetime import UTC, datetime

import httpx

from lemlist_inbox.api.models import Conversation, Message, parse_items
from lemlist_inbox.demo import DEMO_API_KEY, SEED_REFERENCE, Dataset, DemoServer
from lemlist_inbox.demo.data import seed_documents

REFERENCE = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_same_seed_same_data() -> None:
    a, b = Dataset(200, seed=3, reference=REFERENCE), Dataset(200, seed=3, reference=REFERENCE)
    assert a.conversations[:] == b.conversations[:]
    assert a.users == b.users
    for conv in a.conversations[:30]:
        assert a.thread(conv["contactId"]) == b.thread(conv["contactId"])


def test_other_seed_other_data_and_reference_only_moves_time() -> None:
    a = Dataset(100, seed=3, reference=REFERENCE)
    assert Dataset(100, seed=4, reference=REFERENCE).conversations.ids() != a.conversations.ids()
    later = Dataset(100, seed=3)  # reference = now
    assert later.conversations.ids() == a.conversations.ids()
    strip = {"lastActivityAt", "createdAt", "lastRepliedAt"}
    assert [{k: v for k, v in c.items() if k not in strip} for c in later.conversations] == [
        {k: v for k, v in c.items() if k not in strip} for c in a.conversations
    ]


def test_lemlist_examples_are_included_verbatim() -> None:
    dataset = Dataset(300, reference=SEED_REFERENCE)
    docs = seed_documents()
    by_contact = {c["contactId"]: c for c in dataset.conversations}
    for example in docs["conversations"]:
        assert by_contact[example["contactId"]] == example
    victoire = "ctc_wfKeM8EmiTikud7QE"
    assert dataset.thread(victoire) == docs["threads"][victoire]
    assert by_contact[victoire]["contact"]["email"] == "victoire@lemlist.co"
    # With the default reference they are the newest conversations, shifted in time only.
    now = Dataset(300)
    assert [c["contactId"] for c in now.conversations[:3]] == [
        c["contactId"] for c in docs["conversations"][:3]
    ]
    assert [m["_id"] for m in now.thread(victoire)] == [m["_id"] for m in docs["threads"][victoire]]
    # Every example contact has a thread, even those the docs do not show.
    for example in docs["conversations"]:
        assert now.thread(example["contactId"])


def test_every_item_parses_with_the_client_models() -> None:
    dataset = Dataset(300, reference=REFERENCE)
    good, skipped, reasons = parse_items(Conversation, list(dataset.conversations))
    assert skipped == 0, reasons
    for conv in good:
        assert conv.thread_id
        messages, bad, reasons = parse_items(Message, dataset.thread(conv.thread_id))
        assert bad == 0, reasons
        assert 1 <= len(messages) <= 15


def test_data_is_varied_like_a_real_inbox() -> None:
    dataset = Dataset(300, reference=REFERENCE)
    convs = list(dataset.conversations)
    assert sum("fullName" not in c["contact"] for c in convs) >= 20  # known by email only
    channels = collections.Counter(ch for c in convs for ch in c["channels"])
    assert channels["email"] > channels["linkedin"] > channels["whatsapp"] > 0
    unread_patterns = {tuple(u["read"] for u in c["users"]) for c in convs}
    assert len(unread_patterns) >= 4  # users disagree about what is read
    assert {c["haveReplies"] for c in convs} == {True, False}
    types: collections.Counter[str] = collections.Counter()
    markers: collections.Counter[str] = collections.Counter()
    lengths = set()
    attachments = 0
    for conv in convs:
        thread = dataset.thread(conv["contactId"])
        lengths.add(len(thread))
        for msg in thread:
            types[msg["type"]] += 1
            attachments += len(msg["attachments"])
            body = msg["message"]
            for marker in (
                'class="gmail_quote',
                'id="divRplyFwdMsg"',
                '<blockquote type="cite"',
                "\n> ",
                'height="1" width="1"',
                "<span summary=",
                "gmail_signature",
                "app.lemcal.com",
            ):
                markers[marker] += marker in body
    assert min(markers.values()) > 0, markers
    assert {
        "emailsSent",
        "emailsReplied",
        "linkedinSent",
        "linkedinReplied",
        "emailsBounced",
        "manualTask",
    } <= set(types)
    assert attachments > 0
    assert {1, 2, 3} <= lengths and max(lengths) >= 10


def test_conversation_fields_agree_with_the_thread() -> None:
    dataset = Dataset(120, reference=REFERENCE)
    for conv in dataset.conversations[4:]:
        thread = dataset.thread(conv["contactId"])  # newest first
        assert thread[-1]["_id"] == conv["createdBy"]
        assert conv["lastActivityAt"] >= thread[0]["createdAt"]
        replies = [m for m in thread if m["type"].endswith("Replied")]
        assert conv["haveReplies"] == bool(replies)
        if replies:
            assert conv["lastRepliedAt"] >= replies[0]["createdAt"]


def test_hundred_thousand_conversations_build_and_serve() -> None:
    with (
        DemoServer(conversations=100_000, reference=REFERENCE) as server,
        httpx.Client(base_url=server.base_url, auth=("", DEMO_API_KEY)) as http,
    ):
        user = server.dataset.users[0]["userId"]
        first = http.get("/inbox", params={"userId": user}).json()
        assert len(first["data"]) == 100
        assert first["pagination"]["totalItems"] == 100_004
        assert first["pagination"]["totalPages"] == 1001
        last = http.get("/inbox", params={"userId": user, "page": 1001}).json()
        assert len(last["data"]) == 4
        cid = last["data"][-1]["contactId"]
        assert http.get(f"/inbox/{cid}").json()["data"]


def test_add_activity_moves_conversations_to_the_top(
    server: DemoServer, http: httpx.Client, user_id: str
) -> None:
    before = server.dataset.conversations.ids()
    old_top = server.dataset.conversations[0]["lastActivityAt"]
    moved = server.add_activity(6)
    page = http.get("/inbox", params={"userId": user_id}).json()
    top = page["data"][:6]
    assert [c["_id"] for c in top] == moved
    assert page["pagination"]["totalItems"] == len(before) + 2  # a third are new conversations
    assert sum(m in before for m in moved) == 4
    assert all(c["lastActivityAt"] > old_top for c in top)
    assert all(not u["read"] for c in top for u in c["users"])
    stamps = [c["lastActivityAt"] for c in page["data"]]
    assert stamps == sorted(stamps, reverse=True)
    # Bumped conversations got a new reply from the prospect, newest first in the thread.
    bumped = next(c for c in top if c["_id"] in before)
    thread = http.get(f"/inbox/{bumped['contactId']}").json()["data"]
    assert thread[0]["type"].endswith("Replied")
    assert thread[0]["createdAt"] <= bumped["lastActivityAt"]
    # Every conversation is still listed exactly once.
    ids = server.dataset.conversations.ids()
    assert len(ids) == len(set(ids)) == len(before) + 2


def test_add_activity_can_only_bump_or_only_create(server: DemoServer) -> None:
    total = len(server.dataset)
    assert len(server.add_activity(3, new=0)) == 3
    assert len(server.dataset) == total
    created = server.add_activity(2, new=2)
    assert len(server.dataset) == total + 2
    assert server.dataset.conversations.ids()[:2] == created


def test_hostile_cases_are_served_and_stable() -> None:
    from lemlist_inbox.demo import hostile

    with (
        DemoServer(conversations=20, hostile=True, reference=REFERENCE) as server,
        httpx.Client(base_url=server.base_url, auth=("", DEMO_API_KEY)) as http,
    ):
        user = server.dataset.users[0]["userId"]
        listed = http.get("/inbox", params={"userId": user}).json()["data"]
        contact_ids = [c.get("contactId") for c in listed]
        assert contact_ids[: len(hostile.CASE_NAMES)] == [hostile.contact_id(n) for n in hostile.CASE_NAMES]
        names = {c["contactId"]: (c["contact"].get("fullName") or "") for c in listed}
        assert "[bold red]" in names[hostile.contact_id("rich_markup")]
        assert "\x1b[2J" in names[hostile.contact_id("terminal_escapes")]
        assert "\u202e" in names[hostile.contact_id("bidi_override")]
        assert len(names[hostile.contact_id("long_name")]) == 300
        empty = http.get(f"/inbox/{hostile.contact_id('empty_thread')}").json()
        assert empty["data"] == [] and empty["pagination"]["totalItems"] == 0
        long = http.get(f"/inbox/{hostile.contact_id('long_thread')}", params={"skip": 400}).json()
        assert long["pagination"]["totalItems"] == 500 and len(long["data"]) == 100
        nasty = http.get(f"/inbox/{hostile.contact_id('html_nasties')}").content
        assert (
            "\ud800"
            in json.loads(nasty)[  # lone surrogate survives as a JSON escape
                "data"
            ][0]["message"]
        )
        big = http.get(f"/inbox/{hostile.contact_id('big_message')}").json()["data"][0]["message"]
        assert len(big) >= hostile.BIG_MESSAGE_BYTES
        assert server.errors == []
    assert Dataset(5, hostile=False).conversations.ids()[0] != hostile.conversation_id("rich_markup")

"""Endpoints over a mock transport: parameters sent, parsing, ordering, mark-as-read rules."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from api_helpers import Recorder, conversations, inbox_page, make_client


def messages(count: int) -> list[dict[str, Any]]:
    """Newest first, as the server sends them."""
    return [
        {
            "_id": f"act_{i:03d}",
            "type": "emailsSent" if i % 2 else "emailsReplied",
            "createdAt": f"2024-12-01T10:{i:02d}:00.000Z",
            "message": f"<p>{i}</p>",
        }
        for i in reversed(range(count))
    ]


def thread_handler(items: list[dict[str, Any]]) -> Recorder:
    def handle(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params.get("skip", 0))
        limit = int(request.url.params.get("limit", 100))
        return httpx.Response(
            200, json={"data": items[skip : skip + limit], "pagination": {"totalItems": len(items)}}
        )

    return Recorder(handle)


async def test_team_users_parses_and_skips_malformed() -> None:
    body = {
        "_id": "tea_1",
        "users": [{"userId": "usr_a", "name": "Ann", "role": "admin"}, {"name": "no id"}, 7],
    }
    rec = Recorder(lambda r: httpx.Response(200, json=body))
    async with make_client(rec) as client:
        users = await client.team_users()
    assert [(u.user_id, u.name, u.role) for u in users] == [("usr_a", "Ann", "admin")]
    assert rec.params() == {"version": "v2"}


async def test_team_without_users_is_empty() -> None:
    async with make_client(lambda r: httpx.Response(200, json={"_id": "tea_1"})) as client:
        assert await client.team_users() == []


async def test_conversations_page_params_parsing_and_round_trip() -> None:
    items = conversations(3)
    items[0]["brandNewField"] = {"nested": [1, 2]}
    rec = Recorder(lambda r: httpx.Response(200, json=inbox_page(items, 1, 100)))
    async with make_client(rec) as client:
        page = await client.conversations_page("usr_a", 1, limit=100)
    assert rec.params() == {"page": "1", "limit": "100", "userId": "usr_a"}
    assert page.number == 1 and page.skipped == 0
    assert page.pagination.total_items == 3
    assert [c.id for c in page.items] == ["ibx_00000", "ibx_00001", "ibx_00002"]
    assert page.items[0].to_api_dict() == items[0]


async def test_malformed_conversation_is_skipped_and_counted() -> None:
    items: list[Any] = conversations(4)
    items[1] = {"no": "id"}
    items[2] = "junk"
    async with make_client(lambda r: httpx.Response(200, json=inbox_page(items, 1, 100))) as client:
        page = await client.conversations_page("usr_a", 1)
    assert [c.id for c in page.items] == ["ibx_00000", "ibx_00003"]
    assert page.skipped == 2
    assert len(page.skip_reasons) == 2


async def test_thread_reads_every_page_and_returns_oldest_first() -> None:
    rec = thread_handler(messages(5))
    async with make_client(rec) as client:
        thread = await client.thread("ctc_1", user_id="usr_a", page_size=2)
    assert [m.id for m in thread.messages] == [f"act_{i:03d}" for i in range(5)]
    assert [r.url.params["skip"] for r in rec.requests] == ["0", "2", "4"]
    assert all(r.url.params["userId"] == "usr_a" for r in rec.requests)
    assert all("markAsRead" not in r.url.params for r in rec.requests), "never marks unless asked"
    assert rec.requests[0].url.path == "/api/inbox/ctc_1"


async def test_thread_marks_as_read_on_the_first_request_only() -> None:
    rec = thread_handler(messages(5))
    async with make_client(rec) as client:
        await client.thread("ctc_1", user_id="usr_a", mark_as_read=True, page_size=2)
    marks = [r.url.params.get("markAsRead") for r in rec.requests]
    assert marks == ["true", None, None]


async def test_thread_mark_without_user_is_refused() -> None:
    async with make_client(thread_handler([])) as client:
        with pytest.raises(ValueError):
            await client.thread("ctc_1", mark_as_read=True)


async def test_thread_skips_malformed_messages_and_sorts_stably() -> None:
    raw: list[Any] = [
        {"_id": "act_c", "createdAt": "2024-12-02T00:00:00Z"},
        {"_id": "act_b2", "createdAt": "2024-12-01T00:00:00Z"},
        {"_id": "act_b1", "createdAt": "2024-12-01T00:00:00Z"},
        {"_id": "act_notime"},
        {"createdAt": "2024-11-30T00:00:00Z"},
        None,
        {"_id": "act_a", "createdAt": "2024-11-30T00:00:00Z", "type": "someFutureType"},
    ]
    async with make_client(thread_handler(raw)) as client:
        thread = await client.thread("ctc_1")
    assert [m.id for m in thread.messages] == ["act_a", "act_notime", "act_b1", "act_b2", "act_c"]
    assert thread.skipped == 2
    assert thread.messages[0].type == "someFutureType"


async def test_thread_stops_when_the_server_ignores_skip() -> None:
    same = messages(3)
    rec = Recorder(lambda r: httpx.Response(200, json={"data": same, "pagination": {}}))
    async with make_client(rec) as client:
        thread = await client.thread("ctc_1", page_size=3)
    assert len(thread.messages) == 3
    assert len(rec.requests) == 2


async def test_thread_quotes_the_contact_id() -> None:
    rec = thread_handler([])
    async with make_client(rec) as client:
        await client.thread("ctc_é:@+&=;")
    assert rec.requests[0].url.raw_path.startswith(b"/api/inbox/ctc_%C3%A9%3A%40%2B%26%3D%3B?")


async def test_mark_read_request() -> None:
    rec = thread_handler(messages(2))
    async with make_client(rec) as client:
        await client.mark_read("ctc_9", "usr_b")
    assert len(rec.requests) == 1
    assert rec.requests[0].url.path == "/api/inbox/ctc_9"
    assert rec.params() == {"markAsRead": "true", "userId": "usr_b", "limit": "1"}


async def test_inbox_without_user_id_is_sent_without_it() -> None:
    rec = Recorder(lambda r: httpx.Response(400, text="User ID is required"))
    async with make_client(rec) as client:
        with pytest.raises(Exception, match="User ID is required"):
            await client.conversations_page("", 1)
    assert "userId" not in rec.params()


async def test_thread_follows_the_servers_total_when_it_caps_the_limit() -> None:
    items = messages(7)

    def capped(request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        return httpx.Response(200, json={"data": items[skip : skip + 3], "pagination": {"totalItems": 7}})

    rec = Recorder(capped)
    async with make_client(rec) as client:
        thread = await client.thread("ctc_1", page_size=100)
    assert len(thread.messages) == 7
    assert [r.url.params["skip"] for r in rec.requests] == ["0", "3", "6"]

"""The client against the local stand-in over real loopback HTTP: paging, rate limit, errors.

Each test starts its own ``DemoServer`` on 127.0.0.1 (random port). Waits are shrunk
with a fast retry policy; the rate limiter is the real 20 requests / 2 s one, because
"never a 429 in normal operation" is what is being shown.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import httpx
import pytest
from api_helpers import live_client, max_in_window, settled_log

from lemlist_inbox.api import AuthError, BadRequestError, InvalidResponseError, NetworkError, NotFoundError
from lemlist_inbox.api.models import Conversation
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults


@pytest.fixture
def server() -> Iterator[DemoServer]:
    with DemoServer(conversations=300) as srv:
        yield srv


def user_of(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


async def test_wrong_key_is_one_request_and_a_clear_message(server: DemoServer) -> None:
    async with live_client(server.base_url, "not-the-key") as client:
        with pytest.raises(AuthError) as info:
            await client.team_users()
        assert client.stats.retries == 0
    assert len(await settled_log(server, 1)) == 1, "a bad key must not be retried"
    message = str(info.value)
    assert "API key" in message and "The authentication you supplied is incorrect" in message


async def test_missing_user_id_is_bad_request(server: DemoServer) -> None:
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        with pytest.raises(BadRequestError, match="User ID is required"):
            await client.conversations_page("", 1)
        with pytest.raises(BadRequestError, match="User not in team"):
            await client.conversations_page("usr_nobody", 1)
    assert [r.status for r in await settled_log(server, 2)] == [400, 400]


async def test_unknown_contact_is_not_found(server: DemoServer) -> None:
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        with pytest.raises(NotFoundError, match="Contact not found"):
            await client.thread("ctc_doesnotexist")


async def test_team_users(server: DemoServer) -> None:
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        users = await client.team_users()
    assert [u.user_id for u in users] == [u["userId"] for u in server.dataset.users]
    assert (await settled_log(server, 1))[0].query == {"version": "v2"}


async def test_2500_conversations_each_once_within_the_rate_limit() -> None:
    with DemoServer(conversations=2500, faults=Faults(latency=0.01)) as server:
        async with live_client(server.base_url, DEMO_API_KEY, page_concurrency=6) as client:
            got: list[str] = []
            numbers: list[int] = []
            async for page in client.iter_conversation_pages(user_of(server)):
                numbers.append(page.number)
                got += [c.id for c in page.items]
            assert client.stats.rate_limited == 0
            assert client.stats.retries == 0
        expected = server.dataset.conversations.ids()
        log = await settled_log(server, 27, "/api/inbox")
    assert got == expected, "every conversation exactly once, newest first"
    assert numbers == list(range(1, 27))
    assert [r.status for r in log].count(429) == 0
    assert max_in_window([r.time for r in log], 2.0) <= 20
    assert len(log) == 27  # 26 pages and the closing look at page 1


async def test_new_activity_during_a_load_every_conversation_once() -> None:
    with DemoServer(conversations=2500, faults=Faults(latency=0.01, rate_limit=False)) as server:
        user = user_of(server)
        async with live_client(server.base_url, DEMO_API_KEY, page_concurrency=6) as client:
            got: list[str] = []
            received = 0
            async for page in client.iter_conversation_pages(user):
                got += [c.id for c in page.items]
                received += 1
                if received in (1, 9, 17):
                    server.add_activity(12, new=4)  # 4 new, 8 bumped to the top
        expected = server.dataset.conversations.ids()
    assert len(got) == len(set(got)), "no duplicates"
    assert set(got) == set(expected), "nothing lost"
    assert len(expected) == 2504 + 3 * 4


async def test_thread_oldest_first_and_mark_as_read(server: DemoServer) -> None:
    user = user_of(server)
    conv = next(
        Conversation.model_validate(c)
        for c in server.dataset.conversations
        if not Conversation.model_validate(c).is_read_by(user)
    )
    contact = conv.thread_id
    assert contact is not None
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        thread = await client.thread(contact, user_id=user, page_size=2)
        assert server.dataset.is_read(contact, user) is False, "reading does not mark unless asked"
        await client.thread(contact, user_id=user, mark_as_read=True, page_size=2)
        assert server.dataset.is_read(contact, user) is True
    served = server.dataset.thread(contact)
    assert [m.id for m in thread.messages] == [m["_id"] for m in reversed(served)]
    times = [m.created for m in thread.messages]
    assert times == sorted(t for t in times if t is not None)
    pages = -(-len(served) // 2)
    marks = [r.query.get("markAsRead") for r in await settled_log(server, 2 * pages, "/api/inbox/")]
    assert marks.count("true") == 1 and marks.index("true") == pages


async def test_mark_read(server: DemoServer) -> None:
    user = user_of(server)
    contact = next(
        c["contactId"]
        for c in server.dataset.conversations
        if not Conversation.model_validate(c).is_read_by(user)
    )
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        await client.mark_read(contact, user)
    assert server.dataset.is_read(contact, user) is True
    assert (await settled_log(server, 1))[-1].query == {"markAsRead": "true", "userId": user, "limit": "1"}


async def test_unknown_fields_round_trip(server: DemoServer) -> None:
    user = user_of(server)
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        page = await client.conversations_page(user, 1, limit=50)
    async with httpx.AsyncClient(auth=httpx.BasicAuth("", DEMO_API_KEY)) as raw_client:
        raw = (await raw_client.get(f"{server.base_url}/inbox", params={"userId": user, "limit": 50})).json()
    assert [c.to_api_dict() for c in page.items] == raw["data"]
    tagged = dict(raw["data"][0], futureField={"x": [1, None]})
    assert Conversation.model_validate(tagged).to_api_dict() == tagged


async def test_malformed_items_skipped_and_counted() -> None:
    with DemoServer(conversations=496, faults=Faults(malformed_every=50, odd_every=7)) as server:
        async with live_client(server.base_url, DEMO_API_KEY) as client:
            pages = [p async for p in client.iter_conversation_pages(user_of(server))]
    assert sum(p.skipped for p in pages) == 10
    got = [c.id for p in pages for c in p.items]
    assert len(got) == len(set(got)) == 490
    assert all(p.skip_reasons for p in pages if p.skipped)


async def test_key_revoked_mid_session(server: DemoServer) -> None:
    user = user_of(server)
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        await client.conversations_page(user, 1)
        await settled_log(server, 1)
        server.api_key = "rotated-key"
        with pytest.raises(AuthError, match="revoked"):
            await client.conversations_page(user, 2)
        assert client.stats.retries == 0
    assert [r.status for r in await settled_log(server, 2)] == [200, 401]


async def test_server_gone() -> None:
    server = DemoServer(conversations=50).start()
    user = user_of(server)
    port = server.port
    async with live_client(server.base_url, DEMO_API_KEY, max_retries=2) as client:
        await client.conversations_page(user, 1)
        server.stop()
        with pytest.raises(NetworkError) as info:
            await client.conversations_page(user, 1)
        assert client.stats.retries == 2
    assert str(info.value) == f"cannot reach 127.0.0.1:{port}: connection refused"


async def test_closing_early_over_http_leaves_nothing_running() -> None:
    import asyncio

    with DemoServer(conversations=2000, faults=Faults(latency=0.02, rate_limit=False)) as server:
        async with live_client(server.base_url, DEMO_API_KEY) as client:
            async with contextlib.aclosing(client.iter_conversation_pages(user_of(server))) as pages:
                async for page in pages:
                    if page.number == 2:
                        break
            pending = [t for t in asyncio.all_tasks() if t.get_name().startswith("lemlist-page-")]
            assert pending == []


async def test_html_instead_of_json_says_check_the_base_url(server: DemoServer) -> None:
    server.faults.html_every = 1  # like a captive portal or a wrong base URL: HTML every time
    async with live_client(server.base_url, DEMO_API_KEY) as client:
        with pytest.raises(InvalidResponseError) as info:
            await client.team_users()
    assert str(info.value) == (
        f"the server at {server.base_url} did not answer with lemlist JSON (an HTML page); check the base URL"
    )
    assert len(await settled_log(server, 2)) == 2, "one more try, not the whole budget"


async def test_wrong_path_under_the_host(server: DemoServer) -> None:
    async with live_client(server.base_url.removesuffix("/api") + "/v9", DEMO_API_KEY) as client:
        with pytest.raises(NotFoundError, match="404"):
            await client.team_users()

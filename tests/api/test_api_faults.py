"""Faults injected by the stand-in over real loopback HTTP: 429s, 5xx, resets, timeouts.

Each load must either complete with every conversation exactly once, or stop with a
typed error after yielding every earlier page, so that a later resume completes it.
Waits are shrunk (fast retry policy, a generous client-side limiter where the rate
limit is not the subject) to keep the suite quick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from api_helpers import live_client, max_in_window, settled_log

from lemlist_inbox.api import LemlistClient, NetworkError, RateLimitedError, RateLimiter
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults


def user_of(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


def quick_client(server: DemoServer, **kwargs: object) -> LemlistClient:
    kwargs.setdefault("rate_limiter", RateLimiter(1000, 1.0))
    kwargs.setdefault("max_retries", 6)
    return live_client(server.base_url, DEMO_API_KEY, **kwargs)


async def load_ids(client: LemlistClient, user: str) -> list[str]:
    return [c.id async for page in client.iter_conversation_pages(user) for c in page.items]


@pytest.fixture
def big_server() -> Iterator[DemoServer]:
    with DemoServer(conversations=1000, faults=Faults(rate_limit=False)) as srv:
        yield srv


FAULTS = {
    "5xx every 3rd": {"error_every": 3},
    "503 every 2nd": {"error_every": 2, "status_for_error": 503},
    "connection reset every 4th": {"reset_every": 4},
    "body cut and closed every 3rd": {"truncate_every": 3, "truncate_mode": "close"},
    "truncated JSON in a 200 every 3rd": {"truncate_every": 3, "truncate_mode": "json"},
    "HTML 200 every 4th": {"html_every": 4},
    "all at once": {
        "error_every": 5,
        "reset_every": 7,
        "truncate_every": 11,
        "html_every": 13,
        "latency": 0.005,
    },
}


@pytest.mark.parametrize("knobs", FAULTS.values(), ids=FAULTS.keys())
async def test_load_survives_fault(big_server: DemoServer, knobs: dict[str, object]) -> None:
    for name, value in knobs.items():
        setattr(big_server.faults, name, value)
    async with quick_client(big_server) as client:
        got = await load_ids(client, user_of(big_server))
        assert client.stats.retries > 0, "the fault did fire"
        assert client.stats.errors == 0
    assert got == big_server.dataset.conversations.ids(), "nothing lost, nothing duplicated, in order"
    assert big_server.errors == []


async def test_429_storm_is_waited_out_by_every_caller(big_server: DemoServer) -> None:
    got: list[str] = []
    async with quick_client(big_server) as client:
        async for page in client.iter_conversation_pages(user_of(big_server)):
            got += [c.id for c in page.items]
            if page.number == 1:
                big_server.faults.burst_429 = 15  # the storm hits the concurrent fetches
        assert client.stats.rate_limited == 15
        assert client.stats.errors == 0
    assert got == big_server.dataset.conversations.ids()
    statuses = [r.status for r in await settled_log(big_server, 15 + 12)]
    assert statuses.count(429) == 15


async def test_429_beyond_the_budget_is_a_clear_error(big_server: DemoServer) -> None:
    big_server.faults.burst_429 = 50
    async with quick_client(big_server, max_retries=3) as client:
        with pytest.raises(RateLimitedError, match="429"):
            await client.team_users()
        assert client.stats.rate_limited == 4


async def test_real_rate_limit_with_faults_never_exceeds_the_window() -> None:
    faults = Faults(error_every=3, latency=0.005)
    with DemoServer(conversations=2500, faults=faults) as server:
        async with live_client(server.base_url, DEMO_API_KEY, max_retries=6) as client:
            got = await load_ids(client, user_of(server))
            assert client.stats.rate_limited == 0
        expected = server.dataset.conversations.ids()
        log = await settled_log(server, 27)
    assert got == expected
    assert max_in_window([r.time for r in log], 2.0) <= 20
    assert [r.status for r in log].count(429) == 0


async def test_timeout_then_recovery(big_server: DemoServer) -> None:
    user = user_of(big_server)
    big_server.faults.slow_body = 1.0
    async with quick_client(big_server, timeout=0.3, max_retries=1) as client:
        with pytest.raises(NetworkError) as info:
            await client.conversations_page(user, 1)
        assert client.stats.retries == 1
        assert "timed out" in str(info.value)
        assert str(info.value).startswith(f"cannot reach 127.0.0.1:{big_server.port}: ")
        big_server.faults.slow_body = 0.0
        page = await client.conversations_page(user, 1)
    assert len(page.items) == 100


async def test_load_stops_with_earlier_pages_kept_and_resume_completes(big_server: DemoServer) -> None:
    user = user_of(big_server)
    seen: set[str] = set()
    got: list[str] = []
    last = 0
    async with quick_client(big_server, timeout=0.3, max_retries=1, page_concurrency=1) as client:
        with pytest.raises(NetworkError):
            async for page in client.iter_conversation_pages(user, seen=seen):
                got += [c.id for c in page.items]
                last = page.number
                if page.number == 4:
                    big_server.faults.slow_body = 1.0  # the link goes bad mid-load
        assert last >= 4
        assert got == big_server.dataset.conversations.ids()[: len(got)], "rows already loaded are kept"
        big_server.faults.slow_body = 0.0
        async for page in client.iter_conversation_pages(user, start_page=last + 1, seen=seen):
            got += [c.id for c in page.items]
    assert got == big_server.dataset.conversations.ids()


async def test_faults_while_new_activity_arrives() -> None:
    faults = Faults(rate_limit=False, error_every=4, reset_every=9, latency=0.005)
    with DemoServer(conversations=1500, faults=faults) as server:
        async with quick_client(server) as client:
            got: list[str] = []
            received = 0
            async for page in client.iter_conversation_pages(user_of(server)):
                got += [c.id for c in page.items]
                received += 1
                if received in (2, 6):
                    server.add_activity(9, new=3)
        expected = server.dataset.conversations.ids()
    assert len(got) == len(set(got))
    assert set(got) == set(expected)


async def test_thread_survives_faults(big_server: DemoServer) -> None:
    big_server.faults.error_every = 2
    big_server.faults.truncate_every = 3
    contact = big_server.dataset.conversations[0]["contactId"]
    async with quick_client(big_server) as client:
        thread = await client.thread(contact, page_size=1)
    served = big_server.dataset.thread(contact)
    assert [m.id for m in thread.messages] == [m["_id"] for m in reversed(served)]


async def test_server_gone_mid_load_keeps_pages() -> None:
    server = DemoServer(conversations=1000, faults=Faults(rate_limit=False, latency=0.01)).start()
    got: list[int] = []
    async with quick_client(server, max_retries=2, page_concurrency=2) as client:
        with pytest.raises(NetworkError, match=r"cannot reach 127\.0\.0\.1"):
            async for page in client.iter_conversation_pages(user_of(server)):
                got.append(page.number)
                if page.number == 3:
                    await asyncio.to_thread(server.stop)
    assert got[:3] == [1, 2, 3]
    assert got == list(range(1, len(got) + 1))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
async def test_churn_beyond_one_page_loses_nothing(seed: int) -> None:
    """More conversations bumped during the load than a page holds, and bumps during the
    check itself: every conversation that existed before the load is delivered once.

    The churn ends (30 bumps, three pages' worth): a load promises completeness once
    the list holds still, not under churn that never stops; that one ends after
    ``VERIFY_ROUNDS`` and the auto-refresh picks up the rest. Under endless churn this
    test raced the machine's load: which page the server served before which bump
    decided whether one conversation slipped past the (then concurrent) re-read of
    every round. And when four bursts fell between two concurrent pages, the second
    repeated the first, the load stopped there as if the server repeated pages, and
    the re-read went no further than that page (plus slack): dozens lost, about one
    ordering in 400 (``test_page_repeated_by_a_burst_of_activity_does_not_end_the_load``
    pins that ordering down).
    """
    faults = Faults(rate_limit=False, latency=0.01)
    with DemoServer(conversations=90, seed=seed, faults=faults) as server:
        before = set(server.dataset.conversations.ids())
        server.faults.activity_every = 2
        server.faults.activity_count = 3
        server.faults.activity_limit = 10
        ids: list[str] = []
        async with quick_client(server) as client:
            async for page in client.iter_conversation_pages(user_of(server), limit=10):
                ids.extend(c.id for c in page.items)
        assert len(ids) == len(set(ids))
        assert before <= set(ids), f"lost {len(before - set(ids))}"

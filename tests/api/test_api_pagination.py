"""Concurrent page loading over a mock transport: order, de-duplication, shifting data, errors."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import random
from typing import Any

import httpx
import pytest
from api_helpers import conversations, inbox_page, make_client

from lemlist_inbox.api import ServerError
from lemlist_inbox.api.models import Conversation, Page


class Inbox:
    """A mutable inbox behind an async mock handler, with hooks to delay or fail pages."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.served: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.delay: dict[int, float] = {}
        self.fail: set[int] = set()
        self.before: dict[int, asyncio.Event] = {}
        self.after_hooks: dict[int, Any] = {}
        self.paginate = True

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if page in self.before:
                await self.before[page].wait()
            await asyncio.sleep(self.delay.get(page, 0.0))
            if page in self.fail:
                return httpx.Response(500, text="boom")
            body = inbox_page(self.items, page, limit)
            if not self.paginate:
                del body["pagination"]
            self.served.append(page)
            hook = self.after_hooks.pop(page, None)
            if hook:
                hook()
            return httpx.Response(200, json=body)
        finally:
            self.in_flight -= 1


async def collect(pages: Any) -> list[Page[Conversation]]:
    return [page async for page in pages]


def ids(pages: list[Page[Conversation]]) -> list[str]:
    return [c.id for page in pages for c in page.items]


def page_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("lemlist-page-") and not t.done()]


async def test_pages_come_in_order_although_they_complete_out_of_order() -> None:
    inbox = Inbox(conversations(1050))
    inbox.delay = {n: (12 - n) * 0.003 for n in range(2, 12)}  # later pages answer first
    async with make_client(inbox, page_concurrency=4) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    assert [p.number for p in pages] == list(range(1, 12))
    assert ids(pages) == [c["_id"] for c in inbox.items]
    assert inbox.served[0] == 1
    assert inbox.served[-1] == 1, "the load ends by re-reading page 1 for late arrivals"
    assert sorted(inbox.served[1:-1]) == list(range(2, 12))
    assert inbox.max_in_flight <= 4


async def test_single_page_inbox_is_one_request() -> None:
    inbox = Inbox(conversations(40))
    async with make_client(inbox) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    assert len(ids(pages)) == 40
    assert inbox.served == [1]


async def test_empty_inbox() -> None:
    inbox = Inbox([])
    async with make_client(inbox) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    assert ids(pages) == []
    assert inbox.served == [1]


async def test_new_activity_during_load_every_conversation_once() -> None:
    inbox = Inbox(conversations(500))
    new = conversations(7, prefix="new")

    def arrive() -> None:
        inbox.items[:0] = new

    inbox.after_hooks[1] = arrive  # everything shifts down by 7 after page 1
    async with make_client(inbox, page_concurrency=3) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    got = ids(pages)
    assert len(got) == len(set(got)) == 507
    assert set(got) == {c["_id"] for c in inbox.items}
    assert pages[-1].number == 1 and {c.id for c in pages[-1].items} == {c["_id"] for c in new}


async def test_conversation_bumped_from_an_unread_page_is_not_lost() -> None:
    inbox = Inbox(conversations(300))

    def bump() -> None:
        inbox.items.insert(0, inbox.items.pop(250))

    inbox.after_hooks[1] = bump
    async with make_client(inbox, page_concurrency=1) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    got = ids(pages)
    assert sorted(got) == sorted(c["_id"] for c in inbox.items)
    assert len(got) == 300


async def test_item_slipping_between_out_of_order_pages_is_recovered() -> None:
    inbox = Inbox(conversations(300))
    release_page_2 = asyncio.Event()
    inbox.before[2] = release_page_2

    def shift_then_release() -> None:
        inbox.items[:0] = conversations(5, prefix="new")
        release_page_2.set()

    # Page 3 is served before page 2; then 5 arrive, so old 195..199 move onto page 3: unseen.
    inbox.after_hooks[3] = shift_then_release
    async with make_client(inbox, page_concurrency=2) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    got = ids(pages)
    assert len(got) == len(set(got)) == 305
    assert set(got) == {c["_id"] for c in inbox.items}


async def test_page_repeated_by_a_burst_of_activity_does_not_end_the_load() -> None:
    """A page's worth of new conversations arrives between two pages: the next page
    repeats the one before, which looks like a server that repeats pages. The load
    may stop there, but the closing check must still read on to the real end."""
    inbox = Inbox(conversations(500))
    release_page_3 = asyncio.Event()
    inbox.before[3] = release_page_3

    def burst() -> None:
        inbox.items[:0] = conversations(100, prefix="new")
        release_page_3.set()

    inbox.after_hooks[2] = burst  # page 3 is served after the burst: old page 2 again
    async with make_client(inbox, page_concurrency=2) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    got = ids(pages)
    assert len(got) == len(set(got))
    assert set(got) == {c["_id"] for c in inbox.items}, f"lost {600 - len(set(got))}"


async def test_failed_page_raises_after_every_earlier_page() -> None:
    inbox = Inbox(conversations(600))
    inbox.fail = {4}
    received: list[int] = []
    async with make_client(inbox, max_retries=1, page_concurrency=3) as client:
        with pytest.raises(ServerError):
            async for page in client.iter_conversation_pages("usr_a"):
                received.append(page.number)
    assert received == [1, 2, 3]
    assert page_tasks() == []


async def test_resume_after_failure_completes_the_load() -> None:
    inbox = Inbox(conversations(600))
    inbox.fail = {4}
    seen: set[str] = set()
    got: list[str] = []
    last = 0
    async with make_client(inbox, max_retries=0) as client:
        with pytest.raises(ServerError):
            async for page in client.iter_conversation_pages("usr_a", seen=seen):
                got += [c.id for c in page.items]
                last = page.number
        inbox.fail.clear()
        async for page in client.iter_conversation_pages("usr_a", start_page=last + 1, seen=seen):
            got += [c.id for c in page.items]
    assert got == [c["_id"] for c in inbox.items]


async def test_stopping_early_cancels_outstanding_fetches() -> None:
    inbox = Inbox(conversations(2000))
    inbox.delay = {n: 0.05 for n in range(2, 21)}
    async with make_client(inbox, page_concurrency=6) as client:
        async with contextlib.aclosing(client.iter_conversation_pages("usr_a")) as pages:
            async for page in pages:
                if page.number == 2:
                    break
        assert page_tasks() == []
    assert len(inbox.served) < 20


async def test_abandoned_generator_is_cleaned_up_by_the_loop() -> None:
    inbox = Inbox(conversations(2000))
    inbox.delay = {n: 0.02 for n in range(2, 21)}
    async with make_client(inbox, page_concurrency=6) as client:
        pages = client.iter_conversation_pages("usr_a")
        async for _ in pages:
            break
        await pages.__anext__()  # now fetches are in flight
        del pages
        gc.collect()
        # The loop's finalizer hook closes the generator in a task of its own: wait for
        # that (bounded), not for a fixed number of short sleeps a busy machine outlasts.
        deadline = asyncio.get_running_loop().time() + 10.0
        while page_tasks() and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.01)
        assert page_tasks() == []


async def test_consumer_cancelled_mid_load_leaves_no_tasks() -> None:
    inbox = Inbox(conversations(1500))
    inbox.delay = {n: 0.01 * random.random() for n in range(2, 16)}
    got: list[int] = []

    async def consume() -> None:
        client = make_client(inbox)
        async with client, contextlib.aclosing(client.iter_conversation_pages("usr_a")) as pages:
            async for page in pages:
                got.append(page.number)
                if page.number == 3:
                    await asyncio.sleep(10)

    task = asyncio.create_task(consume())
    while len(got) < 3:
        await asyncio.sleep(0.005)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert page_tasks() == []


async def test_without_pagination_it_reads_until_a_short_page() -> None:
    inbox = Inbox(conversations(250))
    inbox.paginate = False
    async with make_client(inbox) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    assert len(ids(pages)) == 250
    assert [p.number for p in pages] == [1, 2, 3]


async def test_malformed_items_are_counted_per_page() -> None:
    items: list[Any] = conversations(250)
    items[5] = {"junk": True}
    items[150] = [1, 2]
    inbox = Inbox(items)
    async with make_client(inbox) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    assert [p.skipped for p in pages] == [1, 1, 0]
    assert len(ids(pages)) == 248
    assert inbox.served.count(1) == 2, "a load short of malformed items does not trigger a second pass"


async def test_failing_final_check_does_not_fail_a_complete_load() -> None:
    inbox = Inbox(conversations(300))

    def break_page_1() -> None:
        inbox.fail.add(1)

    inbox.after_hooks[3] = break_page_1
    async with make_client(inbox, max_retries=0, page_concurrency=1) as client:
        pages = await collect(client.iter_conversation_pages("usr_a"))
    assert ids(pages) == [c["_id"] for c in inbox.items]

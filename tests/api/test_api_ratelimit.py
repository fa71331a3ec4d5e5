"""RateLimiter on a fake clock (counts in windows, never wall time), and once against the stand-in."""

from __future__ import annotations

import asyncio

import pytest
from api_helpers import FakeClock, live_client, max_in_window, settled_log

from lemlist_inbox.api.ratelimit import RateLimiter
from lemlist_inbox.demo import DEMO_API_KEY, DemoServer, Faults


async def test_acquire_never_exceeds_max_calls_in_any_window(clock: FakeClock) -> None:
    limiter = RateLimiter(20, 2.0, clock=clock, sleep=clock.sleep)
    stamps: list[float] = []

    async def caller() -> None:
        for _ in range(10):
            await limiter.acquire()
            stamps.append(clock())

    await asyncio.gather(*(caller() for _ in range(10)))
    assert len(stamps) == 100
    assert max_in_window(stamps, 2.0) == 20
    # It did not simply serialise everything: the first 20 went at once.
    assert stamps[:20] == [0.0] * 20


async def test_slot_window_starts_when_the_request_completes(clock: FakeClock) -> None:
    limiter = RateLimiter(2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot():
        clock.now += 0.5  # a slow answer
    async with limiter.slot():
        pass
    started = clock()
    async with limiter.slot():
        pass
    # The third may only start a full period after the first one *completed* (0.5).
    assert started == 0.5
    assert clock() >= 1.5


async def test_reported_arrival_places_the_request_in_the_window(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot() as ticket:
        clock.now += 0.6
        ticket.arrived = 0.3  # the server saw it half-way
    async with limiter.slot():
        pass
    assert clock() == 1.3


async def test_reported_arrival_is_clamped_to_the_slot(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    clock.now = 5.0
    async with limiter.slot() as ticket:
        clock.now += 0.2
        ticket.arrived = -100.0  # nonsense: cannot predate taking the slot
    async with limiter.slot():
        pass
    assert clock() == 6.0


async def test_traced_requests_no_slower_than_the_fastest_are_placed_at_their_send(
    clock: FakeClock,
) -> None:
    """Equal round trips: the gap between arrivals is the gap between sends, so the
    next window opens a period after the first *send*, not after its midpoint."""
    limiter = RateLimiter(2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    for _ in range(2):
        async with limiter.slot() as ticket:
            sent = clock()
            clock.now += 0.2
            ticket.report(sent, clock())
    async with limiter.slot():
        pass
    # Midpoint placement would have opened the window at 1.1.
    assert clock() == 1.0


async def test_a_slower_round_trip_is_placed_later_by_its_excess(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot() as ticket:
        clock.now += 0.2
        ticket.report(0.0, 0.2)  # the fastest round trip: 0.2
    async with limiter.slot() as ticket:
        assert clock() == 1.0
        clock.now += 0.25
        ticket.report(1.0, 1.25)  # 0.05 slower: it may have spent that on its way there
    async with limiter.slot():
        pass
    assert clock() == 2.05


async def test_the_excess_is_capped_at_the_midpoint(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot() as ticket:
        clock.now += 0.1
        ticket.report(0.0, 0.1)
    async with limiter.slot() as ticket:
        clock.now += 0.9
        ticket.report(1.0, 1.9)  # excess 0.8, but half the round trip is 0.45
    async with limiter.slot():
        pass
    assert clock() == 2.45


async def test_a_faster_round_trip_seen_later_places_earlier_requests_later(clock: FakeClock) -> None:
    """The floor is re-read at each check: a request placed at its send because it was
    the fastest so far moves by its excess over a faster one that came after it."""
    limiter = RateLimiter(2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    async with limiter.slot() as first:
        clock.now += 0.3
        first.report(0.0, 0.3)  # the fastest so far: placed at its send, 0.0
    async with limiter.slot() as second:
        clock.now += 0.1
        second.report(0.3, 0.4)  # 0.2 faster: the first is now placed at 0.15 (its midpoint)
    async with limiter.slot():
        pass
    assert clock() == 1.15


async def test_reports_that_make_no_sense_fall_back_to_the_completion(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    clock.now = 5.0
    async with limiter.slot() as ticket:
        clock.now += 0.4
        ticket.report(4.0, 5.2)  # "sent" before the slot was taken
    async with limiter.slot():
        pass
    assert clock() == 6.4


async def test_200_ms_latency_load_meets_the_servers_sliding_window_without_a_429() -> None:
    """Requests placed at their send meet the stand-in's true sliding window at its edge."""
    with DemoServer(conversations=2500, faults=Faults(latency=0.2)) as server:
        user = str(server.dataset.users[0]["userId"])
        async with live_client(server.base_url, DEMO_API_KEY, page_concurrency=6) as client:
            got = [c.id async for page in client.iter_conversation_pages(user) for c in page.items]
            assert client.stats.rate_limited == 0
        expected = server.dataset.conversations.ids()
        log = await settled_log(server, 27, "/api/inbox")
    assert got == expected
    assert [r.status for r in log].count(429) == 0
    assert max_in_window([r.time for r in log], 2.0) <= 20


async def test_in_flight_requests_hold_their_slots(clock: FakeClock) -> None:
    limiter = RateLimiter(2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    order: list[str] = []
    release = asyncio.Event()

    async def long_request(name: str) -> None:
        async with limiter.slot():
            order.append(f"start {name}")
            await release.wait()

    first = asyncio.create_task(long_request("a"))
    second = asyncio.create_task(long_request("b"))
    await asyncio.sleep(0)
    third = asyncio.create_task(long_request("c"))
    for _ in range(5):
        await asyncio.sleep(0)
    assert order == ["start a", "start b"]
    assert limiter.in_flight == 2
    release.set()
    await asyncio.gather(first, second, third)
    assert order[-1] == "start c"
    assert clock() >= 1.0


async def test_hold_pauses_every_caller(clock: FakeClock) -> None:
    limiter = RateLimiter(100, 1.0, clock=clock, sleep=clock.sleep)
    limiter.hold(3.0)
    await asyncio.gather(limiter.acquire(), limiter.acquire())
    assert clock() >= 3.0


async def test_waiters_are_served_in_arrival_order(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, clock=clock, sleep=clock.sleep)
    served: list[int] = []

    async def caller(n: int) -> None:
        await limiter.acquire()
        served.append(n)

    tasks = []
    for n in range(6):
        tasks.append(asyncio.create_task(caller(n)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert served == list(range(6))


async def test_cancelled_waiter_does_not_leak_a_slot(clock: FakeClock) -> None:
    limiter = RateLimiter(1, 1.0, clock=clock, sleep=clock.sleep)
    gate = asyncio.Event()

    async def holder() -> None:
        async with limiter.slot():
            await gate.wait()

    held = asyncio.create_task(holder())
    await asyncio.sleep(0)
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    gate.set()
    await held
    assert limiter.in_flight == 0
    await limiter.acquire()  # still usable


def test_rejects_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0, 1.0)
    with pytest.raises(ValueError):
        RateLimiter(1, 0.0)


async def test_urgent_caller_passes_queued_page_loads(clock: FakeClock) -> None:
    """A thread open during a big load gets the next free slot, not the 9th."""
    limiter = RateLimiter(2, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    order: list[str] = []
    done = asyncio.Event()

    async def in_flight(name: str) -> None:
        async with limiter.slot():
            order.append(name)
            await done.wait()  # a slow page: its slot stays taken

    async def background(name: str) -> None:
        await limiter.acquire()
        order.append(name)

    async def urgent() -> None:
        await limiter.acquire(urgent=True)
        order.append("urgent")

    holders = [asyncio.create_task(in_flight(f"page{i}")) for i in range(2)]
    queued = [asyncio.create_task(background(f"page{i}")) for i in range(2, 8)]
    for _ in range(3):
        await asyncio.sleep(0)  # every page is now holding a slot or queued
    opener = asyncio.create_task(urgent())
    await asyncio.sleep(0)
    done.set()
    await asyncio.gather(opener, *holders, *queued)
    assert order[:2] == ["page0", "page1"]
    assert order[2] == "urgent"
    assert sorted(order[3:]) == [f"page{i}" for i in range(2, 8)]


async def test_urgent_callers_still_respect_the_window(clock: FakeClock) -> None:
    limiter = RateLimiter(3, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    stamps: list[float] = []

    async def caller(urgent: bool) -> None:
        for _ in range(4):
            await limiter.acquire(urgent=urgent)
            stamps.append(clock())

    await asyncio.gather(*(caller(i % 2 == 0) for i in range(6)))
    assert len(stamps) == 24
    assert max_in_window(stamps, 1.0) <= 3


@pytest.mark.timeout(10)
async def test_holds_kept_up_by_page_loads_stall_an_urgent_open_no_longer_than_the_bound(
    clock: FakeClock,
) -> None:
    """Page loads that keep meeting 429s keep renewing the hold; the user's open of a
    thread obeys holds for ``max_hold`` at most, then goes."""
    limiter = RateLimiter(100, 1.0, max_hold=30.0, clock=clock, sleep=clock.sleep)
    limiter.hold(20.0)
    opened_at: list[float] = []

    async def open_thread() -> None:
        await limiter.acquire(urgent=True)
        opened_at.append(clock())

    opener = asyncio.create_task(open_thread())
    # Every page load's retry meets another 429 and renews the hold, for 300 s.
    while clock() < 300.0 and not opened_at:
        limiter.hold(20.0)
        await clock.sleep(1.0)
    await opener
    # The fake clock moves for every sleeper, so "30 s" reads a little later here.
    assert opened_at and opened_at[0] < 60.0


async def test_a_hold_longer_than_the_bound_is_cut_to_it(clock: FakeClock) -> None:
    limiter = RateLimiter(100, 1.0, max_hold=30.0, clock=clock, sleep=clock.sleep)
    limiter.hold(86_400.0)
    await limiter.acquire()
    assert clock() <= 30.0


async def test_background_callers_leave_a_reserve_and_go_after_everyone(clock: FakeClock) -> None:
    """The prefetch: never the last slots of a window, and never before a waiting caller."""
    limiter = RateLimiter(8, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    assert limiter.background_reserve == 2
    stamps: list[float] = []

    async def prefetch() -> None:
        for _ in range(12):
            await limiter.acquire(background=True)
            stamps.append(clock())

    await prefetch()
    # 6 of 8 a window: 2 slots stay free for what the user asks for
    assert max_in_window(stamps, 1.0) == 6
    assert stamps[:6] == [stamps[0]] * 6
    # so an open right after a burst of background requests finds a slot at once
    now = clock()
    await limiter.acquire(urgent=True)
    assert clock() == now


async def test_background_callers_wait_for_every_other_caller(clock: FakeClock) -> None:
    limiter = RateLimiter(8, 1.0, margin=0.0, clock=clock, sleep=clock.sleep)
    order: list[str] = []
    done = asyncio.Event()

    async def in_flight() -> None:
        async with limiter.slot():
            await done.wait()  # slow requests: every slot stays taken

    async def one(name: str, **kind: bool) -> None:
        await limiter.acquire(**kind)
        order.append(name)

    holders = [asyncio.create_task(in_flight()) for _ in range(8)]
    for _ in range(3):
        await asyncio.sleep(0)
    late = [asyncio.create_task(one(f"bg{i}", background=True)) for i in range(3)]
    for _ in range(3):
        await asyncio.sleep(0)  # the background callers queued first
    pages = [asyncio.create_task(one(f"page{i}")) for i in range(4)]
    opener = asyncio.create_task(one("urgent", urgent=True))
    await asyncio.sleep(0)
    done.set()
    await asyncio.gather(*holders, *late, *pages, opener)
    # every ordinary and urgent caller went before the background ones queued earlier
    assert set(order[:5]) == {"page0", "page1", "page2", "page3", "urgent"}
    assert order[5:] == ["bg0", "bg1", "bg2"]


def test_a_tiny_window_still_lets_background_callers_in() -> None:
    assert RateLimiter(1, 1.0).background_reserve == 0
    assert RateLimiter(20, 2.0).background_reserve == 5

"""A sliding-window rate limiter shared by every request of one client.

lemlist allows 20 requests per 2 s per key and answers 429 beyond that. The server
counts *arrivals*; we only know when we *send* and when the answer *completes*. So a
slot is held from the moment it is taken until the request ends, and its place in the
window is when the server most likely saw it: the client reports the midpoint between
"request headers written" and "response headers read" (``Ticket.arrived``, from
httpx's trace hooks), which is never earlier than the arrival on a symmetric path and
leaves out connection set-up and TLS. Without a report the completion time is used,
which is always safe. The 21st request is therefore sent at least ``period`` after
the 1st one reached the server, whatever the latency: "never a 429 in normal
operation", which every retry and every status line would otherwise have to explain.

Waiters queue on one ``asyncio.Lock`` (FIFO), so concurrent page fetches are served
in the order they asked. An *urgent* caller (the user opening a thread while a big
inbox is still loading) does not queue behind them: it waits outside the lock, and
while one is waiting the queued callers leave it the next free slot. Without this an
open waited for every page request already queued, over a second and a half at
300 ms latency.

A 429 puts a *hold* on everyone (``hold``): the server said to wait. A hold is capped
(``max_hold``), and an urgent caller obeys holds for at most ``max_hold`` in all, from
when it began waiting: page loads that keep meeting 429s keep extending the hold, and
without that bound an opened thread would wait behind them for as long as they go on.
The clock and the sleep are injectable so tests can run the
limiter on a fake clock without waiting.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_EPSILON = 1e-6
#: How long a queued caller steps aside for an urgent one.
_YIELD = 0.005


class Ticket:
    """One request's slot; the client may tell when the server most likely saw it."""

    __slots__ = ("arrived", "taken")

    def __init__(self, taken: float) -> None:
        self.taken = taken
        #: Best estimate of the request's arrival at the server (limiter clock), if known.
        self.arrived: float | None = None


class RateLimiter:
    """At most ``max_calls`` requests in any ``period`` seconds, across all callers."""

    def __init__(
        self,
        max_calls: int = 20,
        period: float = 2.0,
        *,
        margin: float = 0.05,
        max_hold: float = 30.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        #: Extra seconds per window: clock granularity and a server that counts ``<=``.
        self.margin = margin
        #: Longest one hold lasts, and longest an urgent caller obeys holds in all.
        self.max_hold = max_hold
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        #: Arrival estimates (completion, or send for plain ``acquire``) inside the window, sorted.
        self._stamps: list[float] = []
        self._in_flight = 0
        self._released = asyncio.Event()
        self._blocked_until = 0.0
        self._urgent_waiting = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def now(self) -> float:
        """The limiter's clock, for callers that report ``Ticket.arrived``."""
        return self._clock()

    def hold(self, seconds: float) -> None:
        """Pause every caller for ``seconds`` (after a 429: the server said to wait)."""
        seconds = min(max(0.0, seconds), self.max_hold)
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    async def acquire(self, *, urgent: bool = False) -> None:
        """Take a slot that counts from now (for callers that cannot report completion)."""
        await self._take(urgent=urgent)
        self._in_flight -= 1
        bisect.insort(self._stamps, self._clock())

    @asynccontextmanager
    async def slot(self, *, urgent: bool = False) -> AsyncIterator[Ticket]:
        """Hold a slot for the duration of one request; see the module docstring."""
        await self._take(urgent=urgent)
        ticket = Ticket(self._clock())
        try:
            yield ticket
        finally:
            self._in_flight -= 1
            now = self._clock()
            stamp = now if ticket.arrived is None else min(max(ticket.arrived, ticket.taken), now)
            bisect.insort(self._stamps, stamp)
            self._released.set()

    async def _take(self, *, urgent: bool = False) -> None:
        if not urgent:
            async with self._lock:
                await self._wait_for_room(urgent=False)
            return
        self._urgent_waiting += 1
        try:
            await self._wait_for_room(urgent=True)
        finally:
            self._urgent_waiting -= 1

    async def _wait_for_room(self, *, urgent: bool) -> None:
        hold_deadline = self._clock() + self.max_hold if urgent else math.inf
        while True:
            now = self._clock()
            until = min(self._blocked_until, hold_deadline)
            if now < until:
                await self._sleep(until - now)
                continue
            window = self.period + self.margin
            # The epsilon keeps float rounding from sleeping 0 s forever at the edge.
            expired = bisect.bisect_right(self._stamps, now + _EPSILON - window)
            del self._stamps[:expired]
            room = len(self._stamps) + self._in_flight < self.max_calls
            if room and (urgent or not self._urgent_waiting):
                self._in_flight += 1
                return
            if room:
                # An urgent caller is waiting for this very slot: let it run first.
                await self._sleep(_YIELD)
            elif self._stamps:
                # The oldest finished request leaves the window first.
                await self._sleep(self._stamps[0] + window - now)
            else:
                # Every slot is an unfinished request: wait for one to end.
                self._released.clear()
                await self._released.wait()

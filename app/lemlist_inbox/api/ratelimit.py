"""A sliding-window rate limiter shared by every request of one client.

lemlist allows 20 requests per 2 s per key and answers 429 beyond that. The server
counts *arrivals*; we only know when we *send* and when the answer *completes*. A
request's arrival lies somewhere between the two, so a slot is held from the moment
it is taken until the answer completes, and only then starts its ``period``: the
21st request is therefore sent at least ``period`` after the 1st one's answer, hence
after its arrival, whatever the latency. That costs one round trip per window of
throughput (about 10 % at 200 ms) and buys "never a 429 in normal operation", which
every retry and every status line would otherwise have to explain.

Waiters queue on one ``asyncio.Lock`` (FIFO), so concurrent page fetches are served
in the order they asked. The clock and the sleep are injectable so tests can run the
limiter on a fake clock without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_EPSILON = 1e-6


class RateLimiter:
    """At most ``max_calls`` requests in any ``period`` seconds, across all callers."""

    def __init__(
        self,
        max_calls: int = 20,
        period: float = 2.0,
        *,
        margin: float = 0.05,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        #: Extra seconds per window: clock granularity and a server that counts ``<=``.
        self.margin = margin
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        #: Completion (or send, for plain ``acquire``) times still inside the window, oldest first.
        self._stamps: deque[float] = deque()
        self._in_flight = 0
        self._released = asyncio.Event()
        self._blocked_until = 0.0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def hold(self, seconds: float) -> None:
        """Pause every caller for ``seconds`` (after a 429: the server said to wait)."""
        self._blocked_until = max(self._blocked_until, self._clock() + max(0.0, seconds))

    async def acquire(self) -> None:
        """Take a slot that counts from now (for callers that cannot report completion)."""
        await self._take()
        self._in_flight -= 1
        self._stamps.append(self._clock())

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot for the duration of one request; its window starts when it ends."""
        await self._take()
        try:
            yield
        finally:
            self._in_flight -= 1
            self._stamps.append(self._clock())
            self._released.set()

    async def _take(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._blocked_until:
                    await self._sleep(self._blocked_until - now)
                    continue
                window = self.period + self.margin
                # The epsilon keeps float rounding from sleeping 0 s forever at the edge.
                while self._stamps and self._stamps[0] + window <= now + _EPSILON:
                    self._stamps.popleft()
                if len(self._stamps) + self._in_flight < self.max_calls:
                    self._in_flight += 1
                    return
                if self._stamps:
                    # The oldest finished request leaves the window first.
                    await self._sleep(self._stamps[0] + window - now)
                else:
                    # Every slot is an unfinished request: wait for one to end.
                    self._released.clear()
                    await self._released.wait()

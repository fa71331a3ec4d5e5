"""A sliding-window rate limiter shared by every request of one client.

lemlist allows 20 requests per 2 s per key and answers 429 beyond that. The server
counts *arrivals*; we only know when we *send* and when the answer *completes*. So a
slot is held from the moment it is taken until the request ends, and then placed in
the window at an estimate of when the server saw it. What the window needs is not the
absolute arrival but the *gap* between a request's arrival and that of the one sent a
window later: with ``a = sent + up`` (``up``: the way there, server queueing before
its count included), the 21st request is safe when ``sent21 - placed1 >= period +
margin`` and ``placed1 >= sent1 + (up1 - up21)``. Two bounds for ``up1 - up21``,
from the client's trace marks (``Ticket.report``: "request headers written" and
"response headers read", which leave out connection set-up and TLS):

* **The midpoint** (``sent + rtt/2``): on a symmetric path the way there is at most
  half the round trip, whatever the server spent; the old rule, and the cap.
* **The round trip's excess over the fastest one seen** (``sent + rtt - min_rtt``):
  every part of a round trip (way there, server time, way back) has a floor the
  fastest request came close to, and delay only adds to it; so a request cannot have
  spent more on its way there than its round trip took beyond the fastest one, and
  the later request spent at least the floor. With a steady path and steady server
  time this is a few milliseconds where the midpoint is half the latency: 100 ms of
  slack per window at 200 ms (figure 9: five windows in a 10,000-conversation load).

A request is placed at the smaller of the two, never before it was sent; ``min_rtt``
is re-read whenever the window is checked, so a faster round trip seen later moves
earlier requests *later*, never earlier; a request is forgotten only once even the
midpoint has left the window. Without a report the completion time is used, which is
always safe. "Never a 429 in normal operation", which every retry and every status
line would otherwise have to explain: the stand-in's sliding window checks it
(``tests/api/test_api_live.py``, figures 2 and 9 count 429s).

Waiters queue on one ``asyncio.Lock`` (FIFO), so concurrent page fetches are served
in the order they asked. An *urgent* caller (the user opening a thread while a big
inbox is still loading) does not queue behind them: it waits outside the lock, and
while one is waiting the queued callers leave it the next free slot. Without this an
open waited for every page request already queued, over a second and a half at
300 ms latency.

A *background* caller (the prefetch of the newest threads) comes after everyone: it
waits while an urgent or an ordinary caller waits, and never takes the last
``background_reserve`` slots of a window, so a thread the user opens finds a slot at
once even while a prefetch keeps the limiter busy (without the reserve it would wait
for a slot to leave the window: up to two seconds).

A 429 puts a *hold* on everyone (``hold``): the server said to wait. A hold is capped
(``max_hold``), and an urgent caller obeys holds for at most ``max_hold`` in all, from
when it began waiting: page loads that keep meeting 429s keep extending the hold, and
without that bound an opened thread would wait behind them for as long as they go on.
The clock and the sleep are injectable so tests can run the
limiter on a fake clock without waiting.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

_EPSILON = 1e-6
#: How long a queued caller steps aside for an urgent one.
_YIELD = 0.005
#: How long a background caller waits before looking again while others go first.
_BACKGROUND_WAIT = 0.02


class Ticket:
    """One request's slot; the client may tell when the server most likely saw it."""

    __slots__ = ("answered", "arrived", "sent", "taken")

    def __init__(self, taken: float) -> None:
        self.taken = taken
        #: Best estimate of the request's arrival at the server (limiter clock), if known.
        self.arrived: float | None = None
        #: When the request's headers were written and its answer's headers read.
        self.sent: float | None = None
        self.answered: float | None = None

    def report(self, sent: float, answered: float) -> None:
        """The trace marks of the attempt (limiter clock); see the module docstring."""
        self.sent, self.answered = sent, answered


class _Finished:
    """A finished request in (or near) the window."""

    __slots__ = ("latest", "rtt", "sent")

    def __init__(self, latest: float, sent: float | None = None, rtt: float | None = None) -> None:
        #: The latest the server can have seen it (the midpoint, or the completion time).
        self.latest = latest
        self.sent = sent
        self.rtt = rtt

    def placed(self, min_rtt: float) -> float:
        """Where it sits in the window: the smaller bound of the module docstring."""
        if self.sent is None or self.rtt is None:
            return self.latest
        return min(self.latest, self.sent + max(0.0, self.rtt - min_rtt))


class RateLimiter:
    """At most ``max_calls`` requests in any ``period`` seconds, across all callers."""

    def __init__(
        self,
        max_calls: int = 20,
        period: float = 2.0,
        *,
        margin: float = 0.02,
        max_hold: float = 30.0,
        background_reserve: int | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if max_calls < 1 or period <= 0:
            raise ValueError("max_calls must be >= 1 and period > 0")
        self.max_calls = max_calls
        self.period = period
        #: Extra seconds per window: clock granularity, a server that counts ``<=``, and
        #: what the round-trip bound cannot see (it is paid once per window: keep it small).
        self.margin = margin
        #: Longest one hold lasts, and longest an urgent caller obeys holds in all.
        self.max_hold = max_hold
        #: Slots of each window background callers leave to the others (a quarter).
        reserve = max(1, max_calls // 4) if background_reserve is None else background_reserve
        self.background_reserve = max(0, min(reserve, max_calls - 1))
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        #: Background callers queue on their own lock, behind everyone on the other.
        self._background_lock = asyncio.Lock()
        #: Finished requests whose latest possible arrival is still inside the window.
        self._done: list[_Finished] = []
        #: The fastest traced round trip seen (the floor of the round-trip bound).
        self._min_rtt = math.inf
        self._in_flight = 0
        self._released = asyncio.Event()
        self._blocked_until = 0.0
        self._urgent_waiting = 0
        self._ordinary_waiting = 0

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def now(self) -> float:
        """The limiter's clock, for callers that report trace marks (``Ticket.report``)."""
        return self._clock()

    def hold(self, seconds: float) -> None:
        """Pause every caller for ``seconds`` (after a 429: the server said to wait)."""
        seconds = min(max(0.0, seconds), self.max_hold)
        self._blocked_until = max(self._blocked_until, self._clock() + seconds)

    async def acquire(self, *, urgent: bool = False, background: bool = False) -> None:
        """Take a slot that counts from now (for callers that cannot report completion)."""
        await self._take(urgent=urgent, background=background)
        self._in_flight -= 1
        self._done.append(_Finished(self._clock()))

    @asynccontextmanager
    async def slot(self, *, urgent: bool = False, background: bool = False) -> AsyncIterator[Ticket]:
        """Hold a slot for the duration of one request; see the module docstring."""
        await self._take(urgent=urgent, background=background)
        ticket = Ticket(self._clock())
        try:
            yield ticket
        finally:
            self._in_flight -= 1
            self._done.append(self._finished(ticket, self._clock()))
            self._released.set()

    def _finished(self, ticket: Ticket, now: float) -> _Finished:
        sent, answered = ticket.sent, ticket.answered
        if sent is not None and answered is not None and ticket.taken <= sent <= answered <= now:
            rtt = answered - sent
            self._min_rtt = min(self._min_rtt, rtt)
            return _Finished(sent + rtt / 2, sent, rtt)
        if ticket.arrived is not None:
            return _Finished(min(max(ticket.arrived, ticket.taken), now))
        return _Finished(now)  # no report: the completion, always safe

    async def _take(self, *, urgent: bool = False, background: bool = False) -> None:
        if background and not urgent:
            async with self._background_lock:
                await self._wait_for_room(urgent=False, background=True)
            return
        if not urgent:
            # Counted apart from the lock: between one holder's release and the next
            # waiter's wake-up the lock reads free, and a background caller must not
            # slip into that gap.
            self._ordinary_waiting += 1
            try:
                async with self._lock:
                    await self._wait_for_room(urgent=False)
            finally:
                self._ordinary_waiting -= 1
            return
        self._urgent_waiting += 1
        try:
            await self._wait_for_room(urgent=True)
        finally:
            self._urgent_waiting -= 1

    async def _wait_for_room(self, *, urgent: bool, background: bool = False) -> None:
        hold_deadline = self._clock() + self.max_hold if urgent else math.inf
        while True:
            now = self._clock()
            until = min(self._blocked_until, hold_deadline)
            if now < until:
                await self._sleep(until - now)
                continue
            window = self.period + self.margin
            # The epsilon keeps float rounding from sleeping 0 s forever at the edge.
            edge = now + _EPSILON - window
            self._done = [d for d in self._done if d.latest > edge]
            placed = [p for p in (d.placed(self._min_rtt) for d in self._done) if p > edge]
            limit = self.max_calls - (self.background_reserve if background else 0)
            room = len(placed) + self._in_flight < limit
            if background and (self._urgent_waiting or self._ordinary_waiting):
                # Someone else is waiting: they go first, however long that takes.
                await self._sleep(_BACKGROUND_WAIT)
                continue
            if room and (urgent or not self._urgent_waiting):
                self._in_flight += 1
                return
            if room:
                # An urgent caller is waiting for this very slot: let it run first.
                await self._sleep(_YIELD)
            elif placed:
                # The earliest placed finished request leaves the window first.
                await self._sleep(min(placed) + window - now)
            else:
                # Every slot is an unfinished request: wait for one to end.
                self._released.clear()
                await self._released.wait()

"""Server-side sliding-window rate limit, per API key, as lemlist documents it.

lemlist allows 20 requests per 2 seconds per key and answers 429 with ``Retry-After``
beyond that. The stand-in enforces the same rule with a true sliding window (not fixed
buckets) so a client that merely paces itself "about right" gets caught, which is what
the client's own limiter is tested against. Rejected requests do not use up the window.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate


@dataclass(frozen=True)
class Verdict:
    """The outcome for one request and the headers that describe the window."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # whole seconds, >= 1 when not allowed
    reset_at: float  # wall-clock time when a slot frees up

    def headers(self) -> dict[str, str]:
        """``X-RateLimit-*`` (on every response) and ``Retry-After`` (on a 429)."""
        out = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            # lemlist sends a JavaScript date string here; an HTTP date carries the same
            # information and no client should depend on the exact spelling.
            "X-RateLimit-Reset": formatdate(self.reset_at, usegmt=True),
        }
        if not self.allowed:
            out["Retry-After"] = str(self.retry_after)
        return out


class SlidingWindowLimiter:
    """At most ``max_calls`` admitted requests per key in any ``period`` seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}

    def check(self, key: str, max_calls: int, period: float, *, enforce: bool = True) -> Verdict:
        """Admit or reject one request now; limits are passed in so they can change live."""
        now = self._clock()
        wall = time.time()
        with self._lock:
            window = self._windows.setdefault(key, deque())
            while window and now - window[0] >= period:
                window.popleft()
            if not enforce or len(window) < max_calls:
                window.append(now)
                oldest = window[0]
                return Verdict(
                    allowed=True,
                    limit=max_calls,
                    remaining=max(0, max_calls - len(window)),
                    retry_after=0,
                    reset_at=wall + max(0.0, period - (now - oldest)),
                )
            wait = period - (now - window[0])
            return Verdict(
                allowed=False,
                limit=max_calls,
                remaining=0,
                retry_after=max(1, math.ceil(wait)),
                reset_at=wall + wait,
            )

    def forced(self, key: str, max_calls: int) -> Verdict:
        """A 429 that a fault knob demands, whatever the window says."""
        return Verdict(False, max_calls, 0, 1, time.time() + 1.0)

    def forget(self) -> None:
        """Drop all windows (a fresh start between test phases)."""
        with self._lock:
            self._windows.clear()

"""Fault knobs of the stand-in, and the thread-safe counter that decides when they fire.

The client must survive what the real service and the network do to it (429 storms,
5xx, resets, cut bodies, HTML from a proxy, stalls, junk items). Each knob makes one of
those happen on a predictable request, so a test can say "every 3rd request fails" and
count on it. Every knob is off by default and can be changed while the server runs:
the handler reads the dataclass on each request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum


@dataclass
class Faults:
    """What goes wrong, and how often. Mutable at runtime; all off by default.

    "Every Nth request" counts requests that passed authentication and the rate limit
    (1-based, shared by all knobs), and only those whose path starts with one of
    ``paths`` when ``paths`` is set (e.g. ``("/api/inbox",)``). When several knobs hit
    the same request, the first in this order wins: reset, error, html, truncate.
    """

    latency: float = 0.0  # seconds added before each response
    rate_limit: bool = True  # enforce max_calls / period per key (429 + Retry-After, X-RateLimit-*)
    max_calls: int = 20
    period: float = 2.0
    burst_429: int = 0  # the next N requests get 429 (Retry-After: 1), counted down
    error_every: int = 0  # every Nth request answers 500 (plain text)
    reset_every: int = 0  # every Nth request: connection closed (RST) without a response
    truncate_every: int = 0  # every Nth request: JSON body cut in half (see truncate_mode)
    #: "close": full Content-Length announced, half the body sent, then the socket is
    #: closed (the client sees an incomplete read); "json": a complete HTTP response
    #: whose JSON text is cut in half (the client sees invalid JSON in a 200).
    truncate_mode: str = "close"
    html_every: int = 0  # every Nth request: 200 with an HTML page (text/html)
    slow_body: float = 0.0  # seconds the body stalls after its first half (read timeouts)
    malformed_every: int = 0  # every Nth conversation in the list (by position) is junk
    #: every Nth conversation (by position) keeps its ``_id`` but gets wrong-typed
    #: fields; a lenient client keeps it (unlike ``malformed_every`` items).
    odd_every: int = 0
    #: every Nth counted request first calls ``add_activity(activity_count)``: the list
    #: changes under a client that is still paging (pages shift, new items appear).
    activity_every: int = 0
    activity_count: int = 3
    #: stop ``activity_every`` after this many bursts (0: never): churn that ends, so a
    #: test can say "once the list holds still, the load is complete" without racing.
    activity_limit: int = 0
    #: a named lie (see ``demo.lies.MODES``) told on every counted request it applies to.
    lie: str = ""
    paths: tuple[str, ...] = ()  # restrict the "every Nth" knobs and burst_429 to these path prefixes
    status_for_error: int = 500  # status used by error_every (e.g. 502, 503)
    # -- writes (POST/PATCH/DELETE): the "every Nth" knobs above never touch them; these
    # count down, one write each, checked in this order:
    #: the next N writes are refused unread (nothing is sent or saved) with
    #: ``write_status`` and ``write_message`` as plain text (a 503, a 400 of lemlist's...)
    write_failures: int = 0
    write_status: int = 503
    write_message: str = "Service Unavailable"
    #: the next N writes are done (the message joins the thread, the draft is saved) and
    #: then never answered: the connection is held ``write_stall`` seconds (or until the
    #: server stops), then reset. The client sees a timeout; the server did the work.
    write_timeouts: int = 0
    write_stall: float = 30.0
    #: the next N writes are done and then the connection is reset without an answer.
    write_resets: int = 0

    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    _count: int = field(default=0, init=False, repr=False, compare=False)
    _activity: int = field(default=0, init=False, repr=False, compare=False)

    def take_activity(self, number: int) -> bool:
        """Whether counted request ``number`` brings new activity (thread-safe)."""
        if self.activity_every <= 0 or number % self.activity_every:
            return False
        with self._lock:
            if self.activity_limit and self._activity >= self.activity_limit:
                return False
            self._activity += 1
            return True

    def applies_to(self, path: str) -> bool:
        """Whether the counted knobs look at a request for ``path``."""
        return not self.paths or any(path.startswith(p) for p in self.paths)

    def take_burst(self) -> bool:
        """Consume one forced 429 if a burst is pending (thread-safe)."""
        with self._lock:
            if self.burst_429 > 0:
                self.burst_429 -= 1
                return True
            return False

    def take_write_fault(self) -> str:
        """What happens to this write: "", "fail", "timeout" or "reset" (counted down)."""
        with self._lock:
            for name in ("write_failures", "write_timeouts", "write_resets"):
                left = getattr(self, name)
                if left > 0:
                    setattr(self, name, left - 1)
                    return {"write_failures": "fail", "write_timeouts": "timeout"}.get(name, "reset")
        return ""

    def next_fault(self) -> tuple[Fault, int]:
        """Count one request; say which counted fault, if any, it gets, and its number."""
        with self._lock:
            self._count += 1
            n = self._count
        return self._fault_for(n), n

    def _fault_for(self, n: int) -> Fault:
        for every, fault in (
            (self.reset_every, Fault.RESET),
            (self.error_every, Fault.ERROR),
            (self.html_every, Fault.HTML),
            (self.truncate_every, Fault.TRUNCATE),
        ):
            if every > 0 and n % every == 0:
                return fault
        return Fault.NONE

    @property
    def counted(self) -> int:
        """How many requests the "every Nth" knobs have counted so far."""
        with self._lock:
            return self._count

    def reset_counter(self) -> None:
        """Start counting from zero again (so "every Nth" is relative to now)."""
        with self._lock:
            self._count = 0


class Fault(Enum):
    """What the handler must do to the response of one request."""

    NONE = "none"
    RESET = "reset"
    ERROR = "error"
    HTML = "html"
    TRUNCATE = "truncate"

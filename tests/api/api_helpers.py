"""Helpers shared by the api tests: a fast client over a mock transport, a fake clock, data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import httpx

from lemlist_inbox.api import LemlistClient, RateLimiter, RetryPolicy

#: A key that must never show up in any message, repr or log line.
SECRET_KEY = "sk-test-SECRET-9f3a7c21"

#: Waits small enough that a retry costs milliseconds, not seconds.
FAST_POLICY = RetryPolicy(
    backoff_base=0.001, max_backoff=0.005, max_retry_after=0.02, default_retry_after=0.01, jitter=0.001
)

Handler = Callable[[httpx.Request], httpx.Response]
AnyHandler = (
    Callable[[httpx.Request], httpx.Response]
    | Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
)


class Recorder:
    """Wraps a handler, keeps every request it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def params(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)


class FakeClock:
    """Monotonic time that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def make_client(handler: AnyHandler, **kwargs: Any) -> LemlistClient:
    kwargs.setdefault("base_url", "https://api.example.test/api")
    kwargs.setdefault("retry_policy", FAST_POLICY)
    kwargs.setdefault("rate_limiter", RateLimiter(max_calls=10_000, period=1.0))
    kwargs.setdefault("max_retries", 3)
    return LemlistClient(SECRET_KEY, transport=httpx.MockTransport(handler), **kwargs)


def conversations(count: int, prefix: str = "ibx") -> list[dict[str, Any]]:
    """Raw conversations, newest activity first."""
    return [
        {
            "_id": f"{prefix}_{i:05d}",
            "contactId": f"ctc_{i:05d}",
            "lastActivityAt": f"2024-12-{(28 - i // 1000):02d}T00:00:00.000Z",
            "contact": {"_id": f"ctc_{i:05d}", "email": f"c{i}@example.com"},
            "users": [{"userId": "usr_a", "sender": True, "read": i % 2 == 0}],
        }
        for i in range(count)
    ]


def inbox_page(items: list[dict[str, Any]], page: int, limit: int) -> dict[str, Any]:
    total_pages = -(-len(items) // limit) if limit else 0
    return {
        "data": items[(page - 1) * limit : page * limit],
        "pagination": {
            "totalItems": len(items),
            "currentPage": page,
            "nextPage": page + 1 if page < total_pages else None,
            "previousPage": page - 1 if page > 1 else None,
            "perPage": limit,
            "totalPages": total_pages,
        },
    }


def live_client(base_url: str, key: str, **kwargs: Any) -> LemlistClient:
    """A client over real loopback HTTP with small waits; the rate limiter is the real one."""
    kwargs.setdefault("retry_policy", FAST_POLICY)
    kwargs.setdefault("max_retries", 4)
    kwargs.setdefault("timeout", 5.0)
    return LemlistClient(key, base_url=base_url, **kwargs)


def max_in_window(stamps: list[float], period: float) -> int:
    """The most stamps inside any window of ``period`` seconds (half-open, as the server counts)."""
    stamps = sorted(stamps)
    best = 0
    start = 0
    for end, stamp in enumerate(stamps):
        while stamp - stamps[start] >= period:
            start += 1
        best = max(best, end - start + 1)
    return best


async def settled_log(server: Any, count: int, path: str | None = None, wait: float = 10.0) -> list[Any]:
    """The server's request log once it holds ``count`` entries (for ``path``).

    The stand-in logs a request after its answer is written, so a client can be done
    before the record is: wait (bounded) for it instead of racing. Then a short grace
    period catches any request beyond ``count`` that should not have been made.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while len(server.requests(path)) < count and loop.time() < deadline:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.02)
    return list(server.requests(path))

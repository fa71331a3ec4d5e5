"""Drive the real ``InboxApp`` headless (``run_test``) against the stand-in process.

Shared by the responsiveness (3), memory (4) and thread-open (5) figures. The stand-in
runs in another process (see ``standin``) with its rate limit off and the client's
limiter opened wide: loading 100,000 conversations at the real 20 req / 2 s would take
100 s and measure the limit, not the app. Everything else is the production path:
HTTP on loopback, JSON, pydantic models, the store, the list widget, the compositor.

Headless means Textual computes every frame (widgets' ``render_line``, the compositor)
but skips encoding it to escape sequences; figure 7 measures that part under a pty.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.pop("NO_COLOR", None)

SIZE = (160, 45)


def make_app(
    base_url: str,
    user_id: str | None,
    *,
    page_size: int = 100,
    real_rate_limit: bool = False,
    store: Any = None,
) -> Any:
    """An ``InboxApp`` as the CLI builds it, minus auto-refresh and (unless asked) the rate limit.

    ``store`` (``StoreOptions``): a local inbox; by default none is kept."""
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.ratelimit import RateLimiter
    from lemlist_inbox.config import Settings
    from lemlist_inbox.demo import DEMO_API_KEY
    from lemlist_inbox.ui.app import InboxApp

    limiter = RateLimiter() if real_rate_limit else open_limiter()
    client = LemlistClient(DEMO_API_KEY, base_url=base_url, rate_limiter=limiter)
    settings = Settings(api_key=DEMO_API_KEY, base_url=base_url, user_id=user_id)
    settings.page_size = page_size
    settings.refresh_interval = 0.0
    return InboxApp(client, settings, user_id=user_id, demo=True, store=store)


def open_limiter() -> Any:
    """A client-side limiter that never waits (the stand-in's limit is off too)."""
    from lemlist_inbox.api.ratelimit import RateLimiter

    return RateLimiter(max_calls=1_000_000, period=1.0)


async def wait_for(predicate: Callable[[], bool], timeout: float = 600.0, step: float = 0.01) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(step)


def screen_of(app: Any) -> Any:
    return app.main_screen


async def wait_loaded(app: Any, expected: int, timeout: float = 900.0) -> Any:
    await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted, timeout)
    screen = app.main_screen
    await wait_for(lambda: len(screen.store) >= expected and not screen.busy, timeout)
    return screen


def rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) of this process in MB, from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, amount = line.split(":", 1)
                values[key] = int(amount.split()[0]) / 1024
    return values.get("VmRSS", float("nan")), values.get("VmHWM", float("nan"))

"""Driving the real ``InboxApp`` against the stand-in: the one harness for tests/ui,
tests/hostile and tests/faults (their conftests take the fixtures from here).

Time is pinned (TZ=UTC, the demo's reference instant as the app's clock) so what is on
screen never depends on when the tests run. Clients from ``make_client`` get millisecond
retry waits and a wide rate limiter unless a test asks otherwise, so a fault costs
milliseconds.
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ["TZ"] = "UTC"
time.tzset()
os.environ.pop("NO_COLOR", None)

import pytest  # noqa: E402
from rich.cells import cell_len  # noqa: E402
from textual.app import App  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from lemlist_inbox.api import LemlistClient, RateLimiter, RetryPolicy  # noqa: E402
from lemlist_inbox.config import Settings  # noqa: E402
from lemlist_inbox.demo import SEED_REFERENCE, DemoServer, Faults  # noqa: E402
from lemlist_inbox.inbox.local import DATA_DIR_ENV  # noqa: E402
from lemlist_inbox.ui.app import InboxApp  # noqa: E402
from lemlist_inbox.ui.screens.main import MainScreen  # noqa: E402

REFERENCE: datetime = SEED_REFERENCE

#: Waits small enough that a retry costs milliseconds, not seconds.
FAST_POLICY = RetryPolicy(
    backoff_base=0.002, max_backoff=0.01, max_retry_after=0.05, default_retry_after=0.02, jitter=0.002
)

#: What must never reach the terminal: C0 (but newline, which never is in a strip), DEL,
#: C1, bidi embeddings/overrides/isolates.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


ServerFactory = Callable[..., DemoServer]


def fixed_clock() -> datetime:
    return REFERENCE


def first_user(server: DemoServer) -> str:
    return str(server.dataset.users[0]["userId"])


@pytest.fixture
def make_server() -> Iterator[ServerFactory]:
    """Start stand-ins (deterministic datasets, time pinned, rate limit off unless the
    faults given say otherwise); all stopped at teardown."""
    started: list[DemoServer] = []

    def make(conversations: int = 30, *, faults: Faults | None = None, **kw: Any) -> DemoServer:
        faults = faults or Faults(rate_limit=False)
        server = DemoServer(conversations=conversations, faults=faults, reference=REFERENCE, **kw)
        started.append(server.start())
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
async def apps() -> AsyncIterator[list[InboxApp]]:
    """Collects apps made in a test so their clients are closed afterwards."""
    made: list[InboxApp] = []
    yield made
    for app in made:
        await app.client.aclose()


def make_client(server: DemoServer, key: str, **kwargs: Any) -> LemlistClient:
    kwargs.setdefault("retry_policy", FAST_POLICY)
    kwargs.setdefault("rate_limiter", RateLimiter(max_calls=10_000, period=1.0))
    kwargs.setdefault("max_retries", 4)
    kwargs.setdefault("timeout", 5.0)
    return LemlistClient(key, base_url=server.base_url, **kwargs)


def make_app(
    server: DemoServer,
    key: str,
    *,
    page_size: int = 10,
    refresh_interval: float = 0.0,
    client: LemlistClient | None = None,
    **client_kwargs: Any,
) -> InboxApp:
    client = client or make_client(server, key, **client_kwargs)
    settings = Settings(api_key=key, base_url=server.base_url, user_id=first_user(server))
    return inbox_app(
        client, settings, first_user(server), page_size=page_size, refresh_interval=refresh_interval
    )


def inbox_app(
    client: LemlistClient,
    settings: Settings,
    user_id: str | None,
    *,
    page_size: int,
    refresh_interval: float,
    demo: bool = True,
) -> InboxApp:
    """The app on the pinned clock, with the list's page size and refresh set on ``settings``."""
    settings.page_size = page_size
    settings.refresh_interval = refresh_interval
    return InboxApp(client, settings, user_id=user_id, clock=fixed_clock, demo=demo)


def main_screen(app: InboxApp) -> MainScreen:
    assert app.main_screen is not None
    return app.main_screen


async def wait_for(predicate: Callable[[], bool], *, timeout: float = 15.0, step: float = 0.02) -> None:
    """Let the app run until ``predicate()`` holds (bounded; not a timing assertion)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(step)


async def loaded(app: InboxApp, timeout: float = 15.0) -> MainScreen:
    """The main screen once its first load finished."""
    await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted, timeout=timeout)
    screen = main_screen(app)
    await wait_for(lambda: len(screen.store) > 0 and not screen.busy, timeout=timeout)
    return screen


@asynccontextmanager
async def run_loaded(
    app: InboxApp, apps: list[InboxApp], size: tuple[int, int] = (120, 30)
) -> AsyncIterator[tuple[Pilot[Any], MainScreen]]:
    """``app`` run headless at ``size`` (its client closed with ``apps``), once its first
    load finished: the pilot and the main screen."""
    apps.append(app)
    async with app.run_test(size=size) as pilot:
        yield pilot, await loaded(app)


def screen_lines(app: App[Any]) -> list[str]:
    """The terminal's lines as the user sees them (the compositor's strips, not the SVG)."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def screen_text(app: App[Any]) -> str:
    """The terminal's text as the user sees it (from the compositor, not the SVG)."""
    return "\n".join(screen_lines(app))


def assert_screen_clean(app: App[Any], context: str = "") -> str:
    """No control character anywhere on screen, and every line exactly the terminal's width."""
    width, height = app.size
    strips = list(app.screen._compositor.render_strips())
    assert len(strips) == height, context
    for y, strip in enumerate(strips):
        text = strip.text
        bad = CONTROL.search(text)
        assert bad is None, f"{context}: control character {bad.group()!r} on line {y}: {text!r}"
        assert cell_len(text) == width, (
            f"{context}: line {y} is {cell_len(text)} cells, not {width}: {text!r}"
        )
    return "\n".join(strip.text for strip in strips)


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Local inboxes of anything started the CLI's way go to a tmp dir, never the
    developer's data dir (``InboxApp`` built directly keeps nothing unless told)."""
    folder = tmp_path / "lemlist-inbox-data"
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    yield folder

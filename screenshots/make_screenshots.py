"""Regenerate the README's SVG screenshots from the demo data.

    python screenshots/make_screenshots.py      # writes screenshots/*.svg
    python screenshots/make_screenshots.py search help   # only those

Runs the real app headless against a local DemoServer (fixed seed, fixed reference
time, pinned clock, TZ=UTC), so re-running it gives the same pictures unless the UI
changed. The shots share one local inbox in a temporary folder, and each waits for the
background prefetch of the newest threads, so the rows show their subjects and first
words as a user's do (the 100 oldest of the 300 conversations are beyond the prefetch).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

os.environ["TZ"] = "UTC"
time.tzset()

from textual.pilot import Pilot  # noqa: E402

from lemlist_inbox.api.client import LemlistClient  # noqa: E402
from lemlist_inbox.config import Settings  # noqa: E402
from lemlist_inbox.demo import DEMO_API_KEY, SEED_REFERENCE, DemoServer, Faults  # noqa: E402
from lemlist_inbox.inbox.local import StoreOptions  # noqa: E402
from lemlist_inbox.ui.app import InboxApp  # noqa: E402
from lemlist_inbox.ui.screens.main import MainScreen  # noqa: E402

HERE = Path(__file__).resolve().parent
Step = Callable[[Pilot[list[str]], MainScreen], Awaitable[None]]


def clock() -> datetime:
    return SEED_REFERENCE


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the demo app did not reach the expected state")
        await asyncio.sleep(0.02)


async def open_third(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    await pilot.press("j", "j", "enter")
    target = screen.store.view_at(2).id
    await until(lambda: screen.thread.current_conversation_id == target and screen.thread.state == "thread")


async def list_only(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    await pilot.press("j", "j")
    await pilot.pause(0.4)


async def show_help(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    await pilot.press("question_mark")


async def filtered(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    await pilot.press("u", "slash")
    screen.filter_input.cursor_blink = False
    await pilot.press("a", "n")
    await until(lambda: screen.store.query == "an")


async def searched(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    """Three threads opened (stored and indexed, beside what the prefetch stored), then ``s``
    and a prefix query."""
    from lemlist_inbox.ui.screens.search import SearchScreen

    for row in (0, 2, 4):
        screen.conversation_list.move_to(row)
        await pilot.press("enter")
        target = screen.store.view_at(row).id

        def opened(target: str = target) -> bool:
            return screen.thread.current_conversation_id == target and screen.thread.state == "thread"

        await until(opened)
        await pilot.press("escape")
    local = screen.local
    assert local is not None and local.search_index is not None
    index = local.search_index
    await until(lambda: index.indexed_threads() >= 3)
    await pilot.press("s")
    await until(lambda: isinstance(pilot.app.screen, SearchScreen))
    search = pilot.app.screen
    assert isinstance(search, SearchScreen)
    search.query_box.cursor_blink = False
    await pilot.press(*"linked* OR meet*")
    await until(lambda: search.answer is not None and search.answer.query == "linked* OR meet*")
    await pilot.press("enter", "j")


async def open_named(pilot: Pilot[list[str]], screen: MainScreen, name: str) -> None:
    store = screen.store
    index = next(i for i in range(store.view_size) if store.view_at(i).name == name)
    screen.conversation_list.move_to(index)
    await pilot.press("enter")
    thread = screen.thread
    await until(lambda: thread.state == "thread" and thread.message_position[1] > 0)
    await until(lambda: thread._thread is not None and not thread._thread.partial)


async def folded_thread(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    """A 13-message thread from its top: eleven folded lines, then the newest message."""
    await open_named(pilot, screen, "Hélène Béranger")
    await pilot.press("g")


async def chat_thread(pilot: Pilot[list[str]], screen: MainScreen) -> None:
    """A WhatsApp thread, every message unfolded, its end in view."""
    await open_named(pilot, screen, "Sergio")
    await pilot.press("Z")
    await until(lambda: not screen.thread.folded)
    await pilot.press("G")


SHOTS: list[tuple[str, tuple[int, int], Step]] = [
    ("wide-list-and-thread", (160, 45), open_third),
    ("narrow-list", (80, 24), list_only),
    ("narrow-thread", (80, 24), open_third),
    ("help", (100, 40), show_help),
    ("filter-unread", (120, 32), filtered),
    ("search", (120, 32), searched),
    ("folded-thread", (80, 24), folded_thread),
    ("chat-thread", (160, 45), chat_thread),
]


async def shoot(server: DemoServer, data: Path, name: str, size: tuple[int, int], step: Step) -> Path:
    client = LemlistClient(DEMO_API_KEY, base_url=server.base_url)
    settings = Settings(api_key=DEMO_API_KEY, base_url=server.base_url, refresh_interval=0, config_path=None)
    user = str(server.dataset.users[0]["userId"])
    store = StoreOptions(data_dir=data, base_url=server.base_url, demo=True)
    app = InboxApp(client, settings, user_id=user, clock=clock, demo=True, store=store)
    async with client, app.run_test(size=size) as pilot:
        await until(lambda: app.main_screen is not None and app.main_screen.is_mounted)
        screen = app.main_screen
        assert screen is not None
        await until(lambda: len(screen.store) > 0 and not screen.busy)
        local = screen.local
        assert local is not None and local.db is not None
        db = local.db
        newest = {e.thread_id for e in screen.store.newest(settings.prefetch_threads)}
        await until(lambda: newest <= db.thread_ids() and not screen.prefetching, timeout=120)
        await step(pilot, screen)
        await pilot.pause(0.3)
        path = HERE / f"{name}.svg"
        path.write_text(app.export_screenshot(title="lemlist-inbox"), encoding="utf-8")
    return path


async def main() -> None:
    with (
        DemoServer(
            conversations=300, seed=7, faults=Faults(rate_limit=False), reference=SEED_REFERENCE
        ) as server,
        tempfile.TemporaryDirectory() as data,
    ):
        chosen = sys.argv[1:]
        for name, size, step in SHOTS:
            if chosen and name not in chosen:
                continue
            path = await shoot(server, Path(data), name, size, step)
            print(f"wrote {path.relative_to(HERE.parent)}")


if __name__ == "__main__":
    asyncio.run(main())

"""Figure 3 - responsiveness at 100,000 conversations and while pages are arriving.

The real ``InboxApp`` runs headless at 160x45 (see ``inbox_harness``). Measured with
``time.thread_time`` (CPU of the UI thread, immune to other processes' load) around
``pilot.press(key)`` + ``pilot.pause()``: the key's handler, the refresh it causes and
the compositor building the frame.

* cursor key: ``j``/``k`` in the list with every conversation loaded;
* filter keystroke: ``/`` then a query typed one character at a time (each narrows
  the view) and erased again (each widens it) at 100,000 rows;
* page appended: CPU of merging one 100-row page into the store and syncing the list
  (the UI's share of a page; HTTP, JSON and pydantic are reported apart);
* keys while loading: wall time from the key press to its frame while pages are still
  being merged (how long a key waits behind page work).

Targets: <= 10 ms per key, <= 30 ms per filter keystroke, <= 5 ms per page appended.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, figure_main, median, percentile, python
from inbox_harness import SIZE, make_app, wait_for, wait_loaded
from standin import standin

FIGURE = "3 responsiveness"


class PageMeter:
    """Wraps the store's ``merge`` and the list's ``sync``: CPU per page the UI spends."""

    def __init__(self) -> None:
        from lemlist_inbox.ui.store import ConversationStore
        from lemlist_inbox.ui.widgets.conversation_list import ConversationList

        self.merge: list[float] = []
        self.sync: list[float] = []
        self.sizes: list[int] = []
        self._patches: list[tuple[Any, str, Any]] = []
        meter = self

        real_merge = ConversationStore.merge
        real_sync = ConversationList.sync

        def merge(store: Any, conversations: Any) -> Any:
            start = time.thread_time()
            try:
                return real_merge(store, conversations)
            finally:
                meter.merge.append(time.thread_time() - start)
                meter.sizes.append(len(store))

        def sync(widget: Any) -> Any:
            start = time.thread_time()
            try:
                return real_sync(widget)
            finally:
                meter.sync.append(time.thread_time() - start)

        for owner, name, new in ((ConversationStore, "merge", merge), (ConversationList, "sync", sync)):
            self._patches.append((owner, name, getattr(owner, name)))
            setattr(owner, name, new)

    def restore(self) -> None:
        for owner, name, old in self._patches:
            setattr(owner, name, old)


class KeyProbe:
    """Posts a key like the terminal driver does; times it to the frame that shows it.

    ``pilot.press`` + ``pilot.pause`` would wait for the app to go idle, which it never
    does while pages stream in; here the list's ``move_to`` and the app's ``_display``
    (called with every compositor update, headless or not) are timestamped instead.
    """

    def __init__(self, app: Any) -> None:
        from lemlist_inbox.ui.widgets.conversation_list import ConversationList

        self.app = app
        self.moves: list[float] = []
        self.frames: list[float] = []
        self._cls = ConversationList
        self._real_move = real_move = ConversationList.move_to
        real_display = app._display
        probe = self

        def move_to(widget: Any, index: int) -> None:
            probe.moves.append(time.perf_counter())
            real_move(widget, index)

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                probe.frames.append(time.perf_counter())
            real_display(screen, renderable)

        ConversationList.move_to = move_to  # type: ignore[method-assign]
        app._display = display

    async def press(self, key: str, timeout: float = 10.0) -> float | None:
        from textual import events

        start = time.perf_counter()
        self.app.post_message(events.Key(key, key))
        deadline = start + timeout
        while time.perf_counter() < deadline:
            moved = [t for t in self.moves if t >= start]
            if moved and any(f >= moved[0] for f in self.frames):
                return min(f for f in self.frames if f >= moved[0]) - start
            await asyncio.sleep(0.0005)
        return None

    def restore(self) -> None:
        self._cls.move_to = self._real_move
        del self.app._display


async def key_cpu(pilot: Any, key: str) -> float:
    start = time.thread_time()
    await pilot.press(key)
    await pilot.pause()
    return time.thread_time() - start


async def measure(base_url: str, user_id: str, expected: int, quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    meter = PageMeter()
    app = make_app(base_url, user_id)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
            screen = app.main_screen
            await wait_for(lambda: len(screen.store) >= 200)
            # Keys while pages are still arriving: wall time from the key event being
            # posted (as the driver does) to the first frame after the cursor moved.
            probe = KeyProbe(app)
            while_loading: list[float] = []
            loop_cpu_start = time.thread_time()
            while screen.busy and len(while_loading) < 300:
                latency = await probe.press("j" if len(while_loading) % 8 < 4 else "k")
                if latency is not None:
                    while_loading.append(latency)
                await asyncio.sleep(0.03)
            probe.restore()
            await wait_loaded(app, expected)
            out["loop_cpu"] = time.thread_time() - loop_cpu_start
            out["loaded"] = len(screen.store)
            out["while_loading"] = while_loading
            out["rows_at_keys"] = len(screen.store)
            await pilot.pause()
            # Cursor keys with everything loaded; away from the top so scrolling happens too.
            for _ in range(3):
                await key_cpu(pilot, "j")  # warm caches
            cursor = []
            for i in range(40 if quick else 120):
                cursor.append(await key_cpu(pilot, "j" if i % 60 < 45 else "k"))
            out["cursor"] = cursor
            out["baseline"] = [await key_cpu(pilot, "f9") for _ in range(20 if quick else 40)]
            out["pagedown"] = [await key_cpu(pilot, "pagedown") for _ in range(10 if quick else 30)]
            out["jumps"] = [await key_cpu(pilot, k) for k in ("G", "g") * (3 if quick else 10)]
            # Filter: narrow one character at a time, then widen again.
            await key_cpu(pilot, "slash")
            narrow, widen = [], []
            for _ in range(2 if quick else 5):
                for ch in "mar":
                    narrow.append(await key_cpu(pilot, ch))
                for _ in "mar":
                    widen.append(await key_cpu(pilot, "backspace"))
            out["filter_narrow"] = narrow
            out["filter_widen"] = widen
            out["view_after"] = screen.store.view_size
    finally:
        meter.restore()
    out["merge"] = meter.merge
    out["sync"] = meter.sync
    return out


def run(quick: bool) -> list[Result]:
    count = 20_000 if quick else 100_000
    with standin(conversations=count, rate_limit=False, python=python()) as server:
        data = asyncio.run(measure(server.base_url, server.user_id, count, quick))
    loaded = data["loaded"]
    rows = f"{loaded:,}"
    ms = 1000.0
    merge, sync = data["merge"], data["sync"]
    pages = [a + b for a, b in zip(merge, sync, strict=False)]
    late = pages[len(pages) // 2 :]  # pages appended to an already big store
    filter_keys = data["filter_narrow"] + data["filter_widen"]
    results = [
        Result(
            FIGURE,
            f"cursor key j/k at {rows} rows (CPU)",
            median(data["cursor"]) * ms,
            "ms",
            10.0,
            note=f"p95 {percentile(data['cursor'], 95) * ms:.1f} ms; unbound key (pilot's own cost) "
            f"{median(data['baseline']) * ms:.1f} ms; pgdn {median(data['pagedown']) * ms:.1f} ms;"
            f" G/g {median(data['jumps']) * ms:.1f} ms",
            samples=data["cursor"],
        ),
        Result(
            FIGURE,
            f"filter keystroke at {rows} rows (CPU, worst)",
            max(filter_keys) * ms,
            "ms",
            30.0,
            note=f"narrowing median {median(data['filter_narrow']) * ms:.1f} ms, widening median "
            f"{median(data['filter_widen']) * ms:.1f} ms",
            samples=filter_keys,
        ),
        Result(
            FIGURE,
            "page appended: merge + sync (CPU, p95)",
            percentile(pages, 95) * ms,
            "ms",
            5.0,
            note=f"median {median(pages) * ms:.2f} ms (merge {median(merge) * ms:.2f}, sync "
            f"{median(sync) * ms:.2f}); 2nd half median {median(late) * ms:.2f} ms; {len(pages)} pages",
            samples=pages,
        ),
        Result(
            FIGURE,
            "UI-thread CPU per page during the load (all)",
            data["loop_cpu"] / max(1, len(pages)) * ms,
            "ms",
            note="HTTP + JSON + pydantic + merge + frames, per 100 rows",
        ),
    ]
    keys = data["while_loading"]
    if keys:
        results.append(
            Result(
                FIGURE,
                "key -> frame while pages arrive (wall, median)",
                median(keys) * ms,
                "ms",
                10.0,
                note=f"p95 {percentile(keys, 95) * ms:.1f} ms over {len(keys)} keys (wall time: includes "
                "waiting behind page work and machine load)",
                samples=keys,
            )
        )
    return results


if __name__ == "__main__":
    figure_main(run)

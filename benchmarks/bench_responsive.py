"""Figure 3 - responsiveness at 100,000 conversations and while pages are arriving.

The real ``InboxApp`` runs headless at 160x45 (see ``inbox_harness``). Measured with
``time.thread_time`` (CPU of the UI thread, immune to other processes' load) around
``pilot.press(key)`` + ``pilot.pause()``: the key's handler, the refresh it causes and
the compositor building the frame.

* cursor key: ``j``/``k`` in the list with every conversation loaded, 50 ms apart
  (UI-thread CPU from the key to its frame + 50 ms: the drawing); then *spaced* keys,
  each followed by 0.7 s of quiet so the highlighted thread's debounced prefetch runs:
  UI-thread CPU and whole-process CPU (``time.process_time``: the render worker
  threads too; idle CPU taken out) per key, reported apart so the prefetch shows;
* filter keystroke: ``/`` then a query typed one character at a time (each narrows
  the view) and erased again (each widens it) at 100,000 rows, several queries;
  narrowing and widening keystrokes reported apart (median and worst);
* page appended: CPU of merging one 100-row page into the store and syncing the list
  (the UI's share of a page; HTTP, JSON and pydantic are reported apart);
* keys while loading: wall time from the key press to its frame while pages are still
  being merged (how long a key waits behind page work).

Targets: <= 10 ms per key, <= 30 ms per filter keystroke, <= 5 ms per page appended.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, figure_main, median, percentile, python
from inbox_harness import SIZE, make_app, open_limiter, wait_for, wait_loaded
from standin import standin

FIGURE = "3 responsiveness"
#: Seconds of keys pressed while pages arrive at the real rate limit.
PACED_SECONDS = 8.0
#: Quiet after a spaced cursor key: the prefetch's debounce (0.3 s) + fetch + render.
SPACED_SETTLE = 0.7
#: Typed one character at a time, then erased (different words: no view cached from before).
FILTER_WORDS = ("mar", "son", "ell", "ber", "ida")


class PageMeter:
    """Wraps the store's ``merge`` and the list's ``sync``: CPU per page the UI spends."""

    def __init__(self) -> None:
        from lemlist_inbox.inbox.store import ConversationStore
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
    """Posts keys as the terminal driver does and times them to the frame that shows them.

    ``pilot.press`` + ``pilot.pause`` would add the harness's own work (it round-trips a
    message through every widget) and wait for the app to go idle, which it never does
    while pages stream in. Here the app's ``_display`` (called with every compositor
    update, headless or not) is timestamped instead, and the key counts as handled
    when ``done()`` holds (the cursor moved, the filter changed) and a frame followed.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.frames: list[float] = []
        #: Whole-process CPU seconds of the last ``press`` (all threads), same window.
        self.last_process_cpu = 0.0
        #: The condition of the key in flight, checked as each frame goes out.
        self._done: Callable[[], bool] | None = None
        self._shown: float | None = None
        real_display = app._display
        probe = self

        def display(screen: Any, renderable: Any) -> None:
            real_display(screen, renderable)
            if renderable is not None:
                now = time.perf_counter()
                probe.frames.append(now)
                if probe._done is not None and probe._shown is None and probe._done():
                    probe._shown = now

        app._display = display

    async def press(
        self, key: str, done: Callable[[], bool], *, settle: float = 0.0, timeout: float = 20.0
    ) -> tuple[float | None, float]:
        """(seconds from the key to its first frame or None, UI-thread CPU seconds).

        The CPU is counted until ``settle`` seconds after that frame (follow-up frames
        included); only meaningful when nothing else runs (no load in progress).
        """
        from textual import events

        character = key if len(key) == 1 else None
        self._done, self._shown = done, None
        process_start = time.process_time()
        cpu_start = time.thread_time()
        start = time.perf_counter()
        self.app.post_message(events.Key(key, character))
        deadline = start + timeout
        latency = None
        while time.perf_counter() < deadline:
            if self._shown is not None:
                latency = self._shown - start
                break
            await asyncio.sleep(0.001)
        self._done = None
        if settle:
            await asyncio.sleep(settle)
        self.last_process_cpu = time.process_time() - process_start
        return latency, time.thread_time() - cpu_start

    def restore(self) -> None:
        del self.app._display


async def cursor_key(
    probe: KeyProbe, screen: Any, key: str, settle: float = 0.05
) -> tuple[float | None, float]:
    listing = screen.conversation_list
    before = listing.cursor
    step = {"j": 1, "k": -1}.get(key)
    if step is not None:
        target = max(0, min(before + step, screen.store.view_size - 1))
        return await probe.press(key, lambda: listing.cursor == target, settle=settle)
    return await probe.press(key, lambda: listing.cursor != before, settle=settle)


async def filter_key(probe: KeyProbe, screen: Any, key: str, query: str) -> tuple[float | None, float]:
    return await probe.press(key, lambda: screen.store.query == query, settle=0.1)


async def measure(base_url: str, user_id: str, expected: int, quick: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    meter = PageMeter()
    app = make_app(base_url, user_id, real_rate_limit=True)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(lambda: app.main_screen is not None and app.main_screen.is_mounted)
            screen = app.main_screen
            await wait_for(lambda: len(screen.store) >= 200)
            probe = KeyProbe(app)
            # Keys while pages arrive as they do for real (the client's 20 req / 2 s limit:
            # ten pages a second), then while they stream in as fast as the app can take.
            paced: list[float] = []
            loop_cpu_start = time.thread_time()
            rows_start = len(screen.store)
            paced_start = time.perf_counter()
            i = 0
            while screen.busy and time.perf_counter() - paced_start < PACED_SECONDS:
                latency, _ = await cursor_key(probe, screen, "j" if i % 8 < 4 else "k", settle=0.0)
                i += 1
                if latency is not None:
                    paced.append(latency)
                await asyncio.sleep(0.05)
            out["paced_rows"] = len(screen.store) - rows_start
            out["paced_cpu"] = time.thread_time() - loop_cpu_start
            app.client._limiter = open_limiter()  # now as fast as it goes
            while_loading: list[float] = []
            while screen.busy and len(while_loading) < 300:
                latency, _ = await cursor_key(probe, screen, "j" if i % 8 < 4 else "k", settle=0.0)
                i += 1
                if latency is not None:
                    while_loading.append(latency)
                await asyncio.sleep(0.03)
            await wait_loaded(app, expected)
            out["loop_cpu"] = time.thread_time() - loop_cpu_start
            out["loaded"] = len(screen.store)
            out["while_loading"] = while_loading
            out["paced"] = paced
            await pilot.pause()
            gc.collect()
            out["gc_objects"] = len(gc.get_objects())
            start = time.perf_counter()
            gc.collect()
            out["gc_full"] = time.perf_counter() - start
            # Cursor keys with everything loaded, away from the top so the view scrolls.
            for _ in range(5):
                await cursor_key(probe, screen, "j")  # warm the row cache
            cursor_cpu, cursor_wall = [], []
            for i in range(40 if quick else 120):
                wall, cpu = await cursor_key(probe, screen, "j" if i % 60 < 45 else "k")
                cursor_cpu.append(cpu)
                if wall is not None:
                    cursor_wall.append(wall)
            out["cursor"], out["cursor_wall"] = cursor_cpu, cursor_wall
            # Spaced keys: each followed by quiet long enough for the debounced prefetch
            # (fetch on loopback, render in a worker thread) to finish.
            await asyncio.sleep(1.0)  # the last key's prefetch is not idle time
            idle_process, idle_thread = time.process_time(), time.thread_time()
            idle_start = time.perf_counter()
            await asyncio.sleep(3.0)
            idle_for = time.perf_counter() - idle_start
            out["idle_process"] = (time.process_time() - idle_process) / idle_for
            out["idle_thread"] = (time.thread_time() - idle_thread) / idle_for
            spaced_ui, spaced_process = [], []
            for i in range(10 if quick else 30):
                before = time.perf_counter()
                _, cpu = await cursor_key(probe, screen, "j" if i % 10 < 7 else "k", settle=SPACED_SETTLE)
                window = time.perf_counter() - before
                spaced_ui.append(cpu - out["idle_thread"] * window)
                spaced_process.append(probe.last_process_cpu - out["idle_process"] * window)
            out["spaced_ui"], out["spaced_process"] = spaced_ui, spaced_process
            out["pagedown"] = [
                (await cursor_key(probe, screen, "pagedown"))[1] for _ in range(10 if quick else 30)
            ]
            out["jumps"] = [
                (await cursor_key(probe, screen, k))[1] for k in ("G", "g") * (3 if quick else 10)
            ]
            # Filter: "/" then narrow one character at a time, then widen again.
            await pilot.press("slash")
            await pilot.pause()
            narrow, widen = [], []
            for word in FILTER_WORDS[: 2 if quick else len(FILTER_WORDS)]:
                typed = ""
                for ch in word:
                    typed += ch
                    narrow.append((await filter_key(probe, screen, ch, typed))[1])
                for _ in word:
                    typed = typed[:-1]
                    widen.append((await filter_key(probe, screen, "backspace", typed))[1])
            out["filter_narrow"] = narrow
            out["filter_widen"] = widen
            probe.restore()
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
    # The list syncs in batches (not once per page): spread its cost over the pages.
    sync_share = sum(sync) / max(1, len(merge))
    pages = [m + sync_share for m in merge]
    late = pages[len(pages) // 2 :]  # pages appended to an already big store
    results = [
        Result(
            FIGURE,
            f"cursor key j/k 50 ms apart at {rows} rows (UI-thread CPU, key to frame + 50 ms)",
            median(data["cursor"]) * ms,
            "ms",
            10.0,
            note=f"p95 {percentile(data['cursor'], 95) * ms:.1f} ms; key to frame (wall) median "
            f"{median(data['cursor_wall']) * ms:.1f} ms; pgdn {median(data['pagedown']) * ms:.1f} ms;"
            f" G/g {median(data['jumps']) * ms:.1f} ms",
            samples=data["cursor"],
        ),
        Result(
            FIGURE,
            f"cursor key, spaced, at {rows} rows: UI-thread CPU per key",
            median(data["spaced_ui"]) * ms,
            "ms",
            10.0,
            note=f"max {max(data['spaced_ui']) * ms:.1f} ms; key, frame and the debounced prefetch "
            f"{SPACED_SETTLE:.1f} s after it; idle {data['idle_thread'] * ms:.1f} ms/s taken out",
            samples=data["spaced_ui"],
        ),
        Result(
            FIGURE,
            f"cursor key, spaced, at {rows} rows: whole-process CPU per key",
            median(data["spaced_process"]) * ms,
            "ms",
            note=f"max {max(data['spaced_process']) * ms:.1f} ms; all threads (prefetch render "
            f"workers); idle {data['idle_process'] * ms:.1f} ms/s taken out",
            samples=data["spaced_process"],
        ),
        Result(
            FIGURE,
            f"full GC pause at {rows} rows",
            data["gc_full"] * ms,
            "ms",
            note=f"{data['gc_objects']:,} GC-tracked objects; Python runs a full collection each time "
            "the old generation grows by 25 %",
        ),
        Result(
            FIGURE,
            "page appended: merge + sync (CPU, p95)",
            percentile(pages, 95) * ms,
            "ms",
            5.0,
            note=f"median {median(pages) * ms:.2f} ms (merge {median(merge) * ms:.2f} + list sync "
            f"{sync_share * ms:.2f}: {len(sync)} syncs of {median(sync) * ms:.2f} ms); 2nd half median "
            f"{median(late) * ms:.2f} ms; {len(pages)} pages",
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
    words = 2 if quick else len(FILTER_WORDS)
    for kind, key in (
        ("narrowing (one more character)", "filter_narrow"),
        ("widening (backspace)", "filter_widen"),
    ):
        keys = data[key]
        results += [
            Result(
                FIGURE,
                f"filter keystroke, {kind}, at {rows} rows (UI-thread CPU, median)",
                median(keys) * ms,
                "ms",
                30.0,
                note=f"{len(keys)} keystrokes over {words} words; p95 {percentile(keys, 95) * ms:.1f} ms",
                samples=keys,
            ),
            Result(
                FIGURE,
                f"filter keystroke, {kind}, at {rows} rows (UI-thread CPU, worst)",
                max(keys) * ms,
                "ms",
                30.0,
                note="a garbage collection landing on a keystroke shows here",
            ),
        ]
    paced = data["paced"]
    if paced:
        results.append(
            Result(
                FIGURE,
                "key -> frame while pages arrive at 20 req / 2 s (wall, median)",
                median(paced) * ms,
                "ms",
                10.0,
                note=f"p95 {percentile(paced, 95) * ms:.1f} ms, max {max(paced) * ms:.0f} ms over "
                f"{len(paced)} keys while {data['paced_rows']:,} rows arrived",
                samples=paced,
            )
        )
    keys = data["while_loading"]
    if keys:
        results.append(
            Result(
                FIGURE,
                "key -> frame while pages stream in unthrottled (wall, median)",
                median(keys) * ms,
                "ms",
                None,
                note=f"p95 {percentile(keys, 95) * ms:.1f} ms over {len(keys)} keys (wall time: includes "
                "waiting behind page work and machine load)",
                samples=keys,
            )
        )
    return results


if __name__ == "__main__":
    figure_main(run)

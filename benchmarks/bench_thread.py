"""Figure 5 - opening a thread: key to text on screen; keys while a 1 MB message converts.

The real ``InboxApp`` headless at 160x45 against the stand-in (another process, 0 ms
latency, hostile cases on for the 1 MB newsletter). Wall time from the key event
(posted as the terminal driver posts it) to the first frame showing the thread:

* uncached: Enter on a 10-message thread never opened (fetch over loopback, HTML ->
  text in a worker thread, wrapping, frame);
* cached: Enter on a 10-message thread opened before (another one in between);
* stored, 50 messages: Enter on a conversation whose 50-message thread is in the
  local inbox (SQLite, fresh for the conversation's activity: no request) and in no
  memory cache: read from the file, HTML -> text in a worker thread, the older 49
  folded to a line each, wrapping, and the first frame showing it landed on the
  newest message (its first line at the top, "message 50 of 50");
* 1 MB: space on the 1 MB message (opens it, focus stays in the list), then j/k
  pressed every 30 ms while it converts: each key's time to its frame.

Targets: cached <= 30 ms; stored 50 messages <= 30 ms; during the 1 MB conversion
keys <= 10 ms (and the conversion off the UI thread: the UI thread's CPU during it
is reported).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_responsive import KeyProbe, cursor_key
from common import Result, figure_main, median, percentile, python
from inbox_harness import SIZE, make_app, wait_loaded
from standin import standin

FIGURE = "5 thread open"
#: Messages in the stored threads opened by "stored, 50 messages".
FIFTY = 50


class FrameClock:
    """Timestamps every compositor update the app displays, with what ``probe`` said then.

    The frame showing a thread is the first one displayed while the pane holds it
    (``probe`` is evaluated as the frame goes out). Polling for the pane's state and
    then waiting for a *later* frame, as this did before, missed the frame when it
    went out between two polls and nothing repainted afterwards (a timeout once an
    open repainted only the pane), and could count a later, unrelated frame.
    """

    def __init__(self, app: Any) -> None:
        self.frames: list[tuple[float, object]] = []
        self.probe: Callable[[], object] = lambda: None
        real = app._display
        clock = self

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None:
                clock.frames.append((time.perf_counter(), clock.probe()))
            real(screen, renderable)

        app._display = display

    async def showing(self, value: object, since: float, timeout: float = 10.0) -> float:
        """Time of the first frame after ``since`` displayed while ``probe()`` was ``value``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            for moment, shown in self.frames:
                if moment >= since and shown == value:
                    return moment
            await asyncio.sleep(0.0005)
        raise TimeoutError("no frame")


def _conversation_id(screen: Any, contact_id: str) -> str:
    for entry in screen.store.view_slice(0, screen.store.view_size):
        if entry.conversation.contact_id == contact_id:
            return str(entry.id)
    raise KeyError(contact_id)


async def open_with_key(
    app: Any, clock: FrameClock, conversation_id: str, key: str, cpu: list[float] | None = None
) -> float:
    """Move the list cursor to the conversation, post ``key``; seconds to the thread frame.

    With ``cpu``, the UI thread's CPU seconds from the key to that frame are appended.
    """
    from textual import events

    screen = app.main_screen
    view = screen.thread
    if app.focused is not screen.conversation_list:
        screen.action_back()
        await asyncio.sleep(0.05)
    screen.conversation_list.move_to_id(conversation_id)
    await asyncio.sleep(0.02)
    clock.probe = lambda: (view.current_conversation_id, view.state)
    cpu_start = time.thread_time()
    start = time.perf_counter()
    app.post_message(events.Key(key, key if len(key) == 1 else None))
    frame = await clock.showing((conversation_id, "thread"), start, timeout=60)
    if cpu is not None:
        cpu.append(time.thread_time() - cpu_start)
    return frame - start


async def store_fifty(app: Any, screen: Any, template_contact: str, count: int, avoid: set[str]) -> list[str]:
    """Keep a 50-message thread in the local inbox for ``count`` conversations never opened.

    The messages are a real 10-message thread of the stand-in, five times over (new ids,
    one minute apart, ending at the conversation's last activity), saved as a sync saves
    a fetched thread, with the conversation's activity: so an open reads it from the
    file and asks the server nothing.
    """
    from datetime import UTC, datetime, timedelta

    from lemlist_inbox.api.client import Thread

    client = await app.connected()
    user = screen.user_id
    template = (await client.thread(template_contact, user_id=user, mark_as_read=False)).messages
    assert screen.local is not None and screen.local.db is not None, "the local inbox is off"
    chosen: list[str] = []
    for entry in screen.store.view_slice(50, screen.store.view_size):
        contact_id = entry.thread_id
        if contact_id is None or contact_id in avoid or len(chosen) == count:
            continue
        activity = -entry.key[0]
        end = datetime.fromtimestamp(activity, UTC)
        messages = [
            template[n % len(template)].model_copy(
                update={
                    "id": f"{template[n % len(template)].id}-{n}",
                    "created_at": (end - timedelta(minutes=FIFTY - 1 - n)).isoformat().replace("+00:00", "Z"),
                }
            )
            for n in range(FIFTY)
        ]
        await screen.local.threads.save(
            contact_id, Thread(messages), activity=activity, contact_name=entry.name
        )
        chosen.append(str(entry.id))
    return chosen


async def open_stored(app: Any, clock: FrameClock, conversation_id: str, cpu: list[float]) -> float:
    """Enter on a stored conversation: seconds to the frame showing it on its newest message."""
    from textual import events

    screen = app.main_screen
    view = screen.thread
    if app.focused is not screen.conversation_list:
        screen.action_back()
        await asyncio.sleep(0.05)
    screen.conversation_list.move_to_id(conversation_id)
    await asyncio.sleep(0.02)
    clock.probe = lambda: (view.current_conversation_id, view.state, view.message_position)
    cpu_start = time.thread_time()
    start = time.perf_counter()
    app.post_message(events.Key("enter", None))
    frame = await clock.showing((conversation_id, "thread", (FIFTY, FIFTY)), start, timeout=60)
    cpu.append(time.thread_time() - cpu_start)
    layout = view._layout
    assert round(view.scroll_y) == layout.message_starts[-1], "landed on the newest message"
    assert len(layout.folded) == FIFTY - 1
    # Let the rest of the thread's conversion finish (and its frame go out) before the
    # next open: one open at a time, as a reader does, not one overlapping the next.
    while view._thread is None or view._thread.partial:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.1)
    return frame - start


async def measure(info: dict[str, Any], quick: bool) -> dict[str, Any]:
    app = make_app(info["base_url"], info["users"][0])
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(app, 300)
        await pilot.pause()
        clock = FrameClock(app)
        ten = [_conversation_id(screen, cid) for cid in info["ten_messages"]]
        if quick:
            ten = ten[:3]
        uncached = []
        for conversation_id in ten:
            uncached.append(await open_with_key(app, clock, conversation_id, "enter"))
        cached: list[float] = []
        cached_cpu: list[float] = []
        for i, conversation_id in enumerate(ten * (2 if quick else 4)):
            other = ten[(i + 1) % len(ten)]
            await open_with_key(app, clock, other, "enter")
            cached.append(await open_with_key(app, clock, conversation_id, "enter", cached_cpu))
        out["uncached"], out["cached"], out["cached_cpu"] = uncached, cached, cached_cpu

        # The 1 MB message: open with space (focus stays in the list), then keys.
        big = _conversation_id(screen, info["big_message"])
        screen.action_back()
        await pilot.pause()
        screen.conversation_list.move_to_id(big)
        await pilot.pause(0.05)
        probe = KeyProbe(app)
        view = screen.thread
        main_cpu = time.thread_time()
        process_cpu = time.process_time()
        start = time.perf_counter()
        from textual import events

        app.post_message(events.Key("space", " "))
        keys: list[float] = []
        while not (view.current_conversation_id == big and view.state == "thread"):
            latency, _ = await cursor_key(probe, screen, "j" if len(keys) % 2 == 0 else "k", settle=0.0)
            if latency is not None:
                keys.append(latency)
            await asyncio.sleep(0.03)
            if time.perf_counter() - start > 120:
                raise TimeoutError("the 1 MB message never showed")
        shown = time.perf_counter()
        probe.restore()
        out["big_open"] = shown - start
        out["big_keys"] = keys
        out["big_main_cpu"] = time.thread_time() - main_cpu
        out["big_process_cpu"] = time.process_time() - process_cpu
    return out


async def measure_stored(info: dict[str, Any], quick: bool) -> dict[str, Any]:
    """Stored 50-message threads, each opened once (so from the file, not from memory),
    in an app with a local inbox of its own (the other rows run without one, as before)."""
    from lemlist_inbox.inbox.local import StoreOptions

    data_dir = Path(tempfile.mkdtemp(prefix="bench-thread-"))
    app = make_app(
        info["base_url"],
        info["users"][0],
        store=StoreOptions(data_dir=data_dir, base_url=info["base_url"], demo=True),
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(app, 300)
        await pilot.pause()
        clock = FrameClock(app)
        chosen = await store_fifty(
            app, screen, info["ten_messages"][0], 8 if quick else 12, set(info["ten_messages"])
        )
        times: list[float] = []
        cpu: list[float] = []
        for conversation_id in chosen:
            times.append(await open_stored(app, clock, conversation_id, cpu))
    return {"stored": times, "stored_cpu": cpu}


def run(quick: bool) -> list[Result]:
    with standin(conversations=300, hostile=True, python=python()) as server:
        data = asyncio.run(measure(server.info, quick))
        data.update(asyncio.run(measure_stored(server.info, quick)))
    ms = 1000.0
    keys = data["big_keys"]
    return [
        Result(
            FIGURE,
            "10-message thread, uncached: key -> text",
            median(data["uncached"]) * ms,
            "ms",
            note=f"max {max(data['uncached']) * ms:.0f} ms over {len(data['uncached'])} threads "
            "(loopback fetch + conversion + frame)",
            samples=data["uncached"],
        ),
        Result(
            FIGURE,
            "10-message thread, cached: key -> text",
            median(data["cached"]) * ms,
            "ms",
            30.0,
            note=f"p95 {percentile(data['cached'], 95) * ms:.0f} ms; UI-thread CPU median "
            f"{median(data['cached_cpu']) * ms:.0f} ms (the pane, its scrollbar and the key bar repainted)",
            samples=data["cached"],
        ),
        Result(
            FIGURE,
            f"{FIFTY}-message thread, stored: key -> newest message on top",
            median(data["stored"]) * ms,
            "ms",
            30.0,
            note=f"p95 {percentile(data['stored'], 95) * ms:.0f} ms over {len(data['stored'])} threads; "
            f"UI-thread CPU median {median(data['stored_cpu']) * ms:.0f} ms (SQLite read, conversion "
            f"and wrapping in workers; {FIFTY - 1} folded)",
            samples=data["stored"],
        ),
        Result(
            FIGURE,
            "1 MB message: key -> text",
            data["big_open"] * ms,
            "ms",
            note=f"UI thread CPU meanwhile {data['big_main_cpu'] * ms:.0f} ms of "
            f"{data['big_process_cpu'] * ms:.0f} ms in the process",
        ),
        Result(
            FIGURE,
            "keys during the 1 MB conversion: key -> frame (median)",
            median(keys) * ms if keys else None,
            "ms",
            10.0,
            note=f"p95 {percentile(keys, 95) * ms:.0f} ms, {len(keys)} keys",
            samples=keys,
        ),
    ]


if __name__ == "__main__":
    figure_main(run)

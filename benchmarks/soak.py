"""Soak: the real app, headless, auto-refreshing every second for minutes while mail arrives.

Not a CI test (it runs for 10 minutes by default): it answers "does a session left open
for days leak?". The stand-in runs in a child process (its data and threads stay out of
the measured RSS) and bumps a few existing conversations to the top every couple of
seconds, so every refresh merges real changes. The app polls page 1 every second
(``refresh_interval=1``), and every few seconds the script walks the list like a user
(``j``, open with ``enter``, which marks read, back with ``esc``; now and then ``g``).

Printed at start, every minute and at the end: RSS, Python heap (tracemalloc, if
``--tracemalloc``), asyncio task count, thread count, conversations in the store,
requests sent. Memory and tasks must stay flat; with ``--tracemalloc`` the biggest
allocation growths since the start are listed at the end to point at a leak.

    python benchmarks/soak.py                 # 10 minutes
    python benchmarks/soak.py --minutes 2 --tracemalloc
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

os.environ.pop("NO_COLOR", None)

SIZE = (160, 45)


# ----------------------------------------------------------------------------- child


def serve_child(conversations: int, activity_every: float, activity_count: int) -> None:
    """The stand-in, bumping conversations to the top until stdin closes."""
    from lemlist_inbox.demo import DemoServer, Faults

    server = DemoServer(conversations=conversations, faults=Faults(rate_limit=True)).start()
    stop = threading.Event()

    def bump() -> None:
        while not stop.wait(activity_every):
            # Existing conversations only (new=0): the data set keeps its size, so a
            # growing store on the app side would be a leak, not new mail.
            server.add_activity(activity_count, new=0)

    threading.Thread(target=bump, daemon=True).start()
    users = [str(u["userId"]) for u in server.dataset.users]
    print(json.dumps({"base_url": server.base_url, "users": users}), flush=True)
    sys.stdin.read()  # until the parent closes it
    stop.set()
    server.stop()


# ----------------------------------------------------------------------------- parent


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sample(app: Any, started: float, label: str) -> dict[str, Any]:
    gc.collect()
    screen = app.main_screen
    thread = screen.thread if screen is not None else None
    row = {
        "label": label,
        "elapsed_s": round(time.monotonic() - started, 1),
        "rss_mb": round(rss_mb(), 1),
        "heap_mb": round(tracemalloc.get_traced_memory()[0] / 1e6, 2) if tracemalloc.is_tracing() else None,
        "tasks": len(asyncio.all_tasks()),
        "threads": threading.active_count(),
        "store": len(screen.store) if screen is not None else 0,
        "requests": app.client.stats.requests,
        "errors": app.client.stats.errors,
        "workers": len(app.workers),
        # the thread pane's bounded caches (200 threads, 100k layout lines, 5,000 messages):
        # growth here is warming up, not a leak
        "cached_threads": len(getattr(thread, "_cache", ())),
        "layout_lines": getattr(getattr(thread, "_layouts", None), "total_lines", 0),
        "cached_messages": len(getattr(thread, "_messages", ())),
    }
    heap = f"{row['heap_mb']:7.2f}" if row["heap_mb"] is not None else "      -"
    print(
        f"{row['label']:>7} {row['elapsed_s']:7.1f}s  rss {row['rss_mb']:7.1f} MB  heap {heap} MB  "
        f"tasks {row['tasks']:3d}  threads {row['threads']:3d}  workers {row['workers']:3d}  "
        f"store {row['store']:5d}  requests {row['requests']:6d}  errors {row['errors']}  "
        f"cache: threads {row['cached_threads']:3d} lines {row['layout_lines']:6d} "
        f"messages {row['cached_messages']:4d}",
        flush=True,
    )
    return row


async def soak(base_url: str, user_id: str, minutes: float, walk_every: float) -> list[dict[str, Any]]:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.config import Settings
    from lemlist_inbox.demo import DEMO_API_KEY
    from lemlist_inbox.ui.app import InboxApp

    client = LemlistClient(DEMO_API_KEY, base_url=base_url)
    settings = Settings(api_key=DEMO_API_KEY, base_url=base_url, user_id=user_id)
    settings.refresh_interval = 1.0
    app = InboxApp(client, settings, user_id=user_id, demo=True)
    rows: list[dict[str, Any]] = []
    async with app.run_test(size=SIZE) as pilot:
        while app.main_screen is None or not len(app.main_screen.store) or app.main_screen.busy:
            await asyncio.sleep(0.05)
        await pilot.pause(1.0)
        started = time.monotonic()
        snapshot = tracemalloc.take_snapshot() if tracemalloc.is_tracing() else None
        rows.append(sample(app, started, "start"))
        deadline = started + minutes * 60
        next_minute = started + 60
        step = 0
        while time.monotonic() < deadline:
            await asyncio.sleep(walk_every or 1.0)
            step += 1
            if not walk_every:  # refresh and new activity only, no reading
                if time.monotonic() >= next_minute:
                    rows.append(sample(app, started, f"{round((next_minute - started) / 60)} min"))
                    next_minute += 60
                continue
            # Walk like a reader: down a row, open it (marks read), back; top now and then.
            keys = ["j", "enter", "escape"] if step % 10 else ["g", "enter", "escape"]
            await pilot.press(*keys)
            if time.monotonic() >= next_minute:
                rows.append(sample(app, started, f"{round((next_minute - started) / 60)} min"))
                next_minute += 60
        await pilot.pause(1.0)
        rows.append(sample(app, started, "end"))
        if snapshot is not None:
            gc.collect()
            print("\ntop allocation growth since start (tracemalloc):")
            for stat in tracemalloc.take_snapshot().compare_to(snapshot, "lineno")[:12]:
                print(f"  {stat}")
        await pilot.press("q")
    return rows


def verdict(rows: list[dict[str, Any]]) -> int:
    """Flat: the end against the first minute (the start is before steady state).

    RSS that grows while the thread pane's caches fill is expected (they are bounded:
    200 threads, 100k layout lines, 5,000 messages); growth with the caches unchanged,
    or any growth in tasks or threads, is a leak.
    """
    start, end = rows[1] if len(rows) > 2 else rows[0], rows[-1]
    rss_growth = end["rss_mb"] - start["rss_mb"]
    task_growth = end["tasks"] - rows[0]["tasks"]
    thread_growth = end["threads"] - rows[0]["threads"]
    caches_grew = (
        end["cached_threads"] > start["cached_threads"] or end["cached_messages"] > start["cached_messages"]
    )
    print(
        f"\nRSS {rows[0]['rss_mb']} -> {end['rss_mb']} MB (after the first minute: {rss_growth:+.1f} MB); "
        f"tasks {rows[0]['tasks']} -> {end['tasks']}; threads {rows[0]['threads']} -> {end['threads']}; "
        f"cached threads {start['cached_threads']} -> {end['cached_threads']}; "
        f"{end['requests']} requests, {end['errors']} errors"
    )
    if task_growth > 2 or thread_growth > 2:
        print("NOT FLAT: tasks or threads grow")
        return 1
    if rss_growth <= 5.0:
        print("flat")
        return 0
    if caches_grew:
        print("RSS grew while the bounded thread caches filled: run longer, or --walk-every 0 to separate")
        return 0
    print("NOT FLAT: RSS grows with the caches unchanged (run with --tracemalloc)")
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--conversations", type=int, default=500)
    parser.add_argument("--activity-every", type=float, default=2.0, help="seconds between bumps")
    parser.add_argument("--activity-count", type=int, default=3, help="conversations per bump")
    parser.add_argument(
        "--walk-every", type=float, default=3.0, help="seconds between key walks (0: never open a thread)"
    )
    parser.add_argument("--tracemalloc", action="store_true", help="trace Python allocations (slower)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        serve_child(args.conversations, args.activity_every, args.activity_count)
        return 0
    if args.tracemalloc:
        tracemalloc.start(8)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child"]
    cmd += ["--conversations", str(args.conversations), "--activity-every", str(args.activity_every)]
    cmd += ["--activity-count", str(args.activity_count)]
    child = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        info = json.loads(child.stdout.readline())
        print(
            f"soak: {args.minutes} min, {args.conversations} conversations, refresh every 1 s, "
            f"{args.activity_count} bumped every {args.activity_every} s, keys every {args.walk_every} s",
            flush=True,
        )
        rows = asyncio.run(soak(info["base_url"], info["users"][0], args.minutes, args.walk_every))
    finally:
        if child.stdin is not None:
            child.stdin.close()
        child.wait(timeout=10)
    return verdict(rows)


if __name__ == "__main__":
    sys.exit(main())

"""Figure 7 - bytes written to the terminal per cursor key at 160x45.

The real ``lemlist-inbox`` runs under a pseudo-terminal of 160x45 (truecolor) against
the stand-in. Once the inbox is loaded and the screen idle, ``j`` is pressed; the bytes
the app writes until it is idle again are counted, and the screen rows they touch
(cursor-position sequences ``ESC [ row ; col H``). Compared with a full screen: the
size of the app's first complete frame. Target: only the changed lines, well under one
full screen (<= 25 % of it).

CPU per cursor key under the real terminal, two ways, both with the app's idle CPU
(measured over a quiet stretch first) taken out:

* **UI thread**: the child's main thread, where Textual's event loop runs
  (``/proc/<pid>/task/<pid>/schedstat``, ns);
* **whole process**: ``/proc/<pid>/stat`` (all threads, ended ones included: Textual's
  writer thread, the thread pane's render workers).

Each is measured for *spaced* keys (one key, then quiet until the highlighted thread's
prefetch - debounced, fetched and rendered in a worker - has had time to finish: the
reader pressing ``j`` and reading the subject) and for a *held* key (30 keys 33 ms
apart, as key repeat sends them; the prefetch debounce should leave one fetch for the
burst). The gap between the UI thread and the process is the prefetch's work.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import BOTTOM_ROW, _entry, _env
from common import Result, figure_main, median, python
from ptyterm import PtyApp
from standin import standin

FIGURE = "7 terminal output"
_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")
#: Seconds after a key's frame for the debounced prefetch to fetch and render (loopback).
PREFETCH_SETTLE = 0.6
#: Key repeat of a held key.
HELD_INTERVAL = 0.033
#: Figure 3's target for a cursor key.
KEY_TARGET = 10.0


def run(quick: bool) -> list[Result]:
    presses = 10 if quick else 30
    with tempfile.TemporaryDirectory() as config_dir, standin(conversations=300, python=python()) as server:
        name = next(n for n in server.info["names"] if n)
        app = PtyApp(_entry(), _env(server.base_url, server.user_id, config_dir))
        try:
            app.wait_for(name.encode())
            data = app.data()
            first = data.find(b"\x1b[1;1H")
            bottom = data.find(BOTTOM_ROW, first)
            full_screen = data.find(b"\x1b[0m", bottom) + 4 - first
            size = app.wait_idle(quiet=1.0, timeout=30)
            sizes, rows = [], []
            # The app's CPU while nothing happens (timers, the clock), taken out below.
            idle_for = 2.0 if quick else 4.0
            idle_ui, idle_all = app.main_thread_cpu(), app.process_cpu()
            time.sleep(idle_for)
            idle_ui = (app.main_thread_cpu() - idle_ui) / idle_for
            idle_all = (app.process_cpu() - idle_all) / idle_for
            spaced_ui, spaced_all = app.main_thread_cpu(), app.process_cpu()
            t_start = time.perf_counter()
            for i in range(presses):
                app.send(b"j" if i % 10 < 7 else b"k")
                new = app.wait_idle(quiet=0.3, after=size, timeout=10)
                chunk = app.data(size)[: new - size]
                sizes.append(float(new - size))
                rows.append(float(len({m.group(1) for m in _MOVE.finditer(chunk)})))
                size = new
                time.sleep(PREFETCH_SETTLE)  # the debounced prefetch: fetch + render
            spaced_time = time.perf_counter() - t_start
            spaced_ui = app.main_thread_cpu() - spaced_ui - idle_ui * spaced_time
            spaced_all = app.process_cpu() - spaced_all - idle_all * spaced_time
            # A held key: key repeat at ~30 per second, then quiet.
            held = 30
            held_ui, held_all = app.main_thread_cpu(), app.process_cpu()
            t_start = time.perf_counter()
            for i in range(held):
                app.send(b"j" if (i // 15) % 2 == 0 else b"k")
                time.sleep(HELD_INTERVAL)
            app.wait_idle(quiet=0.3, after=size, timeout=10)
            time.sleep(PREFETCH_SETTLE)
            held_time = time.perf_counter() - t_start
            held_ui = app.main_thread_cpu() - held_ui - idle_ui * held_time
            held_all = app.process_cpu() - held_all - idle_all * held_time
            app.send(b"q")
        finally:
            app.close()
    per_key = median(sizes)
    ms = 1000.0
    return [
        Result(
            FIGURE,
            "bytes per cursor key (160x45)",
            per_key,
            "B",
            0.25 * full_screen,
            note=f"full screen = {full_screen:,} B; rows touched per key: median {median(rows):.0f}, "
            f"max {max(rows):.0f}",
            samples=sizes,
        ),
        Result(
            FIGURE,
            "cursor key, spaced: UI-thread CPU per key (pty)",
            spaced_ui / presses * ms,
            "ms",
            KEY_TARGET,
            note=f"main thread (event loop) over {presses} keys, each followed by quiet and its "
            f"debounced prefetch; idle {idle_ui * ms:.1f} ms/s taken out",
        ),
        Result(
            FIGURE,
            "cursor key, spaced: whole-process CPU per key (pty)",
            spaced_all / presses * ms,
            "ms",
            note=f"all threads: + writer thread, prefetch fetch and render workers; idle "
            f"{idle_all * ms:.1f} ms/s taken out; gap to the UI thread = work off the UI thread",
        ),
        Result(
            FIGURE,
            f"cursor key, held ({held} keys {HELD_INTERVAL * ms:.0f} ms apart): UI-thread CPU per key",
            held_ui / held * ms,
            "ms",
            KEY_TARGET,
            note="key repeat; the burst's prefetches included",
        ),
        Result(
            FIGURE,
            f"cursor key, held ({held} keys {HELD_INTERVAL * ms:.0f} ms apart): whole-process CPU per key",
            held_all / held * ms,
            "ms",
            note=f"{held_time:.1f} s from the first key to quiet",
        ),
    ]


if __name__ == "__main__":
    figure_main(run)

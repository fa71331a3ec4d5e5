"""Figure 7 - bytes written to the terminal per cursor key at 160x45.

The real ``lemlist-inbox`` runs under a pseudo-terminal of 160x45 (truecolor) against
the stand-in. Once the inbox is loaded and the screen idle, ``j`` is pressed; the bytes
the app writes until it is idle again are counted, and the screen rows they touch
(cursor-position sequences ``ESC [ row ; col H``). Compared with a full screen: the
size of the app's first complete frame. Target: only the changed lines, well under one
full screen (<= 25 % of it). Also: the app's CPU per key (from /proc, 10 ms ticks,
averaged over all the presses).
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
            cpu_start = app._child_cpu()
            t_start = time.perf_counter()
            for i in range(presses):
                app.send(b"j" if i % 10 < 7 else b"k")
                new = app.wait_idle(quiet=0.3, after=size, timeout=10)
                chunk = app.data(size)[: new - size]
                sizes.append(float(new - size))
                rows.append(float(len({m.group(1) for m in _MOVE.finditer(chunk)})))
                size = new
            elapsed = time.perf_counter() - t_start
            cpu = app._child_cpu() - cpu_start
            app.send(b"q")
        finally:
            app.close()
    per_key = median(sizes)
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
            "app CPU per key under a real terminal",
            cpu / presses * 1000,
            "ms",
            note=f"/proc ticks over {presses} keys in {elapsed:.1f} s, idle waits included",
        ),
    ]


if __name__ == "__main__":
    figure_main(run)

"""Figure 4 - peak RSS with 100,000 conversations loaded in the app.

A fresh interpreter runs the real ``InboxApp`` headless at 160x45, loads every
conversation from the stand-in (another process), and reads ``VmHWM`` (peak resident
set) from ``/proc/self/status``. Also reported: RSS before the load (interpreter,
Textual, our modules) and the increase per 1,000 conversations. Target: <= 250 MB.
"""

from __future__ import annotations

import asyncio
import gc
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, figure_main, python
from inbox_harness import SIZE, make_app, rss_mb, wait_loaded
from standin import standin

FIGURE = "4 memory"
TARGET_MB = 250.0


async def measure(base_url: str, user_id: str, expected: int) -> tuple[float, float, float, float]:
    app = make_app(base_url, user_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before, _ = rss_mb()
        screen = await wait_loaded(app, expected)
        await pilot.press("j", "j", "G", "g")  # paint a few screens, as a user would
        await pilot.pause()
        gc.collect()
        after, peak = rss_mb()
        loaded = len(screen.store)
    return before, after, peak, float(loaded)


def run(quick: bool) -> list[Result]:
    count = 20_000 if quick else 100_000
    with standin(conversations=count, rate_limit=False, python=python()) as server:
        expected = count  # plus the documented examples the stand-in adds
        before, after, peak, loaded = asyncio.run(measure(server.base_url, server.user_id, expected))
    per_conv_kb = (after - before) * 1024 / loaded
    target = TARGET_MB if count == 100_000 else None
    return [
        Result(
            FIGURE,
            f"peak RSS at {loaded:,.0f} conversations",
            peak,
            "MB",
            target,
            note=f"RSS {before:.0f} MB before the load, {after:.0f} MB after; "
            f"{per_conv_kb:.1f} kB per conversation",
        ),
    ]


if __name__ == "__main__":
    figure_main(run)

"""A pyinstrument profile of filter keystrokes at 100,000 conversations (figure 3's worst).

Not a figure: the evidence behind the note on the filter's worst keystroke in
README.md. pyinstrument is not a project dependency:

    .venv/bin/pip install pyinstrument
    .venv/bin/python benchmarks/profile_filter.py [--rows N] > results/filter-profile.txt

The app loads the rows headless (160x45), then "/", "m", "a", "r" and three
backspaces are typed under the profiler (first time each query is seen: the costly case).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import python
from inbox_harness import SIZE, make_app, wait_for, wait_loaded
from standin import standin


async def profile(base_url: str, user_id: str, rows: int) -> str:
    from pyinstrument import Profiler

    app = make_app(base_url, user_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_loaded(app, rows)
        await pilot.press("slash")
        await pilot.pause(0.2)
        profiler = Profiler(interval=0.0005, async_mode="disabled")
        profiler.start()
        typed = ""
        for key in ("m", "a", "r", "backspace", "backspace", "backspace"):
            typed = typed[:-1] if key == "backspace" else typed + key
            await pilot.press(key)
            await wait_for(lambda query=typed: screen.store.query == query)
            await pilot.pause(0.1)
        profiler.stop()
    return str(profiler.output_text(unicode=False, color=False, show_all=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with standin(conversations=args.rows, rate_limit=False, python=python()) as server:
        print(asyncio.run(profile(server.base_url, server.user_id, args.rows)))


if __name__ == "__main__":
    main()

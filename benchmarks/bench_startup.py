"""Figure 1 - start-up: process start to first frame, and to the first conversation rows.

The real console script (``.venv/bin/lemlist-inbox``) runs under a pseudo-terminal of
160x45, pointed at the stand-in (in another process) by ``LEMLIST_BASE_URL`` with the
viewing user given (``LEMLIST_USER_ID``), so the inbox loads at once instead of showing
the user picker. Times are taken from the bytes the app writes to its terminal:

* first frame: the first time the bottom row (row 45) is painted, i.e. a whole screen;
* first rows: the first conversation's name appears on the terminal.

Both from just before the process is spawned (interpreter start included). Target:
first frame <= 0.35 s; first rows <= first frame + one round trip + 50 ms, where the
round trip is the stand-in's added latency (0 or 200 ms) plus the loopback request.

A separate run with ``-X importtime`` lists what is imported before the first frame.

Bytecode cached, as an installed user runs it: ``common.ensure_bytecode`` compiles our
package and site-packages first and every child (ours, the floor app, the bare
interpreter) runs without ``PYTHONDONTWRITEBYTECODE`` (``common.child_env``); which
condition was measured is printed in the notes.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import VENV_BIN, Result, child_env, ensure_bytecode, figure_main, median, python
from ptyterm import PtyApp
from standin import standin

FIGURE = "1 start-up"
FIRST_FRAME_TARGET = 0.35
SLACK = 0.05
BOTTOM_ROW = b"\x1b[45;1H"
#: What the first frame must not wait for: the client's and the thread pane's imports.
HEAVY = (
    "html2text",
    "pydantic",
    "httpx",
    "tenacity",
    "lemlist_inbox.api.client",
    "lemlist_inbox.api.models",
    "lemlist_inbox.render.html",
)


def _env(base_url: str, user_id: str, config_dir: str) -> dict[str, str]:
    env = {k: v for k, v in child_env().items() if not k.startswith(("LEMLIST_", "TEXTUAL"))}
    env.update(
        LEMLIST_BASE_URL=base_url,
        LEMLIST_API_KEY="demo-key",
        LEMLIST_USER_ID=user_id,
        LEMLIST_INBOX_CONFIG=str(Path(config_dir) / "config.toml"),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        LANG="C.UTF-8",
    )
    env.pop("NO_COLOR", None)
    return env


def _entry() -> list[str]:
    script = VENV_BIN / "lemlist-inbox"
    return [str(script)] if script.exists() else [python(), "-m", "lemlist_inbox"]


def _first_frame(app: PtyApp) -> tuple[float, float]:
    """(seconds, child CPU seconds) when the first whole screen had been written."""
    frame_start = app.wait_for(BOTTOM_ROW)
    # The bottom row's own bytes end the frame: wait for its closing reset.
    offset = app.data().find(BOTTOM_ROW)
    frame = app.wait_for(b"\x1b[0m", start=offset + len(BOTTOM_ROW))
    return max(frame, frame_start), app.cpu_at(b"\x1b[0m", start=offset + len(BOTTOM_ROW))


def one_start(base_url: str, user_id: str, name: str, config_dir: str) -> tuple[float, float, float]:
    """(first frame, first rows, CPU to first frame) seconds from spawn, for one start."""
    app = PtyApp(_entry(), _env(base_url, user_id, config_dir))
    try:
        frame, cpu = _first_frame(app)
        rows = app.wait_for(name.encode())
        app.send(b"q")
        return frame, rows, cpu
    finally:
        app.close()


def floor_start(config_dir: str) -> tuple[float, float]:
    """(first frame, CPU) of one start of ``textual_floor.py``: Textual's own start-up here."""
    env = _env("http://127.0.0.1:9", "-", config_dir)
    app = PtyApp([python(), str(Path(__file__).resolve().parent / "textual_floor.py")], env)
    try:
        frame, cpu = _first_frame(app)
        app.send(b"q")
    finally:
        app.close()
    return frame, cpu


def interpreter_start(runs: int) -> float:
    """Median seconds for the bare interpreter to start and exit (the floor)."""
    import subprocess
    import time

    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([python(), "-c", "pass"], check=True, env=child_env())
        samples.append(time.perf_counter() - t0)
    return median(samples)


_IMPORT_LINE = re.compile(rb"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(base_url: str, user_id: str, name: str, config_dir: str) -> list[Result]:
    """What the app imports before its first frame (``-X importtime`` under the pty)."""
    env = _env(base_url, user_id, config_dir)
    app = PtyApp([python(), "-X", "importtime", "-m", "lemlist_inbox"], env)
    try:
        app.wait_for(BOTTOM_ROW)
        before = app.data()
        app.wait_for(name.encode())
        app.send(b"q")
    finally:
        app.close()
    head = before[: before.find(BOTTOM_ROW)]
    top: list[tuple[int, str]] = []
    total = 0
    names = set()
    for match in _IMPORT_LINE.finditer(head):
        cumulative, indent, module = int(match.group(2)), len(match.group(3)), match.group(4).decode()
        names.add(module)
        if indent == 1:  # imported at top level by __main__ / our code
            top.append((cumulative, module))
            total += cumulative
    top.sort(reverse=True)
    listing = ", ".join(f"{m} {us / 1000:.0f} ms" for us, m in top[:8])
    heavy = [m for m in HEAVY if m in names]
    results = [
        Result(
            FIGURE,
            "imports before first frame (-X importtime, inflated)",
            total / 1e6,
            "s",
            note=f"top: {listing}",
        ),
        Result(
            FIGURE,
            "heavy modules imported before first frame",
            float(len(heavy)),
            "count",
            note=", ".join(heavy) or "none",
        ),
    ]
    return results


def run(quick: bool) -> list[Result]:
    runs = 3 if quick else 7
    results: list[Result] = []
    bytecode = ensure_bytecode()
    floor = interpreter_start(runs)
    results.append(Result(FIGURE, "bare python start+exit (floor)", floor, "s", note=bytecode))
    with tempfile.TemporaryDirectory() as config_dir:
        floor_start(config_dir)  # warm the disk cache
        for latency in (0.0, 0.2):
            with standin(conversations=300, latency=latency, python=python()) as server:
                name = next(n for n in server.info["names"] if n)
                frames, rows, gaps, cpus = [], [], [], []
                floors: list[tuple[float, float]] = []
                one_start(server.base_url, server.user_id, name, config_dir)  # warm the disk cache
                for _ in range(runs):
                    if latency == 0.0:
                        # Interleaved with ours, so both see the same machine load.
                        floors.append(floor_start(config_dir))
                    frame, row, cpu = one_start(server.base_url, server.user_id, name, config_dir)
                    cpus.append(cpu)
                    frames.append(frame)
                    rows.append(row)
                    gaps.append(row - frame)
                label = f"{latency * 1000:.0f} ms latency"
                if floors:
                    above = [cpu - floor_cpu for cpu, (_, floor_cpu) in zip(cpus, floors, strict=True)]
                    results.append(
                        Result(
                            FIGURE,
                            "Textual's floor: first frame of a header+text+footer app",
                            median([f for f, _ in floors]),
                            "s",
                            note=f"CPU {median([c for _, c in floors]) * 1000:.0f} ms; "
                            "interpreter + Textual's import + one paint; bytecode cached",
                            samples=[f for f, _ in floors],
                        )
                    )
                    results.append(
                        Result(
                            FIGURE,
                            "our CPU to first frame above Textual's floor (interleaved pairs)",
                            median(above),
                            "s",
                            note="our imports (CLI, config, UI modules) + composing our screen; "
                            "both with bytecode cached",
                            samples=above,
                        )
                    )
                results.append(
                    Result(
                        FIGURE,
                        f"first frame ({label})",
                        median(frames),
                        "s",
                        FIRST_FRAME_TARGET,
                        samples=frames,
                    )
                )
                results.append(
                    Result(
                        FIGURE,
                        f"CPU to first frame ({label})",
                        median(cpus),
                        "s",
                        FIRST_FRAME_TARGET,
                        note="user+sys of the app process (moves with the machine's load too)",
                        samples=cpus,
                    )
                )
                # First rows <= first frame + one round trip + 50 ms: the gap is what we judge.
                results.append(
                    Result(
                        FIGURE,
                        f"first rows - first frame ({label})",
                        median(gaps),
                        "s",
                        latency + SLACK,
                        note=f"first rows at {median(rows) * 1000:.0f} ms",
                        samples=gaps,
                    )
                )
                if latency == 0.0:
                    results += import_profile(server.base_url, server.user_id, name, config_dir)
    return results


if __name__ == "__main__":
    figure_main(run)

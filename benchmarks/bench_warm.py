"""Figure 10 - warm start of the TUI from the local inbox, and a stored thread opened after a restart.

The database is filled first (``fill``: the same code a sync runs, ``LocalInbox.sync``
and ``StoredThreads.save``, against an in-process stand-in with the same seed and size,
so ids and names match the stand-in the app talks to), in a data dir of its own given
to the app by ``LEMLIST_INBOX_DATA`` (and ``XDG_DATA_HOME``), under the file name the
app derives from the stand-in's base URL and the viewing user.

Then the real console script starts under the 160x45 pty against the stand-in process
(``standin.py``, 1 s latency, so an answer cannot arrive before a second has passed:
rows on screen before that came from the file). Not ``--demo``: its in-process stand-in
(and the dataset it builds) would be imported and run before the first frame (~330 ms
here), which is not what a user with an account waits for.

* *First frame* (10,000 and 100,000 stored): as figure 1 (bottom row painted), against
  Textual's floor app started the same way, interleaved. Target: first frame <= floor
  + 60 ms, and the first stored row's name already in the first frame.
* *Stored thread open after a restart* (10,000 stored, the newest 30 threads stored):
  the app started again, cursor moved to a conversation whose thread is in the file,
  Enter to the frame showing its subject. Target <= 50 ms.

A build that does not warm-start (no rows before the first answer) prints "n/a (no
warm start in this build)" for these rows instead of a figure.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_startup import BOTTOM_ROW, _entry, _env, _first_frame, floor_start
from common import Result, ensure_bytecode, figure_main, median, python
from ptyterm import PtyApp
from standin import StandIn, standin

FIGURE = "10 warm start"
LATENCY = 1.0
ABOVE_FLOOR = 0.060
THREAD_OPEN = 0.050
STORED_THREADS = 30
NA = "n/a (no warm start in this build)"


def warm_start_supported() -> bool:
    """Whether this build has a local inbox the TUI can start from (checked, not assumed)."""
    try:
        from lemlist_inbox.inbox import local
    except ImportError:
        return False
    return hasattr(local, "LocalInbox") and hasattr(local, "StoreOptions")


async def _fill_async(
    source_url: str, app_base_url: str, user_id: str, data_dir: Path, threads: int
) -> list[tuple[int, str]]:
    """Fill the app's database; (row index, subject) of stored threads that have one."""
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.ratelimit import RateLimiter
    from lemlist_inbox.demo import DEMO_API_KEY
    from lemlist_inbox.inbox.local import LocalInbox, StoreOptions

    inbox = LocalInbox(StoreOptions(data_dir=data_dir, base_url=app_base_url), user_id)
    limiter = RateLimiter(max_calls=10_000, period=1.0)
    subjects: list[tuple[int, str]] = []
    async with LemlistClient(DEMO_API_KEY, base_url=source_url, rate_limiter=limiter) as client:
        await inbox.sync(client, page_size=100)
        for index in range(min(threads, inbox.store.view_size)):
            entry = inbox.store.view_at(index)
            contact_id = entry.thread_id
            if not contact_id:
                continue
            thread = await client.thread(contact_id)
            await inbox.threads.save(contact_id, thread, activity=time.time())
            subject = next((m.subject for m in reversed(thread.messages) if m.subject), None)
            if subject and subject.isascii() and subject.isprintable() and len(subject) >= 12:
                subjects.append((index, subject[:12]))
    inbox.close()
    return subjects


def app_base_url(server: StandIn, config_dir: str) -> str:
    """The base URL as the app will hold it (it names the database file)."""
    import os

    from lemlist_inbox.config import load_settings

    saved = dict(os.environ)
    try:
        os.environ.update(_env(server.base_url, server.user_id, config_dir))
        return str(load_settings().base_url)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def fill(server: StandIn, size: int, data_dir: Path, config_dir: str, threads: int) -> list[tuple[int, str]]:
    from lemlist_inbox.demo import DemoServer, Faults

    with DemoServer(conversations=size, faults=Faults(rate_limit=False)) as source:
        if str(source.dataset.users[0]["userId"]) != server.user_id:
            raise RuntimeError("the in-process stand-in is not the same dataset as the stand-in process")
        return asyncio.run(
            _fill_async(source.base_url, app_base_url(server, config_dir), server.user_id, data_dir, threads)
        )


def _app_env(server: StandIn, config_dir: str, data_dir: Path) -> dict[str, str]:
    env = _env(server.base_url, server.user_id, config_dir)
    env["LEMLIST_INBOX_DATA"] = str(data_dir)
    env["XDG_DATA_HOME"] = str(data_dir.parent / "xdg")
    return env


def _first_request(server: StandIn, t0: float) -> float | None:
    rows: list[list[Any]] = server.stats()["requests"]
    return min((float(r[0]) - t0 for r in rows), default=None)


def warm_start(server: StandIn, config_dir: str, data_dir: Path, name: str) -> dict[str, float]:
    """One start: first frame, rows, whether they came before any answer could."""
    server.stats()
    t0 = time.monotonic()
    app = PtyApp(_entry(), _app_env(server, config_dir, data_dir))
    try:
        frame, cpu = _first_frame(app)
        # Where the first frame's bytes end (its bottom row's closing reset), not how much
        # had been read by then: a later frame may already be in the buffer.
        data = app.data()
        frame_end = data.find(b"\x1b[0m", data.find(BOTTOM_ROW) + len(BOTTOM_ROW)) + len(b"\x1b[0m")
        rows = app.wait_for(name.encode(), timeout=60)
        at = app.data().find(name.encode())
        in_frame = 0 <= at < frame_end
        app.send(b"q")
    finally:
        app.close()
    first = _first_request(server, t0)
    answer = (first if first is not None else rows) + LATENCY
    return {
        "frame": frame,
        "cpu": cpu,
        "rows": rows,
        "in_frame": float(in_frame),
        "warm": float(rows < answer),
    }


def thread_open(server: StandIn, config_dir: str, data_dir: Path, index: int, subject: str) -> float | None:
    """Start again, move to row ``index``, Enter: seconds to the subject on screen."""
    app = PtyApp(_entry(), _app_env(server, config_dir, data_dir))
    try:
        _first_frame(app)
        app.wait_idle(quiet=0.8, timeout=30)
        if index:
            app.send(b"j" * index)
            app.wait_idle(quiet=1.2, timeout=30)  # the debounced prefetch included
        before = app.size
        start = time.perf_counter()
        app.send(b"\r")
        try:
            shown = app.wait_for(subject.encode(), start=before, timeout=10)
        except TimeoutError:
            return None
        app.send(b"q")
        return shown - (start - app.t0)
    finally:
        app.close()


def _na(name: str, target: float, why: str = NA) -> Result:
    return Result(FIGURE, name, None, "s", target, note=why)


def run(quick: bool) -> list[Result]:
    runs = 3 if quick else 5
    sizes = [10_000] if quick else [10_000, 100_000]
    bytecode = ensure_bytecode()
    results: list[Result] = []
    if not warm_start_supported():
        for size in sizes:
            results.append(_na(f"first frame above Textual's floor, {size:,} stored", ABOVE_FLOOR))
        results.append(_na("stored thread open after a restart: Enter -> text", THREAD_OPEN))
        return results
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            config_dir = str(Path(tmp) / f"config-{size}")
            Path(config_dir).mkdir()
            data_dir = Path(tmp) / f"data-{size}"
            data_dir.mkdir(mode=0o700)
            with standin(conversations=size, latency=LATENCY, python=python()) as server:
                name = next(n for n in server.info["names"] if n)
                subjects = fill(server, size, data_dir, config_dir, STORED_THREADS if size == 10_000 else 0)
                floor_start(config_dir)  # warm the disk cache
                warm_start(server, config_dir, data_dir, name)
                starts: list[dict[str, float]] = []
                floors: list[tuple[float, float]] = []
                for _ in range(runs):
                    floors.append(floor_start(config_dir))
                    starts.append(warm_start(server, config_dir, data_dir, name))
                label = f"{size:,} stored"
                if not all(s["warm"] for s in starts):
                    # Rows only after an answer: this build does not start from the file.
                    return [
                        *(
                            _na(f"first frame above Textual's floor, {n:,} stored", ABOVE_FLOOR)
                            for n in sizes
                        ),
                        _na("stored thread open after a restart: Enter -> text", THREAD_OPEN),
                    ]
                above = [s["frame"] - f for s, (f, _) in zip(starts, floors, strict=True)]
                in_frame = sum(int(s["in_frame"]) for s in starts)
                results += [
                    Result(
                        FIGURE,
                        f"first frame above Textual's floor, {label} (interleaved pairs, median of {runs})",
                        median(above),
                        "s",
                        ABOVE_FLOOR,
                        note=f"first frame {median([s['frame'] for s in starts]) * 1000:.0f} ms, floor "
                        f"{median([f for f, _ in floors]) * 1000:.0f} ms; CPU to first frame "
                        f"{median([s['cpu'] for s in starts]) * 1000:.0f} ms; stand-in at "
                        f"{LATENCY * 1000:.0f} ms latency",
                        samples=above,
                    ),
                    Result(
                        FIGURE,
                        f"first frame shows stored rows, {label} (starts of {runs})",
                        float(in_frame),
                        "count",
                        float(runs),
                        op=">=",
                        note=f"first rows at {median([s['rows'] for s in starts]) * 1000:.0f} ms",
                    ),
                ]
                if subjects:
                    index, subject = subjects[0]
                    tries = (thread_open(server, config_dir, data_dir, index, subject) for _ in range(runs))
                    opens = [t for t in tries if t is not None]
                    if opens:
                        results.append(
                            Result(
                                FIGURE,
                                f"stored thread open after a restart: Enter -> text (median of {len(opens)})",
                                median(opens),
                                "s",
                                THREAD_OPEN,
                                note=f"row {index + 1}; {STORED_THREADS} threads stored; a fetch would take "
                                f">= {LATENCY * 1000:.0f} ms",
                                samples=opens,
                            )
                        )
                    else:
                        results.append(
                            _na(
                                "stored thread open after a restart: Enter -> text",
                                THREAD_OPEN,
                                "n/a (the stored thread's subject never showed)",
                            )
                        )
    if results:
        results[0].note += f"; {bytecode}"
    return results


if __name__ == "__main__":
    figure_main(run)

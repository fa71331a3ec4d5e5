"""Figure 8 - the local inbox: warm start from SQLite, database size, warm sync requests.

* **Warm start**: a database filled from the stand-in (10,000 and 100,000 conversations)
  is opened in a fresh ``LocalInbox`` and the list built from it: the *head* (the rows
  read before the first frame, ``WARM_HEAD``) and *all* rows (read in a worker after the
  first frame), CPU time of the calling thread, median of several runs. The anchor is the
  same work with no store at all: parsing the same conversations from JSON with the
  pydantic models (what a cold start spends on the CPU for them, network aside).
* **Size**: bytes of the file (with its WAL) per 10,000 conversations and per 1,000
  stored threads (demo threads, ~6 messages each).
* **Peak RSS** (``VmHWM``) of a fresh child process that opens the database and loads
  every stored row into the in-memory list (what the TUI holds once the worker has
  read the rest). Target at 100,000 stored: <= 200 MB.
* **Warm sync after 5 conversations changed**: requests made and wall time, against
  the 1-2 requests the design promises (and the ~100 of a full reload).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, figure_main, median

FIGURE = "8 local inbox"


async def _fill(base_url: str, user_id: str, data_dir: Path, threads: int) -> int:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.api.ratelimit import RateLimiter
    from lemlist_inbox.demo import DEMO_API_KEY
    from lemlist_inbox.inbox.local import LocalInbox, StoreOptions

    inbox = LocalInbox(StoreOptions(data_dir=data_dir, base_url=base_url), user_id)
    limiter = RateLimiter(max_calls=10_000, period=1.0)
    async with LemlistClient(DEMO_API_KEY, base_url=base_url, rate_limiter=limiter) as client:
        await inbox.sync(client, page_size=100)
        ids = [inbox.store.view_at(i).thread_id for i in range(min(threads, inbox.store.view_size))]
        for contact_id in ids:
            if contact_id:
                thread = await client.thread(contact_id)
                await inbox.threads.save(contact_id, thread, activity=0.0)
    count = len(inbox.store)
    inbox.close()
    return count


def _warm(data_dir: Path, base_url: str, user_id: str, head: int | None) -> tuple[float, int]:
    from lemlist_inbox.inbox.local import LocalInbox, StoreOptions

    start = time.thread_time()
    inbox = LocalInbox(StoreOptions(data_dir=data_dir, base_url=base_url), user_id)
    rows = inbox.warm_start(head=head)
    elapsed = time.thread_time() - start
    inbox.close()
    return elapsed, rows


def _parse_anchor(server: object, count: int) -> float:
    from lemlist_inbox.api.models import Conversation, parse_items

    items = list(server.dataset.conversations)[:count]  # type: ignore[attr-defined]
    start = time.thread_time()
    parse_items(Conversation, items)
    return time.thread_time() - start


def _db_size(data_dir: Path) -> int:
    return sum(p.stat().st_size for p in data_dir.glob("*.sqlite3*"))


async def _warm_sync(base_url: str, user_id: str, data_dir: Path, server: object) -> tuple[int, float]:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.demo import DEMO_API_KEY
    from lemlist_inbox.inbox.local import LocalInbox, StoreOptions

    inbox = LocalInbox(StoreOptions(data_dir=data_dir, base_url=base_url), user_id)
    inbox.warm_start(head=None)
    server.add_activity(5, new=1)  # type: ignore[attr-defined]
    server.clear_log()  # type: ignore[attr-defined]
    async with LemlistClient(DEMO_API_KEY, base_url=base_url) as client:
        start = time.perf_counter()
        await inbox.sync(client, page_size=100)
        elapsed = time.perf_counter() - start
    inbox.close()
    requests = len([r for r in server.requests("/api/inbox") if r.path == "/api/inbox"])  # type: ignore[attr-defined]
    return requests, elapsed


_RSS_CHILD = """
import sys
from pathlib import Path

def status(key):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) * 1024
    return 0

before = status("VmRSS:")
from lemlist_inbox.inbox.local import LocalInbox, StoreOptions

inbox = LocalInbox(StoreOptions(data_dir=Path(sys.argv[1]), base_url=sys.argv[2]), sys.argv[3])
rows = inbox.warm_start(head=None)
print(rows, before, status("VmRSS:"), status("VmHWM:"))
"""


def _peak_rss(data_dir: Path, base_url: str, user_id: str) -> tuple[int, int, int, int]:
    """(rows, RSS before the import, RSS after, peak RSS) of a fresh child loading every stored row."""
    import subprocess

    from common import child_env, python

    proc = subprocess.run(
        [python(), "-c", _RSS_CHILD, str(data_dir), base_url, user_id],
        capture_output=True,
        text=True,
        check=True,
        env=child_env(),
    )
    rows, before, after, peak = (int(x) for x in proc.stdout.split())
    return rows, before, after, peak


def run(quick: bool) -> list[Result]:
    from lemlist_inbox.demo import DemoServer, Faults
    from lemlist_inbox.inbox.local import WARM_HEAD

    sizes = [10_000] if quick else [10_000, 100_000]
    repeats = 3 if quick else 5
    results: list[Result] = []
    for size in sizes:
        threads = 1_000 if size == 10_000 else 0
        with (
            DemoServer(conversations=size, faults=Faults(rate_limit=False)) as server,
            tempfile.TemporaryDirectory() as tmp,
        ):
            data_dir = Path(tmp)
            user_id = str(server.dataset.users[0]["userId"])
            stored = asyncio.run(_fill(server.base_url, user_id, data_dir, threads))
            head = [_warm(data_dir, server.base_url, user_id, WARM_HEAD)[0] for _ in range(repeats)]
            full = [_warm(data_dir, server.base_url, user_id, None)[0] for _ in range(repeats)]
            anchor = [_parse_anchor(server, stored) for _ in range(max(1, repeats // 2))]
            results += [
                Result(
                    FIGURE,
                    f"warm start, first {WARM_HEAD} rows of {stored:,} (before the first frame)",
                    median(head),
                    "s",
                    note="CPU: open the file, one indexed query, entries built without pydantic",
                    samples=head,
                ),
                Result(
                    FIGURE,
                    f"warm start, all {stored:,} rows (worker, after the first frame)",
                    median(full),
                    "s",
                    note=f"anchor: pydantic parse of the same items {median(anchor) * 1000:.0f} ms CPU",
                    samples=full,
                ),
            ]
            rows, before, after, peak = _peak_rss(data_dir, server.base_url, user_id)
            results.append(
                Result(
                    FIGURE,
                    f"peak RSS, {rows:,} stored conversations loaded into the store (fresh process)",
                    peak / 1e6,
                    "MB",
                    200.0 if size >= 100_000 else None,
                    note=f"RSS {before / 1e6:.0f} MB at interpreter start, {after / 1e6:.0f} MB after; "
                    f"{(peak - before) / max(1, rows) / 1e3:.1f} kB per conversation; target at 100,000",
                )
            )
            if threads:
                conversations_only = data_dir / "sizes"
                conversations_only.mkdir()
                asyncio.run(_fill(server.base_url, user_id, conversations_only, 0))
                per_10k = _db_size(conversations_only) * 10_000 / stored
                per_1k_threads = (_db_size(data_dir) - _db_size(conversations_only)) * 1_000 / threads
                results += [
                    Result(FIGURE, "database size per 10,000 conversations", per_10k / 1e6, "MB"),
                    Result(FIGURE, "database size per 1,000 stored threads", per_1k_threads / 1e6, "MB"),
                ]
                server.faults.latency = 0.2
                requests, elapsed = asyncio.run(_warm_sync(server.base_url, user_id, data_dir, server))
                results += [
                    Result(
                        FIGURE,
                        "warm sync after 5 conversations changed: requests",
                        float(requests),
                        "count",
                        2.0,
                        note=f"a full reload is {stored // 100 + 2} requests",
                    ),
                    Result(
                        FIGURE,
                        "warm sync after 5 conversations changed: time (200 ms latency)",
                        elapsed,
                        "s",
                    ),
                ]
    return results


if __name__ == "__main__":
    figure_main(run)

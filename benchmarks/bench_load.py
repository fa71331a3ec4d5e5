"""Figure 2 - full load of 10,000 conversations (100 pages) at 200 ms latency, 20 req / 2 s.

``LemlistClient.iter_conversation_pages`` against the stand-in (in this process: the
question is the schedule of requests, not CPU) with ``Faults(latency=0.2)`` and the
server's sliding-window limit on. Requests and 429s are counted in ``server.log``.

The bound: a server that admits at most ``M`` requests in any ``P`` seconds cannot
have received request number ``k`` (1-based) before ``floor((k-1)/M) * P`` after the
first; the load ends one round trip after the last request is sent. For ``N``
requests (page 1, the other pages, the final re-read of page 1 that catches conversations
that moved during the load) the ideal is ``floor((N-1)/M) * P + RTT``, 10.2 s for 101
requests at 200 ms. Sequential paging would take ``N * RTT`` = 20 s+. Target: within
15 % of the ideal, zero 429s.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, figure_main, median

FIGURE = "2 full load"
LATENCY = 0.2
MAX_CALLS, PERIOD = 20, 2.0


def bound(requests: int, rtt: float = LATENCY) -> float:
    """Fastest possible load of ``requests`` requests under the server's limit."""
    return ((requests - 1) // MAX_CALLS) * PERIOD + rtt


async def _load(base_url: str, user_id: str) -> tuple[float, int]:
    from lemlist_inbox.api.client import LemlistClient
    from lemlist_inbox.demo import DEMO_API_KEY

    items = 0
    async with LemlistClient(DEMO_API_KEY, base_url=base_url) as client:
        start = time.perf_counter()
        async for page in client.iter_conversation_pages(user_id, limit=100):
            items += len(page.items)
        return time.perf_counter() - start, items


def run(quick: bool) -> list[Result]:
    from lemlist_inbox.demo import DemoServer, Faults

    runs = 1 if quick else 3
    conversations = 10_000
    durations, ratios, too_many, requests = [], [], [], []
    with DemoServer(conversations=conversations, faults=Faults(latency=LATENCY)) as server:
        user_id = server.dataset.users[0]["userId"]
        total = len(server.dataset.conversations)
        for _ in range(runs):
            time.sleep(PERIOD + 0.1)  # let the previous run's window expire
            server.reset_rate_limit()
            server.clear_log()
            elapsed, items = asyncio.run(_load(server.base_url, user_id))
            log = server.requests("/api/inbox")
            if items != total:
                raise RuntimeError(f"loaded {items} of {total} conversations")
            count = len(log)
            durations.append(elapsed)
            requests.append(count)
            ratios.append(elapsed / bound(count) - 1)
            too_many.append(sum(1 for r in log if r.status == 429))
    n = int(median(requests))
    return [
        Result(
            FIGURE,
            f"paging engine, warm process: time for {total:,} conversations",
            median(durations),
            "s",
            note=f"{n} requests; ideal {bound(n):.2f} s; sequential would be {n * LATENCY:.1f} s",
            samples=durations,
        ),
        Result(
            FIGURE,
            "paging engine: over the rate-limit bound",
            median(ratios) * 100,
            "%",
            15.0,
            note="the user's command, process start to exit: figure 9",
            samples=ratios,
        ),
        Result(
            FIGURE, "429 answers", float(max(too_many)), "count", 0.0, samples=[float(x) for x in too_many]
        ),
    ]


if __name__ == "__main__":
    figure_main(run)

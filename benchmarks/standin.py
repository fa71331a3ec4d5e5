"""The lemlist stand-in in its own process, for benchmarks that measure the app.

A ``DemoServer`` running in the measured process would compete for the GIL with the
app (JSON encoding a 1,000-item page, a 1 MB message) and its threads would show up
in the process's CPU time and RSS. Run it here instead; the parent reads one JSON line
(base URL, user ids, interesting contact ids) and stops the server by closing stdin.
In between it may write ``stats`` on a line: the stand-in answers with one JSON line of
the requests it saw since the last ``stats`` (paths, statuses, monotonic arrival times:
``time.monotonic`` is the same clock in every process) and forgets them.

    python benchmarks/standin.py --conversations 100000 --no-rate-limit
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


@dataclass
class StandIn:
    """What the parent knows about a running stand-in process."""

    process: subprocess.Popen[str]
    info: dict[str, Any]

    @property
    def base_url(self) -> str:
        return str(self.info["base_url"])

    @property
    def user_id(self) -> str:
        return str(self.info["users"][0])

    def stats(self) -> dict[str, Any]:
        """The requests seen since the last call: ``{"requests": [[time, path, status], ...]}``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write("stats\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the stand-in ended")
        return dict(json.loads(line))


@contextmanager
def standin(
    *,
    conversations: int = 300,
    latency: float = 0.0,
    rate_limit: bool = True,
    hostile: bool = False,
    python: str = sys.executable,
) -> Iterator[StandIn]:
    """Start the stand-in in a child process; stopped (stdin closed) on exit."""
    cmd = [python, str(BENCH_DIR / "standin.py"), "--conversations", str(conversations)]
    cmd += ["--latency", str(latency)]
    if not rate_limit:
        cmd.append("--no-rate-limit")
    if hostile:
        cmd.append("--hostile")
    proc = subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the stand-in did not start")
        yield StandIn(proc, json.loads(line))
    finally:
        try:
            _out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            _out, err = proc.communicate()
        if proc.returncode:
            print(f"stand-in exited with {proc.returncode}: {err[-2000:]}", file=sys.stderr)


def main() -> None:
    from lemlist_inbox.demo import DemoServer, Faults
    from lemlist_inbox.demo import hostile as hostile_cases

    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=300)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--no-rate-limit", action="store_true")
    parser.add_argument("--hostile", action="store_true")
    args = parser.parse_args()
    faults = Faults(latency=args.latency, rate_limit=not args.no_rate_limit)
    server = DemoServer(conversations=args.conversations, faults=faults, hostile=args.hostile).start()
    try:
        dataset = server.dataset
        info: dict[str, Any] = {
            "base_url": server.base_url,
            "users": [u["userId"] for u in dataset.users],
            "first": [c["contactId"] for c in dataset.conversations[:5]],
            "names": [((c.get("contact") or {}).get("fullName") or "") for c in dataset.conversations[:5]],
            "total": len(dataset.conversations),
        }
        # Threads of exactly 10 messages (figure 5), from the first few hundred.
        info["ten_messages"] = [
            c["contactId"]
            for c in dataset.conversations[:400]
            if c["contactId"].startswith("ctc_") and len(dataset.thread(c["contactId"])) == 10
        ]
        if args.hostile:
            info["big_message"] = hostile_cases.contact_id(hostile_cases.BIG_MESSAGE)
        print(json.dumps(info), flush=True)
        for command in sys.stdin:  # until the parent closes it
            if command.strip() == "stats":
                records = server.requests()
                server.clear_log()
                rows = [[r.time, r.path, r.status] for r in records]
                print(json.dumps({"requests": rows}), flush=True)
        counts: dict[int, int] = {}
        for record in server.requests():
            counts[record.status] = counts.get(record.status, 0) + 1
        print(json.dumps({"statuses": counts}), file=sys.stderr, flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()

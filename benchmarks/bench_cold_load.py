"""Figure 9 - cold full load of 10,000 conversations as the user runs it: the CLI and the TUI.

Figure 2 times the paging engine in a warm process; here the clock covers what the
user waits for. The stand-in runs in another process (``standin.py``) with 200 ms
latency and its 20 req / 2 s sliding window on; bytecode is cached
(``common.ensure_bytecode``) and nothing in the child's environment differs from a
user's shell (``common.child_env``).

* **CLI**: the venv's ``lemlist-inbox list --json`` (and ``--jsonl`` and the plain
  listing, when ``list --help`` offers them: the flags are detected, not assumed),
  from just before the process is spawned until it has exited, stdout to a file.
  The output is checked (every conversation in it). "After the last page" is the
  exit time minus the arrival of the last list request plus one latency (the answer
  on the wire): what the CLI spends sorting, encoding and writing.
* **TUI**: the console script under a 160x45 pty (``ptyterm.py``), no stored inbox
  (an empty data dir), from spawn until the status line shows the loaded count
  ("10,004 conversations").

The bound is figure 2's: for N list requests ``floor((N-1)/20) * 2 s + RTT``. N counts
the list pages only (``/api/inbox``): a thread prefetched during the load uses the
same window and shows as time above the bound. Target: <= 1.15x the bound, no 429.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import LATENCY, PERIOD, bound
from bench_startup import _entry, _env
from common import VENV_BIN, Result, child_env, ensure_bytecode, figure_main, median, python
from ptyterm import PtyApp
from standin import StandIn, standin

FIGURE = "9 cold full load"
CONVERSATIONS = 10_000
TARGET = 1.15


def list_variants() -> list[tuple[str, list[str]]]:
    """(label, extra args) for every output format the installed CLI's ``list`` offers."""
    script = VENV_BIN / "lemlist-inbox"
    entry = [str(script)] if script.exists() else [python(), "-m", "lemlist_inbox"]
    help_text = subprocess.run(
        [*entry, "list", "--help"], capture_output=True, text=True, env=child_env(), check=False
    ).stdout
    variants = [("list --json", ["--json"])] if "--json " in help_text or "--json\n" in help_text else []
    if "--jsonl" in help_text:
        variants.append(("list --jsonl", ["--jsonl"]))
    variants.append(("list (plain)", []))
    return variants


def _count_output(path: Path, args: list[str]) -> int:
    """How many conversations the output holds (a check that the run did the whole job)."""
    import json

    text = path.read_text(encoding="utf-8")
    if args == ["--json"]:
        return len(json.loads(text))
    return sum(1 for line in text.splitlines() if line.strip())


def _settle(server: StandIn) -> None:
    """Let the previous run's window expire and forget its requests."""
    time.sleep(PERIOD + 0.2)
    server.stats()


def _requests(server: StandIn) -> tuple[int, int, int, float | None, float | None]:
    """(list requests, all requests, 429s, first and last list request's arrival) since the last call."""
    rows: list[list[Any]] = server.stats()["requests"]
    pages = [r for r in rows if r[1] == "/api/inbox"]
    first = min((float(r[0]) for r in pages), default=None)
    last = max((float(r[0]) for r in pages), default=None)
    return len(pages), len(rows), sum(1 for r in rows if r[2] == 429), first, last


def cli_run(server: StandIn, args: list[str], env: dict[str, str], out_dir: Path) -> dict[str, float]:
    script = VENV_BIN / "lemlist-inbox"
    entry = [str(script)] if script.exists() else [python(), "-m", "lemlist_inbox"]
    out = out_dir / "out.txt"
    # A fresh, empty data dir every run: once ``list`` syncs through the local inbox,
    # a second run on the same dir would be a warm sync (figure 8), not a cold load.
    env = dict(env)
    fresh = Path(tempfile.mkdtemp(prefix="data-", dir=out_dir))
    env["LEMLIST_INBOX_DATA"] = env["XDG_DATA_HOME"] = env["XDG_CACHE_HOME"] = str(fresh)
    _settle(server)
    with out.open("wb") as sink:
        start = time.monotonic()
        proc = subprocess.run(
            [*entry, "list", *args], stdout=sink, stderr=subprocess.PIPE, env=env, check=False
        )
        ended = time.monotonic()
    if proc.returncode != 0:
        raise RuntimeError(f"list {' '.join(args)} exited {proc.returncode}: {proc.stderr[-800:]!r}")
    pages, total, too_many, first, last = _requests(server)
    rows = _count_output(out, args)
    if rows < server.info["total"]:
        raise RuntimeError(f"list {' '.join(args)} printed {rows} of {server.info['total']} conversations")
    elapsed = ended - start
    return {
        "elapsed": elapsed,
        "ratio": elapsed / bound(pages),
        "pages": pages,
        "requests": total,
        "429": too_many,
        "after_last": ended - (last + LATENCY) if last is not None else float("nan"),
        "first": first - start if first is not None else float("nan"),
        "bytes": out.stat().st_size,
    }


def tui_run(server: StandIn, config_dir: str, data_dir: str) -> dict[str, float]:
    env = _env(server.base_url, server.user_id, config_dir)
    # No stored inbox: a cold load (the local inbox's dir, and the platform's).
    env["LEMLIST_INBOX_DATA"] = env["XDG_DATA_HOME"] = env["XDG_CACHE_HOME"] = data_dir
    loaded = f"{server.info['total']:,} conversations".encode()
    _settle(server)
    start = time.monotonic()  # PtyApp's t0 is taken just after, before the spawn
    app = PtyApp(_entry(), env)
    try:
        elapsed = app.wait_for(loaded, timeout=90)
        app.send(b"q")
    finally:
        app.close()
    pages, total, too_many, first, _ = _requests(server)
    return {
        "elapsed": elapsed,
        "ratio": elapsed / bound(pages),
        "pages": pages,
        "requests": total,
        "429": too_many,
        "first": first - start if first is not None else float("nan"),
    }


def _result(label: str, runs: list[dict[str, float]], extra: str = "") -> list[Result]:
    ratios = [r["ratio"] for r in runs]
    times = [r["elapsed"] for r in runs]
    pages = int(median([r["pages"] for r in runs]))
    requests = int(median([r["requests"] for r in runs]))
    too_many = max(r["429"] for r in runs)
    note = (
        f"{median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}); {pages} list requests "
        f"({requests} in all), bound {bound(pages):.2f} s; {too_many:.0f} x 429; first request "
        f"{median([r['first'] for r in runs]) * 1000:.0f} ms after spawn"
    )
    return [
        Result(
            FIGURE,
            f"{label}: time / rate-limit bound (median of {len(runs)})",
            median(ratios),
            "x",
            TARGET,
            note=note + extra,
            samples=ratios,
        )
    ]


def run(quick: bool) -> list[Result]:
    runs = 1 if quick else 3
    bytecode = ensure_bytecode()
    results: list[Result] = []
    variants = list_variants()
    with (
        tempfile.TemporaryDirectory() as tmp,
        standin(conversations=CONVERSATIONS, latency=LATENCY, python=python()) as server,
    ):
        tmp_path = Path(tmp)
        env = _env(server.base_url, server.user_id, tmp)
        env["XDG_DATA_HOME"] = env["XDG_CACHE_HOME"] = str(tmp_path / "data")
        for label, args in variants:
            done = [cli_run(server, args, env, tmp_path) for _ in range(runs)]
            after = median([r["after_last"] for r in done])
            size = median([r["bytes"] for r in done])
            results += _result(
                f"CLI `{label}`, {server.info['total']:,} conversations",
                done,
                f"; {after * 1000:.0f} ms after the last page's answer; {size / 1e6:.1f} MB to a file",
            )
        tui = [tui_run(server, tmp, str(tmp_path / f"tui-data-{i}")) for i in range(runs)]
        results += _result(f"TUI under a pty, to '{server.info['total']:,} conversations' shown", tui)
    results[0].note += f"; {bytecode}"
    missing = [flag for flag in ("--json", "--jsonl") if flag not in {a for _, v in variants for a in v}]
    if missing:
        results[-1].note += f"; not in the installed CLI: list {', '.join(missing)}"
    return results


if __name__ == "__main__":
    figure_main(run)

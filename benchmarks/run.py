"""Run the benchmarks and print each figure against its target (``benchmarks/README.md``).

    python benchmarks/run.py                 # everything (about 15 minutes on 2 cores)
    python benchmarks/run.py --quick         # fewer repeats, 20,000 rows instead of 100,000
    python benchmarks/run.py startup html    # a subset, by name
    python benchmarks/run.py --markdown      # the table as Markdown (for README.md)

Each figure runs in a fresh interpreter (``common.run_figure_subprocess``). These are
scripts, not tests: nothing here asserts on time; the exit code is 1 if a figure
misses its target, so CI may show it without failing on a noisy machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Result, ensure_bytecode, format_table, machine, run_figure_subprocess

#: name -> (module, what it measures); in the order of the figures' numbers.
FIGURES: dict[str, tuple[str, str]] = {
    "startup": ("bench_startup", "1 start-up: first frame, first rows, imports"),
    "load": ("bench_load", "2 full load of 10,000 conversations under the rate limit"),
    "responsive": ("bench_responsive", "3 keys, filter, page append at 100,000 rows"),
    "memory": ("bench_memory", "4 peak RSS at 100,000 conversations"),
    "thread": ("bench_thread", "5 thread open, cached/uncached, 1 MB message"),
    "html": ("bench_html", "6 HTML -> text vs html2text defaults"),
    "output": ("bench_output", "7 terminal bytes and CPU (UI thread, process) per cursor key"),
    "store": ("bench_store", "8 local inbox: warm start, database size, warm sync"),
    "coldload": ("bench_cold_load", "9 cold full load as the user runs it: CLI list, TUI"),
    "warm": ("bench_warm", "10 TUI warm start from the local inbox, stored thread after a restart"),
    "filter": ("bench_filter", "11 filter keystroke with subjects and first words in the key, 100,000 rows"),
}


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("figures", nargs="*", metavar="FIGURE", help=f"any of: {', '.join(FIGURES)}")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and 20,000 rows: a smoke run")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--json", metavar="FILE", help="also write the results (with samples) as JSON")
    args = parser.parse_args()
    unknown = [f for f in args.figures if f not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    chosen = args.figures or list(FIGURES)
    info = machine()
    print(
        f"machine: {info['cpus']} CPUs, {info['cpu']}, Python {info['python']}, load {info['loadavg']}",
        file=sys.stderr,
    )
    print(f"  {ensure_bytecode()}", file=sys.stderr)
    results: list[Result] = []
    failed_to_run = []
    for name in chosen:
        module, what = FIGURES[name]
        started = time.perf_counter()
        print(f"running {name}: {what} ...", file=sys.stderr, flush=True)
        try:
            results += run_figure_subprocess(module, args.quick)
        except Exception as exc:  # one broken figure must not hide the others
            failed_to_run.append(name)
            print(f"  {name} did not run: {exc}", file=sys.stderr)
        print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    print(format_table(results, markdown=args.markdown))
    info["loadavg_end"] = machine()["loadavg"]
    print(
        f"\nmachine: {info['cpus']} CPUs, {info['cpu']}, Python {info['python']}, {info['platform']}, "
        f"load average {info['loadavg']} at start, {info['loadavg_end']} at end"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"machine": info, "quick": args.quick, "results": [r.to_json() for r in results]}, indent=1
            )
        )
    missed = [r for r in results if r.ok is False]
    return 1 if missed or failed_to_run else 0


if __name__ == "__main__":
    sys.exit(main())

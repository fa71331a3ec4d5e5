"""Shared pieces of the benchmark scripts: results, medians, the machine, subprocess runs.

Every figure module exposes ``run(quick: bool) -> list[Result]`` and can be executed on
its own (``python benchmarks/bench_x.py [--quick] [--json]``). ``run.py`` executes each
figure in a *fresh interpreter* so one figure's imports, caches and memory never leak
into the next (start-up and peak RSS would be meaningless otherwise).

The machine is shared and noisy, so every figure is repeated and the *median* is
reported; CPU time (``time.thread_time``) is used where the question is "how much
work", wall time where the question is "how long does the user wait".

Bytecode: an installed user runs from cached ``.pyc`` files (pip compiles what it
installs; an editable install caches them on the first start). This shell exports
``PYTHONDONTWRITEBYTECODE=1``, under which our editable package would be compiled
again on every start (~130 ms of CPU more). So ``ensure_bytecode`` compiles our
package and the venv's site-packages before anything is timed, and every child
process gets ``child_env()``: the caller's environment without that variable.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"


@dataclass
class Result:
    """One measured figure against its target (``ok`` None: informative, no target)."""

    figure: str
    name: str
    value: float | None
    unit: str
    target: float | None = None
    op: str = "<="  # how value compares to target for a pass
    note: str = ""
    samples: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        if self.op == "<=":
            return self.value <= self.target
        if self.op == ">=":
            return self.value >= self.target
        if self.op == "==":
            return self.value == self.target
        raise ValueError(self.op)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Result:
        data = dict(data)
        data.pop("ok", None)
        return cls(**data)


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation: small samples, honest maxima)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return float(ordered[rank])


@contextmanager
def cpu_timer(sink: list[float]) -> Iterator[None]:
    """Adds the *calling thread's* CPU seconds spent in the block to ``sink``."""
    start = time.thread_time()
    try:
        yield
    finally:
        sink.append(time.thread_time() - start)


def machine() -> dict[str, str]:
    """What the numbers were measured on (they mean little without it)."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = "?"
    with suppress(OSError):
        load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "cpus": str(os.cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "loadavg": load,
    }


def python() -> str:
    """The project's interpreter (the venv), else the current one."""
    candidate = VENV_BIN / "python"
    return str(candidate) if candidate.exists() else sys.executable


#: Variables that would make a child measure something other than a user's start.
_NOT_FOR_CHILDREN = (
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONPYCACHEPREFIX",
    "PYTHONUNBUFFERED",
    "PYTHONPROFILEIMPORTTIME",
)


def child_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) as a user's shell would have it."""
    env = dict(os.environ if base is None else base)
    for name in _NOT_FOR_CHILDREN:
        env.pop(name, None)
    return env


def _package_dirs() -> list[Path]:
    """Our package (editable: in the source tree) and the venv's site-packages."""
    import sysconfig

    dirs = [ROOT / "app" / "lemlist_inbox"]
    candidates = sorted((ROOT / ".venv" / "lib").glob("python*/site-packages"))
    dirs += candidates or [Path(sysconfig.get_paths()["purelib"])]
    return [d for d in dirs if d.is_dir()]


def bytecode_status(dirs: Sequence[Path] | None = None) -> dict[str, tuple[int, int]]:
    """For our package and Textual: (modules with an up-to-date ``.pyc``, modules)."""
    import importlib.util

    status: dict[str, tuple[int, int]] = {}
    roots = {"lemlist_inbox": ROOT / "app" / "lemlist_inbox"}
    for site in _package_dirs()[1:]:
        roots["textual"] = site / "textual"
    for name, root in roots.items():
        fresh = total = 0
        for source in root.rglob("*.py"):
            total += 1
            cached = Path(importlib.util.cache_from_source(str(source)))
            with suppress(OSError):
                if cached.stat().st_mtime >= source.stat().st_mtime:
                    fresh += 1
        status[name] = (fresh, total)
    return status


def ensure_bytecode() -> str:
    """Compile our package and site-packages (as pip would); a note saying what was measured."""
    dirs = _package_dirs()
    subprocess.run(
        [python(), "-m", "compileall", "-q", "-j", "0", *map(str, dirs)],
        check=False,
        capture_output=True,
        env=child_env(),
        cwd=ROOT,
    )
    status = bytecode_status(dirs)
    parts = [f"{name} {fresh}/{total}" for name, (fresh, total) in status.items()]
    return (
        "bytecode cached (.pyc fresh: " + ", ".join(parts) + "; PYTHONDONTWRITEBYTECODE unset in the child)"
    )


def run_figure_subprocess(module: str, quick: bool, timeout: float = 900.0) -> list[Result]:
    """Run ``benchmarks/<module>.py --json`` in a fresh interpreter; its results."""
    cmd = [python(), str(BENCH_DIR / f"{module}.py"), "--json"]
    if quick:
        cmd.append("--quick")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=child_env())
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-15:]
        raise RuntimeError(f"{module} failed (exit {proc.returncode}):\n" + "\n".join(tail))
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("[") or line.startswith("{"):
            return [Result.from_json(item) for item in json.loads(line)]
    raise RuntimeError(f"{module} printed no JSON result line")


def figure_main(run: Callable[[bool], list[Result]]) -> None:
    """``__main__`` of a figure module: ``--quick``, ``--json`` (one line, for run.py)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller data")
    parser.add_argument("--json", action="store_true", help="print results as one JSON line")
    args = parser.parse_args()
    results = run(args.quick)
    if args.json:
        print(json.dumps([r.to_json() for r in results]))
    else:
        print(format_table(results))


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.2f} ms" if value < 10 else f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "B":
        return f"{value:,.0f} B"
    if unit == "%":
        return f"{value:+.0f} %"
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:g} {unit}"


def format_table(results: Sequence[Result], markdown: bool = False) -> str:
    """The table ``run.py`` prints (and writes into the README with ``--markdown``)."""
    header = ("figure", "measure", "target", "measured", "result", "note")
    rows = []
    for r in results:
        target = "-" if r.target is None else f"{r.op} {fmt_value(r.target, r.unit)}"
        verdict = {True: "pass", False: "FAIL", None: "info"}[r.ok]
        rows.append((r.figure, r.name, target, fmt_value(r.value, r.unit), verdict, r.note))
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
        return "\n".join(lines)
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(header)]
    widths[-1] = len(header[-1])  # notes run on freely
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    for row in rows:
        out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(out)
